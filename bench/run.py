"""Benchmark mlfolio on synthetic portfolios: spec validation and the MkDocs site build.

What ``make bench`` runs. For each size N it writes N synthetic specs (bench/synth.py; each
one passes ``mlfolio validate``) and measures:

- validation: ``mlfolio validate`` as a subprocess (wall time, peak memory), the same check
  in-process (``Checker().check_paths``, split into YAML loading, JSON Schema and rules),
  and ``check-jsonschema`` on the same files, for comparison;
- the site: ``mkdocs build --strict`` of a MkDocs project configured like the repository's
  ``mkdocs.yml`` (wall time, peak memory of the build, size on disk, files, search index),
  and a plain build of the very same Markdown written out as ordinary files with the plugin
  disabled, so the plugin's own cost shows.

Results: a Markdown table on stdout and in ``<out>/results.md``, all figures in
``<out>/results.json``. ``--profile`` also writes cProfile listings into ``<out>/``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import gzip
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

import synth  # noqa: E402

from mlfolio.spec.check import Checker  # noqa: E402
from mlfolio.spec.loader import load_file  # noqa: E402
from mlfolio.spec.rules import run_rules  # noqa: E402
from mlfolio.spec.schema import load_schema  # noqa: E402
from mlfolio.spec.validation import SchemaChecker  # noqa: E402

SCHEMA = REPO / "schemas" / "project.schema.json"
MB = 1024 * 1024
TARGET_VALIDATE_S = 2.0
TARGET_SITE_S = 60.0
PAGES_LIMIT_MB = 1024  # GitHub Pages: published sites may be no larger than 1 GB


# ----------------------------------------------------------------------------- running things
@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the child: less sensitive to a busy machine
    peak_rss_mb: float  # the largest single process
    peak_total_mb: float | None  # all its processes together (PSS, sampled), where the OS tells
    returncode: int
    log: Path

    def figures(self, times: list[float]) -> dict[str, Any]:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "peak_rss_mb": self.peak_rss_mb,
                "peak_total_mb": self.peak_total_mb, "runs": times}


def tool(name: str) -> list[str] | None:
    """The command for a console script: next to this Python (the venv), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return [str(here)]
    found = shutil.which(name)
    return [found] if found else None


