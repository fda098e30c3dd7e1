"""Posting from the browser: the dev server's compose page, /__sitegen/new, its POST and
the bookmarklet. A real Chromium saves posts and lands on them; raw HTTP forges posts
that must be refused and write nothing; a build must never carry the page."""

from __future__ import annotations

import http.client
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from sitegen import compose
from tests.conftest import FIXTURES, sitegen, tree
from tests.test_serve import TIMEOUT, Response, Served, browser, expect, page, serving
from tests.test_valid import nu_errors

__all__ = ["browser", "page"]  # fixtures, used by name

SITE = FIXTURES / "serve-site"
NOW = "2025-02-01T09:15:00Z"  # the new posts' date (SITEGEN_NOW)
LINK = "https://example.com/articles/fine"
SELECTION = "A sentence worth keeping.\nAnd a second line."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = shutil.copytree(SITE, tmp_path_factory.mktemp("compose") / "site")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITEGEN_NOW", NOW)
        with serving(site) as running:
            yield running


def compose_url(served: Served, **params: str) -> str:
    return f"{served.url}__sitegen/new?{urlencode(params, quote_via=quote)}"


def post_form(served: Served, fields: dict[str, str], **headers: str) -> Response:
    """A POST to the compose page as a script would send it (no browser)."""
    body = urlencode(fields).encode()
    headers = {"Host": f"127.0.0.1:{served.port}",
               "Content-Type": "application/x-www-form-urlencoded", **headers}
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=TIMEOUT)
    try:
        connection.request("POST", compose.PATH, body=body, headers=headers)
        answer = connection.getresponse()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                        answer.read())
    finally:
        connection.close()


def token_of(served: Served) -> str:
    text = served.get(compose.PATH).text
    return text.split('name="token" value="', 1)[1].split('"', 1)[0]


# ---- the browser ----

def test_a_link_with_a_selection_is_saved_and_shown(server: Served, page: Any) -> None:
    page.goto(compose_url(server, url=LINK, title="A fine article", selection=SELECTION))
    expect(page.get_by_label("Link")).to_be_checked()
    expect(page.get_by_label("URL")).to_have_value(LINK)
    expect(page.get_by_label("Title")).to_have_value("A fine article")
    expect(page.get_by_label("Text")).to_have_value(
        "> A sentence worth keeping.\n> And a second line.\n\n")
    expect(page.get_by_label("Source")).to_be_hidden()
    expect(page.locator("#known-tags option[value=python]")).to_have_count(1)
    page.get_by_label("Text").press("End")
    page.get_by_label("Text").type("Why it matters.")
    page.get_by_label("Tags").fill("svg, reading list")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(server.url + "2025/Feb/1/a-fine-article/", timeout=TIMEOUT * 1000)
    link = page.locator("h1 a")
    expect(link).to_have_text("A fine article")
    expect(link).to_have_attribute("href", LINK)
    expect(page.locator("article blockquote")).to_contain_text("A sentence worth keeping.")
    expect(page.locator("article blockquote")).to_contain_text("And a second line.")
    expect(page.locator("article")).to_contain_text("Why it matters.")
    expect(page.locator("article")).to_contain_text("reading list")


