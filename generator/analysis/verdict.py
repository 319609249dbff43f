"""The feasibility verdict: computed from the criteria's answers, never typed by hand.

Rules are data. They are tried in order and the first that matches decides. A rule lists
conditions (``criterion`` has one of some answers) and matches when at least ``at_least`` of
the project's answers meet one of them (one, unless it says more), so a rule can count: "two
reasons against ML hold". Each verdict says which answers decided it and which rule fired. A
project with no matching rule is ``recommended``. A reviewer may record an override in the
spec; the computed verdict is kept beside it.

An answer the spec leaves out is ``missing``, and the default rules treat it as ``unknown`` in
every group: a question nobody answered is an open question, whichever group it is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlfolio.spec.schema import SpecSchema

VERDICTS = ("recommended", "proceed_with_caution", "not_recommended", "undetermined")
ANSWERS = ("yes", "no", "partly", "unknown", "missing")
GROUPS = ("for_ml", "against_ml", "risks")
FALLBACK = "recommended"


@dataclass(frozen=True)
class Criterion:
    """One feasibility question, as the schema defines it."""

    group: str
    key: str
    title: str
    title_ko: str
    question: str
    question_ko: str = ""

    @property
    def ref(self) -> str:
        return f"{self.group}.{self.key}"


@dataclass(frozen=True)
class CriterionAnswer:
    criterion: Criterion
    answer: str  # one of ANSWERS; "missing" when the spec leaves it out
    evidence: str
    source: str = ""  # a link to where the evidence is (a notebook, a dashboard, a ticket)


@dataclass(frozen=True)
class Condition:
    """``criterion`` (``group.key`` or ``group.*``) has one of ``answers``."""

    criterion: str
    answers: frozenset[str]

    def matches(self, answer: CriterionAnswer) -> bool:
        group, _, key = self.criterion.partition(".")
        if group != answer.criterion.group or key not in ("*", answer.criterion.key):
            return False
        return answer.answer in self.answers

    def describe(self) -> str:
        return f"{self.criterion} is {' or '.join(sorted(self.answers))}"


@dataclass(frozen=True)
class VerdictRule:
    """Fires when at least ``at_least`` answers each meet one of ``when_any``."""

    verdict: str
    when_any: tuple[Condition, ...]
    reason: str = ""
    reason_ko: str = ""  # the default rules carry a Korean reason too; configured rules need not
    at_least: int = 1
    id: str = ""  # a name for the rule, shown with the verdict and in projects.json

    def hits(self, answers: Sequence[CriterionAnswer]) -> tuple[CriterionAnswer, ...]:
        """The answers that decide, if the rule fires; else ()."""
        found = tuple(a for a in answers if any(c.matches(a) for c in self.when_any))
        return found if len(found) >= self.at_least else ()


@dataclass(frozen=True)
class Override:
    verdict: str
    reason: str
    reviewer: str
    date: str | None
    acknowledge_unethical: bool = False  # the reviewer knows the problem was judged unethical


@dataclass(frozen=True)
class Verdict:
    """The computed verdict, the answers that decided it, and a reviewer's override if any."""

    computed: str
    rule: VerdictRule | None
    decided_by: tuple[CriterionAnswer, ...]
    answers: tuple[CriterionAnswer, ...]
    override: Override | None

    @property
    def final(self) -> str:
        return self.override.verdict if self.override else self.computed

    @property
    def assessed(self) -> bool:
        """False when the spec has no feasibility section at all."""
        return any(a.answer != "missing" for a in self.answers)


def _rule(ident: str, verdict: str, reason: tuple[str, str], *conditions: tuple[str, Iterable[str]], at_least: int = 1) -> VerdictRule:
    return VerdictRule(verdict, tuple(Condition(c, frozenset(a)) for c, a in conditions), *reason, at_least=at_least, id=ident)


OPEN = ("unknown", "missing")  # not found out yet, or not answered: the same to every rule

