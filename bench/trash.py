"""Folders a run no longer needs are set aside, not removed, until the run is over.

Why: on ext4 without a journal (this project's machine), creating a file skips, one
by one, every free inode of its block group that was freed in the last minute, or in
the last six while its inode table block is unwritten (a build keeps writing new
inodes into those blocks). A cold build of 10,000 posts started right after its last
output was removed (44,000 files and folders) spent 8–25 s in the kernel, most of it
in that skipping (`perf`: ext4 `recently_deleted`, `find_inode_bit`), against 2.8 s
with nothing freed in the last six minutes: the figure depended on what the run had
removed before, not on the generator. So a run renames what it clears into
`bench/out/trash/`, removes the trash at its end, and the next run waits, if need
be, until that removal is six minutes old (`settle`).
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

TRASH = Path(__file__).resolve().parent / "out" / "trash"
EMPTIED = TRASH.with_name(".trash-emptied")  # its time: when the trash was last removed
SETTLE_S = 361.0  # ext4's six minutes for a freed inode whose block is unwritten, and a second


def set_aside(paths: list[Path]) -> None:
    """Move each of `paths` that exists into the trash (a rename); one on another file
    system than bench/out/ is removed at once instead."""
    TRASH.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            path.rename(TRASH / f"{time.time_ns()}-{path.name}")
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def empty() -> None:
    """Remove the trash, and note when."""
    if TRASH.exists():
        print(f"removing the folders set aside in {TRASH} …", flush=True)
        shutil.rmtree(TRASH)
        EMPTIED.parent.mkdir(parents=True, exist_ok=True)
        EMPTIED.touch()


def settle() -> None:
    """Before a run: empty a trash an interrupted run left, and wait until the last
    removal is SETTLE_S old."""
    empty()
    os.sync()
    since = time.time() - EMPTIED.stat().st_mtime if EMPTIED.exists() else SETTLE_S
    if since < SETTLE_S:
        print(f"waiting {SETTLE_S - since:.0f} s for the files removed last to age "
              "(see bench/trash.py) …", flush=True)
        time.sleep(SETTLE_S - since)
