"""The specs folder holds specs and nothing else.

Anything else in it (a README, an HTML file, a subfolder, a link that leaves the repository,
a named pipe, a broken link) makes both `mlfolio validate` and `mkdocs build --strict` fail
with a ``not-a-spec`` error at that entry (``file:1:1``), the same line from both; nothing of
it reaches the site, not even under `mkdocs serve`, where the rest of the portfolio is still
built. A file nobody checks must never be published: the docs folder is published as it is,
so it cannot be the specs folder, nor hold it, nor sit inside it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_IDS = tuple(sorted(p.stem for p in (REPO / "projects").glob("*.yaml")))
MARKER = "Leaked-from-the-specs-folder"


def spec_text(project_id: str) -> str:
    """A valid spec (a copy of house-prices) with another id and a title holding the marker."""
    text = (REPO / "projects" / "house-prices.yaml").read_text(encoding="utf-8")
    text = text.replace("id: house-prices\n", f"id: {project_id}\n", 1)
    return text.replace('title: "Estimated sale price for home listings"', f'title: "{MARKER} {project_id}"', 1)


def readme(root: Path) -> str:
    (root / "projects" / "README.md").write_text(f"# {MARKER}\n\nHow to write a spec.\n", encoding="utf-8")
    return "README.md"


def html_page(root: Path) -> str:
    (root / "projects" / "notes.html").write_text(f"<p>{MARKER}</p><script>alert(1)</script>\n", encoding="utf-8")
    return "notes.html"


def subfolder(root: Path) -> str:
    (root / "projects" / "drafts").mkdir()
    (root / "projects" / "drafts" / "drafted.yaml").write_text(spec_text("drafted"), encoding="utf-8")
    return "drafts"


def outside(root: Path) -> Path:
    """A folder beside the copy of the repository, so outside its root."""
    folder = root.parent / "outside"
    folder.mkdir(exist_ok=True)
    return folder


def link_to_a_spec_outside(root: Path) -> str:
    target = outside(root) / "secret.yaml"
    target.write_text(spec_text("secret"), encoding="utf-8")
    (root / "projects" / "secret.yaml").symlink_to(target)
    return "secret.yaml"


def link_to_a_file_outside(root: Path) -> str:
    """As `projects/config -> ../../.git/config` would be: any file of the machine."""
    target = outside(root) / "config"
    target.write_text(f"[core]\n\t{MARKER} = true\n", encoding="utf-8")
    (root / "projects" / "config.yaml").symlink_to(os.path.relpath(target, root / "projects"))
    return "config.yaml"


def link_to_a_folder_outside(root: Path) -> str:
    (outside(root) / "more").mkdir()
    (outside(root) / "more" / "more.yaml").write_text(spec_text("more"), encoding="utf-8")
    (root / "projects" / "more").symlink_to(outside(root) / "more", target_is_directory=True)
    return "more"


def named_pipe(root: Path) -> str:
    """Opening a FIFO for reading waits for a writer: a checker that opens it hangs."""
    os.mkfifo(root / "projects" / "pipe.yaml")
    return "pipe.yaml"


def broken_link(root: Path) -> str:
    (root / "projects" / "gone.yaml").symlink_to(root / "projects" / "nowhere.yaml")
    return "gone.yaml"


ENTRIES: dict[str, Callable[[Path], str]] = {
    "readme": readme,
    "html-file": html_page,
    "subfolder": subfolder,
    "link-to-spec-outside": link_to_a_spec_outside,
    "link-to-file-outside": link_to_a_file_outside,
    "link-to-folder-outside": link_to_a_folder_outside,
    "named-pipe": named_pipe,
    "broken-link": broken_link,
}


def run_validate(root: Path) -> subprocess.CompletedProcess[str]:
    """`mlfolio validate` in the repository's folder, as a user runs it (a hang fails the test)."""
    return subprocess.run([sys.executable, "-m", "mlfolio", "validate", "--format", "json"], cwd=root,
                          capture_output=True, text=True, timeout=120)


def not_a_spec(root: Path) -> list[str]:
    """The `not-a-spec` lines `mlfolio validate` prints (text format), and nothing else wrong."""
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == f"{len(EXAMPLE_IDS)} files checked: 1 error, 0 warnings", done.stdout
    return lines[:-1]


def site_text(site: Path) -> list[str]:
    """Files of the built site that mention the marker, or are named after the entry."""
    found = []
    for path in site.rglob("*"):
        if path.is_file() and MARKER.encode() in path.read_bytes():
            found.append(path.relative_to(site).as_posix())
    return found


@pytest.mark.parametrize("make", ENTRIES.values(), ids=ENTRIES.keys())
def test_validate_and_the_build_refuse_it_at_its_file(site_copy: Path, build_site, make: Callable[[Path], str]) -> None:
    name = make(site_copy)
    lines = not_a_spec(site_copy)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"projects/{name}:1:1: error: ") and lines[0].endswith(" [not-a-spec]"), lines[0]
    report = json.loads(run_validate(site_copy).stdout)
    assert [(d["file"], d["line"], d["column"], d["rule"]) for d in report["diagnostics"]] == [(f"projects/{name}", 1, 1, "not-a-spec")]

    result = build_site(site_copy)
    assert isinstance(result.error, (PluginError, Abort)), repr(result.error)
    assert lines[0] in result.messages(logging.ERROR), result.logged()


