"""Builds the parity fixture repos on the local Hub server (HF_ENDPOINT, HF_TOKEN) with `datasets`
and huggingface_hub, then records what `datasets` makes of each: config names, default config,
split names, features (to_dict), split sizes from the info, and every row of every split.

Usage: python datasets_parity.py OUT.json WORKDIR
Row values are JSON in a tagged form the Java side (DatasetsParityTest) reads back:
  float -> {"$float": repr}   bytes -> {"$bytes": base64}   datetime -> {"$datetime": iso, "unit": u}
  date -> {"$date": iso}   everything else as JSON (ints, bools, strings, lists, dicts, null).
"""
import base64, datetime as dt, decimal, gzip, io, json, os, sys, traceback

import pyarrow as pa
import pyarrow.parquet as pq
import datasets
from datasets import (Array2D, ClassLabel, Dataset, Features, Image, List, Value,
                      get_dataset_config_names, get_dataset_default_config_name,
                      get_dataset_split_names, load_dataset, load_dataset_builder)
from huggingface_hub import HfApi

OUT, WORK = sys.argv[1], sys.argv[2]
api = HfApi()
datasets.disable_progress_bars()


def folder(name, files):
    """Writes {relative path: bytes | str | callable(path)} under WORK/name and returns the dir."""
    root = os.path.join(WORK, name)
    for rel, content in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if callable(content):
            content(p)
        else:
            with open(p, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
    return root


def upload(repo, files):
    api.create_repo(repo, repo_type="dataset")
    api.upload_folder(folder_path=folder(repo.split("/")[1], files), repo_id=repo,
                      repo_type="dataset")


# --------------------------------------------------------------------------- the fixtures

def pushed():
    """push_to_hub with config_name / split / data_dir / set_default: the card push_to_hub writes.

    'second' (in data_dir second_dir) is pushed first and made the default. (datasets 5.0.1 fails
    to move the default from a config not marked `default: true`, even the only one: KeyError
    'default' in _get_updated_dataset_card; and a push to an existing config drops its mark.)"""
    repo = "alice/pushed"
    Dataset.from_dict({"word": ["alpha", "beta", "gamma", "delta"], "n": [1, 2, 3, 4]}).push_to_hub(
        repo, config_name="second", data_dir="second_dir", split="train", set_default=True)
    first = Features({"id": Value("int64"), "text": Value("string"), "score": Value("float32")})
    Dataset.from_dict({"id": [1, 2, 3], "text": ["a", "bb", None], "score": [0.5, 1.25, -3.0]},
                      features=first).push_to_hub(repo, config_name="first", split="train")
    Dataset.from_dict({"id": [10, 11], "text": ["x", "yy"], "score": [2.5, float("nan")]},
                      features=first).push_to_hub(repo, config_name="first", split="test")
    return repo


def typed_table(lo, hi):
    """Scalars of every Value dtype with nulls and edge values, nested structs and lists, time."""
    n = hi - lo
    rows = range(lo, hi)
    base = dt.datetime(2024, 2, 29, 23, 59, 58, 123456)
    return pa.table({
        "i8": pa.array([(-128 if i % 5 == 0 else i % 100) for i in rows], pa.int8()),
        "i16": pa.array([i * 7 - 30000 for i in rows], pa.int16()),
        "i32": pa.array([None if i % 4 == 1 else i * 100003 for i in rows], pa.int32()),
        "i64": pa.array([(2 ** 62 + i) * (-1) ** i for i in rows], pa.int64()),
        "u8": pa.array([255 - i % 256 for i in rows], pa.uint8()),
        "u16": pa.array([65535 - i for i in rows], pa.uint16()),
        "u32": pa.array([4294967295 - i for i in rows], pa.uint32()),
        "f32": pa.array([None if i % 6 == 2 else i / 3 for i in rows], pa.float32()),
        "f64": pa.array([float("inf") if i == 3 else float("-inf") if i == 4
                         else float("nan") if i == 5 else -0.0 if i == 6 else i * 1.1e-300
                         for i in rows], pa.float64()),
        "flag": pa.array([None if i % 7 == 0 else i % 2 == 0 for i in rows], pa.bool_()),
        "text": pa.array([None if i % 9 == 0 else "é€😀 %d\n\t\"'" % i for i in rows]),
        "blob": pa.array([bytes([i % 256, 0, 255]) * (i % 3) for i in rows], pa.binary()),
        "ts_us": pa.array([base + dt.timedelta(days=i, microseconds=i) for i in rows],
                          pa.timestamp("us")),
        "ts_ms": pa.array([None if i % 8 == 3 else base + dt.timedelta(hours=i) for i in rows],
                          pa.timestamp("ms")),
        "ints": pa.array([None if i % 10 == 7 else list(range(i % 4)) for i in rows],
                         pa.list_(pa.int32())),
        "words": pa.array([["w%d" % i, None] if i % 2 else [] for i in rows],
                          pa.list_(pa.string())),
        "point": pa.array([None if i % 11 == 5 else {"x": float(i), "y": None if i % 2 else -i,
                                                     "tag": "p%d" % i} for i in rows],
                          pa.struct([("x", pa.float64()), ("y", pa.int64()), ("tag", pa.string())])),
        "spans": pa.array([[{"start": j, "end": j + i, "label": "L%d" % j} for j in range(i % 3)]
                           for i in rows],
                          pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()),
                                              ("label", pa.string())]))),
        "matrix": pa.array([[[float(i), 0.5], [], None] if i % 3 else None for i in rows],
                           pa.list_(pa.list_(pa.float64()))),
    })


