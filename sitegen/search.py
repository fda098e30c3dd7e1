"""The search index: one Pagefind bundle per year of posts (or per part of a busy
year, see `parts`), made from post records.

Records, not pages: a record holds what a reader searches (a post's words, title,
tags, kind and date), so a template-only change leaves the index as it is. Each
bundle is made in a private folder (`.cache/search/<bundle>/`) only when the digest
of its records changed, then published like a static file: the build's plan holds
every file of every bundle, and its commit writes them with the rest of the site.
`search/indexes.json` lists the bundles, newest first, for the search page, which
merges them in the browser (Pagefind's `mergeIndex`; a merged bundle uses the first
one's WebAssembly, so each costs the browser two small files).

Pagefind's Python package drives its binary as a service, but reads one answer per
0.1 s (10 records a second); this module speaks the same protocol (base64 JSON
messages ended by ',') to the same binary, sending a year's records in one stream.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import html
import importlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from sitegen import manifest, searchfiles
from sitegen.config import Config
from sitegen.errors import SiteError
from sitegen.site import PAGE, Entry

INDEXES = "search/indexes.json"
BUNDLES = "search/index/"
STORE = "search"  # the folder of bundles in .cache/
SCHEMA = "1"  # change it when records change shape: every bundle is made again
DIGEST_FILE, FILES_FILE, BUNDLE = "digest", "files.json", "bundle"
FIX = ("reinstall sitegen (pip install 'pagefind[bin]'), or build without search "
       "(--no-search, or enabled = false in site.toml's [search])")


class SearchError(SiteError):
    """Pagefind is missing or failed."""


class SearchStopped(SearchError):
    """Pagefind was stopped by a signal (Ctrl-C, or `stop_all`): not its failure."""


@dataclass(frozen=True, slots=True)
class Record:
    """One post as Pagefind indexes it."""

    url: str
    content: str
    meta: dict[str, str] = field(hash=False)
    filters: dict[str, list[str]] = field(hash=False)
    sort: dict[str, str] = field(hash=False)

    @property
    def year(self) -> str:
        return self.filters["year"][0]


class Published(NamedTuple):
    """An output file of the index: where it goes and the file it is copied from. A
    tuple, since a build gets some 10,000 of them from a worker (a post's fragment
    each): unpickled 3 times faster than a dataclass."""

    path: str  # 'search/index/2025/pagefind.js'
    source: str  # absolute path in the store
    digest: str


Pending = dict[str, tuple[str, list[Record]]]  # bundle → (its digest, its records)


@dataclass(frozen=True, slots=True)
class Index:
    """What a build publishes of the search index; `pending`: bundles older than their
    posts (the dev server makes them after the reload)."""

    files: tuple[Published, ...]
    indexes_json: str
    pending: Pending = field(default_factory=dict, hash=False)


# Records ---------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


def records(entries: Iterable[Entry], config: Config) -> list[Record]:
    """One record per dated post (not pages), newest first."""
    posts = [e for e in entries if e.post.kind != PAGE]
    posts.sort(key=lambda e: (e.post.date, e.post.source), reverse=True)
    return [record(e, config) for e in posts]


def record(entry: Entry, config: Config) -> Record:
    post = entry.post
    local = post.date.astimezone(config.tz)
    meta = {"title": post.title, "date": post.date.isoformat(),
            "date_text": f"{local.day} {local:%B %Y}", "kind": post.kind,
            "tags": ", ".join(t.name for t in entry.tags),
            "tag_slugs": " ".join(t.slug for t in entry.tags)}
    if post.draft:
        meta["draft"] = "true"
    if post.scheduled:  # shown by the dev server only
        meta["scheduled_text"] = f"{meta['date_text']}, {local:%H:%M}"
    utc = post.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Record(config.url(entry.url), text_of(entry), meta,
                  {"tag": [t.slug for t in entry.tags], "kind": [post.kind],
                   "year": [str(local.year)]}, {"date": utc})


def text_of(entry: Entry) -> str:
    """The words a reader may search for: title, linked title, quote source, body."""
    post = entry.post
    parts = [post.title, post.link_title, post.quote_source, TAG.sub(" ", entry.body)]
    return SPACE.sub(" ", html.unescape(" ".join(p for p in parts if p))).strip()


PART_POSTS = 400  # a year of more posts is indexed in parts
SPLITS = (1, 2, 4, 12)  # a year's parts: the whole year, halves, quarters, months


def parts(entries: Iterable[Entry], config: Config) -> dict[str, list[Entry]]:
    """Dated posts (not pages) by bundle, newest first: a bundle per year, or, for a year
    of more than PART_POSTS posts, per half year, quarter or month, so that an edit
    indexes a few hundred posts again, not thousands. A bundle is named by its year
    ('2025'), or by its first month ('2025-07': July to December)."""
    years: dict[int, list[tuple[int, Entry]]] = defaultdict(list)
    for entry in entries:
        if entry.post.kind != PAGE:
            local = entry.post.date.astimezone(config.tz)
            years[local.year].append((local.month, entry))
    found: dict[str, list[Entry]] = defaultdict(list)
    for year, dated in years.items():
        split = next((n for n in SPLITS if len(dated) <= PART_POSTS * n), SPLITS[-1])
        months = 12 // split
        for month, entry in dated:
            first = (month - 1) // months * months + 1
            found[str(year) if split == 1 else f"{year}-{first:02d}"].append(entry)
    return dict(sorted(found.items(), reverse=True))


def digest(part: list[Entry], config: Config) -> str:
    """Everything a bundle is made from: its posts (by their source's digest,
    URL and tag names: an entry's key) and the settings records read. Computed without
    making the records, so an unchanged bundle costs nothing."""
    keys = sorted(f"{e.key}|{e.post.draft}" for e in part)
    head = [SCHEMA, _version(), config.language, config.base_path, config.timezone]
    text = json.dumps([head, keys])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def _version() -> str:
    """Which Pagefind makes the bundles: its binary's path, size and time (read without
    importlib.metadata, which takes longer to import than the whole lookup)."""
    try:
        binary = _binary()
        return f"{binary}|{_stat(binary)}"
    except (SearchError, OSError):
        return ""


# The store: bundles in a private folder -------------------------------------------

def index(entries: list[Entry], config: Config, store: Path, later: bool = False,
          drafts: bool = False) -> Index:
    """Make each bundle whose posts changed (unless `later`: then keep the bundle it
    had, hand its records over, and say the index is behind); forget bundles that have
    no posts."""
    found = parts(entries, config)
    digests = {part: digest(posts, config) for part, posts in found.items()}
    kept = {part: _kept(store, part) for part in found}
    stale = {y: records(found[y], config) for y in found
             if kept[y] is None or kept[y].made_from != digests[y]}  # type: ignore[union-attr]
    if stale and not later:
        _clear_leftovers(store)
        make(stale, digests, pagefind_language(config.language), store)
        kept.update((y, _kept(store, y)) for y in stale)
        stale = {}
    _forget(store, set(found))
    ready = [y for y in found if kept[y] is not None]
    files = tuple(f for y in ready for f in kept[y].files)  # type: ignore[union-attr]
    return Index(files, indexes_json(ready, tag_names(entries), bool(stale), drafts),
                 {y: (digests[y], recs) for y, recs in stale.items()})


def make(parts: dict[str, list[Record]], digests: dict[str, str], language: str,
         store: Path) -> None:
    """Index each part in Pagefind and swap the new bundles in."""
    install(made(parts, digests, language, store), store)


PROCESSES = 2  # Pagefind processes at most, each indexing its share of the parts


def made(parts: dict[str, list[Record]], digests: dict[str, str], language: str,
         store: Path) -> dict[str, Path]:
    """Index each part in Pagefind into a new folder of the store (a dot-folder, which
    builds neither read nor remove); its path by part. Many parts (a cold build) are
    shared among a few Pagefind processes, one thread each: they run on other cores
    while the thread waits for their answers."""
    store.mkdir(parents=True, exist_ok=True)
    fresh: dict[str, Path] = {}
    names = list(parts)
    count = max(1, min(PROCESSES, len(names), len(os.sched_getaffinity(0))))
    shares = [names[n::count] for n in range(count)]
    try:
        with ThreadPoolExecutor(count, thread_name_prefix="sitegen-pagefind") as pool:
            list(pool.map(lambda share: _make_share(share, parts, digests, language, store,
                                                    fresh), shares))
    except BaseException:
        for folder in fresh.values():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return fresh


def _make_share(share: list[str], parts: dict[str, list[Record]], digests: dict[str, str],
                language: str, store: Path, fresh: dict[str, Path]) -> None:
    """Index these parts, one after the other, in one Pagefind process. The files a
    part's old bundle has already (most of them, after an edit) are linked to, not
    written again."""
    with Pagefind() as pagefind:
        for part in share:
            old = _kept(store, part)
            fresh[part] = Path(tempfile.mkdtemp(prefix=f".{part}.", dir=store))
            written = pagefind.write(parts[part], language, fresh[part] / BUNDLE,
                                     {f.digest: f.source for f in old.files} if old else {})
            _note(fresh[part], digests[part], written)


def install(fresh: dict[str, Path], store: Path) -> None:
    """Put each new bundle in place of its old one."""
    for part, folder in fresh.items():
        shutil.rmtree(store / part, ignore_errors=True)
        os.replace(folder, store / part)


def update(pending: Pending, language: str, store: Path) -> dict[str, Path]:
    """Make the bundles a build left `pending` (the dev server, in the background),
    ready to `install` when no build runs."""
    return made({y: recs for y, (_, recs) in pending.items()},
                {y: made_from for y, (made_from, _) in pending.items()},
                pagefind_language(language), store)


def _note(folder: Path, made_from: str, written: dict[str, str]) -> None:
    """Keep each file's digest (`written`: by its path in the bundle), size and time
    beside the bundle, so that builds need not read it, and a file changed since (by
    hand, or damaged) is seen."""
    bundle = folder / BUNDLE
    files = {rel: [written[rel], *_stat(bundle / rel)] for rel in sorted(written)}
    (folder / FILES_FILE).write_text(json.dumps(files), encoding="utf-8")
    (folder / DIGEST_FILE).write_text(made_from, encoding="utf-8")


def _stat(path: Path | str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


@dataclass(frozen=True, slots=True)
class Kept:
    """A bundle in the store: the digest it was made from, and its files."""

    made_from: str
    files: tuple[Published, ...]


def _kept(store: Path, part: str) -> Kept | None:
    """The part's bundle, if it is whole: None when a file is missing or changed."""
    folder = store / part
    bundle = f"{folder / BUNDLE}{os.sep}"
    try:
        made_from = (folder / DIGEST_FILE).read_text(encoding="utf-8")
        files = json.loads((folder / FILES_FILE).read_text(encoding="utf-8"))
        if not manifest.all_inside(files):
            return None
        published = tuple(Published(f"{BUNDLES}{part}/{rel}", bundle + rel, d)
                          for rel, (d, size, mtime) in files.items()
                          if _same_file(bundle + rel, size, mtime))
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return Kept(made_from, published) if len(published) == len(files) else None


