"""Pages (kind 'page', content/pages/): published at /{slug}/, outside every list,
optionally in the header navigation; a page at a generated path is a named error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import make_site, post, sitegen, tree
from tests.test_valid import nu_errors

SUB_PATH = 'title = "T"\nbase_url = "https://example.org/blog/"\n'


def page(title: str, body: str = "Page body.", **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\n{extra}---\n{body}\n"


def build(site: Path, out: Path, *args: str) -> str:
    run = sitegen("build", "--source", site, "--out", out, "--no-cache", *args)
    assert run.code == 0, run.err
    return run.err


def site_with_pages(root: Path, toml: str = SUB_PATH) -> Path:
    return make_site(root, {
        "2025-01-02-first.md": post("First post", tags="[svg]"),
        "2025-01-03-second.md": post("Second post", date="2025-01-03", tags="[svg]"),
        "pages/about.md": page("About me", nav="2"),
        "pages/projects.md": page("Projects", nav="1", date="2024-06-01"),
        "pages/colophon.md": page("Colophon", tags="[svg]"),
        "elsewhere.md": page("Now", kind="page", slug="now", date="2025-01-04"),
        "pages/secret.md": page("Secret", draft="true", nav="3"),
    }, toml)


def test_pages_are_published_at_their_slug_and_nowhere_else(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(site_with_pages(tmp_path / "blog"), out)
    about = (out / "about" / "index.html").read_text()
    assert "<h1>About me</h1>" in about and "Page body." in about
    assert "<time" not in about  # no date: none shown
    now = (out / "now" / "index.html").read_text()
    assert '<time datetime="2025-01-04T00:00:00+00:00">4 January 2025</time>' in now
    assert (out / "colophon" / "index.html").exists()
    assert not (out / "secret").exists()
    pages = ("about", "now", "colophon", "projects")
    others = {path: data.decode() for path, data in tree(out).items()
              if path.endswith((".html", ".atom")) and path.split("/")[0] not in pages}
    assert len(others) > 15
    for path, text in others.items():  # only the header navigation names pages
        assert not re.search(r"Colophon|>Now<|Secret|Page body", text), path
        assert text.count("About me") == (0 if path.endswith(".atom") else 1), path
    assert not (out / "2024").exists()  # a dated page has no archive
    first = (out / "2025" / "Jan" / "2" / "first" / "index.html").read_text()
    assert 'rel="next" href="/blog/2025/Jan/3/second/"' in first  # neighbours skip pages
    assert "1 tag. Each has a page" in (out / "tags" / "index.html").read_text()
    assert "2 posts tagged" in (out / "tags" / "svg" / "index.html").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/blog/about/</loc></url>" in sitemap  # no lastmod
    assert "<loc>https://example.org/blog/now/</loc><lastmod>2025-01-04" in sitemap
    assert "secret" not in sitemap


def test_navigation_lists_pages_in_nav_order_on_every_page(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(site_with_pages(tmp_path / "blog"), out)
    for page_path in ("index.html", "404.html", "about/index.html", "tags/svg/index.html",
                      "2025/Jan/2/first/index.html", "2025/Jan/index.html"):
        header = (out / page_path).read_text().split("</header>")[0]
        links = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', header)
        assert links[-3:] == [("/blog/projects/", "Projects"), ("/blog/about/", "About me"),
                              ("#feeds", "Feeds")], page_path


def test_drafts_show_draft_pages_in_the_navigation(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(site_with_pages(tmp_path / "blog"), out, "--drafts")
    assert '<a href="/blog/secret/">Secret</a>' in (out / "index.html").read_text()
    assert "Draft" in (out / "secret" / "index.html").read_text()


def test_a_page_title_change_updates_every_page(tmp_path: Path) -> None:
    site, out = site_with_pages(tmp_path / "blog"), tmp_path / "public"
    assert sitegen("build", "--source", site, "--out", out).code == 0
    (site / "content" / "pages" / "about.md").write_text(page("Who I am", nav="2"))
    assert sitegen("build", "--source", site, "--out", out).code == 0
    assert ">Who I am</a>" in (out / "2025" / "Jan" / "2" / "first" / "index.html").read_text()
    build(site, tmp_path / "fresh")
    assert without_manifest(tree(out)) == without_manifest(tree(tmp_path / "fresh"))


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path != ".sitegen-manifest"}


CLASHES = {
    "pages/tags.md": (page("Tags"), "content/pages/tags.md: /tags/ is also the tag index, "
                      "which sitegen makes; give the page another 'slug'"),
    "pages/archives.md": (page("Old"), "/archives/ is also the archives, which sitegen makes"),
    "pages/links.md": (page("Links"), "/links/ is also the list page “Links”, which sitegen"),
    "pages/atom.md": (page("Feeds"), "content/pages/atom.md: /atom/ is reserved for the "
                      "site's Atom feeds"),
    "pages/static.md": (page("S"), "/static/ is reserved for the theme's and the site's"),
    "pages/page.md": (page("P"), "/page/ is reserved for the home page's older pages"),
    "pages/search.md": (page("Find"), "content/pages/search.md: /search/ is reserved for "
                        "the site's search page; give the page another 'slug'"),
    "pages/year.md": (page("Year", slug="'2025'"), "content/pages/year.md: /2025/ is also "
                      "the archive of 2025, which sitegen makes"),
    "pages/me.md": (page("Me", slug="about"), "content/pages/me.md: /about/ is also the URL "
                    "of content/pages/about.md; give one of them another 'slug'"),
    "old.md": (post("Old", aliases="[/about/]"), "content/old.md: /about/ is also the URL of "
               "content/pages/about.md; change or remove that old URL"),
}


def test_every_clash_with_a_generated_path_is_named_at_once(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "2025-01-02-first.md": post("First post"), "pages/about.md": page("About"),
        **{name: text for name, (text, _) in CLASHES.items()}})
    out = tmp_path / "public"
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1
    for _, message in CLASHES.values():
        assert message in run.err
    assert "Traceback" not in run.err and not out.exists()


def test_two_posts_at_one_url_name_both(tmp_path: Path) -> None:
    toml = 'title = "T"\nbase_url = "https://example.org/"\n[permalinks]\npost = "/{slug}/"\n'
    site = make_site(tmp_path / "blog", {
        "a.md": post("A", slug="same"), "b.md": post("B", slug="same", date="2025-02-01"),
        "pages/same.md": page("Same"), "x.md": post("X", slug="tags")}, toml)
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "content/b.md: /same/ is also the URL of content/a.md; give one of them " \
           "another 'slug' or date" in run.err
    assert "content/pages/same.md: /same/ is also the URL of content/a.md" in run.err
    assert "content/x.md: /tags/ is also the tag index, which sitegen makes; give the " \
           "post another 'slug'" in run.err


def test_a_root_file_at_a_generated_path_is_named(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A")})
    (site / "root").mkdir()
    (site / "root" / "sitemap.xml").write_text("<urlset/>")
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "root/sitemap.xml: /sitemap.xml is also the sitemap, which sitegen makes; " \
           "rename or move the file" in run.err


@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/blog/"])
def test_a_site_with_pages_checks_clean(base: str, tmp_path: Path) -> None:
    site, out = site_with_pages(tmp_path / "blog"), tmp_path / "public"
    run = sitegen("check", "--source", site, "--out", out, "--base-url", base)
    assert run.code == 0, run.out + run.err


def test_page_html_is_valid(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(site_with_pages(tmp_path / "blog"), out, "--drafts")
    assert nu_errors(out / "about") == []
    assert nu_errors(out / "now") == []
    assert nu_errors(out / "secret") == []


def test_templates_read_declared_fields_as_post_meta(tmp_path: Path) -> None:
    toml = SUB_PATH + '[content.fields]\nsubtitle = "string"\nrating = "int"\n'
    site = make_site(tmp_path / "blog", {
        "a.md": post("A", subtitle="'Across the river'", rating="4"),
        "b.md": post("B", date="2025-01-03")}, toml)
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n<h1>{{ entry.post.title }}</h1>\n'
        "{% if entry.post.meta.subtitle %}<p class=\"subtitle\">"
        "{{ entry.post.meta.subtitle }} ({{ entry.post.meta.rating + 1 }})</p>{% endif %}\n"
        "{% endblock %}\n")
    out = tmp_path / "public"
    build(site, out)
    page_a = (out / "2025" / "Jan" / "2" / "a" / "index.html").read_text()
    assert '<p class="subtitle">Across the river (5)</p>' in page_a
    assert "subtitle" not in (out / "2025" / "Jan" / "3" / "b" / "index.html").read_text()
