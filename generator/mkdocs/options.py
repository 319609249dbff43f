"""The plugin's options: each validates itself, as MkDocs' own options do, so every mistake
in ``mkdocs.yml`` is reported with the option's name before anything is built."""

from __future__ import annotations

import posixpath

from mkdocs.config import base
from mkdocs.config import config_options as opt

from mlfolio.pages.labels import LANGUAGES
from mlfolio.pages.markdown import MarkdownOptions

SEARCH_ENGINES = ("pagefind", "material")


class PagesDir(opt.Type[str]):
    """A folder inside the site: ``""`` is the root; a path that leaves the site is an error."""

    def __init__(self, default: str = "portfolio") -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value)
        if not text.strip("/"):
            return ""
        cleaned = posixpath.normpath(text.replace("\\", "/").strip("/"))
        if cleaned in (".", ""):
            return ""
        if cleaned == ".." or cleaned.startswith("../") or ":" in cleaned:
            raise base.ValidationError(f"{text!r} must be a folder inside the site, such as 'portfolio' (or '' for the root)")
        return cleaned


class HostNames(opt.ListOfItems[str]):
    """Host names, such as ``images.example.com``: lower-cased; a URL or a path is an error."""

    def __init__(self) -> None:
        super().__init__(opt.Type(str), default=[])

    def run_validation(self, value: object) -> list[str]:
        hosts = super().run_validation(value)
        out: list[str] = []
        for host in hosts:
            try:  # the Markdown renderer's own reading of a host name, so both agree on every name
                out.extend(MarkdownOptions(allowed_image_hosts=frozenset([host])).allowed_image_hosts)
            except ValueError:
                raise base.ValidationError(f"{host!r} is not a host name: write it as 'images.example.com', "
                                           "without a scheme, port or path") from None
        return sorted(set(out))


class MlfolioConfig(base.Config):
    specs_dir = opt.Type(str, default="projects")
    """Folder of project specs (``*.yaml``), relative to ``mkdocs.yml``. Not the docs folder."""
    schema = opt.Optional(opt.File(exists=True))
    """Spec schema. Default: ``schemas/project.schema.json`` beside ``mkdocs.yml`` if present, else the bundled one."""
    pages_dir = PagesDir()
    """Where the generated pages go inside the site (``""`` = the site root)."""
    language = opt.Optional(opt.Choice(LANGUAGES))
    """Label language, ``en`` or ``ko``. Default: the theme's language if it is one of those, else ``en``."""
    verdict_rules = opt.Optional(opt.Type(list))
    """Verdict rules replacing the defaults (see "How verdicts are decided"); checked against the schema."""
    templates_dir = opt.Optional(opt.Dir(exists=True))
    """Folder of template overrides, searched before the bundled templates."""
    allowed_image_hosts = HostNames()
    """Hosts whose images free text may show; other outside images are shown as links."""
    stale_after = opt.DictOfItems(opt.Optional(opt.Type(int)), default={})
    """Days a spec may stay untouched in git at each stage before it is flagged stale (stage ->
    days, ``null``: never), over the defaults (problem definition and project design 60,
    baseline & prototype, development and monitoring 90, deployed 180, retired never)."""
    reviewers = opt.ListOfItems(opt.Type(str), default=[])
    """Names or handles of the people who may override a computed verdict. Empty: anyone may
    (the override still names its reviewer). Set: an override by anyone else is an error."""
    search = opt.Choice(SEARCH_ENGINES, default="pagefind")
    """``pagefind``: the site's own search (a Pagefind index built after the site, in the theme's
    search box; Material's ``search`` plugin must not be listed). ``material``: Material's
    ``search`` plugin (listed in ``plugins``), handed the sections of the generated pages."""
    mermaid = opt.Type(bool, default=False)
    """Draw ```` ```mermaid ```` fences of free text as diagrams. Material loads Mermaid from a
    CDN (a request to another host), so it is off by default and such fences show as code."""

