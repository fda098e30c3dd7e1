"""The demo site as the theme's checks see it: one address per page type, the viewports
and colour schemes, a build into any folder and a plain static server.

The accessibility tests, `make weights` and `make screenshots` all read this one list,
so a page type added here is measured, checked and photographed alike."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent

# Page type → path under the site's root. Posts are picked for what they exercise: the
# entry has code blocks, footnotes and an SVG; the others are one of each other kind.
PAGE_TYPES: dict[str, str] = {
    "home": "",
    "entry": "2026/Jan/24/golden-gate-in-svg/",
    "link": "2024/Apr/17/zoneinfo/",
    "quote": "2024/Jul/4/mara-lindqvist-feeds/",
    "note": "2024/Sep/15/feed-validator/",
    "entries": "entries/",
    "tag": "tags/svg/",
    "tag-combination": "tags/atom+feeds/",
    "tags-index": "tags/",
    "tags-by-count": "tags/by-count.html",
    "archives": "archives/",
    "archive-year": "2025/",
    "archive-month": "2025/Jun/",
    "archive-day": "2025/Jun/14/",
    "search": "search/",
    "404": "404.html",
}
SEARCH_QUERY = "svg"  # typed into the search page, so that results show
SEARCH_BOX = "#search-q"
SEARCH_RESULTS = "#search-results > li"
SEARCH_READY = "#search-status:not(:empty)"  # search.js has loaded and listens

VIEWPORTS: dict[str, Any] = {  # Playwright's ViewportSize
    "1280px": {"width": 1280, "height": 800},
    "390px": {"width": 390, "height": 844},
}
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


def page_types(source: Path = ROOT) -> dict[str, str]:
    """PAGE_TYPES, plus the first undated page of `content/pages/` when the site has one."""
    found = dict(PAGE_TYPES)
    pages = sorted((source / "content" / "pages").glob("*.*"))
    if pages:
        found["page"] = slug_of(pages[0]) + "/"
    return found


def slug_of(path: Path) -> str:
    """A page's slug: its front matter's `slug`, else its file name without a date."""
    match = re.search(r"^slug:\s*['\"]?([^'\"\n]+)", path.read_text(encoding="utf-8"), re.M)
    return match[1].strip() if match else re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)


def build(out: Path, base_url: str) -> None:
    """Build this repository's demo site into `out` for `base_url`, as `make build` would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(ROOT),
                           "--out", str(out), "--no-cache", "--base-url", base_url],
                          capture_output=True, text=True, env=env, timeout=600)
    if done.returncode:
        raise SystemExit(f"the demo site did not build:\n{done.stderr}")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serving(folder: Path) -> contextlib.AbstractContextManager[str]:
    """A plain static server of `folder` on 127.0.0.1: yields its http://127.0.0.1:PORT."""
    return serving_with(functools.partial(Quiet, directory=str(folder)))


@contextlib.contextmanager
def serving_with(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server with `handler` in a thread: yields its http://127.0.0.1:PORT."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(page: Any, site: str, name: str, path: str) -> None:
    """Load one page type; on the search page, type the query and wait for results."""
    page.goto(site + path)
    if name == "search":
        page.locator(SEARCH_READY).wait_for(timeout=60_000)
        page.locator(SEARCH_BOX).press_sequentially(SEARCH_QUERY)
        page.locator(SEARCH_RESULTS).first.wait_for(state="visible", timeout=60_000)
