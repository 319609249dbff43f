"""Plugin options and `serve`: wrong values are one clear logged error (MkDocs then aborts, with no
traceback), and serving watches what it uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.base import ValidationError

from mlfolio.mkdocs.options import HostNames, PagesDir
from mlfolio.pages.labels import Labels
from mlfolio.pages.render import PACKAGE_TEMPLATES


@pytest.mark.parametrize("pages_dir", ["../escape", "a/../../x", ".."])
def test_pages_dir_cannot_leave_the_site(tmp_path: Path, pages_dir: str, copy_site, build_site) -> None:
    root = copy_site(tmp_path / "in")
    text = (root / "mkdocs.yml").read_text(encoding="utf-8").replace('pages_dir: ""', f"pages_dir: {json.dumps(pages_dir)}")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = build_site(root, site_dir=tmp_path / "out" / "site")
    assert result.error is not None
    assert any("must be a folder inside the site" in m for m in result.messages())
    assert not (tmp_path / "out" / "escape").exists() and not (tmp_path / "x").exists()


def test_an_invalid_schema_is_a_plugin_error_not_a_traceback(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    root = copy_site(tmp_path / "in")
    (root / "bad.json").write_text(json.dumps({"type": "object", "properties": {"id": {"type": 5}}}), encoding="utf-8")
    plugin_options(root, schema="bad.json")
    result = build_site(root)
    assert result.error is not None
    assert any("is not a usable schema: not a valid JSON Schema at properties/id/type" in m for m in result.messages())


def test_invalid_verdict_rules_list_every_problem(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    root = copy_site(tmp_path / "in")
    plugin_options(root, verdict_rules=[{"verdict": "maybe", "when_any": [{"for_ml.nope": "perhaps"}]}])
    result = build_site(root)
    message = " ".join(result.messages())
    assert result.error is not None
    for part in ("'maybe' is not one of", "unknown criterion 'for_ml.nope'", "perhaps is not an answer"):
        assert part in message


class _Server:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_watches_specs_schema_templates_and_assets(tmp_path: Path, copy_site) -> None:
    root = copy_site(tmp_path / "in")
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["mlfolio"]
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    server = _Server()
    plugin.on_serve(server, config=config, builder=None)
    watched = {Path(p).resolve() for p in server.watched}
    assert {(root / "projects").resolve(), (root / "schemas" / "project.schema.json").resolve(),
            PACKAGE_TEMPLATES.resolve(), (PACKAGE_TEMPLATES.parent / "assets").resolve()} <= watched


def test_serve_watches_the_templates_dir_too(tmp_path: Path, copy_site, plugin_options) -> None:
    root = copy_site(tmp_path / "in")
    (root / "overrides").mkdir()
    plugin_options(root, templates_dir="overrides")
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["mlfolio"]
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    server = _Server()
    plugin.on_serve(server, config=config, builder=None)
    assert (root / "overrides").resolve() in {Path(p).resolve() for p in server.watched}


# --------------------------------------------------------------------------------------------
# pages_dir: where the generated pages go
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "cleaned"), [("", ""), ("/", ""), (".", ""), ("portfolio", "portfolio"),
                                                ("/portfolio/", "portfolio"), ("a\\b", "a/b"), ("a/./b/", "a/b"),
                                                ("a/../b", "b")])
def test_pages_dir_is_normalised(value: str, cleaned: str) -> None:
    assert PagesDir().validate(value) == cleaned


@pytest.mark.parametrize("value", ["../x", "..", "a/../../x", "c:/x", "C:\\x"])
def test_pages_dir_outside_the_site_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="must be a folder inside the site"):
        PagesDir().validate(value)


def nav_under(root: Path, folder: str) -> None:
    """Point every page of mkdocs.yml's nav into ``folder`` (where pages_dir puts them)."""
    config = root / "mkdocs.yml"
    text = re.sub(r"(?m)^(\s+- [^:\n]+: )([\w./-]+\.md)$", rf"\g<1>{folder}/\g<2>", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


def test_pages_dir_puts_every_generated_page_in_its_folder(tmp_path: Path, copy_site, build_site, plugin_options,
                                                         broken_links, html, link_target) -> None:
    root = copy_site(tmp_path / "in")
    text = (root / "mkdocs.yml").read_text(encoding="utf-8").replace('pages_dir: ""', 'pages_dir: "portfolio"')
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    nav_under(root, "portfolio")
    # The site's own home page, in docs/ (without one, the theme's link to the site root leads nowhere).
    (root / "docs" / "index.md").write_text("# Our site\n\nSee [the portfolio](portfolio/index.md).\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("\nnav:\n", "\nnav:\n  - Home: index.md\n"), encoding="utf-8")
    result = build_site(root)
    assert result.error is None and result.logged() == [], result.logged()
    site = result.site
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")
    assert pages[0] == "index.html" and all(p.startswith("portfolio/") for p in pages[1:]), pages
    assert len(pages) > 10
    assert (site / "portfolio" / "projects" / "house-prices" / "index.html").is_file()
    assert (site / "portfolio" / "projects.json").is_file() and not (site / "projects.json").exists()
    records = json.loads((site / "portfolio" / "projects.json").read_text(encoding="utf-8"))["projects"]
    for record in records:  # relative to the site root, as MkDocs writes page URLs
        assert link_target(site, "", record["url"]) == site / "portfolio" / "projects" / record["id"] / "index.html"
    assert broken_links(site) == []
    edit = html(result.file("portfolio/projects/house-prices/")).find("a", rel="edit")
    assert edit is not None and edit.attrs["href"].endswith("/edit/main/projects/house-prices.yaml")


def test_links_hold_without_directory_urls(tmp_path: Path, copy_site, build_site, broken_links, html) -> None:
    """`use_directory_urls: false` gives pages like teams.html: the links written into the pages follow."""
    root = copy_site(tmp_path / "in")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "use_directory_urls: false\n", encoding="utf-8")
    result = build_site(root)
    assert result.error is None and result.logged() == [], result.logged()
    site = result.site
    assert (site / "teams.html").is_file() and (site / "projects" / "house-prices" / "index.html").is_file()
    assert broken_links(site) == []
    hrefs = {a.attrs.get("href") for a in html(site / "index.html").find("article").find_all("a")}
    assert "projects/house-prices/index.html" in hrefs and "teams.html" in hrefs


# --------------------------------------------------------------------------------------------
# allowed_image_hosts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["https://images.example.com", "images.example.com/photos", "user@images.example.com",
                                   "images.example.com:443", ".example.com", "", "images example.com", "//images.example.com"])
