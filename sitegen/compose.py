"""The dev server's compose page: write a post from the browser, at `/__sitegen/new`.

Only `sitegen serve` answers it; a build never writes it. Its POST writes a file
under content/, so it is guarded against other sites open in the same browser: the
form carries a secret made when the server starts (no other page can read it), the
Origin header, when sent, must be the server's own, and the Host header must name
the server (DNS rebinding). Only a browser on this machine may use it.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import string
import time
import unicodedata
from dataclasses import dataclass, replace
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, quote, urlsplit

from sitegen import config as site_config
from sitegen import newpost
from sitegen.errors import SiteError
from sitegen.watch import Watcher

PATH = "/__sitegen/new"  # the page, and where its form posts
MADE = "/__sitegen/made"  # where a saved post is waited for until the rebuild shows it
SCRIPT_PATH = "/__sitegen/compose.js"
PAGE = string.Template(resources.files("sitegen").joinpath("compose.html")
                       .read_text(encoding="utf-8"))
SCRIPT = resources.files("sitegen").joinpath("compose.js").read_bytes()
KINDS = ("link", "quote", "entry", "note")
MAX_BODY = 1_000_000  # bytes: more than any post typed into a form
MAX_FIELDS = 20
WAIT_SECONDS = 10.0  # how long one request for a saved post waits for its rebuild
LOCAL_ONLY = "Posts can be written only from a browser on this machine."
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
# The page runs only its own script, posts only to itself and is never framed.
PRIVATE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src "
                               "'unsafe-inline'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
BOOKMARKLET = ("javascript:(()=>{{const e=encodeURIComponent;location.href={target}+'?url='"
               "+e(location.href)+'&title='+e(document.title)+'&selection='"
               "+e(String(getSelection()))}})()")


class FormError(SiteError):
    """The compose form's input is wrong (the page shows the message)."""

    def __init__(self, message: str) -> None:
        super().__init__(PATH, None, message)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the dev server sends back: a status, a body and its headers."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Draft:
    """What the form holds: the prefill from a bookmarklet, or what was typed."""

    kind: str = "entry"
    title: str = ""
    source: str = ""
    url: str = ""
    tags: str = ""
    via: str = ""
    body: str = ""
    selection: str = ""  # the text selected in the page the bookmarklet ran on


def prefill(query: str) -> Draft:
    """The form as the bookmarklet's `url`, `title` and `selection` fill it: a link
    whose commentary starts with the selection quoted, or a quote (`kind=quote`)."""
    values = {k: v[0] for k, v in parse_qs(query, max_num_fields=MAX_FIELDS).items()}
    url, title = values.get("url", "").strip(), _one_line(values.get("title", ""))
    selection = _lines(values.get("selection", "")).strip()
    kind = values.get("kind", "")
    kind = kind if kind in KINDS else "link" if url else "entry"
    if kind == "quote":
        return Draft(kind, source=title, url=url, body=selection, selection=selection)
    return Draft(kind, title=title, url=url, body=quoted(selection) if selection else "",
                 selection=selection)


def quoted(text: str) -> str:
    """Text as a Markdown blockquote, `> ` on every line (compose.js does the same)."""
    lines = text.split("\n")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines) + "\n\n"


def page(draft: Draft, token: str, origin: str, site: str, tags: list[str],
         error: str = "") -> bytes:
    """The compose page, filled in."""
    checked = {kind: " checked" if draft.kind == kind else "" for kind in KINDS}
    escaped = {name: html.escape(getattr(draft, name)) for name in
               ("title", "source", "url", "tags", "via", "body", "selection")}
    return PAGE.substitute(
        **escaped, **checked, token=html.escape(token), site=html.escape(site),
        origin=html.escape(origin), bookmarklet=html.escape(bookmarklet(origin)),
        known="".join(f'<option value="{html.escape(tag)}"></option>\n' for tag in tags),
        error=f'<p class="error" role="alert">{html.escape(error)}</p>\n' if error else "",
    ).encode()


