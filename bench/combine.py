"""Pool several benchmark runs into one report: ``combine.py OUT RUN_DIR...``.

On a busy machine one run of ``bench/run.py`` can catch a busy spell; running it a few times
(``--out bench/out/run1`` ...) and pooling the single runs of every figure gives medians and
spreads over all of them. Writes ``OUT/results.md`` and ``OUT/results.json`` in the same form
as ``run.py`` does, plus each benchmark run's own medians in ``results.json`` (``per_run``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from common import summary
from report import report, targets


def _pool(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """A median / min / max summary over every single run of ``parts``."""
    return summary([run for part in parts for run in part["runs"]])


def _pool_runs(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"wall": _pool([p["wall"] for p in parts]), "cpu": _pool([p["cpu"] for p in parts]),
            "peak_rss_mb": max(p["peak_rss_mb"] for p in parts)}


def _by_n(runs: list[dict[str, Any]], section: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for data in runs:
        for row in data.get(section) or []:
            found.setdefault(row["n"], []).append(row)
    return dict(sorted(found.items()))


def _validation(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    cjs = [r["check_jsonschema"] for r in rows if r["check_jsonschema"]]
    out = {**first, "cli": _pool_runs([r["cli"] for r in rows]), "in_process": _pool([r["in_process"] for r in rows]),
           "steps": {key: _pool([r["steps"][key] for r in rows]) for key in first["steps"]},
           "check_jsonschema": _pool_runs(cjs) if cjs else None}
    if cjs:
        out["speedup"] = out["check_jsonschema"]["wall"]["median"] / out["cli"]["wall"]["median"]
    return out


def _build(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    for key in ("site_mb", "files", "html_pages", "search_index_mb"):
        if len({r["plugin"][key] for r in rows}) > 1:
            print(f"note: N={first['n']}: {key} differs between the runs; the first run's is shown", file=sys.stderr)
    plugin = {**first["plugin"], **_pool_runs([r["plugin"] for r in rows])}
    plain = {**first["plain"], **_pool_runs([r["plain"] for r in rows])}
    wall, plain_wall = plugin["wall"]["median"], plain["wall"]["median"]
    return {**first, "plugin": plugin, "plain": plain,
            "site_builder_s": statistics.median(r["site_builder_s"] for r in rows),
            "differ_between_builds": sorted({f for r in rows for f in r["differ_between_builds"]}),
            "differ_from_plain": sorted({f for r in rows for f in r["differ_from_plain"]}),
            "plugin_s": wall - plain_wall, "plugin_share": (wall - plain_wall) / wall,
            "plugin_share_cpu": 1 - plain["cpu"]["median"] / plugin["cpu"]["median"]}


def _preview(rows: list[dict[str, Any]]) -> dict[str, Any]:
    served = [r["save_to_served"] for r in rows if "save_to_served" in r]
    out: dict[str, Any] = {"n": rows[0]["n"], "edits": sum(r["edits"] for r in rows), "project": rows[0]["project"],
                           "log_errors": sum(r["log_errors"] for r in rows)}
    starts = [r["startup_s"] for r in rows if "startup_s" in r]
    if starts:
        out["startup_s"] = statistics.median(starts)
    if served:
        out["save_to_served"] = _pool(served)
    errors = [r["error"] for r in rows if "error" in r]
    if errors:
        out["error"] = "; ".join(errors)
    return out


def _profile(profiles: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not profiles:
        return None
    seconds = {key: statistics.median(p["seconds"][key] for p in profiles) for key in profiles[0]["seconds"]}
    return {**profiles[0], "wall_s": statistics.median(p["wall_s"] for p in profiles), "seconds": seconds,
            "runs": len(profiles)}


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    first = runs[0]
    settings = dict(first["settings"])
    settings["repeat"] = sum(r["settings"]["repeat"] for r in runs)
    settings["pooled_from"] = len(runs)
    settings["validate_repeat"] = sum(r["settings"]["validate_repeat"] for r in runs)
    dates = sorted({r["date"] for r in runs})
    loads = [r["environment"]["load_average_at_start"][0] for r in runs if r["environment"]["load_average_at_start"]]
    data: dict[str, Any] = {
        "date": dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}",
        # The code may change between runs: every run's commit is named.
        "environment": {**first["environment"], "commit": ", ".join(dict.fromkeys(str(r["environment"]["commit"]) for r in runs))},
        "load_average_at_end": max(r.get("load_average_at_end") or 0 for r in runs),
        "load_averages": {"start": loads, "end": [r.get("load_average_at_end") for r in runs]},
        "specs": first["specs"], "settings": settings,
        "validation": [_validation(rows) for rows in _by_n(runs, "validation").values()],
        "build": [_build(rows) for rows in _by_n(runs, "build").values()],
        "profile": _profile([r["profile"] for r in runs if r.get("profile")]),
        "preview": [_preview(rows) for rows in _by_n(runs, "preview").values()],
        "per_run": [{"date": r["date"], "commit": r["environment"]["commit"], "targets": r["targets"]} for r in runs],
    }
    data["targets"] = targets(data)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="where to write the pooled results.md and results.json")
    parser.add_argument("runs", type=Path, nargs="+", help="output folders of bench/run.py")
    args = parser.parse_args(argv)
    runs = [json.loads((folder / "results.json").read_text(encoding="utf-8")) for folder in args.runs]
    data = combine(runs)
    text = report(data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
