"""`sitegen new`: a post of each kind written with front matter the site reads back, a
slug no post has, the site's folder layout, the editor, and a link's title fetched."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import config as config_file
from sitegen import content
from sitegen.newpost import Request, RequestError, create
from tests.conftest import make_site, post, sitegen

NOW = dt.datetime(2026, 11, 30, 8, 15, 42, 123, tzinfo=dt.UTC)
BERLIN = 'title = "T"\nbase_url = "https://example.org/"\ntimezone = "Europe/Berlin"\n'


def read_back(site: Path, path: Path) -> content.Post:
    """The post as a build parses it."""
    rel = path.relative_to(site).as_posix()
    parsed = content.parse(content.load(site, rel), config_file.load(site))
    assert isinstance(parsed, content.Post)
    return parsed


def built_page(site: Path, url: str) -> str:
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    return (site / "public" / url / "index.html").read_text(encoding="utf-8")


# create(): each kind


def test_entry_is_written_in_the_site_timezone_and_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {}, BERLIN)
    path = create(site, Request("entry", title="Bridges: a #1 \"guide\"",
                                tags=("svg", "C++"), body="Some *words*."), NOW)
    assert path == site / "content/2026/2026-11-30-bridges-a-1-guide.md"
    assert "date: 2026-11-30T09:15:42+01:00\n" in path.read_text(encoding="utf-8")
    got = read_back(site, path)
    assert (got.kind, got.title, got.tags) == ("entry", 'Bridges: a #1 "guide"', ("svg", "C++"))
    assert got.date == NOW.replace(microsecond=0)
    page = built_page(site, "2026/Nov/30/bridges-a-1-guide")
    assert "Bridges: a #1 “guide”" in page or "Bridges: a #1 &#34;guide&#34;" in page \
        or "Bridges: a #1 &quot;guide&quot;" in page
    assert "<em>words</em>" in page


def test_link_quote_and_note_read_back_and_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    link = create(site, Request("link", title="yes", url="https://example.org/a?b=1",
                                via="https://example.net/", body="Worth it."), NOW)
    quote = create(site, Request("quote", source="Ada Lovelace", url="https://example.org/q",
                                 body="The engine weaves."), NOW)
    note = create(site, Request("note", body="Saw a heron at the lake this morning, still."),
                  NOW)
    got = read_back(site, link)
    assert (got.kind, got.link_url, got.link_title, got.via_url) == \
        ("link", "https://example.org/a?b=1", "yes", "https://example.net/")
    got = read_back(site, quote)
    assert (got.kind, got.quote_source, got.source_url) == \
        ("quote", "Ada Lovelace", "https://example.org/q")
    assert quote.name == "2026-11-30-ada-lovelace.md"
    got = read_back(site, note)
    assert got.kind == "note"
    assert note.name == "2026-11-30-saw-a-heron-at-the-lake.md"
    assert 'href="https://example.org/a?b=1"' in built_page(site, "2026/Nov/30/yes")
    page = (site / "public/2026/Nov/30/ada-lovelace/index.html").read_text(encoding="utf-8")
    assert "Ada Lovelace" in page and "The engine weaves." in page


def test_bad_requests_say_what_is_missing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    cases = {Request("link"): "needs the linked page's URL",
             Request("link", url="ftp://example.org/x"): "not an http or https address",
             Request("entry"): "an entry needs a title",
             Request("quote"): "needs its source",
             Request("poem", title="x"): "unknown kind",
             Request("note", tags=("../x",)): "looks like a file path"}
    for request, message in cases.items():
        with pytest.raises(RequestError, match=message):
            create(site, request, NOW)
    assert not list((site / "content").rglob("*.md"))


# create(): the slug


def test_a_second_post_with_the_title_gets_a_new_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    first = create(site, Request("entry", title="Same title"), NOW)
    second = create(site, Request("entry", title="Same title"), NOW)
    assert (first.name, second.name) == ("2026-11-30-same-title.md", "2026-11-30-same-title-2.md")
    assert "same-title-2" in built_page(site, "2026/Nov/30/same-title-2")


def test_the_slug_avoids_urls_of_posts_in_other_files(tmp_path: Path) -> None:
    """A post named otherwise that takes the URL (by its slug, or an alias) counts."""
    site = make_site(tmp_path / "s", {
        "old/other.md": post("Other", date="2026-11-30T12:00:00", slug="same-title"),
        "old/older.md": post("Older", aliases="[/2026/Nov/30/same-title-2/]")})
    path = create(site, Request("entry", title="Same title"), NOW)
    assert path.name == "same-title-3.md"
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err


# create(): the folder layout


@pytest.mark.parametrize(("files", "expected"), [
    ({}, "content/2026/2026-11-30-hi.md"),
    ({"posts/a.md": "2025-01-02", "posts/b.md": "2024-05-06", "2023/2023-01-01-c.md":
      "2023-01-01"}, "content/posts/hi.md"),
    ({"2024/a.md": "2024-01-02", "2025/b.md": "2025-03-04"}, "content/2026/hi.md"),
    ({"2024/03/2024-03-09-a.md": "2024-03-09"}, "content/2026/11/2026-11-30-hi.md"),
    ({"2025/bridge/index.md": "2025-02-03"}, "content/2026/hi.md"),
    ({"pages/about.md": "2025-02-03"}, "content/2026/2026-11-30-hi.md"),
])
def test_the_post_follows_the_layout_most_posts_use(tmp_path: Path, files: dict[str, str],
                                                     expected: str) -> None:
    site = make_site(tmp_path / "s", {name: post(name, date=date) for name, date in files.items()})
    assert create(site, Request("entry", title="Hi"), NOW) == site / expected


# The front matter: any title survives


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=40), tag=st.text(min_size=1, max_size=12))
def test_any_title_reads_back_as_written(tmp_path_factory: pytest.TempPathFactory,
                                         title: str, tag: str) -> None:
    site = make_site(tmp_path_factory.mktemp("s"), {})
    clean = " ".join(content.FORBIDDEN.sub("", unicodedata.normalize("NFC", title)).split())
    try:
        path = create(site, Request("entry", title=title, tags=(tag,)), NOW)
    except RequestError as exc:  # no title left, or a tag that is no name
        assert not clean or "tag" in exc.message
        return
    got = read_back(site, path)
    assert got.title == clean
