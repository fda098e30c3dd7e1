"""WebSub (W3C): the published list of feed digests, and telling a hub which feeds changed.

Every build writes `feeds.sha256` at the output's root: one line per feed document
(Atom and JSON, subscriptions, archives and copies), `<digest>  <path>`, sorted by path;
the digest is the one sitegen's manifest keeps, the first 32 hex digits of the bytes'
SHA-256. `sitegen ping` compares the built list with the one the live site publishes
(or a saved copy) and sends the hub one publish notice per feed whose line is new or
differs: a form POST of hub.mode=publish and hub.url=<the feed's URL>, as hubs take it.
Only `sitegen ping` uses the network, and only when it is run.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sitegen import __version__, pages, pathlines
from sitegen import config as site_config
from sitegen.config import Config
from sitegen.errors import ConfigError, OutputError, SiteError, cut
from sitegen.pages import Page

DIGESTS = "feeds.sha256"
TIMEOUT = 10  # seconds for each request: a slow live site or hub is reported, not waited on
LINE = re.compile(r"([0-9a-f]{32,64})  (\S.*)")
NOT_FEEDS = (pages.TEMPLATE, pages.TEXT, pages.COPY)


class PingError(SiteError):
    """The hub or the published list could not be had, or the hub refused a notice."""


def is_feed(page: Page) -> bool:
    """A feed document, told by its renderer rather than its name: Atom (pages.FEED) and
    any other kind that is not a template, given text or a copied file (JSON Feed)."""
    return page.kind not in NOT_FEEDS


def digest_page(feeds: Iterable[str], digest_of: Callable[[str], str]) -> tuple[Page, str]:
    """The digest list of these feeds (output paths) as a page to write, and its
    fingerprint. `digest_of`: an output path's bytes' digest, as the manifest records
    it (rendered now, or unchanged)."""
    text = listing({path: digest_of(path) for path in feeds})
    return list_page(text), list_fingerprint(text)


def list_fingerprint(text: str) -> str:
    """The digest list's fingerprint, as the manifest records it."""
    return "feeds|" + hashlib.sha256(text.encode()).hexdigest()


def list_page(text: str = "") -> Page:
    return Page(DIGESTS, pages.TEXT, context={"text": text, "origin": "feeds.sha256"})


def listing(digests: Mapping[str, str]) -> str:
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def relisted(text: str, digests: Mapping[str, str]) -> str:
    """The digest list `text` (as `listing` writes it) with new digests for the paths in
    `digests` that it lists; the others are not feeds of its, and are left out. Each
    line is found and replaced in place: no pass over the whole list (32,865 lines,
    0.2 s, on a site of 100,000 posts)."""
    spans = []
    for path, digest in digests.items():
        found = pathlines.find(text, path, "  ", 0)
        if found is not None:
            spans.append((*found, digest))
    return pathlines.spliced(text, spans)


def parse(text: str) -> dict[str, str] | None:
    """A digest list → {path: digest}; None when the text is not one (a host that
    answers every URL with its home page)."""
    found = [LINE.fullmatch(line) for line in text.splitlines() if line]
    if not all(found):
        return None
    return {m[2]: m[1] for m in found if m}


def changed(built: Mapping[str, str], published: Mapping[str, str]) -> list[str]:
    """The paths whose line is new or differs, sorted."""
    return sorted(path for path, digest in built.items() if published.get(path) != digest)


@dataclass(frozen=True, slots=True)
class Published:
    """The live site's (or a saved) digest list, or why none could be had."""

    digests: dict[str, str] | None
    problem: str = ""  # why `digests` is None


@dataclass(frozen=True, slots=True)
class Ping:
    """What `sitegen ping` is to send: the hub, each changed feed's URL, and the note
    when every feed is sent because no published list could be had."""

    hub: str
    urls: tuple[str, ...]
    total: int  # feeds in the built list
    note: str = ""