def run_child(cmd: Sequence[str], cwd: Path, log: Path) -> Run:
    """Run ``cmd`` with its output in ``log``: wall time, CPU time and the child's own peak RSS
    (measured by bench/_child.py, see there why not directly)."""
    figures = log.with_suffix(".run.json")
    with log.open("wb") as out:
        proc = subprocess.run([sys.executable, "-I", "-S", str(BENCH / "_child.py"), str(figures), *cmd],
                              cwd=cwd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0 or not figures.exists():
        raise SystemExit(f"bench: could not run {cmd[0]}: see {log}")
    got = json.loads(figures.read_text(encoding="utf-8"))
    figures.unlink()
    total = got.get("peak_total_pss_kib")
    return Run(got["seconds"], got["cpu_seconds"], got["peak_rss_kib"] / 1024, total / 1024 if total else None, got["returncode"], log)


def best_of(k: int, cmd: Sequence[str], cwd: Path, log: Path, ok: Callable[[Run], bool]) -> tuple[Run, list[float]]:
    runs = []
    for _ in range(k):
        run = run_child(cmd, cwd, log)
        if not ok(run):
            return run, [r.seconds for r in runs]
        runs.append(run)
    best = min(runs, key=lambda r: r.seconds)
    best.peak_rss_mb = max(r.peak_rss_mb for r in runs)
    totals = [r.peak_total_mb for r in runs if r.peak_total_mb is not None]
    best.peak_total_mb = max(totals) if totals else None
    return best, [round(r.seconds, 4) for r in runs]


def best_time(k: int, fn: Callable[[], Any]) -> tuple[float, Any, float]:
    """Best wall time of ``k`` calls, the last result, and the CPU time of the best call."""
    best, cpu, result = float("inf"), float("inf"), None
    for _ in range(k):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds = time.perf_counter() - start
        if seconds < best:
            best, cpu = seconds, time.process_time() - start_cpu
    return best, result, cpu


def tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return _shorten("\n".join(text[-lines:]))


def step(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- projects
def make_specs(out: Path, sizes: Sequence[int], seed: int) -> dict[str, Any]:
    """Generate the largest set once; smaller sets are its first N files (same specs)."""
    largest = max(sizes)
    pool = out / "specs-pool"
    stats = synth.generate(pool, largest, seed=seed)
    for n in sizes:
        project = out / f"n{n}"
        if project.exists():
            shutil.rmtree(project)
        (project / "specs").mkdir(parents=True)
        for i in range(1, n + 1):
            name = f"synthetic-{i:04d}.yaml"
            shutil.copyfile(pool / name, project / "specs" / name)
        shutil.copytree(REPO / "schemas", project / "schemas")
    return stats


def _replace_once(text: str, pattern: str, new: str, what: str) -> str:
    result, count = re.subn(pattern, new, text, count=1, flags=re.M)
    if count != 1:
        raise SystemExit(f"bench: cannot find {what} in mkdocs.yml; update bench/run.py")
    return result


def plugin_config(project: Path, workers: int | None = None, name: str = "mkdocs.yml", site: str = "site") -> Path:
    """The repository's mkdocs.yml with the docs and specs folders pointing at the synthetic specs
    (and the plugin's ``workers`` option set, if given)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = _replace_once(text, r"^docs_dir:.*$", "docs_dir: specs", "docs_dir")
    specs = r"\1specs_dir: specs" + (rf"\n\1workers: {workers}" if workers is not None else "")
    text = _replace_once(text, r"^(\s+)specs_dir:.*$", specs, "the mlfolio plugin's specs_dir")
    text = re.sub(r"^site_dir:.*\n", "", text, flags=re.M) + f"\nsite_dir: {site}\n"
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


def capture_markdown(config_file: Path, docs: Path) -> dict[str, Any]:
    """Run the plugin's events up to on_files in-process (exactly what a build does) and write
    every file it generates into ``docs``. Returns timings and what the plain site needs."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config_file = config_file.resolve()
    cwd = os.getcwd()
    os.chdir(config_file.parent)
    try:
        start = time.perf_counter()
        config = load_config(str(config_file))
        config.plugins.on_startup(command="build", dirty=False)
        before = {"css": [str(x) for x in config.extra_css], "js": [str(x) for x in config.extra_javascript],
                  "ext": list(config.markdown_extensions)}
        config = config.plugins.on_config(config)
        files = get_files(config)
        setup = time.perf_counter() - start
        start = time.perf_counter()
        files = config.plugins.on_files(files, config=config)
        on_files = time.perf_counter() - start
    finally:
        os.chdir(cwd)
    if docs.exists():
        shutil.rmtree(docs)
    written = 0
    for file in files:
        if getattr(file, "generated_by", None) is None:
            continue
        target = docs / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)
        written += 1
    return {
        "on_files_s": on_files, "setup_s": setup, "files": written,
        "extra_css": [str(x) for x in config.extra_css if str(x) not in before["css"]],
        "extra_javascript": [str(x) for x in config.extra_javascript if str(x) not in before["js"]],
        "added_extensions": [e for e in config.markdown_extensions if e not in before["ext"]],
    }


def plain_config(project: Path, captured: dict[str, Any]) -> Path:
    """The same site without the plugin: docs_dir is the captured Markdown."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = _replace_once(text, r"^docs_dir:.*$", "docs_dir: docs", "docs_dir")
    text = _replace_once(text, r"^  - mlfolio:.*\n(?:^      .*\n)*", "", "the mlfolio plugin block")
    for key in ("extra_css", "extra_javascript"):
        if captured[key]:
            if re.search(rf"^{key}:", text, flags=re.M):
                raise SystemExit(f"bench: mkdocs.yml sets {key}; merging it with the plugin's is not supported")
            text += f"{key}:\n" + "".join(f"  - {uri}\n" for uri in captured[key])
    # The plugin adds project pages as "not in nav"; say the same for the ordinary files.
    text += "not_in_nav: |\n  /projects/**\n"
    path = project / "plain" / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def same_tree(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def site_size(site: Path) -> dict[str, Any]:
    files = [p for p in site.rglob("*") if p.is_file()]
    index = site / "search" / "search_index.json"
    export = site / "projects.json"
    return {
        "site_mb": sum(p.stat().st_size for p in files) / MB,
        "files": len(files),
        "html_pages": sum(p.suffix == ".html" for p in files),
        "search_index_mb": index.stat().st_size / MB if index.exists() else None,
        # What a browser downloads on the first search (GitHub Pages serves it gzip-compressed).
        "search_index_gzip_mb": len(gzip.compress(index.read_bytes(), 6)) / MB if index.exists() else None,
        "projects_json_mb": export.stat().st_size / MB if export.exists() else None,
    }


# ----------------------------------------------------------------------------- measurements
def measure_validation(project: Path, n: int, k: int) -> dict[str, Any]:
    specs = project / "specs"
    files = sorted(specs.glob("*.yaml"))
    result: dict[str, Any] = {"n": n, "files": len(files), "spec_mb": sum(f.stat().st_size for f in files) / MB}

    mlfolio = tool("mlfolio") or [sys.executable, "-m", "mlfolio"]
    run, times = best_of(k, [*mlfolio, "validate", "specs"], project, project / "validate.log", lambda r: r.returncode == 0)
    if run.returncode != 0:
        raise SystemExit(f"bench: `mlfolio validate` fails on the synthetic specs (N={n}); a benchmark over invalid files is meaningless:\n{tail(run.log)}")
    result["cli"] = {**run.figures(times), "output": tail(run.log, 1)}

    start = time.perf_counter()
    checker = Checker(load_schema(SCHEMA))
    result["checker_init_s"] = time.perf_counter() - start
    seconds, check_run, cpu = best_time(k, lambda: checker.check_paths([specs], root=project))
    if check_run.errors or check_run.warnings:
        raise SystemExit(f"bench: in-process check found {check_run.errors} error(s), {check_run.warnings} warning(s) (N={n})")
    result["in_process_s"] = seconds
    result["in_process_cpu_s"] = cpu
    del check_run
    gc.collect()

    # The same with Python's cycle collector off for the whole call, and where that time goes
    # (the steps Checker.check_file takes). The difference to the figure above is what the
    # collector costs, inside check_paths or right after it.
    schema_checker = SchemaChecker(load_schema(SCHEMA))
    gc.disable()
    try:
        result["in_process_nogc_s"], _, _ = best_time(k, lambda: checker.check_paths([specs], root=project))
        load_s, loaded, _ = best_time(k, lambda: [load_file(f, f.name) for f in files])
        schema_s, _, _ = best_time(k, lambda: [schema_checker.check(one) for one in loaded])
        rules_s, _, _ = best_time(k, lambda: [run_rules(one.data, one) for one in loaded])
    finally:
        gc.enable()
    del loaded
    gc.collect()
    result["breakdown_s"] = {"yaml_load": load_s, "json_schema": schema_s, "rules": rules_s}

    cjs = tool("check-jsonschema")
    if cjs is None:
        result["check_jsonschema"] = None
        step("check-jsonschema not installed; skipped (pip install check-jsonschema)")
    else:
        cmd = [*cjs, "--schemafile", os.path.relpath(project / "schemas" / SCHEMA.name, project),
               *(os.path.relpath(f, project) for f in files)]
        run, times = best_of(k, cmd, project, project / "check-jsonschema.log", lambda r: r.returncode == 0)
        if run.returncode != 0:
            raise SystemExit(f"bench: check-jsonschema rejects the synthetic specs (N={n}):\n{tail(run.log)}")
        result["check_jsonschema"] = run.figures(times)
    return result


def measure_site(project: Path, n: int, k: int) -> dict[str, Any]:
    mkdocs = tool("mkdocs") or [sys.executable, "-m", "mkdocs"]
    config = plugin_config(project)
    result: dict[str, Any] = {"n": n}
    run, times = best_of(k, [*mkdocs, "build", "--strict", "-f", config.name], project, project / "build.log", lambda r: r.returncode == 0)
    if run.returncode != 0:
        result["error"] = tail(run.log)
        return result
    result["plugin"] = {**run.figures(times), **site_size(project / "site")}

    # The same build in one process (the plugin's `workers: 1`): what MkDocs alone would do.
    serial = plugin_config(project, workers=1, name="mkdocs-one-process.yml", site="site-one-process")
    run, times = best_of(k, [*mkdocs, "build", "--strict", "-f", serial.name], project, project / "build-one-process.log", lambda r: r.returncode == 0)
    if run.returncode != 0:
        result["error"] = tail(run.log)
        return result
    result["one_process"] = {**run.figures(times), "same_site": same_tree(project / "site", project / "site-one-process")}
    if not result["one_process"]["same_site"]:
        step(f"note: N={n}: the one-process site differs from the site built with workers")

    plain = project / "plain"
    plain.mkdir(exist_ok=True)
    try:
        captured = capture_markdown(config, plain / "docs")
    except Exception as exc:  # the plugin's own code, run in-process
        import traceback

        result["plain_error"] = _shorten("".join(traceback.format_exception(exc)[-6:]))
        return result
    result["capture"] = {key: captured[key] for key in ("on_files_s", "setup_s", "files", "added_extensions")}
    if captured["added_extensions"]:
        step(f"note: the plugin adds Markdown extensions the plain build lacks: {captured['added_extensions']}")
    plain_config(project, captured)
    run, times = best_of(k, [*mkdocs, "build", "--strict", "-f", "mkdocs.yml"], plain, plain / "build.log", lambda r: r.returncode == 0)
    if run.returncode != 0:
        result["plain_error"] = tail(run.log)
        return result
    result["plain"] = {**run.figures(times), **site_size(plain / "site")}
    if result["plain"]["html_pages"] != result["plugin"]["html_pages"]:
        step(f"note: N={n}: the plain site has {result['plain']['html_pages']} pages, the plugin's {result['plugin']['html_pages']}")
    return result


def profile(out: Path, project_check: Path | None, project_site: Path | None) -> list[str]:
    written = []
    if project_check is not None:
        checker = Checker(load_schema(SCHEMA))
        prof = cProfile.Profile()
        prof.runcall(checker.check_paths, [project_check / "specs"], root=project_check)
        target = out / f"profile-check-{project_check.name}.txt"
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        target.write_text(_shorten(buf.getvalue()), encoding="utf-8")
        written.append(target.name)
    if project_site is not None and (project_site / "mkdocs.yml").exists():
        raw = out / f"profile-site-{project_site.name}.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(raw), "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"]
        run = run_child(cmd, project_site, project_site / "profile-build.log")
        if run.returncode == 0:
            buf = io.StringIO()
            stats = pstats.Stats(str(raw), stream=buf)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            target = out / f"profile-site-{project_site.name}.txt"
            target.write_text(_shorten(buf.getvalue()), encoding="utf-8")
            written.append(target.name)
    return written


def _shorten(text: str) -> str:
    """Name files by module path, not by where they sit on this machine."""
    text = text.replace(str(REPO) + os.sep, "")
    text = re.sub(r"[^\s\"']*?site-packages/", "", text)
    for prefix in {sys.base_prefix, sys.prefix}:
        text = re.sub(re.escape(prefix) + r"/lib/python[\d.]+/", "", text)
    return text


# ----------------------------------------------------------------------------- report
def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _wall_cpu(run: dict[str, Any] | None, digits: int = 2) -> str:
    return "—" if not run else f"{run['seconds']:.{digits}f} ({run['cpu_seconds']:.{digits}f})"


def report(data: dict[str, Any]) -> str:
    env = data["environment"]
    spec = data["specs"]
    lines = [
        "# mlfolio benchmark",
        "",
        f"{data['date']}; {env['cpus']} CPU core(s) (1-minute load average {fmt(env['load_average_at_start'], 1)} at the start), {env['python']} on {env['system']}; "
        f"mlfolio {env['mlfolio']} (commit {env['commit'] or 'unknown'}), mkdocs {env['mkdocs']}, mkdocs-material {env['mkdocs-material']}, "
        f"jsonschema {env['jsonschema']}, jsonschema-rs {env['jsonschema-rs']}, check-jsonschema {env['check-jsonschema']}.",
        "",
        f"Synthetic specs (bench/synth.py, seed {spec['seed']}) varied from {len(spec['examples'])} example(s) in projects/: "
        f"lines per spec min {spec['lines_min']}, median {spec['lines_median']:g}, 90th percentile {spec['lines_p90']}, max {spec['lines_max']}; "
        f"stages {', '.join(f'{k} {v}' for k, v in sorted(spec['stages'].items(), key=lambda kv: -kv[1]))} (of {spec['n']}). "
        f"Every set passes `mlfolio validate` with no errors and no warnings. Times are the best wall time of {data['repeat']} run(s) "
        f"(site builds: {data['site_repeat'] or '3 up to N=100, 1 above'}), with the CPU time (user + system) of that run in brackets: on a busy machine "
        f"the CPU time is the steadier figure. Memory is the peak RSS of the largest process (see the tables).",
        "",
    ]
    if data["validation"]:
        lines += [
            "## Validation",
            "",
            "| N specs | spec MB | `mlfolio validate`, wall (CPU) s | its peak RSS (MB) | in-process `check_paths`, wall (CPU) s "
            "| same, cycle collector off (s) | of which YAML / schema / rules (s) | `check-jsonschema`, wall (CPU) s |",
            "|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for v in data["validation"]:
            b = v["breakdown_s"]
            cjs = v["check_jsonschema"]
            lines.append(
                f"| {v['n']} | {v['spec_mb']:.1f} | {v['cli']['seconds']:.2f} ({v['cli']['cpu_seconds']:.2f}) | {v['cli']['peak_rss_mb']:.0f} "
                f"| {v['in_process_s']:.2f} ({v['in_process_cpu_s']:.2f}) | {v['in_process_nogc_s']:.2f} "
                f"| {b['yaml_load']:.2f} / {b['json_schema']:.2f} / {b['rules']:.3f} | {_wall_cpu(cjs)} |"
            )
        lines += [
            "",
            "`check-jsonschema` is shown for scale only: it checks the JSON Schema alone (no stage requirements, "
            "no cross-field rules such as metric and baseline references, unique ids or id = file name), "
            "reports no line numbers for most errors, and reads YAML with its own parser.",
            "",
        ]
    if data["site"]:
        lines += [
            "## Site",
            "",
            "| N projects | pages | `mkdocs build`, wall (CPU) s | peak memory MB, largest process (all processes) "
            "| same build in one process (`workers: 1`), wall (CPU) s | its peak memory MB | site MB | files | search index MB (gzip) "
            "| plain build of the same Markdown, wall (CPU) s | plain peak memory MB | plugin overhead in one process, wall (CPU) s | plugin `on_files` in-process (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in data["site"]:
            if "plugin" not in s:
                lines.append(f"| {s['n']} | build failed: see below | | | | | | | | | | | |")
                continue
            p, o, q = s["plugin"], s.get("one_process"), s.get("plain")
            overhead = {"seconds": o["seconds"] - q["seconds"], "cpu_seconds": o["cpu_seconds"] - q["cpu_seconds"]} if o and q else None
            lines.append(
                f"| {s['n']} | {p['html_pages']} | {_wall_cpu(p, 1)} | {p['peak_rss_mb']:.0f} ({fmt(p.get('peak_total_mb'), 0)}) "
                f"| {_wall_cpu(o, 1)} | {fmt(o['peak_rss_mb'] if o else None, 0)} | {p['site_mb']:.1f} | {p['files']} "
                f"| {fmt(p['search_index_mb'], 1)} ({fmt(p['search_index_gzip_mb'], 1)}) | {_wall_cpu(q, 1)} | {fmt(q['peak_rss_mb'] if q else None, 0)} "
                f"| {_wall_cpu(overhead, 1)} | {fmt(s['capture']['on_files_s'])} |"
            )
        lines += [
            "",
            "All builds use `--strict` and the repository's mkdocs.yml (material theme, search, tags). `mkdocs build` is "
            "what a user runs: from 300 pages the plugin renders and converts project pages on every core (forked workers, "
            "whose CPU time is included). The one-process build is the same with `workers: 1`"
            + (", and its site is byte-identical" if all(s.get("one_process", {}).get("same_site") for s in data["site"] if "plugin" in s) else "")
            + ". The plain build is the Markdown the plugin generates, written to disk as ordinary files, built with the "
            "plugin disabled; the overhead compares it with the one-process build. `on_files` is the plugin's work (check "
            "every spec, analyse, render every page with Jinja) timed in-process. Peak memory is the largest process's RSS; "
            "in brackets, the sampled peak PSS of all processes of the build together.",
            "",
        ]
        for s in data["site"]:
            for key in ("error", "plain_error"):
                if key in s:
                    lines += [f"Build failed at N={s['n']} ({'plugin' if key == 'error' else 'plain'} build):", "", "```", s[key], "```", ""]
    lines += ["## Against the targets", ""]
    for v in data["validation"]:
        if v["n"] == 1000:
            seconds = v["cli"]["seconds"]
            verdict = "met" if seconds < TARGET_VALIDATE_S * 0.75 else ("under 2 s, but not well under" if seconds < TARGET_VALIDATE_S else "NOT met")
            lines.append(f"- Validate 1,000 specs well under {TARGET_VALIDATE_S:g} s: {seconds:.2f} s end to end "
                         f"({v['in_process_s']:.2f} s in-process), {seconds / TARGET_VALIDATE_S:.1f}× the target: {verdict}.")
    for s in data["site"]:
        if s["n"] == 1000 and "plugin" in s:
            p = s["plugin"]
            runs = sorted(p.get("runs") or [p["seconds"]])
            over = statistics.median(runs) / TARGET_SITE_S - 1  # judged by the typical run, not the best
            verdict = "met" if over <= 0.1 else f"NOT met ({100 * over:.0f}% over)"
            spread = f" (median {statistics.median(runs):.0f} s, {runs[0]:.0f}–{runs[-1]:.0f} s over {len(runs)} runs)" if len(runs) > 1 else ""
            lines.append(f"- A 1,000-project site in about {TARGET_SITE_S:g} s on {data['environment']['cpus']} cores: {p['seconds']:.0f} s{spread}: {verdict}."
                         + (f" In one process: {s['one_process']['seconds']:.0f} s." if "one_process" in s else "")
                         + (f" The same pages without the plugin, in MkDocs' single process: {s['plain']['seconds']:.0f} s." if "plain" in s else ""))
            lines.append(f"- Well under GitHub Pages' 1 GB: {p['site_mb']:.0f} MB ({100 * p['site_mb'] / PAGES_LIMIT_MB:.0f}% of the limit): "
                         f"{'met' if p['site_mb'] < PAGES_LIMIT_MB / 2 else 'NOT met'}.")
    if lines[-1] == "":
        lines.append("- (no 1,000-spec figures in this run)")
    return "\n".join(lines).rstrip() + "\n"


def environment() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": f"Python {platform.python_version()}", "system": platform.system(),
        **{name: version(name) for name in ("mlfolio", "mkdocs", "mkdocs-material", "jsonschema", "jsonschema-rs",
                                            "check-jsonschema", "PyYAML")},
        "commit": _commit(),
    }


def _commit() -> str | None:
    """The checkout's commit, marked "+changes" when the code or schema differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "schemas", "mkdocs.yml"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="portfolio sizes, comma-separated (default: 10,100,1000); "
                        "validation runs for sizes >= 100, site builds for all")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="output directory (default: bench/out/)")
    parser.add_argument("--skip-site", action="store_true", help="only benchmark validation")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per validation figure, best taken (default: 3)")
    parser.add_argument("--site-repeat", type=int, help="timed runs per site build, best taken (default: 3 up to N=100, 1 above)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the synthetic specs (default: 1)")
    parser.add_argument("--profile", action="store_true", help="also write cProfile listings of the in-process check "
                        "(largest size) and of `mkdocs build` (N=100) into the output directory")
    args = parser.parse_args(argv)

    try:
        sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    except ValueError:
        parser.error("--sizes: comma-separated integers, e.g. 10,100,1000")
    if not sizes or min(sizes) < 1 or max(sizes) > 9999:
        parser.error("--sizes: between 1 and 9999")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    env = environment()  # before generating: the load average should not count our own work
    step(f"generating {max(sizes)} synthetic specs")
    spec_stats = make_specs(out, sizes, args.seed)
    data: dict[str, Any] = {
        "date": dt.date.today().isoformat(), "environment": env, "specs": spec_stats,
        "repeat": args.repeat, "site_repeat": args.site_repeat, "validation": [], "site": [], "profiles": [],
    }

    for n in [n for n in sizes if n >= 100] or [max(sizes)]:
        step(f"validation, N={n}")
        data["validation"].append(measure_validation(out / f"n{n}", n, args.repeat))

    failed = False
    if not args.skip_site:
        for n in sizes:
            step(f"site build, N={n}")
            repeat = args.site_repeat or (3 if n <= 100 else 1)
            result = measure_site(out / f"n{n}", n, repeat)
            failed |= "error" in result or "plain_error" in result
            data["site"].append(result)
            if "error" in result:
                step(f"site build failed at N={n}; not trying larger sizes")
                break

    if args.profile:
        step("profiling")
        check_at = out / f"n{data['validation'][-1]['n']}" if data["validation"] else None
        site_at = out / "n100" if (not args.skip_site and 100 in sizes and not failed) else None
        data["profiles"] = profile(out, check_at, site_at)

    text = report(data)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(text)
    step(f"wrote {out / 'results.md'} and results.json" + (f", {', '.join(data['profiles'])}" if data["profiles"] else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
