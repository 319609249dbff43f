"""Which pages the site has, and what each one shows: data in, page contexts out.

Everything a template prints is computed here; templates only loop and branch.
Page paths are built only from validated ids and ``slug()``, never from raw user text.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from mlfolio.analysis.history import Event, HistoryView
from mlfolio.analysis.model import Metric, Portfolio, Project
from mlfolio.analysis.outcomes import OUTCOME_STAGES
from mlfolio.analysis.readiness import leaves
from mlfolio.analysis.verdict import VERDICTS, VerdictRule, criteria
from mlfolio.pages.blocks import BlockBuilder, choice_label
from mlfolio.pages.labels import Labels
from mlfolio.pages.layout import Anchors, SiteLayout, slug
from mlfolio.pages.outcomes import ab_result, evaluation, metric_outcomes
from mlfolio.pages.reference import reference
from mlfolio.spec.diagnostics import format_path
from mlfolio.spec.names import group_key
from mlfolio.spec.schema import RETIRED, SpecSchema
from mlfolio.spec.values import format_value

# The sections of a project page, in order: (key, top-level spec sections it shows).
PROJECT_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("problem", ("business", "problem")),
    ("feasibility", ("feasibility",)),
    ("goals", ("goals", "labels", "multi_objective", "metrics", "ab_test")),
    ("constraints", ("constraints",)),
    ("data", ("data", "baselines", "prototype")),
    ("deployment", ("deployment", "monitoring", "iterations", "retirement")),
)


@dataclass(frozen=True)
class PageSpec:
    """A page to generate: where it goes, which template, what it shows, which spec it edits."""

    src_uri: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    edit_source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # page metadata for the theme (``hide``)


def _alerting(alert_when: str, value: float, threshold: float) -> bool:
    """Does ``value`` raise a monitor's alert (``below`` or ``above`` its threshold)?"""
    return value < threshold if alert_when == "below" else value > threshold


def _metric_name(project: Project, metric_id: str) -> str:
    """The name of the project's metric ``metric_id``, or the id itself where it names none."""
    metric = project.metric(metric_id)
    return metric.name if metric else metric_id


def _metric_row(metric: Metric) -> dict[str, Any]:
    best, latest = metric.best_baseline, metric.latest
    return {
        "metric": metric,
        "current": format_value(metric.current, metric.unit),
        "target": format_value(metric.target, metric.unit),
        "baseline": format_value(best.value, metric.unit) if best else "—",
        "baseline_name": best.baseline_name if best else "",
        "latest": format_value(latest.value, metric.unit) if latest else "—",
        "latest_date": latest.date if latest else "",
        "status": metric.status,
    }


