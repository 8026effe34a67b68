#!/usr/bin/env bash
# Golden outputs: a broad, deterministic set of hfbeam workflow runs whose output files are hashed into one
# manifest, so that two builds (e.g. before and after a refactoring) can be compared byte for byte:
#
#   bench/golden-outputs.sh LAUNCHER WORKDIR [DATA_DIR [SAMPLES_DIR]]
#   diff OLD_WORKDIR/MANIFEST.sha256 NEW_WORKDIR/MANIFEST.sha256
#
#   LAUNCHER     bin/hfbeam of the build under test (it runs the jar beside it, or $HFBEAM_JAR)
#   WORKDIR      created; must not exist or be empty. Each case's output is WORKDIR/<case>/
#   DATA_DIR     shared test data (pgn/, qa/, conversations/, medec/, chess/); default: ../../shared/data
#                relative to this script's folder (i.e. beside the repository)
#   SAMPLES_DIR  the repository's samples (pgn/, qa/); default: ../samples relative to this script's folder
#
# Cases (each a folder of WORKDIR; inputs are generated or copied into WORKDIR/_inputs first):
#   chess-positions  the 5000-game sample (all positions; chesspos + metadata + history), the 50-game file in every
#                    encoding (token_sequence, planes, bitboard) x window (repeat, history) with window sizes 10/4/3,
#                    small batches, split by game and by position, compression zstd/snappy/gzip/none, chunk_mb 1,
#                    0.05 and 0.005 (several ranges); .pgn.gz/.bz2/.zst, CRLF and cut inputs and a file of broken
#                    games (_errors/ not empty)
#   qa-export        samples/qa with the jar's bundled defaults, DATA_DIR/qa as jsonl and as parquet, an input with
#                    broken lines (both formats, fine chunks) and a second mapping (types, template, routing)
#   convert          JSONL (+.gz) inferred and declared, CSV (multi-line fields) in three named splits by key with
#                    the Hub file pattern, TSV (+.zst) declared, Parquet (the CSV case's output), bad JSONL values,
#                    corrupt/not-gzip files, bad CSV rows, a widening inference, --strict within and over budget
#                    (exit 1: the staging folder is what is hashed)
#   flink-local      two of the cases above again on the embedded Flink runner (reported if they differ from the
#                    DirectRunner's files; the convert card's title is the output folder's name)
#   watch            chess and convert --watch with the files in place before the start, stopped by SIGTERM after
#                    the first pane (a second pane fails the script: the panes would depend on timing)
#   Hub              a local `hub serve` (fixed token), a chess and a convert run published with --repo, then
#                    `hub download` of both repos (hub-*-download/) and their `hub ls -r` listing
# Every run has fixed seeds, a complete pipeline YAML (--config) except the cases named *-defaults/bitboard-repeat,
# which use the YAMLs bundled in the jar, and runs with WORKDIR as the current directory and relative paths.
#
# Written into WORKDIR:
#   <case>/...           the outputs of each run
#   _stdout/<case>.txt   the run's standard output without its volatile lines (elapsed time, progress rates),
#   _stderr/<case>.txt   and its standard error (warnings, errors), WORKDIR's absolute path replaced by "$WORKDIR"
#   MANIFEST.sha256      "sha256  relative/path" of every file above, sorted (LC_ALL=C); `sha256sum -c` checks it
#   INPUTS.sha256        the same for the generated inputs in _inputs/ (so a difference can be told from a
#                        different input); not part of the manifest
#   NORMALISED           the files that were normalised in place before hashing (see below)
#   _inputs/ _logs/ _hub/  the inputs the runs read, full stdout/stderr of every run, the local Hub's store and
#                        the download cache: not hashed
#
# Excluded / normalised (volatile by design, not by the build):
#   - stdout lines `time: ...` and `progress: ...` (elapsed time, rates); the launcher's stderr line `hfbeam:
#     writing a class-data archive` (only on the first run of a new build); the commit id in the stdout line
#     `commit landed: <id> "message" (...)` of a --repo run (it hashes the commit's date)
#   - watch runs watch a single file each: several files found by one poll are numbered in the order the runner
#     delivers them, which changes the row order between runs (by design: "files are numbered in the order they
#     are seen")
#   - WORKDIR's absolute path, replaced by "$WORKDIR" in every output text file that holds it (listed in
#     NORMALISED): the watch runs' error records name the watched directory absolutely (the watcher resolves
#     it), and a failed run's .hfbeam/staging/REJECTED names its errors file absolutely. The other runs are
#     given relative paths and record them as given
#   - the Hub server's own store (_hub/data: commit ids and dates) and the download cache layout (snapshot
#     folder named by the commit id, blobs, locks): only the downloaded files' contents are hashed
#   - nothing else: .hfbeam/manifest.json (a list of files, no timestamp), .hfbeam-parts/ of the watch runs and
#     the Hub's .gitattributes and .hfbeam/chess-positions-<fingerprint>.json are all hashed
#
# Runtime on a 2-core machine: about 3 minutes (the first run of a new build also writes the launcher's
# class-data archive, about 20 s more).
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 LAUNCHER WORKDIR [DATA_DIR [SAMPLES_DIR]]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 4 ] || usage
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
launcher="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -x "$launcher" ] || { echo "launcher not executable: $1" >&2; exit 2; }
data="${3:-$here/../../shared/data}"
samples="${4:-$here/../samples}"
for d in "$data/pgn" "$data/qa" "$data/conversations" "$data/medec" "$data/chess" "$samples/pgn" "$samples/qa"; do
  [ -d "$d" ] || { echo "missing input folder: $d (pass DATA_DIR / SAMPLES_DIR)" >&2; exit 2; }
