"""A build's stamp: the name, size and modification time of every file a build reads.

A build whose stamp equals the last finished build's, into an output folder that
build left as it was, has nothing to do. `sitegen build` checks that before it imports
the build itself (Markdown, Jinja, lxml: about 0.3 s of imports), so a build with
nothing to do takes little more than Python's own start.

The check is the cautious one: every file under content/, templates/, static/ and
root/, site.toml, the built-in theme and sitegen's own code counts, hidden files too;
a symlink anywhere in them turns the check off (what it leads to may change unseen),
and so does anything odd about the output folder (a commit's journal, a staging
folder, another build's lock). Then the build looks for itself, as before.
The stamp is taken before the build reads a file, so a file saved during a build
makes the next build look again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import __version__, dates, manifest, theme

STAMP_FILE = "stamp.json"  # in the site's .cache/, beside the cache database
CACHE_DIR = ".cache"  # cache.CACHE_DIR (cache.py is not imported here: it is heavy)
SITE_FILES = ("site.toml",)
SITE_FOLDERS = ("content", "templates", "static", "root")
CODE = Path(__file__).resolve().parent


Found = list[tuple[str, tuple[int, int]]]  # content.Found: (path, (mtime_ns, size))


@dataclass(frozen=True, slots=True)
class Taken:
    """A stamp as taken now, and what it was taken for."""

    site_dir: Path
    digest: str
    content: Found  # the visible files under content/, sorted, as content.scan lists them


def take(site_dir: Path, out_dir: Path | None, base_url: str | None, drafts: bool,
         future: bool, search: bool) -> Taken | None:
    """The stamp of the files a build of `site_dir` with these options reads now; None
    when it cannot be trusted (a symlink among them)."""
    found: list[str] = [__version__, sys.version, os.getcwd(), str(site_dir), str(out_dir),
                        str(base_url), str((drafts, future, search))]
    for name in SITE_FILES:
        _file(site_dir / name, found)
    files: Found = []
    if not _walk(str(site_dir / "content"), found, "content", files):
        return None
    folders = [*(site_dir / name for name in SITE_FOLDERS[1:]), theme.TEMPLATES,
               theme.STATIC, CODE]
    for folder in folders:
        if not _walk(str(folder), found):
            return None
    text = "\n".join(found)
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a name that is not UTF-8: the scan says so, with its place
        return None
    files.sort()
    return Taken(site_dir, hashlib.sha256(data).hexdigest(), files)


def _file(path: Path, found: list[str]) -> None:
    try:
        info = path.stat()
    except OSError:
        found.append(f"{path}\0-")
        return
    found.append(f"{path}\0{info.st_mtime_ns}\0{info.st_size}")


def _walk(folder: str, found: list[str], rel: str = "", files: Found | None = None) -> bool:
    """Add every file under `folder` with its size and time; False at a symlink. With
    `files`, also add the visible ones (no part starting with '.' or '_') as content.scan
    lists them, by their path `rel` from the site folder."""
    if os.path.islink(folder):
        return False
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except FileNotFoundError:
        found.append(f"{folder}\0-")
        return True
    except OSError:
        return False
    found.append(folder)
    for entry in entries:
        if entry.is_symlink():
            return False
        seen = files if files is not None and not entry.name.startswith((".", "_")) else None
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__" and not _walk(
                    entry.path, found, f"{rel}/{entry.name}", seen):
                return False
            continue
        info = entry.stat(follow_symlinks=False)
        found.append(f"{entry.name}\0{info.st_mtime_ns}\0{info.st_size}")
        if seen is not None:
            seen.append((f"{rel}/{entry.name}", (info.st_mtime_ns, info.st_size)))
    return True


def unchanged(taken: Taken) -> tuple[Path, dict[str, Any]] | None:
    """The output folder and the figures of the last build, when it had these very
    inputs, its output folder is as it left it and now is inside its window; else None."""
    last = _read(taken.site_dir)
    if not last or last.get("stamp") != taken.digest:
        return None
    out_dir = Path(last["out"])
    if manifest.read_id(out_dir) != last["manifest"] or _busy(out_dir):
        return None
    try:
        if not dates.within(last["window"], dates.now()):
            return None
    except ValueError:  # SITEGEN_NOW is not a date: the build says so
        return None
    figures: dict[str, Any] = last["figures"]
    return out_dir, figures


def _read(site_dir: Path) -> dict[str, Any] | None:
    try:
        with open(site_dir / CACHE_DIR / STAMP_FILE, encoding="utf-8") as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _busy(out_dir: Path) -> bool:
    """Whether a build is writing the folder, or a stopped one left work behind."""
    if (out_dir / manifest.JOURNAL).exists() \
            or (out_dir.parent / f".{out_dir.name}.lock").exists():
        return True
    prefix = f".{out_dir.name}.new-"
    try:
        with os.scandir(out_dir.parent) as listing:
            return any(entry.name.startswith(prefix) for entry in listing)
    except OSError:
        return True


def save(taken: Taken, out_dir: Path, manifest_id: str, window: tuple[str, str] | list[str],
         figures: dict[str, Any]) -> None:
    """Keep the stamp of a finished build (quietly nothing when .cache/ is not writable:
    the next build then looks for itself)."""
    record = {"stamp": taken.digest, "out": str(out_dir), "manifest": manifest_id,
              "window": list(window), "figures": figures}
    path = taken.site_dir / CACHE_DIR / STAMP_FILE
    temporary = path.with_name(f"{STAMP_FILE}.{os.getpid()}")
    with contextlib.suppress(OSError):
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, path)

