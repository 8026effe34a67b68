"""Shared by bench/sft_gen.py, bench/sft_seed.py and bench/sft_async.py (bench/sft.sh, issue 14).

The requests are the ones hf-beam sends for the paraphrase_correct task of the prompt file: the task's system
prompt, its user template with every {{Field}} (or {{Field|default}}) replaced by the CSV column's value, its
temperature, max_tokens and seed, and the answer schema as strict structured output (OpenAiClient.chatBody).
"""
import csv
import json
import re
import sys

csv.field_size_limit(sys.maxsize)

HEADER = ["Text ID", "Text", "Sentences", "Error Flag", "Error Type", "Error Sentence ID", "Error Sentence",
          "Corrected Sentence", "Corrected Text"]
_FIELD = re.compile(r"\{\{([^{}|]+?)(?:\|([^{}]*))?\}\}")


def load_task(prompt_file, name="paraphrase_correct"):
    return json.load(open(prompt_file, encoding="utf-8"))["tasks"][name]


def render(template, row):
    def sub(m):
        value = row.get(m.group(1).strip())
        if (value is None or value == "") and m.group(2) is not None:
            return m.group(2)
        return "" if value is None else value
    return _FIELD.sub(sub, template)


def pairs(csv_path, limit=None):
    """The flagged rows with a corrected text (config/sft-pairing-medec.yaml's skip rules)."""
    out = []
    with open(csv_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Error Flag"] != "1" or row["Corrected Text"].strip() in ("", "NA"):
                continue
            out.append(row)
            if limit is not None and len(out) >= limit:
                break
    return out


def request(task, row, model):
    schema = task["schema"]
    return dict(
        model=model,
        messages=[{"role": "system", "content": task["system"]},
                  {"role": "user", "content": render(task["user"], row)}],
        temperature=task.get("temperature"),
        max_tokens=task.get("max_tokens"),
        seed=task.get("seed"),
        response_format={"type": "json_schema",
                         "json_schema": {"name": schema.get("title", "answer"), "strict": True, "schema": schema}},
    )


def _norm(s):
    return re.sub(r"\s+", " ", s.lower()).strip()


def valid(task, answer, row):
    """The prompt file's checks (PromptFile.Task.validate, without the schema subset beyond required keys)."""
    try:
        parsed = json.loads(answer)
    except (TypeError, ValueError):
        return False
    if not isinstance(parsed, dict) or any(k not in parsed for k in task["schema"].get("required", [])):
        return False
    for c in task.get("checks", []):
        node = parsed
        for part in c["path"].strip("/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, str):
            return False
        kind = c["check"]
        if kind == "min_chars" and len(node) < c["value"]:
            return False
        if kind == "max_chars" and len(node) > c["value"]:
            return False
        if kind == "not_contains_field":
            needle = _norm(row.get(c["field"], ""))
            if needle and needle in _norm(node):
                return False
        if kind == "differs_from_field" and _norm(node) == _norm(row.get(c["field"], "")):
            return False
    return True
