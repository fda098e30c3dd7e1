"""The dev server's builder: watch the sources, rebuild on every save, tell the browsers.

The build is the one `sitegen build` runs, with the cache kept in memory: a save
parses again only the files that changed and renders only the pages whose inputs
changed. After every build a `Status` goes to the browsers (and to `on_status`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

import watchfiles

from sitegen import cache as cache_store
from sitegen import config as site_config
from sitegen import dates, manifest, search
from sitegen.build import THEME_STATIC, Options, Progress, build, load_config
from sitegen.cache import Cache
from sitegen.config import Config
from sitegen.errors import BuildErrors, SiteError
from sitegen.livepatch import Patcher
from sitegen.templates import THEME_DIR

log = logging.getLogger("sitegen")
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # our rebuild line says more
QUIET_MS = 4  # a burst of saves ends after this long without another
WAKE_MS = 1000  # how often the watch loop looks for new or replaced source folders
CSS_FROM_KEPT = 20  # a page older than this many stylesheet-only builds reloads whole
# Past this many changed paths in one burst, every content file is looked at again: a
# burst that big (a git checkout, say) may have overflowed the kernel's event queue,
# and the events it dropped would never be seen.
LOOK_AT_MOST = 200


@dataclass(frozen=True, slots=True)
class Status:
    """What browsers are told after a build: which version of the site to show, or
    what broke. A version changes only when some output changed."""

    version: str = ""
    css_from: tuple[str, ...] = ()  # recent versions from which only stylesheets changed
    errors: tuple[SiteError, ...] = ()  # non-empty: the build failed; `version` still stands
    seconds: float = 0.0  # how long the build took
    changed: int = 0  # outputs that changed (rendered again, added or removed)

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version, "css_from": self.css_from,
            "errors": [{"path": e.path, "line": e.line, "message": e.message}
                       for e in self.errors]})


class Broadcast:
    """The latest Status, numbered, and a way for many threads to wait for the next."""

    def __init__(self) -> None:
        self._news = threading.Condition()
        self._number = 0
        self._status = Status()
        self.closed = False

    def latest(self) -> tuple[int, Status]:
        with self._news:
            return self._number, self._status

    def publish(self, status: Status) -> None:
        with self._news:
            self._number += 1
            self._status = status
            self._news.notify_all()

    def wait(self, after: int, timeout: float) -> tuple[int, Status]:
        """The first status numbered above `after`; the latest one on timeout or close."""
        with self._news:
            self._news.wait_for(lambda: self._number > after or self.closed, timeout)
            return self._number, self._status

    def close(self) -> None:
        with self._news:
            self.closed = True
            self._news.notify_all()


class SearchUpdates:
    """Makes the search bundles that a build left behind, in a thread of its own, one
    update at a time: a request made while one runs waits, and a newer one replaces it.
    `done` gets the new bundles' folders, and whether to publish them (no newer
    request waits)."""

    def __init__(self, store: Path, done: Callable[[dict[str, Path], bool], None]) -> None:
        self.store = store
        self._done = done
        self._wanted: tuple[search.Pending, Config] | None = None
        self._news = threading.Condition()
        self._stopped = False
        self._busy = False
        self._thread: threading.Thread | None = None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no update runs or waits (its build published); False on timeout."""
        with self._news:
            return self._news.wait_for(lambda: (not self._busy and self._wanted is None)
                                       or self._stopped, timeout)

    def submit(self, pending: search.Pending, config: Config) -> None:
        with self._news:
            self._wanted = (pending, config)
            self._news.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sitegen-search",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop at once: an index being made is dropped (its Pagefind stopped), for it
        would never be published."""
        with self._news:
            self._stopped = True
            self._news.notify()
        search.stop_all()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._news:
                self._news.wait_for(lambda: self._wanted is not None or self._stopped)
                if self._stopped or self._wanted is None:
                    return
                (pending, config), self._wanted = self._wanted, None
                self._busy = True
            try:
                fresh = search.update(pending, config.language, self.store)
                with self._news:
                    newer = self._wanted is not None or self._stopped
                self._done(fresh, not newer)
            except search.SearchStopped:
                pass  # Ctrl-C, or stop(): the server is going away
            except SiteError as exc:
                log.error("error: %s", exc)
            finally:
                with self._news:
                    self._busy = False
                    self._news.notify_all()


class Watcher:
    """Builds `site_dir` into `out_dir` (drafts included), then rebuilds in a
    background thread whenever a source changes.

    Used as a context manager it builds once, starts watching and stops on exit. When
    the last `sitegen build` left its output folder as it was (`early`), that folder is
    served (`served`) while the first build runs in the watching thread; the first
    build's reload event then moves open pages to the dev server's own folder.
    A save that changes only posts' words is applied in place (livepatch.py).
    `on_status` is called in the watcher's thread right after each build's Status
    is published to the browsers, so a benchmark can time save → reload event.
    `ready` is set once the watcher is watching and has caught up with every save
    made during the first build. `progress` shows the first build's long stages, as
    `sitegen build` does; rebuilds are quick and show none.
    """

    def __init__(self, site_dir: Path, out_dir: Path,
                 on_status: Callable[[Status], None] | None = None,
                 future: bool = False, progress: Progress | None = None,
                 search_index: bool = True) -> None:
        self.site_dir = site_dir
        self.out_dir = out_dir
        # beside the output folder (the dev server's private folder, removed with it
        # even when the server is killed): not in the system's temporary folder
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._search_store = Path(tempfile.mkdtemp(prefix=".sitegen-search-",
                                                   dir=out_dir.parent))
        self.options = Options(site_dir=site_dir, out_dir=out_dir, drafts=True, future=future,
                               use_cache=False, search=search_index,
                               search_later=True, search_store=self._search_store)
        self.search = SearchUpdates(self._search_store, self._search_done)
        self._lock = threading.RLock()  # one build at a time: saves' and the index's
        self._pending: tuple[search.Pending, Config] | None = None
        # parsed posts from `make build`, if any: read by the first build, not here,
        # so that the last build is served at once
        self.cache = cache_store.load_state(site_dir)
        self.cache.written, self.cache.inputs = None, ""
        self.cache.templates_ok = ""  # compile them all here, not in each build worker
        self.cache.keep_plan = True
        self.early = last_build(self.cache)  # served until the first build is done
        self._own = False  # the first build is done: its folder is served
        self._patcher: Patcher | None = None  # applies saves of words alone
        self.broadcast = Broadcast()
        self.base_path = _base_path(site_dir)  # the base URL's path: the site is served under it
        self.ready = threading.Event()
        self._on_status = on_status
        self._progress = progress  # for the first build only
        self._boot = secrets.token_hex(4)
        self._versions = 0
        self._warned: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._window_tried = ("", "")  # a failed build is not tried again for the same due

    def __enter__(self) -> Watcher:
        if self.early is None:
            self.rebuild()
        self.start()
        return self

    @property
    def served(self) -> Path:
        """The folder pages are read from: the dev server's own once it has built it,
        the last `sitegen build`'s output until then."""
        return self.out_dir if self._own or self.early is None else self.early

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="sitegen-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching and release every browser waiting for news."""
        self._stop.set()
        self.broadcast.close()
        idle = self._lock.acquire(blocking=False)  # a first build may run for long:
        if idle:  # the thread is a daemon, and the folder goes with the process
            self._lock.release()
        if self._thread and idle:
            self._thread.join(timeout)
        self.search.stop(timeout)
        shutil.rmtree(self._search_store, ignore_errors=True)

    def rebuild(self, reason: str = "", edited: set[str] | None = None) -> Status:
        """Build once, publish the outcome and return it. Never raises for the site's
        errors: they go to the browsers, and the last good site stays in place.
        `edited`: the only content files changed since the last build, when known."""
        with self._lock:
            return self._rebuild(reason, edited)

    def _search_done(self, fresh: dict[str, Path], publish: bool) -> None:
        """New bundles are made: put them in place while no build reads them; then,
        unless a newer update follows, build again to publish them (they are all that
        changed, so open pages do not reload). That build reads no post: a save it
        would see half-written has a burst of its own, which builds next."""
        with self._lock:
            search.install(fresh, self._search_store)
            if not publish:
                return
            self.cache.inputs = ""
            self._rebuild("search index updated: ", set())

    def _rebuild(self, reason: str, edited: set[str] | None, patch: bool = True) -> Status:
        started = time.perf_counter()
        errors: tuple[SiteError, ...] = ()
        changed = self._patch(edited) if patch else None
        patched = changed is not None
        if patched:  # the search index follows in a full build, after the reload
            self._pending = None
        if changed is None:
            before = self._outputs()
            errors = self._build(edited)
            changed = set() if errors else _changed(before, self._outputs())
        _, last = self.broadcast.latest()
        status = self._next_status(last, errors, changed, time.perf_counter() - started)
        if not patched:
            _report(last, status, reason)
        if self._pending and not errors:  # it waits for this build's lock: after the reload
            self.search.submit(*self._pending)
        self.broadcast.publish(status)
        if self._on_status:
            try:
                self._on_status(status)
            except Exception:
                log.exception("on_status failed")
        if patched:  # after the reload event: the rest, which no browser waits for
            more = self._settle(edited, bool(changed))
            _report(last, replace(status, changed=len(changed | more),
                                  seconds=time.perf_counter() - started), reason)
        elif not errors:
            self._prepare()
        return status

    def _prepare(self) -> None:
        """After a full build, what the next save would otherwise learn first."""
        try:
            if self._patcher:
                self._patcher.prepare(self.cache)
        except Exception:  # the next save finds out again, or builds
            log.debug("the plan's feeds could not be learnt", exc_info=True)

    def _patch(self, edited: set[str] | None) -> set[str] | None:
        """A save of words alone applied in place: the outputs it changed; None when
        the save needs a full build (which also says what is wrong, if anything)."""
        if not edited or self._patcher is None:
            return None
        try:
            return self._patcher.apply(self.site_dir, self.out_dir, self.cache, edited)
        except (SiteError, BuildErrors):
            return None
        except Exception:  # the full build plans again, and reports a bug of its own
            log.debug("a save could not be applied in place", exc_info=True)
            self._forget_outputs()
            return None

    def _settle(self, edited: set[str] | None, applied: bool) -> set[str]:
        """After a save applied in place: its other outputs and the folder's manifest
        (the outputs that changed), then, with search, a full build that finds only the
        search index to update. Should that fail, a full build says why."""
        try:
            changed = self._patcher.settle(self.out_dir, self.cache) if self._patcher \
                else set()
        except Exception:
            log.debug("a save could not be applied in place", exc_info=True)
            self._forget_outputs()
            self._rebuild("", edited, patch=False)
            return set()
        if (applied or changed) and self._searching():
            self._rebuild("", edited, patch=False)
        return changed

    def _idle(self) -> None:
        """Nothing changed for a while (WAKE_MS): write what saves applied in place
        left for later (the folder's manifest)."""
        with self._lock:
            try:
                if self._patcher:
                    self._patcher.write_manifest(self.out_dir, self.cache)
            except OSError:
                log.debug("the manifest could not be written", exc_info=True)
                self._forget_outputs()

    def _searching(self) -> bool:
        return self._patcher is not None and self._patcher.config.search.enabled

    def read(self, file: Path) -> bytes | None:
        """The bytes of a file `locate` found in `served`: a page a save changed comes
        from memory until it is on disk. None when it has gone since."""
        held = self._patcher.held.get(str(file)) if self._patcher else None
        if held is not None:
            return held
        try:
            return file.read_bytes()
        except OSError:  # deleted by a build since it was located
            return None

    def _build(self, edited: set[str] | None) -> tuple[SiteError, ...]:
        self._pending = None
        if self._patcher:  # after a save that failed half-way: the build writes them
            self._patcher.held.clear()
        try:
            progress, self._progress = self._progress, None
            summary = build(self.options, cache=self.cache, changed=edited, progress=progress)
            config = load_config(self.options)
            self.base_path = config.base_path
        except BuildErrors as exc:
            return tuple(exc.errors)
        except SiteError as exc:
            return (exc,)
        except Exception as exc:  # the server outlives any bug in a build
            if self._stop.is_set():  # stopped mid-build: its folder is going
                return ()
            log.exception("unexpected error while building; still serving the last good site")
            self._forget_outputs()
            return (SiteError("sitegen", None, f"unexpected {type(exc).__name__}: {exc} "
                                               "(the terminal has the details)"),)
        for warning in summary.warnings:
            if warning not in self._warned:
                log.warning("warning: %s", warning)
        self._warned = set(summary.warnings)
        if summary.search and summary.search.pending:
            self._pending = (summary.search.pending, config)
        if self._patcher is None or self._patcher.config != config:
            self._patcher = Patcher(config)
        self._patcher.manifest_due = False  # the build wrote the folder's manifest
        self._own = True
        return ()

    def _forget_outputs(self) -> None:
        """After a failure nobody foresaw, the plan kept in memory may be half-patched:
        the next build plans the site again and reads the folder's own manifest (the
        commit is whole or journalled, so that is right); parsed posts stay cached."""
        self.cache.planned, self.cache.written = None, None

    def _outputs(self) -> dict[str, tuple[str, str]]:
        """Every output the last good build wrote, with its fingerprint and digest."""
        return self.cache.written.files if self.cache.written else {}

    def _next_status(self, last: Status, errors: tuple[SiteError, ...], changed: set[str],
                     seconds: float) -> Status:
        if errors or not changed:
            return replace(last, errors=errors, seconds=seconds, changed=0)
        if all(path.startswith("search/") for path in changed):  # no page shows it
            return replace(last, errors=(), seconds=seconds, changed=len(changed))
        self._versions += 1
        css_only = all(path.endswith(".css") for path in changed)
        css_from = (*last.css_from, last.version)[-CSS_FROM_KEPT:] if css_only else ()
        return Status(f"{self._boot}-{self._versions}", css_from, (), seconds, len(changed))

    def _watch(self) -> None:
        """Build first unless built already; then rebuild after each burst of saves,
        until stopped. When the system cannot watch (its limit of watched folders, say),
        look for changes by polling."""
        if self.early is not None and not self._own:
            self.rebuild()
        polling = False
        while not self._stop.is_set():
            try:
                self._watch_layout(polling)
            except FileNotFoundError:  # a source folder went as watching began
                self._stop.wait(WAKE_MS / 1000)
            except Exception:
                if polling:
                    log.exception("cannot look for changes any more; restart sitegen serve")
                    return
                log.exception("cannot watch for changes; polling for them instead")
                polling = True

    def _watch_layout(self, polling: bool) -> None:
        """Watch the sources as they are laid out now; return when that layout changes:
        a source folder appears or goes, or site.toml is replaced (editors save by
        renaming, and a watch on the old file would see nothing more)."""
        layout = self._layout()
        roots = sorted({str(p) for p, identity in layout if identity})
        catch_up = True  # saves made before this watch began
        held: set[tuple[watchfiles.Change, str]] = set()  # a burst that looked mid-save
        for changes in watchfiles.watch(*roots, watch_filter=watchfiles.DefaultFilter(),
                                        stop_event=self._stop, step=QUIET_MS,
                                        rust_timeout=WAKE_MS, yield_on_timeout=True,
                                        force_polling=polling):
            moved = self._layout() != layout
            if changes and not held and not moved and _mid_save(changes):
                held = set(changes)  # build when the write comes, or after WAKE_MS
                continue
            changes, held = changes | held, set()
            if changes or catch_up or moved:
                edited = None if catch_up or moved else _content_paths(changes, self.site_dir)
                self.rebuild(_describe(changes, self.site_dir), edited)
                catch_up = False
                self.ready.set()
            elif self._due():
                self.rebuild("a scheduled post's time came: ", set())
            else:
                self._idle()
            if moved:
                return

    def _due(self) -> bool:
        """Whether a scheduled post's time has come since the last build (looked at each
        time the watch loop wakes, every WAKE_MS): its mark must go."""
        window = self.cache.window
        try:
            due = window != self._window_tried and not dates.within(window, dates.now())
        except ValueError:  # SITEGEN_NOW unreadable: the build says so
            return False
        self._window_tried = window if due else self._window_tried
        return due

    def _layout(self) -> list[tuple[Path, tuple[int, int] | None]]:
        """Every place a source can live, with its identity (None when missing)."""
        places = [self.site_dir / name for name in ("content", "templates", "static", "root")]
        places += [self.site_dir / site_config.CONFIG_FILE, THEME_DIR, THEME_STATIC]
        return [(place, _identity(place)) for place in places]


