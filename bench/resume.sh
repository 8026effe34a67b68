#!/usr/bin/env bash
# Kill-and-resume trials (issue 5): chess-positions on embedded Flink (--runner flink-local, checkpoints every 1 s),
# publishing to a local Hub, is killed with SIGKILL at several points (once checkpoints 1, 3, 5 and 8 exist, i.e.
# while processing; once the first batch_* file exists, i.e. while assembling; once the repo has 3 commits, i.e.
# while publishing) and continued with --resume. Each trial has its own output dir and repo and is checked against
# one uninterrupted run: the same files byte for byte (sha256, same set), the same Hub files (path, blob oid, size,
# LFS sha256) and as many commits (none repeated). Measures the checkpoint resumed from, the input bytes the resumed
# run reads (its `read` line), its wall time and the time to restore: from starting the resume command to the last
# Flink task switching INITIALIZING -> RUNNING (state restored), and within Flink from the job's execution graph
# being created to that, taken from the run's own log (two Flink loggers raised to INFO, millisecond timestamps);
# the clean run's time to RUNNING, measured the same way, is the baseline.
# Input: COPIES concatenated copies of the 5000-game sample (10: 3,274,160 positions, 37 MB); config: batch_size
# 100000, chunk_mb 1, hub.max_files_per_commit 2. Prints a markdown table. Exit 1 if a trial differs from the clean
# run or fails, 2 if all matched but a run finished before its kill point ("not reached").
# usage: bench/resume.sh [COPIES=10]   (needs target/hfbeam.jar; starts a local Hub on a free port, stops it at exit;
#        CHECKPOINTS="1 3 5 8" overrides the checkpoint kill points, COMMITS=3 the publishing one)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$PWD/target/hfbeam.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -q -DskipTests package first" >&2; exit 1; }
copies=${1:-10}
checkpoints=${CHECKPOINTS:-1 3 5 8}
min_commits=${COMMITS:-3}
work=$PWD/target/bench/resume
mkdir -p "$work"
small=samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn
input=$work/lichess_x$copies.pgn
[ -f "$input" ] || for i in $(seq "$copies"); do cat "$small"; echo; done > "$input"
input_bytes=$(stat -c %s "$input")
config=$work/chess.yaml
printf 'batch_size: 100000\nchunk_mb: 1\nhub:\n  max_files_per_commit: 2\n' > "$config"
runs=$work/runs
rm -rf "$runs" "$work/hub" "$work/hf"
mkdir -p "$runs"

