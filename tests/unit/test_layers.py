"""The house's one-way flow: spec -> analysis -> pages -> engine, with the CLI beside the engine.

Each subpackage imports only from the layers before it (and the standard library and its
dependencies); only ``mlfolio.mkdocs`` imports MkDocs, and the core never prints."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "generator"
# What each layer may import from mlfolio (besides itself).
ALLOWED = {
    "spec": {"mlfolio", "mlfolio.runtime"},
    "analysis": {"mlfolio", "mlfolio.runtime", "mlfolio.spec"},
    "pages": {"mlfolio", "mlfolio.runtime", "mlfolio.spec", "mlfolio.analysis"},
    "mkdocs": {"mlfolio", "mlfolio.runtime", "mlfolio.spec", "mlfolio.analysis", "mlfolio.pages"},
    "cli": {"mlfolio", "mlfolio.runtime", "mlfolio.spec", "mlfolio.analysis", "mlfolio.pages"},
}


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append("." * node.level + (node.module or ""))  # the house imports absolutely: flagged below
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_before_it(layer: str) -> None:
    wrong = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imports(path):
            if (module == "mkdocs" or module.startswith("mkdocs.")) and layer != "mkdocs":
                wrong.append(f"{path.relative_to(PACKAGE)}: {module}")
            if module.startswith("."):
                wrong.append(f"{path.relative_to(PACKAGE)}: relative import {module}")
            if module.startswith("mlfolio."):
                home = ".".join(module.split(".")[:2])
                if home != f"mlfolio.{layer}" and home not in ALLOWED[layer]:
                    wrong.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert wrong == []


@pytest.mark.parametrize("layer", ["spec", "analysis", "pages"])
def test_the_core_never_prints(layer: str) -> None:
    printing = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                printing.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert printing == []