def _same_file(path: str, size: int, mtime: int) -> bool:
    stat = os.stat(path)
    return stat.st_size == size and stat.st_mtime_ns == mtime


def _clear_leftovers(store: Path) -> None:
    """Dot-folders an interrupted `sitegen build` left (it alone uses its store)."""
    for folder in store.glob(".*") if store.is_dir() else ():
        shutil.rmtree(folder, ignore_errors=True)


def _forget(store: Path, parts: set[str]) -> None:
    """Remove the bundles of parts without posts (not the dot-folders being made)."""
    if not store.is_dir():
        return
    for folder in store.iterdir():
        if folder.name not in parts and not folder.name.startswith("."):
            shutil.rmtree(folder, ignore_errors=True)


def tag_names(entries: Iterable[Entry]) -> dict[str, str]:
    """Each tag's display name by its slug."""
    return {t.slug: t.name for e in entries if e.post.kind != PAGE for t in e.tags}


def indexes_json(parts: list[str], tags: dict[str, str], behind: bool, drafts: bool) -> str:
    """The search page's list of bundles, newest part first, and each tag's name."""
    return json.dumps({"bundles": [f"{BUNDLES}{y}/" for y in parts],
                       "tags": dict(sorted(tags.items())), "behind": behind,
                       "drafts": drafts}, ensure_ascii=False, indent=1) \
        .replace("<", "\\u003c").replace(">", "\\u003e") + "\n"  # no markup, even as text