def last_build(cache: Cache) -> Path | None:
    """The output folder of the last `sitegen build` that left `cache` (loaded from the
    site's .cache/), when it still holds just what that build wrote: its manifest is
    the one the cache recorded, and no commit is half done. None otherwise."""
    where = cache.last.get("out")
    if not isinstance(where, str) or not where or not cache.manifest:
        return None
    folder = Path(where)
    try:
        if manifest.read_id(folder) != cache.manifest or (folder / manifest.JOURNAL).exists():
            return None
    except OSError:
        return None
    return folder


def _base_path(site_dir: Path) -> str:
    """site.toml's base path, or '/' when it cannot be read (the build will say why)."""
    try:
        return site_config.load(site_dir).base_path
    except SiteError:
        return "/"


def _report(last: Status, status: Status, reason: str) -> None:
    if status.errors:
        if [str(e) for e in status.errors] != [str(e) for e in last.errors]:
            for error in status.errors:
                log.error("error: %s", error)
            log.error("build failed; still serving the last good site")
    elif status.changed or last.errors:
        done = "rebuilt" if last.version else "built"
        log.info("%s%s in %.2f s, %d file(s) changed", reason, done, status.seconds,
                 status.changed)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _changed(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) \
        -> set[str]:
    """Outputs whose fingerprint changed, appeared or went."""
    return {path for path, _ in before.items() ^ after.items()}


