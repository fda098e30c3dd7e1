"""The dev server's HTTP side: the built site with clean URLs, live reload, error overlay.

The standard library's ThreadingHTTPServer is enough for one author's browser: a
thread per connection, a long-lived one per open tab for Server-Sent Events.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import logging
import mimetypes
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sitegen import compose
from sitegen.watch import Status, Watcher

log = logging.getLogger("sitegen")
RESERVED = "/__sitegen/"  # never part of a built site
RELOAD_JS = resources.files("sitegen").joinpath("reload.js").read_bytes()
KEEPALIVE_SECONDS = 15.0
PORT_TRIES = 20
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
MISDIRECTED = b"This dev server answers only requests addressed to it: localhost, an IP " \
              b"address, or the name given to --host.\n"
NOT_FOUND_PAGE = b"<!DOCTYPE html>\n<title>Not found</title>\n<body>\n<h1>Not found</h1>\n" \
                 b"<p>Nothing has been built at this address.</p>\n</body>\n"


@dataclass(frozen=True, slots=True)
class Located:
    """Where a request target leads: a file (200), a redirect (301) or nothing (404)."""

    status: int
    file: Path | None = None
    location: str = ""


NOWHERE = Located(404)

INDEX_FILES = ("index.html", "index.xml")


def locate(root: Path, base_path: str, target: str) -> Located:
    """Map a request target to a file under `root`, which holds the site published at
    `base_path`. Anything that would leave `root` — '..', encoded or not, empty
    segments, backslashes, symlinks pointing outside — leads nowhere."""
    raw, _, query = target.partition("#")[0].partition("?")
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return NOWHERE
    if not path.startswith("/") or "\0" in path or "\\" in path:
        return NOWHERE
    base_path = unquote(base_path)
    if base_path != "/" and path in ("/", base_path.rstrip("/")):
        return Located(301, location=base_path)
    if not path.startswith(base_path):
        return NOWHERE
    parts = path[len(base_path):].split("/")
    names, wants_folder = (parts[:-1], True) if parts[-1] == "" else (parts, False)
    if any(name in ("", ".", "..") for name in names):
        return NOWHERE
    return _inside(root, root.joinpath(*names), wants_folder, raw, query)


def _inside(root: Path, candidate: Path, wants_folder: bool, raw: str, query: str) -> Located:
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    if os.path.commonpath([real_root, real]) != real_root:
        return NOWHERE
    if os.path.isdir(real):
        if not wants_folder:
            return Located(301, location=raw + "/" + (f"?{query}" if query else ""))
        return _index(real_root, real)
    if os.path.isfile(real) and not wants_folder:
        return Located(200, Path(real))
    return NOWHERE


def _index(real_root: str, folder: str) -> Located:
    """A folder's index file: index.html, else index.xml (a feed kept at an old path
    such as /feed/, as GitHub Pages serves it)."""
    for name in INDEX_FILES:
        index = os.path.realpath(os.path.join(folder, name))
        if os.path.commonpath([real_root, index]) == real_root and os.path.isfile(index):
            return Located(200, Path(index))
    return NOWHERE


def host_name(header: str) -> str | None:
    """The name a Host header gives, lower case, without its port; None if malformed."""
    text = header.strip().lower()
    if text.startswith("["):  # an IPv6 address
        name, bracket, rest = text[1:].partition("]")
        port_ok = rest == "" or (rest.startswith(":") and rest[1:].isdigit())
        return name if bracket and port_ok and ":" in name else None
    name, _, port = text.partition(":")
    return name if name and (not port or port.isdigit()) else None


def names_itself(name: str, bound: str) -> bool:
    """Whether a request for host `name` is meant for this server, bound to `bound`.
    Only a DNS name can be rebound to this machine by a hostile page; an IP address,
    localhost (which browsers resolve themselves) and the --host name cannot."""
    if name in ("localhost", bound.lower().strip("[]")):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def inject(page: bytes, version: str) -> bytes:
    """The page with the live-reload script before </body> (served, never written)."""
    tag = f'<script src="{RESERVED}reload.js" data-version="{version}"></script>\n'.encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class DevServer(ThreadingHTTPServer):
    """Serves what `watcher` built, and its news."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], watcher: Watcher) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.host = address[0]  # as given to --host: a request may name it
        self.watcher = watcher
        self.token = secrets.token_urlsafe(32)  # only the compose page carries it
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that goes away mid-response is normal (it reloaded); log the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            log.exception("error while answering %s", client_address)


def bind(host: str, port: int, watcher: Watcher) -> DevServer:
    """A server on the first free port from `port` on; OSError when none is free."""
    for candidate in range(port, port + PORT_TRIES):
        try:
            return DevServer((host, candidate), watcher)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise
    raise OSError(errno.EADDRINUSE, f"ports {port} to {port + PORT_TRIES - 1} are all in use; "
                                    "pick another with --port")


