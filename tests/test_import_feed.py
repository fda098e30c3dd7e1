"""`sitegen import feed`: Atom and RSS files and URLs, a feed sitegen wrote coming back as
the same posts, and the writer's site.toml edits, old URLs and re-runs."""

from __future__ import annotations

import http.server
from pathlib import Path

import pytest
import yaml
from lxml import etree

from tests.conftest import FIXTURES, make_site, serving, sitegen

FEEDS = FIXTURES / "import" / "feed"
ATOM = "{http://www.w3.org/2005/Atom}"

ROUND_TRIP = {
    "one.md": "---\ntitle: Drawing with SVG\ndate: 2025-01-05T22:30:00\n"
              "tags: [svg, Python]\n---\nSome *words* & a [link](https://example.com/x) and "
              "[a tag](/tags/svg/).\n\n## A heading\n\n```py\nprint('hi')\n```\n",
    "two.md": "---\nlink_url: https://example.com/svg-article\nlink_title: An SVG article\n"
              "via_url: https://news.example.net/item/1\nvia_title: Example News\n"
              "date: 2025-02-01T08:00:00+01:00\nupdated: 2025-02-03T09:00:00+01:00\n"
              "tags: [svg, links]\n---\nWorth reading for the *bridge* drawing.\n",
    "three.md": "---\nsource: Ada Lovelace\nsource_url: https://example.com/ada\n"
                "context: in her notes\ndate: 2025-03-01\ntags: [svg]\n---\n"
                "The engine weaves algebraic patterns.\n",
    "four.md": "---\nkind: note\ndate: 2025-03-10T12:00:00\ntags: [svg]\n---\n"
               "A short note about the SVG viewBox and how it scales everything in the end.\n",
    "five.md": "---\nlink_url: https://example.com/plain\ndate: 2025-03-11T12:00:00\n"
               "tags: [svg, C++]\n---\nNo via here.\n",
    "six.md": "---\ntitle: Not about SVG\ndate: 2024-12-24\ntags: [misc]\n---\nElsewhere.\n",
}
ROUND_TRIP_TOML = ('title = "Round Trip"\nbase_url = "https://example.org/"\n'
                   'author = "Ann Author"\ntimezone = "America/Los_Angeles"\n')


def _built(site: Path) -> Path:
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    return site / "public"


def _checked(site: Path) -> None:
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.out + run.err
    assert "no problems" in run.out


def _entries(feed: Path) -> list[bytes]:
    root = etree.parse(str(feed)).getroot()
    return [etree.tostring(entry) for entry in root.iter(f"{ATOM}entry")]


def _posts(site: Path) -> dict[str, dict[str, object]]:
    """Each post file under content/ → its front matter."""
    found = {}
    for path in sorted((site / "content").rglob("*")):
        if path.is_file():
            head = path.read_text(encoding="utf-8").split("---\n")[1]
            found[path.relative_to(site / "content").as_posix()] = yaml.safe_load(head)
    return found


def _import(source: Path | str, into: Path) -> str:
    run = sitegen("import", "feed", source, "--into", into)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    return run.out


@pytest.mark.parametrize("feed", ["tags/svg.atom", "atom/everything.atom"])
def test_a_feed_sitegen_wrote_comes_back_as_the_same_posts(tmp_path: Path, feed: str) -> None:
    old = make_site(tmp_path / "old", ROUND_TRIP, ROUND_TRIP_TOML)
    old_feed = _built(old) / feed
    new = tmp_path / "new"
    out = _import(old_feed, new)
    assert "No problems." in out
    assert _entries(_built(new) / "tags/svg.atom") == _entries(old / "public/tags/svg.atom")
    _checked(new)
    posts = _posts(new)
    assert posts["2025/four.html"]["kind"] == "note"
    assert posts["2025/three.html"]["context"] == "in her notes"
    assert posts["2025/two.html"]["via_title"] == "Example News"
    assert posts["2025/five.html"]["tags"] == ["svg", "C++"]
    assert "timezone = \"America/Los_Angeles\"" in (new / "site.toml").read_text()
    again = _import(old_feed, new)
    assert f"0 written (0 drafts, 0 pages), {len(posts)} already there" in again
    assert _posts(new) == posts


def test_rss_file(tmp_path: Path) -> None:
    site = tmp_path / "kites"
    out = _import(FEEDS / "kites.rss", site)
    assert "3 written" in out
    assert "1 × entry left out, it has no date" in out
    assert "kites.rss:27: entry left out, it has no date: An undated thought" in out
    posts = _posts(site)
    assert set(posts) == {"2023/first-flight.html", "2024/choosing-a-spar.html",
                          "2024/wind-tunnel.html"}
    tunnel = posts["2024/wind-tunnel.html"]
    assert tunnel["link_url"] == "https://example.com/tunnel"
    assert tunnel["via_url"] == "https://example.org/forum/42"
    assert tunnel["via_title"] == "the kite forum"
    assert tunnel["tags"] == ["diy", "aerodynamics"]
    assert posts["2024/choosing-a-spar.html"]["tags"] == ["kites", "materials"]
    assert posts["2024/choosing-a-spar.html"]["date"] == "2024-03-09T10:15:00+00:00"
    toml = (site / "site.toml").read_text()
    assert 'post = "/{year}/{month_num}/{slug}.html"' in toml
    assert 'copies = ["/feed.xml"]' in toml
    assert 'title = "Kite Notes"' in toml
    public = _built(site)
    assert (public / "2024/03/choosing-a-spar.html").is_file()  # the old URL, as it was
    assert (public / "2023/11/first-flight.html").is_file()
    assert (public / "feed.xml").is_file()
    _checked(site)
    report = (site / "import-report.txt").read_text()
    assert "kites.rss:27" in report
    assert "0 written" in _import(FEEDS / "kites.rss", site)


