"""The output folder's record of what sitegen wrote there, and the journal of a commit.

`.sitegen-manifest` at the output folder's root lists every file sitegen wrote, one a
line: the fingerprint of its inputs, a digest of its bytes, its path (output paths
hold no control characters, so no newline). It is how sitegen knows,
without its cache, which files are its own: it overwrites and deletes those alone.
Its first line carries a digest of the list (two builds of the same input write the
same manifest), so a build can tell cheaply whether the folder is as it left it.

`.sitegen-journal` is written just before a commit starts moving files into place
and removed when it is done. A build that finds one finishes that commit first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import pathlines

MANIFEST = ".sitegen-manifest"
JOURNAL = ".sitegen-journal"
HEADER = "sitegen-manifest 1"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one build left in the output folder."""

    id: str = ""  # a digest of `files`; "" for a folder no build has written yet
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # path → (fingerprint,
    # digest of the bytes)
    damaged: bool = False  # the folder is sitegen's, but its file list could not be read
    text: str = field(default="", compare=False, repr=False)  # `files` as written, if known


@dataclass(frozen=True, slots=True)
class Journal:
    """A commit under way: move the staged files into place, delete the gone ones."""

    staging: str  # the staging folder's name, beside the output folder
    moves: tuple[str, ...]  # output paths whose new bytes wait in the staging folder
    deletes: tuple[str, ...]  # output paths sitegen wrote that left the plan


def digest(data: bytes) -> str:
    """The digest of a file's bytes, as the manifest records it."""
    return hashlib.sha256(data).hexdigest()[:32]


def make(files: dict[str, tuple[str, str]]) -> Manifest:
    text = _files_text(files)
    return Manifest(hashlib.sha256(text.encode()).hexdigest()[:16], files, text=text)


def read_id(folder: Path) -> str | None:
    """The id of `folder`'s manifest; None when it has none."""
    try:
        with open(folder / MANIFEST, encoding="utf-8") as handle:
            first = handle.readline(200)
    except (OSError, UnicodeDecodeError):
        return None
    head, _, build_id = first.rstrip("\n").rpartition(" ")
    return build_id if head == HEADER else None


@dataclass(frozen=True, slots=True)
class Listed:
    """A manifest as its bytes, for a build that changes a few of its lines (patch.py):
    reading 150,000 lines into `Manifest.files`, or even decoding them, and writing
    them back out takes longer than the rest of such a build's bookkeeping. Only the
    lines asked for are read, found by bisection (the lines are sorted by path)."""

    id: str
    text: bytes  # the file as written: the header, then the lines
    start: int  # where the lines start in `text`
    found: dict[str, tuple[int, int, tuple[str, str]] | None] = field(
        default_factory=dict, init=False, compare=False, repr=False)  # _line's answers

    def get(self, path: str) -> tuple[str, str] | None:
        """(fingerprint, digest) of `path`; None when it is not listed."""
        found = self._line(path)
        return None if found is None else found[2]

    def _line(self, path: str) -> tuple[int, int, tuple[str, str]] | None:
        """Where `path`'s line starts and ends, and what it records. A path holds no
        newline but may hold spaces; a fingerprint and a digest hold none."""
        if path not in self.found:
            self.found[path] = self._search(path)
        return self.found[path]

    def _search(self, path: str) -> tuple[int, int, tuple[str, str]] | None:
        name = path.encode()
        found = pathlines.find(self.text, name, b" ", 1, self.start)
        if found is None:
            return None
        start, at = found
        fingerprint, _, digest = self.text[start:at].decode().partition(" ")
        return start, at + len(name) + 2, (fingerprint, digest)

    def replaced(self, changes: dict[str, tuple[str, str]]) \
            -> tuple[str, list[bytes | memoryview]] | None:
        """The id of the manifest with these paths' lines replaced in place (the order
        kept), and its bytes in pieces, to write one after the other (most are views of
        the manifest read: at 100,000 posts it is 20 MB, and each copy of it took
        20-40 ms here); None when a path is not listed."""
        spans = []
        for path, (fingerprint, digest) in changes.items():
            found = self._line(path)
            if found is None:
                return None
            spans.append((found[0], found[1], f"{fingerprint} {digest} {path}\n".encode()))
        lines = pathlines.pieces(memoryview(self.text), spans, self.start)
        hashed = hashlib.sha256()
        for piece in lines:
            hashed.update(piece)
        made = hashed.hexdigest()[:16]
        return made, [f"{HEADER} {made}\n".encode(), *lines]


