"""Generate realistic synthetic project specs for benchmarks, deterministically.

Each synthetic spec is a variation of one of the example specs in ``projects/*.yaml``: a new
id (``synthetic-0001`` ...), title, team (about 20 teams), owners, tags, stage, dates, scaled
metric numbers, changed feasibility answers, longer or shorter lists, and some Korean text.
Sections the chosen stage does not need yet are usually dropped, so early-stage specs are
shorter, as they are in a real portfolio.

Every spec is checked with mlfolio's own checker as it is written; a variation that produces
an error or a warning is drawn again (the benchmark builds the site with ``--strict``, where a
spec warning fails the build). The same seed and the same examples give the same files.

Usage::

    python bench/synth.py OUT_DIR [-n 100] [--seed 1] [--projects projects]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import random
import re
import statistics
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from mlfolio.analysis.verdict_checks import verdict_checks  # noqa: E402
from mlfolio.spec.check import Checker  # noqa: E402
from mlfolio.spec.schema import SpecSchema, load_schema  # noqa: E402
from mlfolio.spec.validation import is_empty  # noqa: E402

SCHEMA_COMMENT = "# yaml-language-server: $schema={ref}\n"
DEFAULT_SCHEMA_REF = "../schemas/project.schema.json"
MAX_ATTEMPTS = 40

# ----------------------------------------------------------------------------- YAML I/O
# Read the examples as mlfolio does (YAML 1.2 core schema): `yes`/`no` and unquoted dates
# stay strings, only true/false are booleans. PyYAML's default (YAML 1.1) would turn
# `answer: yes` into True.
_BOOL, _INT, _FLOAT, _TS = (f"tag:yaml.org,2002:{n}" for n in ("bool", "int", "float", "timestamp"))
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecLoader(_Base):  # type: ignore[misc, valid-type]
    pass


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT, _TS)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
SpecLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
SpecLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


class SpecDumper(yaml.SafeDumper):
    """Block style for multi-line text, like the examples; keys keep their order."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("owners:\n  - name: ..."), as the examples do.
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


SpecDumper.add_representer(str, _str)


ANSWER_QUOTED = re.compile(r"^(\s*answer: )'(yes|no|partly|unknown)'$", re.M)


def read_spec(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SpecLoader)  # noqa: S506 (safe loader subclass)


def dump_spec(data: dict[str, Any], schema_ref: str = DEFAULT_SCHEMA_REF) -> str:
    # One line per value, like the examples (no folding of long text).
    body = yaml.dump(data, Dumper=SpecDumper, allow_unicode=True, sort_keys=False, width=1 << 16, default_flow_style=False)
    # PyYAML quotes yes/no (booleans in YAML 1.1); mlfolio reads YAML 1.2, where they are strings.
    body = ANSWER_QUOTED.sub(r"\1\2", body)
    return SCHEMA_COMMENT.format(ref=schema_ref) + body


# ----------------------------------------------------------------------------- pools
TEAMS = [  # (name, weight): a few large teams own most projects, as in real portfolios
    ("Applied ML", 9), ("Personalization", 8), ("CRM 분석팀", 7), ("Search Relevance", 6),
    ("Fraud & Risk", 6), ("Ads Ranking", 5), ("추천시스템팀", 5), ("Supply Chain Analytics", 4),
    ("Growth Data Science", 4), ("Vision Platform", 3), ("NLP Platform", 3), ("Pricing", 3),
    ("고객지원 AI팀", 3), ("Marketplace Quality", 2), ("Forecasting", 2), ("Trust & Safety", 2),
    ("물류최적화팀", 2), ("Payments Risk", 2), ("HR Analytics", 1), ("Finance Data", 1),
]
FAMILY = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon"]
GIVEN = ["Min-ji", "Seo-yeon", "Ji-hoon", "Do-yun", "Ha-eun", "Joon-ho", "Su-bin", "Ye-jin", "Hyun-woo", "Ji-woo",
         "Eun-seo", "Tae-yang", "So-hee", "Dong-hyun", "Yu-na"]
