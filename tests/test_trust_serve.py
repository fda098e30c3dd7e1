"""The dev server answers only requests addressed to it: a page on a hostile site whose
DNS name is rebound to 127.0.0.1 (DNS rebinding) must not read the site or its drafts.
"""

from __future__ import annotations

import http.client
import shutil
import socket
from collections.abc import Iterator

import pytest

from tests.conftest import FIXTURES
from tests.test_serve import FIRST, TIMEOUT, Response, Served, serving

DRAFT = "2025/Jan/13/unfinished/"  # the dev server builds drafts too
PATHS = ["/", f"/{FIRST}", f"/{DRAFT}", "/tags/svg/", "/static/style.css", "/no-such-page/",
         "/__sitegen/reload.js", "/__sitegen/events", "/__sitegen/nothing"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = shutil.copytree(FIXTURES / "serve-site", tmp_path_factory.mktemp("trust") / "site")
    with serving(site) as running:
        yield running


def ask(port: int, path: str, host: str | None, method: str = "GET") -> Response:
    """One request with exactly this Host header (none at all when `host` is None)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        headers = {k.lower(): v for k, v in answer.getheaders()}
        body = b"" if headers.get("content-type") == "text/event-stream" else answer.read()
        return Response(answer.status, headers, body)
    finally:
        connection.close()


def refused(answer: Response) -> bool:
    """A short plain-text refusal, and nothing of the site."""
    return (answer.headers["content-type"].startswith("text/plain")
            and len(answer.body) < 200 and b"<" not in answer.body
            and b"reload" not in answer.body and b"Unfinished" not in answer.body)


def test_draft_is_served_to_its_own_address(server: Served) -> None:
    answer = ask(server.port, f"/{DRAFT}", f"127.0.0.1:{server.port}")
    assert answer.status == 200 and "Unfinished thoughts" in answer.text


@pytest.mark.parametrize("host", [
    "127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}", "127.0.0.1",
    "localhost", "localhost:9000",  # a port forwarded elsewhere (ssh -L) names it too
])
def test_its_own_names_are_answered(server: Served, host: str) -> None:
    for path in ("/", f"/{FIRST}", "/__sitegen/reload.js"):
        answer = ask(server.port, path, host.format(port=server.port))
        assert answer.status == 200, (host, path, answer.status)


@pytest.mark.parametrize("host", [
    "evil.example:{port}", "evil.example", "localhost.evil.example:{port}",
    "127.0.0.1.nip.io:{port}", "sub.localhost.evil:{port}",
])
def test_other_names_get_421_and_nothing_of_the_site(server: Served, host: str) -> None:
    for path in PATHS:
        for method in ("GET", "HEAD"):
            answer = ask(server.port, path, host.format(port=server.port), method)
            assert answer.status == 421, (host, path, method, answer.status)
            assert refused(answer), answer.body[:200]
            assert answer.body.startswith(b"This dev server") == (method == "GET")


@pytest.mark.parametrize("host", [None, "", "::1", "localhost:http", "[::1", "[evil]:80"])
def test_a_missing_or_malformed_host_gets_400(server: Served, host: str | None) -> None:
    for path in PATHS:
        answer = ask(server.port, path, host)
        assert answer.status == 400, (host, path, answer.status)
        assert refused(answer), answer.body[:200]


def test_two_host_headers_get_400(server: Served) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.putrequest("GET", f"/{DRAFT}", skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{server.port}")
        connection.putheader("Host", "evil.example")
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 400 and b"Unfinished" not in answer.read()
    finally:
        connection.close()


def test_http_1_0_without_host_is_answered(server: Served) -> None:
    """No browser sends HTTP/1.0 without Host, so rebinding cannot come this way."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as connection:
        connection.sendall(f"GET /{FIRST} HTTP/1.0\r\n\r\n".encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    assert b"".join(chunks).startswith(b"HTTP/1.1 200 ")


def test_the_page_a_browser_loads_still_works(server: Served) -> None:
    """Through the test helper, as test_serve uses it: Host is 127.0.0.1:PORT."""
    assert server.get(f"/{FIRST}").status == 200
