"""`sitegen new`: a post of each kind written with front matter the site reads back, a
slug no post has, the site's folder layout, the editor, and a link's title fetched."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import pty
import shlex
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import ClassVar
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import config as config_file
from sitegen import content
from sitegen.newpost import Request, RequestError, create
from tests.conftest import ROOT, Run, make_site, post, serving, sitegen

NOW = dt.datetime(2026, 11, 30, 8, 15, 42, 123, tzinfo=dt.UTC)
BERLIN = 'title = "T"\nbase_url = "https://example.org/"\ntimezone = "Europe/Berlin"\n'


def read_back(site: Path, path: Path) -> content.Post:
    """The post as a build parses it."""
    rel = path.relative_to(site).as_posix()
    parsed = content.parse(content.load(site, rel), config_file.load(site))
    assert isinstance(parsed, content.Post)
    return parsed


def build_later(site: Path) -> Run:
    """A build made long after the posts' dates, which follow the tests' clock, not the
    machine's (a post dated after the build's now would be scheduled, left out)."""
    with mock.patch.dict(os.environ, {"SITEGEN_NOW": "2099-01-01T00:00:00Z"}):
        return sitegen("build", "--source", site)


def built_page(site: Path, url: str) -> str:
    run = build_later(site)
    assert run.code == 0, run.err
    return (site / "public" / url / "index.html").read_text(encoding="utf-8")


# create(): each kind


def test_entry_is_written_in_the_site_timezone_and_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {}, BERLIN)
    path = create(site, Request("entry", title="Bridges: a #1 \"guide\"",
                                tags=("svg", "C++"), body="Some *words*."), NOW)
    assert path == site / "content/2026/2026-11-30-bridges-a-1-guide.md"
    assert "date: 2026-11-30T09:15:42+01:00\n" in path.read_text(encoding="utf-8")
    got = read_back(site, path)
    assert (got.kind, got.title, got.tags) == ("entry", 'Bridges: a #1 "guide"', ("svg", "C++"))
    assert got.date == NOW.replace(microsecond=0)
    page = built_page(site, "2026/Nov/30/bridges-a-1-guide")
    assert "Bridges: a #1 “guide”" in page or "Bridges: a #1 &#34;guide&#34;" in page \
        or "Bridges: a #1 &quot;guide&quot;" in page
    assert "<em>words</em>" in page


def test_link_quote_and_note_read_back_and_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    link = create(site, Request("link", title="yes", url="https://example.org/a?b=1",
                                via="https://example.net/", body="Worth it."), NOW)
    quote = create(site, Request("quote", source="Ada Lovelace", url="https://example.org/q",
                                 body="The engine weaves."), NOW)
    note = create(site, Request("note", body="Saw a heron at the lake this morning, still."),
                  NOW)
    got = read_back(site, link)
    assert (got.kind, got.link_url, got.link_title, got.via_url) == \
        ("link", "https://example.org/a?b=1", "yes", "https://example.net/")
    got = read_back(site, quote)
    assert (got.kind, got.quote_source, got.source_url) == \
        ("quote", "Ada Lovelace", "https://example.org/q")
    assert quote.name == "2026-11-30-ada-lovelace.md"
    got = read_back(site, note)
    assert got.kind == "note"
    assert note.name == "2026-11-30-saw-a-heron-at-the-lake.md"
    assert 'href="https://example.org/a?b=1"' in built_page(site, "2026/Nov/30/yes")
    page = (site / "public/2026/Nov/30/ada-lovelace/index.html").read_text(encoding="utf-8")
    assert "Ada Lovelace" in page and "The engine weaves." in page


def test_bad_requests_say_what_is_missing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    cases = {Request("link"): "needs the linked page's URL",
             Request("link", url="ftp://example.org/x"): "not an http or https address",
             Request("entry"): "an entry needs a title",
             Request("quote"): "needs its source",
             Request("poem", title="x"): "unknown kind",
             Request("note", tags=("../x",)): "looks like a file path"}
    for request, message in cases.items():
        with pytest.raises(RequestError, match=message):
            create(site, request, NOW)
    assert not list((site / "content").rglob("*.md"))


# create(): the slug


def test_a_second_post_with_the_title_gets_a_new_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    first = create(site, Request("entry", title="Same title"), NOW)
    second = create(site, Request("entry", title="Same title"), NOW)
    assert (first.name, second.name) == ("2026-11-30-same-title.md", "2026-11-30-same-title-2.md")
    assert "same-title-2" in built_page(site, "2026/Nov/30/same-title-2")


def test_an_apostrophe_inside_a_word_leaves_the_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    made = [create(site, Request("entry", title=title), NOW).name
            for title in ("Tomorrow's essay", "Ada’s notes", "'Quoted' words")]
    assert made == ["2026-11-30-tomorrows-essay.md", "2026-11-30-adas-notes.md",
                    "2026-11-30-quoted-words.md"]


def test_the_slug_avoids_urls_of_posts_in_other_files(tmp_path: Path) -> None:
    """A post named otherwise that takes the URL (by its slug, or an alias) counts."""
    site = make_site(tmp_path / "s", {
        "old/other.md": post("Other", date="2026-11-30T12:00:00", slug="same-title"),
        "old/older.md": post("Older", aliases="[/2026/Nov/30/same-title-2/]")})
    path = create(site, Request("entry", title="Same title"), NOW)
    assert path.name == "same-title-3.md"
    run = build_later(site)
    assert run.code == 0, run.err


# create(): the folder layout


@pytest.mark.parametrize(("files", "expected"), [
    ({}, "content/2026/2026-11-30-hi.md"),
    ({"posts/a.md": "2025-01-02", "posts/b.md": "2024-05-06", "2023/2023-01-01-c.md":
      "2023-01-01"}, "content/posts/hi.md"),
    ({"2024/a.md": "2024-01-02", "2025/b.md": "2025-03-04"}, "content/2026/hi.md"),
    ({"2024/03/2024-03-09-a.md": "2024-03-09"}, "content/2026/11/2026-11-30-hi.md"),
    ({"2025/bridge/index.md": "2025-02-03"}, "content/2026/hi.md"),
    ({"pages/about.md": "2025-02-03"}, "content/2026/2026-11-30-hi.md"),
])
def test_the_post_follows_the_layout_most_posts_use(tmp_path: Path, files: dict[str, str],
                                                     expected: str) -> None:
    site = make_site(tmp_path / "s", {name: post(name, date=date) for name, date in files.items()})
    assert create(site, Request("entry", title="Hi"), NOW) == site / expected


# The front matter: any title survives


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=40), tag=st.text(min_size=1, max_size=12))
def test_any_title_reads_back_as_written(tmp_path_factory: pytest.TempPathFactory,
                                         title: str, tag: str) -> None:
    site = make_site(tmp_path_factory.mktemp("s"), {})
    clean = " ".join(content.FORBIDDEN.sub("", unicodedata.normalize("NFC", title)).split())
    try:
        path = create(site, Request("entry", title=title, tags=(tag,)), NOW)
    except RequestError as exc:  # no title left, or a tag that is no name
        assert not clean or "tag" in exc.message
        return
    got = read_back(site, path)
    assert got.title == clean


# The command


def new(*args: str | Path, now: str = "2026-11-30T08:15:00Z",
        env: dict[str, str] | None = None, stdin_tty: bool = False) -> Run:
    """`sitegen new …` as a user runs it, at the moment `now`; on a terminal when
    `stdin_tty` (a pseudo-terminal), else with stdin not a terminal."""
    environ = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    environ.update(PYTHONPATH=str(ROOT), SITEGEN_NOW=now, **(env or {}))
    command = [sys.executable, "-m", "sitegen", "new", *map(str, args)]
    if not stdin_tty:
        done = subprocess.run(command, capture_output=True, text=True, env=environ,
                              stdin=subprocess.DEVNULL, timeout=120)
        return Run(done.returncode, done.stdout, done.stderr)
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=environ,
                              stdin=follower, timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    return Run(done.returncode, done.stdout, done.stderr)


def written(run: Run) -> Path:
    """The post a run printed the path of."""
    assert run.code == 0, run.err
    return Path(run.out.strip())


def test_new_prints_the_path_of_a_post_in_the_site_timezone(tmp_path: Path) -> None:
    toml = 'title = "T"\nbase_url = "https://example.org/"\ntimezone = "Pacific/Auckland"\n'
    site = make_site(tmp_path / "s", {}, toml)
    path = written(new("entry", "Late: night", "--tags", "svg, night", "--source", site,
                       now="2026-11-30T23:30:00Z"))
    assert path == site / "content/2026/2026-12-01-late-night.md"
    assert path.read_text(encoding="utf-8") == (
        "---\ntitle: 'Late: night'\ndate: 2026-12-01T12:30:00+13:00\n"
        "tags: [svg, night]\n---\n\n")
    assert written(new("note", "--source", site, now="2026-11-30T23:31:00Z")).name == \
        "2026-12-01-note.md"
    assert written(new("quote", "Ada", "--source", site)).parent.name == "2026"
    page = built_page(site, "2026/Dec/1/late-night")
    assert "Late: night" in page and 'datetime="2026-12-01T12:30:00+13:00"' in page


@pytest.mark.parametrize(("args", "message"), [
    (("link",), "a link post needs the linked page's URL"),
    (("link", "file:///etc/passwd"), "is not an http or https address"),
    (("link", "https://example.org/", "--via", "mailto:a@b.c"), "the via URL"),
    (("entry",), "an entry needs a title"),
    (("quote", "Ada", "--title", "T"), "--title is for entries and links"),
    (("note", "x", "--tags", "a,../b"), "looks like a file path"),
])
def test_new_refuses_bad_requests_with_one_error_line(tmp_path: Path, args: tuple[str, ...],
                                                      message: str) -> None:
    site = make_site(tmp_path / "s", {})
    run = new(*args, "--source", site)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("error: ") and message in run.err
    assert "Traceback" not in run.err
    assert not list((site / "content").rglob("*.md"))


def test_new_refuses_a_folder_that_is_not_a_site_and_a_bad_now(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = new("note", "hi", "--source", tmp_path / "empty")
    assert run.code == 1 and "is not a sitegen site" in run.err
    assert not list((tmp_path / "empty").iterdir())
    site = make_site(tmp_path / "s", {})
    run = new("note", "hi", "--source", site, now="tomorrow")
    assert run.code == 1 and run.err.startswith("error: SITEGEN_NOW='tomorrow' is not a date")


def test_the_second_run_gets_a_new_slug_and_the_site_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    first = written(new("entry", "Twice", "--source", site))
    second = written(new("entry", "Twice", "--source", site))
    assert (first.name, second.name) == ("2026-11-30-twice.md", "2026-11-30-twice-2.md")
    run = build_later(site)
    assert run.code == 0, run.err
    assert (site / "public/2026/Nov/30/twice/index.html").is_file()
    assert (site / "public/2026/Nov/30/twice-2/index.html").is_file()


# The editor


EDITOR = """#!{python}
import json, sys
with open({record!r}, "a") as out:
    out.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def fake_editor(tmp_path: Path) -> tuple[Path, Path]:
    """An editor that records the arguments it was started with, and its record."""
    record = tmp_path / "editor-calls"
    script = tmp_path / "my editor"
    script.write_text(EDITOR.format(python=sys.executable, record=str(record)))
    script.chmod(0o755)
    return script, record


