"""Plugin options and `serve`: wrong values are one clear logged error (MkDocs then aborts, with no
traceback), and serving watches what it uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.config import load_config

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
