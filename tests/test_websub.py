"""WebSub: `[feeds] hub` in every feed, the published digest list `feeds.sha256`, and
`sitegen ping` telling a fake hub which feeds changed since a fake live site's build."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from lxml import etree

from sitegen import websub
from tests.conftest import ROOT, make_site, post, serving, sitegen

ATOM = "{http://www.w3.org/2005/Atom}"
ACTIONLINT = shutil.which("actionlint") or str(ROOT / ".venv" / "bin" / "actionlint")
TAGS_TOML = '[css]\nname = "CSS"\nold_names = ["stylesheets"]\n'
POSTS = {"a.md": post("Alpha", "2025-01-01", "[svg]"),
         "b.md": post("Bravo", "2025-01-02", "[css, svg]"),
         "c.md": post("Charlie", "2025-01-03", "[html]")}
# What changing b.md changes: the feeds of its tags (and the copy at css's old name), the
# site feeds it is in, and the site feed's copies ('feed/' is known by its folder URL).
CHANGED = {"atom/everything.atom", "atom/entries.atom", "tags/svg.atom", "tags/css.atom",
           "tags/stylesheets.atom", "feed.xml", "feed/"}


class Hub(http.server.BaseHTTPRequestHandler):
    """Records each POST's form fields; answers with `status`."""

    def __init__(self, *args: object, notices: list[dict[str, list[str]]], status: int,
                 **kwargs: object) -> None:
        self.notices, self.status = notices, status
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.notices.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Live(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    notices: list[dict[str, list[str]]] = []
    with serving(functools.partial(Hub, notices=notices, status=202)) as address:
        yield f"{address}/hub", notices


def site_toml(hub: str = "", base: str = "https://example.org/") -> str:
    hub_line = f'hub = "{hub}"\n' if hub else ""
    return (f'title = "Pinged"\nbase_url = "{base}"\n'
            f'[feeds]\ncopies = ["/feed.xml", "/feed/"]\n{hub_line}')


def blog(root: Path, hub: str = "", base: str = "https://example.org/") -> Path:
    return make_site(root, {**POSTS, "tags.toml": TAGS_TOML}, site_toml(hub, base))


def lines(out: Path) -> dict[str, str]:
    """feeds.sha256 as {path: digest}."""
    text = (out / "feeds.sha256").read_text(encoding="utf-8")
    return {path: digest for digest, path in (line.split("  ", 1) for line in text.splitlines())}


def notified(notices: list[dict[str, list[str]]], base: str) -> set[str]:
    assert all(n["hub.mode"] == ["publish"] and len(n["hub.url"]) == 1 for n in notices)
    urls = [n["hub.url"][0] for n in notices]
    assert len(urls) == len(set(urls)), "one notice per feed"
    assert all(url.startswith(base) for url in urls)
    return {url.removeprefix(base) for url in urls}


def with_twins(paths: set[str], out: Path) -> set[str]:
    """`paths` and the JSON Feed twin of each .atom one, where the build wrote one."""
    listed = lines(out)
    return paths | {p.removesuffix(".atom") + ".json" for p in paths
                    if p.endswith(".atom") and p.removesuffix(".atom") + ".json" in listed}


def build(site: Path, out: Path, *args: str) -> None:
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err


@pytest.fixture
def live_and_rebuilt(tmp_path: Path, hub: tuple[str, list[dict[str, list[str]]]]) \
        -> Iterator[tuple[Path, str, Path]]:
    """(site, live site's base URL, output): a first build served as the live site on
    127.0.0.1, then b.md changed and built again into a copy of that output."""
    live = tmp_path / "live"
    live.mkdir()
    with serving(functools.partial(Live, directory=str(live))) as address:
        base = f"{address}/"
        site = blog(tmp_path / "blog", hub[0], base)
        build(site, live)
        out = tmp_path / "public"
        shutil.copytree(live, out)
        (site / "content/b.md").write_text(post("Bravo", "2025-01-02", "[css, svg]",
                                                body="Bravo, rewritten."), encoding="utf-8")
        build(site, out)
        yield site, base, out


def test_ping_notifies_the_hub_of_exactly_the_feeds_the_changed_post_is_in(
        live_and_rebuilt: tuple[Path, str, Path],
        hub: tuple[str, list[dict[str, list[str]]]]) -> None:
    site, base, out = live_and_rebuilt
    run = sitegen("ping", "--source", site, "--out", out)
    assert run.code == 0, run.err
    expected = with_twins(CHANGED, out)
    assert notified(hub[1], base) == expected
    assert f"notified {hub[0]} of {len(expected)} feeds: " in run.out
    assert f"{base}tags/css.atom" in run.out and "tags/html.atom" not in run.out
    again = sitegen("ping", "--source", site, "--out", out, "--since", out / "feeds.sha256")
    assert again.code == 0 and "nothing to send" in again.out
    assert len(hub[1]) == len(expected)


def test_a_saved_list_and_a_dry_run(live_and_rebuilt: tuple[Path, str, Path],
                                    hub: tuple[str, list[dict[str, list[str]]]],
                                    tmp_path: Path) -> None:
    site, base, out = live_and_rebuilt
    saved = tmp_path / "saved/feeds.sha256"
    run = sitegen("ping", "--source", site, "--save", saved)
    assert run.code == 0 and "saved the published feed list" in run.out
    dry = sitegen("ping", "--source", site, "--out", out, "--since", saved, "--dry-run")
    assert dry.code == 0, dry.err
    assert f"would notify {hub[0]} of {len(with_twins(CHANGED, out))} feeds" in dry.out
    assert "nothing was sent" in dry.out and hub[1] == []
    done = sitegen("ping", "--source", site, "--out", out, "--since", saved)
    assert done.code == 0 and notified(hub[1], base) == with_twins(CHANGED, out)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_every_feed_is_notified_when_the_live_list_cannot_be_had(
        tmp_path: Path, hub: tuple[str, list[dict[str, list[str]]]]) -> None:
    base = f"http://127.0.0.1:{unused_port()}/"  # nothing listens: the live site is down
    site = blog(tmp_path / "blog", hub[0], base)
    build(site, tmp_path / "public")
    every = set(lines(tmp_path / "public"))
    run = sitegen("ping", "--source", site, "--out", tmp_path / "public")
    assert run.code == 0, run.err
    assert f"could not get the published feed list from {base}feeds.sha256" in run.err
    assert "notifying the hub of every feed" in run.err
    assert len(hub[1]) == len(every) and "tags/html.atom" in notified(hub[1], base)
    missing = sitegen("ping", "--source", site, "--out", tmp_path / "public",
                      "--since", tmp_path / "no-such-file")
    assert missing.code == 0 and "no-such-file" in missing.err
    assert len(hub[1]) == 2 * len(every)


def test_a_hub_that_refuses_names_each_feed_and_fails(tmp_path: Path) -> None:
    notices: list[dict[str, list[str]]] = []
    with serving(functools.partial(Hub, notices=notices, status=500)) as address:
        site = blog(tmp_path / "blog", f"{address}/")
        build(site, tmp_path / "public")
        run = sitegen("ping", "--source", site, "--out", tmp_path / "public",
                      "--since", tmp_path / "none")
    assert run.code == 1
    assert "error: the hub refused the notice for https://example.org/tags/svg.atom " \
           "(HTTP 500" in run.err
    assert "run sitegen ping again" in run.err and "notified" not in run.out


def test_an_unreachable_hub_is_one_error_that_says_what_to_do(tmp_path: Path) -> None:
    site = blog(tmp_path / "blog", f"http://127.0.0.1:{unused_port()}/")
    build(site, tmp_path / "public")
    run = sitegen("ping", "--source", site, "--out", tmp_path / "public",
                  "--since", tmp_path / "none")
    assert run.code == 1
    assert "cannot reach the hub" in run.err and "0 of " in run.err
    assert "[feeds] hub" in run.err and run.err.count("error:") == 1


def test_ping_without_a_hub_says_to_set_one(tmp_path: Path) -> None:
    site = blog(tmp_path / "blog")
    build(site, tmp_path / "public")
    run = sitegen("ping", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "site.toml: no WebSub hub is set" in run.err and "[feeds] hub" in run.err
    saved = sitegen("ping", "--source", site, "--save", tmp_path / "saved")
    assert saved.code == 0 and "nothing to save" in saved.out
    assert not (tmp_path / "saved").exists()


def test_ping_before_a_build_says_to_build(tmp_path: Path) -> None:
    site = blog(tmp_path / "blog", "https://hub.example/")
    run = sitegen("ping", "--source", site)
    assert run.code == 1 and "build the site first" in run.err


def feed_links(out: Path) -> dict[str, list[tuple[str, str]]]:
    """Each feed document's feed-level links, (rel, href) in order."""
    found = {}
    for path in lines(out):
        if path.endswith((".atom", ".xml")):
            root = etree.fromstring((out / path).read_bytes())
            found[path] = [(link.get("rel", ""), link.get("href", ""))
                           for link in root.findall(f"{ATOM}link")]
    return found


def test_the_hub_link_follows_self_in_every_atom_feed_when_set(tmp_path: Path) -> None:
    site = blog(tmp_path / "with", "https://hub.example/websub")
    build(site, tmp_path / "with-out")
    links = feed_links(tmp_path / "with-out")
    assert {"tags/svg.atom", "tags/stylesheets.atom", "feed/index.xml",
            "atom/notes.atom"} <= set(links)
    for path, found in links.items():
        rels = [rel for rel, _ in found]
        assert rels.count("hub") == 1, path
        assert rels.index("hub") == rels.index("self") + 1, path
        assert ("hub", "https://hub.example/websub") in found, path
    plain = blog(tmp_path / "without")
    build(plain, tmp_path / "without-out")
    assert all("hub" not in [rel for rel, _ in found]
               for found in feed_links(tmp_path / "without-out").values())


def test_the_feed_list_is_the_same_however_it_is_built_and_is_sitegens(
        tmp_path: Path) -> None:
    site = blog(tmp_path / "blog")
    outs = [tmp_path / name for name in ("cold", "jobs1", "warm")]
    build(site, outs[0], "--no-cache")
    build(site, outs[1], "--no-cache", "--jobs", "1")
    build(site, outs[2])
    (site / "content/d.md").write_text(post("Delta", "2025-01-04", "[svg]"), "utf-8")
    build(site, outs[2])  # a warm build: most feeds unchanged, their digests remembered
    (site / "content/d.md").unlink()
    build(site, outs[2])
    listed = [(out / "feeds.sha256").read_bytes() for out in outs]
    assert listed[0] == listed[1] == listed[2]
    text = listed[0].decode()
    assert text.splitlines() == sorted(text.splitlines(), key=lambda line: line.split("  ")[1])
    for out in outs:
        manifest = (out / ".sitegen-manifest").read_text(encoding="utf-8")
        assert any(line.endswith(" feeds.sha256") for line in manifest.splitlines())
        assert "feeds.sha256" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    digests = lines(outs[0])
    expected_feeds = {"atom/everything.atom", "atom/entries.atom", "atom/links.atom",
                      "atom/quotes.atom", "atom/notes.atom", "tags/svg.atom",
                      "tags/css.atom", "tags/html.atom", "tags/stylesheets.atom",
                      "feed.xml", "feed/index.xml"}
    assert expected_feeds <= set(digests)
    assert all(not p.endswith((".html", ".css", ".js", ".txt")) for p in digests)
    check = sitegen("check", "--source", site, "--out", outs[2])
    assert check.code == 0, check.out + check.err


def test_a_feed_that_goes_leaves_the_list(tmp_path: Path) -> None:
    site = blog(tmp_path / "blog")
    out = tmp_path / "public"
    build(site, out)
    assert "tags/html.atom" in lines(out)
    (site / "content/c.md").unlink()
    build(site, out)
    assert "tags/html.atom" not in lines(out) and "tags/svg.atom" in lines(out)


def test_a_file_of_the_site_cannot_take_the_lists_path(tmp_path: Path) -> None:
    site = blog(tmp_path / "blog")
    (site / "root").mkdir()
    (site / "root/feeds.sha256").write_text("mine\n", encoding="utf-8")
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "root/feeds.sha256" in run.err and "reserved" in run.err


def deploy_workflows(tmp_path: Path) -> list[Path]:
    """This repository's deploy workflow and the one `sitegen init` writes."""
    assert sitegen("init", tmp_path / "new").code == 0
    return [ROOT / ".github/workflows/deploy.yml", tmp_path / "new/.github/workflows/deploy.yml"]


def test_both_deploy_workflows_ping_the_hub_after_deploying_and_never_fail_for_it(
        tmp_path: Path) -> None:
    for path in deploy_workflows(tmp_path):
        jobs = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]
        build_steps = [s.get("name", s.get("uses", "")) for s in jobs["build"]["steps"]]
        save = next(s for s in jobs["build"]["steps"] if "ping --save" in s.get("run", ""))
        assert build_steps.index(save["name"]) < build_steps.index("Upload public/"), path
        assert "hub=yes" in save["run"] and "public/feeds.sha256" in save["run"], path
        assert jobs["build"]["outputs"]["hub"] == "${{ steps.websub.outputs.hub }}", path
        ping = jobs["ping"]
        assert set(ping["needs"]) == {"build", "deploy"}, path
        assert ping["if"] == "needs.build.outputs.hub == 'yes'", path
        step = next(s for s in ping["steps"] if "ping --out" in s.get("run", ""))
        assert step["continue-on-error"] is True, path
        assert "--since websub/published.sha256" in step["run"] and "::warning::" in step["run"]
        done = subprocess.run([ACTIONLINT, "-no-color", str(path)], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_dev_servers_list_matches_a_cold_build(tmp_path: Path) -> None:
    """After a save, the dev server patches its plan in memory: its list is still the one
    a cold build of the same site (with drafts, as it builds) writes."""
    from sitegen.watch import Watcher

    site = blog(tmp_path / "blog", "https://hub.example/")
    watcher = Watcher(site, tmp_path / "served")
    try:
        assert not watcher.rebuild().errors
        (site / "content/b.md").write_text(post("Bravo", "2025-01-02", "[css, svg]",
                                                body="Saved again."), encoding="utf-8")
        assert not watcher.rebuild("saved", {"content/b.md"}).errors
    finally:
        watcher.stop()
    build(site, tmp_path / "cold", "--no-cache", "--drafts")
    served = (tmp_path / "served/feeds.sha256").read_bytes()
    assert served == (tmp_path / "cold/feeds.sha256").read_bytes()
    assert "tags/svg.atom" in served.decode()


def test_a_relisted_digest_list_is_the_list_made_again() -> None:
    """A patch build replaces the lines of the feeds it rendered; the list must be what
    `listing` makes of the new digests, also where one path ends another's."""
    before = {"a  b/feed.atom": "1" * 64, "b/feed.atom": "2" * 64, "c.json": "3" * 64,
              "tags/x/feed.atom": "4" * 64}
    fresh = {"b/feed.atom": "5" * 64, "c.json": "6" * 64, "tags/x/index.html": "7" * 64}
    text = websub.relisted(websub.listing(before), fresh)
    assert text == websub.listing({**before, "b/feed.atom": "5" * 64, "c.json": "6" * 64})
    assert websub.relisted(text, {}) == text
