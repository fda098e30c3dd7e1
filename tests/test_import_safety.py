"""The import writer is safe to run on any source and into any site folder: it copies
nothing that a symlink leads to from outside the source, writes nothing outside the
site folder or through a symlink, never takes an author's own post for an imported one,
writes only what then builds, and always leaves a report."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml

from sitegen.importers.records import Asset, Imported, ImportedPost
from sitegen.importers.report import REPORT_FILE
from sitegen.importers.writer import write
from tests.conftest import sitegen

FIXTURE = Path(__file__).parent / "fixtures/import/jekyll"
DAY = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


def _jekyll(tmp_path: Path, pages: dict[str, str] | None = None) -> Path:
    """A tiny Jekyll site: one post, one image, and the pages given (name → permalink)."""
    source = tmp_path / "old"
    (source / "_posts").mkdir(parents=True)
    (source / "images").mkdir()
    (source / "_config.yml").write_text("title: Old\nurl: https://old.example.org\n")
    (source / "_posts/2024-01-02-hello.md").write_text(
        "---\ntitle: Hello\n---\nSee ![x](/images/ok.png).\n")
    (source / "images/ok.png").write_text("png")
    for name, permalink in (pages or {}).items():
        (source / f"{name}.md").write_text(
            f"---\nlayout: page\ntitle: {name.title()}\npermalink: {permalink}\n---\nText.\n")
    return source


def _import(source: Path, site: Path, format: str = "jekyll") -> str:
    run = sitegen("import", format, source, "--into", site)
    assert run.code == 0, run.out + run.err
    assert "Traceback" not in run.err
    return (site / REPORT_FILE).read_text()


def _builds(site: Path) -> None:
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.out + run.err
    assert "no problems" in run.out


def _meta(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


# 1. Nothing a symlink leads to from outside the source is copied


def _private(tmp_path: Path) -> Path:
    private = tmp_path / "private"
    private.mkdir()
    (private / "passwd").write_text("root:secret")
    return private


def _published(site: Path) -> str:
    return "".join(p.read_text() for p in site.rglob("*") if p.is_file())


def test_a_symlink_out_of_the_source_is_not_copied(tmp_path: Path) -> None:
    private = _private(tmp_path)
    source = _jekyll(tmp_path)
    (source / "images/passwd").symlink_to(private / "passwd")
    (source / "images/keys").symlink_to(private, target_is_directory=True)
    (source / "images/same.png").symlink_to(source / "images/ok.png")  # inside: fine
    site = tmp_path / "site"
    _import(source, site)
    assert (site / "root/images/ok.png").read_text() == "png"
    assert (site / "root/images/same.png").read_text() == "png"
    assert not (site / "root/images/passwd").exists()
    assert "root:secret" not in _published(site)
    _builds(site)


def test_the_writer_refuses_an_asset_outside_the_source_whatever_the_importer(
        tmp_path: Path) -> None:
    private = _private(tmp_path)
    source = _jekyll(tmp_path)
    (source / "images/passwd").symlink_to(private / "passwd")
    (source / "images/keys").symlink_to(private, target_is_directory=True)
    assets = (Asset(source / "images/ok.png", "root/images/ok.png"),
              Asset(source / "images/passwd", "root/images/passwd"),
              Asset(source / "images/keys/passwd", "root/images/keys/passwd"))
    post = ImportedPost("a", "a", DAY, title="A",
                        assets=(Asset(source / "images/passwd", "passwd.txt"),))
    site = tmp_path / "site"
    report = write(Imported("test", (post,), assets=assets), site, str(source)).text()
    assert (site / "root/images/ok.png").read_text() == "png"
    assert "root:secret" not in _published(site)
    assert report.count(f"it is a symlink to {private / 'passwd'} outside the source; "
                        "copy the file itself into the source") == 3


def test_the_source_of_an_export_file_is_its_folder(tmp_path: Path) -> None:
    export = tmp_path / "old/export.xml"
    (export.parent / "uploads").mkdir(parents=True)
    export.write_text("<rss/>")
    (export.parent / "uploads/photo.jpg").write_text("jpeg")
    (tmp_path / "secret.txt").write_text("secret")
    (export.parent / "uploads/secret.txt").symlink_to(tmp_path / "secret.txt")
    assets = tuple(Asset(export.parent / "uploads" / name, f"root/uploads/{name}")
                   for name in ("photo.jpg", "secret.txt"))
    report = write(Imported("wordpress", (), assets=assets), tmp_path / "site", str(export))
    assert (tmp_path / "site/root/uploads/photo.jpg").read_text() == "jpeg"
    assert not (tmp_path / "site/root/uploads/secret.txt").exists()
    assert report.assets == 1
    assert "symlink to" in report.text()


# 2. Nothing is written outside the site folder, nor through a symlink


def test_a_symlinked_folder_in_the_site_is_not_written_through(tmp_path: Path) -> None:
    source = _jekyll(tmp_path)
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert sitegen("init", site).code == 0
    shutil.rmtree(site / "root", ignore_errors=True)
    (site / "root").symlink_to(elsewhere, target_is_directory=True)
    report = _import(source, site)
    assert list(elsewhere.iterdir()) == []
    assert "outside the site folder (a symlink leads there)" in report
    assert (site / "content/2024/hello.md").is_file()  # the rest is imported


def test_a_dangling_symlink_is_not_written_through(tmp_path: Path) -> None:
    source = _jekyll(tmp_path)
    site, outside = tmp_path / "site", tmp_path / "outside"
    outside.mkdir()
    assert sitegen("init", site, "--title", "T").code == 0
    (site / "root/images").mkdir(parents=True)
    (site / "root/images/ok.png").symlink_to(outside / "ok.png")
    (site / "content/2024").mkdir()
    (site / "content/2024/hello.md").symlink_to(outside / "hello.md")
    (site / REPORT_FILE).symlink_to(outside / "report.txt")
    report = _import(source, site)
    assert list(outside.iterdir()) == []
    assert "root/images/ok.png is a symlink" in report
    assert not (site / REPORT_FILE).is_symlink()  # replaced, not followed
    assert (site / "content/2024/hello-2.md").is_file()
    assert "file name taken: content/2024/hello.md is already there" in report


# 3. Re-runs: what was imported is recorded; an author's own file is never "imported before"


def test_an_authors_page_is_not_taken_for_an_imported_one(tmp_path: Path) -> None:
    site = tmp_path / "u"
    assert sitegen("init", site).code == 0
    own = (site / "content/pages/about.md").read_text()
    report = _import(FIXTURE, site)
    assert (site / "content/pages/about.md").read_text() == own
    about = _meta(site / "content/pages/about-2.md")
    assert about["title"] == "About" and about["slug"] == "about-2"
    assert "posts: 5 written (2 drafts, 1 pages), 0 already there" in report
    assert "file name taken: content/pages/about.md is already there and was not " \
           "imported" in report
    _builds(site)
    again = _import(FIXTURE, site)
    assert "posts: 0 written (0 drafts, 0 pages), 5 already there" in again
    assert not (site / "content/pages/about-3.md").exists()


def test_a_deleted_imported_post_does_not_come_back(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _import(FIXTURE, site)
    assert (site / ".sitegen-imports").is_file()
    (site / "content/2014/tide-tables.md").unlink()
    report = _import(FIXTURE, site)
    assert "posts: 0 written (0 drafts, 0 pages), 5 already there" in report
    assert not (site / "content/2014/tide-tables.md").exists()
    assert sitegen("build", "--source", site).code == 0
    assert not any(p.name == ".sitegen-imports" for p in (site / "public").rglob("*"))


def test_a_damaged_record_stops_the_import(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _import(FIXTURE, site)
    (site / ".sitegen-imports").write_text("{not json")
    run = sitegen("import", "jekyll", FIXTURE, "--into", site)
    assert run.code == 1
    assert ".sitegen-imports" in run.err and "Traceback" not in run.err


# 4. What is written builds


def test_pages_at_urls_sitegen_makes_are_renamed(tmp_path: Path) -> None:
    source = _jekyll(tmp_path, {"tags": "/tags/", "archives": "/archives.html",
                                "search": "/search/"})
    site = tmp_path / "site"
    report = _import(source, site)
    pages = sorted(p.name for p in (site / "content/pages").iterdir())
    assert pages == ["archives-page.md", "search-page.md", "tags-page.md"]
    assert _meta(site / "content/pages/tags-page.md")["slug"] == "tags-page"
    assert "aliases" not in _meta(site / "content/pages/tags-page.md")
    assert "slug changed: /tags/ is the tag index, which sitegen makes" in report
    assert "old URL dropped: '/tags/' is the tag index" in report
    assert "slug changed: /search/ is the site's search page" in report
    _builds(site)


def test_unsafe_slugs_old_urls_and_feeds_are_repaired(tmp_path: Path) -> None:
    posts = (
        ImportedPost("a", "../../escape", DAY, title="A", old_url="/a/%2e%2e/%2e%2e/x/",
                     aliases=("/old%20name/", "/b/./c//d/", "/static/x/", "/2024/May/")),
        ImportedPost("b", "a/b", DAY, title="B"),
        ImportedPost("p", "static", None, title="Static", kind="page"),
    )
    imported = Imported("test", posts, feeds=("/feed.xml", "/../up.xml", "/tags/all.xml"))
    site = tmp_path / "site"
    report = write(imported, site, "old").text()
    written = sorted(str(p.relative_to(site)) for p in (site / "content").rglob("*.md"))
    assert written == ["content/2024/a-b.md", "content/2024/escape.md",
                       "content/pages/static-page.md"]
    assert _meta(site / "content/2024/escape.md")["aliases"] == ["/old name/", "/b/c/d/"]
    assert "slug changed: '../../escape' is not a plain slug" in report
    assert "old URL dropped: '/a/%2e%2e/%2e%2e/x/' is not a path on the site" in report
    assert "old URL dropped: '/static/x/'" in report
    assert "old URL dropped: '/2024/May/' is an archive page" in report
    assert "old feed not kept: '/../up.xml'" in report
    assert "old feed not kept: '/tags/all.xml'" in report
    assert 'copies = ["/feed.xml"]' in (site / "site.toml").read_text()
    _builds(site)
    assert (site / "public/old name/index.html").is_file()
    assert not (tmp_path / "escape.md").exists()


# 5. A file that cannot be written is reported, and the rest is imported


def test_a_file_that_cannot_be_written_is_a_problem_and_the_report_is_written(
        tmp_path: Path) -> None:
    source = _jekyll(tmp_path)
    (source / "images/more").mkdir()
    (source / "images/more/b.png").write_text("b")
    site = tmp_path / "site"
    assert sitegen("init", site, "--title", "T").code == 0
    (site / "root/images").mkdir(parents=True)
    (site / "root/images/more").write_text("a file where a folder would go")
    (site / REPORT_FILE).write_text("an old report")
    report = _import(source, site)
    assert "not written: root/images/more/b.png (File exists)" in report
    assert (site / "root/images/ok.png").read_text() == "png"
    assert (site / "content/2024/hello.md").is_file()
    assert "an old report" not in report
