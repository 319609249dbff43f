"""Check a set of spec files: load, schema, rules, and the rules that span files.

This is what both front ends call: ``mlfolio validate`` and the MkDocs plugin see the same
files through the same loader and get the same diagnostics.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlfolio.spec.diagnostics import Diagnostic, error, format_path
from mlfolio.spec.loader import MAX_BYTES, LoadResult, PositionMap, load_file
from mlfolio.spec.names import NameAt, look_alikes
from mlfolio.spec.rules import Rule, run_rules
from mlfolio.spec.schema import SpecSchema, load_schema
from mlfolio.spec.validation import SchemaChecker

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FileReport:
    """One spec file: what was loaded and everything found wrong with it."""

    path: Path
    loaded: LoadResult  # its data and load diagnostics; positions are dropped once checked
    diagnostics: tuple[Diagnostic, ...]
    project_id: str | None = None  # the spec's id, if it has a readable one
    id_at: tuple[int, int] = (1, 1)  # where that id is written
    names: tuple[NameAt, ...] = ()  # its team and tags, for the look-alike check across files

    @property
    def file(self) -> str:
        return self.loaded.file

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def data(self) -> dict[str, Any] | None:
        """The spec, when it loaded and has no errors (warnings allowed)."""
        if self.has_errors or not isinstance(self.loaded.data, dict):
            return None
        return self.loaded.data

    def slim(self) -> FileReport:
        """The same report without the loaded data: what a worker process sends back."""
        return FileReport(self.path, LoadResult(self.file, None, PositionMap(), ()), self.diagnostics, self.project_id, self.id_at,
                          self.names)


@dataclass(frozen=True)
class CheckRun:
    """The result of checking many files; knows whether the run succeeded."""

    reports: tuple[FileReport, ...]
    extra: tuple[Diagnostic, ...] = ()  # problems with the arguments (a path that does not exist)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = [d for r in self.reports for d in r.diagnostics] + list(self.extra)
        return sorted(found, key=Diagnostic.sort_key)

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)

    def ok(self, strict: bool = False) -> bool:
        return self.errors == 0 and (not strict or self.warnings == 0)


def display_name(path: Path, root: Path | None = None) -> str:
    """A path as users should read it in a message: relative to ``root`` (default cwd) if inside.

    A link is named by where it is, not where it points: the path the user has in the repository."""
    base = (root or Path.cwd()).resolve()
    where = Path(os.path.normpath(path.absolute()))
    if where.is_relative_to(base):  # as written: a specs folder that is itself a link keeps its own name
        return where.relative_to(base).as_posix()
    with contextlib.suppress(OSError):
        real = where.parent.resolve() / where.name  # a checkout reached through a linked folder
        if real.is_relative_to(base):
            return real.relative_to(base).as_posix()
    return path.as_posix()


def discover(paths: Iterable[Path], root: Path | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """Spec files named by ``paths``: files as given, directories searched for ``*.yaml``/``*.yml``.

    A specs folder holds specs and nothing else: anything else in it (another suffix, a
    subfolder, a special file, a link that leaves ``root``) is an error, never skipped, because
    a file nobody checks is a file nobody reads. A file named twice is checked once."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    base = (root or Path.cwd()).resolve()

    def add(path: Path) -> None:
        where = path.absolute()
        key = where.parent.resolve() / where.name  # a link is a name of its own, not its target
        if key not in seen:
            seen.add(key)
            files.append(path)

    def reject(path: Path, why: str) -> None:
        problems.append(error(display_name(path, root), 1, 1, why, "not-a-spec"))

    for path in paths:
        if path.is_dir():
            try:
                entries = sorted(path.iterdir())
            except OSError as exc:
                problems.append(error(path.as_posix(), 1, 1, f"cannot read the directory: {exc.strerror or exc}", "unreadable"))
                continue
            for entry in entries:
                if entry.is_symlink():
                    target = entry.resolve()
                    if not target.is_relative_to(base):
                        reject(entry, f"a link to {'a folder' if target.is_dir() else 'a file'} outside the repository; "
                                      "a specs folder holds specs only: replace the link with the spec itself")
                        continue
                if entry.is_dir():
                    reject(entry, "a folder inside the specs folder; specs are the *.yaml files directly in it: move it out")
                elif entry.suffix not in SPEC_SUFFIXES:
                    reject(entry, f"'{entry.name}' is not a spec (only *.yaml and *.yml files belong in the specs folder): "
                                  "move it out of the folder")
                elif not entry.is_file():
                    reject(entry, "not a regular file (a device, pipe, socket or broken link): replace it with a spec file")
                else:
                    add(entry)
        elif path.exists():
            add(path)
        else:
            problems.append(error(path.as_posix(), 1, 1, "no such file or directory", "unreadable"))
    return files, problems


Mapper = Callable[[Callable[[Sequence[Any]], list[Any]], Sequence[Any]], list[Any]]
"""How a front end spreads work: ``mapper(function, items)`` returns ``function(items)``'s results in order."""


def _in_process(function: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any]) -> list[Any]:
    return function(items)


