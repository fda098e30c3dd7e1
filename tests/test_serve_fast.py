"""The dev server at once: served from the last `sitegen build` while its own first
build runs, and a save of a post's words applied in place before the reload event.

The first build is held by a hook (the watcher's `build`, wrapped to wait for a
signal), so that "before the first build is done" needs no clock.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen import watch
from sitegen.server import bind
from sitegen.watch import Status, Watcher
from tests.conftest import FIXTURES, post, sitegen, tree
from tests.test_serve import comparable, full_build, serving, wait_until

SITE = FIXTURES / "serve-site"
WAIT = 60.0  # seconds; generous: the machine may be small and busy
SECOND = "2025/Jan/11/second/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The serve fixture, built once by `sitegen build`: its cache warm, public/ full."""
    folder = shutil.copytree(SITE, tmp_path / "site")
    run = sitegen("build", "--source", folder)
    assert run.code == 0, run.err
    return folder


@contextlib.contextmanager
def http_server(watcher: Watcher) -> Iterator[Callable[[str], str]]:
    """The dev server's HTTP side on a free port; yields a function that GETs a path."""
    server = bind("127.0.0.1", 0, watcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]

    def get(path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=WAIT) as reply:
            return bytes(reply.read()).decode()

    try:
        yield get
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def held_first_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The watcher's builds wait until the event is set."""
    go = threading.Event()
    real = watch.build

    def held(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(WAIT), "the test never let the first build run"
        return real(*args, **kwargs)

    monkeypatch.setattr(watch, "build", held)
    try:
        yield go
    finally:
        go.set()


def next_version(watcher: Watcher, after: str) -> Status:
    """Wait for a published status whose version is not `after` (a reload event)."""
    number, status = watcher.broadcast.latest()
    while status.version == after:
        newer, status = watcher.broadcast.wait(number, WAIT)
        assert newer != number, "no reload event came"
        number = newer
    return status


def test_served_from_the_last_build_until_the_first_build_is_done(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with held_first_build(monkeypatch) as go:
        watcher = Watcher(site, tmp_path / "private")
        with watcher, http_server(watcher) as get:
            early = get("")
            assert watcher.served == site / "public"
            assert "Second post" in early
            assert "Unfinished thoughts" not in early  # a draft: not in `sitegen build`
            assert "/__sitegen/reload.js" in early  # added as served, not in the file
            assert b"reload.js" not in (site / "public/index.html").read_bytes()
            go.set()
            status = next_version(watcher, "")
            assert not status.errors
            later = get("")
            assert "Unfinished thoughts" in later  # the dev server's build shows drafts
            assert f'data-version="{status.version}"' in later
            assert watcher.served == tmp_path / "private"
    public = tree(site / "public")
    assert not any("Unfinished" in data.decode(errors="replace") for data in public.values())


def test_without_a_last_build_the_first_build_comes_first(tmp_path: Path) -> None:
    folder = shutil.copytree(SITE, tmp_path / "site")
    watcher = Watcher(folder, tmp_path / "private")
    assert watcher.early is None
    with watcher, http_server(watcher) as get:
        assert "Unfinished thoughts" in get("")


def test_a_last_build_changed_since_is_not_served(site: Path, tmp_path: Path) -> None:
    """Another build into public/ since the cache was written (here, with other
    options and no cache): that folder is not the cache's last build."""
    run = sitegen("build", "--source", site, "--no-cache", "--drafts")
    assert run.code == 0, run.err
    assert Watcher(site, tmp_path / "private").early is None


def test_sitegen_serve_says_it_serves_the_last_build(site: Path) -> None:
    with serving(site) as served:
        assert "Meanwhile serving the last build" in served.log
        wait_until(lambda: "Unfinished thoughts" in served.get("/").text, "the first build")


def test_a_save_of_words_publishes_a_reload_whose_page_shows_them(
        site: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []  # (version, the post's page) when browsers are told
    told = threading.Event()
    out = tmp_path / "private"

    served: list[Callable[[str], str]] = []  # GET through the dev server, once it is up

    def on_status(status: Status) -> None:  # what a browser told to reload gets
        if status.changed and served:
            seen.append((status.version, served[0](SECOND)))
            told.set()

    with Watcher(site, out, on_status) as watcher, http_server(watcher) as get:
        served.append(get)
        assert watcher.ready.wait(WAIT)
        watcher.search.wait(WAIT)
        before = watcher.broadcast.latest()[1].version
        told.clear()
        (site / "content/2025-01-11-second.md").write_text(
            post("Second post", "2025-01-11", "[python]", "Words saved a moment ago."))
        wait_until(lambda: told.is_set() and seen[-1][0] != before, "the reload event", WAIT)
        assert "Words saved a moment ago." in seen[-1][1]
        assert not watcher.broadcast.latest()[1].errors
        with watcher._lock:  # the save's other outputs are in place
            feed = (out / "atom/everything.atom").read_text()
        assert "Words saved a moment ago." in feed
        expected = full_build(site, tmp_path / "full")  # the manifest comes when idle
        wait_until(lambda: _tree_now(out) == expected, "the folder of a full build", WAIT)


def _tree_now(folder: Path) -> dict[str, bytes] | None:
    try:
        return comparable(tree(folder))
    except OSError:  # a rebuild moved a file while it was being read
        return None


def test_saves_of_words_in_a_row_leave_what_a_full_build_leaves(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each save is applied in place, and feeds.sha256 is edited from the last one's:
    after three saves to posts that share feeds, the folder is a full build's."""
    builds: list[object] = []
    real = watch.build

    def counted(*args: Any, **kwargs: Any) -> Any:
        builds.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(watch, "build", counted)
    out = tmp_path / "private"
    with Watcher(site, out, search_index=False) as watcher:
        assert watcher.ready.wait(WAIT)
        first_builds = len(builds)
        saves = [("2025-01-10-first.md", "First post", "2025-01-10", "[svg, python]"),
                 ("2025-01-12-third.md", "Third post", "2025-01-12", "[svg]"),
                 ("2025-01-11-second.md", "Second post", "2025-01-11", "[python]")]
        for number, (name, title, date, tags) in enumerate(saves):
            version = watcher.broadcast.latest()[1].version
            (site / "content" / name).write_text(post(title, date, tags, f"Save {number}."))
            next_version(watcher, version)
            full = tmp_path / f"full-{number}"
            run = sitegen("build", "--source", site, "--out", full, "--drafts", "--no-cache",
                          "--no-search")
            assert run.code == 0, run.err
            expected = comparable(tree(full))
            wait_until(lambda: _tree_now(out) == expected,  # noqa: B023 (called at once)
                       f"the folder of a full build after save {number}", WAIT)
        assert len(builds) == first_builds  # every save was applied in place
