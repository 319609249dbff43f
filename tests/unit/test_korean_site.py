"""A Korean site (`language: ko`) shows Korean labels: stages, verdicts, fields and choices."""

from __future__ import annotations

from pathlib import Path

from mlfolio.spec.check import Checker
from mlfolio.pages.labels import Labels
from mlfolio.analysis.model import build_portfolio
from mlfolio.pages.builder import PageBuilder, SiteLayout
from mlfolio.pages.render import environment, render_page
from mlfolio.spec.schema import load_schema
from mlfolio.analysis.verdict import DEFAULT_RULES

ROOT = Path(__file__).resolve().parents[2]


def _pages(project_id: str) -> dict[str, str]:
    schema = load_schema(ROOT / "schemas" / "project.schema.json")
    portfolio = build_portfolio(Checker(schema).check_paths([ROOT / "projects"]), schema)
    labels = Labels("ko")
    builder = PageBuilder(schema, labels, SiteLayout(""), DEFAULT_RULES)
    project = next(p for p in portfolio.projects if p.id == project_id)
    env = environment(labels)
    return {page.src_uri.rsplit("/", 1)[-1]: render_page(env, page) for page in builder.project_pages(project)}


def test_choices_fields_and_verdicts_are_in_korean() -> None:
    pages = _pages("crm-repurchase")
    assert "룰 베이스" in pages["problem.md"] and "Rule-based" not in pages["problem.md"]
    assert "허수아비 \\(랜덤\\)" in pages["data.md"] and "scarecrow" not in pages["data.md"]
    assert "재학습" in pages["deployment.md"] and "Retrain" not in pages["deployment.md"]
    assert "## 비즈니스 모델 파악" in pages["problem.md"]
    assert "판정: 추천" in pages["index.md"] and "주의하여 진행" in pages["index.md"]
    assert "## 지표" in pages["goals.md"]


def test_english_labels_stay_english() -> None:
    schema = load_schema(ROOT / "schemas" / "project.schema.json")
    from mlfolio.pages.blocks import choice_label

    kinds = schema.resolve(schema.property_schema(("baselines",))["items"])["properties"]["kind"]
    assert choice_label(kinds, "random") == "Random / scarecrow"
    assert choice_label(kinds, "random", "ko") == "허수아비 (랜덤)"


def test_feasibility_questions_are_in_korean_on_the_verdicts_page() -> None:
    schema = load_schema(ROOT / "schemas" / "project.schema.json")
    portfolio = build_portfolio(Checker(schema).check_paths([ROOT / "projects"]), schema)
    for language, expected, unexpected in (("ko", "학습할 수 있는 패턴이 있는가?", "Is there a pattern"),
                                           ("en", "Is there a pattern a model can learn?", "학습할 수 있는 패턴이")):
        labels = Labels(language)
        pages = PageBuilder(schema, labels, SiteLayout(""), DEFAULT_RULES).portfolio_pages(portfolio)
        text = render_page(environment(labels), next(p for p in pages if p.src_uri == "verdicts.md"))
        assert expected in text and unexpected not in text