def calls(record: Path) -> list[list[str]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_the_editor_opens_the_post_on_a_terminal(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    script, record = fake_editor(tmp_path)
    editor = f"{shlex.quote(str(script))} -w"
    path = written(new("note", "one", "--source", site, env={"EDITOR": editor},
                       stdin_tty=True))
    assert calls(record) == [["-w", str(path)]]
    path = written(new("note", "two", "--source", site,
                       env={"VISUAL": f"{shlex.quote(str(script))} --visual",
                            "EDITOR": "false"}, stdin_tty=True))
    assert calls(record)[1] == ["--visual", str(path)]


def test_the_editor_is_not_opened_without_a_terminal_or_with_no_edit(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    script, record = fake_editor(tmp_path)
    env = {"EDITOR": shlex.quote(str(script))}
    written(new("note", "one", "--source", site, env=env))
    written(new("note", "two", "--source", site, "--no-edit", env=env, stdin_tty=True))
    assert calls(record) == []


def test_an_editor_that_cannot_start_is_an_error_after_the_post_is_written(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    run = new("note", "one", "--source", site, env={"EDITOR": str(tmp_path / "nothing")},
              stdin_tty=True)
    assert run.code == 1 and "error: could not start the editor" in run.err
    assert Path(run.out.strip()).is_file()


# The link's title, fetched


class Pages(http.server.BaseHTTPRequestHandler):
    """Pages to take a title from, each at its own path."""

    PAGES: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/og": (200, "text/html; charset=utf-8",
                b"<html><head><title>Plain &amp; dull</title>\n<meta property='og:title' "
                b"content='The  &quot;real&quot;\n title &#8212; caf\xc3\xa9'></head></html>"),
        "/plain": (200, "text/html", b"<title>\n  Just   a &lt;title&gt;\n</title><p>hi"),
        "/latin": (200, "text/html; charset=iso-8859-1", b"<title>Caf\xe9 cr\xe8me</title>"),
        "/meta": (200, "text/html", b'<meta charset="windows-1252"><title>\x93Hi\x94</title>'),
        "/image": (200, "image/png", b"\x89PNG"),
        "/gone": (404, "text/html", b"<title>Not found</title>"),
    }

    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/og")
            self.end_headers()
            return
        status, kind, body = self.PAGES[self.path]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def link_title(path: Path) -> str:
    return read_back(path.parents[2], path).link_title


@pytest.mark.parametrize(("page", "title"), [
    ("/og", 'The "real" title — café'),
    ("/moved", 'The "real" title — café'),
    ("/plain", "Just a <title>"),
    ("/latin", "Café crème"),
    ("/meta", "“Hi”"),
])
def test_a_link_takes_the_page_title(tmp_path: Path, page: str, title: str) -> None:
    site = make_site(tmp_path / "s", {})
    with serving(Pages) as address:
        run = new("link", address + page, "--source", site)
    path = written(run)
    assert run.err == ""
    assert link_title(path) == title


def test_a_link_title_given_is_not_fetched(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {})
    path = written(new("link", "http://127.0.0.1:9/x", "--title", "Mine", "--source", site))
    assert link_title(path) == "Mine"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(("where", "reason"), [
    ("/image", "not an HTML page but image/png"),
    ("/gone", "HTTP 404"),
])
def test_a_page_without_a_title_falls_back_to_its_address(tmp_path: Path, where: str,
                                                          reason: str) -> None:
    site = make_site(tmp_path / "s", {})
    with serving(Pages) as address:
        run = new("link", address + where, "--source", site)
    path = written(run)
    assert link_title(path) == f"127.0.0.1{where}"
    assert f"could not fetch the page's title ({reason}); used '127.0.0.1{where}'; " \
        f"edit link_title in {path}" in run.err


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:{port}/a/b/", "127.0.0.1/a/b"),  # nothing listens there
    ("https://nowhere.invalid/x?y=1", "nowhere.invalid/x"),  # a name that never resolves
])
def test_offline_the_link_title_is_the_address_and_says_so(tmp_path: Path, url: str,
                                                           expected: str) -> None:
    site = make_site(tmp_path / "s", {})
    run = new("link", url.format(port=closed_port()), "--source", site)
    path = written(run)
    assert link_title(path) == expected
    assert run.err.startswith("warning: could not fetch the page's title (")
    assert f"used '{expected}'; edit link_title in {path}" in run.err
    assert build_later(site).code == 0
