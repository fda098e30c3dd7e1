"""`sitegen import jekyll`: a Jekyll site of our own writing (tests/fixtures/import/jekyll)
imported, built and checked as a user would; the reader's records on their own too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen.importers import jekyll
from sitegen.importers.records import Imported, ImportedPost
from tests.conftest import FIXTURES, ImportRuns, assert_imported_clean, import_build_check, sitegen

SOURCE = FIXTURES / "import" / "jekyll"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportRuns:
    """The fixture imported into a new site, built, then checked."""
    return import_build_check("jekyll", SOURCE, tmp_path_factory.mktemp("jekyll") / "site")


@pytest.fixture(scope="module")
def records() -> Imported:
    return jekyll.read(SOURCE)


def by_origin(records: Imported, origin: str) -> ImportedPost:
    return next(p for p in records.posts if p.origin == origin)


def test_import_builds_and_checks_clean(imported: ImportRuns) -> None:
    assert_imported_clean(imported, "posts: 5 written (2 drafts, 1 pages)")


def test_posts_keep_their_old_urls(imported: ImportRuns) -> None:
    site, run, _, _ = imported
    public = site / "public"
    assert '[permalinks] post = "/blog/{year}/{month_num}/{day_num}/{slug}/"' in run.out
    tide = (public / "blog/2014/06/09/tide-tables/index.html").read_text()
    assert "Reading tide tables" in tide
    # 07:05 UTC (a YAML timestamp without offset) is 2 January in Los Angeles, as Jekyll had it
    assert (public / "blog/2015/01/02/sourdough/index.html").is_file()
    assert "blog/2015/01/02/sourdough/" in (public / "old/sourdough/index.html").read_text()
    assert "Rowan writes about the sea" in (public / "about/index.html").read_text()
    assert (public / "feed.xml").is_file()


def test_dates_keep_their_offsets(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    feed = (site / "public/feed.xml").read_text()
    assert "<published>2014-06-09T18:00:00-07:00</published>" in feed
    assert "<published>2015-01-02T23:05:00-08:00</published>" in feed
    page = (site / "public/blog/2014/06/09/tide-tables/index.html").read_text()
    assert 'datetime="2014-06-12T00:00:00-07:00"' in page  # date-updated
    assert 'timezone = "America/Los_Angeles"' in (site / "site.toml").read_text()


def test_tags_merge_categories_and_tags(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    for tag in ("sea", "notes", "boats", "tides", "bread", "baking"):
        assert (site / "public/tags" / tag / "index.html").is_file(), tag


def test_drafts_stay_out(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    drafts = [p for p in (site / "content").rglob("*.md") if "draft: true" in p.read_text()]
    assert sorted(p.stem for p in drafts) == ["half-thought", "unfinished"]
    assert not list((site / "public").rglob("*unfinished*"))
    assert not list((site / "public").rglob("*half-thought*"))


def test_files_the_old_site_published_are_copied(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    public = site / "public"
    for path in ("assets/img/tide.svg", "files/notes.txt", "CNAME"):
        assert (public / path).is_file(), path
    for path in ("Gemfile", "README.md", "scratch.txt", "_config.yml", "assets/css/main.scss"):
        assert not (site / "root" / path).exists(), path
    tide = (public / "blog/2014/06/09/tide-tables/index.html").read_text()
    assert 'src="/assets/img/tide.svg"' in tide


def test_liquid_is_converted(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    public = site / "public"
    tide = (public / "blog/2014/06/09/tide-tables/index.html").read_text()
    assert 'href="/blog/2015/01/02/sourdough/"' in tide  # {{ site.baseurl }}{% post_url %}
    assert 'href="/about/"' in tide  # {% link about.md %}
    assert 'class="highlight highlight-python"' in tide  # {% highlight python linenos %}
    assert "endhighlight" not in tide
    assert "{% include figure.html" in tide  # unknown: left, and reported
    bread = (public / "blog/2015/01/02/sourdough/index.html").read_text()
    assert "Templates say {{ page.title }} here." in bread  # {% raw %} removed
    source = (site / "content/2015/sourdough.md").read_text()
    assert "```liquid\n{% post_url 2014-06-09-tide-tables %}\n```" in source  # fenced: as is
    assert 'href="/blog/2014/06/09/tide-tables/"' in bread


def test_report_lists_fields_and_problems(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    report = (site / "import-report.txt").read_text()
    assert "field kept: rating (int) in 2 posts" in report
    assert "field dropped: layout in 4 posts" in report
    assert "_posts/2014-06-09-tide-tables.md:18: Liquid left as text: " \
        '{% include figure.html src="tide.svg" %}' in report
    assert "archive.html: page not imported" in report
    assert "[feeds] copies" in report


def test_run_again_adds_nothing(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    before = sorted(p.relative_to(site) for p in (site / "content").rglob("*"))
    again = sitegen("import", "jekyll", SOURCE, "--into", site)
    assert again.code == 0, again.err
    assert "posts: 0 written" in again.out
    assert sorted(p.relative_to(site) for p in (site / "content").rglob("*")) == before


def test_records(records: Imported) -> None:
    tide = by_origin(records, "_posts/2014-06-09-tide-tables.md")
    assert tide.tags == ("Sea", "Notes", "boats", "tides")
    assert tide.description == "High water, low water, and the hours between"
    assert tide.image == "/assets/img/tide.svg"
    assert tide.old_url == "/blog/2014/06/09/tide-tables/"
    assert tide.date == dt.datetime(2014, 6, 9, 18, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    bread = by_origin(records, "_posts/2015/2015-01-03-sourdough.markdown")
    assert bread.aliases == ("/old/sourdough/",)
    assert bread.description == "Flour, water, salt and patience."
    about = by_origin(records, "about.md")
    assert (about.kind, about.date, about.old_url, about.nav) == ("page", None, "/about/", 1)
    assert dict(records.settings)["base_url"] == "https://tides.example.org/"
    assert records.feeds == ("/feed.xml",)


@pytest.mark.parametrize(("style", "expected"), [
    ("date", "/sea/notes/2014/06/09/tide-tables.html"),
    ("pretty", "/sea/notes/2014/06/09/tide-tables/"),
    ("ordinal", "/sea/notes/2014/160/tide-tables.html"),
    ("none", "/sea/notes/tide-tables.html"),
    ("/:categories/:year/:i_month/:title", "/sea/notes/2014/6/tide-tables.html"),
])
def test_permalink_styles(tmp_path: Path, style: str, expected: str) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text(f"permalink: {style}\nbaseurl: ''\n")
    (tmp_path / "_posts/2014-06-09-tide-tables.md").write_text(
        "---\ntitle: T\ncategories: Sea Notes\n---\nBody.\n")
    [post] = jekyll.read(tmp_path).posts
    assert post.old_url == expected


def test_baseurl_is_kept_in_old_urls_and_links(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("baseurl: /blog\nurl: https://x.example\n"
                                          "permalink: pretty\n")
    (tmp_path / "_posts/2014-06-09-a.md").write_text(
        "---\ntitle: A\n---\n[b]({{ site.baseurl }}{% post_url 2014-06-10-b %}) "
        "![i]({{ '/img/i.png' | relative_url }})\n")
    (tmp_path / "_posts/2014-06-10-b.md").write_text("---\ntitle: B\n---\nB.\n")
    records = jekyll.read(tmp_path)
    a = by_origin(records, "_posts/2014-06-09-a.md")
    assert a.old_url == "/blog/2014/06/09/a/"
    assert a.body == "[b](/blog/2014/06/10/b/) ![i](/blog/img/i.png)\n"
    assert dict(records.settings)["base_url"] == "https://x.example/blog/"


def test_a_tab_after_a_colon_is_read_as_jekyll_and_hugo_read_it() -> None:
    """Ruby's and Go's YAML take `title:<TAB>…` and `draft: false<TAB># …`; two real
    blogs had such posts, which PyYAML alone refuses."""
    from sitegen.importers import front_matter

    document = front_matter.split("---\ntitle:\tTabs\ndraft: false\t # no\n---\nBody\n")
    assert (document.meta["title"], document.meta["draft"]) == ("Tabs", False)