def test_a_quote_takes_the_selection_as_its_quotation(server: Served, page: Any) -> None:
    page.goto(compose_url(server, url="https://example.org/talk", title="Grace Hopper",
                          selection="It is easier to ask forgiveness."))
    page.get_by_label("Quote").check()
    expect(page.get_by_label("Source")).to_have_value("Grace Hopper")
    expect(page.get_by_label("Title")).to_be_hidden()
    expect(page.get_by_label("Text")).to_have_value("It is easier to ask forgiveness.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(server.url + "2025/Feb/1/grace-hopper/", timeout=TIMEOUT * 1000)
    expect(page.locator("blockquote.quotation")).to_have_text(
        "It is easier to ask forgiveness.")
    cite = page.locator("article .cite a")
    expect(cite).to_have_text("Grace Hopper")
    expect(cite).to_have_attribute("href", "https://example.org/talk")


def test_bad_input_comes_back_with_a_message(server: Served, page: Any) -> None:
    before = tree(server.site / "content")
    page.goto(compose_url(server))
    expect(page.get_by_label("Entry")).to_be_checked()
    page.get_by_label("Text").fill("Words without a title.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("an entry needs a title")
    expect(page.get_by_label("Text")).to_have_value("Words without a title.")
    assert tree(server.site / "content") == before


def test_the_bookmarklet_opens_the_page_for_the_current_tab(server: Served,
                                                           page: Any) -> None:
    page.goto(compose_url(server))
    href = page.locator("#bookmarklet").get_attribute("href")
    assert href.startswith("javascript:")
    assert f"'http://127.0.0.1:{server.port}/__sitegen/new'" in href
    page.goto(server.url + "2025/Jan/10/first/")
    page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector("article .body p"));
        getSelection().addRange(range);
    }""")
    title = page.title()
    page.evaluate(href.removeprefix("javascript:"))  # what a click on the bookmark runs
    page.wait_for_url("**/__sitegen/new?**")
    expect(page.get_by_label("URL")).to_have_value(server.url + "2025/Jan/10/first/")
    expect(page.get_by_label("Title")).to_have_value(title)
    expect(page.get_by_label("Text")).to_have_value(
        "> The first post\u2019s body, as it was written.\n\n")  # typographic quotes


# ---- HTTP ----

def test_forged_posts_are_refused_and_write_nothing(server: Served) -> None:
    token = token_of(server)
    fields = {"kind": "note", "body": "Written by someone else.", "token": token}
    own = f"http://127.0.0.1:{server.port}"
    forged = {
        "no token": ({k: v for k, v in fields.items() if k != "token"}, {}),
        "a wrong token": ({**fields, "token": token[:-2] + "xx"}, {}),
        "an empty token": ({**fields, "token": ""}, {}),
        "a foreign Origin": (fields, {"Origin": "https://evil.example"}),
        "an Origin on another port": (fields, {"Origin": "http://127.0.0.1:1"}),
        "a null Origin": (fields, {"Origin": "null"}),
        "a foreign Host": (fields, {"Host": "evil.example", "Origin": "http://evil.example"}),
        "a rebound Host": (fields, {"Host": f"evil.example:{server.port}"}),
    }
    before = tree(server.site / "content")
    for case, (body, headers) in forged.items():
        answer = post_form(server, body, **headers)
        assert answer.status == 403, case
        assert b"Written by" not in answer.body and token.encode() not in answer.body, case
        assert tree(server.site / "content") == before, case
    made = post_form(server, fields, Origin=own)  # the same post, unforged, is written
    assert made.status == 303 and made.headers["location"].startswith(compose.MADE)
    written = set(tree(server.site / "content")) - set(before)
    assert len(written) == 1
    assert "Written by someone else." in (server.site / "content" / written.pop()).read_text()


def test_bodies_that_are_not_the_form_are_refused(server: Served) -> None:
    token = token_of(server)
    before = tree(server.site / "content")
    multipart = post_form(server, {"token": token, "kind": "note", "body": "x"},
                          **{"Content-Type": "multipart/form-data; boundary=x"})
    assert multipart.status == 415
    json_body = post_form(server, {"token": token}, **{"Content-Type": "application/json"})
    assert json_body.status == 415
    big = post_form(server, {"token": token, "kind": "note", "body": "x" * 1_100_000})
    assert big.status == 413 and b"1 MB" in big.body
    twice = post_form(server, {"token": token, "kind": "note", "body": "x"})
    assert twice.status == 303  # the control: this one is written
    after_one = tree(server.site / "content")
    assert len(after_one) == len(before) + 1
    broken = post_form(server, {"token": token, "kind": "song", "body": "x"})
    assert broken.status == 400 and b'role="alert"' in broken.body
    assert b"Traceback" not in broken.body
    assert tree(server.site / "content") == after_one
    elsewhere = server.get("/", method="POST")
    assert elsewhere.status == 405


def test_the_page_is_private_and_not_framable(server: Served) -> None:
    answer = server.get(compose.PATH + "?url=https%3A%2F%2Fexample.com%2F")
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert b"reload.js" not in answer.body  # a rebuild must not reload the form away
    assert b"http://" not in answer.body.replace(f"http://127.0.0.1:{server.port}".encode(),
                                                 b"").replace(b"https://example.com/", b"")
    assert server.get(compose.PATH, Host="evil.example").status == 421
    script = server.get("/__sitegen/compose.js")
    assert script.status == 200 and script.headers["content-type"].startswith(
        "text/javascript")


def test_the_page_is_valid_html(server: Served, tmp_path: Path) -> None:
    query = f"?url={quote(LINK)}&title=A%20%3Ctitle%3E&selection=%22quoted%22%0Aline"
    (tmp_path / "new.html").write_bytes(server.get(compose.PATH + query).body)
    assert nu_errors(tmp_path) == []


def test_a_build_never_carries_the_compose_page(tmp_path: Path) -> None:
    site = shutil.copytree(SITE, tmp_path / "site")
    run = sitegen("build", "--source", site, "--out", tmp_path / "public", "--drafts")
    assert run.code == 0, run.err
    built = tree(tmp_path / "public")
    assert built and not [path for path in built if path.startswith("__sitegen")]
    assert not [path for path, data in built.items()
                if b"__sitegen" in data or b'name="token"' in data]


# ---- the pieces ----

def test_prefill_quotes_the_selection_on_every_line() -> None:
    draft = compose.prefill(urlencode({"url": LINK, "title": " Two\nlines ",
                                       "selection": "one\r\n\r\ntwo\n"}))
    assert (draft.kind, draft.title, draft.url) == ("link", "Two lines", LINK)
    assert draft.body == "> one\n>\n> two\n\n"
    as_quote = compose.prefill(urlencode({"url": LINK, "title": "Ada", "selection": "Hi",
                                          "kind": "quote"}))
    assert (as_quote.source, as_quote.url, as_quote.body) == ("Ada", LINK, "Hi")
    assert compose.prefill("").kind == "entry"


def test_origins_and_clients() -> None:
    assert compose.same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert compose.same_origin("http://LOCALHOST", "localhost:80")
    assert not compose.same_origin("https://127.0.0.1:8000", "127.0.0.1:8000")
    assert not compose.same_origin("http://127.0.0.1:8001", "127.0.0.1:8000")
    assert not compose.same_origin("null", "127.0.0.1:8000")
    assert not compose.same_origin("http://[::1", "127.0.0.1:8000")
    hosts, ok = ["127.0.0.1:8000"], True
    assert compose.refusal(hosts, [], ok, "127.0.0.1") is None
    assert compose.refusal(hosts, [], ok, "::ffff:127.0.0.1") is None
    lan = compose.refusal(hosts, [], ok, "192.168.1.20")
    assert lan is not None and lan.status == 403
    two = compose.refusal(hosts, ["http://127.0.0.1:8000"] * 2, ok, "127.0.0.1")
    assert two is not None and two.status == 403
