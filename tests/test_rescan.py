"""The dev server looks again only at the files its watcher reports: what it finds must
be what a full scan finds, and where it cannot know, it must scan everything."""

from __future__ import annotations

import shutil
from pathlib import Path

import watchfiles

from sitegen import content, watch
from sitegen.build import THEME_STATIC
from tests.conftest import post


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for name in ("a.md", "sub/b.md", ".hidden.md", "_drafts/x.md"):
        (site / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "content" / name).write_text(post(name, "2025-01-01", "[svg]"))
    return site


def _found(sources: list[content.Source] | None) -> list[tuple[str, str, tuple[int, int]]]:
    assert sources is not None
    return [(s.path, s.digest, s.stamp) for s in sources]


def test_rescan_of_changed_files_equals_a_full_scan(tmp_path: Path) -> None:
    site = _site(tmp_path)
    last = content.scan(site)
    (site / "content/a.md").write_text(post("A, edited", "2025-01-01", "[svg]"))
    (site / "content/c.md").write_text(post("C", "2025-01-02", "[css]"))
    (site / "content/sub/b.md").unlink()
    (site / "content/.h2.md").write_text("hidden\n")
    (site / "content/_drafts/y.md").write_text("in a hidden folder\n")
    changed = {"content/a.md", "content/c.md", "content/sub/b.md", "content/.h2.md",
               "content/_drafts/y.md", "content/a.md.tmp-gone", "templates/base.html"}
    found = content.rescan(site, last, changed)
    assert _found(found) == _found(content.scan(site))
    assert [s.path for s in found or []] == ["content/a.md", "content/c.md"]


def test_a_folder_that_comes_or_goes_means_a_full_scan(tmp_path: Path) -> None:
    site = _site(tmp_path)
    last = content.scan(site)
    (site / "content/new").mkdir()
    (site / "content/new/d.md").write_text(post("D", "2025-01-03", "[svg]"))
    assert content.rescan(site, last, {"content/new"}) is None  # moved in whole
    shutil.rmtree(site / "content/sub")
    assert content.rescan(site, last, {"content/sub"}) is None  # moved out whole


def test_watcher_changes_become_content_paths(tmp_path: Path) -> None:
    site = _site(tmp_path)
    added, modified = watchfiles.Change.added, watchfiles.Change.modified
    changes = {(modified, str(site / "content/a.md")), (added, str(site / "static/x.css")),
               (modified, str(THEME_STATIC / "style.css"))}
    assert watch._content_paths(changes, site) == {"content/a.md"}
    elsewhere = {(modified, str(tmp_path / "linked-content/a.md"))}
    assert watch._content_paths(changes | elsewhere, site) is None
    burst = {(added, str(site / f"content/{n}.md")) for n in range(watch.LOOK_AT_MOST + 1)}
    assert watch._content_paths(burst, site) is None
