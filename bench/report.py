"""The benchmark's results as Markdown: the machine, one table per measurement, the targets."""

from __future__ import annotations

from typing import Any

# The targets (issue: numbers in bench/).
VALIDATE_SPEEDUP = 25.0  # mlfolio validate vs check-jsonschema, 1,000 specs
BUILD_S = {100: 3.0, 1000: 20.0}  # mkdocs build --strict, median wall time
LINEAR_SLACK = 1.25  # the cost per project from 100 to 1,000 projects may exceed that from 10 to 100 by this factor
PEAK_MB = 300.0
SITE_MB = 120.0
PLUGIN_SHARE = 0.30
PREVIEW_S = {100: 1.0, 1000: 3.0}  # save-to-served, median


def _spread(s: dict[str, Any], digits: int = 2) -> str:
    """Median (min–max) of a summary."""
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def machine(data: dict[str, Any]) -> str:
    env = data["environment"]
    v = env["versions"]
    load = env["load_average_at_start"]
    load_text = f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}" if load else "unknown"
    end = data.get("load_average_at_end")
    versions = ", ".join(f"{name} {v[name]}" for name in ("mkdocs", "mkdocs-material", "Jinja2", "cmarkgfm", "nh3", "jsonschema",
                                                          "jsonschema-rs", "check-jsonschema", "PyYAML"))
    if "load_averages" in data:  # pooled runs (bench/combine.py)
        each = data["load_averages"]
        load_part = (f"1-minute load average at the start of each run {', '.join(f'{x:.1f}' for x in each['start'])}, "
                     f"at the end {', '.join(f'{x:.1f}' for x in each['end'] if x is not None)}")
    else:
        load_part = f"load average (1/5/15 min) {load_text} at the start" + (f", {end:.1f} (1 min) at the end" if end is not None else "")
    return (f"{data['date']}, commit {env['commit'] or 'unknown'}; {env['cpus']} cores, {env['system']}, Python {env['python']}; "
            f"{load_part}; {versions}.")


def validation_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| N specs | spec MB | `mlfolio validate` s | its CPU s | its peak RSS MB | in-process `check_paths` s "
             "| of which YAML / schema / rules s | `check-jsonschema` s | `mlfolio validate` faster by |",
             "|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for v in rows:
        st, cjs = v["steps"], v["check_jsonschema"]
        speedup = f"{v['speedup']:.1f}×" if cjs else "—"
        lines.append(f"| {v['n']} | {v['spec_mb']:.1f} | {_spread(v['cli']['wall'])} | {v['cli']['cpu']['median']:.2f} "
                     f"| {v['cli']['peak_rss_mb']:.0f} | {_spread(v['in_process'])} "
                     f"| {st['yaml_load']['median']:.2f} / {st['json_schema']['median']:.2f} / {st['rules']['median']:.3f} "
                     f"| {_spread(cjs['wall']) if cjs else '—'} | {speedup} |")
    return lines


def build_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| N projects | pages | `mkdocs build --strict` s | its CPU s | peak RSS MB | site MB | files | search index MB (gzip) "
             "| plain build of the same pages s | plugin's share (by CPU) | two builds identical |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for b in rows:
        p, q = b["plugin"], b["plain"]
        lines.append(f"| {b['n']} | {p['html_pages']} | {_spread(p['wall'])} | {p['cpu']['median']:.2f} | {p['peak_rss_mb']:.0f} "
                     f"| {p['site_mb']:.1f} | {p['files']} | {p['search_index_mb']:.2f} ({p['search_index_gzip_mb']:.2f}) "
                     f"| {_spread(q['wall'])} | {100 * b['plugin_share']:.0f}% ({100 * b['plugin_share_cpu']:.0f}%) "
                     f"| {_yes(not b['differ_between_builds'])} |")
    return lines


PROFILE_PARTS = [
    ("loading_and_validation", "loading and validating the specs (`load_portfolio`)"),
    ("page_contexts", "page contexts (`PageBuilder`)"),
    ("jinja_rendering", "Jinja rendering (`render_page`, without free text)"),
    ("free_text_markdown", "free-text Markdown (cmark-gfm + nh3)"),
    ("projects_json", "`projects.json`"),
    ("plugin_other", "the rest (schema, settings, handing pages to MkDocs)"),
]


def profile_table(prof: dict[str, Any]) -> list[str]:
    s = prof["seconds"]
    lines = ["| part of the profiled build | s | share of the plugin | share of the build |", "|---|---:|---:|---:|"]
    for key, label in PROFILE_PARTS:
        lines.append(f"| {label} | {s[key]:.2f} | {100 * s[key] / s['plugin']:.0f}% | {100 * s[key] / s['build']:.0f}% |")
    lines.append(f"| **the plugin** (`on_config`, `on_files`) | {s['plugin']:.2f} | 100% | {100 * s['plugin'] / s['build']:.0f}% |")
    for key, label in (("search_sections", "search sections of the pages (`on_page_context`, in both builds)"),
                       ("mkdocs_pages", "MkDocs: theme templates and writing the pages (`_build_page`, in both builds)")):
        lines.append(f"| {label} | {s[key]:.2f} | | {100 * s[key] / s['build']:.0f}% |")
    lines.append(f"| **the whole build** (`mkdocs.commands.build.build`) | {s['build']:.2f} | | 100% |")
    return lines


