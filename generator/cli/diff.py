"""``mlfolio diff BASE HEAD``: what a change to the specs means, as Markdown for a pull request.

Each side is a directory of specs or a git revision. A revision's specs (the ``*.yaml`` and
``*.yml`` files directly in the spec directory) and its ``schemas/project.schema.json`` are
read with git into a temporary directory, so each side is judged by its own schema (the
packaged one when the revision has none). A directory is judged by the working tree's
``schemas/project.schema.json`` if there is one, else the packaged schema. A directory wins
over a revision of the same name.

Both sides are checked and analysed exactly as ``mlfolio validate`` and the site do, then
compared project by project, matched by id: the verdict and why, the stage, metric targets,
readiness, new warnings, and specs that stop (or start) validating. Text edits that change
none of these are listed in one line.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jsonschema.exceptions import SchemaError

from mlfolio.analysis.compare import (
    AnswerChange,
    MetricChange,
    ProjectChanges,
    ReadinessChange,
    StageMove,
    VerdictChange,
    compare_projects,
)
from mlfolio.analysis.model import Portfolio, Project, load_portfolio
from mlfolio.analysis.verdict import DEFAULT_RULES, Override, Verdict, VerdictRule
from mlfolio.pages.labels import STAGES, VERDICTS
from mlfolio.spec.check import Checker, CheckRun, FileReport
from mlfolio.spec.diagnostics import Diagnostic
from mlfolio.spec.schema import SCHEMA_NAME, SpecSchema, load_schema
from mlfolio.spec.values import format_value

SCHEMA_FILE = f"schemas/{SCHEMA_NAME}"
MAX_ERROR_LINES = 5
_FILE_MODES = ("100644", "100755")  # regular files in a git tree (not links or submodules)
_NO_GIT = 127


class DiffError(Exception):
    """A side that cannot be read: neither a directory nor a git revision, or an unusable schema."""


# -- Markdown ---------------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")


def md(text: object) -> str:
    """User text as inline Markdown: whitespace collapsed to single spaces, markup escaped, and no
    ``@name`` that GitHub would turn into a mention (and a notification) when the report is posted
    on a pull request: a word joiner (U+2060, invisible) follows every ``@``."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split())).replace("@", "@\u2060")


def code(text: object, table: bool = False) -> str:
    """``text`` as an inline code span, whatever backticks it holds (``|`` escaped in a table)."""
    text = " ".join(str(text).split())
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    pad = " " if ticks else ""
    out = f"{'`' * (ticks + 1)}{pad}{text}{pad}{'`' * (ticks + 1)}"
    return out.replace("|", "\\|") if table else out


def _label(name: str) -> str:
    """A stage or verdict as the site names it, in lower case: ``baseline & prototype``."""
    text = STAGES["en"].get(name) or VERDICTS["en"].get(name) or name.replace("_", " ")
    return md(text.lower())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _value(value: float | None, unit: str) -> str:
    return format_value(value, md(unit), missing="not set")


def _verdict(verdict: Verdict) -> str:
    text = _label(verdict.final)
    if verdict.override:
        return f"{text} (reviewer override; computed: {_label(verdict.computed)})"
    return text if verdict.assessed else f"{text} (not assessed yet)"


def _answer(answer: str) -> str:
    return "not answered" if answer == "missing" else answer


# -- one side's projects, by id -----------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    """One spec file on one side: its report, and its analysed project if it validated."""

    key: str
    report: FileReport
    project: Project | None

    @property
    def title(self) -> str:
        if self.project is not None:
            return self.project.title
        data = self.report.loaded.data
        title = data.get("title") if isinstance(data, dict) else None
        return title if isinstance(title, str) and title.strip() else self.key

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.report.diagnostics if d.is_error]

    @property
    def name(self) -> str:
        return f"{md(self.title)} ({code(self.key)})"


def _entries(portfolio: Portfolio) -> dict[str, _Entry]:
    """Every file of the run, keyed by project id.

    A valid spec's id is its file stem (validation insists), so a broken spec is keyed by its
    stem too: its id may be unreadable, or be the very thing that is wrong.
    """
    projects = {p.file: p for p in portfolio.projects}
    out: dict[str, _Entry] = {}
    for report in portfolio.run.reports:
        project = projects.get(report.file)
        key = project.id if project is not None else report.path.stem
        key = key if key not in out else report.file  # `x.yaml` beside `x.yml`
        out[key] = _Entry(key, report, project)
    return out


