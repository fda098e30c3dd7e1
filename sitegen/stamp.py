"""A build's stamp: the name, size and modification time of every file a build reads.

A build whose stamp equals the last finished build's, into an output folder that
build left as it was, has nothing to do. `sitegen build` checks that before it imports
the command line or the build (launch.py), so a build with nothing to do takes little
more than Python's own start. This module is the first one a build loads: it imports
only what Python has loaded already, json and array (dataclasses, typing, hashlib,
datetime, manifest.py or dates.py would each add milliseconds to a 0.1 s build).

The check is the cautious one: every file under content/, templates/, static/ and
root/, site.toml, the built-in theme and sitegen's own code counts, hidden files too;
a symlink anywhere in them turns the check off (what it leads to may change unseen),
and so does anything odd about the output folder (a commit's journal, a staging
folder, another build's lock). Then the build looks for itself, as before.
The stamp is taken before the build reads a file, so a file saved during a build
makes the next build look again.

A build that has something to do learns from the same comparison which content files
changed (changes()): when those alone did, it reads them and nothing else (patch.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from array import array
from pathlib import Path

from sitegen import __version__, theme

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

STAMP_FILE = "stamp.bin"  # in the site's .cache/, beside the cache database
CACHE_DIR = ".cache"  # cache.CACHE_DIR (cache.py is not imported here: it is heavy)
MANIFEST, MANIFEST_HEADER = ".sitegen-manifest", "sitegen-manifest 1"  # manifest.py's
JOURNAL = ".sitegen-journal"  # manifest.JOURNAL
SITE_FILES = ("site.toml",)
SITE_FOLDERS = ("content", "templates", "static", "root")
CODE = Path(__file__).resolve().parent
SKIPPED = "__pycache__"  # Python's compiled code, written as sitegen runs
HIDDEN = (".", "_")  # content.scan leaves out files and folders whose name starts so
MISSING = -1  # the time and size of a file or folder that is not there


Found = list[tuple[str, tuple[int, int]]]  # content.Found: (path, (mtime_ns, size))
Last = tuple[dict[str, "Any"], tuple[bytes, bytes]]  # a stamp file's record and stamp
Wanted = tuple[Path, "Path | None", "str | None", bool, bool, bool]  # take()'s arguments
Folder = tuple[str, int, int, int]  # a visible folder under content/: its path from the
# site folder, where its files' names start and end in Walk.names, where their times
# and sizes start in Walk.numbers


class Walk:
    """What a walk found, kept as it comes: each name once, and each file's time and
    size as two machine integers. Making a string of each file's figures, and a sorted
    list of the content files, took longer than the system calls at 100,000 files: the
    list is made only when a build asks for it (Taken.content)."""

    __slots__ = ("folders", "names", "numbers")

    def __init__(self) -> None:
        self.names: list[str] = []  # the options, then each folder's path and its files
        self.numbers = array("q")  # each file's mtime_ns and size, in the names' order
        self.folders: list[Folder] = []


class Taken:
    """A stamp as taken now, and what it was taken for. (A plain class: the dataclasses
    module alone takes longer to import than a tenth of a build with nothing to do.)"""

    __slots__ = ("_content", "_last", "_looked", "data", "site_dir", "walk", "wanted")

    def __init__(self, wanted: Wanted, walk: Walk, names: bytes) -> None:
        self.site_dir = wanted[0]
        self.wanted = wanted  # take()'s arguments: a stamp answers for those alone
        self.walk = walk
        self.data = (names, walk.numbers.tobytes())  # what the stamp file keeps
        self._content: Found | None = None
        self._last: Last | None = None
        self._looked = False  # for the last stamp

    @property
    def content(self) -> Found:
        """The visible files under content/, sorted, as content.scan lists them."""
        if self._content is None:
            self._content = _content(self.walk)
        return self._content

    def last(self) -> Last | None:
        """The last finished build's record and stamp, as save() wrote them (read once)."""
        if not self._looked:
            self._last, self._looked = _read(self.site_dir), True
        return self._last