OTHER_NAMES = ["Tomás Herrera", "Priya Raman", "Lukas Becker", "Amelia Clarke", "Nguyen Thi Lan", "Omar Haddad",
               "Sofia Rossi", "Daniel Okafor", "Mei Chen", "Hannah Schmidt", "Rafael Souza", "Aiko Tanaka"]
HANGUL_NAMES = ["김민지", "이서연", "박지훈", "최도윤", "정하은", "강준호", "조수빈", "윤예진", "한현우", "오지우"]
ROLES = ["Data scientist (lead)", "Data scientist", "ML engineer", "MLOps engineer", "Product manager",
         "Analytics engineer", "Research scientist", "데이터 사이언티스트", "ML 엔지니어", "프로덕트 매니저"]
SME_ROLES = ["Head of customer service", "CRM marketing lead", "Category manager", "Fraud operations lead",
             "Logistics planner", "Head of agent partnerships", "물류센터장", "마케팅 팀장", "상품기획 MD", "CS 운영 리드"]
TAGS = ["recommendation", "ranking", "classification", "regression", "forecasting", "nlp", "vision", "search",
        "tabular", "gradient-boosting", "deep-learning", "uplift", "causal", "anomaly-detection", "fraud",
        "pricing", "crm", "churn", "logistics", "demand", "real-estate", "ads", "personalization", "llm",
        "embeddings", "time-series", "clustering", "a-b-test", "batch", "real-time", "korean", "추천", "검색",
        "이탈", "수요예측", "cold-start", "explainability", "privacy", "geospatial", "speech"]
EN_TASKS = [
    ("Forecast", "weekly demand"), ("Predict", "customer churn"), ("Rank", "search results"),
    ("Detect", "fraudulent orders"), ("Recommend", "next purchases"), ("Estimate", "delivery times"),
    ("Classify", "support tickets"), ("Score", "seller quality"), ("Flag", "duplicate listings"),
    ("Personalize", "home feed"), ("Optimize", "coupon targeting"), ("Predict", "return risk"),
    ("Match", "addresses to buildings"), ("Summarize", "customer reviews"), ("Route", "inbound calls"),
    ("Price", "used-car listings"), ("Tag", "product photos"), ("Translate", "seller descriptions"),
]
EN_CONTEXT = ["for the mobile app", "in Seoul and Gyeonggi", "for new customers", "across categories",
              "at checkout", "for partner sellers", "in the contact center", "for the marketplace",
              "before dispatch", "for premium members", "on the listing form", "in near real time"]
KO_TITLES = ["주간 수요 예측", "이탈 고객 예측 및 리텐션 쿠폰", "검색 결과 랭킹 개선", "이상 거래 탐지", "개인화 홈 추천",
             "배송 소요 시간 예측", "상담 문의 자동 분류", "판매자 품질 점수", "중복 매물 탐지", "리뷰 요약",
             "재구매 예측 기반 CRM", "반품 위험 예측", "주소 정제 및 매칭", "상품 이미지 자동 태깅"]
