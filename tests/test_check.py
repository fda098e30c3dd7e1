"""`sitegen check`: what it catches in an output folder, and what it lets through."""

from __future__ import annotations

import http.server
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen import atom, check, links
from sitegen.build import Options
from sitegen.config import Config
from sitegen.links import Document, Output
from tests.conftest import FIXTURES, ROOT, copy_site, make_site, post, serving, sitegen

SUB_PATH = "https://example.org/sub/path/"
BROKEN_PAGE = "2025/Jan/5/links/index.html (from content/2025-01-05-links.md)"


def run_check(site: Path, *args: str, out: Path | None = None) -> tuple[int, str]:
    """`sitegen check` without a cache, so that nothing is written into the site folder."""
    run = sitegen("check", "--source", site, "--out", out or site.parent / "public",
                  "--no-cache", *args)
    return run.code, run.out + run.err


def test_broken_fixture_names_every_bad_link_with_its_page(tmp_path: Path) -> None:
    code, printed = run_check(copy_site(FIXTURES / "check-broken", tmp_path))
    assert code == 1
    assert (f"{BROKEN_PAGE}: link /2025/Jan/9/nope/ leads nowhere: "
            "there is no 2025/Jan/9/nope/index.html in the output") in printed
    assert (f"{BROKEN_PAGE}: link /2025/Jan/2/first/#no-such-heading has no target: "
            '2025/Jan/2/first/index.html has no id="no-such-heading"') in printed
    assert (f"{BROKEN_PAGE}: link /2025/Jan/3/secret/ leads to a draft: "
            "content/2025-01-03-secret.md has 'draft: true'") in printed
    for fine in ("#details", "/tags/fixtures/", "#main"):
        assert f"link {fine} " not in printed and f"{fine} has" not in printed
    assert re.search(r"check failed: \d+ problem\(s\)", printed)


def test_demo_site_passes(tmp_path: Path) -> None:
    code, printed = run_check(ROOT, out=tmp_path / "public")
    assert code == 0, printed
    assert re.search(r"Checked \d+ pages, \d+ links, \d+ feeds and the sitemap in .*: "
                     r"no problems; \d+ external links not fetched", printed)


def test_demo_site_under_a_sub_path_passes(tmp_path: Path) -> None:
    code, printed = run_check(ROOT, "--base-url", SUB_PATH, out=tmp_path / "public")
    assert code == 0, printed


def test_root_relative_link_that_misses_the_sub_path_is_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "a.md": post("A", body="[tags](/tags/) and [ok](/sub/path/tags/)")})
    code, printed = run_check(site, "--base-url", SUB_PATH)
    assert code == 1
    assert ("2025/Jan/2/a/index.html (from content/a.md): link /tags/ leaves the site: "
            "it is not under the base path /sub/path/") in printed
    assert "link /sub/path/tags/ " not in printed


