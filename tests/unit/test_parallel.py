"""Work split across forked processes: results in order, the calling process takes a share,
failures surface, and a validate batch split across workers reports what one process does."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from mlfolio.cli import parallel
from mlfolio.cli.parallel import Batch, WorkerLost, can_fork, fork_map, usable_cores
from mlfolio.spec.check import Checker
from mlfolio.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]


def _tagged(part: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in part]


def test_fork_map_keeps_item_order_and_shares_the_work_with_the_calling_process() -> None:
    results = fork_map(_tagged, range(100), 3)
    assert [value for value, _ in results] == [n * n for n in range(100)]
    pids = [pid for _, pid in results]
    # This process takes the first third; two workers take the rest in slices.
    assert pids[:33] == [os.getpid()] * 33
    assert os.getpid() not in pids[33:]
    assert 1 <= len(set(pids[33:])) <= 2


def test_fork_map_with_one_worker_runs_here() -> None:
    assert fork_map(_tagged, [1, 2, 3], 1) == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]
    assert fork_map(_tagged, [5], 8) == [(25, os.getpid())]  # never more workers than items
    assert fork_map(_tagged, [], 4) == []


def test_a_closure_reaches_the_workers_without_pickling() -> None:
    unpicklable = lambda n: n + 1  # noqa: E731 - the point is that it cannot be pickled
    assert fork_map(lambda part: [unpicklable(n) for n in part], list(range(10)), 2) == list(range(1, 11))


def _fails_on_seven(part: Sequence[int]) -> list[int]:
    if 7 in part:
        raise ValueError("seven")
    return list(part)


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="seven"):
        fork_map(_fails_on_seven, list(range(10)), 2)


def test_an_error_here_stops_the_workers() -> None:
    with pytest.raises(ValueError, match="seven"):
        fork_map(_fails_on_seven, [7] + list(range(100, 200)), 2)
    assert multiprocessing.active_children() == []
    assert parallel._JOBS == {}
    assert threading.active_count() == 1


def test_when_a_worker_dies_its_part_is_done_here() -> None:
    parent = os.getpid()

    def die_in_a_worker(part: Sequence[int]) -> list[tuple[int, int]]:
        if os.getpid() != parent:
            os._exit(1)  # as if the system killed it for memory
        return _tagged(part)

    results = fork_map(die_in_a_worker, list(range(40)), 2)
    assert results == [(n * n, parent) for n in range(40)]
    assert multiprocessing.active_children() == []


def test_a_dead_worker_is_reported_not_waited_for() -> None:
    batch = Batch(lambda part: os._exit(1), list(range(10)), 2)
    with pytest.raises(WorkerLost):
        batch.results()


def test_no_workers_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork() and usable_cores() == 1
        assert {pid for _, pid in fork_map(_tagged, list(range(10)), 4)} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
    assert can_fork()


def test_a_worker_must_return_one_result_per_item() -> None:
    with pytest.raises(RuntimeError, match=r"1 results for \d+ items"):
        fork_map(lambda part: [0], list(range(10)), 2)


def test_a_batch_runs_while_the_caller_goes_on_and_can_be_cancelled() -> None:
    batch = Batch(_tagged, list(range(20)), 2)
    assert [value for value, _ in batch.results()] == [n * n for n in range(20)]
    batch.cancel()  # nothing left to stop
    with pytest.raises(RuntimeError, match="already collected or cancelled"):
        batch.results()
    other = Batch(_tagged, list(range(20)), 2)
    other.cancel()
    other.cancel()
    with pytest.raises(RuntimeError, match="already collected or cancelled"):
        other.results()


def test_usable_cores_is_at_least_one_and_at_most_eight() -> None:
    assert 1 <= usable_cores() <= 8


def test_validate_batches_give_the_same_diagnostics_in_workers() -> None:
    schema = load_schema(REPO / "schemas" / "project.schema.json")
    checker = Checker(schema)
    paths = [REPO / "projects"]
    serial = checker.check_paths(paths, root=REPO, keep_data=False)
    split = checker.check_paths(paths, root=REPO, keep_data=False, mapper=lambda fn, items: fork_map(fn, items, 3))
    assert [d.format() for d in split.diagnostics] == [d.format() for d in serial.diagnostics]
    assert [r.file for r in split.reports] == [r.file for r in serial.reports] and len(serial.reports) == 8


def test_when_the_system_cannot_fork_everything_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoFork:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def submit(self, *args: object) -> None:
            raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN

        def shutdown(self, *args: object, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", NoFork)
    assert fork_map(_tagged, list(range(10)), 2) == [(n * n, os.getpid()) for n in range(10)]
    assert parallel._JOBS == {}


def test_a_worker_result_travels_through_a_file_that_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.tempfile, "tempdir", str(tmp_path))
    big = fork_map(lambda part: ["x" * 100_000 for _ in part], list(range(20)), 2)
    assert big == ["x" * 100_000] * 20
    assert list(tmp_path.iterdir()) == []
