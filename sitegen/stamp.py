"""A build's stamp: the name, size and modification time of every file a build reads.

A build whose stamp equals the last finished build's, into an output folder that
build left as it was, has nothing to do. `sitegen build` checks that before it imports
the command line or the build (launch.py), so a build with nothing to do takes little
more than Python's own start. This module is the first one a build loads: it imports
only what Python has loaded already and json (dataclasses, typing, hashlib,
datetime, manifest.py or dates.py would each add milliseconds to a 0.1 s build).

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
import json
import os
import sys
import time
from pathlib import Path

from sitegen import __version__, theme

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

STAMP_FILE = "stamp.json"  # in the site's .cache/, beside the cache database
CACHE_DIR = ".cache"  # cache.CACHE_DIR (cache.py is not imported here: it is heavy)
MANIFEST, MANIFEST_HEADER = ".sitegen-manifest", "sitegen-manifest 1"  # manifest.py's
JOURNAL = ".sitegen-journal"  # manifest.JOURNAL
SITE_FILES = ("site.toml",)
SITE_FOLDERS = ("content", "templates", "static", "root")
CODE = Path(__file__).resolve().parent
SKIPPED = "__pycache__"  # Python's compiled code, written as sitegen runs


Found = list[tuple[str, tuple[int, int]]]  # content.Found: (path, (mtime_ns, size))
Wanted = tuple[Path, "Path | None", "str | None", bool, bool, bool]  # take()'s arguments


class Taken:
    """A stamp as taken now, and what it was taken for. (A plain class: the dataclasses
    module alone takes longer to import than a tenth of a build with nothing to do.)"""

    __slots__ = ("content", "site_dir", "text", "wanted")

    def __init__(self, wanted: Wanted, text: str, content: Found) -> None:
        self.site_dir = wanted[0]
        self.wanted = wanted  # take()'s arguments: a stamp answers for those alone
        self.text = text  # every name, size and time, as the stamp file keeps them
        self.content = content  # the visible files under content/, sorted, as
        # content.scan lists them


def take(site_dir: Path, out_dir: Path | None, base_url: str | None, drafts: bool,
         future: bool, search: bool) -> Taken | None:
    """The stamp of the files a build of `site_dir` with these options reads now; None
    when it cannot be trusted (a symlink among them, a name that is not UTF-8)."""
    found: list[str] = [__version__, sys.version, os.getcwd(), str(site_dir), str(out_dir),
                        str(base_url), str((drafts, future, search))]
    for name in SITE_FILES:
        _file(site_dir / name, found)
    files: Found = []
    if not _walk(str(site_dir / "content"), found, files, "content"):
        return None
    folders = [*(site_dir / name for name in SITE_FOLDERS[1:]), theme.TEMPLATES,
               theme.STATIC, CODE]
    if not all(_walk(str(folder), found) for folder in folders):
        return None
    text = "\n".join(found)
    try:
        text.encode()
    except UnicodeEncodeError:  # a name that is not UTF-8: the scan says so, with its place
        return None
    files.sort()
    return Taken((site_dir, out_dir, base_url, drafts, future, search), text, files)


def _file(path: Path, found: list[str]) -> None:
    try:
        info = path.stat()
    except OSError:
        found.append(f"{path}\0-")
        return
    found.append(f"{path}\0{info.st_mtime_ns}\0{info.st_size}")


def _walk(folder: str, found: list[str], files: Found | None = None, rel: str = "") -> bool:
    """Add every file under `folder` with its size and time, in the order the folder
    lists them; False at a symlink. With `files`, also add the visible ones (no part
    starting with '.' or '_') as content.scan lists them, by their path `rel` from the
    site folder. Each folder is opened once and its files looked up from it: 10,000
    lookups of a name take less time than of a whole path."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        found.append(f"{folder}\0-")
        return True
    except OSError:  # a symlink (ELOOP), or not a folder, or not readable
        return False
    try:
        with os.scandir(handle) as listing:
            entries = list(listing)
        return _listed(folder, handle, entries, found, files, rel)
    except OSError:
        return False
    finally:
        os.close(handle)


