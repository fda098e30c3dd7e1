"""Worker processes: run a pure function over many items on every core.

Work is handed to forked workers by index, so the (large) shared state is inherited,
never pickled; only results travel back. With one job, or few items, it all runs
in this process, and the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 200  # below this, starting workers costs more than it saves

_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def count(jobs: int) -> int:
    """Worker processes to use: `jobs`, or one per core when 0."""
    return jobs if jobs > 0 else len(os.sched_getaffinity(0))


def spread(items: int, jobs: int) -> int:
    """How many processes `run` uses for that many items: 1 means this one alone."""
    workers = min(count(jobs), max(1, items // (MIN_ITEMS // 2)))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    return 1 if workers <= 1 or items < MIN_ITEMS or not can_fork else workers


def run(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """[function(item) for item in items], spread over `jobs` processes, in order."""
    workers = spread(len(items), jobs)
    if workers == 1:
        return [function(item) for item in items]
    from concurrent.futures import ProcessPoolExecutor  # 10 ms to import; often unused

    global _TASK
    _TASK = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = pool.map(_run_slice, [(w, workers) for w in range(workers)])
            return _interleave(list(parts), len(items))
    finally:
        _TASK = None


def _run_slice(share: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    function, items = _TASK
    start, step = share
    return [function(items[i]) for i in range(start, len(items), step)]


def _interleave(parts: list[list[R]], total: int) -> list[R]:
    out: list[R] = []
    for i in range(total):
        out.append(parts[i % len(parts)][i // len(parts)])
    return out
