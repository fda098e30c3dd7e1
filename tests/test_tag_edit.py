"""`sitegen tags rename` and `sitegen tags merge`, run as an author runs them: only the
tags change in each file, the old names go on redirecting, and their feeds go on."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tests.conftest import SITE_TOML, sitegen, tree

ATOM = {"a": "http://www.w3.org/2005/Atom"}

# Each post as written, and the tags lines it should have after `rename llm LLMs`.
POSTS: dict[str, tuple[bytes, tuple[bytes, bytes]]] = {
    "block.md": (  # a BOM, CRLF line endings, comments, a block list
        b"\xef\xbb\xbf---\r\ntitle: Block  # a comment\r\ndate: 2025-01-02\r\n"
        b"tags:\r\n  - 'LLM'   # first\r\n  - python\r\n# between\r\nvia_url: "
        b"https://example.com/\r\n---\r\nBody with tags: llm.\r\n",
        (b"  - 'LLM'   # first\r\n", b"  - 'LLMs'   # first\r\n")),
    "flow.md": (
        b"---\ntags:   [ python,  \"llm\" ]   # odd spacing\ntitle: \"Flow\"\n"
        b"date: 2025-01-03\n---\nText.\n",
        (b"[ python,  \"llm\" ]", b"[ python,  \"LLMs\" ]")),
    "comma.md": (
        b"---\ntitle: Comma\ndate: 2025-01-04\ntags: web,  llm ,python\n---\nText.\n",
        (b"tags: web,  llm ,python\n", b"tags: web,  LLMs ,python\n")),
    "both.md": (  # already has the new tag: one is kept, at the place of the first
        b"---\ntitle: Both\ndate: 2025-01-05\ntags: [llm, web, llms]\n---\nText.\n",
        (b"tags: [llm, web, llms]\n", b"tags: [LLMs, web]\n")),
    "toml.md": (
        b"+++\ntitle = \"Toml\"\ndate = 2025-01-06\ntags = [\n  'web', # the web\n"
        b"  \"Llm\",\n]\n+++\nText.\n",
        (b"  \"Llm\",\n", b"  \"LLMs\",\n")),
    "page.html": (
        b"---\ntitle: Html\ndate: 2025-01-07\ntags:\n- llm\n---\n<p>Html.</p>\n",
        (b"- llm\n", b"- LLMs\n")),
}
OTHER = b"---\ntitle: Other\ndate: 2025-01-08\ntags: [web]\n---\nText.\n"


def _site(root: Path, expected: bool = False) -> Path:
    """The fixture site; with `expected`, as if written with the new tag from the start."""
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    for name, (text, (old, new)) in POSTS.items():
        (root / "content" / name).write_bytes(text.replace(old, new) if expected else text)
    (root / "content" / "other.md").write_bytes(OTHER)
    return root


def _after(name: str) -> bytes:
    text, (old, new) = POSTS[name]
    return text.replace(old, new)


def test_rename_changes_only_the_tags_byte_for_byte(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    run = sitegen("tags", "rename", "llm", "LLMs", "--source", site)
    assert run.code == 0, run.err
    assert run.out == ("renamed 'llm' to 'LLMs' in 6 files; old name kept in "
                       "content/tags.toml\n")
    for name in POSTS:
        assert (site / "content" / name).read_bytes() == _after(name), name
    assert (site / "content" / "other.md").read_bytes() == OTHER
    assert (site / "content" / "tags.toml").read_text() == '[llms]\nold_names = ["llm"]\n'


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    before = tree(site)
    run = sitegen("tags", "rename", "llm", "LLMs", "--source", site, "--dry-run")
    assert run.code == 0, run.err
    assert tree(site) == before
    assert "--- a/content/flow.md\n+++ b/content/flow.md\n" in run.out
    assert '-tags:   [ python,  "llm" ]   # odd spacing\n' in run.out
    assert '+tags:   [ python,  "LLMs" ]   # odd spacing\n' in run.out
    assert '+old_names = ["llm"]\n' in run.out
    assert "other.md" not in run.out
    assert "nothing was written" in run.err


def test_the_renamed_site_builds_as_one_written_with_the_new_tag(tmp_path: Path) -> None:
    renamed = _site(tmp_path / "renamed")
    assert sitegen("tags", "rename", "llm", "LLMs", "--source", renamed).code == 0
    fresh = _site(tmp_path / "fresh", expected=True)
    outputs = {}
    for site in (renamed, fresh):
        run = sitegen("build", "--source", site, "--no-cache")
        assert run.code == 0, run.err
        outputs[site] = tree(site / "public")
    extra = set(outputs[renamed]) - set(outputs[fresh])
    assert extra == {"tags/llm/index.html", "tags/llm.atom", "tags/llm.json"}
    differing = [p for p in outputs[fresh] if outputs[fresh][p] != outputs[renamed][p]]
    # the feeds' digest list also lists the old name's feeds
    assert [p for p in differing if not p.startswith(".")] == ["feeds.sha256"], differing


def test_old_tag_page_redirects_and_its_feed_goes_on(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert sitegen("tags", "rename", "llm", "LLMs", "--source", site).code == 0
    assert sitegen("build", "--source", site).code == 0
    out = site / "public"
    page = (out / "tags" / "llm" / "index.html").read_text()
    assert re.search(r'http-equiv="refresh"[^>]*tags/llms/', page)
    old, new = (etree.parse(str(out / "tags" / name)) for name in ("llm.atom", "llms.atom"))
    ids = [e.text for e in new.findall("a:entry/a:id", ATOM)]
    assert len(ids) == 6
    assert [e.text for e in old.findall("a:entry/a:id", ATOM)] == ids
    assert old.findtext("a:id", namespaces=ATOM) == "https://example.org/tags/llm.atom"
    assert new.findtext("a:id", namespaces=ATOM) == "https://example.org/tags/llms.atom"
    self_link = old.find("a:link[@rel='self']", ATOM)
    assert self_link is not None and self_link.get("href") == "https://example.org/tags/llm.atom"
    sitemap = (out / "sitemap.xml").read_text()
    assert "tags/llm/" not in sitemap and "tags/llm.atom" not in sitemap
    check = sitegen("check", "--source", site)
    assert check.code == 0, check.out + check.err
    assert "no problems" in check.out


def test_merge_keeps_one_tag_and_the_description_not_the_name(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    tags_toml = site / "content" / "tags.toml"
    tags_toml.write_bytes(b"# Tags of the site\r\n[web]\r\ndescription = \"The web.\"  # kept\r\n"
                          b"\r\n# about python\r\n[python]\r\nname = \"Python\"\r\n")
    run = sitegen("tags", "merge", "web", "python", "llm", "--into", "stuff", "--source", site)
    assert run.code == 0, run.err
    assert run.out.startswith("merged 'web', 'python', 'llm' into 'stuff' in 7 files; old names")
    assert b"tags: [stuff, llms]\n" in (site / "content" / "both.md").read_bytes()
    assert b"tags: stuff\n" in (site / "content" / "comma.md").read_bytes()
    block = (site / "content" / "block.md").read_bytes()
    assert b"  - 'stuff'   # first\r\n# between\r\n" in block
    assert tags_toml.read_bytes() == (
        b"# Tags of the site\r\n\r\n# about python\r\n\r\n[stuff]\r\n"
        b"description = \"The web.\"\r\nold_names = [\"web\", \"python\", \"llm\"]\r\n")
    assert sitegen("build", "--source", site).code == 0
    for old in ("web", "python", "llm"):
        assert (site / "public" / "tags" / f"{old}.atom").is_file()
    assert sitegen("check", "--source", site).code == 0


def test_rename_back_leaves_no_name_both_a_tag_and_an_old_name(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert sitegen("tags", "rename", "llm", "LLMs", "--source", site).code == 0
    run = sitegen("tags", "rename", "LLMs", "llm", "--source", site)
    assert run.code == 0, run.err
    assert (site / "content" / "tags.toml").read_text() == '[llm]\nold_names = ["LLMs"]\n'
    build = sitegen("build", "--source", site)
    assert build.code == 0, build.err
    assert (site / "public" / "tags" / "llms.atom").is_file()


def _refused(site: Path, *args: str) -> str:
    before = tree(site)
    run = sitegen("tags", *args, "--source", site)
    assert run.code == 1, run.out + run.err
    assert tree(site) == before
    assert "nothing was written" in run.err and "Traceback" not in run.err
    return next(line for line in run.err.splitlines() if line.startswith("error:"))


def test_errors_write_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    (site / "content" / "tags.toml").write_text('[python]\nold_names = ["snake"]\n')
    assert _refused(site, "rename", "lml", "x") == (
        "error: no post has the tag 'lml' (near: 'LLM'); `sitegen tags` lists the site's tags")
    assert "is the old one" in _refused(site, "rename", "llm", "llm")
    assert _refused(site, "rename", "llm", "Snake").startswith(
        "error: content/tags.toml:1: 'Snake' is an old name of the tag [python]")
    assert "looks like a file path" in _refused(site, "rename", "llm", "../x")


def test_merge_into_one_of_the_merged_tags_keeps_it_spelled_anew(tmp_path: Path) -> None:
    """`merge CRDT crdts --into CRDTs`, as an author cleaning up writes it."""
    site = _site(tmp_path / "site")
    run = sitegen("tags", "merge", "llm", "web", "--into", "Web", "--source", site)
    assert run.code == 0, run.err
    assert b"tags: [Web, llms]\n" in (site / "content" / "both.md").read_bytes()
    assert (site / "content" / "tags.toml").read_text() == '[web]\nold_names = ["llm"]\n'
    assert sitegen("build", "--source", site).code == 0
    assert (site / "public" / "tags" / "llm.atom").is_file()
    assert "tagged “Web”" in (site / "public" / "tags" / "web" / "index.html").read_text()
    run = sitegen("tags", "merge", "LLMs", "Web", "--into", "Web", "--source", site)
    assert run.code == 0, run.err
    assert b"tags: [Web]\n" in (site / "content" / "both.md").read_bytes()


def test_a_file_that_cannot_be_rewritten_safely_stops_every_write(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")  # comma.md holds its tags as one text split at commas
    error = _refused(site, "rename", "llm", "a, b")
    assert error.startswith("error: content/comma.md:4: cannot rewrite this post's tags safely")