# a fresh local Hub on a free port
java -jar "$jar" hub serve --port 0 --data "$work/hub" > "$work/hub.log" 2>&1 &
hub_pid=$!
run_pid=
cleanup() {
  [ -n "$run_pid" ] && kill -9 "$run_pid" 2> /dev/null
  kill "$hub_pid" 2> /dev/null
  wait 2> /dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
endpoint=
until [ -n "$endpoint" ]; do
  kill -0 "$hub_pid" 2> /dev/null || { echo "hub server did not start:" >&2; cat "$work/hub.log" >&2; exit 1; }
  sleep 0.2
  endpoint=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/hub.log" | head -1 || true)
done
export HF_ENDPOINT=$endpoint HF_TOKEN=hf_fake_resume_bench HF_HOME=$work/hf

# Flink's task state transitions and checkpoint restore at INFO, with dates and milliseconds (stderr, in the log)
logopts=("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS"
  -Dorg.slf4j.simpleLogger.log.org.apache.flink.runtime.executiongraph.ExecutionGraph=info
  -Dorg.slf4j.simpleLogger.log.org.apache.flink.runtime.checkpoint.CheckpointCoordinator=info)
start_run() { # name, log, extra args...: starts chess-positions in the background, sets run_pid
  local name=$1 log=$2; shift 2
  java "${logopts[@]}" -jar "$jar" chess-positions --config "$config" --data-path "$input" --output "$runs/$name" \
    --runner flink-local --checkpoint-interval 1 --repo "alice/$name" "$@" > "$log" 2>&1 < /dev/null &
  run_pid=$!
}
now() { date +%s.%N; }
secs() { python3 -c "print(f'{float($2) - float($1):.1f}')"; }
th() { python3 -c "print(f'{int($1):,}')"; }   # thousands separators whatever the locale
latest_checkpoint() { # highest complete checkpoint of an output (0: none)
  local n
  n=$(find "$1.checkpoints" -path '*/chk-*/_metadata' 2> /dev/null | sed -E 's#.*/chk-([0-9]+)/_metadata$#\1#' \
    | sort -n | tail -1 || true)
  echo "${n:-0}"
}
has_batch_file() { [ -n "$(find "$1" -name 'batch_*' -type f -print -quit 2> /dev/null)" ]; }
batch_files() { find "$1" -name 'batch_*' -type f 2> /dev/null | wc -l; }
commits_fast() { curl -s "$HF_ENDPOINT/api/datasets/alice/$1/commits/main" | grep -o '"id":"' | wc -l || true; }
hub_api() { # what: commits|files, repo name; follows Link: rel="next" if the server paginates
  python3 - "$HF_ENDPOINT" "$1" "$2" << 'EOF'
import json, re, sys, urllib.request
endpoint, what, name = sys.argv[1:]
url = f"{endpoint}/api/datasets/alice/{name}/" + ("commits/main" if what == "commits" else "tree/main?recursive=true")
items = []
while url:
    with urllib.request.urlopen(url) as r:
        items += json.load(r)
        m = re.search(r'<([^>]+)>;\s*rel="next"', r.headers.get("Link") or "")
        url = m.group(1) if m else None
if what == "commits":
    print(len(items))
else:
    for f in sorted((f for f in items if f["type"] == "file"), key=lambda f: f["path"]):
        print(f["path"], f["oid"], f["size"], (f.get("lfs") or {}).get("oid", "-"))
EOF
}
dataset_hashes() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
time_to_running() { # log, start epoch: "S s (Flink F s)", S from the start to the last task switching
  # INITIALIZING -> RUNNING (its state restored), F from the job's execution graph being created to that
  python3 - "$1" "$2" << 'EOF'
import datetime, re, sys
created = last = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) .*(Created execution graph|switched from INITIALIZING to RUNNING)", line)
    if m:
        t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
        if m.group(2).startswith("Created"):
            created = created or t
        else:
            last = t
if last is None or created is None:
    print("n/a")
else:
    print(f"{last - float(sys.argv[2]):.1f} s (Flink {last - created:.1f} s)")
EOF
}

# the uninterrupted run, watching how many checkpoints it makes and when the first batch file appears
echo "input: $input ($(th "$input_bytes") bytes, $copies copies); hub: $HF_ENDPOINT; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
clean_log=$runs/clean.log
t0=$(now)
start_run clean "$clean_log"
max_ckpt=0; ckpt_at_batch=
while kill -0 "$run_pid" 2> /dev/null; do
  c=$(latest_checkpoint "$runs/clean"); (( c > max_ckpt )) && max_ckpt=$c
  [ -z "$ckpt_at_batch" ] && has_batch_file "$runs/clean" && ckpt_at_batch=$max_ckpt
  sleep 0.2
done
wait "$run_pid" || { echo "FAILED: clean run" >&2; tail -30 "$clean_log" >&2; exit 1; }
t1=$(now); run_pid=
clean_secs=$(secs "$t0" "$t1")
clean_running=$(time_to_running "$clean_log" "$t0")
clean_hashes=$(dataset_hashes "$runs/clean")
clean_files=$(hub_api files clean)
clean_commits=$(hub_api commits clean)
echo "clean run: $clean_secs s wall (job running after $clean_running), $(echo "$clean_hashes" | wc -l) files," \
  "$clean_commits commits; checkpoints seen: up to $max_ckpt, the first batch_* file at checkpoint ${ckpt_at_batch:-?}"
echo

