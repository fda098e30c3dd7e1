"""Pages for two tags together: /tags/a+b/ and its feed, for pairs that share enough posts."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sitegen.build import Options, plan_site
from tests.conftest import SITE_TOML, make_site, post, sitegen

ATOM = "{http://www.w3.org/2005/Atom}"


def tagged_site(root: Path, toml: str = SITE_TOML) -> Path:
    """svg+python share 6 posts, svg+css 5 (the default threshold), css+python 2."""
    posts = {f"both-{n}.md": post(f"Both {n}", f"2025-01-{n + 1:02d}", "[SVG, Python]")
             for n in range(6)}
    posts |= {f"css-{n}.md": post(f"Styled {n}", f"2025-02-{n + 1:02d}", "[SVG, CSS]")
              for n in range(5)}
    posts |= {f"rare-{n}.md": post(f"Rare {n}", f"2025-03-{n + 1:02d}", "[CSS, Python]")
              for n in range(2)}
    posts["alone.md"] = post("Alone", "2025-04-01", "[yaml]")
    return make_site(root, posts, toml)


def build(site: Path) -> str:
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    return run.out


def rendered(summary: str) -> int:
    found = re.search(r"(\d+) rendered", summary)
    assert found, summary
    return int(found.group(1))


def test_a_pair_over_the_threshold_has_a_page_and_a_feed(tmp_path: Path) -> None:
    site = tagged_site(tmp_path / "site")
    build(site)
    out = site / "public" / "tags"
    page = (out / "python+svg" / "index.html").read_text(encoding="utf-8")
    assert "6 posts tagged both" in page and "Both 5" in page and "Styled 0" not in page
    assert (out / "css+svg" / "index.html").exists() and (out / "css+svg.atom").exists()
    assert not (out / "css+python").exists() and not (out / "css+python.atom").exists()
    feed = etree.fromstring((out / "python+svg.atom").read_bytes())
    assert feed.findtext(f"{ATOM}id") == "https://example.org/tags/python%2Bsvg.atom"
    assert len(feed.findall(f"{ATOM}entry")) == 6
    check = sitegen("check", "--source", site)
    assert check.code == 0, check.out + check.err


def test_a_tag_page_lists_its_combinations_and_sends_rarer_pairs_to_search(
        tmp_path: Path) -> None:
    site = tagged_site(tmp_path / "site")
    build(site)
    page = (site / "public" / "tags" / "python" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/tags/python%2Bsvg/">Python + SVG</a>: 6 posts' in page
    assert '<a href="/search/?tag=css&amp;tag=python">Python + CSS</a>: 2 posts' in page


def test_combination_pages_are_paginated_like_tag_pages(tmp_path: Path) -> None:
    site = tagged_site(tmp_path / "site", SITE_TOML + "per_page = 4\n")
    build(site)
    second = site / "public" / "tags" / "python+svg" / "page" / "2" / "index.html"
    assert "Page 2 of 2" in second.read_text(encoding="utf-8")


def test_the_separator_and_the_cap_are_settings(tmp_path: Path) -> None:
    site = tagged_site(tmp_path / "site", SITE_TOML + '[tags]\ncombine_separator = "--"\n'
                       "combine_max_pages = 1\ncombine_min = 2\n")
    build(site)
    out = site / "public" / "tags"
    assert sorted(p.name for p in out.iterdir() if "--" in p.name) == \
        ["python--svg", "python--svg.atom", "python--svg.json"]


def test_a_separator_a_url_cannot_hold_is_an_error(tmp_path: Path) -> None:
    for bad in ("-", " and ", "a/b", "and"):
        site = tagged_site(tmp_path / bad.strip().replace("/", "_"),
                           SITE_TOML + f'[tags]\ncombine_separator = "{bad}"\n')
        run = sitegen("build", "--source", site)
        assert run.code != 0 and "site.toml:4: 'tags.combine_separator'" in run.err, bad


def test_a_threshold_under_two_is_an_error(tmp_path: Path) -> None:
    site = tagged_site(tmp_path / "site", SITE_TOML + "[tags]\ncombine_min = 1\n")
    run = sitegen("build", "--source", site)
    assert run.code != 0 and "'tags.combine_min' must be at least 2" in run.err


def test_an_edit_renders_only_the_combinations_the_post_is_in(tmp_path: Path) -> None:
    """The same edit in the same site, with and without combination pages: an edit to a
    post of svg+python renders that combination's page and feeds (Atom and JSON) more;
    one to a post in no combination, nothing more."""
    counts = {}
    for cap in (0, 10):
        site = tagged_site(tmp_path / str(cap), SITE_TOML + f"[tags]\ncombine_max_pages = {cap}\n")
        build(site)
        for name in ("both-3.md", "alone.md"):
            path = site / "content" / name
            path.write_text(path.read_text(encoding="utf-8") + "One more line.\n",
                            encoding="utf-8")
            counts[cap, name] = rendered(build(site))
    assert counts[10, "both-3.md"] == counts[0, "both-3.md"] + 3
    assert counts[10, "alone.md"] == counts[0, "alone.md"]


def test_a_combination_page_lists_its_own_feed_before_the_site_s(tmp_path: Path) -> None:
    """Autodiscovery takes the first <link rel="alternate">: the pair's feed."""
    _, _, plan = plan_site(Options(site_dir=tagged_site(tmp_path / "site"), use_cache=False))
    page = next(p for p in plan if p.path == "tags/python+svg/index.html")
    assert page.context["feeds"] == (("Test Site: Python + SVG", "tags/python+svg.atom"),
                                     ("Test Site", "atom/everything.atom"))
