"""A Korean site (`language: ko`) shows Korean labels: stages, verdicts, sections, fields and choices."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from mlfolio.analysis.model import Project, load_portfolio
from mlfolio.analysis.verdict import DEFAULT_RULES
from mlfolio.pages.builder import PageBuilder, SiteLayout
from mlfolio.pages.labels import Labels
from mlfolio.pages.render import RenderedPage, environment, render_page
from mlfolio.spec.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "schemas" / "project.schema.json")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    """What a reader sees of the page: tags gone, entities decoded, spaces collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def project(project_id: str) -> Project:
    portfolio = load_portfolio([ROOT / "projects"], SCHEMA, DEFAULT_RULES, ROOT)
    return next(p for p in portfolio.projects if p.id == project_id)


def project_page(project_id: str, language: str) -> RenderedPage:
    labels = Labels(language)
    builder = PageBuilder(SCHEMA, labels, SiteLayout(""), DEFAULT_RULES)
    spec = builder.project_page(project(project_id))
    assert spec.src_uri == f"projects/{project_id}/index.md"
    return render_page(environment(labels), spec)


def test_choices_fields_and_verdicts_are_in_korean() -> None:
    page = project_page("crm-repurchase", "ko")
    text = text_of(page.html)
    assert "룰 베이스" in text and "Rule-based" not in text
    assert "허수아비 (랜덤)" in text and "scarecrow" not in text.lower()
    assert "재학습" in text and "Retrain" not in text
    assert "주의하여 진행" in text  # the computed verdict, beside the reviewer's override
    headings = {(e.level, e.title) for e in page.toc}
    assert (3, "판정: 추천") in headings
    assert (3, "비즈니스 모델 파악") in headings  # the schema's Korean title of `business`
    assert (3, "지표") in headings  # and of `metrics`


def test_sections_and_table_of_contents_are_in_korean() -> None:
    ko = Labels("ko")
    page = project_page("crm-repurchase", "ko")
    sections = [(e.id, e.title) for e in page.toc if e.level == 2]
    assert sections == [
        ("at-a-glance", ko["at_a_glance"]), ("problem", ko["problem"]), ("feasibility", ko["feasibility"]),
        ("goals", ko["goals"]), ("constraints", ko["constraints"]), ("data", ko["data"]), ("deployment", ko["deployment"]),
    ]
    assert sections[0][1] == "한눈에 보기"
    assert f'<h2 id="feasibility">{ko["feasibility"]}' in page.html
    assert set(e.id for e in page.toc) <= set(page.anchors)  # every heading's id is on the page


def test_the_same_page_in_english_has_english_labels_and_the_same_ids() -> None:
    """Only the words change with the language, never the anchors links point at."""
    en, ko = project_page("crm-repurchase", "en"), project_page("crm-repurchase", "ko")
    assert [e.id for e in en.toc] == [e.id for e in ko.toc]
    assert [e.title for e in en.toc if e.level == 2][:2] == ["At a glance", "Problem"]
    text = text_of(en.html)
    assert "Rule-based" in text and "룰 베이스" not in text


def test_english_labels_stay_english() -> None:
    from mlfolio.pages.blocks import choice_label

    kinds = SCHEMA.resolve(SCHEMA.property_schema(("baselines",))["items"])["properties"]["kind"]
    assert choice_label(kinds, "random") == "Random / scarecrow"
    assert choice_label(kinds, "random", "ko") == "허수아비 (랜덤)"


def test_feasibility_questions_are_in_korean_on_the_verdicts_page() -> None:
    portfolio = load_portfolio([ROOT / "projects"], SCHEMA, DEFAULT_RULES, ROOT)
    for language, expected, unexpected in (("ko", "학습할 수 있는 패턴이 있는가?", "Is there a pattern"),
                                           ("en", "Is there a pattern a model can learn?", "학습할 수 있는 패턴이")):
        labels = Labels(language)
        pages = PageBuilder(SCHEMA, labels, SiteLayout(""), DEFAULT_RULES).portfolio_pages(portfolio)
        text = text_of(render_page(environment(labels), next(p for p in pages if p.src_uri == "verdicts.md")).html)
        assert expected in text and unexpected not in text
