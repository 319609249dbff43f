"""Feasibility answers checked against their evidence and against the rest of the spec.

- ``evidence-required``: from the stage that requires the feasibility section, every answer
  other than ``unknown`` says what shows it.
- Cross-checks: two statements of the same spec about the same fact. An error where both
  cannot be true, a warning where they only pull apart:
  ``labels-vs-data`` (``labels.situation: no_data`` beside data that exists),
  ``interpretability-vs-explain`` (``constraints.performance.interpretability`` beside
  "every decision must be explained"), ``input-vs-data`` (what the business section says of
  its input data beside "good data is hard to get" and "labelled"),
  ``override-unethical`` (an override with a better verdict while the problem is judged
  unethical needs ``acknowledge_unethical: true``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlfolio.spec.diagnostics import Diagnostic, error, format_path, warning
from mlfolio.spec.loader import LoadResult
from mlfolio.spec.rule_kit import at as _at
from mlfolio.spec.rule_kit import get as _get
from mlfolio.spec.schema import RETIRED, SpecSchema

Path = tuple[str | int, ...]
GROUPS = ("for_ml", "against_ml", "risks")




def _answer(spec: dict[str, Any], ref: str) -> str | None:
    group, key = ref.split(".")
    value = _get(spec, "feasibility", group, key, "answer")
    return value if isinstance(value, str) else None




def _title(schema: SpecSchema | None, group: str, key: str) -> str:
    """The criterion's title as the page shows it (``Learnable pattern``), else its key."""
    node = schema.property_schema(("feasibility", group, key)) if schema else {}
    title = node.get("title")
    return title if isinstance(title, str) and title != "Answer" else key


def evidence_required(spec: dict[str, Any], loaded: LoadResult, schema: SpecSchema | None) -> Iterator[Diagnostic]:
    """From the stage that requires feasibility, an answer other than ``unknown`` needs evidence."""
    stage = spec.get("stage")
    if schema is None or not isinstance(stage, str) or stage not in schema.stages or stage == RETIRED:
        return
    needed = [r for r in schema.requirements if r.path == ("feasibility",)]
    if not needed or not schema.applies(needed[0], stage):
        return
    for group in GROUPS:
        answers = _get(spec, "feasibility", group)
        for key, entry in (answers.items() if isinstance(answers, dict) else ()):
            if not isinstance(entry, dict) or entry.get("answer") in (None, "unknown"):
                continue
            evidence = entry.get("evidence")
            if isinstance(evidence, str) and evidence.strip():
                continue
            path: Path = ("feasibility", group, key)
            yield error(
                loaded.file, *_at(loaded, (*path, "answer")),
                f"{_title(schema, group, key)!r} is answered '{entry.get('answer')}' without evidence; from stage "
                f"'{needed[0].from_stage}' on, every answer but 'unknown' says what shows it: add `evidence:` "
                "(and `source:` with a link, if there is one), or answer 'unknown' and say how you will find out",
                "evidence-required", format_path(path),
            )  # fmt: skip


def _first(*candidates: tuple[Path, bool]) -> Path:
    return next((path for path, present in candidates if present), candidates[-1][0])


def cross_checks(spec: dict[str, Any], loaded: LoadResult, schema: SpecSchema | None = None) -> Iterator[Diagnostic]:
    """Answers that contradict, or pull against, what another part of the spec says."""
    data_available = _answer(spec, "for_ml.data_available")
    no_good_data = _answer(spec, "against_ml.no_good_data")
    must_explain = _answer(spec, "against_ml.must_explain")
    situation = _get(spec, "labels", "situation")

    if situation == "no_data" and data_available in ("yes", "partly"):
        yield error(
            loaded.file, *_at(loaded, ("labels", "situation")),
            f"labels.situation is 'no_data' but feasibility says data exists ('for_ml.data_available: {data_available}'); "
            "both cannot be true: correct one of them",
            "labels-vs-data", "labels.situation",
        )  # fmt: skip
    if situation in ("labelled", "similar_labels", "unlabelled") and data_available == "no":
        yield error(
            loaded.file, *_at(loaded, ("feasibility", "for_ml", "data_available", "answer")),
            f"for_ml.data_available is 'no' but labels.situation is '{situation}', which says data exists; "
            "both cannot be true: correct one of them",
            "labels-vs-data", "feasibility.for_ml.data_available",
        )  # fmt: skip

    interpretability = _get(spec, "constraints", "performance", "interpretability")
    if interpretability == "required" and must_explain == "no":
        yield error(
            loaded.file, *_at(loaded, ("feasibility", "against_ml", "must_explain", "answer")),
            "against_ml.must_explain is 'no' but constraints.performance.interpretability is 'required'; "
            "both cannot be true: if every decision must be explained, answer 'yes' (a reason against ML)",
            "interpretability-vs-explain", "feasibility.against_ml.must_explain",
        )  # fmt: skip
    elif interpretability == "not_required" and must_explain in ("yes", "partly"):
        yield warning(
            loaded.file, *_at(loaded, ("constraints", "performance", "interpretability")),
            f"constraints.performance.interpretability is 'not_required' but against_ml.must_explain is '{must_explain}'; "
            "say which is right",
            "interpretability-vs-explain", "constraints.performance.interpretability",
        )  # fmt: skip

    # What the business section says of its input data, against the data criteria.
    problems = [name for name in ("trustworthy", "consistent", "labelled", "continuous")
                if _get(spec, "business", "input", name, "answer") == "no"]
    if problems and no_good_data == "no":
        names = ", ".join(problems)
        yield warning(
            loaded.file, *_at(loaded, ("feasibility", "against_ml", "no_good_data", "answer")),
            f"against_ml.no_good_data is 'no' (good data is easy to get) but business.input says the data is not {names}; "
            "answer 'yes' or 'partly', or correct business.input",
            "input-vs-data", "feasibility.against_ml.no_good_data",
        )  # fmt: skip
    if _get(spec, "business", "input", "labelled", "answer") == "no" and situation == "labelled":
        yield warning(
            loaded.file, *_at(loaded, ("labels", "situation")),
            "labels.situation is 'labelled' but business.input.labelled is 'no'; say which is right",
            "input-vs-data", "labels.situation",
        )  # fmt: skip

    override = _get(spec, "feasibility", "override")
    if (isinstance(override, dict) and _answer(spec, "against_ml.unethical") == "yes"
            and override.get("verdict") not in (None, "not_recommended") and override.get("acknowledge_unethical") is not True):
        yield error(
            loaded.file, *_at(loaded, ("feasibility", "override", "verdict")),
            f"the override sets '{override.get('verdict')}' while against_ml.unethical is 'yes'; an override may not "
            "silently overrule an unethical problem: add `acknowledge_unethical: true` to the override (it is shown "
            "loudly on the page), or change the answer with its evidence",
            "override-unethical", "feasibility.override.verdict",
        )  # fmt: skip


__all__ = ["cross_checks", "evidence_required"]
