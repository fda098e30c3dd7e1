"""`sitegen import wordpress`: a WXR export of our own writing
(tests/fixtures/import/wordpress/export.xml, with its uploads/ folder) imported, built and
checked as a user would; the reader's records and conversions on their own too."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sitegen.importers import wordpress
from sitegen.importers.records import Imported, ImportedPost
from sitegen.importers.wordpressmarkup import autop, convert
from tests.conftest import (
    FIXTURES,
    ImportRuns,
    assert_imported_clean,
    import_build_check,
    sitegen,
    tree,
)

SOURCE = FIXTURES / "import" / "wordpress" / "export.xml"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportRuns:
    """The export imported into a new site, built, then checked."""
    return import_build_check("wordpress", SOURCE, tmp_path_factory.mktemp("wordpress") / "site")


@pytest.fixture(scope="module")
def records() -> Imported:
    return wordpress.read(SOURCE)


def post(records: Imported, item: str) -> ImportedPost:
    return next(p for p in records.posts if p.origin == f"export.xml#{item}")


def test_import_builds_and_checks_clean(imported: ImportRuns) -> None:
    assert_imported_clean(imported, "posts: 4 written (1 drafts, 1 pages)", "Built 2 posts")


def test_old_urls_and_feed_resolve(imported: ImportRuns) -> None:
    site, run, _, _ = imported
    public = site / "public"
    assert '[permalinks] post = "/{year}/{month_num}/{day_num}/{slug}/"' in run.out
    walk = (public / "2014/06/09/crossing-the-river/index.html").read_text()
    assert "Crossing the river: a first walk" in walk
    assert "Sam walks and writes." in (public / "about/index.html").read_text()
    copies = [p.read_text() for p in (public / "feed").iterdir()]  # /feed/, as B2 writes it
    assert copies and all("<feed" in c for c in copies)


def test_content_is_converted(imported: ImportRuns) -> None:
    public = imported[0] / "public"
    walk = (public / "2014/06/09/crossing-the-river/index.html").read_text()
    assert "<p>We set off at dawn.<br>\nThe fog was thick.</p>" in walk.replace("<br />", "<br>")
    assert '<figure class="wp-caption aligncenter">' in walk
    assert "<figcaption>The old bridge at noon</figcaption>" in walk
    assert 'src="/wp-content/uploads/2014/06/bridge.svg"' in walk  # the copied upload
    assert 'class="highlight highlight-python"' in walk  # [code lang="python"]
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=320&amp;h=240"' in walk
    assert 'href="/about/"' in walk  # a link to the old site's page, made local
    assert (public / "wp-content/uploads/2014/06/bridge.svg").is_file()
    rivers = (public / "2025/01/15/notes-on-rivers/index.html").read_text()
    assert 'href="/2014/06/09/crossing-the-river/"' in rivers
    assert 'class="highlight highlight-bash"' in rivers  # [sourcecode language="bash"]
    assert 'href="https://vimeo.com/76979871"' in rivers  # a bare URL line (an embed)
    assert "[caption] is how" in rivers  # [[caption]] shows as [caption]


def test_tags_dates_drafts_and_fields(records: Imported) -> None:
    walk = post(records, "10")
    assert walk.tags == ("Travel", "bridges", "Long Walks & Rivers")  # no Uncategorized
    assert walk.date == dt.datetime(2014, 6, 9, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert walk.updated == dt.datetime(2014, 6, 12, 7, 30, tzinfo=dt.UTC)
    assert walk.description == "A walk to the bridge."
    assert walk.image == "/wp-content/uploads/2014/06/bridge.svg"  # the featured image
    assert walk.old_url == "/2014/06/09/crossing-the-river/"
    draft = post(records, "11")
    assert draft.draft and draft.slug == "unfinished-thoughts" and draft.old_url == ""
    assert draft.date == dt.datetime(2015, 3, 1, 16, tzinfo=dt.UTC)  # the usual offset, +02:00
    assert post(records, "20").kind == "page"
    assert [p.origin for p in records.posts if p.origin.endswith(("#30", "#40"))] == []
    assert dict(records.settings) == {
        "title": "Paper Trail", "description": "Walks, rivers & bridges", "language": "en-us",
        "base_url": "https://papertrail.example.com/", "author": "Sam Walker",
        "timezone": "Europe/Berlin"}  # the first zone whose offsets fit every post
    assert records.feeds == ("/feed/",)
    assert records.dropped == (("mood", 1),)  # post meta: public keys counted, none kept


def test_report(imported: ImportRuns) -> None:
    report = (imported[0] / "import-report.txt").read_text()
    assert "export.xml item 12:88: old URL not kept: /?p=12 has a query" in report
    assert "export.xml item 10:49: shortcode left as text: [gallery]" in report
    assert "items not imported: 1 nav_menu_item" in report
    assert "comments not imported: 1" in report
    assert "attachments copied: 1 in the export" in report
    assert "time zone guessed: Europe/Berlin" in report


def test_without_uploads_attachments_keep_their_old_urls_and_check_says_so(tmp_path: Path) -> None:
    shutil.copy(SOURCE, tmp_path / "export.xml")
    site = tmp_path / "site"
    run = sitegen("import", "wordpress", tmp_path / "export.xml", "--into", site)
    assert run.code == 0, run.err
    assert "attachments not copied: 1" in run.out
    walk_html = "public/2014/06/09/crossing-the-river/index.html"
    check = sitegen("check", "--source", site)
    walk = (site / walk_html).read_text()
    assert 'src="https://papertrail.example.com/wp-content/uploads/2014/06/bridge.svg"' in walk
    # the new site takes over the old address, so check says the file must come along
    assert check.code == 1
    assert "wp-content/uploads/2014/06/bridge.svg leads nowhere" in check.out + check.err


def test_rerun_adds_nothing(imported: ImportRuns) -> None:
    site = imported[0]
    before = tree(site / "content")
    again = sitegen("import", "wordpress", SOURCE, "--into", site)
    assert again.code == 0, again.err
    assert "posts: 0 written" in again.out and "4 already there" in again.out
    assert tree(site / "content") == before


@pytest.mark.parametrize("text", [
    "not xml at all",
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>',
    "<feed xmlns='http://www.w3.org/2005/Atom'/>",
])
def test_a_file_that_is_not_an_export_is_a_named_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "export.xml").write_text(text, encoding="utf-8")
    run = sitegen("import", "wordpress", tmp_path / "export.xml", "--into", tmp_path / "site")
    assert run.code == 1
    assert "export.xml" in run.err and "Traceback" not in run.err
    assert "root:" not in run.err


@pytest.mark.parametrize(("source", "expected"), [
    ("One\ntwo\n\nThree", "<p>One<br />\ntwo</p>\n\n<p>Three</p>\n"),
    ("<ul>\n<li>a</li>\n</ul>\n\nText", "<ul>\n<li>a</li>\n</ul>\n\n<p>Text</p>\n"),
    ("<pre>a\n\nb</pre>\n\nc", "<pre>a\n\nb</pre>\n\n<p>c</p>\n"),
])
def test_blank_lines_become_paragraphs(source: str, expected: str) -> None:
    assert autop(source) == expected


def test_shortcodes(tmp_path: Path) -> None:
    body, problems = convert('[caption caption="Old form"]<img src="a.png" />[/caption]\n\n'
                             "[embed]https://example.org/v[/embed]\n\n[audio src=\"s.mp3\"]\n\n"
                             "[contact-form]\n\n[python]print(1 < 2)[/python]", "x", 3)
    assert '<figure class="wp-caption"><img src="a.png" /><figcaption>Old form' in body
    assert '<a href="https://example.org/v">' in body and '<a href="s.mp3">' in body
    assert 'class="highlight highlight-python"' in body and "&lt;" in body
    assert [(p.line, p.message.split(":")[0]) for p in problems] == \
        [(9, "shortcode left as text")]
