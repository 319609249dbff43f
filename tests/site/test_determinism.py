"""The same specs give the same site, byte for byte.

Two builds run in separate processes, from copies of the inputs at different paths, started
from different working directories and with different hash seeds (so set and dict ordering
of strings differs between them). Every file of the two sites is compared, none ignored.

MkDocs itself stamps the sitemap with the build date (``<lastmod>`` in ``sitemap.xml`` and
the gzip header time of ``sitemap.xml.gz``); it takes that date from ``SOURCE_DATE_EPOCH``
when set, as reproducible builds expect. Both builds get the same value, so a test that runs
across midnight does not see two dates. Nothing else is excluded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def build_in_subprocess(root: Path, *, cwd: Path, hash_seed: str) -> Path:
    site = root / "site"
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(site)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return site


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory, copy_site) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first = copy_site(tmp_path_factory.mktemp("first") / "a")
    second = copy_site(tmp_path_factory.mktemp("second") / "a-longer-folder-name" / "b")
    site_a = build_in_subprocess(first, cwd=first, hash_seed="1")
    site_b = build_in_subprocess(second, cwd=second.parent.parent, hash_seed="2")
    return tree(site_a), tree(site_b)


def test_both_builds_write_the_same_files(two_sites) -> None:
    a, b = two_sites
    assert sorted(a) == sorted(b)
    assert "projects.json" in a and "sitemap.xml.gz" in a and "pagefind/pagefind-entry.json" in a
    assert "projects/house-prices/index.html" in a and "tags/index.html" in a


def test_every_file_is_byte_for_byte_the_same(two_sites) -> None:
    a, b = two_sites
    different = sorted(name for name in a.keys() & b.keys() if a[name] != b[name])
    assert different == []


def test_no_file_mentions_the_build_folder(two_sites, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Paths of the machine that built the site must not end up in it."""
    base = str(tmp_path_factory.getbasetemp()).encode()
    leaking = sorted(name for name, data in two_sites[0].items() if base in data)
    assert leaking == []
