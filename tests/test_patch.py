"""A build after an edit to posts' words patches the last build: it renders the pages
that show those posts without assembling or planning the site, and its output is the
output of a full build, byte for byte. Anything else goes the full way."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, make_site, post, tree

# Runs the CLI, noting whether the site was assembled (a build that patches never gets
# there) and whether the content files were listed. Says afterwards which way the
# build went.
PROBE = """import sys
from sitegen import content, site
assembled, scanned = [], []
real, real_scan = site.assemble, content.scan
def assemble(*args, **kwargs):
    assembled.append(1)
    return real(*args, **kwargs)
def scan(*args, **kwargs):
    scanned.append(1)
    return real_scan(*args, **kwargs)
site.assemble, content.scan = assemble, scan
from sitegen.cli import main
code = main(sys.argv[1:])
print("SCANNED" if scanned else "NOT SCANNED", file=sys.stderr)
print("FULL" if assembled else "PATCH", file=sys.stderr)
sys.exit(code)
"""
TOML = ('title = "Test Site"\nbase_url = "https://example.org/blog/"\nper_page = 4\n'
        "[feeds]\nentries = 3\n")
TAGS = ["birds", "trees", "rivers", "stones"]


def build(site: Path, *args: str) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, "build", "--source", str(site),
                           "--no-search", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)


def way(run: Run) -> str:
    assert run.code == 0, run.err
    return run.err.strip().splitlines()[-1]


def scanned(run: Run) -> bool:
    """Whether the build listed the content files (content.scan)."""
    return run.err.strip().splitlines()[-2] == "SCANNED"


def posts() -> dict[str, str]:
    made = {}
    for n in range(30):
        tags = "[" + ", ".join(TAGS[k] for k in range(4) if (n >> k) & 1) + "]"
        extra = {"link_url": f"https://example.com/{n}"} if n % 3 == 0 else {}
        made[f"2025/post-{n:02}.md"] = post(
            f"Post {n}", date=f"2025-{n % 12 + 1:02}-{n % 27 + 1:02}", tags=tags,
            body=f"Words of post {n}.\n\n## A heading\n\nMore words, *some* `code`.", **extra)
    made["2025/hidden.md"] = post("Hidden", date="2025-06-06", draft="true", body="Draft.")
    return made


@pytest.fixture
def site(tmp_path: Path) -> Path:
    made = make_site(tmp_path / "site", posts(), TOML)
    assert way(build(made)) == "FULL"
    return made


def full_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build without any cache makes of the site as it is now."""
    out = tmp_path / "reference"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site),
                           "--out", str(out), "--no-cache", "--no-search"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return tree(out)


