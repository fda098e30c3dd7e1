"""The search index: Pagefind bundles per year made from post records, incremental."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from sitegen import search
from sitegen.build import Options, build
from sitegen.watch import Watcher
from tests.conftest import make_site, post, sitegen, tree

POSTS = {
    "old.md": post("Kestrel notes", "2024-05-06", "[Birds, Python]", "About quillwort ferns."),
    "new.md": post("Heron notes", "2025-03-02", "[Birds]", "Herons stand in marshwater."),
    "link.md": post("A link", "2025-04-01", "[Python]", "Linked: zebrafinch.",
                    kind="link", link_url="https://example.com/"),
    "secret.md": post("Draft notes", "2025-05-01", "[Birds]", "Unpublished xylophonist.",
                      draft="true"),
}


def records(out: Path) -> dict[str, dict[str, Any]]:
    """Every record of every bundle in the output, by URL, read from Pagefind's
    fragment files (gzip of 'pagefind_dcd' and JSON)."""
    found = {}
    for fragment in sorted(out.glob("search/index/*/fragment/*.pf_fragment")):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[data["url"]] = data
    return found


def listing(out: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((out / "search/indexes.json").read_text("utf-8"))
    return result


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", POSTS,
                     'title = "T"\nbase_url = "https://example.org/blog/"\n')


def test_posts_are_indexed_by_year_and_drafts_are_not(site: Path) -> None:
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "public"
    assert listing(out) == {"bundles": ["search/index/2025/", "search/index/2024/"],
                            "tags": {"birds": "Birds", "python": "Python"},
                            "behind": False, "drafts": False}
    for year in ("2024", "2025"):
        assert (out / "search/index" / year / "pagefind.js").is_file()
        assert (out / "search/index" / year / "pagefind-entry.json").is_file()
    found = records(out)
    assert set(found) == {"/blog/2024/May/6/old/", "/blog/2025/Mar/2/new/",
                          "/blog/2025/Apr/1/link/"}
    heron = found["/blog/2025/Mar/2/new/"]
    assert "marshwater" in heron["content"]
    assert heron["meta"]["title"] == "Heron notes"
    assert heron["meta"]["date_text"] == "2 March 2025"
    assert heron["meta"]["tag_slugs"] == "birds"
    assert "draft" not in heron["meta"]
    assert found["/blog/2024/May/6/old/"]["meta"]["tags"] == "Birds, Python"
    assert found["/blog/2025/Apr/1/link/"]["filters"]["kind"] == ["link"]
    everything = b"".join(tree(out / "search").values())
    assert b"xylophonist" not in everything
    assert all("xylophonist" not in r["content"] for r in found.values())


def test_a_drafts_build_indexes_drafts_marked(site: Path) -> None:
    run = sitegen("build", "--source", site, "--drafts")
    assert run.code == 0, run.err
    assert listing(site / "public")["drafts"] is True
    found = records(site / "public")
    assert found["/blog/2025/May/1/secret/"]["meta"]["draft"] == "true"
    assert "draft" not in found["/blog/2025/Mar/2/new/"]["meta"]


def test_a_template_only_change_leaves_the_index_alone(site: Path) -> None:
    assert sitegen("build", "--source", site).code == 0
    out = site / "public"
    before = tree(out / "search")
    stamps = {p: p.stat().st_mtime_ns for p in (site / ".cache/search").rglob("*")}
    written = {p: p.stat().st_mtime_ns for p in (out / "search").rglob("*")}
    (site / "templates").mkdir()
    theme = Path(__file__).parent.parent / "templates" / "post.html"
    (site / "templates/post.html").write_text(theme.read_text("utf-8") + "{# changed #}\n")
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    assert tree(out / "search") == before
    assert {p: p.stat().st_mtime_ns for p in (site / ".cache/search").rglob("*")} == stamps
    assert {p: p.stat().st_mtime_ns for p in (out / "search").rglob("*")} == written


def test_a_one_post_edit_makes_only_its_year_again(site: Path) -> None:
    assert sitegen("build", "--source", site).code == 0
    store = site / ".cache/search"
    kept = (store / "2024/digest").stat().st_ino, (store / "2024/digest").stat().st_mtime_ns
    old = (store / "2025/digest").read_text()
    (site / "content/new.md").write_text(post("Heron notes", "2025-03-02", "[Birds]",
                                              "Herons wade in tidepools."))
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    assert (store / "2025/digest").read_text() != old
    assert ((store / "2024/digest").stat().st_ino,
            (store / "2024/digest").stat().st_mtime_ns) == kept
    found = records(site / "public")
    assert "tidepools" in found["/blog/2025/Mar/2/new/"]["content"]


@pytest.mark.parametrize("damage", ["changed", "removed", "garbage-list"])
def test_a_damaged_bundle_in_the_cache_is_made_again(site: Path, damage: str) -> None:
    assert sitegen("build", "--source", site).code == 0
    published = tree(site / "public/search")
    kept = site / ".cache/search/2025"
    fragment = next((kept / "bundle/fragment").iterdir())
    if damage == "changed":
        fragment.write_bytes(fragment.read_bytes() + b"x")
    elif damage == "removed":
        fragment.unlink()
    else:
        (kept / "files.json").write_text('{"../../../../etc/passwd": ["0", 0, 0]}')
    other = site.parent / "other"  # a new folder: every file is copied from the cache
    run = sitegen("build", "--source", site, "--out", other)
    assert run.code == 0, run.err
    assert tree(other / "search") == published
    assert len(records(other)) == 3


def test_a_year_without_posts_goes(site: Path) -> None:
    assert sitegen("build", "--source", site).code == 0
    (site / "content/old.md").unlink()
    assert sitegen("build", "--source", site).code == 0
    out = site / "public"
    assert listing(out)["bundles"] == ["search/index/2025/"]
    assert not (out / "search/index/2024").exists()
    assert not (site / ".cache/search/2024").exists()


def test_no_search_flag_and_setting_leave_it_out(site: Path) -> None:
    assert sitegen("build", "--source", site).code == 0
    assert (site / "public/search/indexes.json").is_file()
    run = sitegen("build", "--source", site, "--no-search")
    assert run.code == 0, run.err
    assert not (site / "public/search/index").exists()
    assert not (site / "public/search/indexes.json").exists()
    toml = site / "site.toml"
    toml.write_text(toml.read_text() + "\n[search]\nenabled = false\n")
    other = site.parent / "other"
    run = sitegen("build", "--source", site, "--out", other)
    assert run.code == 0, run.err
    assert not (other / "search/index").exists()
    assert not (other / "search/indexes.json").exists()


def test_no_cache_build_indexes_too(site: Path) -> None:
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    assert len(records(site / "public")) == 3
    assert not (site / ".cache").exists()


@pytest.mark.parametrize("binary", ["missing", "failing"])
def test_pagefind_trouble_is_one_line_and_leaves_the_output(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, binary: str) -> None:
    assert sitegen("build", "--source", site).code == 0
    before = tree(site / "public")
    (site / "content/new.md").write_text(post("Heron notes", "2025-03-02", "[Birds]", "Edited."))
    path = tmp_path / "pagefind"
    if binary == "failing":
        path.write_text("#!/bin/sh\necho 'pagefind: out of luck' >&2\nexit 3\n")
        path.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(path))
    run = sitegen("build", "--source", site)
    assert run.code == 1
    assert "Traceback" not in run.err
    error = next(line for line in run.err.splitlines() if line.startswith("error:"))
    assert "pagefind" in error and "--no-search" in error and "reinstall" in error
    assert tree(site / "public") == before
    assert sitegen("build", "--source", site, "--no-search").code == 0


def test_in_memory_builds_index_as_the_dev_server_says(site: Path, tmp_path: Path) -> None:
    """A build told to leave the index for later publishes the bundles it has, says it
    is behind, and hands over the records (drafts too, marked)."""
    options = Options(site_dir=site, out_dir=tmp_path / "out", drafts=True, use_cache=False,
                      search_later=True, search_store=tmp_path / "store")
    summary = build(options)
    assert summary.search is not None
    assert set(summary.search.pending) == {"2024", "2025"}
    assert listing(tmp_path / "out")["behind"] is True
    drafts = [r for _, rs in summary.search.pending.values() for r in rs
              if "draft" in r.meta]
    assert [r.meta["draft"] for r in drafts] == ["true"]


def test_the_dev_server_indexes_after_the_reload(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "served"
    with Watcher(site, out) as watcher:
        deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
        while listing(out)["behind"] and time.monotonic() < deadline:
            time.sleep(0.1)
        shown = listing(out)
        assert shown["behind"] is False and shown["drafts"] is True
        found = records(out)
        assert found["/blog/2025/May/1/secret/"]["meta"]["draft"] == "true"
        assert watcher.broadcast.latest()[1].errors == ()
    assert os.path.exists(out)


def test_a_busy_year_is_indexed_in_halves(tmp_path: Path) -> None:
    """A year of more than 400 posts: one bundle from January, one from July, and an
    edit makes only its half again."""
    posts = {f"p{n}.md": post(f"Post {n}", f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                              "[Birds]", f"Words {n}.") for n in range(450)}
    site = make_site(tmp_path / "site", posts, 'title = "T"\nbase_url = "https://e.org/"\n')
    assert sitegen("build", "--source", site).code == 0
    assert listing(site / "public")["bundles"] == ["search/index/2025-07/",
                                                   "search/index/2025-01/"]
    store = site / ".cache/search"
    first, second = ((store / h / "digest").read_text() for h in ("2025-01", "2025-07"))
    (site / "content/p11.md").write_text(post("Post 11", "2025-12-12", "[Birds]",
                                              "Words about kingfishers."))
    assert sitegen("build", "--source", site).code == 0
    assert (store / "2025-01/digest").read_text() == first
    assert (store / "2025-07/digest").read_text() != second
    found = records(site / "public")
    assert len(found) == 450 and "kingfishers" in found["/2025/Dec/12/p11/"]["content"]


def test_a_stopped_pagefind_is_stopped_not_broken(tmp_path: Path) -> None:
    """The dev server, quitting, stops Pagefind (and Ctrl-C reaches it too): that is
    SearchStopped, which it does not report, not the 'reinstall' error."""
    record = search.Record("/a/", "Some words.", {"title": "A"}, {"year": ["2025"]},
                           {"date": "2025-01-01"})
    with search.Pagefind() as pagefind:
        search.stop_all()
        with pytest.raises(search.SearchStopped) as stopped:
            pagefind.write([record], "en", tmp_path / "bundle", {})
    assert "reinstall" not in str(stopped.value)
    assert not search.LIVE



def test_a_search_update_in_the_middle_of_a_save_keeps_the_post(site: Path,
                                                                 tmp_path: Path) -> None:
    """An editor empties a file, then writes it. When the search index is published
    between the two, its build must not read the emptied file (and publish the site
    without that post, which would then be the last good site)."""
    out = tmp_path / "served"
    watcher = Watcher(site, out)  # not started: the watcher has not seen the save yet
    try:
        watcher.rebuild()
        page = out / "2025/Mar/2/new/index.html"
        assert "Herons stand in marshwater" in page.read_text("utf-8")
        (site / "content" / "new.md").write_text("")  # the save's first half
        deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
        while listing(out)["behind"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert listing(out)["behind"] is False  # the index was published by a build
        assert "Herons stand in marshwater" in page.read_text("utf-8")
        assert "/blog/2025/Mar/2/new/" in records(out)
    finally:
        watcher.stop()
