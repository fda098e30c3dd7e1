"""A small fixture site, built and compared file by file with a golden output tree.

After an intended change to the output, refresh the tree with `make golden`.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from tests.conftest import FIXTURES, sitegen, tree

SITE = FIXTURES / "golden-site"
GOLDEN = FIXTURES / "golden-output"
# Generated from Pygments' styles: its bytes follow the installed Pygments, not our code;
# the manifest holds the digest of those bytes.
UNSTABLE = {"static/pygments.css", ".sitegen-manifest"}
# Pagefind's bundles: its own files and index format, which follow the installed Pagefind
# (search/indexes.json, which lists them, is ours and compared).
PAGEFIND = "search/index/"


def test_fixture_site_matches_golden_tree(tmp_path: Path) -> None:
    out = tmp_path / "public"
    run = sitegen("build", "--source", SITE, "--out", out, "--no-cache")
    assert run.code == 0, run.err
    built = {k: v for k, v in tree(out).items()
             if k not in UNSTABLE and not k.startswith(PAGEFIND)}
    if os.environ.get("SITEGEN_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in built.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    golden = tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for path, data in built.items():
        if data != golden[path]:
            diff = difflib.unified_diff(golden[path].decode().splitlines(),
                                        data.decode().splitlines(), "golden", "built",
                                        lineterm="")
            raise AssertionError(f"{path} differs (run `make golden` if intended):\n"
                                 + "\n".join(list(diff)[:40]))


def test_golden_tag_feed_is_the_reference_shape() -> None:
    feed = (GOLDEN / "tags" / "svg.atom").read_text(encoding="utf-8")
    assert "<title>Golden &lt;Links&gt;: SVG</title>" in feed
    assert '<category term="c-plus-plus" label="C++"/>' in feed
    assert "&lt;p&gt;Tags: &lt;a href=\"https://example.org/blog/tags/svg/\"&gt;SVG" in feed