KO_CONTEXT = ["(모바일 앱)", "(수도권)", "(신규 고객)", "(전 카테고리)", "(파트너 판매자)", "(고객센터)", ""]
KO_SENTENCES = [
    "현업 담당자와 주간 리뷰에서 합의했다.",
    "데이터 품질 이슈는 다음 분기에 재점검한다.",
    "개인정보 보호 검토를 통과했다.",
    "베이스라인 대비 개선 폭은 아직 불확실하다.",
    "운영팀의 수작업 시간을 줄이는 것이 핵심이다.",
    "A/B 테스트 결과에 따라 범위를 조정한다.",
    "라벨 정의는 직무 전문가와 함께 정했다.",
    "모델 설명은 상담원 화면에 함께 표시한다.",
    "주요 지표는 매주 대시보드에서 확인한다.",
    "계절성 때문에 최소 1년치 데이터가 필요하다.",
]
EN_SENTENCES = [
    "Agreed with the business owner in the weekly review.",
    "To be re-checked after the next data refresh.",
    "Privacy review passed without changes.",
    "The size of the gain over the baseline is still uncertain.",
    "The main win is fewer hours of manual work for operations.",
    "Scope will be adjusted after the A/B test.",
    "Label definitions were written together with the subject-matter expert.",
    "Seasonality means at least a year of history is needed.",
]
STAGE_WEIGHTS = {  # most projects in a portfolio are early; few reach monitoring
    "problem_definition": 22, "project_design": 26, "baseline_prototype": 18, "development": 13,
    "deployed": 9, "monitoring": 4, "retired": 8,
}
LAST_UPDATE = dt.date(2026, 10, 31)  # a fixed "today", so the output does not depend on the run date
ANSWERS = (["yes"] * 5) + (["no"] * 3) + (["partly"] * 3) + ["unknown"]


# ----------------------------------------------------------------------------- helpers
def _person(rng: random.Random, roles: list[str], korean: bool) -> dict[str, str]:
    if korean and rng.random() < 0.5:
        name = rng.choice(HANGUL_NAMES)
    elif rng.random() < 0.8:
        name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    else:
        name = rng.choice(OTHER_NAMES)
    person = {"name": name, "role": rng.choice(roles)}
    if rng.random() < 0.8:
        person["contact"] = "@" + re.sub(r"[^a-z]", "", name.lower().split()[-1] if name.isascii() else "user") + str(rng.randint(1, 99))
    return person


def _title(rng: random.Random, korean: bool) -> str:
    if korean:
        return f"{rng.choice(KO_TITLES)} {rng.choice(KO_CONTEXT)}".strip()
    verb, obj = rng.choice(EN_TASKS)
    return f"{verb} {obj} {rng.choice(EN_CONTEXT)}"


def _date(rng: random.Random, start: dt.date, span_days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, span_days))


def _stage_ok(schema: SpecSchema, data: dict[str, Any], stage: str) -> bool:
    """Does ``data`` already hold everything ``stage`` requires?"""
    for req in schema.requirements_for(stage):
        node: Any = data
        for name in req.path:
            node = node.get(name) if isinstance(node, dict) else None
        if is_empty(node):
            return False
    return True


def _top_level_stages(schema: SpecSchema) -> dict[str, str]:
    return {r.path[0]: r.from_stage for r in schema.requirements if len(r.path) == 1}


StringSite = tuple[Any, Any, dict[str, Any], tuple[str, ...]]


