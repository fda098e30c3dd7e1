"""bench/trash.py: a bench run sets aside what it clears and removes it at its end."""

from pathlib import Path

import pytest

from bench import trash


@pytest.fixture
def bin_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(trash, "TRASH", tmp_path / "out" / "trash")
    monkeypatch.setattr(trash, "EMPTIED", tmp_path / "out" / ".trash-emptied")
    return tmp_path


def test_a_cleared_folder_is_moved_aside_with_its_files_until_the_trash_is_emptied(
        bin_at: Path) -> None:
    site = bin_at / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "post.md").write_text("x")
    inode = (site / "content" / "post.md").stat().st_ino
    trash.set_aside([site, bin_at / "never-made"])
    assert not site.exists()
    kept = list(trash.TRASH.rglob("post.md"))
    assert [p.stat().st_ino for p in kept] == [inode]  # renamed, not copied or removed
    trash.empty()
    assert not trash.TRASH.exists() and trash.EMPTIED.exists()


def test_a_run_waits_until_the_last_removal_is_six_minutes_old(
        bin_at: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    monkeypatch.setattr("os.sync", lambda: None)  # the whole disk: slow here
    trash.settle()  # nothing removed before: no wait
    assert slept == []
    (bin_at / "old").mkdir()
    trash.set_aside([bin_at / "old"])
    trash.settle()  # an interrupted run's trash: removed now, so a full wait
    assert not trash.TRASH.exists()
    assert len(slept) == 1 and trash.SETTLE_S - 5 < slept[0] <= trash.SETTLE_S
