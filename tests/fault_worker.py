"""A separate process that ingests one file into a store, for the fault tests (tests/test_faults.py).

    python tests/fault_worker.py URL FILE [--department D] [--wait-go] [--hold] [--linger S] [--today YYYY-MM-DD]

It calls the same `ingest_bytes` as `python -m pipelines ingest` (with the file-size limit raised for large files) and
prints one marker line per step, flushed at once, so that the parent knows where the ingest is when it kills it:

    LOADED              imports done, store opened, file read (with --wait-go: waiting for a line on stdin)
    READY               ingest_bytes is called next
    BEGIN               the write transaction has begun (BEGIN IMMEDIATE / the advisory lock is being taken)
    SAVED <id>          every row of the file is inserted, the transaction is not committed yet
    RESULT <json>       ingest_bytes returned (committed, or nothing to commit)
    ERROR <text>        ingest_bytes raised

With --wait-go the worker waits for a line on stdin before ingesting, so that the parent releases several workers at
the same moment. With --hold it stops at SAVED (inside the open write transaction) until a line arrives on stdin, so
that a kill or a reader surely lands while every row is written but not committed. With --linger S it stays S seconds
inside the transaction after SAVED, so that writers released together surely queue behind one another.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from models.db import make_engine  # noqa: E402
from pipelines.core.config import Limits  # noqa: E402
from pipelines.intake.ingest import IngestRequest, ingest_bytes  # noqa: E402
from pipelines.store.plans import plan_from_store  # noqa: E402


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("file", type=Path)
    parser.add_argument("--department")
    parser.add_argument("--wait-go", action="store_true")
    parser.add_argument("--hold", action="store_true")
    parser.add_argument("--linger", type=float, default=0.0)
    parser.add_argument("--today", default="2026-01-20")
    args = parser.parse_args()

    engine = make_engine(args.url)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("write"):
            say("BEGIN")

    def after_save(_conn, submission_id: int, _rows) -> None:  # type: ignore[no-untyped-def]
        say(f"SAVED {submission_id}")
        if args.hold:
            sys.stdin.readline()  # the parent kills us here, or lets us commit by sending a line
        time.sleep(args.linger)

    with engine.connect() as conn:
        plan = plan_from_store(conn)
    data = args.file.read_bytes()
    say("LOADED")
    if args.wait_go:
        sys.stdin.readline()
    say("READY")
    try:
        result = ingest_bytes(engine, plan, IngestRequest(args.file.name, data, department=args.department,
                              today=dt.date.fromisoformat(args.today),
                              limits=Limits(max_file_bytes=len(data) + 1), after_save=after_save))
    except Exception as error:
        say("ERROR " + json.dumps(f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
        return 3
    say("RESULT " + json.dumps(result.as_dict("en"), ensure_ascii=False))
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
