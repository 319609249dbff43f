"""Hostile input through the real commands: each class gets a clear error at its line (or a safe
result), never a traceback, a hang or a silent skip, in `mlfolio validate`, the build, `mkdocs
serve` (the rest of the portfolio is still built) and `mlfolio diff`.

The classes are listed in tests/README.md ("Hostile inputs, by kind").
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = "house-prices"
LINE = re.compile(r"^projects/[^:]+:\d+:\d+: (error|warning): ")


def edit(root: Path, old: str, new: str, name: str = SPEC) -> Path:
    path = root / "projects" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once; update the test"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(root: Path, needle: str, name: str = SPEC) -> int:
    lines = (root / "projects" / f"{name}.yaml").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def mlfolio(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "mlfolio", *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def validate(root: Path, *args: str) -> list[str]:
    """The diagnostic lines of `mlfolio validate` (exit code 1: something is wrong)."""
    done = mlfolio(root, "validate", *args)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for line in lines[:-1]:
        assert LINE.match(line), line
    return lines[:-1]


def assert_everywhere(root: Path, build_site, expected: str) -> None:
    """`expected` (a whole diagnostic line) from validate, in the failed strict build's log, and
    under serve, where the other projects are still built; `mlfolio diff` against the
    unchanged examples runs without a traceback."""
    assert expected in validate(root), validate(root)
    built = build_site(root)
    assert built.error is not None
    assert expected in built.messages(logging.ERROR) + built.messages(logging.WARNING)
    served = build_site(root, strict=False, serve=True, site_dir=root / "served")
    assert served.error is None, repr(served.error)
    assert expected in served.messages(logging.WARNING)
    others = [p.stem for p in (root / "projects").glob("*.yaml") if p.stem != SPEC]
    for other in others:
        assert (root / "served" / "projects" / other / "index.html").is_file(), other
    done = mlfolio(root, "diff", str(Path(__file__).resolve().parents[2] / "projects"), "projects")
    assert done.returncode in (0, 1), done.stdout + done.stderr


# -- numbers --------------------------------------------------------------------------------------


def test_a_hex_literal_of_thousands_of_digits_stops_at_its_line(site_copy: Path, build_site) -> None:
    edit(site_copy, "    current: 46\n", "    current: 0x" + "f" * 5000 + "\n")
    line = line_of(site_copy, "current: 0x")
    assert_everywhere(site_copy, build_site, f"projects/{SPEC}.yaml:{line}:14: error: integer of 5,002 characters is too long: "
                      "numbers in a spec lie between -10^15 and 10^15 (quote it if it is meant as text) [yaml-syntax]")


def test_a_number_out_of_range_is_an_error_that_says_the_limit(site_copy: Path, build_site) -> None:
    edit(site_copy, "    current: 46\n", "    current: 1" + "0" * 40 + "\n")
    line = line_of(site_copy, "current: 1000")
    assert_everywhere(site_copy, build_site, f"projects/{SPEC}.yaml:{line}:14: error: metrics[0].current: "
                      "10^40 is too large: it must be <= 10^15 [schema]")


def test_tiny_and_negative_zero_values_are_shown_as_written(site_copy: Path, build_site) -> None:
    edit(site_copy, "    current: 46\n", "    current: -0.0\n")
    edit(site_copy, "    target: 39\n", "    target: -0.000000001\n")
    built = build_site(site_copy, strict=False)
    assert built.error is None, repr(built.error)
    page = built.text(f"projects/{SPEC}/")
    assert "-1e-09 days" in page  # tiny, not rounded to 0
    assert "-0.0" not in page and "-0 days" not in page and "0 days" in page


# -- text that is only whitespace or invisible, ids, look-alikes -----------------------------------


def test_an_invisible_title_is_an_error(site_copy: Path, build_site) -> None:
    line = line_of(site_copy, "title: ")
    old = next(x for x in (site_copy / "projects" / f"{SPEC}.yaml").read_text(encoding="utf-8").split("\n") if x.startswith("title: "))
    edit(site_copy, old + "\n", 'title: "\\u200b \\u2060\\u3000"\n')
    assert_everywhere(site_copy, build_site, f"projects/{SPEC}.yaml:{line}:8: error: title: '\\u200b \\u2060\\u3000' has no visible "
                      "character: write a name or text that can be read (spaces and invisible characters alone do not count) [schema]")


@pytest.mark.parametrize("name", ["con", "nul", "com1", "lpt9"])
def test_windows_device_names_are_refused_as_ids(site_copy: Path, name: str) -> None:
    path = edit(site_copy, f"id: {SPEC}\n", f"id: {name}\n")
    path.rename(path.with_name(f"{name}.yaml"))
    assert validate(site_copy) == [
        f"projects/{name}.yaml:3:5: error: id: '{name}' is a reserved file name on Windows, where a checkout could not create "
        "the spec's file (named after its id): choose another id [schema]"]


def test_look_alike_teams_are_one_group_and_a_warning(site_copy: Path, build_site) -> None:
    text = (site_copy / "projects" / f"{SPEC}.yaml").read_text(encoding="utf-8")
    team = re.search(r"^team: (.*)$", text, re.M)
    assert team is not None
    spelled = team.group(1).strip('"').upper().replace(" ", "  ") + "\u200b"
    copy = site_copy / "projects" / "zz-copy.yaml"
    copy.write_text(text.replace(f"id: {SPEC}\n", "id: zz-copy\n").replace(team.group(0), f'team: "{spelled}"'), encoding="utf-8")
    line = line_of(site_copy, "team: ", "zz-copy")
    [warning] = validate(site_copy, "--strict")
    assert warning.startswith(f"projects/zz-copy.yaml:{line}:7: warning: team: team {spelled!r} looks like ".replace("\u200b", "\\u200b"))
    assert warning.endswith("write it the same way [look-alike]")
    built = build_site(site_copy, strict=False)
    assert built.error is None
    teams = built.text("teams/")
    assert teams.count('<a href="../projects/zz-copy/">') == 1  # under the one group, not a second one


# -- the build log is not a channel ---------------------------------------------------------------


FORGED = "house-prices\\n::error file=README.md,line=1::forged\\n::add-mask::x\\r::stop-commands::y"


def test_no_spec_text_starts_a_log_line(site_copy: Path, build_site) -> None:
    edit(site_copy, f"id: {SPEC}\n", f'id: "{FORGED}"\n')
    for args in ((), ("--format", "github")):
        done = mlfolio(site_copy, "validate", *args)
        assert done.returncode == 1
        for line in done.stdout.splitlines():
            assert not line.startswith("::") or re.match(r"^::(error|warning) file=projects/house-prices\.yaml,line=\d+,col=\d+,title=[^:]+::", line), line
    built = build_site(site_copy)
    messages = built.messages(logging.DEBUG)
    assert messages
    for message in messages:
        for line in message.splitlines()[1:] if "\n" in message else ():
            assert not line.lstrip().startswith("::"), message
        assert "\n::" not in message and "\r::" not in message


# -- size -----------------------------------------------------------------------------------------


def _site_bytes(site: Path) -> int:
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file())


def test_a_megabyte_spec_builds_and_the_site_grows_by_a_small_factor(site_copy: Path, build_site, site_build) -> None:
    """The loader's limit is 1 MiB. A spec near it, its summary and a free-text field of deeply
    nested Markdown filling it, builds; the site grows by at most 5 times the spec's size (a
    title or tag is short by schema, so nothing large is repeated on every portfolio page)."""
    text = (site_copy / "projects" / f"{SPEC}.yaml").read_text(encoding="utf-8")
    summary = next(x for x in text.split("\n") if x.startswith("summary: "))
    text = text.replace(summary, 'summary: "' + "Churn **bold** text *x* and `code` " * 12_000 + '"')
    nested = "".join("    " + "  " * (i % 40) + f"- item **b** [l](http://x.y) <b>{i}\n" for i in range(6_200))
    text = re.sub(r"^  service: .*$", lambda _: "  service: |\n" + nested, text, count=1, flags=re.M)
    big = site_copy / "projects" / "big.yaml"
    big.write_text(text.replace(f"id: {SPEC}\n", "id: big\n"), encoding="utf-8")
    size = big.stat().st_size
    assert 900_000 < size <= 1024 * 1024
    built = build_site(site_copy)
    assert built.error is None, repr(built.error)
    assert _site_bytes(built.site) - _site_bytes(site_build.site) <= 5 * size


@pytest.mark.parametrize("blank", ['"   "', '" \\u200b \\t"', '"\\u3000"'])
def test_a_blank_team_is_one_error(site_copy: Path, blank: str) -> None:
    line = line_of(site_copy, "team: ")
    old = next(x for x in (site_copy / "projects" / f"{SPEC}.yaml").read_text(encoding="utf-8").split("\n") if x.startswith("team: "))
    edit(site_copy, old + "\n", f"team: {blank}\n")
    [problem] = validate(site_copy)
    assert problem.startswith(f"projects/{SPEC}.yaml:{line}:7: error: team: ") and problem.endswith("[schema]")


def test_a_specs_folder_reached_through_a_link_keeps_the_name_the_user_has(site_copy: Path, build_site) -> None:
    (site_copy / "projects").rename(site_copy / "specs")
    (site_copy / "projects").symlink_to("specs", target_is_directory=True)
    edit(site_copy, "stage: baseline_prototype\n", "stage: nope\n")
    line = line_of(site_copy, "stage: nope")
    [problem] = validate(site_copy)
    assert problem.startswith(f"projects/{SPEC}.yaml:{line}:8: error: stage: 'nope' is not one of")
    built = build_site(site_copy)
    assert problem in built.messages(logging.ERROR)


# -- patterns, formats and files, through every command ------------------------------------------


@pytest.mark.parametrize(("old", "new", "expected"), [
    pytest.param(f"id: {SPEC}\n", f'id: "{SPEC}\\n"\n',
                 f"projects/{SPEC}.yaml:3:5: error: id: '{SPEC}\\n' is not a valid id: use lower-case letters, digits, '-' and '_', "
                 "starting with a letter or digit [schema]", id="id-with-a-final-newline"),
    pytest.param('  docs: "https://wiki.example.com/applied-ml/home-price-estimate"\n', '  docs: "https://wiki.example .com/x"\n',
                 f"projects/{SPEC}.yaml:30:9: error: links.docs: ", id="uri-with-a-space"),
])
def test_patterns_and_formats_are_refused_everywhere(site_copy: Path, build_site, old: str, new: str, expected: str) -> None:
    edit(site_copy, old, new)
    lines = validate(site_copy)
    [line] = [x for x in lines if x.startswith(expected)]
    assert_everywhere(site_copy, build_site, line)


def test_a_windows_device_name_fails_the_build_too(site_copy: Path, build_site) -> None:
    path = edit(site_copy, f"id: {SPEC}\n", "id: aux\n")
    path.rename(path.with_name("aux.yaml"))
    [line] = validate(site_copy)
    built = build_site(site_copy)
    assert built.error is not None and line in built.messages(logging.ERROR)