def read_listed(folder: Path) -> Listed | None:
    """`folder`'s manifest as its bytes; None when it has none or cannot be read."""
    try:
        text = (folder / MANIFEST).read_bytes()
        end = text.find(b"\n")
        kind, _, build_id = text[:end].decode().rpartition(" ")
    except (OSError, UnicodeDecodeError):
        return None
    return Listed(build_id, text, end + 1) if kind == HEADER and end >= 0 else None


def read(folder: Path) -> Manifest | None:
    """The manifest of `folder`; None when sitegen never wrote there."""
    build_id = read_id(folder)
    if build_id is None:
        return None
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8").partition("\n")[2]
        files = {path: (fp, digest) for fp, digest, path in
                 (line.split(" ", 2) for line in text.split("\n")[:-1])}
    except (OSError, ValueError):
        return Manifest(build_id, {}, damaged=True)
    if not all_inside(files):  # not written by sitegen: trust none of it
        return Manifest(build_id, {}, damaged=True)
    return Manifest(build_id, files)


def inside(path: str) -> bool:
    """Whether `path` names a file inside the folder: relative, no '..', one line."""
    return path.isprintable() and not path.startswith("/") and all(
        part not in ("", ".", "..") for part in path.split("/"))


def all_inside(paths: Collection[str]) -> bool:
    """Whether every path is `inside`, checked at once: joined by '/' between slashes,
    an empty, '.' or '..' part of any of them (a leading '/' is an empty first part)
    shows as '//', '/./' or '/../' (a manifest's 30,000 paths: 8 times faster)."""
    if not paths:
        return True
    joined = f"/{'/'.join(paths)}/"
    return joined.isprintable() and not any(
        bad in joined for bad in ("//", "/./", "/../"))


def dump(manifest: Manifest) -> bytes:
    return f"{HEADER} {manifest.id}\n{manifest.text or _files_text(manifest.files)}".encode()


def _files_text(files: dict[str, tuple[str, str]]) -> str:
    """One line a file, sorted by path (so that Listed finds a line by bisection)."""
    return "".join([f"{fp} {digest} {path}\n" for path, (fp, digest) in sorted(files.items())])


def write(folder: Path, manifest: Manifest) -> None:
    """Replace `folder`'s manifest in one step: a build killed meanwhile leaves the old."""
    temporary = folder / f"{MANIFEST}.tmp"
    temporary.write_bytes(dump(manifest))
    os.replace(temporary, folder / MANIFEST)


def write_journal(folder: Path, journal: Journal) -> None:
    data = json.dumps({"staging": journal.staging, "moves": journal.moves,
                       "deletes": journal.deletes}, ensure_ascii=False)
    temporary = folder / f"{JOURNAL}.tmp"
    temporary.write_text(data, encoding="utf-8")
    os.replace(temporary, folder / JOURNAL)


def read_journal(folder: Path) -> Journal | None:
    """The journal of an interrupted commit, if one was left."""
    (folder / f"{JOURNAL}.tmp").unlink(missing_ok=True)  # a journal never finished
    try:
        raw = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
        journal = Journal(str(raw["staging"]), tuple(map(str, raw["moves"])),
                          tuple(map(str, raw["deletes"])))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return Journal("", (), ())  # unreadable: the next build renders every page again
    staged_here = journal.staging.startswith(f".{folder.name}.new-") and "/" not in \
        journal.staging
    if not staged_here or not all(map(inside, (*journal.moves, *journal.deletes))):
        return Journal("", (), ())  # not sitegen's: never act on it
    return journal


def remove_journal(folder: Path) -> None:
    (folder / JOURNAL).unlink(missing_ok=True)