def bookmarklet(origin: str) -> str:
    """A javascript: URL that opens this server's compose page for the current tab."""
    target = "'" + quote(origin + PATH, safe=":/[]") + "'"
    return BOOKMARKLET.format(target=target)


def compose_page(watcher: Watcher, token: str, host: str, client: str, query: str) -> Answer:
    """GET /__sitegen/new: the form, prefilled from the query."""
    if not _loopback(client):
        return _refuse(LOCAL_ONLY)
    origin = f"http://{host}"
    return _html(HTTPStatus.OK, page(prefill(query), token, origin, _site_title(watcher),
                                     known_tags(watcher)))


def refusal(hosts: list[str], origins: list[str], names_itself: bool, client: str) \
        -> Answer | None:
    """Why a POST may not write anything (403), or None: it comes from this machine,
    names this server in its Host header and, when it says, from this server's page."""
    if not _loopback(client):
        return _refuse(LOCAL_ONLY)
    if len(hosts) != 1 or not names_itself:
        return _refuse("This request is not addressed to this dev server.")
    if origins and (len(origins) > 1 or not same_origin(origins[0], hosts[0])):
        return _refuse("This request comes from another site's page; post from the "
                       f"compose page, {PATH}, instead.")
    return None


def same_origin(origin: str, host: str) -> bool:
    """Whether an Origin header names this server, as the Host header `host` does."""
    ours, theirs = _origin_of(f"http://{host}"), _origin_of(origin.strip())
    return ours is not None and ours == theirs


def body_problem(kind: str | None, length: str | None) -> Answer | None:
    """Why a POST's body will not be read (a form's, of a sane size), or None."""
    if (kind or "").partition(";")[0].strip().lower() != FORM:
        return _text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                     f"Only the compose form's own body ({FORM}) is accepted.")
    if length is None or not length.strip().isdigit():
        return _text(HTTPStatus.LENGTH_REQUIRED, "A Content-Length header is required.")
    if int(length) > MAX_BODY:
        return _text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                     f"The post is over {MAX_BODY // 1_000_000} MB; make it shorter.")
    return None


def save(watcher: Watcher, token: str, host: str, data: bytes) -> Answer:
    """POST /__sitegen/new: check the token, write the post, and send the browser to
    wait for it; a form that is wrong comes back with the message (400)."""
    fields = _fields(data)
    if fields is None:
        return _text(HTTPStatus.BAD_REQUEST, "This is not the compose form's body: "
                     f"save from the compose page, {PATH}.")
    if not hmac.compare_digest(fields.get("token", "").encode(), token.encode()):
        return _refuse("This form is stale or not this server's: open the compose page "
                       f"again ({PATH}) and save from there.")
    draft = _draft(fields)
    try:
        made = newpost.create(watcher.site_dir, request_of(draft))
    except SiteError as exc:
        return _again(watcher, draft, token, host, HTTPStatus.BAD_REQUEST, exc.message)
    except OSError as exc:  # the disk, not the author: the terminal has nothing more
        return _again(watcher, draft, token, host, HTTPStatus.INTERNAL_SERVER_ERROR,
                      f"cannot write the post under content/: {exc.strerror or exc}")
    source = Path(made).resolve().relative_to(watcher.site_dir.resolve()).as_posix()
    return Answer(HTTPStatus.SEE_OTHER, b"", (("Location", f"{MADE}?post={quote(source)}"),
                                              *PRIVATE.items()))


def _again(watcher: Watcher, draft: Draft, token: str, host: str, status: int,
           error: str) -> Answer:
    """The form as it was sent, with what went wrong above it."""
    return _html(status, page(draft, token, f"http://{host}", _site_title(watcher),
                              known_tags(watcher), error))