def _strings(node: Any, schema: SpecSchema, sub: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[StringSite]:
    """(container, key, container's schema, container's path) of every free-text string: a
    string property with no enum, pattern, format or const in the schema (so ids, metric
    references, URLs and dates are left alone). List items show as "[]" in paths."""
    sub = schema.resolve(sub)
    if isinstance(node, dict):
        props = sub.get("properties", {})
        for key, value in node.items():
            child = schema.resolve(props.get(key, {}))
            if isinstance(value, str):
                if child.get("type") == "string" and not any(k in child for k in ("enum", "pattern", "format", "const")):
                    yield node, key, sub, path
            else:
                yield from _strings(value, schema, child, (*path, key))
    elif isinstance(node, list):
        items = schema.resolve(sub.get("items", {}))
        for i, value in enumerate(node):
            if isinstance(value, str):
                if items.get("type") == "string" and not any(k in items for k in ("enum", "pattern", "format", "const")):
                    yield node, i, sub, path
            else:
                yield from _strings(value, schema, items, (*path, "[]"))


def _decimals(value: float | int) -> int:
    if isinstance(value, int):
        return 0
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 3


def _scaled(value: float | int, factor: float, decimals: int | None = None) -> float | int:
    """``value * factor``, as an int if ``value`` is one, else rounded to ``decimals`` places."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int) and decimals is None:
        return max(1, round(value * factor)) if value > 0 else round(value * factor)
    return round(value * factor, max(1, decimals if decimals is not None else _decimals(value)))


def _walk_answers(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("answer"), str):
            yield node
        for value in node.values():
            yield from _walk_answers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_answers(value)


def _lists(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """(path of names, container, key) of every list under mappings."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, list):
                yield (*path, key), node, key
            yield from _lists(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from _lists(value, (*path, "[]"))


# Short labels that keep their text: names, roles, contacts, units, tools, dates in prose.
PLAIN_FIELDS = {"title", "name", "role", "contact", "who", "team", "unit", "when", "date", "tool", "step", "tags"}
NUMBER = re.compile(r"(?<![\w.,\-:/])(\d{2,})(?![\w.,\-:/])")
YEAR = re.compile(r"(?:19|20)\d\d")

# Lists whose items nothing else refers to: their length can change freely (items are drawn
# from the same list in every example). Others (metrics, baselines, data sets, objectives and
# monitors that name metrics) keep their items; some only lose optional ones.
FREE_LISTS = {
    ("business", "interviews"), ("problem", "hypotheses"), ("problem", "decomposition"),
    ("problem", "incremental_plan"), ("deployment", "serving_stack"), ("iterations",),
    ("monitoring", "retraining_triggers"),
}


class Synth:
    def __init__(self, examples: list[tuple[str, dict[str, Any]]], schema: SpecSchema, seed: int = 1) -> None:
        if not examples:
            raise ValueError("no example specs to vary")
        self.examples = examples
        self.schema = schema
        self.seed = seed
        self.top_stage = _top_level_stages(schema)
        self.pools: dict[tuple[str, ...], list[Any]] = {}
        for _, data in examples:
            for path, parent, key in _lists(data):
                self.pools.setdefault(path, []).extend(parent[key])
        self.retirements = [d["retirement"] for _, d in examples if d.get("retirement")]
        # Which examples can play a project at each stage (retired: any, given a retirement section).
        self.supports: dict[str, list[tuple[str, dict[str, Any]]]] = {stage: [] for stage in schema.stages}
        for stage in schema.stages:
            for name, data in examples:
                candidate = data
                if stage == "retired" and self.retirements:
                    candidate = {**data, "retirement": data.get("retirement") or self.retirements[0]}
                if _stage_ok(schema, candidate, stage) and (stage != "retired" or self.retirements):
                    self.supports[stage].append((name, data))

    def spec(self, index: int, attempt: int = 0) -> dict[str, Any]:
        rng = random.Random(f"mlfolio-bench:{self.seed}:{index}:{attempt}")
        # Stage first, weighted like a real portfolio, then an example whose content supports it.
        stages = self.schema.stages
        offered = [s for s in stages if self.supports[s]]
        stage = rng.choices(offered, weights=[STAGE_WEIGHTS.get(s, 5) for s in offered])[0]
        _, template = rng.choice(self.supports[stage])
        data = copy.deepcopy(template)
        ident = f"synthetic-{index:04d}"
        korean = rng.random() < 0.3

        # identity
        data["id"] = ident
        data["title"] = _title(rng, korean)
        team = rng.choices([t for t, _ in TEAMS], weights=[w for _, w in TEAMS])[0]
        data["team"] = team
        data["owners"] = [_person(rng, ROLES, korean) for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 4]))]
        if "sme" in data or rng.random() < 0.5:
            data["sme"] = _person(rng, SME_ROLES, korean)
        data["tags"] = rng.sample(TAGS, rng.randint(1, 7))
        if "summary" in data:
            lead = data["title"] + (": " if not korean else " — ")
            data["summary"] = lead + data["summary"]
        created = _date(rng, dt.date(2024, 1, 1), 820)
        data["created"] = created.isoformat()
        data["updated"] = _date(rng, created, min(420, (LAST_UPDATE - created).days)).isoformat()
        for key, url in list((data.get("links") or {}).items()):
            host = re.match(r"^(https?://[^/]+)", url)
            team_slug = re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"
            data["links"][key] = f"{host.group(1) if host else 'https://example.com'}/{team_slug}/{ident}"

        data["stage"] = stage
        if stage == "retired":
            if not data.get("retirement"):
                data["retirement"] = copy.deepcopy(rng.choice(self.retirements))
        else:
            data.pop("retirement", None)
            rank = stages.index(stage)
            for section, since in self.top_stage.items():
                # Usually drop what the stage does not need yet; sometimes a team writes ahead.
                if since != "retired" and stages.index(since) > rank and section in data and rng.random() < 0.85:
                    del data[section]
        self._fix_references(data)

        # numbers: scale each metric's values (current, target, baseline results, monitor
        # thresholds) by one factor, so targets still beat today's value and the baselines
        self._scale_metrics(rng, data)
        for service in _find(data, "service"):
            for key in ("latency_ms", "qps"):
                if key in service:
                    service[key] = _scaled(service[key], rng.uniform(0.5, 2.0))

        # feasibility and data-quality answers
        for node in _walk_answers({k: data[k] for k in ("feasibility", "business") if k in data}):
            if rng.random() < 0.25:
                node["answer"] = rng.choice(ANSWERS)

        # list lengths
        for path, parent, key in list(_lists(data)):
            if path in FREE_LISTS and self.pools.get(path):
                pool = self.pools[path]
                n = max(1, min(len(pool), round(len(parent[key]) * rng.uniform(0.3, 1.2))))
                parent[key] = copy.deepcopy(rng.sample(pool, n))
        self._vary_candidates(rng, data)

        # optional prose left out: not every team fills in every optional field
        by_stage = {r.path for r in self.schema.requirements_for(stage)}
        for parent, key, sub, path in list(_strings(data, self.schema, self.schema.document)):
            if (isinstance(parent, dict) and key not in PLAIN_FIELDS and key not in sub.get("required", ())
                    and key != "evidence"  # an answer's evidence is required from project design on
                    and (*path, key) not in by_stage and rng.random() < 0.2):
                del parent[key]

        # text: prose fields get other numbers (one factor per field, so "from 46 to 39" keeps
        # its direction; years stay) and some Korean or English remarks
        for parent, key, _, _ in list(_strings(data, self.schema, self.schema.document)):
            text = parent[key]
            if key in PLAIN_FIELDS or len(text) < 40:
                continue
            if "http" not in text and "`" not in text and rng.random() < 0.5:
                text = NUMBER.sub(_number_scaler(rng.uniform(0.6, 1.5)), text)
            r = rng.random()
            if r < (0.35 if korean else 0.08):
                text = text.rstrip() + (" " if "\n" not in text else "\n") + rng.choice(KO_SENTENCES)
            elif r < 0.2:
                text = text.rstrip() + (" " if "\n" not in text else "\n") + rng.choice(EN_SENTENCES)
            parent[key] = text
        self._after_outcomes(data)
        return data

    @staticmethod
    def _after_outcomes(data: dict[str, Any]) -> None:
        """`updated` no earlier than the latest outcome recorded (observations, the A/B test's end,
        the evaluation): the spec was updated when they were written down."""
        dates = [o.get("date") for m in data.get("metrics") or () if isinstance(m, dict) for o in m.get("observations") or ()
                 if isinstance(o, dict)]
        dates.append(((data.get("ab_test") or {}).get("result") or {}).get("end"))
        dates.append((data.get("evaluation") or {}).get("date"))
        latest = max((d for d in dates if isinstance(d, str)), default=None)
        if latest and isinstance(data.get("updated"), str) and data["updated"] < latest:
            data["updated"] = latest

    # -- pieces -----------------------------------------------------------------------
    def _fix_references(self, data: dict[str, Any]) -> None:
        """After dropping sections: remove what points into a section that is gone."""
        if "metrics" not in data:
            for section in ("goals", "multi_objective", "ab_test", "monitoring", "baselines", "evaluation"):
                data.pop(section, None)
        evaluation = data.get("evaluation")
        if isinstance(evaluation, dict):
            datasets = {d.get("id") for d in (data.get("data") or {}).get("datasets") or () if isinstance(d, dict)}
            metrics = {m.get("id") for m in data.get("metrics") or () if isinstance(m, dict)}
            kept = [r for r in evaluation.get("results") or () if r.get("dataset") in datasets and r.get("metric") in metrics]
            if kept:
                evaluation["results"] = kept
            else:
                data.pop("evaluation")
        if "baselines" not in data:
            performance = (data.get("constraints") or {}).get("performance")
            if isinstance(performance, dict):
                performance.pop("baseline_to_beat", None)
                if not performance:
                    data["constraints"].pop("performance")

    def _scale_metrics(self, rng: random.Random, data: dict[str, Any]) -> None:
        metrics = [m for m in data.get("metrics", []) if isinstance(m, dict) and isinstance(m.get("id"), str)]
        if not metrics:
            return
        factors: dict[str, tuple[float, int | None]] = {}
        for metric in metrics:
            values = [metric[k] for k in ("current", "target") if _number(metric.get(k))]
            values += [b["results"][metric["id"]] for b in data.get("baselines", []) if _number((b.get("results") or {}).get(metric["id"]))]
            factor = rng.uniform(0.7, 1.3)
            top = max((abs(v) for v in values), default=0)
            unit = str(metric.get("unit", "")).strip()
            cap = 100.0 if unit == "%" else (1.0 if values and top <= 1.0 else None)
            if cap and top * factor > cap:
                factor = cap / top
            # One precision for all of a metric's values, a digit finer than the finest one, so
            # rounding never makes a target equal to today's value or to a baseline.
            places: int | None = max((_decimals(v) for v in values), default=0) + 1
            if all(isinstance(v, int) for v in values) and top >= 20:
                places = None  # counts stay counts
            factors[metric["id"]] = (factor, places)
            for key in ("current", "target"):
                if _number(metric.get(key)):
                    metric[key] = _scaled(metric[key], factor, places)
        for baseline in data.get("baselines", []):
            results: dict[str, Any] = (baseline.get("results") if isinstance(baseline, dict) else None) or {}
            for name, value in results.items():
                if name in factors and _number(value):
                    results[name] = _scaled(value, *factors[name])
        for monitor in (data.get("monitoring") or {}).get("monitors", []):
            if isinstance(monitor, dict) and monitor.get("metric") in factors and _number(monitor.get("threshold")):
                monitor["threshold"] = _scaled(monitor["threshold"], *factors[monitor["metric"]])

    def _vary_candidates(self, rng: random.Random, data: dict[str, Any]) -> None:
        problem = data.get("problem")
        if not isinstance(problem, dict) or not isinstance(problem.get("candidate_solutions"), list):
            return
        own = problem["candidate_solutions"]
        kept = [c for c in own if c.get("chosen") or rng.random() < 0.7]
        extra = [c for c in self.pools.get(("problem", "candidate_solutions"), []) if c not in own and not c.get("chosen")]
        kept += copy.deepcopy(rng.sample(extra, min(len(extra), rng.choice([0, 0, 1, 2]))))
        if kept and all(c.get("approach") == "ml" for c in kept):  # keep an honest non-ML option
            kept += [copy.deepcopy(c) for c in own if c.get("approach") != "ml"][:1]
        problem["candidate_solutions"] = kept or own