# -- comparing one project (the comparison itself is mlfolio.analysis.compare) ------------------

EVIDENCE_CHARS = 300  # of the new evidence shown beside a changed answer; the page has it all


def _evidence(change: AnswerChange) -> str:
    """`` — evidence: …`` for a changed answer, the evidence cut at a word, with its source link."""
    text = " ".join(change.evidence.split())
    if len(text) > EVIDENCE_CHARS:
        text = text[:EVIDENCE_CHARS].rsplit(" ", 1)[0] + " …"
    source = f" ([source](<{change.source}>))" if change.source.startswith(("https://", "http://")) and ">" not in change.source else ""
    return f" — evidence: *{md(text)}*{source}" if text else (" — no evidence" if change.now not in ("unknown", "missing") else "")


def _changed_answers(answers: Sequence[AnswerChange]) -> list[str]:
    return [f"  - {md(a.criterion.title)} ({code(a.criterion.ref)}): {_answer(a.was)} → **{_answer(a.now)}**{_evidence(a)}"
            for a in answers]


def _decided_by(verdict: Verdict) -> str:
    what = "Computed verdict decided by" if verdict.override else "Decided by"
    if verdict.rule is None:
        return f"  - {what} no rule: none matched, so it is {_label(verdict.computed)}."
    hits = "; ".join(f"{md(a.criterion.title)} ({code(a.criterion.ref)}) is {_answer(a.answer)}" for a in verdict.decided_by)
    reason = f" *{md(verdict.rule.reason)}*" if verdict.rule.reason else ""
    return f"  - {what}: {hits}.{reason}"


def _override_lines(old: Override | None, new: Override | None) -> list[str]:
    if old == new:
        return []
    if new is None:
        assert old is not None  # the two differ
        return [f"- Reviewer override removed (it set {_label(old.verdict)}): the computed verdict applies."]
    when = f" on {md(new.date)}" if new.date else ""
    verb = "added" if old is None else f"changed (was {_label(old.verdict)})"
    return [f"- Reviewer override {verb}: {_label(new.verdict)}, by {md(new.reviewer)}{when}: {md(new.reason)}"]


def _verdict_lines(change: VerdictChange | None) -> list[str]:
    if change is None:
        return []
    old, new = change.old, change.new
    answers = _changed_answers(change.answers)
    lines = []
    if change.final_changed:
        by = " (the reviewer's override)" if new.override else ""
        lines.append(f"- **Verdict:** {_label(old.final)} → **{_label(new.final)}**{by}")
    if change.computed_changed and (old.override or new.override):
        still = f"; the reviewer's override ({_label(new.final)}) still decides" if new.override and not lines else ""
        lines.append(f"- **Computed verdict:** {_label(old.computed)} → **{_label(new.computed)}**{still}")
    if not lines and answers:
        lines.append(f"- Feasibility answers changed; the verdict stays {_label(new.final)}:")
    why = [*answers, _decided_by(new)] if lines and change.decisive_moved else []
    return [*lines, *why, *_override_lines(old.override, new.override)]


def _stage_lines(move: StageMove | None) -> list[str]:
    if move is None:
        return []
    way = f" ({move.direction})" if move.direction else ""
    return [f"- **Stage:** {_label(move.old)} → **{_label(move.new)}**{way}"]


def _target_cell(change: MetricChange) -> str:
    a, b = change.old, change.new
    cell = f"{_value(a.target, a.unit)} → **{_value(b.target, b.unit)}**" if change.target_changed else _value(b.target, b.unit)
    if change.ambition:
        cell += f", {change.ambition} ambitious"
    return cell


def _metric_row(change: MetricChange) -> str:
    a, b = change.old, change.new
    current = _value(b.current, b.unit) if not change.current_changed else f"{_value(a.current, a.unit)} → {_value(b.current, b.unit)}"
    word = {"maximize": "higher", "minimize": "lower"}
    better = word.get(b.direction, md(b.direction))
    better = better if not change.direction_changed else f"{word.get(a.direction, md(a.direction))} → **{better}**"
    return f"| {code(b.id, table=True)} {md(b.name)} | {_target_cell(change)} | {current} | {better} |"


