"""``projects.json``: every spec plus its derived verdict and readiness, for other tools."""

from __future__ import annotations

import json
from typing import Any

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


def export_json(portfolio: Portfolio, urls: dict[str, str]) -> str:
    """Deterministic compact JSON: sorted keys, projects by id."""
    doc = {
        "version": EXPORT_VERSION,
        "projects": [project_record(p, urls.get(p.id, "")) for p in portfolio.projects],
    }
    # Compact: it is read by programs, and without `indent` json uses its C encoder (an indented
    # file took a second and 19 MB at 1,000 projects). allow_nan=False: JSON has no NaN;
    # validation rejects non-finite numbers, this is the backstop.
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
