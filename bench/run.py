"""Benchmark mlfolio on synthetic portfolios: validation, the site build, and the preview server.

What ``make bench`` runs. For each size N (10, 100 and 1,000 projects by default) it writes N
synthetic specs (bench/synth.py; each passes ``mlfolio validate``) and measures:

- validation (bench/validation.py): ``mlfolio validate`` end to end against ``check-jsonschema``
  on the same files, and the same check in-process;
- the site build (bench/build.py): ``mkdocs build --strict`` in one process (wall and CPU time,
  peak memory, the site's size and files, the search index), against a plain build of the very
  same finished pages with the plugin removed, so the plugin's own share shows; whether two
  builds give byte-identical sites;
- with ``--profile``, where the plugin's time goes (bench/profile_build.py, cProfile);
- the preview (bench/preview.py): save-to-served times under ``mkdocs serve --dirty``.

Results: a Markdown table on stdout and in ``<out>/results.md``, every figure in
``<out>/results.json`` (``<out>`` is bench/out/ unless ``--out`` says otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
from pathlib import Path
from typing import Any

from build import measure_build
from common import BENCH, environment, load_average, step
from portfolio import make_portfolios
from preview import measure_preview
from profile_build import profile_build
from report import report, targets
from validation import measure_validation


def sizes_arg(text: str) -> list[int]:
    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated integers, such as 10,100,1000") from None
    if any(n < 1 or n > 9999 for n in sizes):
        raise argparse.ArgumentTypeError("sizes between 1 and 9999")
    return sizes


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes_arg, default=[10, 100, 1000],
                        help="portfolio sizes for validation and site builds, comma-separated (default: 10,100,1000)")
    parser.add_argument("--preview-sizes", type=sizes_arg, default=[100, 1000],
                        help="portfolio sizes for the preview (default: 100,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each site build, median reported (default: 3)")
    parser.add_argument("--validate-repeat", type=int, default=3, help="runs of each validation figure (default: 3)")
    parser.add_argument("--edits", type=int, default=5, help="spec saves timed per preview size (default: 5)")
    parser.add_argument("--profile", action="store_true", help="also profile one build at the largest size (cProfile)")
    parser.add_argument("--skip-validation", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-preview", action="store_true")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="output folder (default: bench/out/)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the synthetic specs (default: 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.validate_repeat < 1 or args.edits < 1:
        parser.error("--repeat, --validate-repeat and --edits must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a preview server is stopped on SIGTERM too
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    preview_sizes = [] if args.skip_preview else args.preview_sizes
    env = environment()  # before generating: the load average should not count our own work

    step(f"generating {max(args.sizes + preview_sizes):,} synthetic specs")
    data: dict[str, Any] = {
        "date": dt.date.today().isoformat(), "environment": env,
        "specs": make_portfolios(out, args.sizes + preview_sizes, args.seed),
        "settings": {"sizes": args.sizes, "preview_sizes": preview_sizes, "repeat": args.repeat,
                     "validate_repeat": args.validate_repeat, "edits": args.edits, "seed": args.seed},
        "validation": [], "build": [], "profile": None, "preview": [],
    }
    if not args.skip_validation:
        for n in args.sizes:
            step(f"validation, N={n}")
            data["validation"].append(measure_validation(out / f"n{n}", n, args.validate_repeat))
    if not args.skip_build:
        for n in args.sizes:
            step(f"site builds, N={n}")
            data["build"].append(measure_build(out / f"n{n}", n, args.repeat))
        if args.profile:
            n = max(args.sizes)
            step(f"profiled build, N={n}")
            data["profile"] = profile_build(out / f"n{n}", n, out)
    for n in preview_sizes:
        step(f"preview, N={n}")
        data["preview"].append(measure_preview(out / f"n{n}", n, args.edits))

    data["load_average_at_end"] = load_average()
    data["targets"] = targets(data)
    text = report(data)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    step(f"wrote {out / 'results.md'} and results.json")
    return 1 if any("error" in p for p in data["preview"]) else 0


if __name__ == "__main__":
    sys.exit(main())