def take(site_dir: Path, out_dir: Path | None, base_url: str | None, drafts: bool,
         future: bool, search: bool) -> Taken | None:
    """The stamp of the files a build of `site_dir` with these options reads now; None
    when it cannot be trusted (a symlink among them, a name that is not UTF-8, a time
    out of range)."""
    wanted = (site_dir, out_dir, base_url, drafts, future, search)
    walk = Walk()
    walk.names += _options(wanted)
    try:
        for name in SITE_FILES:
            _file(site_dir / name, walk)
        if not all(_walk(str(folder), walk, "content" if n == 0 else None)
                   for n, folder in enumerate(_folders(site_dir))):
            return None
    except OverflowError:  # a time 64 bits cannot hold (before 1678, after 2261)
        return None
    return _taken(wanted, walk)


def _options(wanted: Wanted) -> list[str]:
    site_dir, out_dir, base_url, drafts, future, search = wanted
    return [__version__, sys.version, os.getcwd(), str(site_dir), str(out_dir),
            str(base_url), str((drafts, future, search))]


def _folders(site_dir: Path) -> list[Path]:
    """The folders a stamp walks, content/ first."""
    return [site_dir / "content", *(site_dir / name for name in SITE_FOLDERS[1:]),
            theme.TEMPLATES, theme.STATIC, CODE]


def _taken(wanted: Wanted, walk: Walk) -> Taken | None:
    try:  # NUL parts them: no path holds one
        names = "\0".join(walk.names).encode()
    except UnicodeEncodeError:  # a name that is not UTF-8: the scan says so, with its place
        return None
    return Taken(wanted, walk, names)


Span = tuple[int, int, int]  # where a part of a walk starts (or ends): names, numbers, folders
Segment = tuple[int, Span, Span]  # a folder of content/ by number, where its walk starts, ends


class Share:
    """One of the two halves of take()'s walk, for two processes to walk at once
    (walker.py); joined() puts them together as take() makes it. Share 0: the options,
    site.toml, content/ and its own files, and its even-numbered folders; share 1: its
    odd-numbered folders, then templates/, static/, root/, the theme and sitegen's code.
    Each lists content/ for itself: when the two lists differ, the halves do not fit."""

    __slots__ = ("inside", "segments", "walk")

    def __init__(self, walk: Walk, inside: list[str], segments: list[Segment]) -> None:
        self.walk, self.inside, self.segments = walk, inside, segments

    def end(self) -> Span:
        return len(self.walk.names), len(self.walk.numbers), len(self.walk.folders)

    def dumps(self) -> tuple[list[str], bytes, list[Folder], list[str], list[Segment]]:
        """What marshal sends: names, numbers (bytes), folders, content's list, segments."""
        walk = self.walk
        return walk.names, walk.numbers.tobytes(), walk.folders, self.inside, self.segments

    @classmethod
    def loads(cls, names: list[str], numbers: bytes, folders: list[Folder], inside: list[str],
              segments: list[Segment]) -> Share:
        walk = Walk()
        walk.names, walk.numbers, walk.folders = names, array("q", numbers), folders
        return cls(walk, inside, segments)


def take_share(wanted: Wanted, share: int) -> Share | None:
    """Share 0 or 1 of take(*wanted)'s walk; None at a symlink or a time out of range
    (as take(); a symlink among content/'s own files is share 0's to find)."""
    site_dir, walk, segments = wanted[0], Walk(), []
    content = str(site_dir / "content")
    try:
        if share == 0:
            walk.names += _options(wanted)
            for name in SITE_FILES:
                _file(site_dir / name, walk)
        inside = _listed(content, walk, "content", files=share == 0)
        if inside is None:
            return None
        for number, name in enumerate(n for n in inside if n != SKIPPED):
            if number % 2 == share:
                start = (len(walk.names), len(walk.numbers), len(walk.folders))
                if not _walk(f"{content}/{name}", walk,
                             None if name.startswith(HIDDEN) else f"content/{name}"):
                    return None
                segments.append((number, start, (len(walk.names), len(walk.numbers),
                                                 len(walk.folders))))
        if share == 1 and not all(_walk(str(f), walk) for f in _folders(site_dir)[1:]):
            return None
    except OverflowError:
        return None
    return Share(walk, inside, segments)


