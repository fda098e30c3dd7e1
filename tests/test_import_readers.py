"""The import readers facing hostile sources: slugs, settings and old URLs that would
lead out of the site, and settings too big to read. Each source is written here, read
by its reader, and the records (or the imported site) checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.importers import feed, hugo, jekyll, pelican, wordpress
from sitegen.importers.records import Imported, old_path, safe_slug
from tests.conftest import sitegen

HOSTILE = ("../../etc", "%2e%2e", "%2e%2e%2fetc", "..", "a/../b", "../..%2fetc")


def messages(records: Imported) -> str:
    return "\n".join(f"{p.path}:{p.line}: {p.message}" for p in records.problems)


def wxr(items: str, link: str = "https://ex.com") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title>'
        f"<link>{link}</link>{items}</channel></rss>\n")


def wxr_item(post_id: int, name: str, link: str) -> str:
    return (f"<item><title>Walk {post_id}</title><link>{link}</link>"
            f"<content:encoded><![CDATA[Hello.]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_name>{name}</wp:post_name>"
            "<wp:post_date>2024-05-01 10:00:00</wp:post_date>"
            "<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>"
            "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>")


# One slug rule ─────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("text", HOSTILE)
def test_safe_slug_never_passes_a_hostile_slug(text: str) -> None:
    slug = safe_slug(text, "A walk")
    assert ".." not in slug and "/" not in slug and "%" not in slug and slug


def test_safe_slug_keeps_good_slugs_and_falls_back_to_the_title() -> None:
    assert safe_slug("crossing-the-river") == "crossing-the-river"
    assert safe_slug("Brücke_2.v1") == "Brücke_2.v1"
    assert safe_slug("caf%C3%A9") == "café"
    assert safe_slug("My Trip!") == "my-trip"
    assert safe_slug("..", "A Walk") == "a-walk"
    assert safe_slug("", "") == "post"


@pytest.mark.parametrize("text", HOSTILE)
def test_jekyll_slug_field(tmp_path: Path, text: str) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts/2024-05-01-walk.md").write_text(
        f"---\ntitle: Walk\nslug: '{text}'\n---\nHello.\n")
    [post] = jekyll.read(tmp_path).posts
    assert ".." not in post.slug and "/" not in post.slug
    assert ".." not in post.old_url


@pytest.mark.parametrize("text", HOSTILE)
def test_hugo_slug_field(tmp_path: Path, text: str) -> None:
    (tmp_path / "hugo.toml").write_text('title = "X"\n')
    (tmp_path / "content/posts").mkdir(parents=True)
    (tmp_path / "content/posts/walk.md").write_text(
        f"---\ntitle: Walk\ndate: 2024-05-01\nslug: '{text}'\n---\nHello.\n")
    [post] = hugo.read(tmp_path).posts
    assert ".." not in post.slug and "/" not in post.slug
    assert ".." not in post.old_url


def test_hugo_slug_is_lower_cased_as_hugo_does(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text('title = "X"\n')
    (tmp_path / "content/posts").mkdir(parents=True)
    (tmp_path / "content/posts/walk.md").write_text(
        "---\ntitle: Walk\ndate: 2024-05-01\nslug: My-Walk\n---\nHello.\n")
    [post] = hugo.read(tmp_path).posts
    assert post.slug == "my-walk" and post.old_url == "/posts/my-walk/"


@pytest.mark.parametrize("text", HOSTILE)
def test_wordpress_post_name(tmp_path: Path, text: str) -> None:
    (tmp_path / "export.xml").write_text(wxr(wxr_item(1, text, "https://ex.com/walk/")))
    [post] = wordpress.read(tmp_path / "export.xml").posts
    assert ".." not in post.slug and "/" not in post.slug


@pytest.mark.parametrize("text", HOSTILE)
def test_pelican_slug_field(tmp_path: Path, text: str) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/walk.md").write_text(
        f"Title: A Walk\nDate: 2024-05-01\nSlug: {text}\n\nHello.\n")
    records = pelican.read(tmp_path)
    [post] = records.posts
    assert ".." not in post.slug and "/" not in post.slug
    assert "slug changed" in messages(records)


def test_pelican_slug_of_the_title_is_pelicans(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/walk.md").write_text("Title: Café & Bridges\nDate: 2024-05-01\n\nHi.\n")
    [post] = pelican.read(tmp_path).posts
    assert post.slug == "cafe-bridges"


def test_pelican_translation_language_cannot_leave(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    for name, lang in (("walk.md", "en"), ("walk-x.md", "../../etc")):
        (tmp_path / "content" / name).write_text(
            f"Title: Walk\nDate: 2024-05-01\nLang: {lang}\n\nHello.\n")
    slugs = [p.slug for p in pelican.read(tmp_path).posts]
    assert all(".." not in s and "/" not in s for s in slugs), slugs


@pytest.mark.parametrize("link", ["https://ex.com/../../etc/hi/", "https://ex.com/a/%2e%2e/../x"])
def test_feed_entry_slug_and_old_url(tmp_path: Path, link: str) -> None:
    (tmp_path / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<link href="https://ex.com/"/><entry><title>A walk</title>'
        f'<link href="{link}"/><id>x</id><updated>2024-05-01T10:00:00Z</updated>'
        "<content type=\"html\">Hello.</content></entry></feed>\n")
    records = feed.read(str(tmp_path / "feed.xml"))
    [post] = records.posts
    assert ".." not in post.slug and "/" not in post.slug
    assert ".." not in post.old_url


# Old URLs, aliases and feed paths ──────────────────────────────────────────────────────

def test_old_path_normalises_and_refuses() -> None:
    assert old_path("/a//b/./c/") == "/a/b/c/"
    assert old_path("/caf%C3%A9/") == "/café/"
    assert old_path("/a/b.html") == "/a/b.html"
    for bad in ("/../../x/", "/a/../../feed.xml", "/%2e%2e/x", "/..%5c..%5cetc", "x/y",
                "/a\x00b/"):
        assert old_path(bad) is None, bad


def test_hugo_alias_out_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text('title = "X"\n')
    (tmp_path / "content/posts").mkdir(parents=True)
    (tmp_path / "content/posts/walk.md").write_text(
        '---\ntitle: Walk\ndate: 2024-05-01\naliases: ["/../../x/", "/old//walk/"]\n---\nHi.\n')
    records = hugo.read(tmp_path)
    [post] = records.posts
    assert post.aliases == ("/old/walk/",)
    assert "old URL not kept: '/../../x/'" in messages(records)


def test_wordpress_link_out_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "export.xml").write_text(wxr(
        wxr_item(1, "hi", "https://ex.com/../../etc/hi/")
        + wxr_item(2, "ok", "https://ex.com/2024/05/ok/")))
    records = wordpress.read(tmp_path / "export.xml")
    hi, ok = records.posts
    assert hi.old_url == "" and hi.slug == "hi"
    assert ok.old_url == "/2024/05/ok/"
    assert "export.xml#1" in messages(records) and "old URL not kept" in messages(records)


def test_feed_self_link_out_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<link href="https://ex.com/"/><link rel="self" href="https://ex.com/a/../../feed.xml"/>'
        '<entry><title>A walk</title><link href="https://ex.com/walk/"/><id>x</id>'
        '<updated>2024-05-01T10:00:00Z</updated><content type="html">Hi.</content></entry>'
        "</feed>\n")
    records = feed.read(str(tmp_path / "feed.xml"))
    assert records.feeds == ()
    assert "old feed path not kept" in messages(records)


def test_jekyll_redirect_from_is_normalised(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts/2024-05-01-walk.md").write_text(
        "---\ntitle: Walk\nredirect_from: ['/old//walk/', '/../../x/']\n---\nHi.\n")
    [post] = jekyll.read(tmp_path).posts
    assert all(".." not in a and "//" not in a for a in post.aliases)
    assert "/old/walk/" in post.aliases


# Settings that point outside the source ────────────────────────────────────────────────

def outside_and_inside(tmp_path: Path) -> tuple[Path, Path]:
    """A Pelican folder, and a folder beside it holding a post that must not be read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("Title: Secret\nDate: 2024-05-01\n\nSecret text.\n")
    (outside / "images").mkdir()
    (outside / "images/secret.png").write_bytes(b"png")
    source = tmp_path / "blog"
    (source / "content").mkdir(parents=True)
    (source / "content/walk.md").write_text("Title: Walk\nDate: 2024-05-01\n\nHello.\n")
    return source, outside


