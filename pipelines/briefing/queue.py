"""One briefing pack at a time per server process: making one starts Chromium and takes tens of seconds on the two
shared cores, so a second reader who clicks meanwhile is told to try again rather than starting a second browser.

The slot lives here, in an imported module, because a Streamlit page script is executed afresh on every run: a lock
made in the page would be a new lock each time and would bound nothing. It is held with a timeout, never waited for
without end, and is released however the making ends (an error, a rerun or a stop of the session's script).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

WAIT_S = 2.0  # how long a click waits for the slot: a double click or a pack just finishing, not a whole pack
_SLOT = threading.Lock()


@contextmanager
def pack_slot(timeout: float | None = None) -> Iterator[bool]:
    """Hold the process's one slot for making a pack while the block runs: True when it was had within `timeout`
    seconds (WAIT_S by default), False when another pack is still being made (then do not make one)."""
    held = _SLOT.acquire(timeout=WAIT_S if timeout is None else timeout)
    try:
        yield held
    finally:
        if held:
            _SLOT.release()


def pack_in_progress() -> bool:
    """Whether a pack is being made in this process right now (a hint for the page; pack_slot decides)."""
    return _SLOT.locked()


__all__ = ["WAIT_S", "pack_in_progress", "pack_slot"]