def test_atom_file_with_old_urls_no_pattern_covers(tmp_path: Path) -> None:
    site = tmp_path / "garden"
    out = _import(FEEDS / "garden.atom", site)
    assert "kept as aliases of 2 posts" in out
    posts = _posts(site)
    tomatoes = posts["2024/tomatoes-at-last.html"]
    assert tomatoes["aliases"] == ["/posts/tomatoes-at-last/"]
    assert tomatoes["date"] == "2024-06-02T07:30:00+05:30"
    assert tomatoes["updated"] == "2024-06-03T09:00:00+05:30"
    assert tomatoes["tags"] == ["vegetables", "Summer"]
    assert posts["2023/compost-notes.html"]["date"] == "2023-09-14T18:05:00+05:30"
    body = (site / "content/2023/compost-notes.html").read_text()
    assert "<p>Keep it damp &amp; warm.</p>" in body
    toml = (site / "site.toml").read_text()
    assert 'title = "Garden Log"' in toml and 'author = "Gita Gardener"' in toml
    assert 'timezone = "Asia/Kolkata"' in toml
    public = _built(site)
    assert "tomatoes-at-last" in (public / "posts/tomatoes-at-last/index.html").read_text()
    assert (public / "index.xml").is_file()
    _checked(site)


def test_into_an_existing_site_keeps_its_urls_and_settings(tmp_path: Path) -> None:
    toml = ('title = "Mine"\nbase_url = "https://kites.example.net/"\n\n'
            '[feeds]\nentries = 10  # enough\n')
    site = make_site(tmp_path / "mine", {"hello.md": "---\ntitle: Hello\ndate: 2022-01-01\n"
                                         "---\nHi.\n"}, toml)
    out = _import(FEEDS / "kites.rss", site)
    text = (site / "site.toml").read_text()
    assert text.startswith(toml.split("[feeds]")[0])  # nothing above changed
    assert '[feeds]\nentries = 10  # enough\ncopies = ["/feed.xml"]\n' in text
    assert "[permalinks]" not in text  # its own post keeps its URL
    assert "kept as aliases of 3 posts" in out
    assert '[feeds] copies = ["/feed.xml"]' in out
    public = _built(site)
    assert (public / "2022/Jan/1/hello/index.html").is_file()
    assert (public / "2024/03/choosing-a-spar.html").is_file()  # a redirect
    _checked(site)


def test_a_feed_url_is_fetched(tmp_path: Path) -> None:
    data = (FEEDS / "garden.atom").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        out = _import(f"{url}/index.xml", tmp_path / "site")
    assert "2 written" in out


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    offline = sitegen("import", "feed", "http://127.0.0.1:9/feed.xml", "--into", tmp_path / "a")
    assert offline.code == 1
    assert "cannot be fetched" in offline.err and "offline" in offline.err
    missing = sitegen("import", "feed", tmp_path / "nope.xml", "--into", tmp_path / "b")
    assert missing.code == 1 and "no such file" in missing.err
    (tmp_path / "bad.xml").write_text("<rss><channel><item></channel></rss>")
    bad = sitegen("import", "feed", tmp_path / "bad.xml", "--into", tmp_path / "c")
    assert bad.code == 1 and "bad.xml:1: not well-formed XML" in bad.err
    (tmp_path / "html.xml").write_text("<html><body/></html>")
    html = sitegen("import", "feed", tmp_path / "html.xml", "--into", tmp_path / "d")
    assert html.code == 1 and "not an Atom or RSS 2.0 feed" in html.err
    (tmp_path / "entity.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><title>&e;</title></channel></rss>")
    sitegen("import", "feed", tmp_path / "entity.xml", "--into", tmp_path / "e")
    assert "root:" not in (tmp_path / "e" / "site.toml").read_text()
    for run in (offline, missing, bad, html):
        assert "Traceback" not in run.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_link_blog_whose_item_links_lead_away(tmp_path: Path) -> None:
    """Some link blogs' RSS <link> is the page linked to; the guid is the post's URL."""
    (tmp_path / "links.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title>'
        "<link>https://links.example.com/</link><item><title>A fine essay</title>"
        "<link>https://essays.example.org/fine</link>"
        "<guid>https://links.example.com/2024/06/fine-essay</guid>"
        "<pubDate>Mon, 03 Jun 2024 08:00:00 GMT</pubDate>"
        "<description>&lt;p&gt;Worth it.&lt;/p&gt;</description></item></channel></rss>")
    site = tmp_path / "site"
    _import(tmp_path / "links.rss", site)
    meta = _posts(site)["2024/fine-essay.html"]
    assert meta["link_url"] == "https://essays.example.org/fine"
    assert 'post = "/{year}/{month_num}/{slug}/"' in (site / "site.toml").read_text()
    public = _built(site)
    assert (public / "2024/06/fine-essay/index.html").is_file()
    _checked(site)
