"""What earlier builds made: parsed posts by digest, and the last plan's shape.

On disk in one SQLite database, `.cache/cache.sqlite` inside the site folder. It holds
data only, never code: values are JSON or UTF-8 text, so loading the cache cannot run
anything (the database's schema is checked too: no views, no triggers). Tables:
`state` (small values: the digest of all inputs, the last summary; read first, so
that a build with nothing changed can stop there), `files` (each content file's time,
size and digest, a row each, so that a build after an edit reads only the changed
files' rows), `posts` (one row per
parsed post, keyed by the digests of its file and of the settings, so that a later
build could read just the rows it needs) and `plan` (the last plan's records: the pages
that show each post, each post's digest; each output's fingerprint is in the output
folder's manifest). Every row
carries a digest of its contents; a row that does not match it is left out when read
(a post is then parsed again, a page fingerprinted again). A database from other code
(it records sitegen's code version), or one that is missing or damaged, is ignored
and written anew; one that cannot be used (`.cache` is a file, the database is locked
by another build, the disk is read-only) is left alone, with one warning. Deleting
.cache/ is always safe.

Jinja's compiled templates are code (Python bytecode, run when loaded), so they are
kept outside the site folder, in a private folder of the user's cache directory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import json.scanner
import operator
import os
import shutil
import sqlite3
import stat
import time
import typing
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sitegen import __version__
from sitegen.content import Post, Skipped, Source, Stamps
from sitegen.manifest import Manifest
from sitegen.shape import Planned, Shape
from sitegen.stamp import STAMP_FILE
from sitegen.templates import Renderer

T = TypeVar("T")
CACHE_DIR = ".cache"
DB_FILE = "cache.sqlite"
OLD_FILES = ("state.pickle", "posts.pickle", "posts-delta.pickle", "outputs.pickle",
             "shape.pickle", "templates", "stamp.json")  # what earlier versions kept in
# .cache/ (removed when this version first writes its database)
SCHEMA = """
CREATE TABLE state (name TEXT PRIMARY KEY, sum BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE posts (key TEXT PRIMARY KEY, sum BLOB NOT NULL, meta BLOB NOT NULL,
                    body BLOB NOT NULL);
CREATE TABLE plan (name TEXT PRIMARY KEY, sum BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE pages (name TEXT PRIMARY KEY, sum BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE entries (name TEXT PRIMARY KEY, sum BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE files (name TEXT PRIMARY KEY, sum BLOB NOT NULL, data TEXT NOT NULL);
"""
# pages: the last plan's pages that show posts, by their place in the plan (as `uses`
# names them), as pagedata.py keeps them, and the values they share ('s' and a number);
# entries: each post's URL and tags, by file.
# Both are written when a build plans a shape they do not hold (the plan's "pages"
# record names it), and read in part by a build that patches the last one (patch.py).
# The plan's record of the posts patched since the last full build, each with its digest
# now: a patch writes these few, never the whole `digests` (100,000 posts: 7 MB of JSON).
DELTA = "digests+"
UNUSABLE = {3, 5, 6, 7, 8, 10, 13, 23}  # SQLite errors that are not damage: PERM, BUSY,
# LOCKED, NOMEM, READONLY, IOERR, FULL, AUTH. Any other error means a damaged database.
BUSY_SECONDS = 1.0  # how long to wait for another build's write to end
USER_CACHE_PRUNE_DAYS = 7  # compiled templates of other sitegen versions unused this long go
LEFTOVER_SECONDS = 600  # an unfinished new database this old was left by a killed build


def _code_version() -> str:
    """sitegen's version and a digest of its code: a cache from other code is not trusted."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


CODE_VERSION = _code_version()


@dataclass
class Stored:
    """What cache.sqlite holds as far as this process knows: a save writes the difference."""

    trusted: bool = False  # this code's database, read whole: changes may be applied to it
    posts: frozenset[tuple[str, str]] = frozenset()
    uses: dict[str, list[int]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    related: dict[str, list[str]] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)  # keys of posts left out as damaged
    stamps: Stamps | None = None  # the files table, when read whole (else rewritten whole)
    records: frozenset[str] = frozenset()  # the plan's records read intact
    delta: bool = False  # it holds a DELTA record (intact or not): the next save folds it in
    pages_shape: str = ""  # the shape whose pages (pages and entries tables) it holds


@dataclass
class Cache:
    """Kept in memory by the dev server, on disk in .cache/ between builds."""

    posts: dict[tuple[str, str], Post | Skipped] = field(default_factory=dict)
    stamps: Stamps = field(default_factory=dict)  # content file → (mtime, size, digest)
    stamps_read: bool = True  # False until read_stamps() (load_state reads the state alone)
    content_sum: str = ""  # content.files_sum of the content files' digests, in hex
    inputs: str = ""  # digest of every input of the last successful build
    frame: str = ""  # … of all but the content files (settings, templates, static, code)
    last: dict[str, Any] = field(default_factory=dict)  # that build's summary figures
    loaded: bool = True  # False while only the state has been read
    keep_plan: bool = False  # keep the last plan in memory (the dev server)
    planned: Planned | None = None
    shape: Shape = field(default_factory=Shape)  # the last plan's shape and recorded inputs
    templates_ok: str = ""  # digest of the templates the last good build compiled
    renderer: Renderer | None = None  # compiled templates, kept by the dev server
    sources: list[Source] | None = None  # the content files last scanned, without data
    manifest: str = ""  # the id of the output manifest the last good build wrote
    window: tuple[str, str] = ("", "")  # when the last build's posts stay the same (schedule)
    written: Manifest | None = None  # that manifest, kept in memory by the dev server
    warnings: list[str] = field(default_factory=list)  # the cache could not be used
    stored: Stored = field(default_factory=Stored)
    page_rows: PageRows | None = None  # to write with the next save
    pages_shape: str = ""  # the shape whose pages the database holds
    pages_damaged: bool = False  # a patch found some missing: this build writes them anew

    def remember(self, digest: str, config_digest: str, post: Post | Skipped) -> None:
        self.posts[(digest, config_digest)] = post

    def prune(self, live: set[tuple[str, str]]) -> None:
        """Forget posts that no longer exist, so the cache does not grow forever."""
        if not self.posts.keys() <= live:
            self.posts = {k: v for k, v in self.posts.items() if k in live}


STATE_FIELDS = ("inputs", "frame", "last", "content_sum", "templates_ok", "manifest", "window")


Rows = Callable[[], Iterator[tuple[str, Any]]]  # (name, JSON-ready value), made as written


def _no_rows() -> Iterator[tuple[str, Any]]:
    return iter(())


@dataclass(frozen=True, slots=True)
class PageRows:
    """The pages that show posts and every post's place, from one plan (for patch.py).
    Each row is made as it is written, so that a plan's rows (some 100 MB of Python
    values at 10,000 posts) are never all in memory at once."""

    shape: str  # the plan's shape key; '' when its pages could not be kept
    pages: Rows = _no_rows  # each page by its place in the plan, then the values many
    # pages share, once each ('s' and a number); may raise Unkept
    entries: Rows = _no_rows  # post file → [url, tags, the places of the pages that show it]


class Unkept(Exception):
    """A page's row cannot be made: the database keeps no pages for this plan."""


def _same(value: Any) -> Any:
    return value


def _window(value: list[str]) -> tuple[str, str]:
    start, end = value
    return str(start), str(end)


# what JSON cannot say
FROM_JSON: dict[str, Callable[[Any], Any]] = {"window": _window}


class Unusable(Exception):
    """The cache exists but cannot be used now; the message says why."""


def load_state(site_dir: Path) -> Cache:
    """The small part of the cache; an empty cache when missing, damaged or foreign."""
    try:
        state = _read(site_dir, _state)
    except Unusable as exc:
        return Cache(warnings=[str(exc)])
    if state is None or state.get("version") != CODE_VERSION:
        return Cache()
    try:
        values = {k: FROM_JSON.get(k, _same)(state[k]) for k in STATE_FIELDS}
        return Cache(loaded=False, stamps_read=False, **values)
    except (KeyError, TypeError, ValueError, AttributeError):
        return Cache()


def load_posts(site_dir: Path, cache: Cache) -> None:
    """Fill in parsed posts and the shape; on any doubt, start empty."""
    cache.loaded = True
    try:
        stored = _read(site_dir, _stored)
    except Unusable as exc:
        cache.warnings.append(str(exc))
        stored = None
    if stored is None:
        cache.posts = {}
        cache.stored = Stored()
        return
    stamps = cache.stored.stamps
    cache.stored, cache.posts, shape = stored
    cache.stored.stamps = stamps
    if shape is not None:
        cache.shape = shape
        cache.pages_shape = "" if cache.pages_damaged else cache.stored.pages_shape


def read_stamps(site_dir: Path, cache: Cache) -> None:
    """Fill in the content files' stamps (none when they cannot be read: every file is
    read again)."""
    cache.stamps_read = True
    try:
        found = _read(site_dir, _files) or {}
    except Unusable:
        found = {}
    cache.stamps, cache.stored.stamps = found, dict(found)


def _files(db: sqlite3.Connection) -> Stamps:
    return Part(db).files(None)


def load(site_dir: Path) -> Cache:
    """The cache from disk, posts and plan too (not the files' stamps: read them with
    read_stamps when needed)."""
    cache = load_state(site_dir)
    if not cache.loaded:
        load_posts(site_dir, cache)
    return cache


def save(site_dir: Path, cache: Cache) -> str | None:
    """Write what changed since the cache was read (all of it into a new database when
    the one on disk is not this code's); a warning when the cache cannot be written."""
    if cache.warnings:  # the build ran without the cache, and said so
        return None
    try:
        if not cache.loaded:
            load_posts(site_dir, cache)
        folder = _folder(site_dir)
        if not (cache.stored.trusted and _update(folder / DB_FILE, cache)):
            _rewrite(folder, cache)
    except (OSError, sqlite3.Error) as exc:
        return _unusable_message(site_dir, exc, reading=False)
    return None


def templates_dir(site_dir: Path) -> Path | None:
    """Where Jinja keeps compiled templates: a private folder per version of sitegen's
    code (which sets Jinja's options) in the user's cache directory, not in the site
    folder, since they are code. None when it cannot be made: build without it."""
    del site_dir  # the same folder serves every site: Jinja keys each template by its path
    try:
        root = _user_cache_dir() / "sitegen" / "templates"
        folder = root / CODE_VERSION
        if not folder.is_dir():
            _prune_versions(root)
        for part in (root.parent, root, folder):
            _private_folder(part)
        os.utime(folder)  # in use: not pruned by another version of sitegen
    except (OSError, RuntimeError):
        return None
    return folder


# Reading


def _read(site_dir: Path, reader: Callable[[sqlite3.Connection], T | None]) -> T | None:
    """What `reader` finds in the database; None when there is none, or it is damaged
    or foreign. Raises Unusable when it is there but cannot be used."""
    path = site_dir / CACHE_DIR / DB_FILE
    try:
        path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unusable(_unusable_message(site_dir, exc, reading=True)) from None
    try:
        with contextlib.closing(_connect(path)) as db:
            db.execute("PRAGMA query_only = ON")
            return reader(db) if _fits(db) else None
    except sqlite3.Error as exc:
        _raise_if_unusable(site_dir, exc)
    except (ValueError, TypeError, RecursionError):  # damaged, though its digests matched
        pass
    return None


def _connect(path: Path) -> sqlite3.Connection:
    """Open an existing database (never make one); its schema may not run SQL functions."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                         timeout=BUSY_SECONDS, isolation_level=None)
    db.execute("PRAGMA trusted_schema = OFF")
    return db


@functools.cache
def _expected_schema() -> frozenset[tuple[str, str, str | None]]:
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.executescript(SCHEMA)
        return _schema(db)


def _schema(db: sqlite3.Connection) -> frozenset[tuple[str, str, str | None]]:
    return frozenset(db.execute("SELECT type, name, sql FROM sqlite_schema"))


def _fits(db: sqlite3.Connection) -> bool:
    """True when the database has exactly this code's tables (no views, no triggers)."""
    return _schema(db) == _expected_schema()


def _raise_if_unusable(site_dir: Path, exc: sqlite3.Error) -> None:
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in UNUSABLE:
        raise Unusable(_unusable_message(site_dir, exc, reading=True)) from None


def _unusable_message(site_dir: Path, exc: Exception, reading: bool) -> str:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    effect = "this build did not use it" if reading else "the next build will redo all work"
    return (f"{CACHE_DIR}/{DB_FILE}: the build cache cannot be "
            f"{'read' if reading else 'written'} ({reason}); {effect}. Make "
            f"{site_dir / CACHE_DIR} a folder you can write (or delete it), or build "
            "with --no-cache")


def _state(db: sqlite3.Connection, *names: str) -> dict[str, Any] | None:
    """The state rows (those named, or all), or None when one does not match its digest."""
    state = {}
    query = "SELECT CAST(name AS TEXT), sum, CAST(data AS TEXT) FROM state"
    rows = db.execute(f"{query} WHERE name IN ({_marks(names)})", names) if names \
        else db.execute(query)
    for name, checked, data in rows:
        if checked != _sum(name, data):
            return None
        state[name] = json.loads(data)
    return state


def _stored(db: sqlite3.Connection) \
        -> tuple[Stored, dict[tuple[str, str], Post | Skipped], Shape | None] | None:
    """Everything but the state, read in one transaction; None unless this code's."""
    db.execute("BEGIN")
    state = _state(db, "version", "shape")
    if state is None or state.get("version") != CODE_VERSION:
        return None
    stored = Stored(trusted=True)
    posts = _read_posts(db, stored)
    stored.posts = frozenset(posts)
    plan = _read_plan(db, stored)
    stored.records = frozenset(plan)
    stored.uses = plan.get("uses", {})
    stored.digests = plan.get("digests", {})
    stored.related = plan.get("related", {})
    stored.pages_shape = str(plan.get("pages", {}).get("shape", ""))
    shape_key = state.get("shape")
    shape = None
    if "uses" in plan and "digests" in plan and isinstance(shape_key, str):
        shape = Shape(shape_key, dict(stored.uses), dict(stored.digests),
                      dict(stored.related))
    return stored, posts, shape


def _read_plan(db: sqlite3.Connection, stored: Stored) -> dict[str, Any]:
    """The last plan's records by name; one that does not match its digest is left out
    (then every page is fingerprinted again). The posts' digests are `digests` with the
    patches' DELTA over it; with a DELTA that does not match its digest, they are left
    out too (an older digest for a post could match words it had before a patch)."""
    found, damaged = {}, set()
    rows = db.execute("SELECT CAST(name AS TEXT), sum, CAST(data AS TEXT) FROM plan")
    for name, checked, data in rows:
        if checked == _sum(name, data):
            found[name] = json.loads(data)
        else:
            damaged.add(name)
    stored.delta = DELTA in found or DELTA in damaged
    delta = found.pop(DELTA, None)
    if delta is None and DELTA in damaged:
        found.pop("digests", None)
    elif delta is not None and "digests" in found:
        found["digests"] = {**found["digests"], **delta}
    return found


def _read_posts(db: sqlite3.Connection, stored: Stored) -> dict[tuple[str, str], Post | Skipped]:
    posts: dict[tuple[str, str], Post | Skipped] = {}
    rows = db.execute(
        "SELECT CAST(key AS TEXT), sum, CAST(meta AS BLOB), CAST(body AS BLOB) FROM posts")
    for key, checked, meta, body in rows:
        found = None
        if _post_sum(key, meta, body) == checked:
            found = _decode(meta, body)
        if found is None:
            stored.dropped.add(key)
        else:
            file_digest, _, config_digest = key.partition(" ")
            posts[(file_digest, config_digest)] = found
    return posts


class Part:
    """The database, a few rows at a time: what a build that patches the last one reads
    (patch.py). Rows that are missing or do not match their digest are left out."""

    CHUNK = 500  # names per query, far below SQLite's limit on parameters

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.damaged: set[str] = set()  # records() rows that did not match their digest

    def state(self, *names: str) -> dict[str, Any] | None:
        return _state(self._db, *names)

    def records(self, table: str, names: list[str]) -> dict[str, Any]:
        found = {}
        for start in range(0, len(names), self.CHUNK):
            chunk = tuple(names[start:start + self.CHUNK])
            rows = self._db.execute(f"SELECT CAST(name AS TEXT), sum, CAST(data AS TEXT) "
                                    f"FROM {table} WHERE name IN ({_marks(chunk)})", chunk)
            for name, checked, data in rows:
                if checked == _sum(name, data):
                    found[name] = json.loads(data)
                else:
                    self.damaged.add(name)
        return found

    def files(self, paths: list[str] | None) -> Stamps:
        """The stamps of these content files (of all, with None) that the table holds."""
        if paths is None:
            rows = self._db.execute("SELECT CAST(name AS TEXT), sum, CAST(data AS TEXT) "
                                    "FROM files")
            return _stamped(rows)
        found: Stamps = {}
        for start in range(0, len(paths), self.CHUNK):
            chunk = tuple(paths[start:start + self.CHUNK])
            found.update(_stamped(self._db.execute(
                f"SELECT CAST(name AS TEXT), sum, CAST(data AS TEXT) FROM files "
                f"WHERE name IN ({_marks(chunk)})", chunk)))
        return found

    def posts(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Post | Skipped]:
        found: dict[tuple[str, str], Post | Skipped] = {}
        names = [f"{a} {b}" for a, b in keys]
        for start in range(0, len(names), self.CHUNK):
            chunk = tuple(names[start:start + self.CHUNK])
            rows = self._db.execute("SELECT CAST(key AS TEXT), sum, CAST(meta AS BLOB), "
                                    f"CAST(body AS BLOB) FROM posts WHERE key IN "
                                    f"({_marks(chunk)})", chunk)
            for key, checked, meta, body in rows:
                post = _decode(meta, body) if _post_sum(key, meta, body) == checked else None
                if post is not None:
                    file_digest, _, config_digest = key.partition(" ")
                    found[(file_digest, config_digest)] = post
        return found


def _stamped(rows: Iterable[tuple[str, bytes, str]]) -> Stamps:
    """Rows of the files table ('mtime size digest'); one that does not match its digest
    is left out (that file is read again)."""
    found: Stamps = {}
    for name, checked, data in rows:
        if checked == _sum(name, data):
            mtime, size, digest = data.split(" ")
            found[name] = (int(mtime), int(size), digest)
    return found


def _file_rows(stamps: Stamps) -> Iterator[tuple[str, str]]:
    return ((path, f"{mtime} {size} {digest}") for path, (mtime, size, digest) in stamps.items())


def read_files(site_dir: Path, paths: list[str]) -> Stamps:
    """The stamps the files table holds for these content files."""
    return read_part(site_dir, lambda part: part.files(paths)) or {}


def read_part(site_dir: Path, reader: Callable[[Part], T | None]) -> T | None:
    """What `reader` finds reading this code's database in part, in one transaction;
    None when it finds nothing, or the database is missing, foreign or unusable."""
    def read(db: sqlite3.Connection) -> T | None:
        db.execute("BEGIN")
        part = Part(db)
        state = part.state("version")
        return reader(part) if state and state.get("version") == CODE_VERSION else None
    try:
        return _read(site_dir, read)
    except Unusable:
        return None


def save_part(site_dir: Path, cache: Cache, fresh: dict[tuple[str, str], Post],
              gone: list[tuple[str, str]], delta: dict[str, str] | None,
              files: Stamps) -> str | None:
    """After a build that patched the last one: its state, the posts it parsed (in place
    of `gone`), the digests of the posts patched since the last full build (`delta`,
    the plan's DELTA record; None: as it is) and the stamps of the `files` that changed.
    A warning when that cannot be written."""
    try:
        with contextlib.closing(_connect(_folder(site_dir) / DB_FILE)) as db:
            db.execute("PRAGMA synchronous = OFF")
            db.execute("BEGIN IMMEDIATE")
            state = _state(db, "version") if _fits(db) else None
            if state is None or state.get("version") != CODE_VERSION:
                db.execute("ROLLBACK")
                return None  # rewritten whole by the next full build
            db.executemany("DELETE FROM posts WHERE key = ?", [(f"{a} {b}",) for a, b in gone])
            db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)",
                           [_post_row(f"{a} {b}", post) for (a, b), post in fresh.items()])
            if delta is not None:
                _write_records(db, "plan", {DELTA: delta})
            _write_rows(db, "files", _file_rows(files), encode=False)
            _write_records(db, "state", {k: getattr(cache, k) for k in STATE_FIELDS})
            db.execute("COMMIT")
    except (OSError, sqlite3.Error) as exc:
        return _unusable_message(site_dir, exc, reading=False)
    return None


def _marks(names: tuple[str, ...]) -> str:
    return ", ".join("?" * len(names))


def _sum(name: str, data: str) -> bytes:
    return hashlib.sha256(f"{name}\0{data}".encode()).digest()[:16]


def _post_sum(key: str, meta: bytes, body: bytes) -> bytes:
    digest = hashlib.sha256(f"{key}\0".encode() + meta)
    digest.update(body)
    return digest.digest()[:16]


# Posts as JSON: a Post's fields in order (its body in a column of its own, since it
# is most of the bytes and JSON would escape it), datetimes with their exact zone.

POST_FIELDS = tuple(f.name for f in dataclasses.fields(Post))
_HINTS = typing.get_type_hints(Post)
_BODY = POST_FIELDS.index("body")
_DATES = tuple(i for i, n in enumerate(POST_FIELDS) if _HINTS[n] is dt.datetime)
_TUPLES = tuple(i for i, n in enumerate(POST_FIELDS) if typing.get_origin(_HINTS[n]) is tuple)
_post_values = operator.attrgetter(*POST_FIELDS)
_scan = json.scanner.make_scanner(typing.cast(Any, json.JSONDecoder()))  # C, when there


def encode_post(post: Post | Skipped) -> tuple[bytes, bytes]:
    """A post as (meta, body) in UTF-8: JSON of its fields, and its body."""
    if isinstance(post, Skipped):
        return json.dumps({"path": post.path, "reason": post.reason}).encode(), b""
    values = list(_post_values(post))
    body = values[_BODY]
    values[_BODY] = None
    for index in _DATES:
        values[index] = encode_moment(values[index])
    return json.dumps(values, ensure_ascii=False).encode(), body.encode()


def decode_post(meta: bytes, body: bytes) -> Post | Skipped:
    """The post `encode_post` was given; ValueError or TypeError when it cannot be."""
    values = _scan(meta.decode(), 0)[0]  # json.loads without its checks: faster
    if type(values) is dict:
        return Skipped(**values)
    values[_BODY] = body.decode()
    raw, moment = None, None
    for index in _DATES:  # often the same moment twice (updated = date): decode it once
        if values[index] != raw:
            raw, moment = values[index], decode_moment(values[index])
        values[index] = moment
    for index in _TUPLES:
        values[index] = tuple(values[index])
    return Post(*values)


def _decode(meta: bytes, body: bytes) -> Post | Skipped | None:
    try:
        return decode_post(meta, body)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError):
        return None  # damaged, though its digest matched: parse the post again


def encode_moment(moment: dt.datetime) -> tuple[int | str, ...]:
    """Local time, fold and zone, so that the very same datetime comes back: the zone
    as 'zone:Europe/London', 'offset:<microseconds>[:name]' or '' (none)."""
    zone = moment.tzinfo
    if zone is None:
        spec = ""
    elif isinstance(zone, zoneinfo.ZoneInfo) and zone.key:
        spec = f"zone:{zone.key}"
    elif isinstance(zone, dt.timezone):
        offset = zone.utcoffset(None)
        name = zone.tzname(None)
        spec = f"offset:{offset // dt.timedelta(microseconds=1)}" + (
            "" if name == dt.timezone(offset).tzname(None) else f":{name}")
    else:
        raise TypeError(f"cannot keep a date with the time zone {zone!r} in the cache")
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute,
            moment.second, moment.microsecond, moment.fold, spec)


