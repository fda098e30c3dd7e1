"""`sitegen import hugo`: a Hugo site of our own writing (tests/fixtures/import/hugo: TOML,
YAML and JSON front matter, a page bundle, shortcodes) imported, built and checked as a
user would; the reader's records on their own too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen.importers import hugo
from sitegen.importers.records import Imported, ImportedPost
from tests.conftest import FIXTURES, ImportRuns, assert_imported_clean, import_build_check, sitegen

SOURCE = FIXTURES / "import" / "hugo"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportRuns:
    """The fixture imported into a new site, built, then checked."""
    return import_build_check("hugo", SOURCE, tmp_path_factory.mktemp("hugo") / "site")


@pytest.fixture(scope="module")
def records() -> Imported:
    return hugo.read(SOURCE)


def by_origin(records: Imported, origin: str) -> ImportedPost:
    return next(p for p in records.posts if p.origin == origin)


def test_import_builds_and_checks_clean(imported: ImportRuns) -> None:
    assert_imported_clean(imported, "posts: 6 written (1 drafts, 2 pages)")


def test_posts_keep_their_old_urls(imported: ImportRuns) -> None:
    site, run, _, _ = imported
    public = site / "public"
    assert '[permalinks] post = "/{year}/{month_num}/{slug}/"' in run.out
    assert "First frost" in (public / "2019/02/first-frost/index.html").read_text()
    assert "A bridge sketch" in (public / "2018/11/bridge/index.html").read_text()
    assert "2018/11/bridge/" in (public / "2018/old-bridge/index.html").read_text()  # aliases
    assert "2019/04/custom/" in (public / "notes/custom-path/index.html").read_text()  # url
    assert "scrap wood" in (public / "lamp/index.html").read_text()  # a page of another section
    assert "lamp/" in (public / "projects/lamp/index.html").read_text()
    assert (public / "about/index.html").is_file()
    assert (public / "index.xml").is_file() and (public / "posts/index.xml").is_file()


def test_dates_keep_their_offsets(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    feed = (site / "public/index.xml").read_text()
    assert "<published>2019-02-13T08:09:26-07:00</published>" in feed  # '2019-02-13T8:09:26'
    assert "<published>2019-04-02T09:15:00+01:00</published>" in feed  # naive: Europe/London
    assert "<updated>2019-02-20T10:00:00Z</updated>" in feed or \
        "<updated>2019-02-20T10:00:00+00:00</updated>" in feed  # lastmod


def test_tags_from_every_taxonomy(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    for tag in ("weather", "garden", "notes", "winter", "drawing", "meta"):
        assert (site / "public/tags" / tag / "index.html").is_file(), tag
    assert not (site / "public/tags/ideas").exists()  # only a draft has it


def test_drafts_stay_out(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    [draft] = [p for p in (site / "content").rglob("*.md") if "draft: true" in p.read_text()]
    assert "An idea, not yet written" in draft.read_text()
    assert "idea" not in (site / "public/index.xml").read_text()


def test_bundle_files_and_static_files_are_published(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    public = site / "public"
    assert (public / "2018/11/bridge/bridge.svg").is_file()
    assert (public / "images/frost.svg").is_file()
    assert (public / "CNAME").is_file()
    bridge = (public / "2018/11/bridge/index.html").read_text()
    assert 'og:image" content="https://field.example.net/2018/11/bridge/bridge.svg"' in bridge
    frost = (public / "2019/02/first-frost/index.html").read_text()
    assert 'og:image" content="https://field.example.net/images/frost.svg"' in frost


def test_shortcodes_are_converted(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    public = site / "public"
    frost = (public / "2019/02/first-frost/index.html").read_text()
    assert 'href="/2018/11/bridge/"' in frost  # ref
    assert 'class="highlight highlight-go"' in frost  # highlight
    assert 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"' in frost
    assert "<iframe" not in frost
    assert "zoom-img" in frost  # unknown: left, and reported
    bridge = (public / "2018/11/bridge/index.html").read_text()
    assert ('<figure><img src="bridge.svg" alt=""><figcaption><strong>The bridge</strong> '
            "Drawn in one evening</figcaption></figure>") in bridge
    assert 'href="/2019/02/first-frost/"' in bridge  # {{% ref %}}
    assert 'href="https://gist.github.com/sam/5c1f2a#file-notes-md"' in bridge
    assert 'href="https://twitter.com/someone/status/1453110110599868418"' in bridge
    assert 'href="https://vimeo.com/146022717"' in bridge
    assert "{{&lt; figure src=&quot;bridge.svg&quot; &gt;}}" in bridge or \
        "{{&lt; figure src=\"bridge.svg\" &gt;}}" in bridge  # {{</* */>}}: shown as written


def test_heading_anchors_match_hugo(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    frost = (site / "public/2019/02/first-frost/index.html").read_text()
    assert 'id="thats-it"' in frost and 'href="#thats-it"' in frost
    assert 'id="step-6---simplify"' in frost and 'href="#step-6---simplify"' in frost


def test_report_lists_fields_and_problems(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    report = (site / "import-report.txt").read_text()
    assert "field kept: author (string) in 1 posts" in report
    assert "field dropped: toc in 1 posts" in report
    assert ('content/posts/first-frost.md:25: shortcode left as text: '
            '{{< zoom-img src="frost.jpg" >}}') in report


def test_run_again_adds_nothing(imported: ImportRuns) -> None:
    site, _, _, _ = imported
    before = sorted(p.relative_to(site) for p in (site / "content").rglob("*"))
    again = sitegen("import", "hugo", SOURCE, "--into", site)
    assert again.code == 0, again.err
    assert "posts: 0 written" in again.out
    assert sorted(p.relative_to(site) for p in (site / "content").rglob("*")) == before


def test_records(records: Imported) -> None:
    frost = by_origin(records, "content/posts/first-frost.md")
    assert frost.tags == ("weather", "garden", "Notes", "Winter")
    assert frost.date == dt.datetime(2019, 2, 13, 8, 9, 26,
                                     tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert (frost.description, frost.image) == ("The lawn went white overnight.",
                                                "/images/frost.svg")
    bridge = by_origin(records, "content/posts/bridge-sketch/index.md")
    assert (bridge.slug, bridge.old_url) == ("bridge", "/2018/11/bridge/")
    assert [a.target for a in bridge.assets] == ["bridge.svg"]
    custom = by_origin(records, "content/posts/custom.md")
    assert (custom.old_url, custom.aliases) == ("", ("/notes/custom-path/",))
    lamp = by_origin(records, "content/projects/lamp.md")
    assert (lamp.kind, lamp.date, lamp.old_url) == ("page", None, "/projects/lamp/")
    assert records.feeds == ("/index.xml", "/posts/index.xml")
    assert dict(records.settings)["timezone"] == "Europe/London"


def test_default_urls_and_config_folder(tmp_path: Path) -> None:
    """config/_default/, no permalinks: /{section}/{slug}/, lower-cased; a sub-path base."""
    (tmp_path / "config/_default").mkdir(parents=True)
    (tmp_path / "config/_default/hugo.yaml").write_text(
        "baseURL: https://x.example/blog/\ntitle: X\n")
    (tmp_path / "content/post").mkdir(parents=True)
    (tmp_path / "content/post/My Trip.md").write_text(
        "---\ntitle: Trip\ndate: 2020-01-02\naliases: [old-trip]\n---\n"
        '[me]({{< relref "My Trip.md#day-1" >}})\n')
    records = hugo.read(tmp_path)
    [trip] = records.posts
    assert trip.old_url == "/blog/post/my-trip/"
    assert trip.aliases == ("/blog/post/old-trip/",)
    assert trip.body == "[me](/blog/post/my-trip/#day-1)\n"
    assert dict(records.settings)["base_url"] == "https://x.example/blog/"