def _metric_lines(changes: ProjectChanges) -> tuple[list[str], list[str]]:
    """A table of changed metrics, and bullets for metrics added and removed."""
    rows = [_metric_row(c) for c in changes.metrics]
    table = ["| Metric | Target | Current | Better |", "|---|---|---|---|", *rows] if rows else []
    bullets = [
        f"- Metric added: {code(m.id)} {md(m.name)}, target {_value(m.target, m.unit)}, "
        f"{'higher' if m.direction == 'maximize' else 'lower'} is better"
        for m in changes.metrics_added
    ]
    bullets += [f"- Metric removed: {code(m.id)} {md(m.name)}" for m in changes.metrics_removed]
    return table, bullets


def _readiness_lines(change: ReadinessChange | None) -> list[str]:
    if change is None:
        return []
    a, b = change.old, change.new
    trend = change.trend
    toward = f"toward {_label(b.target)}" if b.target != b.stage else f"of what {_label(b.stage)} requires"
    if not change.comparable:
        # Measured against another stage now: the lists are not comparable, so say so instead.
        was_toward = f"toward {_label(a.target)}" if a.target != a.stage else f"of what {_label(a.stage)} requires"
        return [f"- **Readiness {trend}:** {a.percent}% ({was_toward}) → **{b.percent}%** ({toward})"]
    lines = [f"- **Readiness {trend}:** {a.percent}% → **{b.percent}%** ({toward})"]
    missing = [md(title) for title in change.newly_missing]
    filled = [md(title) for title in change.filled]
    lines += [f"  - Now missing: {', '.join(missing)}"] if missing else []
    lines += [f"  - Now filled in: {', '.join(filled)}"] if filled else []
    return lines


def _key(d: Diagnostic) -> tuple[str, str, str]:
    return (d.rule, d.path, d.message)


def _describe(d: Diagnostic) -> str:
    where = f" at {code(d.path)}" if d.path else ""
    return f"{where}: {md(d.message)} ({code(d.rule)})"


def _warning_lines(changes: ProjectChanges) -> list[str]:
    lines = [f"- **New warning**{_describe(d)}" for d in changes.warnings_new]
    return lines + [f"- Warning resolved{_describe(d)}" for d in changes.warnings_resolved]


def _compare(old: Project, new: Project, stages: Sequence[str]) -> list[list[str]]:
    """What changed, as chunks of Markdown lines (bullets, or a table); empty when nothing that matters did."""
    changes = compare_projects(old, new, stages)
    table, metric_bullets = _metric_lines(changes)
    first = _verdict_lines(changes.verdict) + _stage_lines(changes.stage)
    if changes.title:
        first.append(f"- Title: {md(changes.title[0])} → {md(changes.title[1])}")
    if changes.team:
        first.append(f"- Team: {md(changes.team[0])} → {md(changes.team[1])}")
    if changes.owners:
        moved = [f"{sign} {', '.join(md(name) for name in names)}"
                 for sign, names in (("added", changes.owners.added), ("removed", changes.owners.removed)) if names]
        first.append(f"- Owners: {'; '.join(moved) or 'reordered'} (now: {', '.join(md(n) for n in changes.owners.new) or 'none'})")
    rest = metric_bullets + _readiness_lines(changes.readiness) + _warning_lines(changes)
    return [chunk for chunk in (first, table, rest) if chunk]


def _error_block(entry: _Entry) -> list[str]:
    lines = [" ".join(d.format().split()) for d in entry.errors[:MAX_ERROR_LINES]]
    if len(entry.errors) > MAX_ERROR_LINES:
        lines.append(f"... and {len(entry.errors) - MAX_ERROR_LINES} more")
    fence = "`" * max(3, 1 + max((len(r) for line in lines for r in re.findall(r"`+", line)), default=0))
    return [f"{fence}text", *lines, fence]