def pagefind_language(language: str) -> str:
    """site.toml's 'en-us' → Pagefind's 'en'."""
    return language.split("-")[0].lower() or "en"


@contextlib.contextmanager
def store_for(site_dir: Path, cache_dir: str, given: Path | None) -> Iterator[Path]:
    """Where bundles are made: `given`, else .cache/search/ in the site, else (no cache)
    a folder removed after the build."""
    store = given or (site_dir / cache_dir / STORE if cache_dir else None)
    if store is not None and _usable(store):
        yield store
    else:  # no cache, or one that cannot be written: it costs time, not the build
        with tempfile.TemporaryDirectory(prefix="sitegen-search-") as folder:
            yield Path(folder)


def _usable(store: Path) -> bool:
    """True when bundles can be kept in `store` (made if need be, and writable)."""
    try:
        store.mkdir(parents=True, exist_ok=True)
        probe = store / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


# Pagefind's service ----------------------------------------------------------------

PIPES: set[int] = set()  # the pipes of the Pagefind processes this process runs
LIVE: set[subprocess.Popen[bytes]] = set()  # those processes, for stop_all


def stop_all() -> None:
    """Stop every Pagefind process this process runs (the dev server, quitting, does not
    wait for an index it will never publish); their readers get SearchStopped."""
    for process in list(LIVE):
        with contextlib.suppress(OSError):
            process.kill()