def _listed(folder: str, walk: Walk, rel: str | None, files: bool = True) -> list[str] | None:
    """The names of `folder`'s folders, in the order the folder lists them; with `files`,
    the folder and its own files are added to the walk (_files), and a folder that is
    not there as such. None at a symlink (ELOOP), or what is not a readable folder."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        if files:
            walk.names.append(folder)
            walk.numbers.extend((MISSING, MISSING))
        return []
    except OSError:
        return None
    try:
        with os.scandir(handle) as listing:
            entries = list(listing)
        if files:
            return _files(folder, handle, entries, walk, rel)
        return [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return None
    finally:
        os.close(handle)


def joined(wanted: Wanted, first: Share, second: Share) -> Taken | None:
    """take(*wanted) from its two shares, which fit (the same list of content/); None
    where take() gives None (a name that is not UTF-8)."""
    walk = Walk()
    head = first.segments[0][1] if first.segments else first.end()
    _append(walk, first.walk, (0, 0, 0), head)
    parts = sorted([*((n, first.walk, a, b) for n, a, b in first.segments),
                    *((n, second.walk, a, b) for n, a, b in second.segments)],
                   key=lambda part: part[0])
    for _, source, start, end in parts:
        _append(walk, source, start, end)
    _append(walk, second.walk, second.segments[-1][2] if second.segments else (0, 0, 0),
            second.end())
    return _taken(wanted, walk)


def _append(walk: Walk, source: Walk, start: Span, end: Span) -> None:
    """Add a part of another walk, its folders' places moved to where it now starts."""
    names, numbers = len(walk.names) - start[0], len(walk.numbers) - start[1]
    walk.names += source.names[start[0]:end[0]]
    walk.numbers += source.numbers[start[1]:end[1]]
    walk.folders += [(rel, first + names, last + names, at + numbers)
                     for rel, first, last, at in source.folders[start[2]:end[2]]]


def _file(path: Path, walk: Walk) -> None:
    walk.names.append(str(path))
    try:
        info = path.stat()
    except OSError:
        walk.numbers.extend((MISSING, MISSING))
        return
    walk.numbers.extend((info.st_mtime_ns, info.st_size))


def _walk(folder: str, walk: Walk, rel: str | None = None) -> bool:
    """Add every file under `folder` with its size and time, in the order the folder
    lists them, and then its folders; False at a symlink. With `rel` (the folder's path
    from the site folder), also note where its files are, for Taken.content. Each
    folder is opened once and its files looked up from it: 10,000 lookups of a name
    take less time than of a whole path."""
    inside = _listed(folder, walk, rel)
    return inside is not None and all(
        _walk(f"{folder}/{name}", walk,
              None if rel is None or name.startswith(HIDDEN) else f"{rel}/{name}")
        for name in inside if name != SKIPPED)


def _files(folder: str, handle: int, entries: list[os.DirEntry[str]], walk: Walk,
           rel: str | None) -> list[str] | None:
    """Add the folder and its files; the names of its folders, or None at a symlink."""
    names, numbers, stat = walk.names, walk.numbers, os.stat
    names.append(folder)
    numbers.extend((0, 0))  # (a folder that is not there has MISSING)
    start, at, folders = len(names), len(numbers), []
    for entry in entries:
        if entry.is_symlink():
            return None
        if entry.is_dir(follow_symlinks=False):
            folders.append(entry.name)
            continue
        info = stat(entry.name, dir_fd=handle, follow_symlinks=False)
        names.append(entry.name)
        numbers.append(info.st_mtime_ns)
        numbers.append(info.st_size)
    if rel is not None:
        walk.folders.append((rel, start, len(names), at))
    return folders


def _content(walk: Walk) -> Found:
    files: Found = []
    names, numbers = walk.names, walk.numbers
    for rel, start, end, at in walk.folders:
        for i in range(start, end):
            name = names[i]
            if not name.startswith(HIDDEN):
                where = at + 2 * (i - start)
                files.append((f"{rel}/{name}", (numbers[where], numbers[where + 1])))
    files.sort()
    return files