def _broken_chunks(old: _Entry, new: _Entry) -> list[list[str]] | None:
    """Chunks for a project broken on either side; ``None`` when it validates on both."""
    n, was = len(new.errors), len(old.errors)
    file = code(new.report.file)
    if new.project is None and old.project is None:
        if {_key(d) for d in old.errors} == {_key(d) for d in new.errors}:
            return []
        text = (f"**Still does not validate:** {_plural(n, 'error')} in {file} after this change ({was} before). "
                "The other comparisons are skipped until it does.")
    elif new.project is None:
        text = (f"**No longer validates:** {_plural(n, 'error')} in {file} after this change. "
                "The other comparisons are skipped until it does.")
    elif old.project is None:
        p = new.project
        return [[f"**Validates again** (it had {_plural(was, 'error')}). "
                 f"Now at stage {_label(p.stage)}, verdict {_verdict(p.verdict)}, readiness {p.readiness.percent}%."]]
    else:
        return None
    return [[text], _error_block(new)]


# -- the whole change ---------------------------------------------------------------------------

def _added(entries: list[_Entry]) -> list[str]:
    if not entries:
        return []
    rows = ["| Project | Stage | Verdict | Readiness |", "|---|---|---|---|"]
    blocks: list[str] = []
    for e in entries:
        name = f"{md(e.title)} ({code(e.key, table=True)})"
        if e.project is None:
            rows.append(f"| {name} | | **does not validate** ({_plural(len(e.errors), 'error')}) | |")
            blocks += ["", f"{code(e.report.file)} does not validate:", "", *_error_block(e)]
            continue
        p = e.project
        rows.append(f"| {name} | {_label(p.stage)} | {_verdict(p.verdict)} | {p.readiness.percent}% |")
    return ["### Added", "", *rows, *blocks]


def _removed(entries: list[_Entry]) -> list[str]:
    if not entries:
        return []
    lines = ["### Removed", ""]
    for e in entries:
        p = e.project
        what = "did not validate" if p is None else f"was at stage {_label(p.stage)}, verdict {_verdict(p.verdict)}"
        lines.append(f"- {e.name}: {what}")
    return lines


def _summary(changed: int, added: int, removed: int, verdicts: int, failing: int) -> str:
    if not (changed or added or removed):
        return "No project specs changed."
    text = f"{_plural(changed, 'project')} changed, {added} added, {removed} removed. {_plural(verdicts, 'verdict')} changed."
    if failing:
        text += f" {_plural(failing, 'spec')} {'does' if failing == 1 else 'do'} not validate."
    return text


def _join(chunks: list[list[str]]) -> str:
    return "\n\n".join("\n".join(chunk) for chunk in chunks if chunk)


def diff_runs(before: Portfolio, after: Portfolio, stages: Sequence[str] | None = None) -> str:
    """The Markdown summary of going from ``before`` to ``after``. ``stages``: their order (default: the packaged schema's)."""
    stages = tuple(load_schema().stages if stages is None else stages)
    old, new = _entries(before), _entries(after)
    added = [new[k] for k in sorted(new.keys() - old.keys())]
    removed = [old[k] for k in sorted(old.keys() - new.keys())]
    blocks, edited, verdicts, failing = [], [], 0, sum(e.project is None for e in added)
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        chunks = _broken_chunks(a, b)
        if chunks is None:
            assert a.project is not None and b.project is not None  # _broken_chunks: it validates on both sides
            chunks = _compare(a.project, b.project, stages)
            verdicts += a.project.verdict.final != b.project.verdict.final
            if not chunks and a.project.data != b.project.data:
                edited.append(b.name)
        failing += bool(chunks) and b.project is None
        if chunks:
            named = b if b.project is not None or a.project is None else a
            blocks.append(_join([[f"### {named.name}"], *chunks]))
    summary = _summary(len(blocks) + len(edited), len(added), len(removed), verdicts, failing)
    tail = [f"Also edited, with no change to verdict, stage, metrics, readiness or warnings: {', '.join(edited)}."] if edited else []
    return _join([["## mlfolio: what this change means"], [summary], _added(added), _removed(removed), *[[b] for b in blocks], tail]) + "\n"


# -- reading a side: a directory or a git revision ----------------------------------------------

