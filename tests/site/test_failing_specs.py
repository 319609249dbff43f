"""A broken spec fails `mkdocs build` with the same message `mlfolio validate` prints; under
`mkdocs serve` it is logged and the rest of the portfolio is still built.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_IDS = tuple(sorted(p.stem for p in (REPO / "projects").glob("*.yaml")))
BROKEN = "house-prices"
DIAGNOSTIC = re.compile(r"^projects/[\w.-]+\.yaml:\d+:\d+: error: .+$")

# (what breaks, text in projects/house-prices.yaml, its replacement)
BREAKAGES = [
    pytest.param("stage: baseline_prototype\n", "stage: nope\n", id="schema-enum"),
    pytest.param('title: "Estimated sale price for home listings"\n', 'title: "Estimated sale price for home listings\n', id="yaml-syntax"),
    pytest.param("      metric: mape\n", "      metric: mean_error\n", id="metric-reference"),
]


def break_spec(root: Path, old: str, new: str) -> None:
    path = root / "projects" / f"{BROKEN}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once; update the test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def validate_errors(root: Path) -> list[str]:
    """The error lines `mlfolio validate` prints, run in the site's folder like a user would."""
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert errors, done.stdout
    for line in errors:
        assert DIAGNOSTIC.match(line), line
        assert line.startswith(f"projects/{BROKEN}.yaml:"), line
    return errors


@pytest.mark.parametrize(("old", "new"), BREAKAGES)
def test_broken_spec_fails_the_build_with_the_validate_message(site_copy: Path, build_site, old: str, new: str) -> None:
    break_spec(site_copy, old, new)
    expected = validate_errors(site_copy)
    result = build_site(site_copy)
    assert isinstance(result.error, (PluginError, Abort)), repr(result.error)
    logged = result.messages(logging.ERROR)
    for line in expected:
        assert line in logged, f"{line!r} was not logged; logged: {logged}"


@pytest.mark.parametrize(("old", "new"), BREAKAGES)
def test_broken_spec_under_serve_is_logged_and_the_rest_is_built(site_copy: Path, build_site, broken_links, html, old: str, new: str) -> None:
    break_spec(site_copy, old, new)
    expected = validate_errors(site_copy)
    result = build_site(site_copy, strict=False, serve=True)
    assert result.error is None, repr(result.error)
    errors = result.messages(logging.ERROR)
    for line in expected:
        assert line in errors, f"{line!r} was not logged as an error; logged: {result.logged()}"
    site = result.site
    built = sorted(p.parent.name for p in (site / "projects").glob("*/index.html"))
    assert built == [p for p in EXAMPLE_IDS if p != BROKEN]
    assert not (site / "projects" / BROKEN).exists()
    home = html(site / "index.html")
    hrefs = {a.attrs.get("href") for a in home.find_all("a")}
    assert f"projects/{BROKEN}/" not in hrefs
    for project_id in EXAMPLE_IDS:
        if project_id != BROKEN:
            assert f"projects/{project_id}/" in hrefs, project_id
    # The preview says which spec is left out, with the line `validate` prints.
    notice = home.find("div", "admonition")
    assert notice is not None
    assert [c.text() for c in notice.find_all("code")] == expected
    assert broken_links(site) == []


def test_a_spec_warning_fails_the_strict_build(site_copy: Path, build_site) -> None:
    """`mkdocs build --strict` (CI) fails on a spec warning, with the line `validate` prints."""
    break_spec(site_copy, "    current: 46\n    target: 39\n", "    current: 46\n    target: 50\n")
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=site_copy, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout  # a warning alone passes `validate` without --strict
    warnings = [line for line in done.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"projects/{BROKEN}.yaml:"), done.stdout
    result = build_site(site_copy)
    assert isinstance(result.error, Abort), repr(result.error)
    assert warnings[0] in result.messages(logging.WARNING)
    # Without --strict the warning is logged and the site is built.
    relaxed = build_site(site_copy, strict=False, site_dir=site_copy / "relaxed")
    assert relaxed.error is None, repr(relaxed.error)
    assert warnings[0] in relaxed.messages(logging.WARNING)
    assert (relaxed.site / "projects" / BROKEN / "index.html").is_file()
