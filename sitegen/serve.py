"""`sitegen serve`: build into a private folder, serve it, rebuild and reload on every save.

Pieces: `watch.Watcher` builds (cache in memory) and rebuilds on change;
`server.DevServer` serves the result with live reload. `watch()` below gives the
builder alone, for benchmarks that time save → reload event.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from sitegen.progress import display
from sitegen.server import DevServer, bind
from sitegen.watch import Status, Watcher

log = logging.getLogger("sitegen")
EXIT_OK, EXIT_USAGE = 0, 2
REMOVER = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
PREFIX = "sitegen-serve-"  # the private folders', in the system's temporary folder
LOCK = ".sitegen-serve.lock"  # in a private folder: locked while its server runs


def watch(site_dir: Path, out_dir: Path,
          on_status: Callable[[Status], None] | None = None, search: bool = True) -> Watcher:
    """The dev server's builder without its HTTP side. Use it as a context manager:
    it builds once, then rebuilds on every save and calls `on_status` right when the
    browsers would be told (reload event). Wait for `.ready` before timing a save."""
    return Watcher(site_dir, out_dir, on_status, search_index=search)


def run(args: argparse.Namespace) -> int:
    site_dir = Path(args.source).resolve()
    _remove_abandoned(Path(tempfile.gettempdir()))
    private, lock = _private_folder()  # the build and its staging
    try:
        with _sigterm_as_interrupt():
            return _serve(args, Watcher(site_dir, private / "site", future=args.future,
                                        progress=display(args.quiet),
                                        search_index=not args.no_search))
    except KeyboardInterrupt:
        log.info("Stopping")
        return EXIT_OK
    finally:
        _remove(private)
        os.close(lock)


def _private_folder() -> tuple[Path, int]:
    """A new private folder, and its lock, held until this process ends: a server
    killed before it could remove its folder leaves it unlocked (the kernel releases
    the lock), and the next `sitegen serve` removes it (`_remove_abandoned`)."""
    private = Path(tempfile.mkdtemp(prefix=PREFIX))
    lock = os.open(private / f"{LOCK}.new", os.O_CREAT | os.O_WRONLY, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.replace(private / f"{LOCK}.new", private / LOCK)  # seen only once locked
    return private, lock


def _remove_abandoned(temporary: Path) -> None:
    """Remove the private folders of dev servers that were killed (SIGKILL, a closed
    terminal, a crash): those whose lock nobody holds. A folder without the lock
    file, or one that cannot be opened (another user's), is left alone."""
    try:
        found = [entry.path for entry in os.scandir(temporary)
                 if entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for folder in found:
        try:
            lock = os.open(os.path.join(folder, LOCK), os.O_WRONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its server runs
            continue
        finally:
            os.close(lock)  # unlocked either way: a server that starts now finds its own
        gone = f"{folder}-removing"
        try:
            os.rename(folder, gone)  # another server starting now may be removing it
        except OSError:
            continue
        log.info("Removing %s, which a dev server that was killed left behind", folder)
        _remove_later(Path(gone))


def _remove(folder: Path) -> None:
    """Remove the private build folder without making Ctrl-C wait for it (tens of
    thousands of files take seconds): renamed at once, then removed by a process of
    its own that outlives this one; removed here when that process cannot start."""
    gone = folder.with_name(folder.name + "-removing")
    try:
        folder.rename(gone)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_later(gone)


def _remove_later(folder: Path) -> None:
    """Remove `folder` in a process of its own that outlives this one; here when that
    process cannot start."""
    try:
        subprocess.Popen([sys.executable, "-c", REMOVER, str(folder)], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(args: argparse.Namespace, watcher: Watcher) -> int:
    server = _listen(args.host, args.port, watcher)
    if server is None:
        return EXIT_USAGE
    log.info("Building %s into %s (drafts included; removed on exit)", watcher.site_dir,
             watcher.out_dir)
    if watcher.early:
        log.info("Meanwhile serving the last build, %s; open pages reload when the build is "
                 "done", watcher.early)
    with server, watcher:
        url = _url(args.host, server.server_address[1], watcher.base_path)
        log.info("Serving at %s (rebuilds and reloads on save; Ctrl-C stops)", url)
        if args.open:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.serve_forever()
    return EXIT_OK


def _listen(host: str, port: int, watcher: Watcher) -> DevServer | None:
    try:
        server = bind(host, port, watcher)
    except OSError as exc:
        log.error("error: cannot listen on %s port %d: %s", host, port, exc.strerror or exc)
        return None
    chosen = server.server_address[1]
    if port and chosen != port:
        log.warning("port %d is in use; serving on port %d instead", port, chosen)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s: other machines can reach this dev server", host)
    return server


def _url(host: str, port: int, base_path: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path}"


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so the private build folder is removed either way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