def shards():
    """Only data/train-*.parquet: two shards written by pyarrow, several row groups each."""
    repo = "alice/shards"
    upload(repo, {
        "data/train-00000-of-00002.parquet":
            lambda p: pq.write_table(typed_table(0, 40), p, row_group_size=12),
        "data/train-00001-of-00002.parquet":
            lambda p: pq.write_table(typed_table(40, 65), p, row_group_size=10),
    })
    return repo


EXOTIC = {
    # one config per Arrow type beyond the plain ones, each in its own file (config_name: array)
    "uint64_big": lambda: pa.array([0, 2 ** 63, 2 ** 64 - 1, None], pa.uint64()),
    "float16": lambda: pa.array([0.5, -2.0, None, 65504.0], pa.float16()),
    "large_string": lambda: pa.array(["a", None, "", "long " * 3], pa.large_string()),
    "large_list": lambda: pa.array([[1, 2], [], None, [3]], pa.large_list(pa.int16())),
    "fixed_size_list": lambda: pa.array([[1.5, 2.5, 3.5], [0.0, -1.0, 2.0], [1, 1, 1]],
                                        pa.list_(pa.float32(), 3)),
    "timestamp_ns": lambda: pa.array([1709251198123456789, None, -1, 0], pa.timestamp("ns")),
    "timestamp_s": lambda: pa.array([1709251198, None, -86400, 0], pa.timestamp("s")),
    "timestamp_tz": lambda: pa.array([1709251198123456, None, 0, 1], pa.timestamp("us", tz="UTC")),
    "date32": lambda: pa.array([0, 19782, None, -1], pa.date32()),
    "dictionary": lambda: pa.array(["x", "y", "x", None]).dictionary_encode(),
    "decimal": lambda: pa.array([None, 1, 2, 3], pa.int8()).cast(pa.decimal128(10, 2)),
    "nulls": lambda: pa.nulls(4),
    "nested_lists": lambda: pa.array([[[{"a": 1}], []], [], None, [[{"a": None}, None]]],
                                     pa.list_(pa.list_(pa.struct([("a", pa.int64())])))),
}


def exotic():
    """Arrow types written by pyarrow: one card config per type, one Parquet file each."""
    repo = "alice/exotic"
    card = "---\nconfigs:\n" + "".join(
        "- config_name: %s\n  data_files:\n  - split: train\n    path: %s.parquet\n" % (c, c)
        for c in EXOTIC) + "---\n"
    files = {"README.md": card}
    for c, make in EXOTIC.items():
        files[c + ".parquet"] = (lambda m: lambda p: pq.write_table(pa.table({"v": m()}), p))(make)
    upload(repo, files)
    return repo