@pytest.mark.parametrize("setting", ["PATH = {outside!r}", "PATH = '../outside'",
                                     "PATH = 'content/../../outside'"])
def test_pelican_path_outside_is_refused(tmp_path: Path, setting: str) -> None:
    source, outside = outside_and_inside(tmp_path)
    (source / "pelicanconf.py").write_text(
        "SITENAME = 'Walks'\n" + setting.format(outside=str(outside)) + "\n")
    records = pelican.read(source)
    assert [p.title for p in records.posts] == ["Walk"]
    assert all(not a.source.resolve().is_relative_to(outside) for a in records.assets)
    assert "pelicanconf.py:2: setting not used: PATH" in messages(records)


def test_pelican_folder_settings_outside_are_refused(tmp_path: Path) -> None:
    source, outside = outside_and_inside(tmp_path)
    (source / "pelicanconf.py").write_text(
        "ARTICLE_PATHS = ['', '../../outside']\n"
        f"PAGE_PATHS = [{str(outside)!r}]\n"
        "STATIC_PATHS = ['../../outside/images']\n"
        "EXTRA_PATH_METADATA = {'/etc/hosts': {'path': 'hosts'},\n"
        "                       'extra/CNAME': {'path': '../../CNAME'}}\n")
    records = pelican.read(source)
    text = messages(records)
    for line, name in ((1, "ARTICLE_PATHS"), (2, "PAGE_PATHS"), (3, "STATIC_PATHS"),
                       (4, "EXTRA_PATH_METADATA")):
        assert f"pelicanconf.py:{line}: setting not used: {name}" in text
    assert [p.title for p in records.posts] == ["Walk"]
    assert records.assets == ()