def _listed(folder: str, handle: int, entries: list[os.DirEntry[str]], found: list[str],
            files: Found | None, rel: str) -> bool:
    found.append(folder)
    for entry in entries:
        name = entry.name
        if entry.is_symlink():
            return False
        seen = None if files is None or name.startswith((".", "_")) else files
        if entry.is_dir(follow_symlinks=False):
            if name != SKIPPED and not _walk(f"{folder}/{name}", found, seen, f"{rel}/{name}"):
                return False
            continue
        info = os.stat(name, dir_fd=handle, follow_symlinks=False)
        found.append(f"{name}\0{info.st_mtime_ns}\0{info.st_size}")
        if seen is not None:
            seen.append((f"{rel}/{name}", (info.st_mtime_ns, info.st_size)))
    return True


def unchanged(taken: Taken) -> tuple[Path, dict[str, Any]] | None:
    """The output folder and the figures of the last build, when it had these very
    inputs, its output folder is as it left it and now is inside its window; else None."""
    last = _read(taken.site_dir)
    if not last or last.get("stamp") != taken.text:
        return None
    try:
        out_dir = Path(last["out"])
        if _manifest_id(out_dir) != last["manifest"] or _busy(out_dir) or not _within(last):
            return None
        figures: dict[str, Any] = dict(last["figures"])
    except (KeyError, TypeError, ValueError):  # a stamp file that is not this version's
        return None
    return out_dir, figures


def _read(site_dir: Path) -> dict[str, Any] | None:
    try:
        with open(site_dir / CACHE_DIR / STAMP_FILE, encoding="utf-8") as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _manifest_id(folder: Path) -> str | None:
    """manifest.read_id (manifest.py is not imported here: dataclasses and hashlib)."""
    try:
        with open(folder / MANIFEST, encoding="utf-8") as handle:
            first = handle.readline(200)
    except (OSError, UnicodeDecodeError):
        return None
    head, _, build_id = first.rstrip("\n").rpartition(" ")
    return build_id if head == MANIFEST_HEADER else None


def _within(last: dict[str, Any]) -> bool:
    """dates.within(window, dates.now()), from the window in microseconds since the epoch
    that save() kept: dates.py and datetime are imported only when SITEGEN_NOW is set."""
    if os.environ.get("SITEGEN_NOW", "").strip():
        from sitegen import dates
        try:
            return dates.within(last["window"], dates.now())
        except ValueError:  # SITEGEN_NOW is not a date: the build says so
            return False
    start, end = last["moments"]
    now = time.time_ns() // 1000  # as datetime.now() reads the clock: floored
    return (start is None or start <= now) and (end is None or now < end)


def _moments(window: tuple[str, str] | list[str]) -> list[int | None] | None:
    """`window` (ISO 8601; '' when open) in microseconds since the epoch (None when
    open); None when a moment cannot be read or names no zone (dates.within fails)."""
    import datetime as dt  # the build has imported it already
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    try:
        moments = [dt.datetime.fromisoformat(moment) if moment else None for moment in window]
        return [(m - epoch) // dt.timedelta(microseconds=1) if m else None for m in moments]
    except (TypeError, ValueError):
        return None


def _busy(out_dir: Path) -> bool:
    """Whether a build is writing the folder, or a stopped one left work behind."""
    if (out_dir / JOURNAL).exists() or (out_dir.parent / f".{out_dir.name}.lock").exists():
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
    the next build then looks for itself). The stamp is kept whole, not as a digest:
    comparing 0.5 MB costs less than importing hashlib."""
    moments = _moments(window)
    if moments is None:  # never within it: keep no stamp
        return
    record = {"stamp": taken.text, "out": str(out_dir), "manifest": manifest_id,
              "window": list(window), "moments": moments, "figures": figures}
    path = taken.site_dir / CACHE_DIR / STAMP_FILE
    temporary = path.with_name(f"{STAMP_FILE}.{os.getpid()}")
    with contextlib.suppress(OSError):
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, path)
