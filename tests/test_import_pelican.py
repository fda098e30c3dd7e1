"""`sitegen import pelican`: a Pelican project of our own writing
(tests/fixtures/import/pelican) imported, built and checked as a user would; the
reader's records and its markup conversions on their own too."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sitegen.importers import pelican, pelicanconf
from sitegen.importers.pelicanmarkup import fence_code
from sitegen.importers.records import Imported, ImportedPost
from tests.conftest import (
    FIXTURES,
    ImportRuns,
    assert_imported_clean,
    import_build_check,
    sitegen,
    tree,
)

SOURCE = FIXTURES / "import" / "pelican"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportRuns:
    """The fixture imported into a new site, built, then checked."""
    return import_build_check("pelican", SOURCE, tmp_path_factory.mktemp("pelican") / "site")


@pytest.fixture(scope="module")
def records() -> Imported:
    return pelican.read(SOURCE)


def post(records: Imported, origin: str) -> ImportedPost:
    return next(p for p in records.posts if p.origin == origin)


def test_import_builds_and_checks_clean(imported: ImportRuns) -> None:
    assert_imported_clean(imported, "posts: 6 written (1 drafts, 1 pages)", "Built 4 posts")


def test_old_urls_and_feeds_resolve(imported: ImportRuns) -> None:
    site, run, _, _ = imported
    public = site / "public"
    assert '[permalinks] post = "/{year}/{month_num}/{slug}.html"' in run.out
    faq = (public / "2013/02/python-faq-equality.html").read_text()
    assert "Python FAQ: Equality" in faq
    assert (public / "2013/01/structure-on-shapes-of-data.html").is_file()
    assert "/about/" in (public / "pages/about.html").read_text()  # the page's old URL
    assert "<feed" in (public / "feeds/all.atom.xml").read_text()  # publishconf's feed


def test_links_and_code_are_converted(imported: ImportRuns) -> None:
    public = imported[0] / "public"
    faq = (public / "2013/02/python-faq-equality.html").read_text()
    assert 'href="/2013/01/structure-on-shapes-of-data.html"' in faq  # {filename}…rst
    assert 'href="/about/#contact"' in faq  # {filename} of a page, with its fragment
    assert 'src="/images/logo.svg"' in faq  # {static}
    assert 'href="/tags/faq/"' in faq and 'href="/tags/python/"' in faq  # {tag}, {category}
    assert 'class="highlight highlight-python"' in faq  # :::python
    assert 'class="highlight highlight-console"' in faq  # #!console
    assert ":::" not in faq and "{filename}" not in faq
    essay = (public / "2013/01/structure-on-shapes-of-data.html").read_text()
    assert 'href="/2013/02/python-faq-equality.html"' in essay  # a link in reStructuredText
    assert 'class="highlight highlight-python"' in essay  # .. code-block:: python
    assert "<h2>A section</h2>" in essay


def test_assets_are_copied_where_links_find_them(imported: ImportRuns) -> None:
    site, run, _, _ = imported
    public = site / "public"
    assert "files copied: 3" in run.out
    assert (public / "images/logo.svg").is_file()  # STATIC_PATHS → root/
    assert (public / "CNAME").read_text() == "bits.example.org\n"  # EXTRA_PATH_METADATA
    bridges = (public / "2014/06/drawing-bridges.html").read_text()
    assert 'src="bridge.svg"' in bridges  # {attach}: the post became a bundle
    assert (public / "2014/06/bridge.svg").is_file()


def test_tags_dates_and_drafts(records: Imported, imported: ImportRuns) -> None:
    faq = post(records, "content/python-faq-equality.md")
    assert faq.title == "Python FAQ: Equality"  # a ':' in a Key: value header
    assert faq.tags == ("Python", "faq", "equality")  # the category first
    assert faq.date == dt.datetime(2013, 2, 3, 9, 20, tzinfo=dt.UTC)  # 10:20 in Paris
    assert faq.updated == dt.datetime(2013, 2, 5, 7, 0, tzinfo=dt.UTC)
    assert faq.description == "What does == mean: a walk through __eq__."
    bridges = post(records, "content/bridges/bridges.md")
    assert bridges.tags == ("Drawing", "svg", "bridges")  # tags split on ';'
    yaml_post = post(records, "content/yaml-front-matter.md")
    assert yaml_post.slug == "front-matter-in-yaml-it-works-too"  # Pelican's slug of the title
    assert yaml_post.tags == ("yaml", "python")
    draft = post(records, "content/notes/unfinished.md")
    assert draft.draft and draft.old_url == ""
    public = imported[0] / "public"
    assert not (public / "2015/03/half-a-thought.html").exists()
    assert (public / "tags/essays/index.html").is_file()  # folder as category
    about = post(records, "content/pages/about.md")
    assert (about.kind, about.date, about.nav) == ("page", None, 1)


def test_settings_and_report(records: Imported, imported: ImportRuns) -> None:
    settings = dict(records.settings)
    assert settings["title"] == "Bits and Bridges"
    assert settings["base_url"] == "https://bits.example.org/"  # publishconf.py wins
    assert settings["timezone"] == "Europe/Paris"
    assert records.feeds == ("/feeds/all.atom.xml",)
    report = (imported[0] / "import-report.txt").read_text()
    assert "pelicanconf.py:8: setting not read: SITESUBTITLE" in report
    assert "feeds not kept: CATEGORY_FEED_ATOM (feeds/{slug}.atom.xml)" in report


def test_rerun_adds_nothing(imported: ImportRuns) -> None:
    site = imported[0]
    before = tree(site / "content")
    again = sitegen("import", "pelican", SOURCE, "--into", site)
    assert again.code == 0, again.err
    assert "posts: 0 written" in again.out and "6 already there" in again.out
    assert tree(site / "content") == before


def test_problems_name_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "blog"
    shutil.copytree(SOURCE, source)
    (source / "content" / "broken.md").write_text(
        "Title: Broken\nDate: 2020-01-01\n\nSee [gone]({filename}/nope.md) and\n"
        "{% youtube abc %} and [me]({author}ada).\n", encoding="utf-8")
    (source / "content" / "untitled.md").write_text("Date: 2020-01-01\n\nText.\n")
    problems = {(p.path, p.line, p.message.split(":")[0]) for p in pelican.read(source).problems}
    assert ("content/broken.md", 4, "link to a missing file") in problems
    assert ("content/broken.md", 5, "plugin tag left as text") in problems
    assert ("content/broken.md", 5, "no author pages") in problems
    assert ("content/untitled.md", 1, "no Title") in problems


def test_settings_are_read_without_running_them(tmp_path: Path) -> None:
    (tmp_path / "pelicanconf.py").write_text(
        "import os\nos.system('touch ran')\nSITENAME = 'A' + ' site'\nPATH = 'posts'\n"
        "READERS = dict(html=None)\nTIMEZONE = os.environ['TZ']\n", encoding="utf-8")
    settings, problems = pelicanconf.read(tmp_path)
    assert not (tmp_path / "ran").exists()
    assert (settings["SITENAME"], settings["PATH"], settings["READERS"]) == \
        ("A site", "posts", {"html": None})
    assert [p.line for p in problems] == [6]


@pytest.mark.parametrize(("source", "expected"), [
    ("Text\n\n    :::python\n    x = 1\n\n    y = 2\n\nMore",
     "Text\n\n```python\nx = 1\n\ny = 2\n```\n\nMore"),
    ("\n    #!/bin/sh\n    echo hi\n", "\n```sh\n#!/bin/sh\necho hi\n```\n"),
    ("- item\n\n        :::js\n        f()\n", "- item\n\n    ```js\n    f()\n    ```\n"),
    ("``` { .lua linenostart=4 }\nx()\n```", "```lua\nx()\n```"),
    ("    plain indented code\n", "    plain indented code\n"),
    ("```\n    :::python\n```", "```\n    :::python\n```"),
])
def test_codehilite_blocks_become_fences(source: str, expected: str) -> None:
    assert fence_code(source) == expected


@pytest.mark.parametrize(("title", "slug"), [
    ("Python FAQ: Equality", "python-faq-equality"),
    ("Don't panic — it's C++!", "dont-panic-its-c"),
    ("Café crème", "cafe-creme"),
])
def test_slugs_are_pelicans(title: str, slug: str) -> None:
    assert pelican.pelican_slug(title) == slug
