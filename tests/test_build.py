"""What an author sees from `sitegen build`: pages, URLs, tags, summary and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, make_site, post, sitegen, tree


def build(site: Path, *args: str) -> tuple[Path, str]:
    out = site.parent / "public"
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return out, run.out + run.err


def test_folder_with_only_site_toml_and_content_uses_builtin_theme(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("Hello", tags="[svg]")})
    out, printed = build(site)
    home = (out / "index.html").read_text()
    assert "Hello" in home and 'href="/static/style.css"' in home
    assert (out / "static" / "style.css").stat().st_size > 0
    assert (out / "2025" / "Jan" / "2" / "a" / "index.html").exists()
    assert re.search(r"Built 1 posts, \d+ pages, 1 tags, 12 feeds into .* in [\d.]+ s", printed)


def test_tags_never_collide_silently(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "a.md": post("A", tags="[C, C++, 'C#', Golden Gate]"),
        "b.md": post("B", date="2025-01-03", tags="[golden gate, café, 日本語]")})
    out, _ = build(site)
    for slug in ("c", "c-plus-plus", "c-sharp", "golden-gate", "cafe", "日本語"):
        assert (out / "tags" / slug / "index.html").exists(), slug
        assert (out / "tags" / f"{slug}.atom").exists(), slug
    golden = (out / "tags" / "golden-gate" / "index.html").read_text()
    assert "2 posts tagged “Golden Gate”" in golden
    assert 'href="/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"' in (out / "tags" / "index.html").read_text()


def test_tags_that_share_a_slug_are_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A", tags="[node.js, node js]")})
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "would share the URL /tags/node-js/" in run.err


def test_html_in_titles_and_tags_is_escaped(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "a.md": post("'<script>alert(1)</script>'", tags="['<b>bold</b>']")})
    out, _ = build(site)
    files = tree(out)
    for path, data in files.items():
        if path.endswith(".json") and path.removesuffix(".json") + ".atom" in files:
            continue  # a JSON feed's title and tags are plain text, as JSON holds them
        text = data.decode(errors="replace")
        assert "<script>alert" not in text, path
        assert "<b>bold" not in text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "index.html").read_text()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = tmp_path / "one"
    second = tmp_path / "two"
    assert sitegen("build", "--source", ROOT, "--out", first, "--no-cache").code == 0
    assert sitegen("build", "--source", ROOT, "--out", second, "--no-cache").code == 0
    assert tree(first) == tree(second)


def test_odd_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("Fine"), "empty.md": "",
                                         "notes.md": "Just text, no front matter.\n",
                                         "photo.png": "not really a png"})
    out, printed = build(site)
    assert "content/empty.md: empty file; ignored" in printed
    assert "content/notes.md: no front matter" in printed
    assert "content/photo.png: not a post" in printed
    assert "3 warning(s)" in printed
    run = sitegen("build", "--source", site, "--out", out, "--strict")
    assert run.code == 1 and "--strict" in run.err


def test_unknown_code_language_warns_once(tmp_path: Path) -> None:
    body = "```nope\nx\n```\n\n```nope\ny\n```"
    site = make_site(tmp_path / "blog", {"a.md": post("Code", body=body)})
    _, printed = build(site)
    assert printed.count("unknown code language 'nope'") == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert sitegen("build", "--bogus").code == 2
    missing = sitegen("build", "--source", tmp_path / "nowhere")
    assert missing.code == 2 and "no such folder" in missing.err


def test_drafts_only_with_drafts_flag(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("Public"),
                                         "b.md": post("Secret", draft="true", tags="[hidden]")})
    out, _ = build(site)
    assert not (out / "2025" / "Jan" / "2" / "b").exists()
    assert not (out / "tags" / "hidden").exists()
    assert "Secret" not in (out / "sitemap.xml").read_text()
    out, _ = build(site, "--drafts")
    assert "Draft" in (out / "2025" / "Jan" / "2" / "b" / "index.html").read_text()


def test_aliases_and_renamed_tags_redirect(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "a.md": post("Moved", tags="[svg]", aliases="[/old/path/]"),
        "tags.toml": '[svg]\nname = "SVG"\nold_names = ["vector"]\n'})
    out, _ = build(site)
    stub = (out / "old" / "path" / "index.html").read_text()
    assert 'content="0; url=/2025/Jan/2/a/"' in stub
    assert 'url=/tags/svg/' in (out / "tags" / "vector" / "index.html").read_text()


def test_alias_that_claims_a_post_url_is_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        "a.md": post("First"), "b.md": post("Second", aliases="[/2025/Jan/2/a/]")})
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "content/b.md: /2025/Jan/2/a/ is also the URL of content/a.md" in run.err


def test_pages_have_canonical_and_open_graph(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("Hello", description="'A greeting'")})
    out, _ = build(site)
    page = (out / "2025" / "Jan" / "2" / "a" / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/2025/Jan/2/a/">' in page
    assert '<meta property="og:title" content="Hello">' in page
    assert '<meta property="og:description" content="A greeting">' in page


def test_tag_pages_paginate_and_relate(tmp_path: Path) -> None:
    posts = {f"p{i}.md": post(f"Post {i}", date=f"2025-01-{i + 1:02d}", tags="[svg, css]")
             for i in range(5)}
    toml = 'title = "T"\nbase_url = "https://example.org/"\nper_page = 2\n'
    out, _ = build(make_site(tmp_path / "blog", posts, toml))
    first = (out / "tags" / "svg" / "index.html").read_text()
    assert "5 posts tagged “svg”" in first
    assert 'href="/tags/svg/page/2/"' in first and "Page 1 of 3" in first
    assert (out / "tags" / "svg" / "page" / "3" / "index.html").exists()
    related = first.split("<h2>Related tags</h2>")[1].split("</ul>")[0]
    assert '<a href="/tags/css/" rel="tag">css</a>' in related
    assert '<link rel="alternate" type="application/atom+xml" title="T: svg" ' \
           'href="/tags/svg.atom">' in first


def test_two_pages_for_one_path_name_both(tmp_path: Path) -> None:
    toml = 'title = "T"\nbase_url = "https://example.org/"\n[permalinks]\npost = "/{slug}/"\n'
    site = make_site(tmp_path / "blog", {"x.md": post("Clash", slug="tags")}, toml)
    out = tmp_path / "public"
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1
    assert "content/x.md: /tags/ is also the tag index, which sitegen makes" in run.err
    assert not out.exists()


def test_output_folder_that_holds_the_site_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A")})
    run = sitegen("build", "--source", site, "--out", site)
    assert run.code == 1 and "the output folder holds the site's own files" in run.err
    assert (site / "content" / "a.md").exists()
