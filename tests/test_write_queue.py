"""Writers of a SQLite store take turns on a lock file beside it (models.db.writing): a second writer waits for the
first's turn and goes in once it lets go, Python's collector waits while a writer holds its turn, and a server's
process settles once. (How quickly the turn is handed on is a benchmark's business: benchmarks/bench_changes.py.)"""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from models.db import make_engine, writing
from pipelines.core.config import ROOT


def test_the_collector_waits_while_a_write_holds_its_turn(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert gc.isenabled()
    with writing(engine) as conn, conn.begin():
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        assert not gc.isenabled()
    assert gc.isenabled()
    engine.dispose()


def test_a_second_writer_waits_for_the_first_and_goes_in_when_it_lets_go(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with writing(engine) as conn, conn.begin():
        conn.execute(text("CREATE TABLE t (n INTEGER, at REAL)"))
    holding, let_go, wrote = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with writing(engine) as conn, conn.begin():
            conn.execute(text("INSERT INTO t VALUES (1, :at)"), {"at": time.monotonic()})
            holding.set()
            let_go.wait(10)

    def second() -> None:
        holding.wait(10)
        with writing(engine) as conn, conn.begin():
            conn.execute(text("INSERT INTO t VALUES (2, :at)"), {"at": time.monotonic()})
        wrote.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert holding.wait(10)
    assert not wrote.wait(0.3)  # behind the first writer's turn
    assert (tmp_path / "store.sqlite3-writer.lock").exists()
    released = time.monotonic()
    let_go.set()
    assert wrote.wait(10)
    for thread in threads:
        thread.join(10)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT n, at FROM t ORDER BY n")).all()
    assert [n for n, _ in rows] == [1, 2]
    assert rows[1][1] >= released  # written only once the first had let go
    assert gc.isenabled()
    engine.dispose()


SETTLING = """
import gc
from models.db import settle
before = gc.get_freeze_count()
settle()
frozen = gc.get_freeze_count()
later = [[n] for n in range(1000)]  # made after the process settled: still the collector's
settle()
print(before, frozen, gc.get_freeze_count(), gc.isenabled(), gc.is_tracked(later[0]))
"""


def test_a_process_settles_once_and_keeps_collecting_what_it_makes_after() -> None:
    """models.db.settle freezes what the process holds (its libraries) out of the collector's passes, once: a second
    call freezes nothing more, and what is made afterwards is collected as usual (run in a process of its own, as the
    server's is)."""
    found = subprocess.run([sys.executable, "-c", SETTLING], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    before, frozen, again, enabled, tracked = found.stdout.split()
    assert int(before) == 0 and int(frozen) > 10_000  # sqlalchemy and the rest, not a handful
    assert int(again) == int(frozen) and enabled == "True" and tracked == "True"
