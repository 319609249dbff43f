"""The history of each spec, from the git history of the specs folder, and whether a spec is stale.

The log is read once for the whole folder: one ``git log`` that lists, per commit, the spec
files it changed with their blob ids before and after (``--raw``, renames found with ``-M``),
then one ``git cat-file --batch`` that reads every revision needed. Each revision is checked and
analysed as the site does (a revision that does not validate is marked, and skipped over when
comparing), and consecutive revisions are compared with :mod:`mlfolio.analysis.compare`, the
comparison behind ``mlfolio diff``. A spec's timeline follows its file across renames.

Dates are the committer's (when the change landed), in UTC; names are the author's. Nothing
here prints, and nothing needs a site engine: without git, outside a repository, in a shallow
clone or with a folder git does not track, :func:`read_history` says why in :class:`History`
and every timeline is empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import posixpath
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlfolio.analysis.compare import AnswerChange, compare_projects
from mlfolio.analysis.model import Project, analyse
from mlfolio.analysis.verdict import CriterionAnswer, VerdictRule
from mlfolio.spec.check import SPEC_SUFFIXES, FileReport
from mlfolio.spec.loader import LoadResult, PositionMap, load_bytes
from mlfolio.spec.rules import run_rules
from mlfolio.spec.schema import RETIRED, SpecSchema
from mlfolio.spec.validation import SchemaChecker

#: Days a spec may stay untouched at each stage before it is flagged stale; ``None``: never.
DEFAULT_STALE_AFTER: dict[str, int | None] = {
    "problem_definition": 60, "project_design": 60, "baseline_prototype": 90, "development": 90,
    "deployed": 180, "monitoring": 90, RETIRED: None,
}
#: What a timeline entry can say, in the order the entries of one commit are listed.
KINDS = ("created", "renamed", "invalid", "valid", "stage", "verdict", "target", "observed", "owners", "team", "edited")
#: Kinds a portfolio lead reads in "what changed recently" (not plain edits nor validity).
NOTABLE = ("created", "renamed", "stage", "verdict", "target", "observed", "owners", "team")
DAY = 86_400
_ZERO = "0" * 40
_SEP, _FIELD = b"\x01", b"\x1f"
_GIT_TIMEOUT = 300


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # committer time, seconds since the epoch
    author: str

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def date(self) -> str:
        return utc_date(self.time)


@dataclass(frozen=True)
class Event:
    """One entry of a spec's timeline. Which fields are set depends on ``kind``:

    - ``created``: ``new`` the stage it was created at and ``verdict`` its verdict (both empty
      when the first version did not validate);
    - ``renamed``: ``old`` and ``new`` file names;
    - ``invalid``: the spec does not validate at this commit (``errors`` of them); ``valid``: it does again;
    - ``stage``: ``old`` → ``new`` stage, ``direction`` ``forward``/``backward`` (or empty);
    - ``verdict``: ``old`` → ``new`` final verdict, ``answers`` that changed in this commit,
      ``decided_by`` the answers that decide the new verdict, ``override`` if a reviewer's;
    - ``target``: ``metric`` (id), ``metric_name``, ``unit``, ``old`` → ``new`` target (``old``
      ``None``: a new metric), ``direction`` ``more``/``less`` ambitious (or empty);
    - ``observed``: ``count`` new observations of ``metric`` (``metric_name``, ``unit``), the latest
      now ``new`` (``old``: the latest before, ``None`` if there was none);
    - ``owners``: ``old`` → ``new`` names, ``added`` and ``removed``;
    - ``team``: ``old`` → ``new``;
    - ``edited``: none of the above changed.
    """

    kind: str
    commit: Commit
    old: str | float | None = None
    new: str | float | None = None
    direction: str = ""
    verdict: str = ""
    metric: str = ""
    metric_name: str = ""
    unit: str = ""
    answers: tuple[AnswerChange, ...] = ()
    decided_by: tuple[CriterionAnswer, ...] = ()
    override: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    errors: int = 0
    count: int = 0


@dataclass(frozen=True)
class Timeline:
    """A spec's history, oldest first; every commit that touched the file has at least one event."""

    events: tuple[Event, ...] = ()

    @property
    def last_changed(self) -> Commit | None:
        """The latest commit that touched the spec."""
        return self.events[-1].commit if self.events else None

    @property
    def created(self) -> Commit | None:
        return self.events[0].commit if self.events and self.events[0].kind == "created" else None