def request_of(draft: Draft) -> newpost.Request:
    """What the author asked for, with only the fields the kind uses."""
    tags = tuple(t.strip() for t in draft.tags.split(",") if t.strip())
    if draft.kind == "link":
        return newpost.Request("link", title=draft.title, url=draft.url, tags=tags,
                               via=draft.via, body=draft.body)
    if draft.kind == "quote":
        return newpost.Request("quote", source=draft.source, url=draft.url, tags=tags,
                               via=draft.via, body=draft.body)
    if draft.kind == "entry":
        return newpost.Request("entry", title=draft.title, tags=tags, body=draft.body)
    if draft.kind == "note":
        return newpost.Request("note", tags=tags, body=draft.body)
    raise FormError(f"kind {draft.kind[:20]!r} is not one of {', '.join(KINDS)}; pick one")


def made(watcher: Watcher, query: str) -> Answer:
    """GET /__sitegen/made?post=content/…: once the rebuild has published the post,
    a redirect to its page; until then, a page that asks again every second."""
    source = unicodedata.normalize("NFC", parse_qs(query).get("post", [""])[0])
    deadline = time.monotonic() + WAIT_SECONDS
    number, status = watcher.broadcast.latest()
    while (url := published(watcher, source)) is None and time.monotonic() < deadline \
            and not watcher.broadcast.closed:
        number, status = watcher.broadcast.wait(number, deadline - time.monotonic())
    if url is not None:
        return Answer(HTTPStatus.SEE_OTHER, b"", (("Location", url), *PRIVATE.items()))
    problems = "".join(f"<li>{html.escape(str(e))}</li>\n" for e in status.errors)
    return _html(HTTPStatus.OK, _waiting(source, problems))


def published(watcher: Watcher, source: str) -> str | None:
    """The URL path of the post from `source` once the last build has published it."""
    planned = watcher.cache.planned  # the watcher keeps the plan; replaced, not changed
    entry = planned.entries.get(source) if planned else None
    return watcher.base_path + entry.url if entry else None


def known_tags(watcher: Watcher) -> list[str]:
    """The site's tags, as the last build named them."""
    planned = watcher.cache.planned
    entries = list(planned.entries.values()) if planned else []
    return sorted({tag.name for entry in entries for tag in entry.tags}, key=str.casefold)


def _waiting(source: str, problems: str) -> bytes:
    told = (f"<p>The build failed:</p>\n<ul>\n{problems}</ul>\n<p>Fix the file and save "
            "it; this page keeps asking.</p>\n") if problems else ""
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="refresh" content="1">\n<title>Building…</title>\n</head>\n'
            f"<body>\n<main>\n<h1>Building…</h1>\n<p>Saved as <code>{html.escape(source)}"
            "</code>; waiting for the dev server to rebuild the site.</p>\n"
            f"{told}</main>\n</body>\n</html>\n").encode()


def _draft(fields: dict[str, str]) -> Draft:
    text = {name: _lines(fields.get(name, "")) for name in
            ("kind", "title", "source", "url", "tags", "via", "body")}
    return replace(Draft(**text), title=_one_line(text["title"]),
                   source=_one_line(text["source"]))


def _fields(data: bytes) -> dict[str, str] | None:
    """A form body's fields, each given once; None when it is not a form's body."""
    try:
        pairs = parse_qs(data.decode("utf-8"), keep_blank_values=True, strict_parsing=True,
                         errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(values) != 1 for values in pairs.values()):
        return None
    return {name: values[0] for name, values in pairs.items()}


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _origin_of(url: str) -> tuple[str, str, int] | None:
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    except ValueError:
        return None
    return (parts.scheme, parts.hostname, port) if parts.hostname else None


def _loopback(client: str) -> bool:
    try:
        address = ipaddress.ip_address(client.partition("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_loopback)


def _site_title(watcher: Watcher) -> str:
    try:
        return site_config.load(watcher.site_dir).title
    except SiteError:  # the page still works; the build shows the problem
        return watcher.site_dir.name


def _refuse(message: str) -> Answer:
    return _text(HTTPStatus.FORBIDDEN, message)


def _text(status: int, message: str) -> Answer:
    return Answer(status, (message + "\n").encode(), (("Content-Type", TEXT),
                                                      *PRIVATE.items()))


def _html(status: int, data: bytes) -> Answer:
    return Answer(status, data, (("Content-Type", HTML), *PRIVATE.items()))