def _number_scaler(factor: float) -> Callable[[re.Match[str]], str]:
    """A replacement for NUMBER: the number times ``factor`` (at least 1); years stay."""
    def scale(m: re.Match[str]) -> str:
        return m.group(1) if YEAR.fullmatch(m.group(1)) else str(max(1, round(int(m.group(1)) * factor)))
    return scale


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _find(node: Any, key: str) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, dict):
                yield v
            else:
                yield from _find(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, key)


def load_examples(projects: Path, checker: Checker) -> list[tuple[str, dict[str, Any]]]:
    """The example specs that pass validation cleanly, read with PyYAML."""
    examples = []
    for path in sorted(projects.glob("*.yaml")):
        report = checker.check_file(path)
        if report.diagnostics:
            continue
        data = read_spec(path)
        if data != report.loaded.data:  # our YAML 1.2 reading must agree with mlfolio's loader
            raise RuntimeError(f"{path.name}: PyYAML reading differs from mlfolio's loader")
        examples.append((path.stem, data))
    return examples


def generate(out: Path, n: int, seed: int = 1, projects: Path = REPO / "projects",
             schema_ref: str = DEFAULT_SCHEMA_REF, schema_path: Path | None = None) -> dict[str, Any]:
    """Write ``n`` specs into ``out`` (emptied of old synthetic specs first); return statistics."""
    schema = load_schema(schema_path)
    checker = Checker(schema, checks=verdict_checks(schema))  # as the site checks them (default verdict rules)
    examples = load_examples(projects, checker)
    if len(examples) < 1:
        raise RuntimeError(f"no clean example specs in {projects}")
    synth = Synth(examples, schema, seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("synthetic-*.yaml"):
        old.unlink()
    lines: list[int] = []
    retries = 0
    stages: dict[str, int] = {}
    for i in range(1, n + 1):
        path = out / f"synthetic-{i:04d}.yaml"
        for attempt in range(MAX_ATTEMPTS):
            text = dump_spec(synth.spec(i, attempt), schema_ref)
            path.write_text(text, encoding="utf-8")
            report = checker.check_file(path)
            if not report.diagnostics:
                break
            retries += 1
        else:
            problems = "\n".join(d.format() for d in report.diagnostics)
            raise RuntimeError(f"could not generate a clean spec #{i} in {MAX_ATTEMPTS} attempts:\n{problems}")
        lines.append(text.count("\n"))
        assert isinstance(report.loaded.data, dict)
        stage = report.loaded.data["stage"]
        stages[stage] = stages.get(stage, 0) + 1
    return {
        "n": n, "seed": seed, "examples": [name for name, _ in examples], "redrawn": retries,
        "lines_min": min(lines), "lines_median": statistics.median(lines), "lines_max": max(lines),
        "lines_p10": _quantile(lines, 0.1), "lines_p90": _quantile(lines, 0.9), "stages": stages,
        "bytes_total": sum(p.stat().st_size for p in out.glob("synthetic-*.yaml")),
    }


def _quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write synthetic-NNNN.yaml into")
    parser.add_argument("-n", type=int, default=100, help="how many specs (default: 100)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--projects", type=Path, default=REPO / "projects", help="example specs (default: projects/)")
    parser.add_argument("--schema-ref", default=DEFAULT_SCHEMA_REF, help="schema path for the yaml-language-server comment")
    args = parser.parse_args(argv)
    stats = generate(args.out, args.n, args.seed, args.projects, args.schema_ref)
    print(f"wrote {stats['n']} specs from {len(stats['examples'])} examples ({', '.join(stats['examples'])}); "
          f"lines min/p10/median/p90/max {stats['lines_min']}/{stats['lines_p10']}/{stats['lines_median']:g}/"
          f"{stats['lines_p90']}/{stats['lines_max']}; "
          f"redrawn {stats['redrawn']}; stages {stats['stages']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