@dataclass(frozen=True)
class History:
    """Every spec's timeline, by file name in the specs folder; or why there is none.

    ``reason`` when unavailable: ``git`` (git is not installed), ``repository`` (not in a git
    repository), ``shallow`` (a shallow clone), ``untracked`` (no commit touches the specs
    folder), ``failed`` (git failed; ``detail`` says how)."""

    available: bool
    reason: str = ""
    detail: str = ""
    timelines: Mapping[str, Timeline] = field(default_factory=dict)
    head: str = ""

    def timeline(self, name: str) -> Timeline:
        return self.timelines.get(name) or Timeline()

    @property
    def message(self) -> str:
        """One line for a log, in English; empty when the history is there."""
        if self.available:
            return ""
        why = {
            "git": "git is not installed",
            "repository": "the specs folder is not in a git checkout",
            "shallow": "this is a shallow clone (fetch the full history: `git fetch --unshallow`, "
                       "or `fetch-depth: 0` for actions/checkout)",
            "untracked": "no commit touches the specs folder yet",
            "failed": "git failed",
        }.get(self.reason, self.reason)
        detail = f": {self.detail}" if self.detail else ""
        return f"no git history of the specs ({why}{detail}): pages are built without history, last changed and staleness"

    def recent(self, limit: int | None = 10, kinds: Sequence[str] = NOTABLE) -> list[tuple[str, Event]]:
        """The latest ``limit`` events of ``kinds`` across every spec (``None``: all), newest first: (file name, event)."""
        found = [(name, i, e) for name, t in self.timelines.items() for i, e in enumerate(t.events) if e.kind in kinds]
        found.sort(key=lambda x: (-x[2].commit.time, x[0], x[1]))
        return [(name, e) for name, _, e in found[:limit]]

    def recent_changes(self, limit: int = 10, kinds: Sequence[str] = NOTABLE) -> list[tuple[str, tuple[Event, ...]]]:
        """Like :meth:`recent`, with the entries of one kind in one commit of one spec together
        (a commit that records five metrics' observations is one change): the latest ``limit``."""
        groups: dict[tuple[str, str, str], list[Event]] = {}
        for name, event in self.recent(None, kinds):
            groups.setdefault((name, event.commit.sha, event.kind), []).append(event)
        return [(key[0], tuple(events)) for key, events in list(groups.items())[:limit]]


@dataclass(frozen=True)
class Staleness:
    """How long a spec has been untouched, and the limit of its stage (``None``: no limit, or unknown)."""

    days: int | None = None
    limit: int | None = None

    @property
    def stale(self) -> bool:
        return self.days is not None and self.limit is not None and self.days > self.limit


@dataclass(frozen=True)
class HistoryView:
    """The history as one build sees it: read at ``now`` (seconds), with the stages' limits."""

    history: History
    now: int
    limits: Mapping[str, int | None]

    def timeline(self, project: Project) -> Timeline:
        return self.history.timeline(posixpath.basename(project.file))

    def staleness(self, project: Project) -> Staleness:
        return staleness(project.stage, self.timeline(project), self.now, self.limits)

    def recent(self, limit: int = 10) -> list[tuple[str, tuple[Event, ...]]]:
        """The latest changes across the portfolio, newest first (see :meth:`History.recent_changes`)."""
        return self.history.recent_changes(limit)


