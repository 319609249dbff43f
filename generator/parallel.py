"""Split a batch across the machine's cores: forked workers beside this process, results in order.

Fork, not spawn: a worker inherits everything the parent has loaded (the compiled schema,
the portfolio, MkDocs' configuration) instead of rebuilding it, and only each slice's
results are pickled back. Fork is used only where it is the platform's normal way (Linux and
other Unix systems; not Windows, which has none, nor macOS, where system libraries are not
fork-safe), and only while this process runs no other thread: a thread holding a lock at the
moment of the fork would leave the child waiting for it forever. Elsewhere, everything runs
in the calling process. Callers decide whether a batch is large enough to pay for workers.

A worker that dies (killed for memory, say) makes ``Batch.results`` raise ``WorkerLost``
rather than wait forever; ``fork_map`` then does that part itself.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

__all__ = ["MAX_WORKERS", "Batch", "WorkerLost", "can_fork", "collector_paused", "fork_map", "usable_cores"]

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8
SLICES_PER_WORKER = 4  # a few slices each even out slices that happen to be slow

WorkerLost = BrokenProcessPool

# Jobs the workers inherit when they are forked, by number (a worker is told which to run).
_JOBS: dict[int, tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]]] = {}
_job_numbers = itertools.count()


def can_fork() -> bool:
    """Whether forked workers are safe here and now (see the module's docstring)."""
    return (
        sys.platform != "darwin"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS has one), at most 8;
    1 where processes cannot be forked."""
    if not can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


class Batch(Generic[T, R]):
    """``fn`` over ``items`` in ``workers`` forked processes, running while the caller goes on.

    ``fn`` takes a contiguous slice and returns one result per item. Neither ``fn`` nor the
    items are pickled (the workers inherit them), so ``fn`` may be a closure and the items
    large objects; the results are pickled, so keep them small. ``results()`` waits for them,
    in item order, and raises what ``fn`` raised, or ``WorkerLost`` if a worker died;
    ``cancel()`` drops what has not started. Check ``can_fork()`` first.
    """

    def __init__(self, fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int) -> None:
        self._number = next(_job_numbers)
        size = max(1, -(-len(items) // (workers * SLICES_PER_WORKER)))
        bounds = [(self._number, start, min(start + size, len(items))) for start in range(0, len(items), size)]
        _JOBS[self._number] = (fn, items)
        self._executor: ProcessPoolExecutor | None = None
        try:
            # Python forks every worker on the first submit, before its manager thread starts.
            self._executor = ProcessPoolExecutor(max(1, min(workers, len(bounds))), multiprocessing.get_context("fork"),
                                                 initializer=gc.freeze)
            self._futures: list[Future[list[R]]] = [self._executor.submit(_run_slice, job) for job in bounds]
        except BaseException:
            self.cancel()
            raise

    def results(self) -> list[R]:
        if self._executor is None:
            raise RuntimeError("this batch was already collected or cancelled")
        try:
            return [result for future in self._futures for result in future.result()]
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the workers: slices not started are dropped; a running slice is waited for, so
        that no worker or executor thread outlives the batch."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        _JOBS.pop(self._number, None)


def fork_map(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int) -> list[R]:
    """``fn`` over ``items`` split between this process and ``workers - 1`` forked ones; the
    results in item order (see ``Batch``). With one worker, or where forking is not safe, all
    runs here; so does the workers' part if a worker dies."""
    workers = max(1, min(workers, len(items)))
    if workers == 1 or not can_fork():
        return fn(items)
    mine = len(items) // workers
    batch = Batch(fn, items[mine:], workers - 1)
    try:
        first = fn(items[:mine])
    except BaseException:
        batch.cancel()
        raise
    try:
        rest = batch.results()
    except WorkerLost:
        rest = fn(items[mine:])
    return first + rest


def _run_slice(job: tuple[int, int, int]) -> list[Any]:
    number, start, end = job
    fn, items = _JOBS[number]
    results = fn(items[start:end])
    if len(results) != end - start:
        raise RuntimeError(f"{len(results)} results for {end - start} items")
    return results


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch of specs or pages is processed.

    Loading keeps every spec's data alive, and that data is acyclic (dicts, lists, strings), so
    the collector finds nothing, yet it rescans the growing heap again and again: checking 1,000
    specs took 2.5 s with it and 1 s without. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
