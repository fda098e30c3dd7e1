"""The stamp's walk runs in a child process while the build is imported (walker.py): it
finds what a walk in this process finds, and when that is nothing to do it cuts the
imports short; when the child fails, this process walks by itself."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from sitegen import cli, launch, stamp, walker
from tests.conftest import make_site, post

POSTS = {"2025/first.md": post("First", body="The first words."),
         "2025/second.md": post("Second", date="2025-02-03", tags="[birds]",
                                body="The second words.")}
LONG = 120  # seconds: imports that only the child's signal ends sooner

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="walker.py forks")


def built(tmp_path: Path) -> stamp.Wanted:
    """A site built once, and stamp.take's arguments for a build like that one."""
    site = make_site(tmp_path / "site", POSTS)
    assert cli.main(["build", "--source", str(site), "--no-search", "--quiet"]) == 0
    return (site, None, None, False, False, False)


class Imports:
    """Stands for the build's imports: a long sleep, noting how far it got."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds, self.steps = seconds, list[str]()

    def __call__(self) -> None:
        self.steps.append("started")
        time.sleep(self.seconds)
        self.steps.append("finished")


def test_nothing_to_do_cuts_the_imports_short(tmp_path: Path) -> None:
    wanted = built(tmp_path)
    imports = Imports(LONG)
    walked = walker.walk_while(wanted, imports)
    assert imports.steps in ([], ["started"])  # the signal may come before they start
    assert walked.unchanged is not None
    assert walked.unchanged == stamp.unchanged(stamp.take(*wanted))
    assert walked.unchanged[1]["posts"] == 2


def test_a_change_is_found_as_this_process_finds_it(tmp_path: Path) -> None:
    wanted = built(tmp_path)
    (tmp_path / "site/content/2025/first.md").write_text(
        post("First", body="Other words."), encoding="utf-8")
    imports = Imports()
    walked = walker.walk_while(wanted, imports)
    here = stamp.take(*wanted)
    assert imports.steps == ["started", "finished"] and walked.unchanged is None
    assert walked.taken is not None and here is not None
    assert walked.taken.data == here.data and walked.taken.wanted == wanted
    assert walked.taken.walk.folders == here.walk.folders
    assert walked.taken.content == here.content
    changed = stamp.changes(walked.taken, 50)
    assert changed is not None and changed == stamp.changes(here, 50)
    assert [path for path, _ in changed[1]] == ["content/2025/first.md"]


def test_a_stamp_that_cannot_be_trusted_is_none_here_too(tmp_path: Path) -> None:
    wanted = built(tmp_path)
    (tmp_path / "site/content/link.md").symlink_to(tmp_path / "site/content/2025/first.md")
    walked = walker.walk_while(wanted, Imports())
    assert walked.taken is None and walked.unchanged is None


def test_a_child_that_fails_leaves_the_walk_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = built(tmp_path)
    parent, take = os.getpid(), stamp.take

    def fails_in_the_child(*args: object) -> stamp.Taken | None:
        if os.getpid() != parent:
            raise MemoryError
        return take(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(stamp, "take", fails_in_the_child)
    imports = Imports()
    walked = walker.walk_while(wanted, imports)
    assert imports.steps == ["started", "finished"]  # no signal came
    assert walked.unchanged == stamp.unchanged(take(*wanted))
    assert walked.unchanged is not None


def tree_site(tmp_path: Path, layout: str) -> stamp.Wanted:
    """A site whose content/ is laid out as `layout` says, for the halves of a walk."""
    site = make_site(tmp_path / "site", {} if layout == "none" else POSTS)
    content = site / "content"
    if layout == "none":
        content.rmdir()
    elif layout == "flat":
        for n in range(5):
            (content / f"note-{n}.md").write_text(post(f"Note {n}"), encoding="utf-8")
    elif layout == "years":
        for year in range(2011, 2020):
            for n in range(year % 4 + 1):
                folder = content / str(year) / ("deeper" if n == 2 else "")
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"p{n}.md").write_text(post(f"P {year} {n}"), encoding="utf-8")
        for hidden in (".drafts", "_private", "__pycache__"):
            (content / hidden).mkdir()
            (content / hidden / "x.md").write_text("x", encoding="utf-8")
        (content / "empty").mkdir()
        (content / "about.md").write_text(post("About"), encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/extra.html").write_text("{{ 1 }}", encoding="utf-8")
    return (site, None, None, False, False, False)


@pytest.mark.parametrize("layout", ["years", "flat", "posts", "none"])
def test_two_halves_of_a_walk_make_the_walk(tmp_path: Path, layout: str) -> None:
    wanted = tree_site(tmp_path, layout)
    first, second = stamp.take_share(wanted, 0), stamp.take_share(wanted, 1)
    whole = stamp.take(*wanted)
    assert first is not None and second is not None and whole is not None
    made = stamp.joined(wanted, first, second)
    assert made is not None
    assert made.data == whole.data and made.walk.folders == whole.walk.folders
    assert made.content == whole.content and made.walk.names == whole.walk.names
    two = walker._take_two(wanted)
    assert two is not None and two.data == whole.data and two.content == whole.content


def test_a_symlink_in_either_half_gives_no_stamp(tmp_path: Path) -> None:
    wanted = tree_site(tmp_path, "years")
    content = tmp_path / "site/content"
    for folder in [content, content / "2014/deeper", *sorted(content.glob("20??"))]:
        link = folder / "link.md"
        link.symlink_to(tmp_path / "site/site.toml")
        assert stamp.take(*wanted) is None and walker._take_two(wanted) is None, folder
        link.unlink()
    assert walker._take_two(wanted) is not None


def test_when_the_helper_fails_this_process_walks_it_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = tree_site(tmp_path, "years")
    parent, share = os.getpid(), stamp.take_share

    def fails_in_the_helper(*args: object) -> stamp.Share | None:
        if os.getpid() != parent:
            raise MemoryError
        return share(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(stamp, "take_share", fails_in_the_helper)
    whole, two = stamp.take(*wanted), walker._take_two(wanted)
    assert whole is not None and two is not None and two.data == whole.data


def test_ctrl_c_during_the_imports_stops_the_walk_too(tmp_path: Path) -> None:
    wanted = tree_site(tmp_path, "years")

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        walker.walk_while(wanted, interrupted)
    with pytest.raises(ChildProcessError):  # the child was killed and waited for
        os.waitpid(-1, os.WNOHANG)


def test_ctrl_c_before_the_build_is_told_not_traced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    wanted = tree_site(tmp_path, "flat")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(walker, "walk_while", interrupted)
    monkeypatch.setattr(sys, "argv", ["sitegen", "build", "--source", str(wanted[0])])
    assert launch.main() == 130
    assert capsys.readouterr().err == f"{launch.INTERRUPTED}\n"
