"""An old blog's URLs kept: `.html` permalinks and aliases, copies of the feed at its old
paths, and post images in feed entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from sitegen import atom
from tests.conftest import SITE_TOML, make_site, post, sitegen

A = {"a": "http://www.w3.org/2005/Atom"}
HTML_PATTERN = '[permalinks]\npost = "/{year}/{month_num}/{day_num}/{slug}.html"\n'
COPIES = '[feeds]\ncopies = ["/feed.xml", "/index.xml", "/feeds/all.atom.xml", "/feed/"]\n'


def old_site(root: Path, toml: str = SITE_TOML + HTML_PATTERN, **extra: str) -> Path:
    return make_site(root, {
        "first.md": post("First", "2014-06-09", "[a]", aliases="[/2014/06/09/old-name.html]",
                         body="Next: [second](/2014/06/10/second.html)."),
        "second.md": post("Second", "2014-06-10", "[a]",
                          body="Back to [first](../09/first.html)."),
        **extra}, toml)


def feed(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def texts(root: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in root.xpath(xpath, namespaces=A)]


# .html permalinks and aliases


def test_html_permalink_publishes_a_file_and_links_to_it(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site")
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.err
    out = site / "public"
    page = (out / "2014/06/09/first.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/2014/06/09/first.html">' in page
    assert not (out / "2014/06/09/first.html/index.html").exists()
    assert 'href="/2014/06/09/first.html"' in (out / "index.html").read_text(encoding="utf-8")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/2014/06/09/first.html</loc>" in sitemap
    assert "old-name" not in sitemap
    everything = feed(out / "atom/everything.atom")
    assert texts(everything, "//a:entry/a:id/text()") == [
        "https://example.org/2014/06/10/second.html", "https://example.org/2014/06/09/first.html"]


def test_html_alias_is_a_redirect_file(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site")
    assert sitegen("build", "--source", site).code == 0
    stub = (site / "public/2014/06/09/old-name.html").read_text(encoding="utf-8")
    assert 'content="0; url=/2014/06/09/first.html"' in stub
    assert '<meta name="robots" content="noindex">' in stub


def test_html_alias_works_with_folder_permalinks(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", SITE_TOML)
    run = sitegen("check", "--source", site)
    assert "leads nowhere: there is no 2014/06/10/second.html" in run.err  # written for .html
    stub = (site / "public/2014/06/09/old-name.html").read_text(encoding="utf-8")
    assert 'url=/2014/Jun/9/first/"' in stub


def test_check_reports_broken_and_draft_html_links(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", **{
        "secret.md": post("Secret", "2014-06-11", draft="true"),
        "third.md": post("Third", "2014-06-12", body="[gone](/2014/06/10/gone.html) and "
                         "[secret](/2014/06/11/secret.html)")})
    run = sitegen("check", "--source", site)
    assert run.code == 1
    assert ("2014/06/12/third.html (from content/third.md): link /2014/06/10/gone.html leads "
            "nowhere: there is no 2014/06/10/gone.html in the output") in run.err
    assert ("link /2014/06/11/secret.html leads to a draft: content/secret.md has "
            "'draft: true'") in run.err


@pytest.mark.parametrize("pattern", ["/{slug}.htm", "{year}/{slug}/", "/{year}/{month}.html",
                                     "/{year}/{slug}"])
def test_bad_permalink_pattern_says_how_to_fix_it(tmp_path: Path, pattern: str) -> None:
    site = old_site(tmp_path / "site", f'{SITE_TOML}[permalinks]\npost = "{pattern}"\n')
    run = sitegen("build", "--source", site)
    assert run.code == 1
    assert (f"error: site.toml:4: permalinks.post '{pattern}' must start with '/', end with "
            "'/' (a folder) or '.html' (a file), and contain {slug}") in run.err


def test_post_at_the_root_as_a_file(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", f'{SITE_TOML}[permalinks]\npost = "/{{slug}}.html"\n')
    assert sitegen("build", "--source", site).code == 0
    assert (site / "public/first.html").is_file() and (site / "public/second.html").is_file()


# Copies of the site feed


def test_feed_copies_have_their_own_id_and_self_and_the_same_entries(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", SITE_TOML + HTML_PATTERN + COPIES)
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.err
    assert "16 feeds" in run.out  # five of the site, a tag's, four copies; JSON twins of 6
    out = site / "public"
    main = feed(out / "atom/everything.atom")
    entries = texts(main, "//a:entry/a:id/text()")
    for path, url in [("feed.xml", "feed.xml"), ("index.xml", "index.xml"),
                      ("feeds/all.atom.xml", "feeds/all.atom.xml"), ("feed/index.xml", "feed/")]:
        copy = feed(out / path)
        assert texts(copy, "/a:feed/a:id/text()") == [f"https://example.org/{url}"]
        assert texts(copy, "/a:feed/a:link[@rel='self']/@href") == [f"https://example.org/{url}"]
        assert texts(copy, "//a:entry/a:id/text()") == entries
        assert atom.check_feed((out / path).read_bytes(), path) == []


def test_check_finds_two_feeds_sharing_an_id_among_copies(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", SITE_TOML + COPIES)
    assert sitegen("build", "--source", site).code == 0
    out = site / "public"
    (out / "index.xml").write_bytes((out / "feed.xml").read_bytes())
    problems = atom.check_feeds({p: (out / p).read_bytes() for p in ("feed.xml", "index.xml")})
    assert problems == ["index.xml: has the id https://example.org/feed.xml, as feed.xml does; "
                        "every feed needs its own id"]


@pytest.mark.parametrize(("copies", "message"), [
    ('["feed.xml"]', "'feed.xml' is not a plain path on the site"),
    ('["/../feed.xml"]', "'/../feed.xml' is not a plain path on the site"),
    ('["https://old.example.org/feed"]', "is not a plain path on the site"),
    ('["/feed"]', "'/feed' has no file extension; write '/feed/' for a folder, or e.g. "
                  "'/feed.xml'"),
    ('["/feed.html"]', "'/feed.html' would be a page, not a feed"),
    ('["/atom/everything.atom"]', "is a path sitegen itself writes"),
    ('["/sitemap.xml"]', "is a path sitegen itself writes"),
    ('["/tags/a.atom"]', "is a path sitegen itself writes"),
    ('["/feed.xml", "/feed.xml"]', "'/feed.xml' is listed twice"),
    ('"/feed.xml"', "'feeds.copies' must be a list of texts (in quotes), and holds "
                    '"/feed.xml"; write e.g. copies = ["/feed.xml", "/feed/"]'),
    ('["/feed.xml", 3]', "holds the number 3"),
])
def test_bad_feed_copy_is_a_config_error_at_its_line(tmp_path: Path, copies: str,
                                                     message: str) -> None:
    site = old_site(tmp_path / "site", f"{SITE_TOML}[feeds]\nentries = 5\ncopies = {copies}\n")
    run = sitegen("build", "--source", site)
    assert run.code == 1
    assert "error: site.toml:5: " in run.err and message in run.err, run.err


def test_feed_copy_that_another_output_needs_is_an_error(tmp_path: Path) -> None:
    site = old_site(tmp_path / "site", SITE_TOML + '[feeds]\ncopies = ["/2014"]\n')
    assert "has no file extension" in sitegen("build", "--source", site).err
    site = old_site(tmp_path / "other", SITE_TOML + '[feeds]\ncopies = ["/2014/Jun/9/first"]\n')
    assert sitegen("build", "--source", site).code == 1
    site = make_site(tmp_path / "third", {
        "a.md": post("A", "2014-06-09", aliases="[/feed.xml/]")},
        SITE_TOML + '[feeds]\ncopies = ["/feed.xml"]\n')
    run = sitegen("build", "--source", site)
    assert run.code == 1
    assert "feed.xml" in run.err and "site.toml" in run.err, run.err


# Post images in feeds


@pytest.mark.parametrize(("image", "href", "kind"), [
    ("/img/cover.jpg", "https://example.org/img/cover.jpg", "image/jpeg"),
    ("https://cdn.example.net/a.webp", "https://cdn.example.net/a.webp", "image/webp"),
])
def test_post_image_is_an_enclosure_of_its_entry(tmp_path: Path, image: str, href: str,
                                                 kind: str) -> None:
    site = make_site(tmp_path / "site", {"pic.md": post("Pic", "2025-01-05", image=image)})
    (site / "root/img").mkdir(parents=True)
    (site / "root/img/cover.jpg").write_bytes(b"\xff\xd8\xff")
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.err
    entry = feed(site / "public/atom/everything.atom").find("a:entry", A)
    assert entry is not None
    assert texts(entry, "a:link[@rel='enclosure']/@href") == [href]
    assert texts(entry, "a:link[@rel='enclosure']/@type") == [kind]


def test_post_without_image_has_no_enclosure(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"plain.md": post("Plain", "2025-01-05")})
    assert sitegen("build", "--source", site).code == 0
    assert "enclosure" not in (site / "public/atom/everything.atom").read_text(encoding="utf-8")