def _content_paths(changes: set[tuple[watchfiles.Change, str]], site_dir: Path) \
        -> set[str] | None:
    """The changed files under content/, as paths from the site folder; None when a
    change lies where it might hide one (outside the site folder and the theme), or
    the changes are too many to trust that none were lost."""
    if len(changes) > LOOK_AT_MOST:
        return None
    root = os.path.abspath(site_dir)
    theme = (os.path.abspath(THEME_DIR), os.path.abspath(THEME_STATIC))
    found = set()
    for _, path in changes:
        full = os.path.abspath(path)
        relative = os.path.relpath(full, root).replace(os.sep, "/")
        if relative.startswith("content/"):
            found.add(relative)
        elif relative == "content" or _outside(full, relative, theme):
            return None
    return found


def _outside(full: str, relative: str, theme: tuple[str, ...]) -> bool:
    """Outside both the site folder and the theme."""
    return relative.startswith("../") and \
        not any(full.startswith(f"{folder}{os.sep}") for folder in theme)


def _mid_save(changes: set[tuple[watchfiles.Change, str]]) -> bool:
    """Whether a changed file is now empty: most editors save by emptying the file and
    then writing it, and a build between the two would publish the site without that
    post (an empty file is skipped), as the last good one."""
    for change, path in changes:
        try:
            if change != watchfiles.Change.deleted and os.stat(path).st_size == 0:
                return True
        except OSError:
            continue
    return False


def _describe(changes: set[tuple[watchfiles.Change, str]], site_dir: Path) -> str:
    names = sorted({_relative(Path(path), site_dir) for _, path in changes})
    if not names:
        return ""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{', '.join(names[:3])}{more} changed: "


def _relative(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return f"{path} (built-in theme)"
