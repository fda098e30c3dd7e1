"""Scheduled posts: a post dated after now stays out of the build until its date has
passed, then goes out with no file changed; `--future` publishes it now; the dev server
shows it marked. Now is set with SITEGEN_NOW, never read from the clock."""

from __future__ import annotations

import functools
import gzip
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen import serve
from tests.conftest import ROOT, Run, make_site, post, serving, tree
from tests.test_search_index import records
from tests.test_search_page import Quiet, results, search_page
from tests.test_serve import browser, expect, page, wait_until

__all__ = ["browser", "page"]  # fixtures, used by name

TOML = 'title = "Test Site"\nbase_url = "https://example.org/"\ntimezone = "Europe/Paris"\n'
BEFORE, AFTER = "2026-11-30T09:00:00Z", "2026-12-01T08:30:00Z"  # its date: 08:00 UTC
SLUG, TITLE, TAG = "quokka-parade", "Quokka parade", "marsupials"
PAGE = "2026/Dec/1/quokka-parade/index.html"


def run(*args: str | Path, now: str) -> Run:
    """`python -m sitegen …` with SITEGEN_NOW set to `now`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SITEGEN_NOW": now}
    done = subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=600)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {
        "2026-11-02-older.md": post("Older post", "2026-11-02T10:00:00+01:00",
                                    "[python]", "An older post."),
        "quokka-parade.md": post(TITLE, "2026-12-01T09:00:00+01:00",
                                 f"[python, {TAG}]", "They march at dawn.",
                                 aliases="[/old/quokkas/]"),
        "2026-12-20-much-later.md": post("Much later", "2026-12-20T18:30:00+01:00",
                                         "[python]", "Even later."),
    }, TOML)


def readable(data: bytes) -> str:
    """A file's text; the search index's gzip files unpacked."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace").lower()


def mentions(out: Path, *words: str) -> list[str]:
    return [path for path, data in tree(out).items()
            if any(word.lower() in readable(data) for word in words)]


def test_a_scheduled_post_is_in_no_output_file_before_its_date(site: Path) -> None:
    built = run("build", "--source", site, now=BEFORE)
    assert built.code == 0, built.err
    out = site / "public"
    assert len(tree(out)) > 20 and (out / "2026/Nov/2/older/index.html").exists()
    assert mentions(out, "older post") and mentions(out, "march at dawn") == []
    assert mentions(out, SLUG, TITLE, TAG, "much later", "quokkas") == []
    assert [p for p in tree(out) if "quokka" in p or TAG in p] == []


def test_its_time_come_a_build_with_no_file_changed_publishes_it_everywhere(
        site: Path, tmp_path: Path) -> None:
    assert run("build", "--source", site, now=BEFORE).code == 0
    again = run("build", "--source", site, now=AFTER)
    assert again.code == 0, again.err
    out = site / "public"
    assert TITLE in (out / PAGE).read_text() and (out / "old/quokkas/index.html").exists()
    for listing in (f"tags/{TAG}/index.html", "tags/python/index.html", "index.html",
                    "2026/Dec/index.html", "2026/Dec/1/index.html", "atom/everything.atom",
                    f"tags/{TAG}.atom", "tags/python.atom", "sitemap.xml"):
        assert SLUG in (out / listing).read_text(), listing
    assert f"tags/{TAG}/" in (out / "tags/index.html").read_text()
    assert SLUG in readable((out / "search/index/2026/pagefind-entry.json").read_bytes()) \
        or mentions(out / "search", TITLE)
    assert mentions(out, "much later") == []  # still scheduled
    cold = run("build", "--source", site, "--no-cache", "--out", tmp_path / "cold", now=AFTER)
    assert cold.code == 0, cold.err
    assert tree(out) == tree(tmp_path / "cold")


def test_a_build_before_the_date_again_takes_it_back_out(site: Path) -> None:
    assert run("build", "--source", site, now=AFTER).code == 0
    back = run("build", "--source", site, now=BEFORE)
    assert back.code == 0, back.err
    assert mentions(site / "public", SLUG, TITLE) == []


def test_the_summary_counts_scheduled_posts_and_gives_the_next_in_the_sites_timezone(
        site: Path) -> None:
    first = run("build", "--source", site, now=BEFORE)
    assert "Built 1 posts" in first.out
    assert first.out.rstrip().endswith("; 2 scheduled, next on 2026-12-01 09:00"), first.out
    unchanged = run("build", "--source", site, now=BEFORE)  # the no-change short cut
    assert "0 rendered" in unchanged.out and "2 scheduled, next on 2026-12-01 09:00" \
        in unchanged.out, unchanged.out
    later = run("build", "--source", site, now=AFTER)
    assert "Built 2 posts" in later.out and "1 scheduled, next on 2026-12-20 18:30" \
        in later.out, later.out
    done = run("build", "--source", site, now="2027-01-01T00:00:00Z")
    assert "Built 3 posts" in done.out and "scheduled" not in done.out, done.out


