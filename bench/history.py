"""What the specs' history from git costs a build: 1,000 synthetic specs in a git repository with
some hundreds of commits touching them.

The repository is made once per run under ``<out>/repo`` (``--out``, default
``bench/out/history``): the specs of ``bench/synth.py`` committed in ten batches a week apart,
then ``--commits`` commits, a day apart, each changing one to three specs the way a team does:
a stage moved back or forward again, a metric target raised, an owner added, a feasibility
answer changed, the typed ``updated`` date; one commit in 25 renames a spec (its file and id).
Then it measures, each ``--repeat`` times:

- ``read_history``: reading the history of every spec (one ``git log``, one ``git cat-file
  --batch``, every older revision checked, analysed and compared), given the analysed specs a
  build already has (it reuses them for each spec's latest revision);
- with ``--build``: the plugin's whole ``SiteBuilder.build()`` in the repository and in a copy
  of the same files outside any repository (no history), one after the other: the difference is
  what the history adds to a build (reading it, and rendering the timelines and the home page's
  columns and recent changes).

Usage::

    python bench/history.py [-n 1000] [--commits 300] [--repeat 3] [--build] [--out DIR] [--seed 1]

It prints a Markdown summary and writes every figure to ``<out>/history.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for path in (str(REPO), str(BENCH)):
    if path not in sys.path:
        sys.path.insert(0, path)

import synth  # noqa: E402
from build import configured_plugin, write_configs  # noqa: E402

from mlfolio.analysis.history import read_history  # noqa: E402
from mlfolio.analysis.model import load_portfolio  # noqa: E402
from mlfolio.analysis.verdict import DEFAULT_RULES  # noqa: E402
from mlfolio.spec.schema import load_schema  # noqa: E402

DAY = 86_400
START_BATCHES = 1_735_732_800  # 2025-01-01 12:00 UTC
STAGE = re.compile(r"^stage: (\w+)$", re.M)
TARGET = re.compile(r"^(\s+target: )(-?\d+(?:\.\d+)?)$", re.M)
ANSWER = re.compile(r"^(\s+answer: )(yes|no|partly|unknown)$", re.M)
UPDATED = re.compile(r"^updated: .*$", re.M)


def git(root: Path, *args: str, when: int | None = None, author: str = "Bench") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if when is not None:
        stamp = f"@{when} +0000"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    env.update(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME=author,
               GIT_COMMITTER_EMAIL="bench@example.com")
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=root, env=env,
                          check=True, capture_output=True, text=True)
    return done.stdout


def _edit(text: str, kind: str, rng: random.Random, stages: list[str], moved: dict[str, str], name: str, step: int) -> str:
    if kind == "stage":
        found = STAGE.search(text)
        if found and found.group(1) in stages:
            stage = found.group(1)
            if name in moved:  # forward again, to where it was
                new = moved.pop(name)
            elif stages.index(stage) > 0:
                new = stages[stages.index(stage) - 1]
                moved[name] = stage
            else:
                return _edit(text, "updated", rng, stages, moved, name, step)
            return STAGE.sub(f"stage: {new}", text, count=1)
    if kind == "target":
        targets = list(TARGET.finditer(text))
        if targets:
            m = rng.choice(targets)
            value = float(m.group(2)) * 1.05 + 0.01
            return text[:m.start()] + f"{m.group(1)}{round(value, 2)}" + text[m.end():]
    if kind == "owner" and "\nowners:\n" in text:
        return text.replace("\nowners:\n", f"\nowners:\n  - name: Bench Owner {step}\n", 1)
    if kind == "answer":
        answers = list(ANSWER.finditer(text))
        if answers:
            m = rng.choice(answers)
            new = rng.choice([a for a in ("yes", "no", "partly", "unknown") if a != m.group(2)])
            return text[:m.start()] + f"{m.group(1)}{new}" + text[m.end():]
    return UPDATED.sub(f"updated: '2026-{1 + step % 12:02d}-{1 + step % 28:02d}'", text, count=1)


def make_repository(root: Path, n: int, commits: int, seed: int) -> dict[str, Any]:
    """The specs, committed in ten batches, then ``commits`` commits changing a few specs each."""
    if root.exists():
        shutil.rmtree(root)
    specs = root / "specs"
    started = time.perf_counter()
    stats = synth.generate(specs, n, seed=seed)
    shutil.copytree(REPO / "schemas", root / "schemas")
    write_configs(root)
    git(root, "init", "-q")
    git(root, "add", "--all", "--", ".", ":(exclude)specs")
    git(root, "commit", "-q", "-m", "config", when=START_BATCHES - DAY)
    names = sorted(p.name for p in specs.glob("*.yaml"))
    for batch in range(10):
        part = names[batch::10]
        git(root, "add", *[f"specs/{name}" for name in part])
        git(root, "commit", "-q", "-m", f"batch {batch}", when=START_BATCHES + batch * 7 * DAY, author=f"Team {batch}")
    rng = random.Random(seed)
    stages = [s for s in load_schema(REPO / "schemas" / "project.schema.json").stages if s != "retired"]
    moved: dict[str, str] = {}
    kinds = ("stage", "target", "owner", "answer", "updated")
    touched = 0
    when = START_BATCHES + 80 * DAY
    for step in range(commits):
        when += DAY
        if step % 25 == 24:  # a rename: the file and the id
            old = rng.choice(names)
            new = old.replace(".yaml", "-renamed.yaml")
            git(root, "mv", f"specs/{old}", f"specs/{new}")
            path = specs / new
            path.write_text(path.read_text(encoding="utf-8").replace(f"id: {old[:-5]}\n", f"id: {new[:-5]}\n", 1), encoding="utf-8")
            names[names.index(old)] = new
            moved.pop(old, None)
            changed = [new]
        else:
            changed = rng.sample(names, rng.randint(1, 3))
            for name in changed:
                path = specs / name
                path.write_text(_edit(path.read_text(encoding="utf-8"), rng.choice(kinds), rng, stages, moved, name, step),
                                encoding="utf-8")
        touched += len(changed)
        git(root, "add", *[f"specs/{name}" for name in changed])
        git(root, "commit", "-q", "-m", f"change {step}", when=when, author=f"Person {step % 17}")
    return {"specs": n, "commits": int(git(root, "rev-list", "--count", "HEAD").strip()), "changing_commits": commits,
            "spec_changes": touched, "seconds_to_make": round(time.perf_counter() - started, 1),
            "spec_lines_median": stats["lines_median"]}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (git): on a busy machine, what a
    quiet one would take in wall time for this single-threaded work."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _timed(run: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), _cpu()
    value = run()
    return time.perf_counter() - wall, _cpu() - cpu, value


def measure_read(root: Path, repeat: int) -> dict[str, Any]:
    schema = load_schema(root / "schemas" / "project.schema.json")
    portfolio = load_portfolio([root / "specs"], schema, DEFAULT_RULES, root=root)
    current = {Path(p.file).name: p for p in portfolio.projects}
    seconds, cpu = [], []
    history = None
    for _ in range(repeat):
        wall, used, history = _timed(lambda: read_history(root / "specs", schema, DEFAULT_RULES, current))
        seconds.append(wall)
        cpu.append(used)
    assert history is not None and history.available, history.message if history else "no run"
    events = [e for t in history.timelines.values() for e in t.events]
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    return {"valid_specs": len(portfolio.projects), "errors": portfolio.run.errors, "timelines": len(history.timelines),
            "events": len(events), "kinds": dict(sorted(kinds.items())), "seconds": [round(s, 2) for s in seconds],
            "median": round(statistics.median(seconds), 2), "cpu": [round(s, 2) for s in cpu],
            "cpu_median": round(statistics.median(cpu), 2)}


def _build_once(project: Path) -> tuple[float, float]:
    with contextlib.chdir(project):
        site = configured_plugin().site
        assert site is not None
        wall, cpu, built = _timed(site.build)
        assert built.pages, "nothing built"
        return wall, cpu


def measure_build(root: Path, out: Path, repeat: int) -> dict[str, Any]:
    """``SiteBuilder.build()`` with the history (in the repository) and without (a copy outside it)."""
    plain = out / "no-git"
    if plain.exists():
        shutil.rmtree(plain)
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns(".git"))
    with_history, without = [], []
    for _ in range(repeat):  # interleaved, so a busy spell hits both
        with_history.append(_build_once(root))
        without.append(_build_once(plain))

    def figures(runs: list[tuple[float, float]], name: str) -> dict[str, Any]:
        return {f"{name}_wall": [round(w, 2) for w, _ in runs], f"{name}_cpu": [round(c, 2) for _, c in runs],
                f"{name}_wall_median": round(statistics.median(w for w, _ in runs), 2),
                f"{name}_cpu_median": round(statistics.median(c for _, c in runs), 2)}

    found = {**figures(with_history, "with"), **figures(without, "without")}
    found["added_wall"] = round(found["with_wall_median"] - found["without_wall_median"], 2)
    found["added_cpu"] = round(found["with_cpu_median"] - found["without_cpu_median"], 2)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="how many specs (default: 1000)")
    parser.add_argument("--commits", type=int, default=300, help="commits that change specs (default: 300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default: 3)")
    parser.add_argument("--build", action="store_true", help="also time whole site builds with and without history")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "history")
    parser.add_argument("--keep", action="store_true", help="reuse the repository of an earlier run in --out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    root = args.out / "repo"
    if args.keep and (root / ".git").is_dir():
        made = json.loads((args.out / "history.json").read_text(encoding="utf-8"))["repository"]
    else:
        made = make_repository(root, args.n, args.commits, args.seed)
    result: dict[str, Any] = {"repository": made, "read_history": measure_read(root, args.repeat)}
    if args.build:
        result["build"] = measure_build(root, args.out, args.repeat)
    (args.out / "history.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    r, h = result["repository"], result["read_history"]
    print(f"## History: {r['specs']} specs, {r['commits']} commits ({r['spec_changes']} spec changes)\n")
    print(f"- read_history: median {h['median']} s wall ({h['seconds']}), {h['cpu_median']} s CPU with git's ({h['cpu']}); "
          f"{h['timelines']} timelines, {h['events']} events {h['kinds']}; {h['valid_specs']} specs valid now")
    if "build" in result:
        b = result["build"]
        print(f"- SiteBuilder.build() with history: median {b['with_wall_median']} s wall ({b['with_wall']}), "
              f"{b['with_cpu_median']} s CPU ({b['with_cpu']})")
        print(f"- without history: median {b['without_wall_median']} s wall ({b['without_wall']}), "
              f"{b['without_cpu_median']} s CPU ({b['without_cpu']})")
        print(f"- the history adds {b['added_cpu']} s CPU ({b['added_wall']} s wall, medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
