"""User text is data: the md_* filters, checked on the HTML that Python-Markdown really makes.

Every payload goes through ``mlfolio.pages.markup`` and then through Python-Markdown with the
site's extensions (and with fewer), and the HTML is parsed: every element must be in an
allow-list, no attribute may be an event handler, style or unchecked URL, no comment may
survive, no snippet file may be read, no heading may come from user text, and template text
after the value must still be a paragraph of its own (nothing swallowed it). A seeded fuzz
run builds a few hundred strings from Markdown/HTML fragments and checks the same.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markdown
import pytest
from pymdownx.superfences import fence_code_format

from mlfolio.pages.markup import md_cell, md_code, md_inline, md_link, md_text, safe_url, slug

SECRET = "TOPSECRET-7f3a9c"
SENTINEL = "END-SENTINEL-PARAGRAPH"

FULL = [
    "toc",
    "tables",
    "attr_list",
    "md_in_html",
    "admonition",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.snippets",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
    "pymdownx.emoji",
    "pymdownx.magiclink",
    "def_list",
    "footnotes",
    "abbr",
]


def _configs(base: Path, *, material_highlight: bool = False) -> dict[str, dict]:
    highlight = {"anchor_linenums": True, "line_spans": "__span", "pygments_lang_class": True}
    return {
        "toc": {"permalink": True},
        "pymdownx.superfences": {
            "custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]
        },
        "pymdownx.highlight": highlight if material_highlight else {},
        "pymdownx.snippets": {"base_path": [str(base)], "check_paths": True},
        "pymdownx.tabbed": {"alternate_style": True},
        "pymdownx.tasklist": {"custom_checkbox": True},
    }


# Site variants: the full list, the full list with the highlight options mkdocs-material
# recommends, and fewer extensions. A variant without any fence extension is only used for
# values whose output holds no fence (see test_no_fence_extension_is_safe_without_fences).
VARIANTS = {
    "full": (FULL, {}),
    "material-highlight": (FULL, {"material_highlight": True}),
    "no-attr-list": ([e for e in FULL if e != "attr_list"], {}),
    "no-snippets": ([e for e in FULL if e != "pymdownx.snippets"], {}),
    "fenced-code": (
        [e for e in FULL if e not in ("pymdownx.superfences", "pymdownx.inlinehilite")] + ["fenced_code"],
        {},
    ),
}
# Python-Markdown's own fenced_code only finds fences at column 0, so with it md_text is only
# safe where the output starts a line at column 0; superfences also finds indented fences.
PLACEMENTS = {"fenced-code": ("block",)}


class Renderer:
    """One Markdown instance per variant, reset between conversions."""

    def __init__(self, base: Path, extensions: list[str], material_highlight: bool = False) -> None:
        configs = {k: v for k, v in _configs(base, material_highlight=material_highlight).items() if k in extensions}
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)

    def __call__(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)

    @property
    def toc_tokens(self) -> list[dict]:
        return getattr(self.md, "toc_tokens", [])


@pytest.fixture(scope="module")
def snippet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("snippets")
    (base / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (base / "secret.md").write_text(f"<script>{SECRET}</script>\n", encoding="utf-8")
    return base


@pytest.fixture(scope="module")
def renderers(snippet_dir: Path) -> dict[str, Renderer]:
    return {
        name: Renderer(snippet_dir, exts, **opts) for name, (exts, opts) in VARIANTS.items()
    }


@pytest.fixture(scope="module")
def render(renderers: dict[str, Renderer]) -> Renderer:
    return renderers["full"]


# --------------------------------------------------------------------------------------------
# The allow-list
# --------------------------------------------------------------------------------------------

ATTRS: dict[str, set[str]] = {
    "p": set(),
    "em": set(),
    "strong": set(),
    "code": {"class"},
    "pre": {"class"},
    "ul": {"class"},
    "ol": {"start", "class"},
    "li": {"class"},
    "a": {"href", "title", "class", "id", "name"},
    "blockquote": set(),
    "br": set(),
    "hr": set(),
    "table": set(),
    "thead": set(),
    "tbody": set(),
    "tr": set(),
    "th": {"style", "align"},
    "td": {"style", "align"},
    "span": {"class", "id"},
    "div": {"class"},
    "dl": set(),
    "dt": set(),
    "dd": set(),
    "img": {"src", "alt", "title"},
    "input": {"type", "disabled", "checked"},
    "label": {"class"},
}
HEADINGS = {f"h{n}" for n in range(1, 7)}
CLASS_OK = re.compile(
    r"highlight|language-[\w#+.-]+|task-list(?:-item|-control|-indicator)?|headerlink"
    r"|magiclink(?:-[a-z]+)*|[a-z][a-z0-9]{0,3}"
)
ID_OK = re.compile(r"__(?:span|codelineno)-\d+-\d+|[\w-]+")
ALIGN_OK = re.compile(r"text-align: (?:left|right|center);")
BROWSER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _target_ok(value: str, schemes: set[str]) -> bool:
    """Judge a URL the way a browser does (the parser has already decoded entities)."""

    value = re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                  "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                                  "\x1d\x1e\x1f ")
    m = BROWSER_SCHEME.match(value)
    return m is None or m.group(1).lower() in schemes


class Audit(HTMLParser):
    def __init__(self, *, headings: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = dict(ATTRS, **({h: {"id"} for h in HEADINGS} if headings else {}))
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.allowed:
            self.problems.append(f"element <{tag}>")
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name not in self.allowed[tag]:
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            elif name == "href" and not _target_ok(value, {"http", "https", "mailto"}):
                self.problems.append(f"href {value!r}")
            elif name == "src" and not _target_ok(value, {"http", "https"}):
                self.problems.append(f"src {value!r}")
            elif name == "class" and not all(CLASS_OK.fullmatch(c) for c in value.split()):
                self.problems.append(f"class {value!r} on <{tag}>")
            elif name in ("id", "name") and not ID_OK.fullmatch(value):
                self.problems.append(f"{name} {value!r} on <{tag}>")
            elif name == "style" and not ALIGN_OK.fullmatch(value):
                self.problems.append(f"style {value!r}")
            elif name == "type" and value != "checkbox":
                self.problems.append(f"input type {value!r}")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")


def audit(html: str, *, headings: bool = False) -> Audit:
    parser = Audit(headings=headings)
    parser.feed(html)
    parser.close()
    return parser


def assert_safe(html: str, *, headings: bool = False) -> Audit:
    result = audit(html, headings=headings)
    assert not result.problems, f"{result.problems}\n{html}"
    assert SECRET not in html, html
    return result


def text_of(html: str) -> str:
    return "".join(audit(html, headings=True).text).replace("\u00b6", "")


# --------------------------------------------------------------------------------------------
# Placements: how templates print the filters (see generator/templates)
# --------------------------------------------------------------------------------------------

_JINJA = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True)
_JINJA.filters.update(md_text=md_text, md_cell=md_cell, md_inline=md_inline, md_code=md_code, md_link=md_link)

TEXT_PLACEMENTS = {
    "block": "START\n\n{{ v | md_text }}\n\n" + SENTINEL + "\n",
    "list-item": "START\n\n- **Date** · kind: {{ v | md_text | indent(4) }}\n\n" + SENTINEL + "\n",
    "list-marker": "START\n\n- {{ v | md_text | indent(4) }}\n- next\n\n" + SENTINEL + "\n",
    "admonition": '!!! note "Override"\n\n    **Reason:** {{ v | md_text | indent(4) }}\n\n' + SENTINEL + "\n",
    "numbered": "START\n\n1. Label: {{ v | md_text | indent(4) }}\n\n" + SENTINEL + "\n",
}


def place(template: str, value: object) -> str:
    return _JINJA.from_string(template).render(v=value)


def check_text(render: Callable[[str], str], value: str, placements: tuple[str, ...] = tuple(TEXT_PLACEMENTS)) -> str:
    for name in placements:
        html = render(place(TEXT_PLACEMENTS[name], value))
        if name == "admonition":
            # The template's own admonition; user text must not open another.
            wrapper = '<div class="admonition note">\n<p class="admonition-title">Override</p>'
            assert html.startswith(wrapper), html
            html = "<div>" + html[len(wrapper) :]
        assert_safe(html)
        assert not re.search(r"<h[1-6]", html), f"{name}: heading from user text\n{html}"
        assert f"<p>{SENTINEL}</p>" in html, f"{name}: the value swallowed the page\n{html}"
    return render(md_text(value))


def check_cell(render: Callable[[str], str], value: str) -> None:
    table = "| Name | Value | Note |\n|---|---|---|\n| a | {{ v | md_cell }} | z |\n\n" + SENTINEL + "\n"
    html = render(place(table, value))
    assert_safe(html)
    cells = body_cells(html)
    assert len(cells) == 3 and cells[0] == "a" and cells[2] == "z", f"cell split or merged\n{html}"
    assert f"<p>{SENTINEL}</p>" in html, html


def body_cells(html: str) -> list[str]:
    """The text of each cell in the table's first body row (surplus cells are dropped
    silently by Python-Markdown, so a split shows as a changed last cell)."""

    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(text_of(cell).replace("\u200b", "").split()) for cell in cells]


def collapsed(value: str) -> str:
    return " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", value.replace("\r", "\n")).split())


def check_inline(render: Callable[[str], str], value: str) -> None:
    expected = collapsed(value)
    for template in ("Before {{ v | md_inline }} after", "{{ v | md_inline }}", "# {{ v | md_inline }}",
                     "- {{ v | md_inline }}", "| a | b |\n|---|---|\n| {{ v | md_inline }} | x |"):
        html = render(place(template, value))
        heading = template.startswith("# ")
        result = assert_safe(html, headings=heading)
        made = set(result.tags) - ({"a"} if heading else set())  # the toc permalink
        assert not {"a", "em", "strong", "code", "img", "input"} & made, html
        shown = " ".join(text_of(html).split())
        if template.startswith("|"):
            assert body_cells(html) == [" ".join(expected.replace("\u200b", "").split()), "x"], html
        if template.startswith("Before"):
            assert shown == " ".join(f"Before {expected} after".split()), html
        elif template == "{{ v | md_inline }}":
            assert shown == expected, html
    if expected and isinstance(render, Renderer):
        # MkDocs prints toc titles into the page unescaped: they must stay entity-encoded.
        render(place("# {{ v | md_inline }}", value))
        for token in render.toc_tokens:
            assert "<" not in token["name"], token


def check_code(render: Callable[[str], str], value: str) -> None:
    expected = collapsed(value)
    for template in ("Path {{ v | md_code }} here", "| a | b |\n|---|---|\n| {{ v | md_code }} | x |",
                     "- {{ v | md_code }}: message"):
        table = template.startswith("|")
        html = render(place(template, value))
        result = assert_safe(html)
        if not expected:
            continue
        assert result.tags.count("code") == 1, html
        code = re.search(r"<code[^>]*>(.*?)</code>", html, re.S)
        assert code is not None
        shown = "".join(audit(code.group(1)).text)
        assert shown.replace("\u200b", "").strip() == expected.replace("\u200b", "").strip(), html
        if table:
            assert body_cells(html)[1:] == ["x"], html


# --------------------------------------------------------------------------------------------
# Payloads
# --------------------------------------------------------------------------------------------

UNSAFE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<!-- hidden -->",
    "<!--> <img src=x onerror=alert(1)> -->",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=javascript:alert(1)>x</a>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<div markdown=\"1\">*x* <img src=x onerror=alert(1)></div>",
    '<div markdown="1">\n\n[x](javascript:alert(1))\n\n</div>',
    "<style>body{display:none}</style>",
    "<?php echo 1 ?>",
    "<![CDATA[x]]>",
    "<!DOCTYPE html>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "<<script>script>alert(1)<</script>/script>",
    "< script>alert(1)</script>",
    "x <b onmouseover=alert(1)>bold</b> y",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript:alert(1) \"title\")",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav&#9;ascript:alert(1))",
    "[x](java&Tab;script:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](&amp;#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](javascript\\:alert(1))",
    "[x](javascript:alert(1)//http://ok)",
    "[a [b](javascript:alert(1))](https://ok.example)",
    "[![i](https://ok.example/i.png)](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![x](data:text/html,<script>alert(1)</script>)",
    '![x](https://ok.example/i.png" onerror="alert(1))',
    "![x](https://ok.example/i.png){: onerror=alert(1) }",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "[evil]\n\n[evil]: javascript:alert(1)",
    "[x][]\n\n[x]: javascript:alert(1) \"t\"",
    "[x][evil]\n\n[evil]: <javascript:alert(1)>",
    "[evil]:\n    javascript:alert(1)\n\n[evil]",
    "  [evil]: data:text/html,x\n[evil]",
    "<javascript:alert(1)>",
    "<JAVASCRIPT://%0aalert(1)>",
    "<vbscript:msgbox>",
    "<data:text/html,x>",
    "javascript:alert(1)",
    "Paragraph {: onclick=alert(1) }",
    "Paragraph\n{: onclick=\"alert(1)\" }",
    "Paragraph { #id .cls onmouseover=alert(1) }",
    "# Heading { onclick=alert(1) }",
    "## Heading {: #top }",
    "[link](https://ok.example){: onclick=alert(1) }",
    "*em*{: onclick=alert(1) }",
    "- item {: onclick=alert(1) }",
    "| a | b |\n|---|---|\n| c {: onclick=alert(1) } | d |",
    "term\n: def {: onclick=alert(1) }",
    "`code`{: onclick=alert(1) }",
    '--8<-- "secret.txt"',
    ';--8<-- "secret.txt"',
    '   --8<-- "secret.txt"',
    "--8<-- 'secret.txt'",
    '-8<- "secret.txt"',
    '---8<--- "secret.txt"',
    "--8<--\nsecret.txt\n--8<--",
    '--8<-- "secret.md"',
    '--8<-- "missing-file.txt"',
    '--8<-- "../../../../etc/passwd"',
    '`--8<-- "secret.txt"`',
    '```\n--8<-- "secret.txt"\n```',
    '```\n--8<--\nsecret.txt\n--8<--\n```',
    '    --8<-- "secret.txt"',
    'x --8<-- [start:name] y',
    '- --8<-- "secret.txt"',
    '> --8<-- "secret.txt"',
    "```\n<script>alert(1)</script>",
    "```python\nunclosed <b>\n\n\n# not a heading",
    "~~~\n<script>alert(1)</script>\n",
    "````\n```\n<script>alert(1)</script>\n````\n<script>alert(2)</script>",
    "```\n````\n<script>alert(1)</script>",
    "```python {onclick=alert(1)}\nx\n```",
    '```python title="<img src=x onerror=alert(1)>"\nx\n```',
    "``` {.python #id onclick=alert(1)}\nx\n```",
    "```mermaid\ngraph TD; A-->B; click A \"javascript:alert(1)\"\n```",
    "```\nfirst\n```\n<script>alert(1)</script>\n```\nsecond",
    "   ```\n   <script>\n   ```",
    "    ```\n    <script>alert(1)</script>\n    ```",
    "> ```\n> <script>alert(1)</script>\n> ```",
    "- item\n\n    ```\n    <script>alert(1)</script>\n    ```",
    "```x```\n<script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "``<img src=x onerror=alert(1)>``",
    "`a\n<script>alert(1)</script>`",
    "a `b\n\nc` <script>alert(1)</script> `d`",
    "\\`<script>alert(1)</script>`",
    "\\\\`<b>`",
    "| `a | <script>` | b |\n|---|---|---|\n| `c | <img src=x onerror=alert(1)>` | d |",
    "# Heading",
    "###### Six",
    "#no-space",
    "  # indented",
    "> # quoted",
    "- # in list",
    "Title\n=====",
    "Title\n-----",
    "Title\n-",
    "!!! danger \"<img src=x onerror=alert(1)>\"\n    body",
    "!!! note onclick\n    x",
    '??? note "x"\n    body',
    '=== "Tab"\n    body',
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "Text[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "[TOC]",
    "/// html | div\n<b>x</b>\n///",
    ":smile: :+1: :material-account:",
    "{{ config.site_name }} {% raw %}",
    "&amp;lt;script&amp;gt;",
    "\x00<script>\x00alert(1)</script>",
    "\x02wzxhzdk:0\x03",
    "\ufeff<script>alert(1)</script>",
    "<scr\u200bipt>alert(1)</script>",
    "line\u2028<script>alert(1)</script>",
    "[x](https://ok.example/\"onmouseover=\"alert(1))",
    "[x](https://ok.example/<script>)",
    "<https://ok.example/\"onmouseover=alert(1)>",
    "https://ok.example/<script>alert(1)</script>",
    "www.example.com/<img src=x onerror=alert(1)>",
    "ftp://files.example/x",
    "- [ ](javascript:alert(1))",
    "- [x] [y](javascript:alert(1))",
    "!<mailto:a@b.co>",
    "!<https://ok.example/i.png>",
    "!![x](mailto:a@b.co)",
    "[x](https://ok.example/[a](javascript:alert(1)))",
    "[`]`](javascript:alert(1))",
    "[a](https://ok.example \"t\\\" onclick=alert(1))",
    "[^x](https://ok.example)",
    # magiclink puts a following inline-code placeholder into the href; inlinehilite's code is
    # raw HTML that comes back into the attribute unescaped.
    'See www.example.com`" onmouseover="alert(1)`',
    'https://ok.example/`"><img src=x onerror=alert(1)>`',
    '`a` www.example.com`" onclick="alert(1)` `b`',
    '[www.example.com`" onclick="alert(1)`](https://ok.example)',
    'https://ok.example\n" onmouseover="alert(1)',
    # An "&#" that starts no character reference makes Python-Markdown's HTML pre-pass
    # stop and resume at wrong offsets: text in a code span came out as live HTML.
    "``</&#</div><b>#'&#x3c;&#``<img src=x onerror=alert(1)>",
    "`&#</p>`&#x3c;<b>x</b>`<img src=x onerror=alert(1)>`",
    "a `&#` b <img src=x onerror=alert(1)> `&#</div><i>`",
]

SAFE_TEXT = [
    "plain text",
    "추천 시스템의 목표는 <정확도>를 높이는 것",
    "a < b && c > d",
    "100% of 5 * 3 = 15",
    "C:\\Users\\ml",
    "{{ not jinja }}",
]


@pytest.mark.parametrize("payload", UNSAFE, ids=range(len(UNSAFE)))
def test_md_text_payloads(render: Renderer, payload: str) -> None:
    check_text(render, payload)


@pytest.mark.parametrize("payload", UNSAFE, ids=range(len(UNSAFE)))
def test_md_cell_payloads(render: Renderer, payload: str) -> None:
    check_cell(render, payload)


@pytest.mark.parametrize("payload", UNSAFE, ids=range(len(UNSAFE)))
def test_md_inline_payloads(render: Renderer, payload: str) -> None:
    check_inline(render, payload)


@pytest.mark.parametrize("payload", UNSAFE, ids=range(len(UNSAFE)))
def test_md_code_payloads(render: Renderer, payload: str) -> None:
    check_code(render, payload)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "full"])
def test_payloads_with_other_extension_sets(renderers: dict[str, Renderer], variant: str) -> None:
    render = renderers[variant]
    for payload in UNSAFE:
        check_text(render, payload, PLACEMENTS.get(variant, tuple(TEXT_PLACEMENTS)))
        check_cell(render, payload)
        check_inline(render, payload)


def test_no_fence_extension_is_safe_without_fences(snippet_dir: Path) -> None:
    # Without a fence extension a fence is not code, so md_text's code blocks need superfences
    # (fenced_code only finds fences at column 0, see PLACEMENTS). Everything else stays safe
    # with bare Python-Markdown.
    render = Renderer(snippet_dir, ["tables"])
    for payload in UNSAFE + list(_fuzz_strings(150, seed=7)):
        if re.search(r"^`{3,}", md_text(payload), re.M):
            continue
        check_text(render, payload, ("block", "list-item", "list-marker", "numbered"))
        check_cell(render, payload)
        check_inline(render, payload)


@pytest.mark.parametrize("payload", SAFE_TEXT)
def test_plain_text_is_shown_as_typed(render: Renderer, payload: str) -> None:
    html = render(md_text(payload))
    assert_safe(html)
    assert text_of(html).strip() == payload


# --------------------------------------------------------------------------------------------
# What still renders
# --------------------------------------------------------------------------------------------


def test_markdown_formatting_renders(render: Renderer) -> None:
    html = render(md_text(
        "Intro *em* and **strong** and `<b>bold</b>` inline.\n\n"
        "- one\n- two with [a link](https://example.com/a_(b)?x=1&y=2)\n\n"
        "Then:\n\n1. first\n2. second\n\n"
        "> quoted *text*\n\n"
        "Mail <team@example.com> or <https://example.com/docs>, see [docs](/docs/) and [top](#top)."
    ))
    assert_safe(html)
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>&lt;b&gt;bold&lt;/b&gt;</code>" in html
    assert "<ul>" in html and "<ol>" in html and "<blockquote>" in html
    assert '<a href="https://example.com/a_%28b%29?x=1&amp;y=2">a link</a>' in html
    assert 'href="mailto:team@example.com"' in html
    assert '<a href="https://example.com/docs">https&#58;//example.com/docs</a>' in html
    assert '<a href="/docs/">docs</a>' in html and '<a href="#top">top</a>' in html


def test_fenced_code_keeps_its_text(render: Renderer) -> None:
    html = render(md_text("Before\n```python\nif a < b and c > d:\n    print('<b>', [x](y))\n```\nAfter"))
    assert_safe(html)
    assert '<span class="k">if</span>' in html  # highlighted as Python
    code = text_of(html)
    assert "if a < b and c > d:" in code and "print('<b>', [x](y))" in code
    assert "<p>After</p>" in html


def test_unclosed_fence_is_closed_at_the_end_of_the_value(render: Renderer) -> None:
    out = md_text("```\n<b>x</b>\n\n# still code")
    assert out.splitlines()[-1] == "```"
    html = render(place(TEXT_PLACEMENTS["block"], "```\n<b>x</b>\n\n# still code"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "# still code" in text_of(html)
    assert f"<p>{SENTINEL}</p>" in html


def test_fence_inside_the_value_cannot_close_early() -> None:
    out = md_text("````\n```\ninner\n```\n````")
    lines = out.strip().splitlines()
    assert lines[0] == "````" and lines[-1] == "````" and lines[1:-1] == ["```", "inner", "```"]


def test_mermaid_and_fence_attributes_become_plain_code(render: Renderer) -> None:
    html = render(md_text("```mermaid\ngraph TD; A-->B\n```\n\n```python {onclick=x .evil}\nx\n```"))
    assert_safe(html)
    assert "mermaid" not in html and "evil" not in html and "onclick" not in html
    assert "A--&gt;B" in html


def test_indented_code_becomes_code(render: Renderer) -> None:
    html = render(md_text("Example:\n\n    <b>not bold</b>\n    [x](y)\n\nDone."))
    assert_safe(html)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "[x](y)" in text_of(html)


def test_list_continuation_is_not_code(render: Renderer) -> None:
    html = render(md_text("- item\n\n    more about the item"))
    assert_safe(html)
    assert "<pre" not in html and "more about the item" in html


def test_headings_in_user_text_are_text(render: Renderer) -> None:
    html = render(md_text("# Big\n## Smaller\nText\n===\nMore\n---"))
    assert_safe(html)
    assert "<h" not in html
    assert "# Big" in text_of(html) and "## Smaller" in text_of(html)


def test_task_lists_tables_and_definitions_render(render: Renderer) -> None:
    html = render(md_text(
        "- [ ] collect data\n- [x] define metric\n\n"
        "| Metric | Target |\n|:--|--:|\n| recall@10 | 0.35 |\n\n"
        "Precision\n: share of predicted positives that are right"
    ))
    assert_safe(html)
    assert html.count('type="checkbox"') == 2 and "checked" in html
    assert "<table>" in html and "recall@10" in html and "text-align: right;" in html
    assert "<dl>" in html and "<dd>share of predicted positives that are right</dd>" in html


def test_reference_links_resolve_within_the_value(render: Renderer) -> None:
    html = render(md_text("See [the paper][p] and [p].\n\n[p]: https://arxiv.org/abs/1 \"Paper\""))
    assert_safe(html)
    assert html.count('href="https://arxiv.org/abs/1"') == 2
    assert "[p]:" not in html


def test_unsafe_links_keep_their_text(render: Renderer) -> None:
    html = render(md_text("Click [here](javascript:alert(1)) or ![logo](data:image/png;base64,AAAA)."))
    assert_safe(html)
    assert "<a" not in html and "<img" not in html
    assert text_of(html).strip() == "Click here or logo."


def test_safe_images_render(render: Renderer) -> None:
    html = render(md_text("[![badge](https://img.example/b.svg)](https://ci.example/)"))
    assert_safe(html)
    assert '<a href="https://ci.example/"><img alt="badge" src="https://img.example/b.svg"' in html


def test_korean_text_is_untouched(render: Renderer) -> None:
    value = "추천 모델은 **클릭률**을 높인다.\n\n- 데이터: 로그 3개월"
    out = md_text(value)
    assert "추천 모델은 **클릭률**을 높인다." in out
    html = render(out)
    assert "<strong>클릭률</strong>" in html and "데이터: 로그 3개월" in html


def test_entities_show_as_typed(render: Renderer) -> None:
    html = render(md_text("Use &lt;b&gt; or &#60;i&#62; and AT&T"))
    assert text_of(html).strip() == "Use &lt;b&gt; or &#60;i&#62; and AT&T"


def test_only_links_written_by_the_filter_are_links(render: Renderer) -> None:
    html = render(md_text("Go !<https://ok.example/i.png> and `a|b` then `<c>`"))
    assert_safe(html)
    assert "<img" not in html and '<a href="https://ok.example/i.png">' in html
    assert "`a|b`" in text_of(html) and "<code>&lt;c&gt;</code>" in html


@pytest.mark.parametrize(
    "value",
    ["[" * 20000, "![" * 10000, "[x](" * 5000, "`" * 20000, "` `` " * 4000, ":a" * 10000, "<a" * 10000,
     "[a][" * 5000, "]" * 20000 + "[" * 20000, ("- " * 50 + "x\n") * 400],
    ids=range(10),
)
def test_filters_stay_fast_on_pathological_text(value: str) -> None:
    started = time.perf_counter()
    md_text(value)
    md_cell(value)
    md_inline(value)
    md_code(value)
    assert time.perf_counter() - started < 5


def test_blocks_syntax_stays_text_if_a_site_enables_it(snippet_dir: Path) -> None:
    render = Renderer(snippet_dir, ["pymdownx.blocks.html", "pymdownx.blocks.admonition"])
    for value in ("/// html | script\nalert(1)\n///", "- /// admonition | x\n      type: danger\n  ///"):
        html = render(md_text(value))
        assert_safe(html)
        assert "///" in text_of(html)


def test_md_text_output_shape() -> None:
    assert md_text(None) == "" and md_text("") == "" and md_text("   \n\n ") == ""
    assert md_text(42) == "42" and md_text(True) == "True"
    out = md_text("a  \r\nb\t\r\n\r\n\r\n\r\nc\n\n")
    assert out == "a\nb\n\nc"
    assert not out.endswith("\n")


def test_md_inline_shows_markdown_literally(render: Renderer) -> None:
    value = "*not emphasis* [x](y) `code` <b> # 1. - | :smile: https://example.com a@b.co"
    html = render(md_inline(value))
    result = assert_safe(html)
    assert result.tags == ["p"] and text_of(html) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (3, "3"), (2.5, "2\\.5"), (False, "False"), ("a\nb\t c", "a b c"), ("", "")],
)
def test_md_inline_values(value: object, expected: str) -> None:
    assert md_inline(value) == expected


def test_md_cell_keeps_one_cell(render: Renderer) -> None:
    html = render("| a | b |\n|---|---|\n| " + md_cell("x | y\nnext *line*\n\n`a|b` [l](https://e.example)") + " | z |")
    assert_safe(html)
    assert body_cells(html)[1] == "z"
    assert "x | y<br />next <em>line</em>" in html or "x | y<br>next <em>line</em>" in html
    assert '<a href="https://e.example">l</a>' in html


def test_code_after_a_bare_url_is_not_code(render: Renderer) -> None:
    html = render(md_text('See www.example.com`" onmouseover="alert(1)` and `x`'))
    assert_safe(html)
    assert "onmouseover" not in re.sub(r">[^<]*<", "><", html)  # only in text, never in a tag
    assert "<code>x</code>" in html


def test_inline_code_keeps_ampersand_hash_readable(render: Renderer) -> None:
    html = render("Use " + md_code("&#60; or &#x3c; or &#") + " and " + md_text("`&#</p><b>x</b>`"))
    assert_safe(html)
    shown = " ".join(text_of(html).replace("\u200b", "").split())
    assert shown == "Use &#60; or &#x3c; or &# and &#</p><b>x</b>"


def test_md_code(render: Renderer) -> None:
    assert md_code("specs/a.yaml") == "`specs/a.yaml`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code(None) == "" and md_code("") == ""
    html = render("| a | b |\n|---|---|\n| " + md_code("x | <b> --8<-- \"secret.txt\"") + " | y |")
    assert_safe(html)
    assert "<code>x | &lt;b&gt; --8\u200b&lt;-- \"secret.txt\"</code>" in html


# --------------------------------------------------------------------------------------------
# URLs, links and slugs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\nscript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6a;avascript:alert(1)",
        "&#X6A;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "&amp;#106;avascript:alert(1)",
        "\u200bjavascript:alert(1)",
        "vbscript:x",
        "data:text/html,<script>alert(1)</script>",
        "DATA:image/png;base64,AAAA",
        "file:///etc/passwd",
        "ftp://example.com/",
        "custom:thing",
        "%6Aavascript:alert(1)",
        ":nothing",
        "",
        "   ",
        None,
    ],
)
def test_safe_url_rejects(url: str | None) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2#d", "https://example.com/a?b=1&c=2#d"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("mailto:team@example.com", "mailto:team@example.com"),
        ("#section", "#section"),
        ("/docs/page/", "/docs/page/"),
        ("page.md", "page.md"),
        ("../up/page", "../up/page"),
        ("//cdn.example/x", "//cdn.example/x"),
        ("https://example.com/a b(c)<d>\"e'", "https://example.com/a%20b%28c%29%3Cd%3E%22e%27"),
        ("https://example.com/`x`{y}|z\\w", "https://example.com/%60x%60%7By%7D%7Cz%5Cw"),
        ("https://example.com/?q=&amp;x", "https://example.com/?q=&x"),
        ("https://example.com/?q=&amp;lt;", "https://example.com/?q=&amp;lt;"),
        ("https://ko.example/추천", "https://ko.example/추천"),
        ("  https://example.com  ", "https://example.com"),
    ],
)
def test_safe_url_accepts(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_md_link(render: Renderer) -> None:
    assert md_link("Docs [v2]", "https://example.com/docs") == "[Docs \\[v2\\]](https://example.com/docs)"
    assert md_link("Evil", "javascript:alert(1)") == "Evil"
    assert md_link("", "https://example.com") == "[https&#58;//example\\.com](https://example.com)"
    html = render(md_link("*Docs* <b>", "https://example.com/a b"))
    assert_safe(html)
    assert html == '<p><a href="https://example.com/a%20b">*Docs* &lt;b&gt;</a></p>'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Recommendation System", "recommendation-system"),
        ("추천", "추천"),
        ("추천 시스템 v2", "추천-시스템-v2"),
        ("../etc/passwd", "etc-passwd"),
        ("..", None),
        (".", None),
        ("a/b\\c", "a-b-c"),
        ("  --Hello__World--  ", "hello-world"),
        ("C++ & ML", "c-ml"),
        ("ＡＢＣ１２３", "abc123"),
        ("Größe", "größe"),
        ("🚀", None),
        ("", None),
        (None, None),
    ],
)
def test_slug(value: str | None, expected: str | None) -> None:
    result = slug(value)
    assert result == slug(value)  # deterministic
    assert result and result not in (".", "..") and "/" not in result and "\\" not in result
    assert re.fullmatch(r"[\w-]+", result) and not result.startswith("-") and not result.endswith("-")
    if expected is not None:
        assert result == expected
    else:
        assert re.fullmatch(r"[0-9a-f]{8}", result)


def test_slug_distinguishes_unsluggable_values_and_caps_length() -> None:
    assert slug("🚀") != slug("🎯")
    long = slug("모델 " * 100)
    assert len(long) <= 80 and long == slug("모델 " * 100) and long != slug("모델 " * 99)


# --------------------------------------------------------------------------------------------
# Fuzz
# --------------------------------------------------------------------------------------------

FRAGMENTS = [
    "<script>", "</script>", "alert(1)", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<!--",
    "-->", "<iframe>", "<div markdown=\"1\">", "</div>", "<", ">", "&", "&lt;", "&#60;", "&#x3c;", "&amp;",
    "&colon;", "[", "]", "(", ")", "![", "](", "[x](", "javascript:", "JAVASCRIPT:", "java\nscript:",
    "data:text/html,", "vbscript:", "https://ok.example/", "mailto:a@b.co", "#frag", "/path",
    "[r]: ", "[r]", "][r]", "<https://ok.example>", "<javascript:x>", "{", "}", "{: onclick=x }",
    "{ #id .c onmouseover=x }", "--8<--", '"secret.txt"', "'secret.md'", ";", "-8<-", "8<", "`", "``",
    "```", "~~~", "````", "```python", "```mermaid", "\\", "\\`", "\\[", "\\\\", "|", "\\|", "*", "**",
    "_", "#", "## ", "=", "===", "---", "-", "- ", "* ", "1. ", "> ", ": ", "    ", "\t", "\n", "\n\n",
    "\n```\n", "\n    ", " ", "  ", "!!! note", "??? tip", '=== "T"', "*[A]: ", "[^1]", "[^1]: ", "[TOC]",
    ":smile:", ":+1:", "ftp://x.example", "www.example.com", "a@b.co", "[ ] ", "[x] ", "추천", "모델",
    "{{ x }}", "{% if %}", "\u200b", "\x00", "\r\n", "\u2028", "\ufeff", "'", '"', "word", "text here",
    "#!python ", ":::js ", "onclick=alert(1)", "style=color:red", "\x02wzxhzdk:0\x03",
    "&#", "&#x", "</div>", "</p>", "www.example.com`", "https://ok.example/`", '" onmouseover="x',
]


def _fuzz_strings(count: int, *, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14)))


FUZZ = list(_fuzz_strings(400, seed=20240611))


@pytest.mark.parametrize("chunk", range(8))
def test_fuzz_md_text(render: Renderer, chunk: int) -> None:
    for value in FUZZ[chunk::8]:
        check_text(render, value)


@pytest.mark.parametrize("chunk", range(4))
def test_fuzz_md_cell_inline_code(render: Renderer, chunk: int) -> None:
    for value in FUZZ[chunk::4]:
        check_cell(render, value)
        check_inline(render, value)
        check_code(render, value)


def test_fuzz_other_extension_sets(renderers: dict[str, Renderer]) -> None:
    for variant in ("material-highlight", "no-attr-list", "fenced-code"):
        for value in FUZZ[::5]:
            check_text(renderers[variant], value, PLACEMENTS.get(variant, tuple(TEXT_PLACEMENTS)))
            check_cell(renderers[variant], value)


def test_fuzz_md_text_is_idempotent_in_safety(render: Renderer) -> None:
    # The filter's own output, fed back in as user text, is still data.
    for value in FUZZ[::10]:
        check_text(render, md_text(value))


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("We rejected it:\n- retraining for every weight change\n- one schedule for both", 2),
        ("Steps:\n1. ship the rule\n2. measure it", 2),
        ("Error analysis, weekly:\n* by segment\n* by app version\n* by language", 3),
    ],
)
def test_a_list_written_straight_under_a_line_renders_as_a_list(render: Renderer, text: str, items: int) -> None:
    # Authors write lists as GitHub renders them; Python-Markdown needs a blank line first.
    html = render(md_text(text))
    assert html.count("<li>") == items
    assert "<p>" in html.split("<li>")[0]  # the lead-in line stays a paragraph of its own


def test_a_number_that_is_not_a_list_start_does_not_interrupt_a_paragraph(render: Renderer) -> None:
    html = render(md_text("Revenue grew in\n2026. That was the year."))
    assert "<li>" not in html and "<ol>" not in html


def _md_inline_reference(value: object) -> str:
    """md_inline as first written, one character at a time: the table must do exactly this."""
    from mlfolio.pages.markup import _INLINE_BACKSLASH, _INLINE_ENTITY, _text

    out = []
    for char in " ".join(_text(value).split()):
        out.append("\\" + char if char in _INLINE_BACKSLASH else _INLINE_ENTITY.get(char, char))
    return "".join(out)


def test_md_inline_translation_table_matches_the_character_loop() -> None:
    rng = random.Random(20261122)
    alphabet = "abc XYZ 재구매율 \\`*_{}[]()#+-.!>&<|:~=?^@$\"'\n\t%,;/0123456789é"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500)]
    for sample in [*samples, None, 3, 2.5, True]:
        assert md_inline(sample) == _md_inline_reference(sample)
