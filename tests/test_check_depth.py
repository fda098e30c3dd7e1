"""`sitegen check` reads every link of a page however deep it is nested (libxml2 stops
at 256 levels, 2,048 with huge_tree, and hides everything deeper), and a link that is
not a valid URL is a problem of its page, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import links
from tests.conftest import make_site, post, sitegen

BROKEN = "/2025/Jan/9/nope/"
NOWHERE = f"link {BROKEN} leads nowhere: there is no 2025/Jan/9/nope/index.html in the output"


def nested(depth: int, inner: str) -> str:
    return "<div>" * depth + inner + "</div>" * depth


def run_check(site: Path) -> tuple[int, str]:
    run = sitegen("check", "--source", site, "--out", site.parent / "public", "--no-cache")
    return run.code, run.out + run.err


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_broken_link_deep_in_a_page_is_reported(tmp_path: Path, depth: int) -> None:
    body = nested(depth, f'<a href="{BROKEN}">gone</a>')
    site = make_site(tmp_path / "site", {"deep.html": post("Deep", body=body),
                                         "plain.md": post("Plain")})
    code, printed = run_check(site)
    assert code == 1, printed
    assert "2025/Jan/2/deep/index.html (from content/deep.html): " + NOWHERE in printed
    assert "Traceback" not in printed


def test_a_link_that_is_not_a_url_is_a_problem_of_its_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "bad.html": post("Bad", body='<p><a href="http://[::1">home</a></p>'),
        "plain.md": post("Plain")})
    code, printed = run_check(site)
    assert "Traceback" not in printed
    assert code == 1, printed
    assert ("2025/Jan/2/bad/index.html (from content/bad.html): link http://[::1 "
            "is not a valid URL") in printed


@pytest.mark.parametrize("depth", [10, 255, 300, 2100, 5000, 20000])
def test_links_ids_and_robots_are_read_at_any_depth(depth: int) -> None:
    page = ('<!DOCTYPE html><html><head><meta name="robots" content="noindex">'
            '<link rel="canonical" href="https://example.org/p/"></head><body>'
            + nested(depth, '<a id="deep" href="/x/">x</a><img srcset="/a.png 1x, /b.png 2x">'
                            '<span><a name="n" href="/y/#deep">y</a>')
            + '<a href="/after/">after</a></body></html>')
    doc = links.read_document("p/index.html", page.encode())
    assert doc.links == ("https://example.org/p/", "/x/", "/y/#deep", "/after/", "/a.png",
                         "/b.png")
    assert doc.ids == {"deep", "n"}
    assert doc.noindex
    assert doc.own == {"https://example.org/p/"}
