"""``projects.json``: every spec plus its derived verdict and readiness, its history and staleness,
for other tools (its shape: ``schemas/projects-json.schema.json``); ``projects.csv``: the home
page's table as a spreadsheet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from mlfolio.analysis.history import Event, HistoryView, utc_date
from mlfolio.analysis.model import Portfolio, Project
from mlfolio.spec.diagnostics import format_path

EXPORT_VERSION = 1


def outcomes_record(project: Project) -> dict[str, Any]:
    """Per metric, in the spec's order: the path best baseline -> before -> target -> latest,
    the status in the metric's direction, and every observation (oldest first); the A/B
    test's decision; the offline evaluation, each result with its baseline on the same data set."""
    result = (project.data.get("ab_test") or {}).get("result") or {}
    return {
        "metrics": [{
            "id": m.id, "direction": m.direction, "unit": m.unit or None,
            "baseline": None if m.best_baseline is None else {"id": m.best_baseline.baseline_id, "value": m.best_baseline.value},
            "before": m.current, "target": m.target,
            "latest": None if m.latest is None else {"date": m.latest.date, "value": m.latest.value, "source": m.latest.source},
            "status": m.status,
            "observations": [{"date": o.date, "value": o.value, "source": o.source, "link": o.link or None, "note": o.note or None}
                             for o in m.observations],
        } for m in project.metrics],
        "ab_decision": result.get("decision"),
        "evaluation": [{"dataset": r.dataset, "segment": r.segment or None, "metric": r.metric, "value": r.value,
                        "baseline": None if r.baseline_id is None else {"id": r.baseline_id, "value": r.baseline_value}}
                       for r in project.evaluation],
    }


def project_record(project: Project, url: str) -> dict[str, Any]:
    verdict = project.verdict
    return {
        "id": project.id,
        "title": project.title,
        "team": project.team,
        "stage": project.stage,
        "tags": list(project.tags),
        "updated": project.updated or None,
        "source": project.file,
        "url": url,
        "verdict": {
            "final": verdict.final,
            "computed": verdict.computed,
            "rule": None if verdict.rule is None else {
                "id": verdict.rule.id, "verdict": verdict.rule.verdict, "reason": verdict.rule.reason, "at_least": verdict.rule.at_least,
            },
            "decided_by": [{"criterion": a.criterion.ref, "answer": a.answer, "evidence": a.evidence or None, "source": a.source or None}
                           for a in verdict.decided_by],
            "override": None if verdict.override is None else {
                "verdict": verdict.override.verdict, "reason": verdict.override.reason,
                "reviewer": verdict.override.reviewer, "date": verdict.override.date,
            },
        },
        "readiness": {
            "percent": project.readiness.percent,
            "missing": [format_path(r.path) for r in project.readiness.missing],
        },
        "warnings": [d.format() for d in project.warnings],
        "outcomes": outcomes_record(project),
        "spec": project.data,
    }


def export_json(portfolio: Portfolio, urls: dict[str, str], history: HistoryView | None = None) -> str:
    """Deterministic compact JSON: sorted keys, projects by id."""
    doc: dict[str, Any] = {
        "version": EXPORT_VERSION,
        "projects": [project_record(p, urls.get(p.id, "")) for p in portfolio.projects],
    }
    if history is not None:
        doc["history"] = history_summary(history)
        for record, project in zip(doc["projects"], portfolio.projects, strict=True):
            record.update(history_record(project, history))
    # Compact: it is read by programs, and without `indent` json uses its C encoder (an indented
    # file took a second and 19 MB at 1,000 projects). allow_nan=False: JSON has no NaN;
    # validation rejects non-finite numbers, this is the backstop.
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"


# -- history and staleness ----------------------------------------------------------------------

def history_summary(view: HistoryView) -> dict[str, Any]:
    """Whether the build had git history (and why not), the day staleness was judged on, the limits."""
    return {
        "available": view.history.available,
        "reason": view.history.reason or None,
        "as_of": utc_date(view.now),
        "stale_after": dict(view.limits),
    }


def event_record(event: Event) -> dict[str, Any]:
    """One timeline entry: what, when, which commit, who; the fields its kind uses."""
    commit = event.commit
    record: dict[str, Any] = {"kind": event.kind, "date": commit.date, "commit": commit.short, "author": commit.author}
    if event.kind in ("stage", "verdict", "target", "observed", "owners", "team", "renamed", "created"):
        record.update(old=event.old, new=event.new)
    if event.kind in ("stage", "target"):
        record["direction"] = event.direction or None
    if event.kind == "created":
        record["verdict"] = event.verdict or None
    if event.kind == "verdict":
        record["answers"] = [{"criterion": a.criterion.ref, "was": a.was, "now": a.now} for a in event.answers]
        record["decided_by"] = [{"criterion": a.criterion.ref, "answer": a.answer} for a in event.decided_by]
        record["override"] = event.override
    if event.kind in ("target", "observed"):
        record.update(metric=event.metric, unit=event.unit)
    if event.kind == "observed":
        record["count"] = event.count
    if event.kind == "owners":
        record.update(added=list(event.added), removed=list(event.removed))
    if event.kind == "invalid":
        record["errors"] = event.errors
    return record


def history_record(project: Project, view: HistoryView) -> dict[str, Any]:
    """``last_changed``, ``staleness`` and ``history`` (oldest first) of one project."""
    timeline = view.timeline(project)
    last = timeline.last_changed
    stale = view.staleness(project)
    return {
        "last_changed": None if last is None else {"date": last.date, "commit": last.short, "author": last.author},
        "staleness": {"stale": stale.stale, "days": stale.days, "limit": stale.limit},
        "history": [event_record(e) for e in timeline.events],
    }


# -- projects.csv ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A CSV field as the home page's script writes it too: text a spreadsheet would run as a
    formula gets a leading ``'``; quoted when it holds a comma, a quote or a line break."""
    if value.startswith(_FORMULA) and not _NUMBER.fullmatch(value):
        value = "'" + value
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def export_csv(rows: Iterable[Sequence[str]]) -> str:
    """Rows of text (the first is the header) as CSV: a byte-order mark (spreadsheets then read
    UTF-8), CRLF line ends."""
    return "\ufeff" + "".join(",".join(csv_cell(v) for v in row) + "\r\n" for row in rows)