def decode_moment(v: list[Any]) -> dt.datetime:
    zone = _ZONES[v[8]] if v[8] in _ZONES else _zone(v[8])
    if v[7]:
        return dt.datetime(v[0], v[1], v[2], v[3], v[4], v[5], v[6], zone, fold=v[7])
    return dt.datetime(v[0], v[1], v[2], v[3], v[4], v[5], v[6], zone)


_ZONES: dict[str, dt.tzinfo | None] = {}  # by spec, as encode_moment writes it


def _zone(spec: str) -> dt.tzinfo | None:
    kind, _, value = spec.partition(":")
    zone: dt.tzinfo | None = None
    if kind == "zone":
        zone = zoneinfo.ZoneInfo(value)
    elif kind == "offset":
        micros, _, name = value.partition(":")
        offset = dt.timedelta(microseconds=int(micros))
        zone = dt.timezone(offset, name) if name else dt.timezone(offset)
    elif spec:
        raise ValueError(f"unknown time zone {spec!r}")
    if len(_ZONES) < 1000:
        _ZONES[spec] = zone
    return zone


# Writing


def _folder(site_dir: Path) -> Path:
    """.cache/, made if missing, with a .gitignore that keeps it out of git."""
    folder = site_dir / CACHE_DIR
    folder.mkdir(exist_ok=True)
    if not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text("*\n")
    return folder