# The defaults follow the lecture notes: ML fits when there is a learnable pattern, an objective
# to train, complexity, data (or a way to collect it) and repetition; it should not be used for
# an unethical problem, a simple case, hard-to-get good data, fatal single errors, decisions
# that must all be explained, or when it does not pay (머신러닝을 사용하면 좋지 않은 경우).
DEFAULT_RULES: tuple[VerdictRule, ...] = (
    _rule(
        "fundamental-reason", "not_recommended",
        ("A fundamental reason rules ML out: no learnable pattern, no objective to train, no data and no way to collect it, "
         "an unethical problem, or a simple solution that already does the job.",
         "머신러닝을 배제하는 근본적인 이유가 있습니다: 학습할 패턴이 없거나, 목적 함수를 만들 수 없거나, "
         "데이터가 없고 수집할 방법도 없거나, 비윤리적 문제이거나, 간단한 해법이 이미 있습니다."),
        ("for_ml.pattern", ["no"]),
        ("for_ml.objective_function", ["no"]),
        ("for_ml.data_available", ["no"]),
        ("against_ml.unethical", ["yes"]),
        ("against_ml.simple_solution", ["yes"]),
    ),
    _rule(
        "reasons-against", "not_recommended",
        ("Two or more reasons against ML hold; the notes list each of them as a case where ML should not be used.",
         "머신러닝을 쓰면 좋지 않은 이유가 두 가지 이상 성립합니다. 강의 노트는 그 하나하나를 머신러닝을 쓰지 말아야 할 경우로 꼽습니다."),
        ("against_ml.*", ["yes"]),
        at_least=2,
    ),
    _rule(
        "open-question", "undetermined",
        ("A question that decides is still open: whether there is a pattern, an objective, data, whether the problem is "
         "ethical, whether a simple solution exists.",
         "판정을 좌우하는 질문의 답이 아직 없습니다: 패턴, 목적 함수, 데이터가 있는지, 윤리적인 문제인지, 간단한 해법이 있는지."),
        ("for_ml.pattern", OPEN),
        ("for_ml.objective_function", OPEN),
        ("for_ml.data_available", OPEN),
        ("against_ml.unethical", OPEN),
        ("against_ml.simple_solution", OPEN),
    ),
    _rule(
        "reservations", "proceed_with_caution",
        ("ML fits, with named reservations: a reason against ML holds (one serious reason is caution at most), a reason for "
         "ML holds only partly or not, a project risk holds at least partly, or a question is still open.",
         "머신러닝이 맞지만 유보 사항이 있습니다: 반대 이유가 성립하거나(심각한 이유 하나는 최대 '주의'), 찬성 이유가 "
         "일부만 성립하거나 성립하지 않거나, 프로젝트 위험이 일부라도 성립하거나, 아직 답이 없는 질문이 있습니다."),
        ("for_ml.*", ["no", "partly", *OPEN]),
        ("against_ml.*", ["yes", "partly", *OPEN]),
        ("risks.*", ["yes", "partly", *OPEN]),
    ),
)


def criteria(schema: SpecSchema) -> tuple[Criterion, ...]:
    """Every feasibility question, in schema order."""
    feasibility = schema.property_schema(("feasibility",))
    out = []
    for group in GROUPS:
        props = schema.resolve(feasibility.get("properties", {}).get(group, {})).get("properties", {})
        for key, prop in props.items():
            out.append(Criterion(group, key, prop.get("title", key), prop.get("x-mlfolio-title-ko", ""), prop.get("description", ""),
                                 prop.get("x-mlfolio-description-ko", "")))
    return tuple(out)


def read_answers(feasibility: Mapping[str, Any] | None, catalogue: Sequence[Criterion]) -> tuple[CriterionAnswer, ...]:
    feasibility = feasibility or {}
    out = []
    for criterion in catalogue:
        entry = (feasibility.get(criterion.group) or {}).get(criterion.key) or {}
        out.append(CriterionAnswer(criterion, entry.get("answer", "missing"), entry.get("evidence", ""), entry.get("source", "")))
    return tuple(out)


