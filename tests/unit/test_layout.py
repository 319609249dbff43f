"""Links between the site's pages (``mlfolio.pages.layout``)."""

from __future__ import annotations

import posixpath
import random

import pytest

from mlfolio.pages.layout import SiteLayout, _relative

PARTS = ("projects", "teams", "a", "b", "index.html", "x.html", "한국어")


def test_relative_links_are_what_relpath_gives() -> None:
    """The links are computed without the system's current folder; they must be relpath's."""
    rng = random.Random(3)
    for _ in range(5000):
        target = "/".join(rng.choices(PARTS, k=rng.randint(0, 4))) or "."
        base = "/".join(rng.choices(PARTS, k=rng.randint(0, 4))) or "."
        assert _relative(target, base) == posixpath.relpath(target, base), (target, base)


@pytest.mark.parametrize(("directory_urls", "expected"), [
    (True, ("../../teams/#search", "../../", "../../projects.json", "../other/")),
    (False, ("../../teams.html#search", "../../index.html", "../../projects.json", "../other/index.html")),
])
def test_links_from_a_project_page(directory_urls: bool, expected: tuple[str, ...]) -> None:
    layout = SiteLayout("projects", directory_urls)
    page = layout.project("house-prices")
    assert (layout.href(page, layout.path("teams.md"), "search"), layout.href(page, layout.path("index.md")),
            layout.href(page, layout.path("projects.json")), layout.href(page, layout.project("other"))) == expected
