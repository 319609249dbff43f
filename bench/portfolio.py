"""The synthetic portfolios the benchmark measures: ``<out>/n<N>/`` for each size N, holding
``specs/`` (N specs from bench/synth.py), a copy of ``schemas/``, an empty ``docs/`` and the
MkDocs configurations (bench/build.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import synth
from build import write_configs
from common import REPO


def make_portfolios(out: Path, sizes: Iterable[int], seed: int) -> dict[str, Any]:
    """Generate the largest set once; a smaller set is its first N files (the same specs).
    Returns the statistics of the largest set."""
    sizes = sorted(set(sizes))
    pool = out / "specs-pool"
    stats = synth.generate(pool, sizes[-1], seed=seed)
    for n in sizes:
        project = out / f"n{n}"
        if project.exists():
            shutil.rmtree(project)
        (project / "specs").mkdir(parents=True)
        for i in range(1, n + 1):
            name = f"synthetic-{i:04d}.yaml"
            shutil.copyfile(pool / name, project / "specs" / name)
        shutil.copytree(REPO / "schemas", project / "schemas")
        write_configs(project)
    return stats