def test_future_publishes_scheduled_posts_now(site: Path) -> None:
    built = run("build", "--source", site, "--future", now=BEFORE)
    assert built.code == 0, built.err
    assert "Built 3 posts" in built.out and "scheduled" not in built.out
    out = site / "public"
    page = (out / PAGE).read_text()
    assert TITLE in page and "Scheduled" not in page and "draft-mark" not in page
    assert SLUG in (out / "atom/everything.atom").read_text()


def test_a_draft_dated_in_the_future_stays_a_draft(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "now.md": post("Today", "2026-11-01"),
        "plan.md": post("Secret plan", "2026-12-24", draft="true"),
    }, TOML)
    built = run("build", "--source", site, "--future", now=BEFORE)
    assert "Built 1 posts" in built.out and mentions(site / "public", "secret plan") == []
    shown = run("build", "--source", site, "--drafts", now=BEFORE)
    assert "scheduled" not in shown.out, shown.out
    page = (site / "public/2026/Dec/24/plan/index.html").read_text()
    assert "Draft: shown by the dev server only" in page and "Scheduled" not in page


def test_with_drafts_as_the_dev_server_builds_scheduled_posts_show_marked(site: Path) -> None:
    built = run("build", "--source", site, "--drafts", now=BEFORE)
    assert built.code == 0, built.err
    assert "Built 3 posts" in built.out and "2 scheduled" in built.out
    out = site / "public"
    mark = "Scheduled for 1 December 2026"
    assert mark in (out / PAGE).read_text()
    listed = (out / "index.html").read_text()
    assert re.search(r'class="item item-entry draft scheduled">\s*<p class="draft-mark '
                     rf'scheduled-mark">{mark}', listed), listed
    assert "Scheduled for" not in (out / "2026/Nov/2/older/index.html").read_text()
    found = {url.rsplit("/", 2)[-2]: r["meta"] for url, r in records(out).items()}
    assert found[SLUG]["scheduled_text"] == "1 December 2026, 09:00"
    assert "scheduled_text" not in found["older"]


@pytest.mark.parametrize("now", ["tomorrow", "2026-13-01", "2026-12-01 9:00"])
def test_a_malformed_sitegen_now_is_a_clear_error(site: Path, now: str) -> None:
    for command in (("build",), ("check",), ("tags",)):
        done = run(*command, "--source", site, now=now)
        assert done.code == 1 and "Traceback" not in done.err, done.err
        assert done.err.startswith(f"error: SITEGEN_NOW={now!r} is not a date: "), done.err
        assert "unset it" in done.err
    assert not (site / "public").exists()


@pytest.fixture
def watching(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The dev server's builder on `site`, at BEFORE; yields its output folder."""
    monkeypatch.setenv("SITEGEN_NOW", BEFORE)
    with serve.watch(site, tmp_path / "out") as watcher:
        assert watcher.ready.wait(60)
        yield tmp_path / "out"


def test_the_dev_server_drops_the_mark_when_the_time_comes_with_no_save(
        watching: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = watching / PAGE
    assert "Scheduled for" in page.read_text()
    monkeypatch.setenv("SITEGEN_NOW", AFTER)  # as the clock would move on
    wait_until(lambda: "Scheduled for" not in page.read_text(), "the mark to go")
    assert "Scheduled for 20 December" in (watching / "index.html").read_text()
    assert SLUG in (watching / "atom/everything.atom").read_text()


@pytest.mark.parametrize("drafts", [False, True], ids=["published", "dev-server"])
def test_the_search_page_finds_a_scheduled_post_only_in_the_dev_servers_build_marked(
        site: Path, tmp_path: Path, page: Any, drafts: bool) -> None:
    out = tmp_path / "out"
    built = run("build", "--source", site, "--out", out, *(["--drafts"] if drafts else []),
                now=BEFORE)
    assert built.code == 0, built.err
    with serving(functools.partial(Quiet, directory=str(out))) as origin:
        search_page(page, origin + "/", "?q=march")
        assert results(page) == ([f"/{PAGE.removesuffix('index.html')}"] if drafts else [])
        if drafts:
            expect(page.locator("#search-results .scheduled-mark")).to_have_text(
                "Scheduled for 1 December 2026, 09:00")
