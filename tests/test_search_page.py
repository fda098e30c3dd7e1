"""The search page as a reader meets it: a real Chromium on the built demo site, served
by a plain static server at / and under /sub/path/, typing, ticking facets, reloading.

Chromium is Debian's /usr/bin/chromium driven by Playwright (the fixtures of
test_serve.py): without it these tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT, make_site, post, serving, sitegen
from tests.test_serve import browser, expect, page

__all__ = ["browser", "page"]  # fixtures, used by name

RESULTS = "#search-results > li"
WAIT = 60_000  # ms
PAGE_SIZE = 20  # results shown before "More results"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module", params=["/", "/sub/path/"], ids=["root", "sub-path"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) \
        -> Iterator[str]:
    """The demo site built for its base path and served: yields the site's URL."""
    served = tmp_path_factory.mktemp("served")
    with serving(functools.partial(Quiet, directory=str(served))) as origin:
        out = served / request.param.strip("/")
        run = sitegen("build", "--source", ROOT, "--out", out, "--no-cache",
                      "--base-url", origin + request.param)
        assert run.code == 0, run.err
        assert (out / "search" / "indexes.json").is_file()
        yield origin + request.param


def built_site(tmp_path: Path, posts: dict[str, str]) -> Iterator[str]:
    """A small site built with `sitegen build` and served at /."""
    source = make_site(tmp_path / "site", posts)
    out = tmp_path / "public"
    run = sitegen("build", "--source", source, "--out", out, "--no-cache")
    assert run.code == 0, run.err
    with serving(functools.partial(Quiet, directory=str(out))) as origin:
        yield origin + "/"


# ---- what the reader does ----

def search_page(page: Any, site: str, query: str = "") -> None:
    page.goto(site + "search/" + query)
    expect(page.locator("#search-status")).not_to_be_empty(timeout=WAIT)


def results(page: Any) -> list[str]:
    """The result links' paths, once the status says how many there are."""
    status = page.locator("#search-status")
    expect(status).to_have_text(re.compile(r"^\d+ posts?\b"), timeout=WAIT)
    expect(page.locator(RESULTS)).to_have_count(min(PAGE_SIZE, int(status.inner_text().split()[0])))
    return [urlsplit(h).path for h in page.locator(f"{RESULTS} h2 a").evaluate_all(
        "links => links.map(a => a.href)")]


def tick(page: Any, facet: str, name: str) -> None:
    before = page.locator("#search-status").inner_text()
    page.locator(f"fieldset[data-facet='{facet}']").get_by_role(
        "checkbox", name=re.compile(rf"^{re.escape(name)}\b")).check()
    expect(page.locator("#search-status")).not_to_have_text(before, timeout=WAIT)


def facet_count(page: Any, facet: str, value: str) -> int:
    box = page.locator(f"fieldset[data-facet='{facet}'] input[value='{value}']")
    return int(box.locator("xpath=..").locator(".count").inner_text().split()[0])


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def tags_of(page: Any, n: int) -> list[str]:
    names: list[str] = page.locator(RESULTS).nth(n).locator(".tags a").all_inner_texts()
    return names


# ---- tests ----

def test_typing_finds_posts_with_the_words_marked(site: str, page: Any) -> None:
    search_page(page, site)
    page.locator("#search-q").press_sequentially("atom")
    found = results(page)
    assert found and all(p.startswith(urlsplit(site).path) for p in found)
    marks = page.locator(f"{RESULTS} .excerpt mark").all_inner_texts()
    assert marks and all("atom" in m.lower() for m in marks), marks
    assert query(page) == {"q": ["atom"]}
    first = page.locator(RESULTS).first
    expect(first.locator("time")).to_have_text(re.compile(r"^\d{1,2} \w+ \d{4}$"))
    expect(first.locator(".kind")).to_have_text(re.compile("^(Entry|Link|Quote|Note)$"))


def test_one_tag_then_two_narrow_to_posts_with_all_of_them(site: str, page: Any) -> None:
    search_page(page, site)
    expected = facet_count(page, "tag", "svg")
    tick(page, "tag", "SVG")
    svg = results(page)
    assert len(svg) == expected
    assert all("SVG" in tags_of(page, i) for i in range(len(svg)))
    both = facet_count(page, "tag", "accessibility")
    tick(page, "tag", "accessibility")
    narrowed = results(page)
    assert 0 < len(narrowed) == both < len(svg)
    assert all({"SVG", "accessibility"} <= set(tags_of(page, i)) for i in range(both))
    assert query(page) == {"tag": ["svg", "accessibility"]}


