"""Checks that need the computed verdict, for the checker to run with the spec's own rules.

The spec layer cannot compute a verdict (the rules are the site's, from its settings), so a
front end hands these to :class:`~mlfolio.spec.check.Checker` as ``checks``:

- ``deployed-not-recommended``: a project in deployment or monitoring whose computed verdict
  is ``not_recommended`` and that no reviewer has overridden (a warning: it can be true, and a
  reviewer should look);
- ``reviewer-unknown``: with a ``reviewers`` list set, an override by anyone else (an error).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mlfolio.analysis.verdict import DEFAULT_RULES, VerdictRule, verdict_for
from mlfolio.spec.diagnostics import Diagnostic, error, warning
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.rules import Rule
from mlfolio.spec.schema import SpecSchema

IN_USE = ("deployed", "monitoring")


def verdict_checks(schema: SpecSchema, rules: Sequence[VerdictRule] = DEFAULT_RULES, reviewers: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The checks for a site with these verdict ``rules`` and, if any, these ``reviewers``."""
    allowed = {" ".join(r.split()).casefold(): r for r in reviewers}

    def deployed_not_recommended(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
        feasibility = spec.get("feasibility")
        if spec.get("stage") not in IN_USE or (isinstance(feasibility, dict) and feasibility.get("override")):
            return
        try:
            verdict = verdict_for(spec, schema, rules)
        except (TypeError, AttributeError, KeyError):  # a spec of the wrong shape: the schema says so
            return
        if verdict.computed == "not_recommended":
            pos = loaded.positions.value(("stage",))
            reasons = ", ".join(f"{a.criterion.ref} = {a.answer}" for a in verdict.decided_by)
            yield warning(
                loaded.file, pos.line, pos.column,
                f"the project is '{spec.get('stage')}' but its computed verdict is not_recommended ({reasons}) and no "
                "reviewer has overridden it: review the answers, or record the review in `feasibility.override`",
                "deployed-not-recommended", "stage",
            )  # fmt: skip

    def known_reviewer(spec: dict[str, Any], loaded: LoadResult) -> Iterator[Diagnostic]:
        feasibility = spec.get("feasibility")
        override = feasibility.get("override") if isinstance(feasibility, dict) else None
        reviewer = override.get("reviewer") if isinstance(override, dict) else None
        if not allowed or not isinstance(reviewer, str) or " ".join(reviewer.split()).casefold() in allowed:
            return
        pos = loaded.positions.value(("feasibility", "override", "reviewer"))
        yield error(
            loaded.file, pos.line, pos.column,
            f"{reviewer!r} is not one of the site's reviewers ({', '.join(allowed.values())}); only they may override a "
            "verdict: ask one of them to review, or have the list in the plugin's `reviewers` option changed",
            "reviewer-unknown", "feasibility.override.reviewer",
        )  # fmt: skip

    return (deployed_not_recommended, known_reviewer)