def _close_pipes() -> None:
    """In a forked worker (the dev server renders while a thread indexes): close the
    Pagefind pipes it inherited, so that Pagefind sees its input end when sitegen closes
    it, not when the last worker ends."""
    for fd in PIPES:
        with contextlib.suppress(OSError):
            os.close(fd)
    PIPES.clear()
    LIVE.clear()  # the parent's to stop, not the worker's


os.register_at_fork(after_in_child=_close_pipes)


class Pagefind:
    """The `pagefind --service` process: requests in, answers out, in order."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._buffer = b""
        self._number = 0

    def __enter__(self) -> Pagefind:
        binary = _binary()
        self._log = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._log)
        except OSError as exc:
            raise SearchError("pagefind", None, f"cannot run {binary} "
                              f"({exc.strerror or exc}); {FIX}") from None
        PIPES.update(self._pipes())
        LIVE.add(self._process)
        return self

    def _pipes(self) -> set[int]:
        process = self._process
        return {p.fileno() for p in (process.stdin, process.stdout) if p} if process else set()

    def __exit__(self, *exc: object) -> None:
        if self._process:
            PIPES.difference_update(self._pipes())
            LIVE.discard(self._process)
            with contextlib.suppress(OSError):
                self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log:
            self._log.close()

    def write(self, recs: list[Record], language: str, folder: Path,
              reusable: dict[str, str]) -> dict[str, str]:
        """One index of `recs`, written into `folder` (see `searchfiles.write`); each
        file's digest by its path in the folder."""
        made = self._ask({"type": "NewIndex", "config": {"force_language": language}})
        index_id = made["index_id"]
        writer = threading.Thread(target=self._send_all, args=(recs, index_id, language))
        writer.start()
        try:
            for _ in recs:
                self._answer("IndexedFile")
        finally:
            writer.join()
        # Its files come in the answer, and sitegen writes them: Pagefind's WriteFiles
        # answers before its last file is written.
        answer = self._ask({"type": "GetFiles", "index_id": index_id})
        try:
            written = searchfiles.write(_decoded(answer), folder, reusable)
        except (KeyError, TypeError, ValueError) as exc:
            raise self._failed(f"its files were not Pagefind's ({exc})") from None
        self._ask({"type": "DeleteIndex", "index_id": index_id})
        return written

    def _send_all(self, recs: list[Record], index_id: int, language: str) -> None:
        with contextlib.suppress(SearchError):  # a dead process: the reader says so
            for rec in recs:
                self._send({"type": "AddRecord", "index_id": index_id, "url": rec.url,
                            "content": rec.content, "language": language, "meta": rec.meta,
                            "filters": rec.filters, "sort": rec.sort}, flush=False)
            with contextlib.suppress(OSError):
                self._stdin().flush()

    def _ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._send(payload)
        return self._answer(payload["type"])

    def _send(self, payload: dict[str, Any], flush: bool = True) -> None:
        self._number += 1
        message = json.dumps({"message_id": self._number, "payload": payload})
        stdin = self._stdin()
        try:
            stdin.write(base64.b64encode(message.encode()) + b",")
            if flush:
                stdin.flush()
        except OSError:  # it is gone: say why, as its log tells
            raise self._failed("it stopped") from None

    def _answer(self, expected: str) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = json.loads(base64.b64decode(self._read()))["payload"]
        except (ValueError, KeyError, TypeError):
            raise self._failed("its answer was not Pagefind's") from None
        if payload.get("type") != expected:
            raise self._failed(str(payload.get("message") or payload))
        return payload

    def _read(self) -> bytes:
        """The next message: the bytes up to the next ',' (base64 has none)."""
        parts, rest = [], self._buffer
        while b"," not in rest:
            parts.append(rest)
            rest = self._chunk()
        head, _, self._buffer = rest.partition(b",")
        return b"".join([*parts, head])

    def _chunk(self) -> bytes:
        stdout = self._process.stdout if self._process else None
        chunk = os.read(stdout.fileno(), 1 << 16) if stdout else b""
        if not chunk:
            raise self._failed("it stopped")
        return chunk

    def _stdin(self) -> IO[bytes]:
        assert self._process is not None and self._process.stdin is not None
        return self._process.stdin

    def _failed(self, why: str) -> SearchError:
        lines: list[str] = []
        if self._log:
            self._log.seek(0)
            lines = self._log.read().decode(errors="replace").strip().splitlines()
        said = f" ({lines[-1]})" if lines else ""
        if self._signalled():
            return SearchStopped("pagefind", None, f"Pagefind was stopped{said}")
        return SearchError("pagefind", None, f"Pagefind failed to index the posts: "
                           f"{why}{said}; {FIX}")

    def _signalled(self) -> bool:
        """Whether the process ended by a signal (Ctrl-C reaches it too, or stop_all)."""
        try:
            code = self._process.wait(timeout=1) if self._process else 0
        except subprocess.TimeoutExpired:
            return False
        return code < 0


def _decoded(answer: dict[str, Any]) -> list[tuple[str, bytes]]:
    """GetFiles' answer: each file's path in the bundle and its bytes."""
    return [(str(f["path"]), base64.b64decode(f["content"], validate=True))
            for f in answer["files"]]


@functools.cache
def _binary() -> Path:
    """The pagefind binary, found as Pagefind's Python package finds it (the variable
    PAGEFIND_BINARY_PATH, then `pagefind[extended]`, `pagefind[bin]`, then PATH), but
    without importing that package's asyncio client."""
    found = os.environ.get("PAGEFIND_BINARY_PATH") or _packaged_binary() \
        or shutil.which("pagefind_extended") or shutil.which("pagefind")
    if not found or not Path(found).is_file():
        raise SearchError("pagefind", None, f"the pagefind binary is missing; {FIX}")
    return Path(found)


def _packaged_binary() -> str | None:
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = importlib.import_module(package)
            return str(module.get_executable())
        except (ImportError, OSError):
            continue
    return None