def utc_date(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d")


def build_time(environ: Mapping[str, str] | None = None) -> tuple[int, str]:
    """"Now" for staleness, in seconds: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else
    the clock. The second value is a note when ``SOURCE_DATE_EPOCH`` is set but unusable."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if value.isascii() and value.isdigit() and len(value) <= 12:
            return int(value), ""
        return int(time.time()), f"SOURCE_DATE_EPOCH={value[:40]!r} is not a whole number of seconds: the clock is used"
    return int(time.time()), ""


def stale_limits(option: Mapping[str, Any] | None, stages: Sequence[str]) -> dict[str, int | None]:
    """The staleness limit of every stage: the defaults, with ``option`` (stage -> days, or
    ``None`` for never) over them. A stage the schema does not know, or a limit that is not a
    whole number of days (at least 1), raises ``ValueError``."""
    limits = {s: DEFAULT_STALE_AFTER.get(s) for s in stages}
    for stage, days in (option or {}).items():
        if stage not in stages:
            raise ValueError(f"{stage!r} is not a stage (stages: {', '.join(stages)})")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise ValueError(f"{stage}: {days!r} is not a number of days (a whole number, at least 1, or null for never)")
        limits[stage] = days
    return limits


def staleness(stage: str, timeline: Timeline, now: int, limits: Mapping[str, int | None]) -> Staleness:
    """Calendar days (UTC) from the spec's last commit to ``now``, against its stage's limit."""
    last = timeline.last_changed
    days = None if last is None else max(0, now // DAY - last.time // DAY)
    return Staleness(days, limits.get(stage))


# -- reading git ---------------------------------------------------------------------------------

class _GitFailed(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    command = ["git", "--literal-pathspecs", "-c", "log.showSignature=false", "-c", "core.quotePath=false", *args]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, check=False, env=env, timeout=_GIT_TIMEOUT)
    except OSError:
        raise _GitFailed("git") from None
    except subprocess.TimeoutExpired:
        raise _GitFailed("failed", f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitFailed("failed", first[0] if first else f"git {args[0]} exited with {done.returncode}")
    return done.stdout


@dataclass(frozen=True)
class _Change:
    """One spec file in one commit's ``--raw`` listing."""

    commit: Commit
    status: str  # A, M, T, R (D is not followed)
    old_blob: str
    new_blob: str
    old_path: str
    new_path: str


def _parse_log(raw: bytes) -> list[tuple[Commit, list[tuple[str, str, str, str, str]]]]:
    """``git log -z --raw --format=%x01%H%x1f%ct%x1f%an`` as (commit, [(status, old blob, new blob, old path, new path)])."""
    out = []
    for chunk in raw.split(_SEP)[1:]:
        tokens = chunk.split(b"\0")
        sha, time, author = tokens[0].split(_FIELD, 2)
        commit = Commit(sha.decode("ascii"), int(time), author.decode("utf-8", "replace"))
        entries = []
        i = 1
        while i < len(tokens):
            meta = tokens[i].lstrip(b"\n")
            i += 1
            if not meta.startswith(b":"):
                continue
            _, _, old_blob, new_blob, status = meta[1:].decode("ascii").split(" ")
            paths = 2 if status[:1] in ("R", "C") else 1
            names = [t.decode("utf-8", "surrogateescape") for t in tokens[i:i + paths]]
            i += paths
            entries.append((status[:1], old_blob, new_blob, names[0], names[-1]))
        out.append((commit, entries))
    return out


def _read_blobs(top: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """Every blob's content, read by one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    raw = _git(top, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode("ascii"))
    found: dict[str, bytes] = {}
    at = 0
    for blob in wanted:
        end = raw.index(b"\n", at)
        header = raw[at:end].split(b" ")
        at = end + 1
        if len(header) != 3:  # "<sha> missing"
            continue
        size = int(header[2])
        found[blob] = raw[at:at + size]
        at += size + 1
    return found


def _slim(project: Project) -> Project:
    """What a history needs of an analysed revision (a large portfolio's revisions stay small)."""
    data = {k: project.data[k] for k in ("id", "title", "team", "stage", "owners") if k in project.data}
    return dataclasses.replace(project, data=data, warnings=())


class HistoryReader:
    """Reads the history of one specs folder; keeps what it analysed, so a rebuild (``mkdocs
    serve``) with the same commit reads nothing again, and a new commit analyses only new revisions."""

    def __init__(self, specs_dir: Path, schema: SpecSchema, rules: Sequence[VerdictRule]) -> None:
        self.specs_dir = specs_dir
        self.schema = schema
        self.rules = tuple(rules)
        self._revisions: dict[tuple[str, str], Project | int] = {}  # (blob, file name) -> project, or its error count
        self._schema_checker: SchemaChecker | None = None
        self._last: tuple[tuple[str, frozenset[str]], History] | None = None

    def read(self, current: Mapping[str, Project] | None = None) -> History:
        """The history of the specs named in ``current`` (file name -> the analysed spec as it is
        now in the folder, reused when git's latest revision is the same file)."""
        current = current or {}
        try:
            top, prefix, shallow = self._where()
        except _GitFailed as exc:
            if exc.reason == "failed" and "not a git repository" in exc.detail.lower():
                return History(False, "repository")
            return History(False, exc.reason, exc.detail)
        if shallow:
            return History(False, "shallow")
        try:
            head = _git(self.specs_dir, "rev-parse", "--verify", "-q", "HEAD^{commit}").decode().strip()
        except _GitFailed:
            return History(False, "untracked")  # a repository without a commit
        key = (head, frozenset(current))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        try:
            history = self._read(top, prefix, head, current)
        except _GitFailed as exc:
            return History(False, exc.reason, exc.detail)
        self._last = (key, history)
        return history

    def _where(self) -> tuple[Path, str, bool]:
        out = _git(self.specs_dir, "rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository")
        lines = out.decode("utf-8", "surrogateescape").split("\n")
        if len(lines) < 3:
            raise _GitFailed("repository")
        return Path(lines[0]), lines[1].rstrip("/"), lines[2].strip() == "true"

    def _read(self, top: Path, prefix: str, head: str, current: Mapping[str, Project]) -> History:
        log = _git(top, "log", "-z", "--raw", "--no-abbrev", "-M", "--no-color", "--no-merges",
                   "--format=%x01%H%x1f%ct%x1f%an", head, "--", prefix or ".")
        commits = _parse_log(log)
        if not commits:
            return History(False, "untracked", head=head)

        def in_folder(path: str) -> str | None:
            folder, name = posixpath.split(path)
            return name if folder == prefix and posixpath.splitext(name)[1] in SPEC_SUFFIXES else None

        # Newest commit first: follow each current file back through its renames to its creation.
        tracking = {name: name for name in current}  # file name at this point in the past -> current file name
        chains: dict[str, list[_Change]] = {name: [] for name in current}
        for commit, entries in commits:
            moves: list[tuple[str, str]] = []
            for status, old_blob, new_blob, old_path, new_path in entries:
                name = in_folder(new_path)
                if status == "D" or name is None or name not in tracking:
                    continue
                owner = tracking[name]
                chains[owner].append(_Change(commit, status, old_blob, new_blob, old_path, new_path))
                del tracking[name]
                if status == "R" and (old := in_folder(old_path)) is not None:
                    moves.append((old, owner))
                elif status != "A":
                    tracking[name] = owner
            for old, owner in moves:
                tracking[old] = owner
        revisions = self._analyse(top, chains, current)
        stages = self.schema.stages
        timelines = {}
        for name, chain in chains.items():
            events: list[Event] = []
            previous: Project | None = None  # the last revision that validates
            last_ok = False  # did the revision before this one validate?
            for change in reversed(chain):
                after = revisions.get((change.new_blob, posixpath.basename(change.new_path)))
                before = revisions.get((change.old_blob, posixpath.basename(change.old_path)))
                was_valid = isinstance(before, Project) if before is not None else last_ok
                events.extend(_events(change, before if isinstance(before, Project) else previous, after, stages, was_valid))
                previous = after if isinstance(after, Project) else previous
                last_ok = isinstance(after, Project)
            if events:
                timelines[name] = Timeline(tuple(events))
        return History(True, timelines=timelines, head=head)

    def _analyse(self, top: Path, chains: Mapping[str, list[_Change]],
                 current: Mapping[str, Project]) -> dict[tuple[str, str], Project | int]:
        """Every revision the chains name, analysed (an int: it does not validate, with that many errors)."""
        wanted: dict[tuple[str, str], None] = {}
        for chain in chains.values():
            for change in chain:
                wanted[(change.new_blob, posixpath.basename(change.new_path))] = None
                if change.old_blob != _ZERO:
                    wanted[(change.old_blob, posixpath.basename(change.old_path))] = None
        missing = {k: None for k in wanted if k not in self._revisions}
        contents = _read_blobs(top, (blob for blob, _ in missing))
        # The latest revision of a spec is usually the file as it is now: reuse its analysis.
        for name, project in current.items():
            found = chains.get(name)
            key = (found[0].new_blob, name) if found else None
            if key is None or key not in missing or key[0] not in contents:
                continue
            try:
                same = (self.specs_dir / name).read_bytes() == contents[key[0]]
            except OSError:
                same = False
            if same:
                self._revisions[key] = _slim(project)
        for blob, name in missing:
            if (blob, name) not in self._revisions and blob in contents:
                self._revisions[(blob, name)] = self._check(contents[blob], name)
        return {k: self._revisions[k] for k in wanted if k in self._revisions}

    def _check(self, raw: bytes, name: str) -> Project | int:
        """One revision, checked as validation checks a file (the loader, the schema, the rules; not
        the file-name rule, the name being the one it had then) and analysed; or its error count."""
        if self._schema_checker is None:
            self._schema_checker = SchemaChecker(self.schema)
        loaded = load_bytes(raw, name)
        found = list(loaded.diagnostics)
        if isinstance(loaded.data, dict):
            found.extend(self._schema_checker.check(loaded))
            found.extend(run_rules(loaded.data, loaded, self.schema))
        errors = sum(d.is_error for d in found)
        if errors or not isinstance(loaded.data, dict):
            return max(errors, 1)
        report = FileReport(Path(name), LoadResult(name, loaded.data, PositionMap(), loaded.diagnostics), tuple(found))
        analysed = analyse(report, self.schema, self.rules)
        return _slim(analysed) if analysed is not None else 1


def _events(change: _Change, before: Project | None, after: Project | int | None, stages: Sequence[str],
            was_valid: bool) -> list[Event]:
    """The timeline entries of one commit of one spec: ``before`` is the last valid revision before it."""
    commit = change.commit
    if change.status == "A":
        valid = isinstance(after, Project)
        out = [Event("created", commit, new=after.stage if isinstance(after, Project) else None,
                     verdict=after.verdict.final if isinstance(after, Project) else "")]
        return out + ([] if valid else [Event("invalid", commit, errors=after if isinstance(after, int) else 0)])
    out = []
    if change.status == "R":
        out.append(Event("renamed", commit, old=posixpath.basename(change.old_path), new=posixpath.basename(change.new_path)))
    if not isinstance(after, Project):
        if was_valid:
            out.append(Event("invalid", commit, errors=after if isinstance(after, int) else 0))
        return out or [Event("edited", commit)]
    if not was_valid:
        out.append(Event("valid", commit))
    if before is None:
        return out or [Event("edited", commit)]
    changes = compare_projects(before, after, stages)
    if changes.stage:
        out.append(Event("stage", commit, old=changes.stage.old, new=changes.stage.new, direction=changes.stage.direction))
    verdict = changes.verdict
    if verdict is not None and verdict.final_changed:
        out.append(Event("verdict", commit, old=verdict.old.final, new=verdict.new.final, answers=verdict.answers,
                         decided_by=verdict.new.decided_by, override=verdict.new.override is not None))
    for metric in changes.metrics:
        if metric.target_changed:
            m = metric.new
            out.append(Event("target", commit, old=metric.old.target, new=m.target, metric=m.id, metric_name=m.name,
                             unit=m.unit, direction=metric.ambition))
    for m in changes.metrics_added:
        if m.target is not None:
            out.append(Event("target", commit, old=None, new=m.target, metric=m.id, metric_name=m.name, unit=m.unit))
    was = {m.id: m for m in before.metrics}
    for m in after.metrics:
        earlier = was.get(m.id)
        new = len(m.observations) - (len(earlier.observations) if earlier else 0)
        if new > 0 and m.latest is not None:
            old = earlier.latest.value if earlier is not None and earlier.latest is not None else None
            out.append(Event("observed", commit, old=old, new=m.latest.value, metric=m.id, metric_name=m.name, unit=m.unit, count=new))
    if changes.owners:
        o = changes.owners
        out.append(Event("owners", commit, old=", ".join(o.old), new=", ".join(o.new), added=o.added, removed=o.removed))
    if changes.team:
        out.append(Event("team", commit, old=changes.team[0], new=changes.team[1]))
    return out or [Event("edited", commit)]


def read_history(specs_dir: Path, schema: SpecSchema, rules: Sequence[VerdictRule],
                 current: Mapping[str, Project] | None = None) -> History:
    """The history of the specs in ``current`` (file name -> analysed spec), read once from git."""
    return HistoryReader(specs_dir, schema, rules).read(current)


__all__ = [
    "DEFAULT_STALE_AFTER", "KINDS", "NOTABLE", "Commit", "Event", "History", "HistoryReader", "HistoryView", "Staleness",
    "Timeline",
    "build_time", "read_history", "stale_limits", "staleness", "utc_date",
]