def test_build_errors_stop_the_check(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": "---\ntitle: No date\n---\nBody\n"})
    code, printed = run_check(site)
    assert code == 1
    assert "'date' is missing" in printed and "Checked" not in printed


# Links, one output folder in memory at a time.

CONFIG = Config(base_url=SUB_PATH)
FILES = frozenset({"index.html", "tags/svg/index.html", "tags/svg.atom", "static/style.css",
                   "tags/日本語/index.html"})


def output(**links_by_page: tuple[str, ...]) -> Output:
    docs = {"tags/svg/index.html": Document("tags/svg/index.html", (), frozenset({"top-1"}))}
    for page, page_links in links_by_page.items():
        path = page.replace("__", "/") + ".html"
        docs[path] = Document(path, page_links, frozenset({"main"}))
    return Output(FILES | set(docs), docs)


@pytest.mark.parametrize("link", [
    "/sub/path/", "/sub/path/tags/svg/", "/sub/path/tags/svg", "tags/svg/", "./tags/svg/",
    "/sub/path/tags/svg/index.html", "/sub/path/tags/svg/#top-1", "#main", "#", "#top",
    "/sub/path/tags/svg.atom", "/sub/path/static/style.css?v=2",
    "/sub/path/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/", "https://example.com/anything",
    "https://example.org/elsewhere/", "https://example.org/sub/path/not-built/",
    "mailto:me@example.org", "data:text/plain,hi", "javascript:void(0)"])
def test_links_that_land_or_leave(link: str) -> None:
    assert links.check_links(output(index=(link,)), CONFIG) == []


@pytest.mark.parametrize(("link", "issue"), [
    ("/sub/path/nope/", "leads nowhere: there is no nope/index.html in the output"),
    ("/sub/path/tags/svg/#gone", 'has no target: tags/svg/index.html has no id="gone"'),
    ("#gone", 'has no target: index.html has no id="gone"'),
    ("../elsewhere/", "leaves the site: it is not under the base path /sub/path/"),
    ("/tags/svg/", "leaves the site: it is not under the base path /sub/path/"),
    ("/sub/path/draft/", "leads to a draft: content/draft.md has 'draft: true' and is "
                         "not published")])
def test_links_that_do_not_land(link: str, issue: str) -> None:
    found = links.check_links(output(index=(link,)), CONFIG, {"draft/": "content/draft.md"})
    assert [str(p) for p in found] == [f"index.html: link {link} {issue}"]


def test_full_urls_the_generator_writes_must_land() -> None:
    canonical = "https://example.org/sub/path/gone/"
    doc = Document("index.html", (canonical,), own=frozenset({canonical}))
    found = links.check_links(Output(FILES, {"index.html": doc}), CONFIG)
    assert [p.issue for p in found] == ["leads nowhere: there is no gone/index.html in the output"]


def test_feed_links_are_checked_without_their_fragments() -> None:
    feed = links.read_document("tags/svg.atom", (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" '
        b'href="https://example.org/sub/path/tags/svg/#atom-tag"/></entry>'
        b'<link rel="self" href="https://example.org/sub/path/tags/nope.atom"/></feed>'))
    found = links.check_links(Output(FILES, {"tags/svg.atom": feed}), CONFIG)
    assert [p.link for p in found] == ["https://example.org/sub/path/tags/nope.atom"]


def test_html_reading_finds_ids_links_and_noindex() -> None:
    doc = links.read_document("a/index.html", (
        b'<!DOCTYPE html><html><head><meta name="robots" content="noindex">'
        b'<meta http-equiv="refresh" content="0; url=/sub/path/b/"></head><body>'
        b'<h2 id="one">One</h2><a name="two"></a><a href="#one">x</a><a href="#one">again</a>'
        b'<img src="i.png" srcset="i-2x.png 2x, i-3x.png 3x"></body></html>'))
    assert doc.ids == {"one", "two"} and doc.noindex and not doc.is_page
    assert doc.links == ("/sub/path/b/", "#one", "i.png", "i-2x.png", "i-3x.png")
    assert doc.own == {"/sub/path/b/"}


def test_a_problem_on_many_pages_is_one_line() -> None:
    pages = {f"p{n}": ("/sub/path/gone/",) for n in range(6)}
    lines = check.describe(links.check_links(output(**pages), CONFIG), {})
    assert lines == ["6 pages (p0.html, p1.html, p2.html, …): link /sub/path/gone/ leads "
                     "nowhere: there is no gone/index.html in the output"]


# Sitemap and orphans.

SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>')


def sitemap(*paths: str) -> bytes:
    return SITEMAP.format("".join(f"<url><loc>{SUB_PATH}{p}</loc></url>"
                                  for p in paths)).encode()


def pages_output() -> Output:
    docs = {path: Document(path, (), noindex=path.startswith("old/"))
            for path in ("index.html", "tags/index.html", "old/index.html", "404.html")}
    return Output(frozenset(docs) | {"robots.txt"}, docs)


def test_sitemap_listing_every_page_once_passes() -> None:
    assert check.check_sitemap(sitemap("", "tags/"), pages_output(), CONFIG) == []


def test_sitemap_problems() -> None:
    data = sitemap("", "", "old/", "404.html", "robots.txt", "gone/")
    assert check.check_sitemap(data, pages_output(), CONFIG) == [
        f"sitemap.xml: lists {SUB_PATH}old/, which is not a page to index (old/index.html "
        "is not HTML, a redirect or 404.html)",
        f"sitemap.xml: lists {SUB_PATH}404.html, which is not a page to index (404.html "
        "is not HTML, a redirect or 404.html)",
        f"sitemap.xml: lists {SUB_PATH}robots.txt, which is not a page to index (robots.txt "
        "is not HTML, a redirect or 404.html)",
        f"sitemap.xml: lists {SUB_PATH}gone/, which is not in the output",
        "sitemap.xml: lists index.html 2 times",
        "tags/index.html: a page that sitemap.xml does not list"]
    assert check.check_sitemap(None, pages_output(), CONFIG) == [
        "sitemap.xml: missing from the output"]


def test_hand_placed_missing_and_changed_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A")})
    out = tmp_path / "public"
    assert sitegen("build", "--source", site, "--out", out, "--no-cache").code == 0
    (out / "notes.txt").write_text("left over")
    (out / "robots.txt").unlink()
    expected = check.expect(Options(site, out, use_cache=False))
    report = check.check_output(out, expected)
    assert report.notes == ["notes.txt: placed by hand; sitegen leaves it alone"]
    assert report.problems == [
        "robots.txt: planned by the build, but missing from the output folder"]
    (out / "index.html").write_text("<p>edited by hand</p>")
    assert "index.html: differs from what the build wrote there (changed since, or never " \
           "finished); `sitegen build --no-cache` writes it again" in \
           check.check_output(out, expected).problems


def test_drafts_are_known_by_permalink_and_alias(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "s.md": post("S", draft="true", aliases="[/old/s/]"), "p.md": post("P")})
    expected = check.expect(Options(site, use_cache=False))
    assert expected.drafts == {"2025/Jan/2/s/": "content/s.md", "old/s/": "content/s.md"}
    assert expected.sources["2025/Jan/2/p/index.html"] == "content/p.md"
    assert check.expect(Options(site, use_cache=False, drafts=True)).drafts == {}