class Checker:
    """Holds the compiled schema; check any number of files with it."""

    def __init__(self, schema: SpecSchema | None = None, *, remember: bool = False, checks: Sequence[Rule] = ()) -> None:
        """``remember=True`` keeps each report, keyed by the file's bytes: checking the same
        files again (a preview server after one save) redoes only the files that changed.
        ``checks`` are more rules, run after the spec's own, given by a later step that the
        spec layer does not know (the verdict's checks, which need the site's verdict rules)."""
        self.schema = schema or load_schema()
        self.checks = tuple(checks)
        self._schema_checker = SchemaChecker(self.schema)
        self._memory: dict[tuple[Path, str], tuple[bytes, FileReport]] | None = {} if remember else None

    def check_file(self, path: Path, file: str | None = None) -> FileReport:
        if self._memory is None:
            return self._check_file(path, file)
        try:
            if path.stat().st_size > MAX_BYTES:  # the loader refuses it without reading it all
                return self._check_file(path, file)
            content = path.read_bytes()
        except OSError:
            return self._check_file(path, file)
        key = (path, file or display_name(path))
        known = self._memory.get(key)
        if known is not None and known[0] == content:
            return known[1]
        report = self._check_file(path, file)
        self._memory[key] = (content, report)
        return report

    def _check_file(self, path: Path, file: str | None = None) -> FileReport:
        loaded = load_file(path, file or display_name(path))
        found = list(loaded.diagnostics)
        if loaded.data is not None:
            found.extend(self._schema_checker.check(loaded))
            if isinstance(loaded.data, dict):
                found.extend(run_rules(loaded.data, loaded, self.schema))
                for check in self.checks:
                    found.extend(check(loaded.data, loaded))
                found.extend(_id_matches_filename(path, loaded))
        ident = loaded.data.get("id") if isinstance(loaded.data, dict) else None
        at = loaded.positions.value(("id",))
        # Positions are for the diagnostics, all made by now; without them a report holds a
        # third of the memory (a portfolio of 1,000 specs: about 100 MB less).
        kept = LoadResult(loaded.file, loaded.data, PositionMap(), loaded.diagnostics)
        return FileReport(path, kept, tuple(sorted(found, key=Diagnostic.sort_key)),
                          ident if isinstance(ident, str) else None, (at.line, at.column), _names(loaded))

    def check_paths(self, paths: Sequence[Path], root: Path | None = None, *, keep_data: bool = True,
                    mapper: Mapper | None = None) -> CheckRun:
        """Check every spec under ``paths``.

        ``keep_data=False`` is for callers that only report diagnostics (``mlfolio validate``):
        the reports then hold no loaded data, so a front end's ``mapper`` may check slices of
        the batch elsewhere (the CLI uses every core for a large batch) and send back only
        diagnostics."""
        files, problems = discover(paths, root)
        jobs = [(p, display_name(p, root)) for p in files]
        if keep_data:
            reports = [self.check_file(p, n) for p, n in jobs]
        else:
            reports = (mapper or _in_process)(lambda part: [self.check_file(p, n).slim() for p, n in part], jobs)
        return CheckRun(tuple(_look_alike_names(_unique_ids(reports))), tuple(problems))


def _names(loaded: LoadResult) -> tuple[NameAt, ...]:
    """The spec's team and tags with their places (positions are dropped after the check)."""
    data = loaded.data if isinstance(loaded.data, dict) else {}
    found: list[tuple[str, tuple[str | int, ...], object]] = [("team", ("team",), data.get("team"))]
    tags = data.get("tags")
    found.extend(("tag", ("tags", i), tag) for i, tag in enumerate(tags if isinstance(tags, list) else ()))
    out = []
    for kind, where, value in found:
        if isinstance(value, str):
            pos = loaded.positions.value(where)
            out.append(NameAt(kind, format_path(where), value, pos.line, pos.column))
    return tuple(out)


def _look_alike_names(reports: list[FileReport]) -> list[FileReport]:
    """Each report with a warning at every team or tag spelled apart from a look-alike."""
    found: dict[str, list[Diagnostic]] = {}
    for d in look_alikes((r.file, name) for r in reports for name in r.names):
        found.setdefault(d.file, []).append(d)
    if not found:
        return reports
    return [FileReport(r.path, r.loaded, tuple(sorted((*r.diagnostics, *found[r.file]), key=Diagnostic.sort_key)), r.project_id, r.id_at,
                       r.names) if r.file in found else r for r in reports]


def _id_matches_filename(path: Path, loaded: LoadResult) -> list[Diagnostic]:
    ident = loaded.data.get("id") if isinstance(loaded.data, dict) else None
    if not isinstance(ident, str) or ident == path.stem:
        return []
    pos = loaded.positions.value(("id",))
    message = f"id '{ident}' does not match the file name '{path.name}': rename the file to '{ident}{path.suffix}' or set `id: {path.stem}`"
    return [error(loaded.file, pos.line, pos.column, message, "id-filename", "id")]


def _unique_ids(reports: list[FileReport]) -> list[FileReport]:
    """A project id may be used by one file only. The file named after the id keeps it (else
    the first file); every other file that uses it gets the error."""
    owner: dict[str, FileReport] = {}
    for report in reports:
        ident = report.project_id
        if ident is not None and (ident not in owner or (report.path.stem == ident != owner[ident].path.stem)):
            owner[ident] = report
    out = []
    for report in reports:
        ident = report.project_id
        if ident is not None and owner[ident] is not report:
            message = f"project id '{ident}' is already used by {owner[ident].file}; project ids must be unique"
            dup = error(report.file, *report.id_at, message, "duplicate-project", "id")
            report = FileReport(report.path, report.loaded, tuple(sorted((*report.diagnostics, dup), key=Diagnostic.sort_key)),
                                report.project_id, report.id_at, report.names)
        out.append(report)
    return out


__all__ = ["CheckRun", "Checker", "FileReport", "discover", "display_name"]