def _update(path: Path, cache: Cache) -> bool:
    """Apply the changes to this code's database in one transaction; False when it is
    not there, not this code's or damaged (then it is written anew)."""
    try:
        with contextlib.closing(_connect(path)) as db:
            db.execute("PRAGMA synchronous = OFF")  # a cache: a damaged one is rebuilt
            db.execute("BEGIN IMMEDIATE")
            state = _state(db, "version") if _fits(db) else None
            if state is None or state.get("version") != CODE_VERSION:
                db.execute("ROLLBACK")
                return False
            _write_changes(db, cache)
            db.execute("COMMIT")
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in UNUSABLE:
            raise
        return False
    _saved(cache)
    return True


def _rewrite(folder: Path, cache: Cache) -> None:
    """Everything into a new database, then put in place of the old one at once."""
    path = folder / DB_FILE
    temporary = folder / f"{DB_FILE}.new-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    cache.stored = Stored()
    try:
        with contextlib.closing(sqlite3.connect(temporary, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode = OFF")  # not in use until it is in place
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(SCHEMA)
            db.execute("BEGIN")
            _write_changes(db, cache)
            db.execute("COMMIT")
        for leftover in (f"{DB_FILE}-journal", f"{DB_FILE}-wal", f"{DB_FILE}-shm"):
            (folder / leftover).unlink(missing_ok=True)  # would be applied to the new file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    _saved(cache)
    _remove_old_files(folder)


def _write_changes(db: sqlite3.Connection, cache: Cache) -> None:
    """Write the rows that differ from what the database holds."""
    stored = cache.stored
    _write_posts(db, cache)
    plan = {"uses": (stored.uses, cache.shape.uses),
            "digests": (stored.digests, cache.shape.digests),
            "related": (stored.related, cache.shape.related)}
    _write_records(db, "plan", {n: now for n, (before, now) in plan.items()
                                if n not in stored.records or now != before
                                or (n == "digests" and stored.delta)})
    db.execute("DELETE FROM plan WHERE name = ?", (DELTA,))  # now in `digests`
    state = {k: getattr(cache, k) for k in STATE_FIELDS}
    _write_records(db, "state", {**state, "version": CODE_VERSION, "shape": cache.shape.key})
    _write_files(db, cache.stamps, stored.stamps)
    if cache.page_rows is not None:
        try:
            _write_page_rows(db, cache.page_rows)
        except Unkept:  # in the same transaction: none of its rows stay
            cache.page_rows = PageRows("")
            _write_page_rows(db, cache.page_rows)


def _write_page_rows(db: sqlite3.Connection, rows: PageRows) -> None:
    """Put these rows in place of the pages and entries the database held."""
    db.execute("DELETE FROM pages")
    db.execute("DELETE FROM entries")
    _write_rows(db, "pages", rows.pages())
    _write_rows(db, "entries", rows.entries())
    _write_records(db, "plan", {"pages": {"shape": rows.shape}})


def _write_records(db: sqlite3.Connection, table: str, records: dict[str, Any]) -> None:
    _write_rows(db, table, records.items())


def _write_rows(db: sqlite3.Connection, table: str, records: Iterable[tuple[str, Any]],
               encode: bool = True) -> None:
    """Each row encoded as it is written (as JSON, unless its value is text already): one
    at a time in memory."""
    db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                   (_record_row(n, json.dumps(v, ensure_ascii=False) if encode else v)
                    for n, v in records))


def _write_files(db: sqlite3.Connection, stamps: Stamps, stored: Stamps | None) -> None:
    """The files table as `stamps`, writing the rows that differ from `stored` (what it
    holds; None: not known, so every row)."""
    if stored is None:
        db.execute("DELETE FROM files")
        stored = {}
    db.executemany("DELETE FROM files WHERE name = ?",
                   [(path,) for path in stored.keys() - stamps.keys()])
    _write_rows(db, "files", _file_rows({path: value for path, value in stamps.items()
                                         if stored.get(path) != value}), encode=False)


def _record_row(name: str, data: str) -> tuple[str, bytes, str]:
    return name, _sum(name, data), data


def _write_posts(db: sqlite3.Connection, cache: Cache) -> None:
    gone = cache.stored.posts.difference(cache.posts)
    db.executemany("DELETE FROM posts WHERE key = ?",
                   [(f"{a} {b}",) for a, b in gone] + [(k,) for k in cache.stored.dropped])
    rows = (_post_row(f"{file_digest} {config_digest}", post)  # encoded as written
            for (file_digest, config_digest), post in cache.posts.items()
            if (file_digest, config_digest) not in cache.stored.posts)
    db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)", rows)


