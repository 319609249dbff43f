"""The mlfolio plugin's options as written in ``mkdocs.yml``, for the CLI.

``mlfolio diff`` must judge verdicts by the rules the site uses, so it reads them from the
same file. This reads YAML only (no MkDocs import): MkDocs' own tags (``!ENV``,
``!!python/name:...``) are read as nothing, since none of them concern mlfolio's options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads any unknown tag as None instead of failing."""


def _ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("!", _ignore)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The options under ``plugins: - mlfolio:`` in ``config_file``; ``{}`` if the plugin has none.

    Raises ``ValueError`` for a file that cannot be read as YAML."""
    try:
        document = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read {config_file}: {exc}") from None
    plugins = document.get("plugins") if isinstance(document, dict) else None
    entries = plugins.items() if isinstance(plugins, dict) else (
        (next(iter(p.items())) if isinstance(p, dict) and len(p) == 1 else (p, None)) for p in plugins or ()
    )
    for name, options in entries:
        if name == "mlfolio":
            return options if isinstance(options, dict) else {}
    return {}
