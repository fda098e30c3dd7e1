"""A build with nothing to do answers from the last build's stamp, without importing the
build; any change to what a build reads, to its options or to its output folder makes
it look again, and publish the change."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen import cache, content, manifest, stamp
from tests.conftest import ROOT, Run, make_site, post, tree

# Runs the CLI in this process's way and says afterwards whether the build was imported.
PROBE = ("import sys\nfrom sitegen.cli import main\ncode = main(sys.argv[1:])\n"
         "print('FULL' if 'sitegen.build' in sys.modules else 'QUICK', file=sys.stderr)\n"
         "sys.exit(code)\n")
POSTS = {"2025/first.md": post("First", body="The first words."),
         "2025/second.md": post("Second", date="2025-02-03", tags="[birds]",
                                body="The second words."),
         "2025/hidden.md": post("Hidden", date="2025-03-04", draft="true",
                                body="Draft words.")}


def build(site: Path, *args: str, now: str = "", search: bool = False) -> Run:
    """`sitegen build` (without the search index unless `search`, to be quick)."""
    args = args if search else (*args, "--no-search")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if now:
        env["SITEGEN_NOW"] = now
    done = subprocess.run([sys.executable, "-c", PROBE, "build", "--source", str(site),
                           *args], env=env, capture_output=True, text=True, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)


def way(run: Run) -> str:
    assert run.code == 0, run.err
    return run.err.strip().splitlines()[-1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    made = make_site(tmp_path / "site", POSTS)
    assert way(build(made)) == "FULL"
    return made


@pytest.mark.parametrize("search", [True, False])
def test_a_build_with_nothing_to_do_does_not_import_the_build(site: Path, search: bool) -> None:
    if search:  # the fixture built without the search index: another option
        assert way(build(site, search=True)) == "FULL"
    before = tree(site / "public")
    first = build(site, search=search)
    assert way(first) == "QUICK"
    assert "Built 2 posts" in first.out and "(0 parsed, 0 rendered, 0 written" in first.out
    assert tree(site / "public") == before
    assert way(build(site, search=search)) == "QUICK"


def _append(site: Path) -> str:
    with open(site / "content/2025/first.md", "a", encoding="utf-8") as handle:
        handle.write("\nA sentence added later.\n")
    return "A sentence added later."


def _template(site: Path) -> str:
    (site / "templates").mkdir()
    base = (ROOT / "templates/base.html").read_text(encoding="utf-8")
    (site / "templates/base.html").write_text(
        base.replace("</body>", "<p>From the site's template.</p></body>"), encoding="utf-8")
    return "From the site's template."


def _static(site: Path) -> str:
    (site / "static").mkdir()
    (site / "static/extra.css").write_text("p { color: teal }\n", encoding="utf-8")
    return "teal"


def _root_file(site: Path) -> str:
    (site / "root").mkdir()
    (site / "root/CNAME").write_text("links.example.org\n", encoding="utf-8")
    return "links.example.org"


def _settings(site: Path) -> str:
    (site / "site.toml").write_text('title = "Renamed Site"\nbase_url = "https://example.org/"\n',
                                    encoding="utf-8")
    return "Renamed Site"


def _new_post(site: Path) -> str:
    (site / "content/2025/third.md").write_text(post("Third", date="2025-04-05",
                                                     body="Brand new words."), encoding="utf-8")
    return "Brand new words."


CHANGES: dict[str, Callable[[Path], str]] = {
    "post edited": _append, "template": _template, "static file": _static,
    "root file": _root_file, "site.toml": _settings, "post added": _new_post}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_what_a_build_reads_is_published(site: Path, change: str) -> None:
    shown = CHANGES[change](site)
    assert way(build(site)) == "FULL"
    assert any(shown.encode() in data for data in tree(site / "public").values())
    assert way(build(site)) == "QUICK"


def test_a_deleted_post_is_unpublished(site: Path) -> None:
    (site / "content/2025/second.md").unlink()
    run = build(site)
    assert way(run) == "FULL" and "Built 1 posts" in run.out
    assert not any(b"The second words." in d for d in tree(site / "public").values())


@pytest.mark.parametrize("option", [("--drafts",), ("--base-url", "https://other.example/x/")])
def test_other_options_make_the_build_look_again(site: Path, option: tuple[str, ...]) -> None:
    assert way(build(site, *option)) == "FULL"
    assert way(build(site, *option)) == "QUICK"
    assert way(build(site)) == "FULL"


def test_an_output_folder_changed_since_is_rebuilt(site: Path) -> None:
    other = build(site, "--no-cache", "--drafts")  # another build wrote the folder
    assert way(other) == "FULL"
    assert way(build(site)) == "FULL"
    assert not (site / "public/2025/Mar/4/hidden").exists()
    assert way(build(site)) == "QUICK"


def test_a_removed_output_folder_is_rebuilt(site: Path) -> None:
    before = tree(site / "public")
    for path in sorted((site / "public").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (site / "public").rmdir()
    assert way(build(site)) == "FULL"
    assert tree(site / "public") == before


@pytest.mark.parametrize("left", ["public/.sitegen-journal", ".public.lock",
                                  ".public.new-4242/.sitegen-staging"])
def test_what_a_stopped_build_left_makes_the_build_look_again(site: Path, left: str) -> None:
    (site / left).parent.mkdir(exist_ok=True)
    (site / left).write_text("", encoding="utf-8")
    run = build(site)
    assert way(run) == "FULL", run.err
    assert way(build(site)) == "QUICK"


def test_a_damaged_stamp_is_ignored(site: Path) -> None:
    (site / ".cache/stamp.bin").write_text("{not json", encoding="utf-8")
    assert way(build(site)) == "FULL"
    assert way(build(site)) == "QUICK"


def test_a_symlink_among_the_inputs_turns_the_shortcut_off(site: Path) -> None:
    (site / "shared").mkdir()
    (site / "shared/linked.md").write_text(post("Linked", body="Linked words."),
                                           encoding="utf-8")
    (site / "content/linked").symlink_to(site / "shared")
    assert way(build(site)) == "FULL"
    assert way(build(site)) == "FULL"  # the target may change without the link changing
    with open(site / "shared/linked.md", "a", encoding="utf-8") as handle:
        handle.write("\nLater linked words.\n")
    assert way(build(site)) == "FULL"
    assert any(b"Later linked words." in d for d in tree(site / "public").values())


def test_a_scheduled_post_goes_out_when_its_time_comes(site: Path) -> None:
    (site / "content/2025/later.md").write_text(
        post("Later", date="2026-12-01T08:00:00Z", body="Words for later."), encoding="utf-8")
    assert way(build(site, now="2026-11-30T09:00:00Z")) == "FULL"
    assert way(build(site, now="2026-11-30T10:00:00Z")) == "QUICK"
    run = build(site, now="2026-12-01T09:00:00Z")
    assert way(run) == "FULL" and "Built 3 posts" in run.out
    assert any(b"Words for later." in d for d in tree(site / "public").values())


def test_strict_fails_on_the_last_builds_warnings_without_building(tmp_path: Path) -> None:
    made = make_site(tmp_path / "site", {"a.md": post("A", body="```nosuchlang\nx\n```")})
    assert way(build(made)) == "FULL"
    run = build(made, "--strict")
    assert run.code == 1 and "nosuchlang" in run.err and "--strict" in run.err
    assert run.err.strip().splitlines()[-1] == "QUICK"


def test_no_cache_always_builds(site: Path) -> None:
    assert way(build(site, "--no-cache")) == "FULL"
    assert way(build(site, "--no-cache")) == "FULL"


def test_the_stamp_knows_the_names_the_build_writes() -> None:
    """stamp.py does not import manifest.py or cache.py (too slow to import for a
    build with nothing to do): its copies of their names must stay theirs."""
    assert (stamp.MANIFEST, stamp.MANIFEST_HEADER, stamp.JOURNAL) == \
        (manifest.MANIFEST, manifest.HEADER, manifest.JOURNAL)
    assert stamp.CACHE_DIR == cache.CACHE_DIR


def test_the_stamp_lists_the_content_files_as_the_scan_does(tmp_path: Path) -> None:
    """A build that has something to do takes its list of posts from the stamp's walk:
    it must be the scan's own, hidden files and folders left out, nested folders in."""
    made = make_site(tmp_path / "site", POSTS)
    for name in ("2025/.draft.md.swp", "2025/_notes.md", "_drafts/a.md", ".git/HEAD",
                 "2024/deep/er/post.md", "2024/__pycache__/x.pyc", "about.md"):
        (made / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (made / "content" / name).write_text("words\n", encoding="utf-8")
    taken = stamp.take(made, None, None, False, False, False)
    assert taken is not None
    listed, errors = content._walk(made)
    assert not errors and taken.content == sorted(listed)
    assert "content/2024/deep/er/post.md" in dict(taken.content)
    assert not any("/." in path or "/_" in path for path, _ in taken.content)


def test_the_stamp_tells_a_file_from_a_folder_and_a_missing_one(tmp_path: Path) -> None:
    made = make_site(tmp_path / "site", POSTS)
    before = stamp.take(made, None, None, False, False, False)
    (made / "static").mkdir(exist_ok=True)
    (made / "static" / "empty").mkdir()
    after = stamp.take(made, None, None, False, False, False)
    (made / "static" / "empty").rmdir()
    (made / "static" / "empty").write_bytes(b"")
    as_file = stamp.take(made, None, None, False, False, False)
    assert before and after and as_file
    assert len({before.data, after.data, as_file.data}) == 3


def test_a_file_time_past_2261_turns_the_shortcut_off(site: Path) -> None:
    """A time 64 bits of nanoseconds cannot hold (a file from a broken archive, say):
    no stamp, no traceback; the build looks for itself, and says nothing changed."""
    late = 10_400_000_000 * 10**9  # in the year 2299
    os.utime(site / "content/2025/first.md", ns=(late, late))
    assert stamp.take(site, None, None, False, False, False) is None
    assert way(build(site)) == "FULL"
    run = build(site)
    assert way(run) == "FULL" and "0 rendered" in run.out


def test_an_earlier_versions_stamp_file_is_removed(tmp_path: Path) -> None:
    made = make_site(tmp_path / "site", POSTS)
    (made / ".cache").mkdir()
    (made / ".cache/stamp.json").write_text('{"stamp": ""}', encoding="utf-8")
    assert way(build(made)) == "FULL"
    assert not (made / ".cache/stamp.json").exists()
    assert (made / ".cache/stamp.bin").exists()


def _later(path: Path) -> None:
    """A newer time for the file, whatever the clock's resolution."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))


def test_the_stamp_names_the_content_files_changed_since_the_last_build(site: Path) -> None:
    """A build after an edit learns what changed from the stamp alone (stamp.changes):
    the visible files under content/ whose time or size changed, when nothing else
    did, with the inputs digest the cache must hold for that to be true."""
    _append(site)
    _later(site / "content/2025/second.md")  # touched, not changed: still named
    taken = stamp.take(site, None, None, False, False, False)
    assert taken is not None
    found = stamp.changes(taken, 50)
    assert found is not None
    inputs, files = found
    assert inputs == cache.load_state(site).inputs != ""
    first = (site / "content/2025/first.md").stat()
    assert files == [("content/2025/first.md", (first.st_mtime_ns, first.st_size)),
                     ("content/2025/second.md", files[1][1])]


def _hidden_file(site: Path) -> str:
    _later(site / "content/2025/.notes.txt")
    return ""


@pytest.mark.parametrize("change", [*CHANGES.keys() - {"post edited"}, "hidden file"])
def test_any_other_change_is_not_read_from_the_stamp(site: Path, change: str) -> None:
    (site / "content/2025/.notes.txt").write_text("an editor's file\n", encoding="utf-8")
    assert way(build(site)) == "FULL"
    _append(site)
    {**CHANGES, "hidden file": _hidden_file}[change](site)
    taken = stamp.take(site, None, None, False, False, False)
    assert taken is not None and stamp.changes(taken, 50) is None


def test_no_last_stamp_no_changes(site: Path) -> None:
    (site / ".cache" / stamp.STAMP_FILE).unlink()
    _append(site)
    taken = stamp.take(site, None, None, False, False, False)
    assert taken is not None and stamp.changes(taken, 50) is None


def test_more_changed_files_than_wanted_are_not_named(site: Path) -> None:
    _append(site)
    _later(site / "content/2025/second.md")
    taken = stamp.take(site, None, None, False, False, False)
    assert taken is not None
    assert stamp.changes(taken, 1) is None
    found = stamp.changes(taken, 2)
    assert found is not None and len(found[1]) == 2


def test_a_post_in_a_folder_of_its_own_is_named(tmp_path: Path) -> None:
    """A site of page bundles has a folder for each post."""
    bundles = {f"2025/post-{n}/index.md": post(f"Post {n}", date=f"2025-01-{n + 1:02}",
                                               body=f"Words {n}.") for n in range(12)}
    made = make_site(tmp_path / "site", bundles)
    assert way(build(made)) == "FULL"
    with open(made / "content/2025/post-7/index.md", "a", encoding="utf-8") as handle:
        handle.write("\nMore words.\n")
    taken = stamp.take(made, None, None, False, False, False)
    assert taken is not None
    found = stamp.changes(taken, 50)
    assert found is not None and [path for path, _ in found[1]] == [
        "content/2025/post-7/index.md"]