rows=(); status=0
trial() { # name, kind (checkpoint|batch|commits), threshold
  local name=$1 kind=$2 n=${3:-} log=$runs/$1.killed.log rlog=$runs/$1.resume.log out=$runs/$1
  local label reached=0 rc=0 at
  case $kind in
    checkpoint) label="checkpoint $n complete (processing)" ;;
    batch) label="first batch_* file written (assembly)" ;;
    commits) label="$n commits in the repo (publishing)" ;;
  esac
  start_run "$name" "$log"
  while kill -0 "$run_pid" 2> /dev/null; do
    case $kind in
      checkpoint) (( $(latest_checkpoint "$out") >= n )) && reached=1 ;;
      batch) has_batch_file "$out" && reached=1 ;;
      commits) (( $(commits_fast "$name") >= n )) && reached=1 ;;
    esac
    if (( reached )); then kill -9 "$run_pid" 2> /dev/null || true; break; fi
    sleep 0.05
  done
  { wait "$run_pid"; } 2> /dev/null || rc=$?   # no "Killed" line from bash
  run_pid=
  if (( rc == 0 )); then # it finished before the kill point: no resume, still compared
    echo "NOT REACHED: $label (the run finished first)" >&2
    reached=0; (( status == 0 )) && status=2
  elif (( ! reached )); then
    echo "FAILED: $name ended with exit code $rc before its kill point" >&2; tail -20 "$log" >&2
    rows+=("| $label | run FAILED (exit $rc) | | | | | | | |"); status=1; return
  fi
  if (( reached )); then
    at="chk $(latest_checkpoint "$out"), $(batch_files "$out") batch files, $(commits_fast "$name") commits at the kill"
  else
    at="the run finished first"
  fi
  local from="not reached" reread="" restore="" rsecs=""
  if (( reached )); then
    local r0 r1 rrc=0
    r0=$(now)
    start_run "$name" "$rlog" --resume
    wait "$run_pid" || rrc=$?
    r1=$(now); run_pid=
    if (( rrc != 0 )); then
      echo "FAILED: $name --resume (exit $rrc)" >&2; tail -30 "$rlog" >&2
      rows+=("| $label ($at) | resume FAILED (exit $rrc) | | | | | | | |"); status=1; return
    fi
    from=$(grep -oE 'resumed from checkpoint [0-9]+' "$rlog" | grep -oE '[0-9]+$' || echo "none (started over)")
    local bytes
    bytes=$(grep -E '^read ' "$rlog" | awk '{print $NF}' | tr -d ',' || true)
    bytes=${bytes:-0}
    reread="$(th "$bytes") B ($(python3 -c "print(f'{100 * $bytes / $input_bytes:.1f}')")%)"
    restore=$(time_to_running "$rlog" "$r0")
    rsecs="$(secs "$r0" "$r1") s"
    [ -e "$out.checkpoints" ] && echo "NOTE: $out.checkpoints still exists after the resumed run" >&2
  fi
  local same_data same_files commits
  if [ "$(dataset_hashes "$out")" = "$clean_hashes" ]; then same_data=yes; else
    same_data="**NO**"; status=1
    diff <(echo "$clean_hashes") <(dataset_hashes "$out") > "$runs/$name.dataset.diff" || true
  fi
  if [ "$(hub_api files "$name")" = "$clean_files" ]; then same_files=yes; else
    same_files="**NO**"; status=1
    diff <(echo "$clean_files") <(hub_api files "$name") > "$runs/$name.hub.diff" || true
  fi
  commits=$(hub_api commits "$name")
  [ "$commits" = "$clean_commits" ] || { commits="**$commits**"; status=1; }
  rows+=("| $label ($at) | $from | $reread | $restore | $rsecs | $clean_secs s (running after $clean_running) | $same_data | $same_files | $clean_commits/$commits |")
  echo "done: $name" >&2
}

for n in $checkpoints; do trial "chk$n" checkpoint "$n"; done
trial assembly batch
trial publishing commits "$min_commits"

echo "| kill point (state at the kill) | resumed from | input re-read | time to restore | resume time | clean run time | dataset identical | Hub files identical | commits clean/resumed |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | :---: | :---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "input $(th "$input_bytes") bytes. Time to restore: from starting the resume command to the last Flink task" \
  "switching INITIALIZING -> RUNNING (Flink: from the job's execution graph being created to that); the clean run's" \
  "time to RUNNING the same way. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"
exit $status