def decide(
    answers: Sequence[CriterionAnswer], rules: Sequence[VerdictRule] = DEFAULT_RULES, override: Mapping[str, Any] | None = None
) -> Verdict:
    """Apply ``rules`` in order to ``answers``; the first rule that fires decides."""
    for rule in rules:
        hits = rule.hits(answers)
        if hits:
            return Verdict(rule.verdict, rule, hits, tuple(answers), _override(override))
    return Verdict(FALLBACK, None, (), tuple(answers), _override(override))


def _override(data: Mapping[str, Any] | None) -> Override | None:
    if not data:
        return None
    return Override(data["verdict"], data["reason"], data["reviewer"], data.get("date"), data.get("acknowledge_unethical") is True)


def verdict_for(spec: Mapping[str, Any], schema: SpecSchema, rules: Sequence[VerdictRule] = DEFAULT_RULES) -> Verdict:
    feasibility = spec.get("feasibility") or {}
    return decide(read_answers(feasibility, criteria(schema)), rules, feasibility.get("override"))


# -- rules from configuration (mkdocs.yml) ---------------------------------------------------

_YAML11 = {True: "yes", False: "no"}  # mkdocs.yml is read as YAML 1.1: `no` arrives as False


def parse_rules(raw: Any, schema: SpecSchema) -> tuple[VerdictRule, ...]:
    """Rules written in configuration, validated; raises ``ValueError`` listing every problem.

    Each rule is ``{verdict: ..., when_any: [{criterion: answer-or-list}, ...], reason: ...}``,
    with optional ``at_least: N`` (how many answers must meet a condition; default 1) and
    ``id``; ``criterion`` is ``group.key`` or ``group.*``.
    """
    known = {c.ref for c in criteria(schema)} | {f"{g}.*" for g in GROUPS}
    problems: list[str] = []
    rules: list[VerdictRule] = []
    if not isinstance(raw, list) or not raw:
        raise ValueError("verdict_rules must be a list of one or more rules")
    for i, item in enumerate(raw):
        where = f"verdict_rules[{i}]"
        if not isinstance(item, dict) or set(item) - {"verdict", "when_any", "reason", "at_least", "id"}:
            problems.append(f"{where}: a rule is a mapping with keys verdict, when_any, reason and optionally at_least and id")
            continue
        at_least = item.get("at_least", 1)
        if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
            problems.append(f"{where}.at_least: a whole number from 1 (how many answers must meet a condition)")
            at_least = 1
        if item.get("verdict") not in VERDICTS:
            problems.append(f"{where}.verdict: {item.get('verdict')!r} is not one of {', '.join(VERDICTS)}")
        conditions: list[Condition] = []
        when = item.get("when_any")
        if not isinstance(when, list) or not when:
            problems.append(f"{where}.when_any: list one or more conditions, e.g. `- for_ml.pattern: no`")
            when = []
        for j, cond in enumerate(when):
            if not isinstance(cond, dict) or len(cond) != 1:
                problems.append(f"{where}.when_any[{j}]: write a condition as `criterion: answer`")
                continue
            (name, value), = cond.items()
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, (str, bool)) for v in values):
                problems.append(f"{where}.when_any[{j}]: an answer is one of {', '.join(ANSWERS)}, or a list of them")
                continue
            answers = {_YAML11.get(v, v) if isinstance(v, bool) else v for v in values}
            if name not in known:
                problems.append(f"{where}.when_any[{j}]: unknown criterion {name!r}")
            bad = sorted(str(a) for a in answers if a not in ANSWERS)
            if bad:
                problems.append(f"{where}.when_any[{j}]: {', '.join(bad)} is not an answer ({', '.join(ANSWERS)})")
            conditions.append(Condition(str(name), frozenset(str(a) for a in answers)))
        rules.append(VerdictRule(str(item.get("verdict")), tuple(conditions), str(item.get("reason", "")), at_least=at_least,
                                 id=str(item.get("id") or f"rule-{i + 1}")))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(rules)
