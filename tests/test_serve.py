"""`sitegen serve` as an author meets it: a real Chromium on the served pages while the
files under the site change, raw HTTP at its edges, and the served output compared
with a full build after a run of edits.

Chromium is Debian's /usr/bin/chromium driven by Playwright. Without it these browser
tests skip, except under CI=true, where they fail: CI must run them.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sitegen import serve
from sitegen.watch import Status, Watcher
from tests.conftest import FIXTURES, ROOT, post, sitegen, tree

SITE = FIXTURES / "serve-site"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
TIMEOUT = 60.0  # seconds; generous: the machine may be small and busy
FIRST = "2025/Jan/10/first/"
SECOND = "2025/Jan/11/second/"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Served:
    """A running `sitegen serve` subprocess and what it printed."""

    site: Path
    url: str  # http://127.0.0.1:PORT/…, the site's root
    out: Path  # the folder the dev server builds into
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def write(self, name: str, text: str) -> None:
        path = self.site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def get(self, path: str, method: str = "GET", **headers: str) -> Response:
        """One request, redirects not followed, the path sent as given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            answer.read())
        finally:
            connection.close()


def wait_until(check: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Poll `check` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(site: Path, port: int | None = None) -> Iterator[Served]:
    """Run `python -m sitegen serve` on `site`; always stop it afterwards."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sitegen", "serve", "--source", str(site),
               "--port", str(port or free_port())]
    process = subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    lines: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(process, lines), daemon=True)
    reader.start()
    try:
        log = wait_until(lambda: _started(lines, process), "the server to start")
        url = re.search(r"Serving at (\S+)", log)
        out = re.search(r"into (\S+) \(", log)
        assert url and out, log
        yield Served(site, url.group(1), Path(out.group(1)), process, lines)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(20)
        reader.join(5)


def _read_lines(process: subprocess.Popen[str], lines: list[str]) -> None:
    for line in process.stdout or ():
        lines.append(line.rstrip("\n"))


def _started(lines: list[str], process: subprocess.Popen[str]) -> str:
    log = "\n".join(lines)
    if process.poll() is not None:
        raise AssertionError(f"sitegen serve exited with {process.returncode}:\n{log}")
    return log if "Serving at" in log else ""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(shutil.copytree(SITE, tmp_path / "site")) as server:
        yield server


# ---- the browser ----

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Python playwright is not installed"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI must run the dev server's browser tests")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT * 1000)
    try:
        yield context.new_page()
    finally:
        context.close()


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_editing_a_post_updates_the_open_page(served: Served, page: Any) -> None:
    page.goto(served.url + FIRST)
    expect(page.locator("article .body")).to_contain_text("as it was written")
    served.write("content/2025-01-10-first.md",
                 post("First post", "2025-01-10", "[svg, python]", "Rewritten while watched."))
    expect(page.locator("article .body")).to_contain_text("Rewritten while watched.",
                                                          timeout=TIMEOUT * 1000)


def test_broken_front_matter_shows_an_overlay_until_fixed(served: Served, page: Any) -> None:
    page.goto(served.url + FIRST)
    source = "content/2025-01-10-first.md"
    served.write(source, post("First post", "tomorrow", "[svg, python]", "Broken edit."))
    overlay = page.locator("#sitegen-overlay")
    expect(overlay).to_contain_text(f"{source}, line 3", timeout=TIMEOUT * 1000)
    expect(overlay).to_contain_text("'tomorrow' is not a date")
    assert "as it was written" in served.get("/" + FIRST).text  # the last good site
    other = page.context.new_page()
    other.goto(served.url)
    expect(other.locator("#sitegen-overlay")).to_contain_text(source)
    served.write(source, post("First post", "2025-01-10", "[svg, python]", "Fixed edit."))
    expect(overlay).to_have_count(0, timeout=TIMEOUT * 1000)
    expect(other.locator("#sitegen-overlay")).to_have_count(0)
    expect(page.locator("article .body")).to_contain_text("Fixed edit.")


def test_a_site_broken_from_the_start_shows_the_overlay(tmp_path: Path, page: Any) -> None:
    site = shutil.copytree(SITE, tmp_path / "site")
    first = site / "content/2025-01-10-first.md"
    good = first.read_text()
    first.write_text(good.replace("date: 2025-01-10", "date: someday"))
    with serving(site) as server:
        assert "build failed" in server.log
        page.goto(server.url)
        expect(page.locator("#sitegen-overlay")).to_contain_text(
            "content/2025-01-10-first.md, line 3")
        first.write_text(good)
        expect(page.locator("main")).to_contain_text("First post", timeout=TIMEOUT * 1000)
        expect(page.locator("#sitegen-overlay")).to_have_count(0)


def test_new_tag_page_appears_and_a_deleted_post_goes(served: Served, page: Any) -> None:
    page.goto(served.url + "tags/")
    served.write("content/fresh.md", post("Fresh post", "2025-02-01", "[Brand New]"))
    expect(page.locator('a[href="/tags/brand-new/"]')).to_be_visible(timeout=TIMEOUT * 1000)
    page.click('a[href="/tags/brand-new/"]')
    expect(page.locator("main")).to_contain_text("Fresh post")

    page.goto(served.url + SECOND)
    assert "Second post" in served.get("/tags/python/").text
    (served.site / "content/2025-01-11-second.md").unlink()
    expect(page.locator("h1")).to_have_text("Page not found", timeout=TIMEOUT * 1000)
    assert served.get("/" + SECOND).status == 404
    assert "Second post" not in served.get("/tags/python/").text


def test_editing_a_template_changes_every_page_using_it(served: Served, page: Any) -> None:
    page.goto(served.url + FIRST)
    template = served.site / "templates/base.html"
    template.write_text(template.read_text().replace("first edition", "second edition"))
    expect(page.locator("#fixture-footer")).to_have_text("Fixture footer, second edition.",
                                                         timeout=TIMEOUT * 1000)
    for path in ("/", "/" + FIRST, "/" + SECOND, "/tags/", "/tags/svg/", "/archives/",
                 "/2025/Jan/", "/404.html"):
        text = served.get(path).text
        assert "second edition" in text and "first edition" not in text, path


def test_a_stylesheet_change_swaps_css_without_reloading(served: Served, page: Any) -> None:
    page.goto(served.url)
    page.evaluate("window.sitegenTestMark = 'still here'")
    served.write("static/style.css", "body { background-color: rgb(1, 2, 3); }\n")
    page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
        timeout=TIMEOUT * 1000)
    assert page.evaluate("window.sitegenTestMark") == "still here"


def test_drafts_are_served_and_marked(served: Served, page: Any) -> None:
    page.goto(served.url + "2025/Jan/13/unfinished/")
    expect(page.locator(".draft-mark")).to_contain_text("Draft")
    page.goto(served.url + "tags/svg/")
    expect(page.locator("main")).to_contain_text("Unfinished thoughts")


# ---- HTTP ----

def test_clean_urls_types_404_head_and_etags(served: Served) -> None:
    tag = served.get("/tags/svg/")
    assert tag.status == 200 and tag.headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script src="/__sitegen/reload.js"' in tag.body
    assert b"__sitegen" not in (served.out / "tags/svg/index.html").read_bytes()
    moved = served.get("/tags/svg?x=1")
    assert moved.status == 301 and moved.headers["location"] == "/tags/svg/?x=1"
    types = {"/static/style.css": "text/css", "/static/favicon.svg": "image/svg+xml",
             "/tags/svg.atom": "application/atom+xml", "/sitemap.xml": "application/xml",
             "/__sitegen/reload.js": "text/javascript", "/robots.txt": "text/plain"}
    for path, kind in types.items():
        answer = served.get(path)
        assert answer.status == 200 and answer.headers["content-type"].startswith(kind), path
    missing = served.get("/no/such/page/")
    assert missing.status == 404 and "Page not found" in missing.text
    assert b"/__sitegen/reload.js" in missing.body
    head = served.get("/tags/svg/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(tag.body))
    again = served.get("/tags/svg/", **{"If-None-Match": tag.headers["etag"]})
    assert again.status == 304 and again.body == b""
    assert served.get("/__sitegen/nothing").status == 404


def raw_request(port: int, target: str) -> bytes:
    """Send a request line exactly as written, so no client tidies the path."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Connection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_requests_cannot_leave_the_site_folder(served: Served, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (served.out / "leak.txt").symlink_to(secret)
    (served.out / "leak").symlink_to(tmp_path, target_is_directory=True)
    up = "/.." * 12
    targets = [
        f"{up}{secret}", f"{up}/etc/passwd", "/../secret.txt", "/static/../../secret.txt",
        "/%2e%2e/%2e%2e/secret.txt", "/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/static/..%2f..%2f..%2fsecret.txt", "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/..\\..\\secret.txt", f"/{secret}", f"//{secret}", f"/%2F{str(secret)[1:]}",
        "/etc/passwd", "//etc/passwd", f"{up.replace('..', '%2e%2e')}/etc/passwd",
        "/leak.txt", "/leak/secret.txt", "/leak/", "/%00/etc/passwd", "/tags/%2e/",
    ]
    assert raw_request(served.port, "/tags/svg/").startswith(b"HTTP/1.1 200 ")
    for target in targets:
        answer = raw_request(served.port, target)
        assert answer.startswith(b"HTTP/1.1 404 "), (target, answer[:200])
        assert b"TOP SECRET" not in answer and b"root:" not in answer, target


def test_a_site_under_a_sub_path_is_served_there(tmp_path: Path) -> None:
    with serving(shutil.copytree(FIXTURES / "golden-site", tmp_path / "site")) as server:
        assert server.url.endswith("/blog/")
        root = server.get("/")
        assert root.status == 301 and root.headers["location"] == "/blog/"
        assert server.get("/blog").headers["location"] == "/blog/"
        assert server.get("/blog/tags/svg/").status == 200
        assert server.get("/tags/svg/").status == 404


def test_a_busy_port_moves_to_the_next(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with serving(shutil.copytree(SITE, tmp_path / "site"), port) as server:
            assert f"port {port} is in use; serving on port" in server.log
            assert server.port != port and server.get("/").status == 200


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(TIMEOUT) == 0
    assert not served.out.parent.exists()  # the private build folder is gone
    wait_until(lambda: "Stopping" in served.log, "the goodbye")


def test_a_killed_servers_folder_is_removed_by_the_next(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL leaves the private build folder behind (a whole site, gigabytes on a big
    blog); the next `sitegen serve` removes it, and nothing it cannot prove abandoned."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    stranger = temporary / "sitegen-serve-not-ours"  # no lock file: not ours to judge
    stranger.mkdir()
    (stranger / "keep.txt").write_text("mine")
    site = shutil.copytree(SITE, tmp_path / "site")
    with serving(site) as killed:
        killed.process.kill()
        killed.process.wait(TIMEOUT)
    left = killed.out.parent
    assert (left / "site/index.html").exists()
    with serving(site) as running, serving(site) as second:
        wait_until(lambda: not left.exists() and not Path(f"{left}-removing").exists(),
                   "the killed server's folder to go")
        assert f"Removing {left}" in running.log
        assert running.out.parent.exists() and second.out.parent.exists()  # alive: kept
        assert (stranger / "keep.txt").read_text() == "mine"
        assert sorted(p.name for p in temporary.iterdir()) == sorted(
            [stranger.name, running.out.parent.name, second.out.parent.name])


# ---- served output = full build ----

def full_build(site: Path, out: Path) -> dict[str, bytes]:
    run = sitegen("build", "--source", site, "--out", out, "--drafts", "--no-cache")
    assert run.code == 0, run.err
    return comparable(tree(out))


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """The output but the search index's bundles, whose bytes Pagefind does not make
    alike twice (the same records give other file names): their list stays compared."""
    kept = {path: data for path, data in files.items() if not path.startswith("search/index/")}
    if ".sitegen-manifest" in kept:
        lines = kept[".sitegen-manifest"].splitlines()[1:]
        kept[".sitegen-manifest"] = b"\n".join(
            line for line in lines if b" search/index/" not in line)
    return kept


def same_as_full_build(served: Served, out: Path, step: str, timeout: float = TIMEOUT) -> None:
    """Wait until the served output is byte for byte a fresh full build of the source."""
    expected = full_build(served.site, out)
    try:
        wait_until(lambda: _tree_now(served.out) == expected, f"the served output {step}",
                   timeout)
    except AssertionError:
        now = _tree_now(served.out) or {}
        differ = sorted(p for p in expected.keys() | now.keys() if expected.get(p) != now.get(p))
        raise AssertionError(f"{step}: the served output differs from a full build in "
                             f"{differ[:10]}\n{served.log}") from None


def _tree_now(folder: Path) -> dict[str, bytes] | None:
    try:
        return comparable(tree(folder))
    except OSError:  # a rebuild moved or deleted a file while it was being read
        return None


def test_served_output_equals_a_full_build_after_edits(served: Served, tmp_path: Path) -> None:
    site = served.site
    edits: list[tuple[str, Callable[[], object]]] = [
        ("add a post", lambda: served.write(
            "content/2025-02-01-added.md", post("Added", "2025-02-01", "[svg]"))),
        ("edit a post", lambda: served.write(
            "content/2025-01-10-first.md", post("First, retitled", "2025-01-10",
                                                "[svg, python]", "New *words*."))),
        ("delete a post", lambda: (site / "content/2025-01-12-third.md").unlink()),
        ("add a tag", lambda: served.write(
            "content/2025-02-01-added.md", post("Added", "2025-02-01", "[svg, Golden Gate]"))),
        ("drop a tag", lambda: served.write(
            "content/2025-02-01-added.md", post("Added", "2025-02-01", "[svg]"))),
        ("edit a template", lambda: served.write(
            "templates/base.html", (site / "templates/base.html").read_text().replace(
                "first edition", "second edition"))),
        ("add a template", lambda: served.write(
            "templates/404.html", '{% extends "base.html" %}\n'
                                  "{% block content %}<h1>Gone</h1>{% endblock %}\n")),
        ("edit a static file", lambda: served.write("static/style.css", "p { margin: 0 }\n")),
        ("add a static file", lambda: served.write("static/notes/readme.txt", "Hello.\n")),
        ("delete a static file", lambda: (site / "static/notes/readme.txt").unlink()),
        ("edit site.toml", lambda: served.write(
            "site.toml", (site / "site.toml").read_text().replace(
                "Serve Fixture", "Renamed Fixture").replace("per_page = 5", "per_page = 1"))),
        ("replace site.toml by renaming", lambda: _replace_by_rename(
            site / "site.toml", lambda text: text.replace("Renamed", "Replaced"))),
        ("add tags.toml", lambda: served.write(
            "content/tags.toml", '[svg]\nname = "SVG"\nold_names = ["vector"]\n')),
        ("publish a draft", lambda: served.write(
            "content/unfinished.md", post("Unfinished thoughts", "2025-01-13", "[svg]"))),
        ("save a post by renaming over it", lambda: _replace_by_rename(
            site / "content/2025-01-10-first.md", lambda text: text.replace("New", "Newer"))),
        ("move a folder of posts in", lambda: _folder_of_posts(tmp_path / "2024").rename(
            site / "content/2024")),
        ("edit a post in that folder", lambda: served.write(
            "content/2024/2024-05-02-moved.md", post("Moved, edited", "2024-05-02", "[svg]"))),
        ("move the folder out", lambda: (site / "content/2024").rename(tmp_path / "out-2024")),
    ]
    for number, (step, edit) in enumerate(edits):
        edit()
        same_as_full_build(served, tmp_path / f"full-{number}", f"after '{step}'")

    good = _tree_now(served.out)
    failures = served.log.count("build failed")
    served.write("content/2025-01-10-first.md", "---\ntitle: [unclosed\n---\nBody.\n")
    wait_until(lambda: served.log.count("build failed") > failures, "the failed build")
    assert _tree_now(served.out) == good  # the last good site stays
    served.write("content/2025-01-10-first.md", post("First, fixed", "2025-01-10", "[css]"))
    same_as_full_build(served, tmp_path / "full-fixed", "after fixing a broken post")


def test_a_save_that_empties_the_file_first_keeps_the_last_good_site(served: Served) -> None:
    """Editors often save by emptying the file, then writing it; the watcher can see the
    two apart. The empty moment must not become the last good site."""
    wait_until(lambda: "search index updated" in served.log, "the first search index")
    failures = served.log.count("build failed")
    with open(served.site / "content/2025-01-10-first.md", "w", encoding="utf-8") as handle:
        handle.flush()  # empty on disk now
        time.sleep(0.3)  # far longer than the watcher's quiet time
        handle.write(post("First post", "tomorrow", "[svg, python]", "Broken edit."))
    wait_until(lambda: served.log.count("build failed") > failures, "the failed build")
    assert "as it was written" in served.get("/" + FIRST).text, served.log
    assert "empty file" not in served.log


def _folder_of_posts(folder: Path) -> Path:
    """A folder of two posts made outside the site, to move in whole."""
    folder.mkdir()
    (folder / "2024-05-01-moved.md").write_text(post("Moved in", "2024-05-01", "[svg, css]"))
    (folder / "2024-05-02-moved.md").write_text(post("Moved too", "2024-05-02", "[svg]"))
    return folder


def _replace_by_rename(path: Path, change: Callable[[str], str]) -> None:
    """Save as many editors do: write a new file, then rename it over the old one."""
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(change(path.read_text()))
    temporary.replace(path)


def test_renaming_a_post_gives_what_a_full_build_gives(served: Served, tmp_path: Path) -> None:
    content = served.site / "content"
    (content / "2025-01-11-second.md").rename(content / "2025-01-11-second-renamed.md")
    same_as_full_build(served, tmp_path / "full", "after renaming a post", TIMEOUT / 4)


# ---- the builder alone, in this process ----

def test_stylesheet_only_builds_let_pages_swap_css(tmp_path: Path) -> None:
    site = shutil.copytree(SITE, tmp_path / "site")
    told: list[Status] = []
    watcher = Watcher(site, tmp_path / "out", on_status=told.append)
    first = watcher.rebuild()
    assert first.version and first.changed and not first.errors
    assert watcher.rebuild().version == first.version  # nothing changed: no news
    (site / "static/style.css").write_text("")  # a save caught half-written
    second = watcher.rebuild()
    (site / "static/style.css").write_text("p { margin: 0 }\n")
    third = watcher.rebuild()
    assert third.css_from == (first.version, second.version)
    (site / "content/2025-01-10-first.md").write_text(post("First post", "2025-01-10"))
    fourth = watcher.rebuild()
    assert fourth.css_from == () and fourth.version != third.version
    (site / "content/2025-01-10-first.md").write_text("---\ntitle: [\n---\n")
    broken = watcher.rebuild()
    assert broken.version == fourth.version
    assert [e.path for e in broken.errors] == ["content/2025-01-10-first.md"]
    assert told[-1] == broken and len(told) == 6


def test_watch_reports_each_save_for_benchmarks(tmp_path: Path) -> None:
    site = shutil.copytree(SITE, tmp_path / "site")
    told: list[tuple[float, Status]] = []
    with serve.watch(site, tmp_path / "out",
                     on_status=lambda s: told.append((time.perf_counter(), s))) as watcher:
        assert watcher.ready.wait(TIMEOUT)
        told.clear()
        saved = time.perf_counter()
        (site / "content/2025-01-10-first.md").write_text(post("First", "2025-01-10"))
        wait_until(lambda: any(s.changed for _, s in told), "the reload event")
        reloaded, status = next((t, s) for t, s in told if s.changed)
        assert reloaded > saved and status.seconds > 0
        assert "<h1>First</h1>" in (tmp_path / "out/2025/Jan/10/first/index.html").read_text()