def test_filters_alone_list_posts_newest_first(site: str, page: Any) -> None:
    search_page(page, site, "?tag=svg")
    results(page)
    dates = page.locator(f"{RESULTS} time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))")
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)


def test_kind_and_year_filter(site: str, page: Any) -> None:
    search_page(page, site)
    tick(page, "kind", "Note")
    notes = results(page)
    assert notes and page.locator(f"{RESULTS} .kind").all_inner_texts() == ["Note"] * len(notes)
    tick(page, "year", "2025")
    in_2025 = results(page)
    assert 0 < len(in_2025) < len(notes)
    dates = page.locator(f"{RESULTS} time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))")
    assert all(d.startswith("2025-") for d in dates)
    assert query(page) == {"kind": ["note"], "year": ["2025"]}


def test_a_result_opens_its_post(site: str, page: Any) -> None:
    search_page(page, site, "?q=gradients")
    found = results(page)
    title = page.locator(f"{RESULTS} h2 a").first.inner_text()
    page.locator(f"{RESULTS} h2 a").first.click()
    page.wait_for_url(re.compile(re.escape(found[0]) + "$"))
    expect(page.locator("h1")).to_have_text(title)


def test_reloading_the_url_gives_the_same_results(site: str, page: Any) -> None:
    search_page(page, site)
    page.locator("#search-q").press_sequentially("svg")
    tick(page, "kind", "Entry")
    before, status = results(page), page.locator("#search-status").inner_text()
    assert query(page) == {"q": ["svg"], "kind": ["entry"]}
    page.reload()
    expect(page.locator("#search-q")).to_have_value("svg", timeout=WAIT)
    assert results(page) == before
    expect(page.locator("#search-status")).to_have_text(status)
    expect(page.locator("fieldset[data-facet='kind'] input[value='entry']")).to_be_checked()


def test_the_header_box_lands_on_the_search_page_filled_in(site: str, page: Any) -> None:
    page.goto(site + "archives/")
    box = page.get_by_role("searchbox", name="Search posts")
    box.fill("python")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=python$"))
    assert urlsplit(page.url).path == urlsplit(site).path + "search/"
    expect(page.get_by_label("Words to find")).to_have_value("python", timeout=WAIT)
    assert results(page)


def test_typing_keeps_focus_and_the_count_is_announced(site: str, page: Any) -> None:
    search_page(page, site)
    box = page.locator("#search-q")
    box.press_sequentially("feed", delay=50)
    results(page)
    expect(box).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("matching “feed”")


def test_without_javascript_the_page_offers_tags_and_archives(site: str, browser: Any) \
        -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "search/?q=svg")
        notice = page.locator(".search-notice").first
        expect(notice).to_contain_text("Search needs JavaScript")
        path = urlsplit(site).path
        expect(notice.get_by_role("link", name="tag")).to_have_attribute("href", path + "tags/")
        expect(notice.get_by_role("link", name="archives")).to_have_attribute(
            "href", path + "archives/")
        expect(page.locator("form.search-form")).to_be_hidden()
    finally:
        context.close()


@pytest.fixture
def draft_site(tmp_path: Path) -> Iterator[str]:
    yield from built_site(tmp_path, {
        "2025-01-02-out.md": post("Published", tags="[birds]",
                                  body="A plainly published wombatish post."),
        "2025-01-03-draft.md": post("Unpublished", "2025-01-03", "[birds]", draft="true",
                                    body="The draft alone says quillowort here."),
    })


def test_a_drafts_words_are_not_in_the_built_index(draft_site: str, page: Any) -> None:
    search_page(page, draft_site, "?q=wombatish")
    assert results(page) == ["/2025/Jan/2/out/"]
    search_page(page, draft_site, "?q=quillowort")
    assert results(page) == []


@pytest.fixture
def many_bundles(tmp_path: Path) -> Iterator[str]:
    """Twelve years of posts (twelve bundles), the oldest with a word of its own."""
    posts = {f"y{year}.md": post(f"Year {year}", f"{year}-06-01", "[birds]",
                                 "Oldest kestrelwatch notes." if year == 2014 else "Notes.")
             for year in range(2014, 2026)}
    yield from built_site(tmp_path, posts)


def test_a_dozen_bundles_are_merged_and_listed_newest_first(many_bundles: str,
                                                            page: Any) -> None:
    search_page(page, many_bundles, "?q=kestrelwatch")
    assert results(page) == ["/2014/Jun/1/y2014/"]
    search_page(page, many_bundles, "?tag=birds")
    assert results(page) == [f"/{year}/Jun/1/y{year}/" for year in range(2025, 2013, -1)]
    assert facet_count(page, "year", "2014") == 1
