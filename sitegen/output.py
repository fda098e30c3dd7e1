"""Write the planned pages: changed files are staged first, then moved into place.

A build renders every changed page into a staging folder beside the output folder.
Only when every page rendered does `commit` move the staged files into place (each
move is an atomic rename on the same file system) and delete files that left the
plan. A failed build removes its staging folder and leaves the output as it was.
Unchanged files are never rewritten, so their times stay as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sitegen.errors import BuildErrors, OutputError, SiteError
from sitegen.pages import Page


def check_paths(pages: Iterable[Page]) -> None:
    """Refuse a path that leaves the output folder, and two pages for one path."""
    errors: list[SiteError] = []
    owners: dict[str, str] = {}
    for page in pages:
        owner = page.owner
        if page.path.startswith("/") or ".." in page.path.split("/") or not page.path:
            errors.append(OutputError(owner, None, f"output path {page.path!r} would leave "
                                      "the output folder; check the slug and permalink"))
        elif page.path in owners:
            errors.append(OutputError(owner, None, f"writes {page.path}, which "
                                      f"{owners[page.path]} also writes; change one of them"))
        owners.setdefault(page.path, owner)
    if errors:
        raise BuildErrors(errors)


class Output:
    """The output folder and the staging folder beside it.

    For a first build the staging folder is laid out as the site and renamed into place
    whole; otherwise staged files lie flat, named by their path's digest, and each is
    moved to its place (fewer folders to make and remove for a few changed pages).
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-",
                                             dir=self.out_dir.parent))
        self.staging.chmod(0o755)
        self.fresh = not self.out_dir.exists()
        self._folders = {str(self.staging), str(self.out_dir)}  # folders known to exist

    def has(self, path: str) -> bool:
        return os.path.isfile(f"{self.out_dir}/{path}")

    def write(self, path: str, data: bytes) -> bool:
        """Stage `data` for `path` unless the output already holds these bytes."""
        if not self.fresh and _same_bytes(self.out_dir / path, data):
            return False
        target = self._staged(path)
        self._make_folder(os.path.dirname(target))
        _write_file(target, data)
        return True

    def _staged(self, path: str) -> str:
        if self.fresh:
            return f"{self.staging}/{path}"
        return f"{self.staging}/{hashlib.sha256(path.encode()).hexdigest()[:32]}"

    def _make_folder(self, folder: str) -> None:
        """Make a folder under the staging or output folder, parents first: one system
        call per new folder (a first build makes one for nearly every page). Another
        worker may make it too."""
        parent = os.path.dirname(folder)
        if folder in self._folders or parent == folder:
            return
        self._make_folder(parent)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
        self._folders.add(folder)

    def commit(self, written: Iterable[str], planned: set[str],
               previous: Iterable[str] | None) -> int:
        """Move the `written` files into place; delete outputs that left the plan. Returns
        the number deleted. `previous` lists the last build's outputs, when known."""
        if self.fresh:
            os.replace(self.staging, self.out_dir)
            return 0
        for path in written:
            target = f"{self.out_dir}/{path}"
            self._make_folder(os.path.dirname(target))
            os.replace(self._staged(path), target)
        self.staging.rmdir()
        return self._delete_unplanned(planned, previous)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _delete_unplanned(self, planned: set[str], previous: Iterable[str] | None) -> int:
        if previous is None:
            previous = (p.relative_to(self.out_dir).as_posix()
                        for p in self.out_dir.rglob("*") if p.is_file())
        gone = sorted(set(previous) - planned)
        for path in gone:
            (self.out_dir / path).unlink(missing_ok=True)
            _remove_empty_parents(self.out_dir / path, self.out_dir)
        return len(gone)


def _remove_empty_parents(path: Path, root: Path) -> None:
    folder = path.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _write_file(path: str, data: bytes) -> None:
    """Write a new file with plain system calls (a first build writes 20,000)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
