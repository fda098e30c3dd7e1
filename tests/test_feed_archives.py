"""Archived feeds (RFC 5005 §4): every chain walked with feedparser and lxml, complete,
in order, valid; a new post changes no full archive; `sitegen check` catches a broken
chain; `sitegen import feed` reads a whole chain."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from urllib.parse import unquote

import feedparser
from lxml import etree

from sitegen import atom
from tests.conftest import make_site, post, serving, sitegen

NS = {"a": "http://www.w3.org/2005/Atom", "fh": "http://purl.org/syndication/history/1.0"}
BASE = "https://example.org/blog/"
TOML = f'title = "Tag Soup"\nbase_url = "{BASE}"\n[feeds]\ncopies = ["/feed.xml"]\n'
TAGS = [f"t{n:02}" for n in range(20)]


def link(root: etree._Element, rel: str) -> str | None:
    found = root.xpath(f"a:link[@rel='{rel}']/@href", namespaces=NS)
    return str(found[0]) if found else None


def local(out: Path, url: str, base: str = BASE) -> Path:
    assert url.startswith(base), url
    return out / unquote(url.removeprefix(base))


def walk(out: Path, feed: str, base: str = BASE) -> tuple[list[str], list[Path]]:
    """The entry ids met following prev-archive from `feed`, and the archives met,
    newest first; every document valid, archives marked and linked both ways."""
    ids: list[str] = []
    archives: list[Path] = []
    path, newer = out / feed, None
    while True:
        data = path.read_bytes()
        assert atom.check_feed(data, str(path)) == []
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        ids.extend(e.id for e in parsed.entries)
        root = etree.fromstring(data)
        is_archive = root.find("fh:archive", NS) is not None
        assert is_archive == (newer is not None), path
        if newer is not None:
            assert link(root, "current") is not None
            assert local(out, link(root, "current") or "", base).is_file()
            following = link(root, "next-archive")
            assert (following is None) if newer == out / feed else \
                (following is not None and local(out, following, base) == newer)
            archives.append(path)
        prev = link(root, "prev-archive")
        if prev is None:
            return ids, archives
        path, newer = local(out, prev, base), path


def dates(out: Path, feed: str) -> list[str]:
    found = []
    for path in [out / feed, *walk(out, feed)[1]]:
        found.extend(str(d) for d in etree.parse(path).xpath("//a:entry/a:published/text()",
                                                             namespaces=NS))
    return found


def subscriptions(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.atom")
                  if etree.parse(p).find("fh:archive", NS) is None)


def many_posts(count: int) -> dict[str, str]:
    """`count` posts a day apart from 2020-01-01, each with two of TAGS."""
    posts = {}
    for n in range(count):
        day = f"2020-01-01T{n % 24:02}:00:00Z"
        date = (f"{2020 + n // 336}-{(n // 28) % 12 + 1:02}-{n % 28 + 1:02}"
                f"T{day[11:13]}:00:00Z")
        tags = f"[{TAGS[n % 20]}, {TAGS[(n * 7 + 3) % 20]}]"
        posts[f"p{n:04}.md"] = post(f"Post {n}", date, tags, body=f"Body {n}.")
    return posts


def build(site: Path) -> None:
    run = sitegen("build", "--source", site, "--no-search")
    assert run.code == 0, run.err


def test_demo_site_chains_are_complete_valid_and_ordered(demo_site: Path) -> None:
    everything = set(walk(demo_site, "atom/everything.atom", _base(demo_site))[0])
    for feed in subscriptions(demo_site):
        ids, _ = walk(demo_site, feed, _base(demo_site))
        assert len(ids) == len(set(ids)), feed
        assert set(ids) <= everything
    marked = {p for p in demo_site.rglob("*.atom") if etree.parse(p).find("fh:archive", NS)
              is not None}
    assert all(p.parent.name == "archive" for p in marked)


def _base(out: Path) -> str:
    root = etree.parse(out / "atom/everything.atom").getroot()
    self = link(root, "self") or ""
    return self.removesuffix("atom/everything.atom")


def test_500_posts_every_chain_holds_each_post_once_in_order(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", many_posts(500), TOML)
    build(site)
    out = site / "public"
    ids, archives = walk(out, "atom/everything.atom")
    assert len(ids) == len(set(ids)) == 500
    assert [a.name for a in archives] == [f"{n}.atom" for n in range(16, 0, -1)]
    assert (out / "atom/everything/archive/1.atom").exists()
    parsed = feedparser.parse((out / "atom/everything/archive/1.atom").read_bytes())
    assert parsed.feed.title == "Tag Soup (archive 1)"
    assert len(parsed.entries) == 30
    tags_of = {e.id: {t.term for t in e.tags}
               for a in [out / "atom/everything.atom", *archives]
               for e in feedparser.parse(a.read_bytes()).entries}
    for tag in TAGS:
        tag_ids, _ = walk(out, f"tags/{tag}.atom")
        assert sorted(tag_ids) == sorted(i for i, t in tags_of.items() if tag in t), tag
    for feed in subscriptions(out):
        found = dates(out, feed)
        assert found == sorted(found, reverse=True), feed
    copy = etree.parse(out / "feed.xml").getroot()
    assert link(copy, "prev-archive") == f"{BASE}atom/everything/archive/16.atom"
    assert not (out / "feed").exists()
    assert sitegen("check", "--source", site, "--no-search").code == 0


def snapshot(out: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("archive/*.atom")}


def test_a_new_post_changes_no_full_archive(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", many_posts(500), TOML)
    build(site)
    out = site / "public"
    before = snapshot(out)
    newest = {p.parent / f"{max(int(q.stem) for q in p.parent.glob('*.atom'))}.atom"
              for p in before}
    (site / "content/new.md").write_text(post("New", "2024-06-01T00:00:00Z", "[t01, t02]"))
    build(site)
    after = snapshot(out)
    changed = {p for p in before if after[p] != before[p]}
    assert changed <= newest  # only the newest archive of a chain, never a full one
    for path in changed:
        assert len(etree.fromstring(before[path][0]).findall("a:entry", NS)) < 30, path
    assert out / "atom/everything/archive/16.atom" in changed
    assert len(walk(out, "atom/everything.atom")[0]) == 501


def test_a_full_archive_keeps_its_bytes_when_the_next_one_begins(tmp_path: Path) -> None:
    """90 posts: 30 in the feed, two full archives, and an empty third that the two
    already link to; the next post goes into the third, and the full ones stay."""
    site = make_site(tmp_path / "site", many_posts(90), TOML)
    build(site)
    out = site / "public"
    third = out / "atom/everything/archive/3.atom"
    assert etree.parse(third).getroot().findall("a:entry", NS) == []
    assert link(etree.parse(out / "atom/everything/archive/2.atom").getroot(),
                "next-archive") == f"{BASE}atom/everything/archive/3.atom"
    before = snapshot(out)
    (site / "content/new.md").write_text(post("New", "2024-06-01T00:00:00Z", "[t01, t02]"))
    build(site)
    after = snapshot(out)
    for number in (1, 2):
        full = out / f"atom/everything/archive/{number}.atom"
        assert after[full] == before[full], full
    assert len(etree.parse(third).getroot().findall("a:entry", NS)) == 1
    assert len(walk(out, "atom/everything.atom")[0]) == 91
    assert sitegen("check", "--source", site, "--no-search").code == 0


def test_a_backdated_post_rewrites_archives_from_its_place(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", many_posts(500), TOML)
    build(site)
    out = site / "public"
    before = snapshot(out)
    (site / "content/old.md").write_text(post("Old", "2019-06-01T00:00:00Z", "[t03]"))
    build(site)
    after = snapshot(out)
    assert after[out / "atom/everything/archive/1.atom"] != before[
        out / "atom/everything/archive/1.atom"]
    ids, _ = walk(out, "atom/everything.atom")
    assert len(ids) == len(set(ids)) == 501
    tag_ids, _ = walk(out, "tags/t03.atom")
    assert f"{BASE}2019/Jun/1/old/" in tag_ids and len(tag_ids) == len(set(tag_ids))


def small_site(root: Path) -> Path:
    posts = {f"p{n}.md": post(f"Post {n}", f"2025-01-{n + 1:02}T10:00:00Z", "[svg]")
             for n in range(10)}
    return make_site(root, posts, TOML + "entries = 3\n")


def test_check_reports_a_missing_current_link(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    archive = site / "public/tags/svg/archive/2.atom"
    archive.write_text("\n".join(line for line in archive.read_text().splitlines()
                                 if 'rel="current"' not in line))
    run = sitegen("check", "--source", site, "--no-search")
    assert run.code != 0
    assert 'tags/svg/archive/2.atom: has no <link rel="current"> to its subscription ' \
        "document (tags/svg.atom)" in run.err


def test_check_reports_an_entry_twice_in_a_chain(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    first, second = (site / f"public/tags/svg/archive/{n}.atom" for n in (1, 2))
    root = etree.fromstring(second.read_bytes())
    root.append(etree.fromstring(first.read_bytes()).findall("a:entry", NS)[0])
    second.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    run = sitegen("check", "--source", site, "--no-search")
    assert run.code != 0
    assert "tags/svg/archive/1.atom: the entry https://example.org/blog/2025/Jan/3/p2/ is " \
        "also in tags/svg/archive/2.atom" in run.err


def imported(site: Path) -> list[Path]:
    return sorted(site.rglob("content/**/*.html"))


def test_import_feed_follows_prev_archive_in_files(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    into = tmp_path / "new"
    run = sitegen("import", "feed", site / "public/tags/svg.atom", "--into", into)
    assert run.code == 0, run.err
    assert len(imported(into)) == 10


def test_import_feed_follows_prev_archive_over_http_and_stops_at_a_loop(
        tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    first = site / "public/tags/svg/archive/1.atom"  # loop: the oldest links to the newest
    first.write_text(first.read_text().replace(
        "<fh:archive/>", f'<fh:archive/><link rel="prev-archive" href="{BASE}tags/svg/'
        'archive/3.atom"/>'))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(site / "public"))
    with serving(handler) as address:
        into = tmp_path / "new"
        run = sitegen("import", "feed", f"{address}/tags/svg.atom", "--into", into)
    assert run.code == 0, run.err
    assert len(imported(into)) == 10
