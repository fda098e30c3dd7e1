"""Write the planned pages: into a fresh folder swapped in at the end, or in place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType

from sitegen.errors import BuildErrors, OutputError, SiteError
from sitegen.pages import Page


def check_paths(pages: Iterable[Page], sources: dict[str, str]) -> None:
    """Refuse a path that leaves the output folder, and two pages for one path."""
    errors: list[SiteError] = []
    owners: dict[str, str] = {}
    for page in pages:
        owner = sources.get(page.path, page.template or page.kind)
        parts = PurePosixPath(page.path).parts
        if page.path.startswith("/") or ".." in parts or not parts:
            errors.append(OutputError(owner, None, f"output path {page.path!r} would leave "
                                      "the output folder; check the slug and permalink"))
        elif page.path in owners and owners[page.path] != owner:
            errors.append(OutputError(owner, None, f"writes {page.path}, which "
                                      f"{owners[page.path]} also writes; change one of them"))
        owners.setdefault(page.path, owner)
    if errors:
        raise BuildErrors(errors)


class Staging:
    """A fresh folder beside the output folder; on success it replaces the output whole.

    Files whose bytes did not change are hard-linked from the old output (a copy where
    links are not possible), so unchanged files keep their times.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-",
                                          dir=self.out_dir.parent))
        self.root.chmod(0o755)
        self.changed = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self._swap()
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def write(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        old = self.out_dir / path
        if _same_bytes(old, data) and self.keep(path):
            return
        target.write_bytes(data)
        self.changed += 1

    def keep(self, path: str) -> bool:
        """Carry a file over from the old output unchanged; False when there is none."""
        old = self.out_dir / path
        if not old.is_file():
            return False
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)
        return True

    def _swap(self) -> None:
        previous = None
        if self.out_dir.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.old-",
                                             dir=self.out_dir.parent))
            os.replace(self.out_dir, previous / "site")
        os.replace(self.root, self.out_dir)
        if previous:
            shutil.rmtree(previous, ignore_errors=True)


class InPlace:
    """Writes into the output folder as it stands (the dev server's mode): each changed
    file is replaced atomically, files that left the plan are deleted at the end."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.root = self.out_dir
        self.changed = 0
        self.planned: set[str] = set()

    def __enter__(self) -> InPlace:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self._delete_unplanned()

    def write(self, path: str, data: bytes) -> None:
        self.planned.add(path)
        target = self.out_dir / path
        if _same_bytes(target, data):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self.changed += 1

    def keep(self, path: str) -> bool:
        self.planned.add(path)
        return (self.out_dir / path).is_file()

    def _delete_unplanned(self) -> None:
        for file in sorted(self.out_dir.rglob("*"), reverse=True):
            rel = file.relative_to(self.out_dir).as_posix()
            if file.is_file() and rel not in self.planned:
                file.unlink()
            elif file.is_dir() and not any(file.iterdir()):
                file.rmdir()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