def append(site: Path, name: str, text: str) -> None:
    with open(site / "content/2025" / name, "a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


def assert_same(site: Path, tmp_path: Path) -> None:
    made, reference = tree(site / "public"), full_build(site, tmp_path)
    assert made.keys() == reference.keys()
    assert [p for p in made if made[p] != reference[p]] == []


@pytest.mark.parametrize("name", ["post-29.md", "post-00.md", "post-14.md"])
def test_an_edit_to_words_patches_the_last_build(site: Path, tmp_path: Path,
                                                  name: str) -> None:
    append(site, name, "A sentence added, with *emphasis*.")
    run = build(site)
    assert way(run) == "PATCH"
    assert "(1 parsed," in run.out and "0 warning(s)" in run.out
    assert any(b"A sentence added, with <em>emphasis</em>." in data
               for data in tree(site / "public").values())
    assert_same(site, tmp_path)


def test_patches_in_a_row_then_a_full_build_then_a_patch(site: Path, tmp_path: Path) -> None:
    for n, name in enumerate(["post-29.md", "post-03.md", "post-29.md"]):
        append(site, name, f"Edit number {n}.")
        assert way(build(site)) == "PATCH"
    append(site, "post-05.md", "One more.")
    append(site, "post-07.md", "And another.")
    assert way(build(site)) == "PATCH"  # two posts at once
    assert_same(site, tmp_path)
    text = (site / "content/2025/post-10.md").read_text(encoding="utf-8")
    (site / "content/2025/post-10.md").write_text(text.replace("title: Post 10",
                                                               "title: Post ten"))
    assert way(build(site)) == "FULL"  # a title places the post: the shape changed
    append(site, "post-10.md", "After the new title.")
    assert way(build(site)) == "PATCH"
    assert_same(site, tmp_path)


def test_an_edit_back_to_the_words_before_is_patched_too(site: Path, tmp_path: Path) -> None:
    path = site / "content/2025/post-29.md"
    before = path.read_bytes()
    append(site, "post-29.md", "For a moment.")
    assert way(build(site)) == "PATCH"
    path.write_bytes(before)
    assert way(build(site)) == "PATCH"
    assert_same(site, tmp_path)


def plan_rows(site: Path) -> dict[str, str]:
    with sqlite3.connect(site / ".cache/cache.sqlite") as db:
        return dict(db.execute("SELECT name, data FROM plan"))


def test_a_patch_writes_its_posts_digests_and_a_full_build_folds_them_in(
        site: Path, tmp_path: Path) -> None:
    """A patch records the digests of the posts it parsed on their own (never the whole
    site's); the next full build reads them over the last full build's, so that words
    edited back as they were are still seen as changed since the pages were made."""
    path = site / "content/2025/post-29.md"
    before, digests = path.read_bytes(), plan_rows(site)["digests"]
    append(site, "post-29.md", "For a moment.")
    assert way(build(site)) == "PATCH"
    rows = plan_rows(site)
    assert rows["digests"] == digests and list(json.loads(rows["digests+"])) == [
        "content/2025/post-29.md"]
    path.write_bytes(before)  # and a new file, so that the build goes the full way,
    (site / "content/2025/picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # same shape
    assert way(build(site)) == "FULL"
    assert "digests+" not in plan_rows(site)
    assert_same(site, tmp_path)


def assert_repaired(site: Path, tmp_path: Path, damage: str, edited: str = "post-29.md") -> int:
    """After the SQL statement `damage` on the cache, an edit to `edited` goes the full
    way, which writes what was missing, and the next edit patches again: both give a
    full build's bytes. How many rows the damage touched."""
    with sqlite3.connect(site / ".cache/cache.sqlite") as db:
        touched = db.execute(damage).rowcount
    append(site, edited, "After the damage.")
    assert way(build(site)) == "FULL"
    assert_same(site, tmp_path)
    append(site, "post-29.md", "And after the repair.")
    assert way(build(site)) == "PATCH"
    assert_same(site, tmp_path)
    return touched


def test_a_damaged_record_of_patched_digests_sends_the_build_the_full_way(
        site: Path, tmp_path: Path) -> None:
    append(site, "post-29.md", "A first patch.")
    assert way(build(site)) == "PATCH"
    assert assert_repaired(site, tmp_path, "UPDATE plan SET data = replace(data, 'post', "
                           "'pest') WHERE name = 'digests+'", edited="post-03.md") == 1


@pytest.mark.parametrize("change", ["warning", "new file", "deleted", "draft", "tags.toml"])
def test_other_changes_go_the_full_way(site: Path, tmp_path: Path, change: str) -> None:
    content = site / "content"
    if change == "warning":
        append(site, "post-29.md", "```nosuchlang\nx\n```")
    elif change == "new file":
        (content / "2025/post-99.md").write_text(post("New", date="2025-12-30"))
    elif change == "deleted":
        (content / "2025/post-03.md").unlink()
    elif change == "draft":
        append(site, "hidden.md", "More draft words.")
    else:
        (content / "tags.toml").write_text('[birds]\nname = "Birds"\n', encoding="utf-8")
    run = build(site)
    assert way(run) == "FULL"
    assert ("nosuchlang" in run.err) == (change == "warning")
    assert_same(site, tmp_path)


def test_damaged_page_rows_send_the_build_the_full_way(site: Path, tmp_path: Path) -> None:
    assert assert_repaired(site, tmp_path,
                           "UPDATE pages SET data = replace(data, 'Post', 'Pest')") > 0


def test_rows_of_post_files_missing_send_the_build_the_full_way(site: Path,
                                                                tmp_path: Path) -> None:
    """Pages name their posts by number, and each number's post file is a row of its own
    (a patch reads those its pages show); without them the build goes the full way,
    and writes them again."""
    assert assert_repaired(site, tmp_path, "DELETE FROM pages WHERE name LIKE 'f%'") == 30


def test_an_output_file_removed_by_hand_is_made_again(site: Path, tmp_path: Path) -> None:
    page = next((site / "public/2025").rglob("post-29/index.html"))
    page.unlink()
    append(site, "post-29.md", "Written again.")
    assert way(build(site)) == "PATCH"
    assert page.exists()
    assert_same(site, tmp_path)


def test_the_demo_site_is_patched_as_it_is_built(tmp_path: Path) -> None:
    site = tmp_path / "demo"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    assert way(build(site)) == "FULL"
    for source in sorted((site / "content").rglob("*.md"))[::7]:
        with open(source, "a", encoding="utf-8") as handle:
            handle.write("\nA line the test added.\n")
    assert way(build(site)) == "PATCH"
    assert_same(site, tmp_path)


def test_posts_with_code_are_patched_as_they_are_built(tmp_path: Path) -> None:
    """An edit to the words of posts with code: their blocks are taken from their last
    versions (markup.reuse_highlighting), and the pages are a full build's."""
    site = tmp_path / "demo"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    assert way(build(site)) == "FULL"
    with_code = [p for p in sorted((site / "content").rglob("*.md"))
                 if "```" in (text := p.read_text(encoding="utf-8"))
                 and "\ndraft: true" not in text]  # a draft's edit goes the full way
    assert len(with_code) >= 4
    for source in with_code:
        with open(source, "a", encoding="utf-8") as handle:
            handle.write("\nA line the test added.\n")
    assert way(build(site)) == "PATCH"
    assert_same(site, tmp_path)


def test_with_the_search_index_an_edit_goes_the_full_way(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", posts(), TOML)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # the index is made from every post: no patch, no rows kept
        done = subprocess.run([sys.executable, "-c", PROBE, "build", "--source", str(site)],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip().splitlines()[-1] == "FULL"
        append(site, "post-29.md", "Searchable words.")
    with sqlite3.connect(site / ".cache/cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone() == (0,)


def test_an_edit_is_found_from_the_stamp_without_listing_the_files(site: Path,
                                                                   tmp_path: Path) -> None:
    """The last build's stamp names the files whose time or size changed (stamp.changes):
    a build after an edit reads those alone, and their rows in the cache."""
    for name in ("post-29.md", "post-03.md", "post-29.md"):
        append(site, name, f"Found from the stamp: {name}.")
        run = build(site)
        assert way(run) == "PATCH" and not scanned(run) and "(1 parsed," in run.out
    assert_same(site, tmp_path)


def test_without_the_last_stamp_an_edit_is_found_by_listing_the_files(site: Path,
                                                                      tmp_path: Path) -> None:
    (site / ".cache/stamp.bin").unlink()
    append(site, "post-12.md", "Found by the scan.")
    run = build(site)
    assert way(run) == "PATCH" and scanned(run)
    assert_same(site, tmp_path)
    append(site, "post-12.md", "Then from the stamp again.")
    run = build(site)
    assert way(run) == "PATCH" and not scanned(run)
    assert_same(site, tmp_path)


def test_a_post_touched_but_not_changed_is_nothing_to_do(site: Path, tmp_path: Path) -> None:
    path = site / "content/2025/post-12.md"
    info = path.stat()
    later = info.st_mtime_ns + 10**9
    os.utime(path, ns=(info.st_atime_ns, later))
    run = build(site)
    assert way(run) == "PATCH" and not scanned(run)
    assert "(0 parsed, 0 rendered, 0 written" in run.out
    with sqlite3.connect(site / ".cache/cache.sqlite") as db:  # its new time is kept
        row = db.execute("SELECT data FROM files WHERE name = ?",
                         ("content/2025/post-12.md",)).fetchone()
    assert row[0].split(" ")[:2] == [str(later), str(info.st_size)]
    assert_same(site, tmp_path)


def test_an_edit_and_a_new_image_go_the_full_way(site: Path, tmp_path: Path) -> None:
    append(site, "post-12.md", "With a picture.")
    (site / "content/2025/picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    run = build(site)
    assert way(run) == "FULL" and scanned(run)
    assert_same(site, tmp_path)