class Handler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    server_version = "sitegen-serve"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_POST(self) -> None:
        """Only the compose page's form is posted: it writes a post (see compose.py)."""
        self.close_connection = True
        if self.path != compose.PATH:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Only GET and HEAD are answered here.\n",
                       TYPES[".txt"], True, {"Allow": "GET, HEAD", "Connection": "close"})
            return
        hosts = self.headers.get_all("Host") or []
        name = host_name(hosts[0]) if len(hosts) == 1 else None
        ours = name is not None and names_itself(name, self.server.host)
        answer = compose.refusal(hosts, self.headers.get_all("Origin") or [], ours,
                                 self.client_address[0]) or compose.body_problem(
            self.headers.get("Content-Type"), self.headers.get("Content-Length"))
        if answer is None:
            data = self.rfile.read(int(self.headers["Content-Length"]))
            answer = compose.save(self.server.watcher, self.server.token, hosts[0], data)
        self._reply(answer, with_body=True)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self, with_body: bool) -> None:
        if not self._for_me(with_body):
            return
        if self.path.startswith(RESERVED):
            self._reserved(self.path[len(RESERVED):].partition("?")[0], with_body)
            return
        watcher = self.server.watcher
        found = locate(watcher.served, watcher.base_path, self.path)
        if found.status == 301:
            self._send(301, b"", "text/plain; charset=utf-8", with_body,
                       {"Location": found.location})
            return
        data = watcher.read(found.file) if found.file else None
        if found.file is None or data is None:
            self._not_found(with_body)
        else:
            self._send_page(200, found.file.name, data, with_body)

    def _for_me(self, with_body: bool) -> bool:
        """Whether the Host header names this server; if not, answer 400 or 421 (DNS
        rebinding: a hostile page whose name now leads here must not read the site)."""
        hosts = self.headers.get_all("Host") or []
        if not hosts and self.request_version != "HTTP/1.1":
            return True  # HTTP/1.0 without Host: no browser sends that
        name = host_name(hosts[0]) if len(hosts) == 1 else None
        if name is not None and names_itself(name, self.server.host):
            return True
        status = HTTPStatus.MISDIRECTED_REQUEST if name else HTTPStatus.BAD_REQUEST
        self.close_connection = True
        self._send(status, MISDIRECTED, TYPES[".txt"], with_body, {"Connection": "close"})
        return False

    def _not_found(self, with_body: bool) -> None:
        data = self.server.watcher.read(self.server.watcher.served / "404.html") \
            or NOT_FOUND_PAGE
        self._send_page(404, "404.html", data, with_body)

    def _send_page(self, status: int, name: str, data: bytes, with_body: bool) -> None:
        kind = content_type(name)
        if kind.startswith("text/html"):
            data = inject(data, self.server.watcher.broadcast.latest()[1].version)
        self._send(status, data, kind, with_body)

    def _send(self, status: int, data: bytes, kind: str, with_body: bool,
              headers: dict[str, str] | None = None) -> None:
        headers = {"Content-Type": kind, "Cache-Control": "no-cache", **(headers or {})}
        if status == 200:
            headers["ETag"] = f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'
            if self._unchanged(headers["ETag"]):
                status, data, with_body = 304, b"", False
                del headers["Content-Type"]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _unchanged(self, etag: str) -> bool:
        wanted = self.headers.get("If-None-Match")
        if not wanted:
            return False
        tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
        return "*" in tags or etag in tags

    def _reserved(self, name: str, with_body: bool) -> None:
        if name == "reload.js":
            self._send(200, RELOAD_JS, TYPES[".js"], with_body)
        elif name == "events":
            self._events(with_body)
        elif name == "new":
            self._reply(compose.compose_page(
                self.server.watcher, self.server.token, self._own_host(),
                self.client_address[0], self.path.partition("?")[2]), with_body)
        elif name == "made":
            self._reply(compose.made(self.server.watcher, self.path.partition("?")[2]),
                        with_body)
        elif name == "compose.js":
            self._send(200, compose.SCRIPT, TYPES[".js"], with_body)
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _own_host(self) -> str:
        """This server's address as the browser wrote it (the Host header, checked)."""
        host = self.headers.get("Host")
        if host:
            return host.strip()
        shown = f"[{self.server.host}]" if ":" in self.server.host else self.server.host
        return f"{shown}:{self.server.server_address[1]}"

    def _reply(self, answer: compose.Answer, with_body: bool) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(answer.body)

    def _events(self, with_body: bool) -> None:
        """Server-Sent Events: the latest Status now, then each new one as it comes."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        if not with_body:
            return
        broadcast = self.server.watcher.broadcast
        number, status = broadcast.latest()
        self._event(f"retry: 1000\n{_data(status)}")
        while not broadcast.closed:
            newer, status = broadcast.wait(number, KEEPALIVE_SECONDS)
            self._event(_data(status) if newer != number else ": keep-alive\n\n")
            number = newer

    def _event(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()


def _data(status: Status) -> str:
    return f"data: {status.to_json()}\n\n"