def test_pelican_symlink_out_of_the_content_folder(tmp_path: Path) -> None:
    source, outside = outside_and_inside(tmp_path)
    os.symlink(outside / "images/secret.png", source / "content/secret.png")
    (source / "content/walk.md").write_text(
        "Title: Walk\nDate: 2024-05-01\n\n![s]({static}/secret.png)\n")
    records = pelican.read(source)
    assert records.assets == () and all(p.assets == () for p in records.posts)
    assert "link to a missing file" in messages(records)


@pytest.mark.parametrize("key", ["contentDir", "staticDir"])
def test_hugo_folders_outside_are_refused(tmp_path: Path, key: str) -> None:
    outside = tmp_path / "outside"
    (outside / "posts").mkdir(parents=True)
    (outside / "posts/secret.md").write_text("---\ntitle: Secret\ndate: 2024-05-01\n---\nS.\n")
    (outside / "secret.png").write_bytes(b"png")
    source = tmp_path / "site"
    (source / "content/posts").mkdir(parents=True)
    (source / "content/posts/walk.md").write_text("---\ntitle: Walk\ndate: 2024-05-01\n---\nHi.\n")
    (source / "hugo.toml").write_text(f'title = "X"\n{key} = "../outside"\n')
    records = hugo.read(source)
    assert [p.title for p in records.posts] == ["Walk"]
    assert all(not a.source.resolve().is_relative_to(outside) for a in records.assets)
    assert f"hugo.toml:None: setting not used: {key} '../outside'" in messages(records)


def test_jekyll_and_hugo_skip_symlinks_out_of_the_source(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"png")
    site = tmp_path / "jekyll"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts/2024-05-01-walk.md").write_text("---\ntitle: Walk\n---\nHi.\n")
    os.symlink(outside, site / "secret.png")
    assert jekyll.read(site).assets == ()
    site = tmp_path / "hugo"
    (site / "content/posts/walk").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "hugo.toml").write_text('title = "X"\n')
    (site / "content/posts/walk/index.md").write_text(
        "---\ntitle: Walk\ndate: 2024-05-01\nimage: ../../../../outside.png\n---\nHi.\n")
    os.symlink(outside, site / "content/posts/walk/secret.png")
    os.symlink(outside, site / "static/secret.png")
    records = hugo.read(site)
    assert records.assets == ()
    [post] = records.posts
    assert post.assets == () and post.image == ""


# Settings too big to read ──────────────────────────────────────────────────────────────

def test_pelicanconf_doubling_is_refused(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "pelicanconf.py").write_text(
        "SITENAME = 'Walks'\nA = 'xx'\n" + "A = A + A\n" * 60
        + "L = [1]\n" + "L = L + L\n" * 60
        + "D = dict(a=[1])\n" + "D = dict(a=D, b=D)\n" * 60
        + "SITESUBTITLE = A\n")
    records = pelican.read(tmp_path)
    text = messages(records)
    assert "pelicanconf.py:18: setting not read: A is too big" in text  # 2 * 2**16 chars
    assert "setting not read: L is too big" in text
    assert "setting not read: D is too big" in text
    assert dict(records.settings)["title"] == "Walks"


def test_import_of_a_pelican_path_outside_reports_it(tmp_path: Path) -> None:
    source, outside = outside_and_inside(tmp_path)
    (source / "pelicanconf.py").write_text(f"SITENAME = 'Walks'\nPATH = {str(outside)!r}\n")
    site = tmp_path / "site"
    run = sitegen("import", "pelican", source, "--into", site)
    assert run.code == 0, run.err
    report = (site / "import-report.txt").read_text()
    assert "setting not used: PATH" in report
    written = "".join(p.read_text() for p in (site / "content").rglob("*.md"))
    assert "Hello." in written and "Secret text." not in written
