"""The seed's approach (issue 14): one request at a time with the official `openai` client (sync OpenAI), one
paraphrase_correct request per pair. usage: sft_seed.py CSV PROMPT_FILE N BASE_URL [MODEL]
Prints one JSON line: pairs, failed, requests_429, seconds (first request to last answer), pairs_per_s.
The key comes from OPENAI_API_KEY, as in the seed. max_retries 5: the same 6 attempts as hf-beam's client.
"""
import json
import os
import sys
import time

import openai

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sft_common import load_task, pairs, request, valid  # noqa: E402


def main():
    csv_path, prompt_file, n, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    model = sys.argv[5] if len(sys.argv) > 5 else "gpt-4o-mini"
    task = load_task(prompt_file)
    rows = pairs(csv_path, n)
    count = {"429": 0}

    def hook(response):
        if response.status_code == 429:
            count["429"] += 1

    client = openai.OpenAI(base_url=base, max_retries=5,
                           http_client=openai.DefaultHttpxClient(event_hooks={"response": [hook]}))
    done = failed = 0
    t0 = time.perf_counter()
    for row in rows:
        try:
            answer = client.chat.completions.create(**request(task, row, model))
            if valid(task, answer.choices[0].message.content, row):
                done += 1
            else:
                failed += 1
        except openai.OpenAIError as e:
            failed += 1
            print(f"pair {row['Text ID']}: {e}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    print(json.dumps({"tool": "seed", "concurrency": 1, "pairs": done, "failed": failed,
                      "requests_429": count["429"], "seconds": round(seconds, 3),
                      "pairs_per_s": round(done / seconds, 3)}))


if __name__ == "__main__":
    main()
