#!/usr/bin/env python3
"""Summarise a py-spy profile of `zabota serve` (raw/collapsed format) into where the CPU went.

    py-spy record --gil -r 50 -d 30 -p <pid of zabota serve> --format raw -o ingest.raw
    .venv/bin/python bench/pyspy_summary.py ingest.raw

With --gil only the thread holding the GIL is sampled, so the shares are shares of the Python CPU
time of the process. Two views: by layer (the package of the innermost frame: where the time
was actually spent) and by the innermost zabota function on the stack (which step of the request
caused it; time in libraries is charged to the zabota code that called them).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

LAYERS = (
    ("psycopg (driver)", ("psycopg/", "psycopg_binary")),
    ("SQLAlchemy (ORM + Core)", ("sqlalchemy/", "<sqlalchemy generated")),
    ("FastAPI / Starlette / pydantic", ("fastapi/", "starlette/", "pydantic/", "pydantic_core")),
    ("uvicorn / asyncio / httptools", ("uvicorn/", "asyncio/", "httptools", "uvloop")),
    ("thread-pool handoff (anyio, threading, queue)", ("anyio/", "threading.py", "queue.py", "concurrent/")),
    ("zabota", ("zabota/",)),
)
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:]*):(?P<line>\d+)\)$")


def layer_of(frame: str) -> str:
    for name, markers in LAYERS:
        if any(m in frame for m in markers):
            return name
    return "other (stdlib, prometheus_client, …)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="py-spy --format raw output")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()

    layers: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    total = 0
    for line in args.raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        layers[layer_of(frames[-1])] += n
        zabota_frames = [f for f in frames if "zabota/" in f and "cli/main.py" not in f]
        if zabota_frames:
            m = FRAME.match(zabota_frames[-1])
            steps[m.group("func") if m else zabota_frames[-1]] += n
        else:
            steps["(outside zabota code: server, routing, thread pool)"] += n
    if not total:
        print("no samples")
        return 1
    print(f"{total} samples")
    print("\nby layer (innermost frame):")
    for name, n in layers.most_common():
        print(f"  {n / total:6.1%}  {name}")
    print("\nby innermost zabota function on the stack:")
    for name, n in steps.most_common(args.top):
        print(f"  {n / total:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