def prepare(site_dir: Path, out_dir: Path | None, base_url: str | None,
            since: str | None) -> Ping:
    """The notices to send for the build in `out_dir` (default: the site's output)."""
    config = site_config.load(site_dir, base_url)
    if not config.feeds.hub:
        raise ConfigError(site_config.CONFIG_FILE, None, "no WebSub hub is set; add "
                          '[feeds] hub = "https://…" (your hub\'s address) to site.toml')
    built = read_built((out_dir or site_dir / config.output).resolve())
    published = fetch_published(since or config.absolute(DIGESTS))
    paths = changed(built, published.digests) if published.digests is not None else sorted(
        built)
    note = "" if published.digests is not None else \
        f"{published.problem}; notifying the hub of every feed"
    return Ping(config.feeds.hub, tuple(feed_url(config, p) for p in paths), len(built), note)


def read_built(out_dir: Path) -> dict[str, str]:
    try:
        text = (out_dir / DIGESTS).read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(str(out_dir / DIGESTS), None, f"cannot read the built feed list "
                          f"({exc.strerror or exc}); build the site first (sitegen build), "
                          "or name its output folder with --out") from None
    found = parse(text)
    if found is None:
        raise OutputError(str(out_dir / DIGESTS), None, "this is not sitegen's feed list; "
                          "build the site again (sitegen build)")
    return found


def feed_url(config: Config, path: str) -> str:
    """A feed file's URL, as its rel="self" gives it: a copy at a folder URL ('/feed/',
    written to feed/index.xml) is known by the folder's URL."""
    copies = {site_config.feed_copy_file(c): c.lstrip("/") for c in config.feeds.copies}
    return config.absolute(copies.get(path, path))


def fetch_published(since: str) -> Published:
    """The digest list at a URL or in a saved file; or why it could not be had."""
    is_url = since.startswith(("http://", "https://"))
    try:
        text = _get(since) if is_url else Path(since).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Published(None, f"could not get the published feed list from {since} "
                         f"({_reason(exc)})")
    digests = parse(text)
    if digests is None:
        return Published(None, f"{since} is not a feed list written by sitegen")
    return Published(digests)


def save(site_dir: Path, base_url: str | None, file: Path) -> Published | None:
    """Save the live site's digest list to `file`, for a later `ping --since`. None when
    no hub is set (nothing to save); when no list could be had, an empty one is saved,
    so that every feed is sent."""
    config = site_config.load(site_dir, base_url)
    if not config.feeds.hub:
        return None
    published = fetch_published(config.absolute(DIGESTS))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(listing(published.digests or {}), encoding="utf-8")
    return published


def _get(url: str) -> str:
    import urllib.request  # here: a build never pings, and this takes 50 ms to import

    request = urllib.request.Request(url, headers={"User-Agent": f"sitegen/{__version__}"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        data: bytes = response.read(64 * 1024 * 1024)
    return data.decode("utf-8")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return f"{getattr(reason, 'strerror', None) or reason}; offline?"
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT} s"
    return cut(str(getattr(exc, "strerror", None) or exc), 120)


def send(ping: Ping) -> dict[str, str]:
    """Send one publish notice per feed; the feeds the hub refused, each with its
    answer. Stops at the first notice that cannot reach the hub at all (PingError)."""
    refused: dict[str, str] = {}
    for done, url in enumerate(ping.urls):
        try:
            problem = _notify(ping.hub, url)
        except (OSError, ValueError) as exc:
            raise PingError(ping.hub, None, f"cannot reach the hub ({_reason(exc)}); "
                            f"{done} of {len(ping.urls)} notices sent: check [feeds] hub in "
                            "site.toml and your connection, then run sitegen ping "
                            "again") from None
        if problem:
            refused[url] = problem
    return refused


def _notify(hub: str, url: str) -> str:
    """'' when the hub took the notice (2xx), else its answer."""
    import urllib.request  # as in _get

    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
    request = urllib.request.Request(hub, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"sitegen/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read(64 * 1024)
            return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