done
data="$(cd "$data" && pwd)"; samples="$(cd "$samples" && pwd)"
for tool in gzip bzip2 zstd sha256sum curl; do
  command -v "$tool" > /dev/null || { echo "needs $tool" >&2; exit 2; }
done
if [ -e "$2" ] && [ -n "$(ls -A "$2")" ]; then echo "WORKDIR $2 exists and is not empty" >&2; exit 2; fi
mkdir -p "$2"
work="$(cd "$2" && pwd)"
cd "$work"
mkdir -p _inputs _logs _stdout _stderr _hub
# no Hub settings of the caller's environment leak into the runs
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_ENDPOINT HF_HOME
export NO_COLOR=1 TERM=dumb
start=$SECONDS

bg_pids=()
cleanup() { for p in "${bg_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------------- inputs
I=_inputs
pgn50="$data/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn"
pgn5000="$samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn"
mkdir -p $I/pgn-samples $I/pgn-shared $I/pgn-mixed $I/pgn-broken $I/qa-samples $I/qa-shared $I/qa-broken \
  $I/conv-jsonl $I/conv-csv $I/conv-tsv $I/conv-bad-jsonl $I/conv-bad-csv $I/conv-strict \
  $I/watch-chess $I/watch-convert $I/hub-chess $I/cfg
cp "$samples"/pgn/*.pgn $I/pgn-samples/
cp "$data"/pgn/*.pgn $I/pgn-shared/

# PGN games that fail in every way the README names, between games that parse (comments, NAGs, variations,
# `;` comments, `%` lines, SetUp/FEN, `*` results, wrapped movetext)
cat > $I/pgn-broken/broken.pgn <<'EOF'
[Event "good: comments, NAGs, variations"]
[Site "https://lichess.org/golden01"]
[White "w1"]
[Black "b1"]
[Result "1-0"]
[WhiteElo "2100"]
[BlackElo "1850"]

1. e4 {[%clk 0:05:00]} e5 $1 (1... c5 2. Nf3 d6) 2. Nf3?! ; a line comment
Nc6 3. Bb5 a6 4. Ba4 Nf6 5. O-O Be7 6. Re1 b5 7. Bb3 d6 8. c3 O-O 1-0

[Event "broken: illegal move"]
[White "w2"]
[Black "b2"]
[Result "*"]

1. e4 e5 2. Ke3 Nf6 *

[Event "broken: bad FEN"]
[SetUp "1"]
[FEN "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP w KQkq - 0 1"]
[Result "*"]

1. e4 *

[Event "broken: comment never closed"]
[Result "*"]

1. e4 { never closed e5 2. Nf3 Nc6 *

[Event "good: SetUp and FEN, percent line"]
[SetUp "1"]
[FEN "4k3/8/8/8/8/8/8/4K2R w K - 0 1"]
[Result "1/2-1/2"]
[WhiteElo "1500"]

% an escaped line
1. O-O Kd7 2. Rd1+ Ke6 3. Kg2 Ke5 1/2-1/2

[Event "broken: brace outside a comment"]
[Result "*"]

1. e4 } e5 *

[Event "broken: unparseable move"]
[Result "*"]

1. e4 Zz9 2. Nf3 *

[Event "good: black wins"]
[Result "0-1"]
[WhiteElo "1200"]
[BlackElo "2400"]

1. f3 e5 2. g4 Qh4# 0-1

[Event "broken: truncated at the end"]
[Result "*"]

1. d4 d5 2. c4 e6 3. Nf
EOF
# the same small file compressed three ways, a CRLF copy of its first games, and the broken file
gzip -n -9 -c "$pgn50" > $I/pgn-mixed/games50.pgn.gz
head -c 12000 "$pgn50" | bzip2 -9 -c > $I/pgn-mixed/head.pgn.bz2
tail -c 9000 "$pgn50" | zstd -q -19 -c > $I/pgn-mixed/tail.pgn.zst
head -c 15000 "$pgn50" | sed 's/$/\r/' > $I/pgn-mixed/crlf.pgn
cp $I/pgn-broken/broken.pgn $I/pgn-mixed/broken.pgn
# a cut game (from the 50-game file) at the end of a file that also holds whole games
head -c 20000 "$pgn50" > $I/pgn-mixed/cut.pgn

cp "$samples"/qa/qa_passed.jsonl "$samples"/qa/qa_rejected.jsonl $I/qa-samples/
cp "$data"/qa/qa_passed.jsonl "$data"/qa/qa_rejected.jsonl $I/qa-shared/
# QA lines that fail: broken JSON, text after the object, a missing required field, a wrong type, a duplicate key
{
  head -n 10 "$data/qa/qa_passed.jsonl"
  echo '{"id": "bad-1", "question": "Trasig rad"'
  echo 'not json at all'
  head -n 11 "$data/qa/qa_passed.jsonl" | tail -n 1 | sed 's/$/ xyz/'
  echo '{"id": "bad-2", "answer": "svar utan fråga", "persona": {"roll": "r", "erfarenhet": "e"}, "validation": {"composite_score": 0.5}}'
  echo '{"id": "bad-3", "question": "q", "answer": "a", "persona": {"roll": "r", "erfarenhet": "e"}, "validation": {"composite_score": "hög"}}'
  echo '{"id": "bad-4", "question": "q", "question": "q2", "answer": "a", "persona": {"roll": "r", "erfarenhet": "e"}, "validation": {"composite_score": 0.5}}'
  echo ''
  tail -n +12 "$data/qa/qa_passed.jsonl"
} > $I/qa-broken/qa_passed.jsonl
{ cat "$data/qa/qa_rejected.jsonl"; echo '{"id": "bad-5", "question": 12, "answer": ["x"]}'; } > $I/qa-broken/qa_rejected.jsonl
# a second mapping: other names and types, a default, and routing by a field
cat > $I/cfg/qa-mapping.yaml <<'EOF'
fields:
  - name: id
    from: id
    type: string
    required: true
  - name: q
    from: question
    type: large_string
    required: true
  - name: who
    template: "{persona.roll} ({persona.erfarenhet})"
    type: string
  - name: score
    from: validation.composite_score
    type: float32
    required: true
  - name: approved
    from: validation.godkand
    type: bool
  - name: created
    from: skapad
    type: string
    default: "unknown"
routes:
  - split: approved
    when: {field: validation.godkand, equals: true}
  - split: other
    when: {file: "qa_*.jsonl"}
EOF

cp "$data"/conversations/*.jsonl $I/conv-jsonl/
gzip -n -9 -c "$data/conversations/mt_bench_questions.jsonl" > $I/conv-jsonl/mt_bench_copy.jsonl.gz
cp "$data"/medec/*.csv $I/conv-csv/medec.csv
{ printf 'game\tply\tfen\ttokens\n'; cat "$data"/chess/tokens_*.tsv; } > $I/conv-tsv/tokens.tsv
head -n 400 $I/conv-tsv/tokens.tsv | zstd -q -c > $I/conv-tsv/tokens-head.tsv.zst
cat > $I/cfg/conv-features.yaml <<'EOF'
chat_id: string
messages:
  - role: class_label(user,assistant)
    content: large_string
metadata: {category: string, question_id: int16, vertical: string, scenario: string}
EOF
cat > $I/cfg/tsv-features.yaml <<'EOF'
game: int32
ply: uint16
fen: string
tokens: string
EOF
# records that fail on their values (declared features), on the JSON, or on the file
cat > $I/conv-bad-jsonl/records.jsonl <<'EOF'
{"id": 1, "score": 0.5, "name": "ok", "tags": ["a", "b"], "flag": true, "xyz": [1.5, 2.5, 3.5]}
{"id": 300, "score": 0.5, "name": "int8 overflow", "tags": [], "flag": false, "xyz": [0, 0, 0]}
{"id": 2, "score": 1e39, "name": "float32 overflow", "tags": null, "flag": true, "xyz": [0, 0, 0]}
{"id": 3, "score": 1.5, "name": "text after the object"} {"extra": 1}
not json at all
{"id": 1.5, "score": 0.1, "name": "fraction as int8", "tags": ["c"], "flag": false, "xyz": [1, 2, 3]}
{"id": 4, "score": 0.1, "name": "\ud800", "tags": ["lone surrogate"], "flag": true, "xyz": [1, 2, 3]}
{"id": 5, "score": 0.1, "name": "numbers as text", "tags": [1, 2], "flag": true, "xyz": [1, 2, 3]}
{"id": 6, "score": "NaN", "name": "NaN", "tags": [], "flag": true, "xyz": [1, 2, 3]}
{"id": "7", "score": "2.25", "name": "casts", "tags": ["d"], "flag": 1, "xyz": ["1", 2.0, 1e1]}
{"id": 8, "id": 9, "score": 0.2, "name": "duplicate key", "tags": [], "flag": false, "xyz": [1, 2, 3]}
{"id": 10, "score": 0.30000001, "name": "wrong length", "tags": ["e"], "flag": false, "xyz": [1, 2]}
{"id": 11, "score": 2.0, "name": "nulls", "tags": null, "flag": null, "xyz": null}
{"id": 12, "score": 1e3, "name": "integral float", "tags": ["f", "g", "h"], "flag": 0, "xyz": [0.1, 0.2, 0.3]}
EOF
for i in $(seq 1 400); do
  printf '{"id": %d, "score": %d.25, "name": "in a gzip %d", "tags": ["t%d"], "flag": true, "xyz": [%d, 1, 1]}\n' \
    $((i % 100)) "$i" $((i * 7919 % 10007)) "$i" "$i"
done | gzip -n -c > $I/conv-bad-jsonl/more.jsonl.gz
# cut in the middle: the lines before the damage are kept, the file fails there
head -c $(( $(wc -c < $I/conv-bad-jsonl/more.jsonl.gz) / 2 )) $I/conv-bad-jsonl/more.jsonl.gz \
  > $I/conv-bad-jsonl/truncated.jsonl.gz
printf 'plain text, not gzip\n' > $I/conv-bad-jsonl/notgzip.jsonl.gz
cat > $I/cfg/bad-features.yaml <<'EOF'
id: int8
score: float32
name: string
tags: list<string>
flag: bool
xyz: list<float32>[3]
EOF
printf '\xef\xbb\xbfid,name,value,note\n' > $I/conv-bad-csv/rows.csv
cat >> $I/conv-bad-csv/rows.csv <<'EOF'
1,alpha,1.5,plain
2,beta,2,"quoted, with comma"
3,gamma,3,"spans
two lines"
4,delta,4,too,many,fields
5,epsilon,5
6,zeta,6,"text" after the quote
7,eta,7,"a stray quote that is never closed
8,theta,8,after the stray quote
9,iota,NaN,nan as text
10,kappa,1e400,overflow as text
EOF
# inference: a column widened from int64 to string, nested dicts and lists, nulls, bools, floats
mkdir -p $I/conv-widen
cat > $I/conv-widen/people.jsonl <<'EOF'
{"name": "ada", "age": 36, "score": 1.5, "ok": true, "tags": ["x"], "home": {"city": "London", "zip": null}, "seen": null}
{"name": "bo", "age": 7, "score": 2, "ok": false, "tags": [], "home": {"city": "Lund", "zip": 22100}, "seen": "2024-01-02"}
{"name": "cy", "age": "seven", "score": 1e-5, "ok": null, "tags": ["y", "z"], "home": null, "seen": "2024-02-03"}
{"name": "di", "age": 41, "score": -0.0, "ok": true, "tags": null, "home": {"city": "Umeå", "zip": 90187}, "extra": [1, 2]}
{"name": "ed", "age": 2.0, "score": 3, "ok": true, "tags": ["ü", "€"], "home": {"city": "", "zip": 1}, "seen": ""}
EOF
cat > $I/conv-strict/a.jsonl <<'EOF'
{"chat_id": "s1", "metadata": {"category": "x", "question_id": 1, "vertical": "v", "scenario": "s"}, "messages": []}
{"chat_id": "s2", "metadata": {"category": "x", "question_id": 2, "vertical": "v", "scenario": "s"}, "messages": [{"role": "user", "content": "hi"}], "undeclared": 1}
{"chat_id": "s3", "messages": [{"role": "assistant", "content": "no metadata"}]}
{"chat_id": "s4", "metadata": {"category": "y", "question_id": 4, "vertical": null, "scenario": null}, "messages": [{"role": "user", "content": "fine"}]}
EOF
head -n 120 "$data/conversations/taskmaster_coffee.jsonl" \
  | sed 's/"created_at":"[^"]*",//g' > $I/conv-strict/coffee.jsonl

# watch inputs: in place before the job starts, so that the first poll finds them and the first pane holds them.
# One file per watched directory: files found by the same poll are numbered (and their rows ordered) in the
# order the runner hands them on, which varies from run to run (seen with three files: train/test batch files
# differed between runs); a single file's rows are always in the same order
cat "$pgn50" $I/pgn-broken/broken.pgn > $I/watch-chess/games.pgn
{ head -n 60 "$data/conversations/taskmaster_coffee.jsonl"; head -n 30 "$data/conversations/mt_bench_questions.jsonl"; } \
  | sed 's/"created_at":"[^"]*",//g' > $I/watch-convert/chats.jsonl
cp "$pgn50" $I/hub-chess/games.pgn

# pipeline YAMLs: complete, so that no default of the build's bundled pipelines/*.yaml is used
chess_yaml() { # name chunk_mb window_size
  cat > "$I/cfg/$1.yaml" <<EOF
runner: direct
encoding: token_sequence
window: repeat
window_size: $3
scalars: zeros
metadata: false
sampling: all
rate: 0.33
min_ply: 0
max_ply: 100000
seed: 42
split_by: game
train_ratio: 0.95
batch_size: 100000
batches: -1
parquet:
  pattern: "{split}/batch_{NNN}.parquet"
  compression: zstd
  row_group_mb: 128
max_error_rate: 1.0
chunk_mb: $2
EOF
}
chess_yaml chess-w10 1 10
chess_yaml chess-w4-fine 0.005 4
chess_yaml chess-w3 0.05 3
convert_yaml() { # name chunk_mb ratios key
  cat > "$I/cfg/$1.yaml" <<EOF
input_format: auto
format: parquet
features: null
infer_rows: 1000
split:
  ratios: $3
  key: $4
  seed: 42
batch_size: 100000
first_batch: 1
parquet:
  pattern: "{split}/batch_{NNN}.parquet"
  compression: zstd
  row_group_mb: 128
runner: direct
max_error_rate: 1.0
chunk_mb: $2
EOF
}
convert_yaml conv-32 32 '{train: 0.95, test: 0.05}' '[]'
convert_yaml conv-fine 0.05 '{train: 0.95, test: 0.05}' '[]'
convert_yaml conv-3way 0.05 '{train: 0.8, validation: 0.1, test: 0.1}' '["Error Type"]'
qa_yaml() { # name chunk_mb
  cat > "$I/cfg/$1.yaml" <<EOF
format: both
runner: direct
jsonl_files:
  train: qa_pairs.jsonl
  rejected: qa_rejected_hf.jsonl
parquet:
  pattern: "{split}/batch_{NNN}.parquet"
  compression: zstd
  row_group_mb: 128
max_error_rate: 1.0
chunk_mb: $2
EOF
}
qa_yaml qa-32 32
qa_yaml qa-fine 0.002

# ------------------------------------------------------------------------------------------------------- helpers
cases=()
# run CASE EXPECTED_EXIT WORKFLOW ARGS...: one run, output in CASE/, stdout kept (filtered) in _stdout/CASE.txt
run() {
  local case=$1 want=$2; shift 2
  local rc=0 t0=$SECONDS
  "$launcher" "$@" --output "$case" > "_logs/$case.out" 2> "_logs/$case.err" < /dev/null || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "case $case: exit $rc, expected $want: $*" >&2
    tail -n 20 "_logs/$case.err" "_logs/$case.out" >&2
    exit 1
  fi
  keep_stdout "$case"
  cases+=("$case")
  printf '%-28s exit %s  %3d s\n' "$case" "$rc" $((SECONDS - t0))
}
keep_stdout() {
  # (commit ids hash the commit's time: `commit landed: <id>` keeps the message and sizes only)
  grep -v -E '^(time:|progress:)' "_logs/$1.out" | sed -e "s#$work#\$WORKDIR#g" \
    -e 's/^commit landed: [0-9a-f]* /commit landed: <id> /' > "_stdout/$1.txt" || true
  grep -v -E '^hfbeam: writing a class-data archive' "_logs/$1.err" | sed "s#$work#\$WORKDIR#g" > "_stderr/$1.txt" || true
}

echo "golden outputs of $launcher into $work"

# ----------------------------------------------------------------------------------------------- chess-positions
C=chess-positions
# the shipped sample, all positions, 4 batches, 1 MiB ranges (4 chunks)
run chess-samples-tokens-repeat 0 $C --config $I/cfg/chess-w10.yaml --data-path $I/pgn-samples \
  --encoding token_sequence --window repeat --sampling all --batch-size 100000
# the 5000 games of the shared data with chesspos sampling, metadata, features scalars, bounded batches
run chess-shared5000-chesspos 0 $C --config $I/cfg/chess-w10.yaml \
  --data-path $I/pgn-shared/lichess_db_standard_rated_2013-01_truncated_5000.pgn \
  --sampling chesspos --rate 0.5 --min-ply 4 --max-ply 120 --seed 7 --metadata --scalars features \
  --window history --batch-size 20000 --first-batch 3 --batches 3 --split-by game --train-ratio 0.9
# every encoding x window mode on the 50-game file (window sizes 10, 4, 3), small batches, metadata on
run chess-50-tokens-history 0 $C --config $I/cfg/chess-w4-fine.yaml --data-path "$I/pgn-shared/*_50.pgn" \
  --encoding token_sequence --window history --metadata --batch-size 700
run chess-50-planes-repeat 0 $C --config $I/cfg/chess-w3.yaml --data-path $I/pgn-shared/lichess_db_standard_rated_2013-01_truncated_50.pgn \
  --encoding planes --window repeat --metadata --batch-size 1000 --scalars features
run chess-50-planes-history 0 $C --config $I/cfg/chess-w4-fine.yaml --data-path $I/pgn-shared/lichess_db_standard_rated_2013-01_truncated_50.pgn \
  --encoding planes --window history --sampling chesspos --rate 0.9 --metadata --batch-size 500 --compression snappy
# (no --config: the jar's bundled pipelines/chess-positions.yaml)
run chess-50-bitboard-repeat 0 $C --data-path $I/pgn-shared/lichess_db_standard_rated_2013-01_truncated_50.pgn \
  --encoding bitboard --window repeat --batch-size 1500 --split-by position --train-ratio 0.8
run chess-50-bitboard-history 0 $C --config $I/cfg/chess-w3.yaml --data-path $I/pgn-shared/lichess_db_standard_rated_2013-01_truncated_50.pgn \
  --encoding bitboard --window history --metadata --scalars features --batch-size 800 --compression gzip
# compressed (.gz .bz2 .zst), CRLF, a cut game and broken games: _errors/ is not empty
run chess-mixed-errors 0 $C --config $I/cfg/chess-w4-fine.yaml --data-path $I/pgn-mixed \
  --window history --metadata --scalars features --batch-size 600 --compression none
run chess-broken-chesspos 0 $C --config $I/cfg/chess-w3.yaml --data-path $I/pgn-broken/broken.pgn,$I/pgn-mixed/games50.pgn.gz \
  --sampling chesspos --rate 1.0 --seed 1234 --metadata --batch-size 250 --row-group-mb 1

# -------------------------------------------------------------------------------------------------------- qa-export
Q=qa-export
# no --config, no --mapping: the defaults bundled in the jar (pipelines/qa-export.yaml, config/qa-export-mapping.yaml;
# WORKDIR, the current directory, has no pipelines/ or config/ folder)
run qa-samples-defaults 0 $Q --input $I/qa-samples
run qa-shared-jsonl 0 $Q --config $I/cfg/qa-32.yaml --input $I/qa-shared --format jsonl
run qa-shared-parquet 0 $Q --config $I/cfg/qa-32.yaml --input $I/qa-shared --format parquet --compression gzip
run qa-broken-both 0 $Q --config $I/cfg/qa-fine.yaml --input $I/qa-broken --format both
run qa-custom-mapping 0 $Q --config $I/cfg/qa-fine.yaml --input $I/qa-broken --mapping $I/cfg/qa-mapping.yaml --format both

# ---------------------------------------------------------------------------------------------------------- convert
V=convert
# JSONL (+ .gz), inferred, split key, several batches and chunks, both formats
run conv-jsonl-inferred 0 $V --config $I/cfg/conv-fine.yaml --input $I/conv-jsonl --split-by chat_id \
  --batch-size 150 --format both --seed 42
# JSONL, declared features (undeclared columns dropped, class_label, int16, large_string)
run conv-jsonl-declared 0 $V --config $I/cfg/conv-32.yaml --input "$I/conv-jsonl/*.jsonl" \
  --features $I/cfg/conv-features.yaml --train-ratio 0.7 --seed 3 --batch-size 200 --format parquet
# CSV (multi-line quoted fields across chunk boundaries), inferred, three named splits with a key, HF file names
run conv-csv-3way 0 $V --config $I/cfg/conv-3way.yaml --input $I/conv-csv/medec.csv --batch-size 100 \
  --format both --file-pattern 'data/{split}-{index:05d}-of-{count:05d}.parquet'
# TSV (+ .zst), declared features, split by a key, JSONL only
run conv-tsv-declared 0 $V --config $I/cfg/conv-fine.yaml --input $I/conv-tsv --input-format tsv \
  --features $I/cfg/tsv-features.yaml --split-by game --batch-size 1000 --format jsonl
# Parquet input (the CSV case's output), inferred from its schema, both formats
run conv-parquet 0 $V --config $I/cfg/conv-32.yaml --input 'conv-csv-3way/data/*.parquet' --batch-size 120 \
  --format both --first-batch 5 --compression snappy
# bad rows: values, JSON, a truncated .gz and a .gz that is not gzip; _errors/ is not empty
run conv-bad-jsonl 0 $V --config $I/cfg/conv-32.yaml --input $I/conv-bad-jsonl --features $I/cfg/bad-features.yaml \
  --batch-size 20 --format both
run conv-bad-csv 0 $V --config $I/cfg/conv-32.yaml --input $I/conv-bad-csv/rows.csv --format both --batch-size 3
# --strict: exact features pass, mismatches are located failures within the budget; and a run over budget (exit 1)
run conv-jsonl-widen 0 $V --config $I/cfg/conv-32.yaml --input $I/conv-widen --format both --batch-size 2 \
  --compression none --train-ratio 0.6 --seed 11
run conv-strict 0 $V --config $I/cfg/conv-32.yaml --input $I/conv-strict --features $I/cfg/conv-features.yaml \
  --strict --max-error-rate 0.5 --format both --batch-size 50
run conv-strict-fails 1 $V --config $I/cfg/conv-32.yaml --input $I/conv-strict --features $I/cfg/conv-features.yaml \
  --strict --format both

# ------------------------------------------------------------------------------------------------- flink-local
# Two cases again on the embedded Flink runner: the README promises the same bytes on every runner
run flink-chess-mixed-errors 0 $C --runner flink-local --config $I/cfg/chess-w4-fine.yaml --data-path $I/pgn-mixed \
  --window history --metadata --scalars features --batch-size 600 --compression none
run flink-conv-csv-3way 0 $V --runner flink-local --config $I/cfg/conv-3way.yaml --input $I/conv-csv/medec.csv \
  --batch-size 100 --format both --file-pattern 'data/{split}-{index:05d}-of-{count:05d}.parquet'
# (a convert card is titled with the output folder's name: that line is set aside in the comparison)
same_as() { # DIR_A DIR_B: the files of B are those of A
  local f
  [ "$(cd "$1" && find . -type f | sort)" = "$(cd "$2" && find . -type f | sort)" ] || return 1
  while IFS= read -r f; do
    cmp -s <(sed "s/^# $1\$/# TITLE/" "$1/$f") <(sed "s/^# $2\$/# TITLE/" "$2/$f") || return 1
  done < <(cd "$1" && find . -type f)
}
for pair in chess-mixed-errors:flink-chess-mixed-errors conv-csv-3way:flink-conv-csv-3way; do
  same_as "${pair%%:*}" "${pair#*:}" || echo "note: ${pair#*:} differs from ${pair%%:*} (DirectRunner vs flink-local)" >&2
done

# ---------------------------------------------------------------------------------------------------------- watch
# The files are in the watched directory before the job starts; the job is stopped (SIGTERM) once the first pane
# is written and a few more polls found nothing new. A second pane would mean the split into panes depended on
# timing: then the script fails rather than record it.
watch_case() { # CASE WORKFLOW ARGS...
  local case=$1; shift
  local t0=$SECONDS pid
  "$launcher" "$@" --watch --poll-interval 1 --commit-interval 5 --output "$case" \
    > "_logs/$case.out" 2> "_logs/$case.err" < /dev/null &
  pid=$!; bg_pids+=("$pid")
  local deadline=$((SECONDS + 180))
  until grep -q '^pane 1 written' "_logs/$case.out" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || (( SECONDS > deadline )); then
      echo "case $case: no pane written" >&2; tail -n 20 "_logs/$case.err" "_logs/$case.out" >&2; exit 1
    fi
    sleep 0.5
  done
  sleep 8 # more than a commit interval: a pane that was to follow is written now
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  if grep -q '^pane 2 written' "_logs/$case.out"; then
    echo "case $case: more than one pane; the split into panes depended on timing" >&2; exit 1
  fi
  keep_stdout "$case"
  cases+=("$case")
  printf '%-28s pane 1, SIGTERM %3d s\n' "$case" $((SECONDS - t0))
}
watch_case watch-chess $C --config $I/cfg/chess-w4-fine.yaml --data-path $I/watch-chess --batch-size 1000 \
  --window history --metadata
watch_case watch-convert $V --config $I/cfg/conv-32.yaml --input $I/watch-convert --input-format jsonl \
  --features $I/cfg/conv-features.yaml --batch-size 40 --format both

# ------------------------------------------------------------------------------------------------------------ Hub
# A local Hub (a fixed token from a file), one chess and one convert run published to it, then both repos
# downloaded; their files are hashed as hub-*-download/ (not the server's store).
token=hf_golden_$(printf '0%.0s' $(seq 1 30))
printf '%s golden\n' "$token" > _hub/tokens; chmod 600 _hub/tokens
"$launcher" hub serve --port 0 --data _hub/data --tokens _hub/tokens > _logs/hub-serve.out 2> _logs/hub-serve.err &
bg_pids+=("$!"); hub_pid=$!
deadline=$((SECONDS + 60))
until grep -q '^Local Hub at' _logs/hub-serve.out; do
  if ! kill -0 $hub_pid 2>/dev/null || (( SECONDS > deadline )); then
    echo "the local Hub did not start" >&2; cat _logs/hub-serve.err >&2; exit 1
  fi
  sleep 0.3
done
hub_env=(env HF_ENDPOINT="$(sed -n 's/^Local Hub at \([^ ]*\).*/\1/p' _logs/hub-serve.out)" HF_TOKEN="$token"
  HF_HOME="$work/_hub/hf-home" HF_HUB_DISABLE_XET=1)