def card_configs():
    """A card with two configs, each split a glob or a list of paths."""
    repo = "alice/cardconfigs"
    def t(lo, hi, lang):
        return lambda p: pq.write_table(
            pa.table({"id": list(range(lo, hi)), "lang": [lang] * (hi - lo)}), p)
    upload(repo, {
        "README.md": "---\nconfigs:\n"
                     "- config_name: en\n  data_files:\n"
                     "  - split: train\n    path: [\"en/train-*.parquet\", \"extra/en-*.parquet\"]\n"
                     "  - split: test\n    path: en/test.parquet\n"
                     "- config_name: fr\n  default: true\n  data_files:\n"
                     "  - split: train\n    path:\n    - fr/b.parquet\n    - fr/a.parquet\n"
                     "---\n# two configs\n",
        "en/train-0.parquet": t(0, 5, "en"),
        "en/train-1.parquet": t(5, 9, "en"),
        "extra/en-0.parquet": t(100, 102, "en"),
        "en/test.parquet": t(50, 53, "en"),
        "fr/a.parquet": t(0, 2, "fr"),
        "fr/b.parquet": t(2, 6, "fr"),
    })
    return repo


def labels():
    """push_to_hub with a ClassLabel, an Array2D, a fixed-length list and a zoned timestamp."""
    repo = "alice/labels"
    features = Features({
        "label": ClassLabel(names=["neg", "neutral", "pos"]),
        "grid": Array2D(shape=(2, 3), dtype="int16"),
        "vec": List(Value("float32"), length=3),
        "tags": List(ClassLabel(names=["a", "b"])),
        "when": Value("timestamp[us, tz=UTC]"),
    })
    Dataset.from_dict({
        "label": [0, 2, 1, 2],
        "grid": [[[i, i + 1, i + 2], [-i, 0, 7]] for i in range(4)],
        "vec": [[0.1 * i, 1.0, -2.5] for i in range(4)],
        "tags": [[0, 1], [], [1], [1, 1, 0]],
        "when": [dt.datetime(2020, 1, 1, 12, 0, 0, 1000 * i, tzinfo=dt.timezone.utc)
                 if i != 2 else None for i in range(4)],
    }, features=features).push_to_hub(repo)
    return repo


def csvs():
    repo = "alice/csv"
    upload(repo, {"train.csv": "id,name,score,ok\n1,ann,0.5,true\n2,\"b, c\",,false\n3,dee,1e3,\n",
                  "test.csv": "id,name,score,ok\n9,zed,-1.5,true\n"})
    return repo


def jsonl_gz():
    repo = "alice/jsonlgz"
    lines = "".join(json.dumps(r) + "\n" for r in [
        {"q": "why?", "n": 1, "tags": ["a"], "meta": {"k": 1.5}},
        {"q": "how?", "n": None, "tags": [], "meta": {"k": None}},
        {"q": "what?", "n": 3, "tags": ["b", "c"], "meta": {"k": 2.0}}])
    upload(repo, {"validation.jsonl.gz": gzip.compress(lines.encode())})
    return repo