# Feeds: RFC 4287's rules.

FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>T</title><id>https://example.org/f.atom</id><updated>2025-01-02T10:00:00Z</updated>
  <author><name>A</name></author>
  <entry><title>E</title><id>https://example.org/e/</id><updated>2025-01-02T10:00:00+01:00</updated>
    <link rel="alternate" href="https://example.org/e/"/></entry>
</feed>"""


def test_valid_feed_passes() -> None:
    assert atom.check_feed(FEED.encode(), "f.atom") == []


def test_every_demo_feed_passes(demo_site: Path) -> None:
    feeds = {p.relative_to(demo_site).as_posix(): p.read_bytes()
             for p in demo_site.rglob("*.atom")}
    assert len(feeds) > 10
    assert atom.check_feeds(feeds) == []


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("<title>T</title>", "", "f.atom: <feed> has no <title>; RFC 4287 requires exactly one"),
    ("<id>https://example.org/f.atom</id>", "<id>a</id><id>b</id>",
     "f.atom: <feed> has 2 <id> elements; RFC 4287 requires exactly one"),
    ("<id>https://example.org/f.atom</id>", "<id>f.atom</id>",
     "f.atom: <feed>: id 'f.atom' is not an absolute IRI"),
    ("<updated>2025-01-02T10:00:00Z</updated>", "<updated>2025-01-02 10:00</updated>",
     "f.atom: <feed>: <updated> '2025-01-02 10:00' is not an RFC 3339 date-time"),
    ("<author><name>A</name></author>", "",
     "f.atom: entry 1 ('E') has no <author>, and neither has the feed"),
    ("<author><name>A</name></author>", "<author/>",
     "f.atom: <feed>: an <author> needs exactly one <name>"),
    ("<title>E</title>", "", "f.atom: entry 1 has no <title>; RFC 4287 requires exactly one"),
    ("<id>https://example.org/e/</id>", "",
     "f.atom: entry 1 ('E') has no <id>; RFC 4287 requires exactly one"),
    ("+01:00</updated>", "+0100</updated>",
     "f.atom: entry 1 ('E'): <updated> '2025-01-02T10:00:00+0100' is not an RFC 3339"),
    ('<link rel="alternate" href="https://example.org/e/"/>', "",
     "f.atom: entry 1 ('E') has no <link rel=\"alternate\"> to its page"),
    ('<link rel="alternate" href="https://example.org/e/"/>', '<link rel="alternate"/>',
     "f.atom: entry 1 ('E'): a <link> has no href"),
    ("<entry>", '<entry><title type="markdown">M</title>',
     "f.atom: entry 1 ('M'): <title> has type='markdown'; use one of text, html, xhtml"),
    ("</feed>", "<entry><title>F</title><id>https://example.org/e/</id><updated>"
                "2025-01-01T00:00:00Z</updated><link href='https://example.org/f/'/></entry></feed>",
     "f.atom: 2 entries share the id https://example.org/e/; ids must be unique"),
    ("</feed>", "", "f.atom: not well-formed XML"),
    ('xmlns="http://www.w3.org/2005/Atom"', "", "f.atom: the root element is <feed>, not an "
                                                "Atom <feed>"),
])
def test_feed_problems(old: str, new: str, problem: str) -> None:
    broken = FEED.replace(old, new, 1)
    assert broken != FEED
    found = atom.check_feed(broken.encode(), "f.atom")
    assert any(line.startswith(problem) for line in found), found


def test_two_feeds_may_not_share_an_id() -> None:
    assert atom.check_feeds({"a.atom": FEED.encode(), "b.atom": FEED.encode()}) == [
        "b.atom: has the id https://example.org/f.atom, as a.atom does; every feed needs its "
        "own id"]


@pytest.mark.parametrize(("text", "valid"), [
    ("2025-11-22T14:30:00Z", True), ("2025-11-22T14:30:00.25+01:00", True),
    ("2025-11-22t14:30:00z", False), ("2025-11-22", False), ("2025-11-22T14:30Z", False),
    ("2025-13-22T14:30:00Z", False), ("2025-11-22T14:30:00", False)])
def test_rfc3339_dates(text: str, valid: bool) -> None:
    assert atom.is_rfc3339(text) is valid


# External links: fetched only with --external, here from a server on this machine.

class Pages(http.server.BaseHTTPRequestHandler):
    """200 for /ok, 405 to HEAD and 200 to GET for /no-head, 404 for the rest."""

    def do_HEAD(self) -> None:
        self.send_response(405 if self.path == "/no-head" else self._code())
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(self._code())
        self.end_headers()

    def _code(self) -> int:
        return 200 if self.path in ("/ok", "/no-head") else 404

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def far_site() -> Iterator[str]:
    with serving(Pages) as address:
        yield address


def test_external_links_are_fetched_only_when_asked(tmp_path: Path, far_site: str) -> None:
    body = f"[a]({far_site}/ok) [b]({far_site}/no-head) [c]({far_site}/missing)"
    site = make_site(tmp_path / "blog", {"a.md": post("A", body=body)})
    offline = run_check(site)
    assert "missing" not in offline[1]
    code, printed = run_check(site, "--external")
    assert code == 1
    assert (f"2025/Jan/2/a/index.html (from content/a.md): link {far_site}/missing is broken: "
            "HTTP 404") in printed
    assert "/ok " not in printed and "/no-head " not in printed


def test_external_check_is_bounded(far_site: str) -> None:
    urls = {f"{far_site}/missing{n}": "index.html" for n in range(5)}
    assert len(links.check_external(urls, limit=2, timeout=5)) == 2