def unchanged(taken: Taken) -> tuple[Path, dict[str, Any]] | None:
    """The output folder and the figures of the last build, when it had these very
    inputs, its output folder is as it left it and now is inside its window; else None."""
    found = taken.last()
    if found is None or found[1] != taken.data:
        return None
    last = found[0]
    try:
        out_dir = Path(last["out"])
        if _manifest_id(out_dir) != last["manifest"] or _busy(out_dir) or not _within(last):
            return None
        figures: dict[str, Any] = dict(last["figures"])
    except (KeyError, TypeError, ValueError):  # a stamp file that is not this version's
        return None
    return out_dir, figures


def changes(taken: Taken, most: int) -> tuple[str, Found] | None:
    """The `inputs` digest the last finished build recorded, and the visible files under
    content/ whose time or size changed since (at least one, at most `most`), sorted;
    None when anything else differs: an option, a file added, removed or changed
    elsewhere (templates, settings, a hidden file), or when no build left a stamp.
    (Cost: a comparison of two arrays.)"""
    found = taken.last()
    if found is None or found[1][0] != taken.data[0]:
        return None
    record, (_, numbers) = found
    now, before = taken.walk.numbers, array("q")
    before.frombytes(numbers)
    if len(before) != len(now) or not isinstance(record.get("inputs"), str):
        return None
    starts = [at for _, _, _, at in taken.walk.folders]  # increasing, as walked
    files: dict[str, tuple[int, int]] = {}
    for index in _differing(taken.data[1], numbers, now, before):
        where = _content_file(taken.walk, starts, index)
        if where is None or (where not in files and len(files) == most):
            return None
        files[where] = (now[index - index % 2], now[index - index % 2 + 1])
    return (record["inputs"], sorted(files.items())) if files else None


def _differing(new: bytes, old: bytes, now: array[int], before: array[int]) -> list[int]:
    """The indices of the numbers that differ, found a block at a time."""
    block, found = 4096, []  # bytes: 256 numbers
    for at in range(0, len(new), block):
        if new[at:at + block] != old[at:at + block]:
            found += [i for i in range(at // 8, min(len(now), (at + block) // 8))
                      if now[i] != before[i]]
    return found


def _content_file(walk: Walk, starts: list[int], index: int) -> str | None:
    """The path of the visible file under content/ whose time or size is number `index`
    (`starts`: where each folder's numbers start); None when that number is not such a
    file's. Bisection: a site of page bundles has a folder for each post."""
    from bisect import bisect_right  # a build that has work to do: no longer pressed
    place = bisect_right(starts, index) - 1
    if place < 0:
        return None
    rel, start, end, at = walk.folders[place]
    if index >= at + 2 * (end - start):
        return None
    name = walk.names[start + (index - at) // 2]
    return None if name.startswith(HIDDEN) else f"{rel}/{name}"


def _read(site_dir: Path) -> Last | None:
    """The last build's record and stamp, as save() wrote them: a line of JSON, then
    the names and the numbers, whose lengths the record gives."""
    try:
        with open(site_dir / CACHE_DIR / STAMP_FILE, "rb") as handle:
            record = json.loads(handle.readline())
            names, numbers = handle.read(record["names"]), handle.read(record["numbers"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(record, dict) or len(numbers) != record["numbers"]:
        return None
    return record, (names, numbers)


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
         figures: dict[str, Any], inputs: str) -> None:
    """Keep the stamp of a finished build (quietly nothing when .cache/ is not writable:
    the next build then looks for itself), with the digest of its inputs that the cache
    holds (changes() is only as good as the cache that goes with it). The stamp is kept
    whole, not as a digest: comparing 2 MB costs less than importing hashlib."""
    moments = _moments(window)
    if moments is None:  # never within it: keep no stamp
        return
    names, numbers = taken.data
    record = {"out": str(out_dir), "manifest": manifest_id, "window": list(window),
              "moments": moments, "figures": figures, "inputs": inputs, "names": len(names),
              "numbers": len(numbers)}
    folder = taken.site_dir / CACHE_DIR
    temporary = folder / f"{STAMP_FILE}.{os.getpid()}"
    try:
        with open(temporary, "wb") as handle:
            handle.write(json.dumps(record).encode() + b"\n")
            handle.write(names)
            handle.write(numbers)
        os.replace(temporary, folder / STAMP_FILE)
    except OSError:  # a full disk, say; a killed build's file goes later (cache.py)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