def json_field():
    repo = "alice/jsonfield"
    doc = {"version": 2, "data": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": None}]}
    upload(repo, {
        "README.md": "---\nconfigs:\n- config_name: default\n  data_files:\n"
                     "  - split: train\n    path: data.json\n  field: data\n---\n",
        "data.json": json.dumps(doc)})
    return repo


def images():
    """push_to_hub of a few small PNGs made with PIL: an Image feature."""
    from PIL import Image as PILImage
    repo = "alice/images"
    pngs = []
    for i, (w, h) in enumerate([(2, 3), (4, 1), (1, 1)]):
        buf = io.BytesIO()
        PILImage.new("RGB", (w, h), (i * 40, 255 - i, 7)).save(buf, format="PNG")
        pngs.append({"bytes": buf.getvalue(), "path": None})
    Dataset.from_dict({"image": pngs, "caption": ["red", "green", "blue"]},
                      features=Features({"image": Image(), "caption": Value("string")})
                      ).push_to_hub(repo)
    return repo


FIXTURES = [pushed, shards, card_configs, labels, exotic, csvs, jsonl_gz, json_field, images]

# --------------------------------------------------------------------------- recording


def value(v, unit=None):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode()}
    if hasattr(v, "isoformat") and hasattr(v, "hour") and hasattr(v, "year"):
        # datetime.datetime or pandas.Timestamp (ns): isoformat keeps every digit
        return {"$datetime": v.isoformat(), "unit": unit}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, decimal.Decimal):
        return {"$decimal": str(v)}
    if isinstance(v, dict):
        return {k: value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [value(x) for x in v]
    if hasattr(v, "tolist"):
        return value(v.tolist())
    raise TypeError("no JSON form for %r (%s)" % (v, type(v)))


def units(features):
    """Column -> timestamp unit, for top-level timestamp Values."""
    out = {}
    for k, f in features.items():
        if isinstance(f, Value) and str(f.dtype).startswith("timestamp["):
            out[k] = str(f.dtype)[len("timestamp["):].split(",")[0].rstrip("]")
    return out


def record(repo):
    out = {"configs": get_dataset_config_names(repo),
           "default": get_dataset_default_config_name(repo), "per_config": {}}
    for c in out["configs"]:
        try:
            out["per_config"][c] = record_config(repo, c)
        except Exception as e:
            traceback.print_exc()
            out["per_config"][c] = {"error": "".join(traceback.format_exception(e)[-2:])}
    return out


def record_config(repo, c):
    builder = load_dataset_builder(repo, c)
    info = builder.info
    splits = get_dataset_split_names(repo, c)
    per = {"splits": splits,
           "builder": type(builder).__module__.split(".")[-1],
           "num_bytes": ({s: info.splits[s].num_bytes for s in info.splits}
                         if info.splits else None),
           # the builder's info has features only when the card states them; the features of
           # what load_dataset returns are the ones every reader must match
           "info_features": info.features.to_dict() if info.features is not None else None,
           "features": None,
           "num_examples": ({s: info.splits[s].num_examples for s in info.splits}
                            if info.splits else None),
           "rows": {}}
    for s in splits:
        ds = load_dataset(repo, c, split=s)
        if per["features"] is None:
            per["features"] = ds.features.to_dict()
        elif per["features"] != ds.features.to_dict():
            raise ValueError("split %s of %s/%s has other features" % (s, repo, c))
        # images are compared as stored ({bytes, path}), not as decoded PIL objects
        for k, f in ds.features.items():
            if isinstance(f, Image):
                ds = ds.cast_column(k, Image(decode=False))
        u = units(ds.features)
        per["rows"][s] = [{k: value(x, u.get(k)) for k, x in row.items()} for row in ds]
    return per


result = {"datasets": datasets.__version__, "repos": {}}
for build in FIXTURES:
    name = build.__name__
    try:
        repo = build()
        result["repos"][repo] = record(repo)
    except Exception as e:
        traceback.print_exc()
        result["repos"]["alice/" + name] = {
            "error": "".join(traceback.format_exception(e)[-4:])}
# a column subset: the parquet builder's `columns` kwarg (which columns, in which order)
try:
    ds = load_dataset("alice/shards", split="train", columns=["point", "i8"])
    result["columns"] = {"repo": "alice/shards", "split": "train", "asked": ["point", "i8"],
                         "names": list(ds.features),
                         "rows": [{k: value(x) for k, x in row.items()} for row in ds]}
except Exception as e:
    traceback.print_exc()
    result["columns"] = {"error": "".join(traceback.format_exception(e)[-2:])}
with open(OUT, "w") as f:
    json.dump(result, f, indent=1, allow_nan=False)
print("WROTE", OUT)
