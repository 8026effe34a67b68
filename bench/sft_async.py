"""The usual fast Python (issue 14): the official `openai` client's AsyncOpenAI and an asyncio.Semaphore(c), one
paraphrase_correct request per pair, the same requests as hf-beam and bench/sft_seed.py.
usage: sft_async.py CSV PROMPT_FILE N CONCURRENCY BASE_URL [MODEL]
Prints one JSON line: pairs, failed, requests_429, seconds (first request to last answer), pairs_per_s.
The key comes from OPENAI_API_KEY. max_retries 5: the same 6 attempts as hf-beam's client.
"""
import asyncio
import json
import os
import sys
import time

import openai

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sft_common import load_task, pairs, request, valid  # noqa: E402


async def run(rows, task, c, base, model):
    count = {"429": 0}

    async def hook(response):
        if response.status_code == 429:
            count["429"] += 1

    client = openai.AsyncOpenAI(base_url=base, max_retries=5,
                                http_client=openai.DefaultAsyncHttpxClient(event_hooks={"response": [hook]}))
    sem = asyncio.Semaphore(c)
    result = {"done": 0, "failed": 0}

    async def one(row):
        async with sem:
            try:
                answer = await client.chat.completions.create(**request(task, row, model))
                ok = valid(task, answer.choices[0].message.content, row)
            except openai.OpenAIError as e:
                ok = False
                print(f"pair {row['Text ID']}: {e}", file=sys.stderr)
        result["done" if ok else "failed"] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(one(row) for row in rows))
    seconds = time.perf_counter() - t0
    await client.close()
    return result["done"], result["failed"], count["429"], seconds


def main():
    csv_path, prompt_file, n, c, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    model = sys.argv[6] if len(sys.argv) > 6 else "gpt-4o-mini"
    task = load_task(prompt_file)
    rows = pairs(csv_path, n)
    done, failed, n429, seconds = asyncio.run(run(rows, task, c, base, model))
    print(json.dumps({"tool": "async", "concurrency": c, "pairs": done, "failed": failed, "requests_429": n429,
                      "seconds": round(seconds, 3), "pairs_per_s": round(done / seconds, 3)}))


if __name__ == "__main__":
    main()