def test_allowed_image_hosts_takes_host_names_only(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a host name"):
        HostNames().validate([value])


def test_allowed_image_hosts_are_normalised() -> None:
    assert HostNames().validate(["Images.Example.COM.", "images.example.com", "cdn.example.org"]) == [
        "cdn.example.org", "images.example.com"]
    assert HostNames().validate([]) == []


def test_a_url_in_allowed_image_hosts_fails_the_build_with_the_option_named(tmp_path: Path, copy_site, build_site,
                                                                           plugin_options) -> None:
    root = copy_site(tmp_path / "in")
    plugin_options(root, allowed_image_hosts=["https://images.example.com/"])
    result = build_site(root)
    assert result.error is not None
    message = " ".join(result.messages())
    assert "allowed_image_hosts" in message and "is not a host name" in message, message
    assert not (result.site / "index.html").exists()


# --------------------------------------------------------------------------------------------
# templates_dir: one block of a page replaced, the rest as bundled
# --------------------------------------------------------------------------------------------

OVERRIDE = """\
{% extends "_base/project.html.jinja" %}
{% block constraints %}
{{ anchor.heading(2, "Limits we accept", "constraints") }}
<p class="our-constraints">Reviewed every quarter by {{ project.team }} for {{ project.title }}.</p>
{% endblock %}
"""


def test_templates_dir_overrides_one_block_of_the_project_page(tmp_path: Path, copy_site, build_site, plugin_options,
                                                              html, site, toc, sections) -> None:
    root = copy_site(tmp_path / "in")
    (root / "overrides").mkdir()
    (root / "overrides" / "project.html.jinja").write_text(OVERRIDE, encoding="utf-8")
    plugin_options(root, templates_dir="overrides")
    spec = root / "projects" / "house-prices.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('team: "Applied ML"', 'team: "Applied <b>ML</b>"', 1), encoding="utf-8")
    result = build_site(root)
    assert result.error is None and result.logged() == [], result.logged()
    page = html(result.file("projects/house-prices/"))
    normal = html(site / "projects" / "house-prices" / "index.html")

    constraints = sections(page, "constraints")
    assert [(n.tag, n.attrs.get("id")) for n in constraints.iter() if n.tag in ("h2", "h3", "h4")] == [("h2", "constraints")]
    paragraph = constraints.find("p", "our-constraints")
    assert paragraph is not None and paragraph.find("b") is None  # autoescape holds in overrides too
    assert paragraph.words() == "Reviewed every quarter by Applied <b>ML</b> for Estimated sale price for home listings."
    assert sections(normal, "constraints").find("h3") is not None  # what the override replaced
    # The other sections are the bundled ones, and the table of contents follows the override.
    for other in ("at-a-glance", "problem", "feasibility", "goals", "data", "deployment"):
        assert [n.attrs.get("id") for n in sections(page, other).iter() if n.attrs.get("id")] == \
            [n.attrs.get("id") for n in sections(normal, other).iter() if n.attrs.get("id")], other
    entries = {e.href: e for e in toc(page)}
    assert entries["#constraints"].title == "Limits we accept" and entries["#constraints"].children == ()
    assert [e.href for e in toc(page)] == [e.href for e in toc(normal)]


def test_a_template_error_in_templates_dir_is_one_clear_error(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    root = copy_site(tmp_path / "in")
    (root / "overrides").mkdir()
    (root / "overrides" / "project.html.jinja").write_text(
        '{% extends "_base/project.html.jinja" %}\n{% block data %}{{ no_such_value }}{% endblock %}\n', encoding="utf-8")
    plugin_options(root, templates_dir="overrides")
    result = build_site(root)
    assert result.error is not None
    assert "no_such_value" in " ".join(result.messages()) + str(result.error)


# --------------------------------------------------------------------------------------------
# language
# --------------------------------------------------------------------------------------------


def test_language_ko_labels_every_generated_page_in_korean(tmp_path: Path, copy_site, build_site, html, toc, broken_links) -> None:
    root = copy_site(tmp_path / "in")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      language: en\n", "      language: ko\n"), encoding="utf-8")
    result = build_site(root)
    assert result.error is None and result.logged() == [], result.logged()
    ko = Labels("ko")
    page = html(result.file("projects/house-prices/"))
    assert [e.title for e in toc(page)] == [ko[k] for k in ("at_a_glance", "problem", "feasibility", "goals",
                                                            "constraints", "data", "deployment")]
    assert html(result.file("")).find("h1").words().startswith(ko["portfolio"])
    assert html(result.file("teams/")).find("article").find("h1").words().startswith(ko["by_team"])
    assert broken_links(result.site) == []


def test_an_unknown_language_is_refused(tmp_path: Path, copy_site, build_site) -> None:
    root = copy_site(tmp_path / "in")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      language: en\n", "      language: fr\n"), encoding="utf-8")
    result = build_site(root)
    assert result.error is not None
    assert any("language" in m and "fr" in m for m in result.messages()), result.messages()


def test_reviewers_limit_who_may_override_a_verdict(tmp_path: Path, copy_site, build_site, plugin_options) -> None:
    """crm-repurchase carries a reviewer's override: with a reviewers list that does not name
    its reviewer, the build fails at the reviewer's line; naming them, it builds."""
    import logging

    import yaml
    root = copy_site(tmp_path / "repo")
    reviewer = yaml.safe_load((root / "projects" / "crm-repurchase.yaml").read_text(encoding="utf-8"))["feasibility"]["override"]["reviewer"]
    plugin_options(root, reviewers=["Someone Else"])
    failed = build_site(root)
    assert failed.error is not None
    [line] = [m for m in failed.messages(logging.ERROR) if "[reviewer-unknown]" in m]
    assert line.startswith("projects/crm-repurchase.yaml:") and f"{reviewer!r} is not one of the site's reviewers (Someone Else)" in line
    ok = copy_site(tmp_path / "ok")
    plugin_options(ok, reviewers=["Someone Else", reviewer])
    assert build_site(ok).error is None
