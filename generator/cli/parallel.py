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

import contextlib
import ctypes
import gc
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

__all__ = ["MAX_WORKERS", "Batch", "WorkerLost", "can_fork", "fork_map", "usable_cores"]

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
    large objects. ``results()`` waits for the results, in item order, and raises what ``fn``
    raised, or ``WorkerLost`` if a worker died; ``cancel()`` drops what has not started.
    Creating a batch raises ``OSError`` if the system cannot fork (no worker is left behind).
    Check ``can_fork()`` first.

    A worker writes a slice's results to a temporary file and sends back only its name: a
    worker killed in the middle of sending megabytes through the executor's shared pipe would
    leave the parent waiting for the rest forever, while a short name is sent in one piece.
    """

    def __init__(self, fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int) -> None:
        self._number = next(_job_numbers)
        size = max(1, -(-len(items) // (workers * SLICES_PER_WORKER)))
        bounds = [(self._number, start, min(start + size, len(items))) for start in range(0, len(items), size)]
        _JOBS[self._number] = (fn, items)
        self._executor: ProcessPoolExecutor | None = None
        self._futures: list[Future[str]] = []
        self._lost: WorkerLost | None = None
        try:
            # Python forks every worker on the first submit, before its manager thread starts.
            self._executor = ProcessPoolExecutor(max(1, min(workers, len(bounds))), multiprocessing.get_context("fork"),
                                                 initializer=_worker_start, initargs=(os.getpid(),))
            for job in bounds:
                self._futures.append(self._executor.submit(_run_slice, job))
        except WorkerLost as exc:  # a worker died before every slice was handed out
            self._lost = exc
        except BaseException:
            # A fork that failed part-way leaves workers no manager thread will ever stop.
            processes = getattr(self._executor, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
                process.join()
            self.cancel()
            raise

    def results(self) -> list[R]:
        if self._executor is None:
            raise RuntimeError("this batch was already collected or cancelled")
        try:
            if self._lost is not None:
                raise self._lost
            results: list[R] = []
            while self._futures:  # a loaded file is gone: cancel() cleans up only the rest
                results.extend(_load(self._futures[0].result()))
                del self._futures[0]
            return results
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the workers: slices not started are dropped; a running slice is waited for, so
        that no worker or executor thread outlives the batch."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            for future in self._futures:  # results never collected: remove their files
                if future.done() and not future.cancelled() and future.exception() is None:
                    with contextlib.suppress(OSError):
                        os.unlink(future.result())
        _JOBS.pop(self._number, None)


def fork_map(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int) -> list[R]:
    """``fn`` over ``items`` split between this process and ``workers - 1`` forked ones; the
    results in item order (see ``Batch``). With one worker, where forking is not safe, or if
    the system cannot fork, all runs here; so does the workers' part if a worker dies."""
    workers = max(1, min(workers, len(items)))
    if workers == 1 or not can_fork():
        return fn(items)
    mine = len(items) // workers
    try:
        batch = Batch(fn, items[mine:], workers - 1)
    except OSError:
        return fn(items)
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


def _worker_start(parent: int) -> None:
    # A worker must not outlive the build: if the parent is killed, the system kills it too.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before that took effect
            os._exit(1)
    # What the worker inherited is never garbage it could free: keep the collector off it.
    gc.freeze()


_PR_SET_PDEATHSIG = 1


def _run_slice(job: tuple[int, int, int]) -> str:
    number, start, end = job
    fn, items = _JOBS[number]
    results = fn(items[start:end])
    if len(results) != end - start:
        raise RuntimeError(f"{len(results)} results for {end - start} items")
    fd, path = tempfile.mkstemp(prefix="mlfolio-worker-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(results, f, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path


def _load(path: str) -> list[Any]:
    try:
        with open(path, "rb") as f:
            return pickle.load(f)  # noqa: S301 - written by our own worker a moment ago
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


PARALLEL_MIN_ITEMS = 200  # below this, starting a worker costs more than it saves


def batch_mapper(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """``fn(items)``, split across the cores for a batch large enough to pay for workers."""
    return fork_map(fn, items, usable_cores() if len(items) >= PARALLEL_MIN_ITEMS else 1)