def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError:  # git is not installed
        return subprocess.CompletedProcess(["git", *args], _NO_GIT, b"", b"")


def _revision(source: str) -> tuple[str, Path]:
    """The commit ``source`` names, and the repository's top directory."""
    problem = f"'{source}' is neither a directory nor a git revision"
    top = _git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        why = "git is not installed" if top.returncode == _NO_GIT else "the current directory is not in a git repository"
        raise DiffError(f"{problem} (and {why})")
    found = _git("rev-parse", "--verify", "--quiet", f"{source}^{{commit}}") if not source.startswith("-") else None
    if found is None or found.returncode != 0:
        raise DiffError(problem)
    return found.stdout.decode().strip(), Path(top.stdout.decode().strip())


def _in_repo(top: Path, relative: str) -> str:
    """``relative`` (to the current directory) as a path from the top of the repository."""
    try:
        inside = (Path.cwd() / relative).resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise DiffError(f"'{relative}' is outside the git repository") from None
    return "" if inside == "." else inside


def _export(commit: str, top: Path, specs: str, target: Path) -> bool:
    """Write the spec files of ``specs`` at ``commit`` under ``target``; False if there is no such directory."""
    listing = _git("ls-tree", "-z", f"{commit}:{specs}", cwd=top)
    if listing.returncode != 0:
        return False
    target.mkdir(parents=True, exist_ok=True)
    for entry in filter(None, listing.stdout.split(b"\0")):
        meta, _, name = entry.decode("utf-8", "surrogateescape").partition("\t")
        mode, kind, obj = meta.split()
        if kind != "blob" or mode not in _FILE_MODES or Path(name).suffix not in (".yaml", ".yml"):
            continue
        (target / name).write_bytes(_git("cat-file", "blob", obj, cwd=top).stdout)
    return True


def _schema_at(commit: str, top: Path, source: str, target: Path) -> SpecSchema:
    shown = _git("cat-file", "blob", f"{commit}:{_in_repo(top, SCHEMA_FILE)}", cwd=top)
    if shown.returncode != 0:
        return load_schema()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(shown.stdout)
    return _usable(target, f"{SCHEMA_FILE} at '{source}'")


def _usable(path: Path | None, where: str) -> SpecSchema:
    try:
        schema = load_schema(path)
        Checker(schema)
    except (ValueError, KeyError, TypeError, SchemaError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DiffError(f"{where} is not a usable schema: {reason}") from None
    return schema


def _side(source: str, specs: str, tmp: Path, rules: Sequence[VerdictRule]) -> tuple[Portfolio | None, SpecSchema]:
    """The analysed specs of one side (``None``: a revision without the spec directory), and its schema."""
    if Path(source).is_dir():
        local = Path(SCHEMA_FILE)
        schema = _usable(local.resolve(), SCHEMA_FILE) if local.is_file() else load_schema()
        return load_portfolio([Path(source)], schema, rules), schema
    commit, top = _revision(source)
    schema = _schema_at(commit, top, source, tmp / "schema" / SCHEMA_NAME)
    folder = _in_repo(top, specs)
    target = tmp / "tree" / folder
    if not _export(commit, top, folder, target):
        return None, schema
    return load_portfolio([target], schema, rules, root=tmp / "tree"), schema


def diff_sources(base: str, head: str, specs: str = "projects", rules: Sequence[VerdictRule] = DEFAULT_RULES) -> str:
    """Markdown saying what going from ``base`` to ``head`` (directories or git revisions) means,
    with verdicts decided by ``rules`` (the site's, from ``mkdocs.yml``, on both sides)."""
    with tempfile.TemporaryDirectory(prefix="mlfolio-diff-") as tmp:
        before, _ = _side(base, specs, Path(tmp) / "base", rules)
        after, schema = _side(head, specs, Path(tmp) / "head", rules)
        if before is None and after is None:
            raise DiffError(f"there is no '{specs}' directory at '{base}' nor at '{head}'")
        empty = Portfolio((), CheckRun(()))
        return diff_runs(before or empty, after or empty, stages=schema.stages)


__all__ = ["DiffError", "diff_runs", "diff_sources", "md"]
