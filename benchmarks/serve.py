"""Serve the dashboard with `streamlit run server.py` on a free loopback port, over a given store, for as long as a
`with` block lasts: shared by the real-browser tests (tests/test_browser.py, tests/test_browser_submit.py) and the
browser benchmark (benchmarks/bench_browser.py).

    with serve("sqlite:///…/kpi.sqlite3", log_path) as base:  # "http://127.0.0.1:PORT/" once /_stcore/health is ok
        ...

The server is a child process, stopped by its PID when the block ends (terminate, then kill after a grace period);
its output goes to `log_path`. A server that exits or is not healthy in time raises ServerError with the log's tail.
No file watcher: an edit elsewhere in the tree must not turn the status widget into "Rerun?" in the middle of a run.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_S = 90.0  # a cold start on 2 shared cores, imports included
STOP_S = 15.0
LOG_TAIL = 4000


class ServerError(RuntimeError):
    """The server exited, or was not healthy in time; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(base: str) -> bool:
    """True when the server at `base` answers its health check with ok."""
    try:
        with urllib.request.urlopen(base + "_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _tail(log_path: Path) -> str:
    try:
        return log_path.read_text(errors="replace")[-LOG_TAIL:]
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # by its PID
    try:
        process.wait(timeout=STOP_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_S)


@contextmanager
def serve(db_url: str, log_path: Path, *, start_s: float = START_S, app: str = "server.py") -> Iterator[str]:
    """The app served over the store at `db_url` (KPI_DB_URL); yields its base URL, "http://127.0.0.1:PORT/".
    `app` is the script to serve, relative to the repository (the browser benchmark also serves its floor page)."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "KPI_DB_URL": db_url}, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + start_s
        while not healthy(base):
            if process.poll() is not None:
                raise ServerError(f"streamlit exited with {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                raise ServerError(f"streamlit not healthy after {start_s:.0f} s:\n{_tail(log_path)}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(process)