@pytest.mark.parametrize("make", ENTRIES.values(), ids=ENTRIES.keys())
def test_nothing_of_it_reaches_the_site_even_under_serve(site_copy: Path, build_site, broken_links, html,
                                                          make: Callable[[Path], str]) -> None:
    name = make(site_copy)
    result = build_site(site_copy, strict=False, serve=True)
    assert result.error is None, repr(result.error)
    site = result.site
    assert sorted(p.parent.name for p in (site / "projects").glob("*/index.html")) == list(EXAMPLE_IDS)
    assert sorted(p.name for p in (site / "projects").iterdir()) == list(EXAMPLE_IDS)
    assert site_text(site) == []
    assert [p.relative_to(site).as_posix() for p in site.rglob(f"{Path(name).stem}*")] == []
    records = json.loads((site / "projects.json").read_text(encoding="utf-8"))["projects"]
    assert [r["id"] for r in records] == list(EXAMPLE_IDS)
    assert broken_links(site) == []
    # Logged, and listed on the preview's home page, as `validate` names it.
    assert [m for m in result.messages(logging.ERROR) if "[not-a-spec]" in m] == not_a_spec(site_copy)
    notice = [c.text() for c in html(site / "index.html").find_all("code")]
    assert not_a_spec(site_copy)[0] in notice


def test_a_spec_in_a_subfolder_is_not_checked_as_a_spec(site_copy: Path) -> None:
    """The subfolder is the error; a broken spec inside it adds no second one (it is not read)."""
    subfolder(site_copy)
    (site_copy / "projects" / "drafts" / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert [line.split(":", 1)[0] for line in not_a_spec(site_copy)] == ["projects/drafts"]


def test_a_named_pipe_is_never_opened(site_copy: Path, build_site) -> None:
    """Nobody writes to the pipe: validate and the build finish only if they never open it."""
    named_pipe(site_copy)
    done = run_validate(site_copy)  # times out (and fails) if the pipe is opened
    assert done.returncode == 1
    assert [d["message"] for d in json.loads(done.stdout)["diagnostics"]] == [
        "not a regular file (a device, pipe, socket or broken link): replace it with a spec file"]


def test_a_link_to_a_spec_inside_the_repository_is_reported_at_the_link(site_copy: Path, build_site) -> None:
    """A link to another spec of the folder is a second name for it, and its id does not match
    the link's name: the error belongs to the link, and the spec it points at stays as good as
    it was (still checked, still published)."""
    (site_copy / "projects" / "alias.yaml").symlink_to("house-prices.yaml")
    done = subprocess.run([sys.executable, "-m", "mlfolio", "validate"], cwd=site_copy, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert errors, done.stdout
    assert all(line.startswith("projects/alias.yaml:") for line in errors), errors
    result = build_site(site_copy, strict=False, serve=True)
    assert result.error is None, repr(result.error)
    assert (result.site / "projects" / "house-prices" / "index.html").is_file()


# --------------------------------------------------------------------------------------------
# The docs folder is published as it is: it is never the specs folder
# --------------------------------------------------------------------------------------------


def set_docs_dir(root: Path, docs_dir: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\ndocs_dir: docs\n") == 1
    config.write_text(text.replace("\ndocs_dir: docs\n", f"\ndocs_dir: {docs_dir}\n"), encoding="utf-8")


def set_specs_dir(root: Path, specs_dir: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.count("      specs_dir: projects\n") == 1
    config.write_text(text.replace("      specs_dir: projects\n", f"      specs_dir: {specs_dir}\n"), encoding="utf-8")


def assert_refused(result, tmp: Path) -> None:
    assert isinstance(result.error, (PluginError, Abort)), repr(result.error)
    message = " ".join(result.messages(logging.ERROR)) + " " + str(result.error)
    assert "must be separate folders" in message, message
    assert "everything in docs_dir is published as it is" in message
    assert not (result.site / "index.html").exists()
    assert [p for p in tmp.rglob("*.yaml") if "site" in p.relative_to(tmp).parts] == []


def test_docs_dir_cannot_be_the_specs_folder(site_copy: Path, build_site) -> None:
    set_docs_dir(site_copy, "projects")
    assert_refused(build_site(site_copy), site_copy)


def test_specs_folder_cannot_be_inside_the_docs_folder(site_copy: Path, build_site) -> None:
    shutil.move(site_copy / "projects", site_copy / "docs" / "projects")
    set_specs_dir(site_copy, "docs/projects")
    assert_refused(build_site(site_copy), site_copy)


def test_docs_folder_cannot_be_inside_the_specs_folder(site_copy: Path, build_site) -> None:
    shutil.move(site_copy / "docs", site_copy / "projects" / "docs")
    set_docs_dir(site_copy, "projects/docs")
    assert_refused(build_site(site_copy), site_copy)


def test_hand_written_pages_in_docs_are_published_beside_the_portfolio(site_copy: Path, build_site, html, broken_links) -> None:
    """What the docs folder is for: a page of one's own, published as it is."""
    (site_copy / "docs" / "about.md").write_text("# About\n\nSee the [portfolio](index.md).\n", encoding="utf-8")
    config = site_copy / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Spec reference: reference.md\n",
                                                                  "  - Spec reference: reference.md\n  - About: about.md\n"), encoding="utf-8")
    result = build_site(site_copy)
    assert result.error is None and result.logged() == [], result.logged()
    assert html(result.file("about/")).find("h1").words().startswith("About")
    assert broken_links(result.site) == []


def test_a_docs_page_where_a_generated_page_goes_is_an_error(site_copy: Path, build_site) -> None:
    """A hand-written teams.md would be replaced by the generated one, silently: refused."""
    (site_copy / "docs" / "teams.md").write_text("# Our teams\n", encoding="utf-8")
    result = build_site(site_copy)
    assert isinstance(result.error, (PluginError, Abort)), repr(result.error)
    assert any("teams.md exists in the docs folder" in m for m in result.messages(logging.ERROR) + [str(result.error)])
