"""Processes that start their work at the same moment: what the benchmarks of departments sending at once share."""
from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any


def from_the_start_line(target: Callable[..., None], arguments: Sequence[tuple[Any, ...]],
                        timeout: float) -> tuple[float, list[Any]]:
    """Run `target(*args, barrier, results)` in one new process per args; each prepares, waits at the barrier, then
    puts one result on the queue. Returns the moment all were let go (time.time()) and the results, as they came."""
    context = mp.get_context("spawn")
    barrier, results = context.Barrier(len(arguments) + 1), context.Queue()
    workers = [context.Process(target=target, args=(*args, barrier, results)) for args in arguments]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.time()
    finished = [results.get(timeout=timeout) for _ in workers]
    for worker in workers:
        worker.join()
    return start, finished