saved_launcher=$launcher
launcher_hub() { "${hub_env[@]}" "$saved_launcher" "$@"; }
launcher=launcher_hub
run hub-chess 0 $C --config $I/cfg/chess-w4-fine.yaml --data-path $I/hub-chess --batch-size 1200 --metadata \
  --repo golden/chess
run hub-convert 0 $V --config $I/cfg/conv-fine.yaml --input $I/conv-jsonl/taskmaster_coffee.jsonl \
  --split-by chat_id --batch-size 100 --format both --repo golden/convert
launcher=$saved_launcher
for repo in chess convert; do
  case=hub-$repo-download
  "${hub_env[@]}" "$launcher" hub ls golden/$repo -r > "_logs/$case.ls" 2>&1
  snap=$("${hub_env[@]}" "$launcher" hub download golden/$repo 2> "_logs/$case.err" | tail -n 1)
  [ -d "$snap" ] || { echo "hub download golden/$repo: no snapshot folder ($snap)" >&2; cat "_logs/$case.err" >&2; exit 1; }
  mkdir -p "$case"
  cp -RL "$snap/." "$case/"
  cp "_logs/$case.ls" "_stdout/$case.txt"  # `hub ls -r`: paths and sizes
  cp "_logs/$case.err" "_stderr/$case.txt"
  cases+=("$case")
  printf '%-28s %s files\n' "$case" "$(find "$case" -type f | wc -l)"
done
kill $hub_pid 2>/dev/null || true; wait $hub_pid 2>/dev/null || true

# -------------------------------------------------------------------------------------------------------- manifest
# normalise WORKDIR's absolute path in text files that hold it (the watch runs' error records)
: > NORMALISED
for f in $(grep -rlF --binary-files=without-match "$work" "${cases[@]}" _stdout _stderr 2>/dev/null | sort); do
  sed -i "s#$work#\$WORKDIR#g" "$f"
  echo "$f" >> NORMALISED
done
if grep -rlF "$work" "${cases[@]}" _stdout _stderr > /dev/null 2>&1; then
  echo "warning: WORKDIR's absolute path is still in: $(grep -rlF "$work" "${cases[@]}" _stdout _stderr | tr '\n' ' ')" >&2
fi
find "${cases[@]}" _stdout _stderr -type f -print0 | sort -z | xargs -0 sha256sum > MANIFEST.sha256
find _inputs -type f -print0 | sort -z | xargs -0 sha256sum > INPUTS.sha256
echo "cases: ${#cases[@]}; files: $(wc -l < MANIFEST.sha256); normalised: $(wc -l < NORMALISED); $((SECONDS - start)) s"
echo "manifest: $work/MANIFEST.sha256"
