"""The writer every importer shares: bundles and files, slugs met twice, extra fields,
an existing site.toml, and a report that stays readable with hundreds of problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from sitegen.importers.records import Asset, Imported, ImportedPost, Problem
from sitegen.importers.report import REPORT_FILE, SHOWN_PER_KIND
from sitegen.importers.writer import write
from tests.conftest import make_site, sitegen

UTC = dt.UTC


def _meta(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def _check(site: Path) -> Path:
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.out + run.err
    assert "no problems" in run.out
    return site / "public"


def _files(tmp_path: Path) -> dict[str, Path]:
    source = tmp_path / "old"
    source.mkdir()
    files = {}
    for name, text in (("photo.jpg", "jpeg"), ("chart.svg", "<svg/>"), ("site.css", "css")):
        files[name] = source / name
        files[name].write_text(text)
    return files


def test_bundles_slugs_fields_and_files(tmp_path: Path) -> None:
    files = _files(tmp_path)
    day = dt.datetime(2024, 5, 1, 12, tzinfo=UTC)
    posts = (
        ImportedPost("a.md", "bridge", day, title="Bridge", body="![A photo](photo.jpg)\n",
                     assets=(Asset(files["photo.jpg"], "photo.jpg"),),
                     extra=(("subtitle", "Over the river"), ("rating", 4))),
        ImportedPost("b.md", "bridge", day + dt.timedelta(days=1), title="Bridge again",
                     body="<p><img src=\"img/chart.svg\" alt=\"chart\"></p>", body_format="html",
                     assets=(Asset(files["chart.svg"], "img/chart.svg"),)),
        ImportedPost("c.md", "bridge", day + dt.timedelta(days=1, hours=1), title="Third",
                     body="Same day, same slug."),
        ImportedPost("d.md", "untitled", dt.datetime(2024, 5, 3, 9, 0), body="No title."),
        ImportedPost("about.md", "about", None, title="About", kind="page", body="Me.",
                     old_url="/about.html"),
    )
    imported = Imported("test", posts, assets=(Asset(files["site.css"], "root/css/site.css"),),
                        fields=(("subtitle", "string"), ("rating", "int")),
                        dropped=(("layout", 5),))
    site = tmp_path / "site"
    report = write(imported, site, "old")
    content = site / "content"
    assert (content / "2024/bridge/index.md").is_file()
    assert (content / "2024/bridge/photo.jpg").read_text() == "jpeg"
    assert (content / "2024/bridge-2/index.html").is_file()
    assert (content / "2024/bridge-2/img/chart.svg").is_file()
    assert _meta(content / "2024/bridge-2/index.html")["slug"] == "bridge"  # its own day
    assert _meta(content / "2024/bridge-3.md")["slug"] == "bridge-3"  # same day as bridge-2
    first = _meta(content / "2024/bridge/index.md")
    assert (first["subtitle"], first["rating"]) == ("Over the river", 4)
    untitled = _meta(content / "2024/untitled.md")
    assert untitled["kind"] == "note" and untitled["date"] == "2024-05-03T09:00:00+00:00"
    assert _meta(content / "pages/about.md")["aliases"] == ["/about.html"]
    assert (site / "root/css/site.css").read_text() == "css"
    toml = (site / "site.toml").read_text()
    assert '[content.fields]\nsubtitle = "string"\nrating = "int"\n' in toml
    text = (site / REPORT_FILE).read_text()
    assert "posts: 5 written (0 drafts, 1 pages), 0 already there" in text
    assert "files copied: 3" in text
    assert "field kept: subtitle (string) in 1 posts" in text
    assert "field dropped: layout in 5 posts" in text
    assert report.posts == 5
    public = _check(site)
    assert (public / "2024/May/1/bridge/photo.jpg").is_file()
    assert (public / "css/site.css").is_file()
    assert (public / "about.html").is_file()

    files["site.css"].write_text("changed")
    again = write(imported, site, "old")
    assert (again.posts, again.skipped, again.assets) == (0, 5, 0)
    assert "root/css/site.css: file not copied: another file is already there" in again.text()
    assert (site / "root/css/site.css").read_text() == "css"


def test_an_existing_site_toml_is_added_to_never_rewritten(tmp_path: Path) -> None:
    toml = ('title = "Mine"\nbase_url = "https://example.org/blog/"\n'
            'timezone = "Europe/Paris"\n\n[content.fields]\nrating = "float"\n')
    site = make_site(tmp_path / "site", {}, toml)
    posts = (ImportedPost("x.md", "late", dt.datetime(2024, 1, 1, 23, 30, tzinfo=UTC),
                          title="Late", old_url="/blog/2024/01/02/late/",
                          extra=(("rating", 3), ("series", ["one"]))),)
    imported = Imported("test", posts, fields=(("rating", "int"), ("series", "list")),
                        feeds=("/blog/feed.xml",),
                        settings=(("timezone", "America/New_York"), ("title", "Old")))
    report = write(imported, site, "old")
    text = (site / "site.toml").read_text()
    assert text.startswith(toml.rstrip("\n").rsplit("\n", 1)[0])
    assert 'rating = "float"' in text and 'series = "list"' in text
    assert '[permalinks]\npost = "/{year}/{month_num}/{day_num}/{slug}/"' in text  # in Paris
    assert 'copies = ["/feed.xml"]' in text
    assert 'title = "Mine"' in text and "America/New_York" not in text
    assert report.todo == ('[content.fields] rating = "int"',)
    assert report.dropped == (("rating", 1),)
    meta = _meta(site / "content/2024/late.md")
    assert "rating" not in meta and meta["series"] == ["one"]
    assert "time zone differs: the old site's is America/New_York" in report.text()
    public = _check(site)
    assert (public / "2024/01/02/late/index.html").is_file()
    assert (public / "feed.xml").is_file()


def test_hundreds_of_problems_are_grouped(tmp_path: Path) -> None:
    problems = tuple(Problem(f"_posts/p{n}.md", n, f"Liquid tag left as text: {{% x{n} %}}")
                     for n in range(300))
    problems += (Problem("_config.yml", None, "setting not converted: plugins"),)
    report = write(Imported("test", (), problems=problems), tmp_path / "site", "old")
    shown = report.text(SHOWN_PER_KIND)
    assert "Problems: 301 in 301 files, 2 kinds" in shown
    assert shown.index("300 × Liquid tag left as text") < shown.index("1 × setting not")
    assert "_posts/p4.md:4: Liquid tag left as text: {% x4 %}" in shown
    assert "p5.md" not in shown
    assert "… and 295 more (all in import-report.txt)" in shown
    assert "_posts/p299.md:299:" in (tmp_path / "site" / REPORT_FILE).read_text()