def preview_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| N projects | first page served after start, s | save-to-served s, median (min–max) | edits | errors in the server log |",
             "|---:|---:|---:|---:|---:|"]
    for r in rows:
        startup = f"{r['startup_s']:.1f}" if "startup_s" in r else "—"
        served = r.get("save_to_served")
        done = len(served["runs"]) if served else 0
        lines.append(f"| {r['n']} | {startup} | {_spread(served) if served else '—'} | {done} of {r['edits']} | {r['log_errors']} |")
        if "error" in r:
            lines.append(f"| | failed: {r['error']} | | | |")
    return lines


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with what was measured and whether it is met (None: not measured in this run)."""
    out: list[dict[str, Any]] = []
    val = {v["n"]: v for v in data["validation"]}
    builds = {b["n"]: b for b in data["build"]}
    preview = {p["n"]: p for p in data["preview"]}

    def add(name: str, measured: str | None, met: bool | None) -> None:
        out.append({"target": name, "measured": measured or "not measured", "met": met})

    v = val.get(1000)
    if v and v["check_jsonschema"]:
        add(f"`mlfolio validate` ≥ {VALIDATE_SPEEDUP:g}× faster than `check-jsonschema` on 1,000 specs",
            f"{v['speedup']:.1f}× (median {v['cli']['wall']['median']:.2f} s vs {v['check_jsonschema']['wall']['median']:.1f} s)",
            v["speedup"] >= VALIDATE_SPEEDUP)
    else:
        add(f"`mlfolio validate` ≥ {VALIDATE_SPEEDUP:g}× faster than `check-jsonschema` on 1,000 specs", None, None)
    for n, limit in sorted(BUILD_S.items(), reverse=True):
        b = builds.get(n)
        add(f"{n:,} projects built in ≤ {limit:g} s", f"median {_spread(b['plugin']['wall'])} s" if b else None,
            b["plugin"]["wall"]["median"] <= limit if b else None)
    sizes = sorted(builds)
    if len(sizes) >= 3:
        (a, b, c) = sizes[-3:]
        cost = {n: builds[n]["plugin"]["cpu"]["median"] for n in (a, b, c)}
        early, late = (cost[b] - cost[a]) / (b - a), (cost[c] - cost[b]) / (c - b)
        add("build time linear in projects",
            f"CPU time per added project {1000 * early:.1f} ms from {a} to {b}, {1000 * late:.1f} ms from {b} to {c:,}",
            late <= LINEAR_SLACK * early)
    else:
        add("build time linear in projects", None, None)
    top = builds.get(1000)
    add(f"peak memory ≤ {PEAK_MB:g} MB (1,000 projects)", f"{top['plugin']['peak_rss_mb']:.0f} MB" if top else None,
        top["plugin"]["peak_rss_mb"] <= PEAK_MB if top else None)
    add(f"site ≤ {SITE_MB:g} MB (1,000 projects)", f"{top['plugin']['site_mb']:.1f} MB, {top['plugin']['files']:,} files" if top else None,
        top["plugin"]["site_mb"] <= SITE_MB if top else None)
    add(f"the plugin ≤ {100 * PLUGIN_SHARE:.0f}% of the build (1,000 projects)",
        f"{100 * top['plugin_share']:.0f}% of the wall time ({top['plugin_s']:.1f} s), {100 * top['plugin_share_cpu']:.0f}% of the CPU time"
        if top else None, top["plugin_share"] <= PLUGIN_SHARE if top else None)
    for n, limit in sorted(PREVIEW_S.items()):
        p = preview.get(n)
        got = p.get("save_to_served") if p else None
        add(f"preview: a saved spec served in ≤ {limit:g} s at {n:,} projects", f"median {_spread(got)} s" if got else None,
            got["median"] <= limit and "error" not in p if got and p else (False if p else None))
    if builds:
        add("two builds of the same input give identical sites",
            "identical at " + ", ".join(f"{n:,}: {'yes' if not b['differ_between_builds'] else 'no'}" for n, b in sorted(builds.items())),
            all(not b["differ_between_builds"] for b in builds.values()))
    return out


def report(data: dict[str, Any]) -> str:
    settings = data["settings"]
    lines = ["# mlfolio benchmark", "", machine(data), ""]
    specs = data["specs"]
    lines += [f"Synthetic specs (bench/synth.py, seed {specs['seed']}) from {len(specs['examples'])} examples: "
              f"{specs['lines_min']}–{specs['lines_max']} lines (median {specs['lines_median']:g}) at N={specs['n']:,}. "
              f"Times are the median of {settings['repeat']} runs (validation: {settings['validate_repeat']})"
              + (f", pooled from {settings['pooled_from']} runs of the benchmark" if settings.get("pooled_from") else "")
              + ", min–max in brackets; CPU time is user + system of the command.", ""]
    if data["validation"]:
        lines += ["## Validation", "", *validation_table(data["validation"]), ""]
    if data["build"]:
        lines += ["## Site build", "", *build_table(data["build"]), "",
                  "The plain build is MkDocs + Material building the same finished pages with the plugin removed "
                  "(bench/plain_hooks.py); the plugin's share is (plugin build − plain build) / plugin build, from the medians. "
                  "Plain site identical to the plugin's: "
                  + ", ".join(f"{b['n']:,}: {'yes' if not b['differ_from_plain'] else 'no'}" for b in data["build"]) + ".", ""]
    if data.get("profile"):
        prof = data["profile"]
        several = f", median of {prof['runs']} profiled builds" if prof.get("runs", 1) > 1 else ""
        lines += [f"## Where the plugin's time goes (cProfile, {prof['n']:,} projects{several})", "", *profile_table(prof), "",
                  f"Under cProfile the build took {prof['wall_s']:.1f} s; profiled seconds overstate pure-Python code. "
                  f"Listing: `{prof['listing']}`.", ""]
    if data["preview"]:
        lines += ["## Preview (`mkdocs serve --dirty`)", "", *preview_table(data["preview"]), ""]
    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in data["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'—' if t['met'] is None else _yes(t['met'])} |")
    return "\n".join(lines).rstrip() + "\n"
