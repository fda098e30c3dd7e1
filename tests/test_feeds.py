"""Atom feeds as a feed reader sees them: parsed by feedparser, in the reference shape."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from lxml import etree

from tests.conftest import FIXTURES, copy_site, make_site, post, sitegen

FEED_SITE = FIXTURES / "feed-site"
GOLDEN_FEED = FIXTURES / "feed-site.svg.atom"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def build(site: Path, *args: str) -> Path:
    out = site.parent / "public"
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return out


def test_three_post_tag_feed_matches_golden_file(tmp_path: Path) -> None:
    out = build(copy_site(FEED_SITE, tmp_path))
    built = (out / "tags" / "svg.atom").read_bytes()
    if os.environ.get("SITEGEN_UPDATE_GOLDEN"):
        GOLDEN_FEED.write_bytes(built)
    assert built == GOLDEN_FEED.read_bytes()


def test_link_quote_and_note_in_a_tag_feed() -> None:
    feed = feedparser.parse(GOLDEN_FEED.read_bytes())
    assert feed.bozo == 0
    assert feed.feed.title == "Feed Fixture: svg"
    note, quote, link = feed.entries
    assert link.title == "A guide to SVG paths"
    assert link.summary.startswith(
        '<p><strong><a href="https://example.com/svg-guide">A guide to SVG paths</a></strong></p>')
    assert '<p>Via <a href="https://example.net/newsletter">The Newsletter</a></p>' in link.summary
    assert [t.term for t in link.tags] == ["svg", "paths"]
    assert quote.title == "Quoting Ada Example"
    assert '<blockquote cite="https://example.com/ada">' in quote.summary
    assert '<p class="cite">— <a href="https://example.com/ada">Ada Example</a>' in quote.summary
    assert note.title == "A tiny note with an image:"
    assert note.updated == "2025-06-04T08:30:00+02:00"
    assert note.summary.endswith(
        '<p>Tags: <a href="https://example.org/links/tags/python/">Python</a>, '
        '<a href="https://example.org/links/tags/svg/">svg</a></p>')


def test_every_url_in_a_feed_is_absolute_under_a_sub_path() -> None:
    root = etree.fromstring(GOLDEN_FEED.read_bytes())
    summaries = "".join(root.xpath("//a:summary/text()", namespaces=ATOM))
    hrefs = root.xpath("//a:link[not(@rel='related')]/@href", namespaces=ATOM)
    assert all(h.startswith("https://example.org/links/") for h in hrefs)  # related: outside
    assert 'src="https://example.org/links/2025/Jun/3/note/plot.svg"' in summaries
    assert 'href="https://example.org/links/2025/Jun/1/spec/"' in summaries
    assert 'href="../' not in summaries and 'src="plot' not in summaries


def test_demo_feeds_parse_with_expected_entries(demo_site: Path) -> None:
    feeds = sorted(demo_site.rglob("*.atom"))
    assert len(feeds) > 20
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        assert len(feed.entries) <= 30
        for entry in feed.entries:
            assert entry.title and entry.link.startswith("https://example.org/")
            assert entry.summary
        if path.parent.name == "tags":
            # one tag, or a combination of two; an old tag name's feed is its tag's
            slugs = unquote(feed.feed.link.rstrip("/").rsplit("/", 1)[-1]).split("+")
            for entry in feed.entries:
                assert set(slugs) <= {t.term for t in entry.tags}, path
    everything = feedparser.parse((demo_site / "atom" / "everything.atom").read_bytes())
    assert everything.feed.title == "Tag Soup"
    dates = [e.published_parsed for e in everything.entries]
    assert dates == sorted(dates, reverse=True)


def test_hostile_body_still_makes_a_valid_feed(tmp_path: Path) -> None:
    body = ("Less < more & more > less \x07bell\x1b.\n\n"
            '<svg width="10" height="10"><circle r="4" cx="5" cy="5"/></svg>\n\n'
            "![chart](img/chart.png)")
    site = make_site(tmp_path / "blog", {"odd.md": post('"Odd \\v title"', tags="[x]", body=body)})
    out = tmp_path / "public"
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert "content/odd.md:6: removed control characters (such as U+0007)" in run.err
    data = (out / "tags" / "x.atom").read_bytes()
    etree.fromstring(data)  # well-formed XML 1.0
    feed = feedparser.parse(data)
    assert feed.bozo == 0
    entry = feed.entries[0]
    assert entry.title == "Odd  title"
    assert "Less &lt; more &amp; more &gt; less bell." in entry.summary
    assert "<svg" in entry.summary and "<circle" in entry.summary
    assert 'src="https://example.org/2025/Jan/2/odd/img/chart.png"' in entry.summary


def test_entry_ids_do_not_change_with_title_tags_or_body(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("First", tags="[svg]", body="One.")})
    out = build(site)
    before = feedparser.parse((out / "atom" / "everything.atom").read_bytes()).entries[0].id
    (site / "content" / "a.md").write_text(post("Renamed", tags="[svg, css]", body="Two."))
    out = build(site)
    after = feedparser.parse((out / "atom" / "everything.atom").read_bytes()).entries[0]
    assert after.title == "Renamed"
    assert after.id == before == "https://example.org/2025/Jan/2/a/"


@pytest.mark.parametrize(("setting", "suffix"), [("false", ""), ("true", "#atom-tag")])
def test_link_fragments_setting(tmp_path: Path, setting: str, suffix: str) -> None:
    toml = f'title = "T"\nbase_url = "https://example.org/"\n[feeds]\nlink_fragments = {setting}\n'
    out = build(make_site(tmp_path / "blog", {"a.md": post("A", tags="[svg]")}, toml))
    entry = feedparser.parse((out / "tags" / "svg.atom").read_bytes()).entries[0]
    assert entry.link == "https://example.org/2025/Jan/2/a/" + suffix
    assert entry.id == "https://example.org/2025/Jan/2/a/"


def test_feed_holds_at_most_the_configured_entries(tmp_path: Path) -> None:
    posts = {f"p{i}.md": post(f"P{i}", date=f"2025-02-{i + 1:02d}", tags="[svg]")
             for i in range(7)}
    toml = 'title = "T"\nbase_url = "https://example.org/"\n[feeds]\nentries = 5\n'
    out = build(make_site(tmp_path / "blog", posts, toml))
    feed = feedparser.parse((out / "tags" / "svg.atom").read_bytes())
    assert [e.title for e in feed.entries] == ["P6", "P5", "P4", "P3", "P2"]


def test_unchanged_feed_is_not_rewritten(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A", tags="[svg]"),
                                         "b.md": post("B", tags="[css]")})
    out = build(site)
    svg_before = (out / "tags" / "svg.atom").stat()
    (site / "content" / "b.md").write_text(post("B edited", tags="[css]"))
    out = build(site)
    svg_after = (out / "tags" / "svg.atom").stat()
    assert (svg_after.st_ino, svg_after.st_mtime_ns) == (svg_before.st_ino, svg_before.st_mtime_ns)
    assert b"B edited" in (out / "tags" / "css.atom").read_bytes()


def test_tag_pages_link_their_feed(demo_site: Path) -> None:
    page = (demo_site / "tags" / "svg" / "index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="Tag Soup: SVG" ' \
           'href="/tags/svg.atom">' in page
    assert 'href="/tags/svg.atom" class="feed-link">' in page
    for name, kind in (("entries", "entry"), ("links", "link"), ("quotes", "quote"),
                       ("notes", "note")):
        listing = (demo_site / name / "index.html").read_text()
        assert f'href="/atom/{name}.atom"' in listing
        items = listing.count('<article class="item item-')
        assert items and listing.count(f'<article class="item item-{kind}') == items, name
        feed = etree.parse(demo_site / "atom" / f"{name}.atom").getroot()
        assert len(feed.findall("a:entry", ATOM)) >= items, name  # a list page at most
