"""What the cold build makes once and shares (a feed entry's bytes, the header, sidebar
and footer) never goes stale: edits show everywhere, as a cold build shows them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lxml import etree

from sitegen import atom
from sitegen.build import Options
from sitegen.build import build as build_in_process
from sitegen.cache import Cache
from tests.conftest import SITE_TOML, make_site, post, sitegen, tree

FEEDS_TOML = SITE_TOML + '[feeds]\nentries = 2\nlink_fragments = true\n'
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}


def _site(root: Path) -> Path:
    """Nine posts in two tags, two entries a feed: each post is in several feeds and
    archives (everything, its kind, each of its tags)."""
    posts = {f"p{n}.md": post(f"Post {n}", date=f"2025-01-{n + 1:02d}",
                              tags="[alpha, beta]" if n % 2 else "[alpha]",
                              body=f"Words of post {n}, [a link](../p{n + 1}/).")
             for n in range(9)}
    return make_site(root, posts, FEEDS_TOML)


def _build(site: Path, out: Path, *args: str) -> None:
    run = sitegen("build", "--source", site, "--out", out, "--no-search", *args)
    assert run.code == 0, run.err


def _atom_summaries(out: Path, title: str) -> dict[str, str]:
    """The summary HTML of the entry titled `title`, in every Atom document that holds it."""
    found = {}
    for path in sorted(out.rglob("*.atom")):
        document = etree.parse(str(path))
        for entry in document.getroot().iterfind("a:entry", ATOM_NS):
            if entry.findtext("a:title", namespaces=ATOM_NS) == title:
                found[path.relative_to(out).as_posix()] = entry.findtext("a:summary",
                                                                         namespaces=ATOM_NS)
    return found


def _json_contents(out: Path, title: str) -> dict[str, str]:
    found = {}
    for path in sorted(out.rglob("*.json")):
        items = json.loads(path.read_text()).get("items", ())
        found.update((path.relative_to(out).as_posix(), item["content_html"])
                     for item in items if item.get("title") == title)
    return found


def test_an_edited_entry_shows_its_new_html_in_every_feed(tmp_path: Path) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "public"
    _build(site, out)
    before = _atom_summaries(out, "Post 1")
    assert {"atom/everything/archive/1.atom", "tags/alpha/archive/1.atom",
            "tags/beta/archive/1.atom"} <= before.keys()
    source = site / "content" / "p1.md"
    source.write_text(source.read_text().replace("Words of post 1", "Rewritten words"))
    _build(site, out)
    after = _atom_summaries(out, "Post 1")
    assert after.keys() == before.keys()
    assert all("Rewritten words" in html and "Words of post 1" not in html
               for html in after.values())
    for path in out.rglob("*.atom"):
        assert atom.check_feed(path.read_bytes(), path.name) == []
    _build(site, tmp_path / "cold", "--no-cache")
    assert tree(out) == tree(tmp_path / "cold")


def test_a_json_twin_shows_the_edited_html(tmp_path: Path) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "public"
    _build(site, out)
    source = site / "content" / "p8.md"
    source.write_text(source.read_text().replace("Words of post 8", "Rewritten words"))
    _build(site, out)
    contents = _json_contents(out, "Post 8")
    assert {"atom/everything.json", "tags/alpha.json"} <= contents.keys()
    assert all("Rewritten words" in html for html in contents.values())
    assert all(html == _atom_summaries(out, "Post 8")[path.removesuffix(".json") + ".atom"]
               for path, html in contents.items())


def test_an_entry_in_an_archive_is_indented_as_in_the_subscription_document(
        tmp_path: Path) -> None:
    """An archive declares the fh namespace; its entries' bytes are the same as in a
    document without it."""
    site, out = _site(tmp_path / "site"), tmp_path / "public"
    _build(site, out)
    archive = (out / "atom/everything/archive/1.atom").read_text()
    assert 'xmlns:fh="http://purl.org/syndication/history/1.0"' in archive
    assert "\n  <entry>\n    <title>Post 0</title>\n" in archive
    assert archive.endswith("  </entry>\n</feed>\n")


def test_the_dev_server_shows_changed_shared_parts_on_every_page(tmp_path: Path) -> None:
    """The dev server keeps its renderer, and what `once` made, between builds: a new
    popular tag, a new year and a new page in the header reach every page."""
    site = _site(tmp_path / "site")
    options = Options(site_dir=site, out_dir=tmp_path / "served", use_cache=False, jobs=1,
                      search=False)
    cache = Cache(keep_plan=True)
    build_in_process(options, cache=cache)
    for n in range(4):
        path = site / "content" / f"p{n}.md"
        path.write_text(path.read_text().replace("tags: [alpha", "tags: [gamma, alpha"))
    (site / "content" / "new.md").write_text(post("New year", date="2026-02-03"))
    (site / "content" / "about.md").write_text(post("About us", kind="page", nav="1"))
    build_in_process(options, cache=cache)
    served = tree(tmp_path / "served")
    page = served["2025/Jan/9/p8/index.html"].decode()
    assert 'href="/tags/gamma/"' in page and 'href="/2026/"' in page
    assert 'href="/about/"' in page
    assert 'aria-current="page"' in served["about/index.html"].decode()
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    _build(site, cold, "--no-cache")
    assert served == tree(cold)