class PageBuilder:
    def __init__(self, schema: SpecSchema, labels: Labels, layout: SiteLayout, rules: Sequence[VerdictRule]) -> None:
        self.schema = schema
        self.labels = labels
        self.layout = layout
        self.rules = tuple(rules)
        self.criteria = criteria(schema)
        self.group_anchors: dict[str, dict[str, str]] = {}
        self.history: HistoryView | None = None  # the specs' git history and staleness, when the site has it

    def index(self, portfolio: Portfolio) -> None:
        """Learn the portfolio's groups, so project pages link to the anchors the group pages use."""
        for key in ("team", "stage", "tag"):
            anchors = Anchors()
            self.group_anchors[key] = {group_key(name): anchors(group_key(name)) for name in portfolio.by(key)}

    def group_links(self, project: Project) -> tuple[str, ...]:
        """The anchors a project's page links to on the group pages (its team, its tags)."""
        return (self._anchor("team", project.team), *(self._anchor("tag", tag) for tag in project.tags))

    def _anchor(self, key: str, name: str) -> str:
        return self.group_anchors.get(key, {}).get(group_key(name)) or slug(group_key(name))

    def _item_property(self, section: str, name: str) -> dict[str, Any]:
        """The schema of field ``name`` in the items of the top-level list ``section``."""
        items = self.schema.resolve(self.schema.property_schema((section,)).get("items", {}))
        return self.schema.resolve(items.get("properties", {}).get(name, {}))

    # -- per project ---------------------------------------------------------------------
    def project_page(self, project: Project) -> PageSpec:
        """The one page of a project: a summary a reviewer reads in a minute, then every section."""
        src = self.layout.project(project.id)
        names = {b["id"]: b["name"] for b in project.data.get("baselines") or ()}
        names.update({d["id"]: d["name"] for d in (project.data.get("data") or {}).get("datasets") or ()})
        blocks = BlockBuilder(self.schema, self.labels, project.stage, {m.id: (m.name, m.unit) for m in project.metrics}, names)
        context: dict[str, Any] = {
            "titles": {name: self.labels.field(self.schema.property_schema((name,)), name)
                       for name in self.schema.document.get("properties", {})},
            "project": project,
            "data": project.data,
            "verdict": project.verdict,
            "readiness": project.readiness,
            "tag_links": [{"name": tag, "href": self.layout.href(src, self.layout.path("tags.md"), self._anchor("tag", tag))}
                          for tag in project.tags],
            "team_link": self.layout.href(src, self.layout.path("teams.md"), self._anchor("team", project.team)),
            "home_link": self.layout.href(src, self.layout.home()),
        }
        for key, sections in PROJECT_SECTIONS:
            context.update(getattr(self, f"_ctx_{key}")(project, blocks, src))
            found = [project.readiness.section(s) for s in sections]
            context.setdefault("section_missing", {})[key] = leaves([r for s in found if s for r in s.missing])
        context.update(self._ctx_overview(project, blocks, src))
        context.update(self._ctx_history(project, src))
        return PageSpec(src, "project.html.jinja", project.title, context, project.file, {"hide": ["navigation"]})

    def _ctx_overview(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        data = project.data
        performance = (data.get("constraints") or {}).get("performance") or {}
        baselines = {b["id"]: b for b in data.get("baselines") or ()}
        to_beat = baselines.get(performance.get("baseline_to_beat", ""))
        kinds = self._item_property("baselines", "kind")
        monitoring = data.get("monitoring") or {}
        units = {m.id: m.unit for m in project.metrics}
        return {
            "stages": [{"key": s, "label": self.labels.stage(s), "current": s == project.stage} for s in self.schema.stages],
            "key_metrics": [_metric_row(m) for m in project.metrics if m.target is not None][:6],
            "sections": [
                {"label": self.labels.field(self.schema.property_schema((s.section,)), s.section), "percent": s.percent,
                 "done": len(s.required) - len(s.missing), "required": len(s.required),
                 "missing": [m.title for m in leaves(s.missing)]}
                for s in project.readiness.sections
            ],
            "readiness_heading": self.labels.format("readiness_heading", percent=project.readiness.percent,
                                                    stage=self.labels.stage(project.readiness.target)),
            "business_goal": blocks.field(("business", "goal"), data),
            "problem_statement": blocks.field(("problem", "statement"), data),
            "summary": data.get("summary"),
            "links": [(self.labels.field(self.schema.property_schema(("links", k)), k), v) for k, v in (data.get("links") or {}).items()],
            # Everything that is not the answer in favour of ML, unanswered and open questions
            # included, and every section the stage requires that is not written: doubt is shown.
            "concerns": [
                {"title": self.labels.criterion(a.criterion), "answer": a.answer, "evidence": a.evidence}
                for a in project.verdict.answers
                if a.answer in ("partly", "unknown") or (a.answer == "missing" and project.verdict.assessed)
                or (a.criterion.group == "for_ml" and a.answer == "no")
                or (a.criterion.group != "for_ml" and a.answer == "yes")
            ],
            "missing_sections": [m.title for m in leaves(project.readiness.missing)],
            "missing_for": self.labels.format("needed_for", stage=self.labels.stage(project.readiness.target)),
            "baseline_to_beat": None if to_beat is None else {
                "name": to_beat["name"], "id": to_beat["id"], "kind": choice_label(kinds, to_beat.get("kind"), self.labels.language)},
            "baselines_missing": blocks.missing_from(("baselines",)),
            "monitors": [self._monitor(project, m, units) for m in monitoring.get("monitors") or ()],
            "triggers": len(monitoring.get("retraining_triggers") or ()),
            "monitoring_missing": blocks.missing_from(("monitoring",)),
        }

    def _ctx_problem(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        return {
            "business": blocks.field(("business",), project.data),
            "problem": blocks.field(("problem",), project.data),
        }

    def _ctx_feasibility(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        groups = []
        for group in ("for_ml", "against_ml", "risks"):
            answers = [a for a in project.verdict.answers if a.criterion.group == group]
            groups.append({
                "key": group,
                "label": self.labels[{"for_ml": "reasons_for", "against_ml": "reasons_against", "risks": "risks"}[group]],
                "answers": [{"answer": a, "decisive": a in project.verdict.decided_by, "title": self.labels.criterion(a.criterion)}
                            for a in answers],
            })
        return {
            "groups": groups,
            "extras": blocks.section(("feasibility",), project.data, skip=("for_ml", "against_ml", "risks", "override")),
            "missing_stage": blocks.missing_from(("feasibility",)),
            "rules_link": self.layout.href(src, self.layout.path("verdicts.md")),
        }

    def _ctx_goals(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        ab_test = blocks.field(("ab_test",), project.data)
        return {
            "goals": blocks.field(("goals",), project.data),
            "labels_block": blocks.field(("labels",), project.data),
            "multi_objective": blocks.field(("multi_objective",), project.data),
            "metric_rows": [_metric_row(m) for m in project.metrics],
            "metrics_missing": blocks.missing_from(("metrics",)),
            # The A/B test's result is shown apart (decision, control against treatment).
            "ab_test": ab_test if ab_test is None or ab_test.kind != "group" else
            replace(ab_test, children=tuple(c for c in ab_test.children if c.key != "result")),
            "ab_result": ab_result(project, self.schema, self.labels),
            "evaluation": evaluation(project, self.schema, self.labels),
            **metric_outcomes(project, self.schema, self.labels),
        }

    def _ctx_constraints(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        return {"constraints": blocks.field(("constraints",), project.data)}

    def _ctx_data(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        baselines = project.data.get("baselines") or []
        baseline_kinds = self._item_property("baselines", "kind")
        metric_ids = [m.id for m in project.metrics if any(m.id in (b.get("results") or {}) for b in baselines)]
        # The metric of each id (the first with it, should an id repeat): every id is one of them.
        shown = [metric for mid in metric_ids if (metric := project.metric(mid)) is not None]
        table = [
            {"baseline": b, "kind": choice_label(baseline_kinds, b.get("kind"), self.labels.language),
             "cells": [format_value((b.get("results") or {}).get(m.id), m.unit)
                        if m.id in (b.get("results") or {}) else "—" for m in shown]}
            for b in baselines
        ]
        targets = [format_value(m.target, m.unit) for m in shown]
        return {
            "data_block": blocks.field(("data",), project.data),
            "baselines": blocks.field(("baselines",), project.data),
            "baseline_metrics": shown,
            "baseline_table": table,
            "baseline_targets": targets,
            "prototype": blocks.field(("prototype",), project.data),
        }

    def _ctx_deployment(self, project: Project, blocks: BlockBuilder, src: str) -> dict[str, Any]:
        log_kinds = self._item_property("iterations", "kind")
        return {
            "deployment": blocks.field(("deployment",), project.data),
            "monitoring": blocks.field(("monitoring",), project.data),
            "iterations": [dict(e, kind=choice_label(log_kinds, e["kind"], self.labels.language))
                           for e in sorted(project.data.get("iterations") or [], key=lambda e: e["date"], reverse=True)],
            "iterations_missing": blocks.missing_from(("iterations",)),
            "retirement": blocks.field(("retirement",), project.data),
        }

    # -- portfolio -----------------------------------------------------------------------
    def _monitor(self, project: Project, monitor: dict[str, Any], units: dict[str, str]) -> dict[str, Any]:
        """One monitor for the summary: what is watched, when it alerts, and the metric's last
        observation against that line (if it has observations)."""
        unit = units.get(monitor["metric"], "")
        metric = project.metric(monitor["metric"])
        latest = metric.latest if metric is not None else None
        return {
            "metric": _metric_name(project, monitor["metric"]),
            "alert": self.labels["alert_" + monitor["alert_when"]],
            "threshold": format_value(monitor["threshold"], unit), "window": monitor.get("window", ""),
            "latest": None if latest is None else {
                "value": format_value(latest.value, unit), "date": latest.date,
                "alerting": _alerting(monitor["alert_when"], latest.value, monitor["threshold"])},
        }

    def portfolio_pages(self, portfolio: Portfolio) -> list[PageSpec]:
        self.index(portfolio)
        home = self.layout.home()
        rows = [self._row(p, home) for p in portfolio.projects]
        stage_counts = Counter(p.stage for p in portfolio.projects)
        verdict_counts = Counter(p.verdict.final for p in portfolio.projects)
        total = max(len(portfolio.projects), 1)
        pages = [
            PageSpec(home, "home.html.jinja", self.labels["portfolio"], {
                "rows": rows,
                "stage_counts": [{"key": s, "label": self.labels.stage(s), "count": stage_counts.get(s, 0),
                                  "percent": 100 * stage_counts.get(s, 0) // total} for s in self.schema.stages],
                "verdict_counts": [{"key": v, "label": self.labels.verdict(v), "count": verdict_counts.get(v, 0),
                                    "percent": 100 * verdict_counts.get(v, 0) // total} for v in VERDICTS],
                "links": self._index_links(home),
                # Only while serving can a portfolio with broken specs be shown: say which.
                "problems": [d.format() for d in portfolio.run.diagnostics if d.is_error],
                "json_link": self.layout.href(home, self.layout.path("projects.json")),
                **self._ctx_home(portfolio, home),
            }, meta={"hide": ["navigation"]}),
        ]
        for key, group_by, title in (("teams", "team", self.labels["by_team"]), ("stages", "stage", self.labels["by_stage"]),
                                     ("tags", "tag", self.labels["by_tag"])):
            src = self.layout.path(f"{key}.md")
            groups = portfolio.by(group_by)
            if group_by == "stage":
                order = {s: i for i, s in enumerate(self.schema.stages)}
                ordered = sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))
            else:
                ordered = list(groups.items())
            pages.append(PageSpec(src, "groups.html.jinja", title, {
                "groups": [{"name": self.labels.stage(k) if group_by == "stage" else k, "anchor": self._anchor(group_by, k),
                            "rows": [self._row(p, src) for p in ps]} for k, ps in ordered],
            }))
        pages.extend(self.documentation_pages())
        pages.append(PageSpec(self.layout.path("verdicts.md"), "verdicts.html.jinja", self.labels["how_verdicts"], {
            "rules": [{"rule": r, "conditions": [c.describe() for c in r.when_any]} for r in self.rules],
            "criteria": self.criteria,
        }))
        return pages

    def documentation_pages(self) -> list[PageSpec]:
        """The spec reference (from the schema) and the "Write a spec" guide, in English and Korean."""
        reference_uri = self.layout.path("reference.md")
        pages = [PageSpec(reference_uri, "reference.html.jinja", self.labels["spec_reference"], {
            "sections": reference(self.schema, self.labels),
            "stages": self.schema.stages,
            "schema_file": "schemas/" + self.schema.source.name,
        })]
        seen: set[tuple[str, ...]] = set()
        stage_fields: list[tuple[str, list[str]]] = []
        for stage in self.schema.stages:
            # A parent listed beside its own required children says nothing more: keep the leaves.
            new = [r for r in self.schema.requirements_for(stage) if r.path not in seen or stage == RETIRED]
            fields = [format_path(r.path) for r in leaves(new)]
            if stage != RETIRED:
                seen.update(r.path for r in self.schema.requirements_for(stage))
            stage_fields.append((stage, fields))
        for language, name, other in (("en", "guide.md", "guide-ko.md"), ("ko", "guide-ko.md", "guide.md")):
            labels = Labels(language)
            src = self.layout.path(name)
            pages.append(PageSpec(src, "guide.html.jinja", labels["write_a_spec"], {
                "t": labels, "language": language,
                "stage_rows": [{"stage": stage, "label": labels.stage(stage), "fields": fields} for stage, fields in stage_fields],
                "criteria": self.criteria,
                "new_example": "churn-prediction",
                "links": {"reference": self.layout.href(src, reference_uri),
                          "verdicts": self.layout.href(src, self.layout.path("verdicts.md")),
                          "other_language": self.layout.href(src, self.layout.path(other))},
            }))
        return pages

    def _index_links(self, src: str) -> dict[str, str]:
        return {k: self.layout.href(src, self.layout.path(f"{k}.md")) for k in ("teams", "stages", "tags", "verdicts")}

    def _row(self, project: Project, src: str) -> dict[str, Any]:
        return {"project": project, "link": self.layout.href(src, self.layout.project(project.id)),
                "stage": self.labels.stage(project.stage), "verdict": self.labels.verdict(project.verdict.final),
                "readiness": project.readiness.percent}

    # -- history, staleness and the portfolio a lead steers by -----------------------------
    def history_key(self, project: Project) -> tuple[object, ...]:
        """What a project page shows of the history: equal keys, equal pages."""
        if self.history is None:
            return ()
        return (self.history.history.available, self.history.history.reason, self.history.timeline(project),
                self.history.staleness(project))

    def history_note(self) -> str:
        """The one sentence that says the site has no git history, and why; ``""`` when it has."""
        if self.history is None or self.history.history.available:
            return ""
        return self.labels.format("history_unavailable", why=self.labels["history_reason_" + self.history.history.reason])

    def _last_changed(self, project: Project) -> dict[str, Any] | None:
        if self.history is None:
            return None
        last = self.history.timeline(project).last_changed
        stale = self.history.staleness(project)
        return {
            "date": last.date if last else "", "commit": last.short if last else "", "author": last.author if last else "",
            "time": last.time if last else 0, "stale": stale.stale, "days": stale.days, "limit": stale.limit,
            "stale_text": self.labels.format("stale_text", days=stale.days, limit=stale.limit, stage=self.labels.stage(project.stage))
            if stale.stale else "",
        }

    def _ctx_history(self, project: Project, src: str) -> dict[str, Any]:
        """The project page's "last changed" line and its History section (newest first)."""
        commits: list[list[Event]] = []  # the timeline's events, a list per commit, oldest first
        for event in self.history.timeline(project).events if self.history is not None else ():
            if commits and commits[-1][0].commit == event.commit:
                commits[-1].append(event)
            else:
                commits.append([event])
        return {
            "history_available": self.history is not None and self.history.history.available,
            "history_note": self.history_note(),
            "last_changed": self._last_changed(project),
            "history": [self._event(e) for events in reversed(commits) for e in events],  # newest commit first
        }

    def _value(self, value: object, unit: str) -> str:
        return format_value(value if isinstance(value, (int, float)) else None, unit)

    def _event(self, event: Event) -> dict[str, Any]:
        """A timeline entry as the page shows it: one line of text, and the details under it."""
        t, kind = self.labels, event.kind
        details: list[str] = []
        if kind == "created":
            text = t.format("event_created", stage=t.stage(str(event.new))) if event.new else t["event_created_invalid"]
            if event.verdict:
                details.append(t.format("event_created_verdict", verdict=t.verdict(event.verdict)))
        elif kind in ("stage", "verdict"):
            name = t.stage if kind == "stage" else t.verdict
            text = t.format("event_" + kind, old=name(str(event.old)), new=name(str(event.new)))
            if event.direction:
                text += f" ({t[event.direction]})"
            if kind == "verdict":
                if event.override:
                    text += f" ({t['override_short']})"
                details += [t.format("event_answer", criterion=t.criterion(a.criterion), was=t.answer(a.was), now=t.answer(a.now))
                            for a in event.answers]
                if event.decided_by:
                    details.append(t["decided_by"] + ": " + ", ".join(f"{t.criterion(a.criterion)} = {t.answer(a.answer)}"
                                                                      for a in event.decided_by))
        elif kind == "target":
            if event.old is None:
                text = t.format("event_target_set", metric=event.metric_name, new=self._value(event.new, event.unit))
            else:
                text = t.format("event_target", metric=event.metric_name, old=self._value(event.old, event.unit),
                                new=self._value(event.new, event.unit))
            if event.direction:
                text += f" ({t[event.direction + '_ambitious']})"
        elif kind == "observed":
            text = t.format("event_observed", metric=event.metric_name, new=self._value(event.new, event.unit), count=event.count)
        elif kind == "invalid":
            text = t.format("event_invalid", errors=event.errors)
        elif kind in ("renamed", "owners", "team"):
            text = t.format("event_" + kind, old=event.old or "—", new=event.new or "—")
        else:
            text = t["event_" + kind]
        commit = event.commit
        return {"kind": kind, "date": commit.date, "commit": commit.short, "sha": commit.sha, "author": commit.author,
                "text": text, "details": details}

    def key_metric(self, project: Project) -> Metric | None:
        """The metric a portfolio row shows: the first with a target (the first of the page's key metrics)."""
        return next((m for m in project.metrics if m.target is not None), None)

    def _statuses(self, project: Project) -> list[str]:
        """The project's statuses the portfolio filters on: ``stale``, ``off_track`` (a metric is)."""
        found = []
        if self.history is not None and self.history.staleness(project).stale:
            found.append("stale")
        if any(m.status == "off_track" for m in project.metrics):
            found.append("off_track")
        return found

    def _key_metric_cell(self, project: Project) -> dict[str, Any] | None:
        metric = self.key_metric(project)
        if metric is None:
            return None
        latest = metric.latest
        value = latest.value if latest is not None else metric.current
        shown = metric.status if metric.status != "no_data" or project.stage in OUTCOME_STAGES else ""
        return {"id": metric.id, "name": metric.name, "value": format_value(value, metric.unit),
                "target": format_value(metric.target, metric.unit), "raw_value": value, "raw_target": metric.target,
                "status": shown, "status_label": self.labels["status_" + shown] if shown else ""}

    def _portfolio_row(self, project: Project, src: str) -> dict[str, Any]:
        """A row of the home page's table: what it shows, and what the filters, the sort and the CSV read."""
        row = self._row(project, src)
        owners = [str(o.get("name", "")) for o in project.data.get("owners") or ()]
        last = self._last_changed(project)
        row.update(
            owners=", ".join(owners), key_metric=self._key_metric_cell(project), last_changed=last,
            statuses=self._statuses(project),
            sort={"stage": self.schema.stages.index(project.stage) if project.stage in self.schema.stages else 99,
                  "verdict": SEVERITY.get(project.verdict.final, 9), "readiness": project.readiness.percent,
                  "last_changed": last["time"] if last and last["time"] else 0},
        )
        row["attrs"] = {
            "id": project.id, "stage": project.stage, "verdict": project.verdict.final, "team": group_key(project.team),
            "tags": json.dumps(sorted({group_key(x) for x in project.tags}), ensure_ascii=False),
            "owners": json.dumps(sorted({group_key(x) for x in owners}), ensure_ascii=False),
            "status": " ".join(row["statuses"]),
        }
        return row

    def _csv_row(self, project: Project, row: dict[str, Any]) -> list[str]:
        metric, last = row["key_metric"] or {}, row["last_changed"] or {}
        return [
            project.id, project.title, project.stage, project.verdict.final, str(project.readiness.percent), project.team,
            "; ".join(o for o in row["owners"].split(", ") if o), "; ".join(project.tags),
            metric.get("name", ""), _number(metric.get("raw_value")), _number(metric.get("raw_target")), metric.get("status", ""),
            last.get("date", ""), ("yes" if last.get("stale") else "no") if last.get("date") else "",
            "" if last.get("days") is None else str(last["days"]), "" if last.get("limit") is None else str(last["limit"]),
            project.updated, self.layout.url(self.layout.project(project.id)),
        ]

    def csv_rows(self, portfolio: Portfolio) -> list[list[str]]:
        """``projects.csv``: the header, then the active projects and the retired ones, as the home page lists them."""
        home = self.layout.home()
        rows = [self._portfolio_row(p, home) for p in portfolio.projects]
        ordered = [r for r in rows if r["project"].stage != RETIRED] + [r for r in rows if r["project"].stage == RETIRED]
        return [list(CSV_COLUMNS), *(self._csv_row(r["project"], r) for r in ordered)]

    def _ctx_home(self, portfolio: Portfolio, home: str) -> dict[str, Any]:
        """The home page: active and retired projects apart, bars that open the filtered view, the
        filters' choices, "what changed recently", and the no-history note."""
        t = self.labels
        rows = [self._portfolio_row(p, home) for p in portfolio.projects]
        owners: dict[str, str] = {}
        for p in portfolio.projects:
            for o in p.data.get("owners") or ():
                owners.setdefault(group_key(str(o.get("name", ""))), str(o.get("name", "")))
        statuses = ["stale"] + (["off_track"] if any("off_track" in r["statuses"] for r in rows) or _has_outcomes(portfolio) else [])
        filters = [
            {"key": "stage", "label": t["stage"], "options": [(s, t.stage(s)) for s in self.schema.stages]},
            {"key": "verdict", "label": t["verdict"], "options": [(v, t.verdict(v)) for v in VERDICTS]},
            {"key": "team", "label": t["team"], "options": [(group_key(k), k) for k in portfolio.by("team")]},
            {"key": "tag", "label": t["tags"], "options": [(group_key(k), k) for k in portfolio.by("tag")]},
            {"key": "owner", "label": t["owners"], "options": sorted(owners.items(), key=lambda kv: (kv[0], kv[1]))},
            {"key": "status", "label": t["status"], "options": [(s, t["status_" + s]) for s in statuses]},
        ]
        by_id = {p.id: p for p in portfolio.projects}
        names = {posixpath.basename(p.file): p for p in portfolio.projects}
        recent = []
        for name, events in (self.history.recent(RECENT) if self.history is not None else []):
            project = names.get(name)
            if project is not None:
                entry = self._event(events[0])
                if len(events) > 1:  # one kind of change to several metrics in one commit: one line
                    entry["text"] += " " + t.format("and_more", n=len(events) - 1)
                entry.update(title=project.title, link=self.layout.href(home, self.layout.project(project.id)))
                recent.append(entry)
        stage_links = {s: f"?stage={quote(s)}#{'retired-projects' if s == RETIRED else 'all-projects'}" for s in self.schema.stages}
        active_total = sum(p.stage != RETIRED for p in by_id.values())
        verdict_links = {v: f"?verdict={quote(v)}#all-projects" for v in VERDICTS}
        return {
            "active_rows": [r for r in rows if r["project"].stage != RETIRED],
            "retired_rows": [r for r in rows if r["project"].stage == RETIRED],
            "active_total": active_total,
            "rows_at_once": ROWS_AT_ONCE,
            "columns": HOME_COLUMNS,
            "retired_columns": RETIRED_COLUMNS,
            "csv_header": json.dumps(list(CSV_COLUMNS)),
            "csv_link": self.layout.href(home, self.layout.path("projects.csv")),
            "stage_links": stage_links,
            "verdict_links": verdict_links,
            "filters": json.dumps(filters, ensure_ascii=False),
            "filter_labels": json.dumps({k: t[k] for k in FILTER_LABELS}, ensure_ascii=False),
            "recent": recent,
            "history_available": self.history is not None and self.history.history.available,
            "history_note": self.history_note(),
        }


# The home page's columns (after the title), the retired table's, and projects.csv's.
HOME_COLUMNS = ("stage", "verdict", "readiness", "team", "owners", "key_metric", "last_changed", "updated")
RETIRED_COLUMNS = ("verdict", "team", "owners", "last_changed", "updated")
CSV_COLUMNS = ("id", "title", "stage", "verdict", "readiness", "team", "owners", "tags", "key_metric", "key_metric_value",
               "key_metric_target", "key_metric_status", "last_changed", "stale", "days_untouched", "stale_after_days",
               "updated", "url")
# The verdicts' sort order on the home page: most severe first (the stages sort in life-cycle order).
SEVERITY = {"not_recommended": 0, "proceed_with_caution": 1, "undetermined": 2, "recommended": 3}
FILTER_LABELS = ("all", "filter_heading", "clear_filters", "download_csv", "showing", "no_match")
RECENT = 10
#: Rows of a portfolio table in the home page as it loads; the rest wait in a template that the
#: page's script adds while the page is idle (see home.html.jinja): a live row costs a browser
#: far more than one read into a template, and a page of 1,000 live rows took 0.3 s longer.
ROWS_AT_ONCE = 100


def _number(value: object) -> str:
    return "" if value is None or isinstance(value, bool) else str(value)


def _has_outcomes(portfolio: Portfolio) -> bool:
    """Does any metric carry observations (so "off track" can be said of it at all)?"""
    return any(m.observations for p in portfolio.projects for m in p.metrics)