def _post_row(key: str, post: Post | Skipped) -> tuple[str, bytes, bytes, bytes]:
    meta, body = encode_post(post)
    return key, _post_sum(key, meta, body), meta, body


def _saved(cache: Cache) -> None:
    """The database now holds what the cache holds."""
    if cache.page_rows is not None:
        cache.pages_shape, cache.page_rows = cache.page_rows.shape, None
    cache.stored = Stored(True, frozenset(cache.posts), dict(cache.shape.uses),
                          dict(cache.shape.digests), dict(cache.shape.related),
                          records=frozenset(("uses", "digests", "related")),
                          pages_shape=cache.pages_shape, stamps=dict(cache.stamps))


def _remove_old_files(folder: Path) -> None:
    """Earlier versions' pickles and compiled templates, and interrupted saves (of
    this database or of the stamp)."""
    for name in OLD_FILES:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    cutoff = time.time() - LEFTOVER_SECONDS
    for leftover in [*folder.glob(f"{DB_FILE}.new-*"), *folder.glob(f"{STAMP_FILE}.*")]:
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


# Jinja's compiled templates


def _user_cache_dir() -> Path:
    """$XDG_CACHE_HOME, or ~/.cache."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"


def _private_folder(folder: Path) -> None:
    """Make the folder, readable and writable by this user alone; raise OSError when
    it exists and someone else owns it or may write into it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() \
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OSError(f"{folder} is not a private folder")


def _prune_versions(root: Path) -> None:
    """Compiled templates of other sitegen versions, unused for USER_CACHE_PRUNE_DAYS."""
    if not root.is_dir():
        return
    cutoff = time.time() - USER_CACHE_PRUNE_DAYS * 86400
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
