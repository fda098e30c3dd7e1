"""Past 50,000 URLs, sitemap.xml is a sitemap index of sitemap-1.xml, sitemap-2.xml, …

The limit is tested on a real planned site with a small limit given to the planning
function, the pages rendered with the real templates and held against `sitegen check`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from sitegen import check, links, pages
from sitegen.build import Options, plan_site
from sitegen.config import Config
from sitegen.pages import Page
from sitegen.templates import Renderer
from tests.conftest import make_site, post, sitegen

BASE = "https://example.org/blog/"
TOML = f'title = "Big Site"\nbase_url = "{BASE}"\nper_page = 2\n'
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LIMIT = 3


def posts(count: int) -> dict[str, str]:
    """`count` posts a day apart from 1 March 2025, tagged by parity; and a page."""
    made = {"pages/about.md": "---\ntitle: About\n---\nAbout this site.\n"}
    for n in range(count):
        day = dt.date(2025, 3, 1) + dt.timedelta(days=n)
        made[f"{day}-post-{n}.md"] = post(f"Post {n}", str(day),
                                          "[odd]" if n % 2 else "[even]")
    return made


def planned(site: Path) -> tuple[Config, list[Page]]:
    config, _, plan = plan_site(Options(site_dir=site, use_cache=False))
    return config, plan


def sitemaps_of(plan: list[Page], config: Config, limit: int = LIMIT) -> dict[str, Page]:
    return {p.path: p for p in pages.plan_sitemaps(plan, config.base_url, limit)}


def urls_of(page: Page) -> list[str]:
    return [url for url, _ in page.context["urls"]]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", posts(7), TOML)


def test_under_the_limit_the_sitemap_is_the_one_the_plan_has(site: Path) -> None:
    config, plan = planned(site)
    own = next(p for p in plan if p.path == "sitemap.xml")
    assert own.template == "sitemap.xml" and not any(
        p.path.startswith("sitemap-") for p in plan)
    assert pages.plan_sitemaps(plan, config.base_url) == [own]
    listed = len(urls_of(own))
    assert len(sitemaps_of(plan, config, limit=listed)) == 1
    assert len(sitemaps_of(plan, config, limit=listed - 1)) == 3  # the index and two


def test_past_the_limit_an_index_of_sitemaps_lists_every_url_once(site: Path) -> None:
    config, plan = planned(site)
    single = urls_of(next(p for p in plan if p.path == "sitemap.xml"))
    made = sitemaps_of(plan, config)
    index = made.pop("sitemap.xml")
    assert index.template == "sitemap-index.xml"
    children = [made[path] for path, _ in index.context["sitemaps"]]
    assert [c.path for c in children] == [f"sitemap-{n}.xml" for n in
                                          range(1, len(children) + 1)]
    assert len(children) == -(-len(single) // LIMIT)
    assert all(0 < len(urls_of(c)) <= LIMIT for c in children)
    together = [url for c in children for url in urls_of(c)]
    assert sorted(together) == sorted(single) and len(set(together)) == len(together)
    # posts first, oldest first, then every other page in the plan's order
    assert together[:7] == [f"2025/Mar/{d}/post-{n}/" for n, d in enumerate(range(1, 8))]
    assert together[7:] == [url for url in single if "/post-" not in url]
    for child, (_, lastmod) in zip(children, index.context["sitemaps"], strict=True):
        assert lastmod == max(m for _, m in child.context["urls"] if m)


def test_a_new_post_changes_only_the_last_sitemaps(tmp_path: Path) -> None:
    """Posts oldest first: the sitemaps full of older posts keep their URLs and lastmods."""
    site = make_site(tmp_path / "site", posts(7), TOML)
    config, plan = planned(site)
    before = sitemaps_of(plan, config)
    make_site(site, posts(8), TOML)
    after = sitemaps_of(planned(site)[1], config)
    changed = sorted(p for p in after if before.get(p) != after[p])
    # 7 posts fill sitemaps 1 and 2 (3 each); post 7 and the pages after it fill the rest
    assert [p for p in after if p not in changed] == ["sitemap-1.xml", "sitemap-2.xml"]
    assert "sitemap.xml" in changed and "2025/Mar/8/post-7/" in urls_of(after["sitemap-3.xml"])


def test_a_sitemap_is_cut_by_bytes_too(site: Path) -> None:
    config, plan = planned(site)
    made = pages.plan_sitemaps(plan, config.base_url, size=pages.SITEMAP_FRAME + 1000)
    assert made[0].template == "sitemap-index.xml" and len(made) > 3
    line = pages.SITEMAP_LINE + 3 * len(BASE)
    for child in made[1:]:
        assert sum(line + 3 * len(u) for u in urls_of(child)) <= 1000 or \
            len(urls_of(child)) == 1


def render(site: Path, config: Config, made: dict[str, Page]) -> dict[str, bytes]:
    renderer = Renderer(site, config)
    return {path: renderer.render(page) for path, page in made.items()}


def test_rendered_index_and_sitemaps_are_consistent(site: Path) -> None:
    config, plan = planned(site)
    made = sitemaps_of(plan, config)
    files = render(site, config, made)
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    entries = index.findall("s:sitemap", NS)
    assert [e.findtext("s:loc", namespaces=NS) for e in entries] == [
        f"{BASE}sitemap-{n}.xml" for n in range(1, len(made))]
    for entry in entries:
        child = etree.fromstring(files[entry.findtext("s:loc", namespaces=NS)
                                       .removeprefix(BASE)])
        assert child.tag == f"{{{NS['s']}}}urlset"
        locs = child.findall("s:url/s:loc", NS)
        assert 0 < len(locs) <= LIMIT
        assert all(loc.text.startswith(BASE) for loc in locs)
        stamps = [dt.datetime.fromisoformat(m) for m in child.xpath(
            "s:url/s:lastmod/text()", namespaces=NS)]
        assert dt.datetime.fromisoformat(entry.findtext("s:lastmod", namespaces=NS)) \
            == max(stamps)


def built_with_index(site: Path, out: Path) -> tuple[Config, links.Output, dict[str, bytes]]:
    """The site built by the CLI, then its sitemap replaced by a rendered index (limit 3)."""
    run = sitegen("build", "--source", site, "--out", out, "--no-cache")
    assert run.code == 0, run.err
    config, plan = planned(site)
    files = render(site, config, sitemaps_of(plan, config))
    for path, data in files.items():
        (out / path).write_bytes(data)
    return config, links.read_output(out), files


def checked(config: Config, output: links.Output, files: dict[str, bytes]) -> list[str]:
    return check.check_sitemap(files.get("sitemap.xml"), output, config, None, files.get)


def test_check_reads_an_index_and_its_sitemaps(site: Path, tmp_path: Path) -> None:
    config, output, files = built_with_index(site, tmp_path / "out")
    assert checked(config, output, files) == []
    assert "Sitemap: https://example.org/blog/sitemap.xml" in \
        (tmp_path / "out" / "robots.txt").read_text(encoding="utf-8")


def test_check_finds_what_is_wrong_with_an_index(site: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config, output, files = built_with_index(site, tmp_path / "out")
    first = files["sitemap-1.xml"].decode()
    one = first.split("<url>")[1].split("</url>")[0]  # the oldest post
    files["sitemap-2.xml"] = files["sitemap-2.xml"].replace(
        b"</urlset>", f"<url>{one}</url></urlset>".encode())
    index = files["sitemap.xml"].decode()
    files["sitemap.xml"] = index.replace(
        f"<sitemap><loc>{BASE}sitemap-3.xml</loc>",
        f"<sitemap><loc>{BASE}sitemap-99.xml</loc></sitemap>"
        f"<sitemap><loc>{BASE}sitemap-1.xml</loc></sitemap>"
        f"<sitemap><loc>{BASE}sitemap.xml</loc></sitemap>"
        f"<sitemap><loc>{BASE}robots.txt</loc>").encode()
    files["robots.txt"] = b"Sitemap: x"
    problems = checked(config, output, files)
    assert f"sitemap.xml: lists the sitemap {BASE}sitemap-99.xml, which is not in the " \
        "output" in problems
    assert f"sitemap.xml: lists the sitemap {BASE}sitemap-1.xml, a second time" in problems
    assert f"sitemap.xml: lists the sitemap {BASE}sitemap.xml, which is the index " \
        "itself" in problems
    assert "robots.txt: not well-formed XML: Start tag expected, '<' not found, line 1, " \
        "column 1 (<string>, line 1)" in problems
    assert "sitemap-3.xml: a sitemap that sitemap.xml does not list" in problems
    assert "sitemap-1.xml, sitemap-2.xml: list 2025/Mar/1/post-0/index.html 2 times" \
        in problems
    unlisted = [p for p in problems if "a page that none of the sitemaps" in p]
    assert unlisted and all(p.endswith("of sitemap.xml lists") for p in unlisted)
    monkeypatch.setattr(pages, "SITEMAP_URLS", 2)
    assert "sitemap-1.xml: lists 3 URLs, more than the 2 a sitemap may (sitemaps.org)" \
        in checked(config, output, files)


def test_check_refuses_an_index_in_an_index(site: Path, tmp_path: Path) -> None:
    config, output, files = built_with_index(site, tmp_path / "out")
    files["sitemap-2.xml"] = files["sitemap.xml"]
    assert "sitemap-2.xml: not a sitemap (<urlset>); an index lists only sitemaps" \
        in checked(config, output, files)


def test_a_site_of_138003_urls_has_three_sitemaps_and_a_post_rewrites_one() -> None:
    """As many URLs as the 100,000-post site has files, at the real limit: a new post
    changes the last sitemap and the index, never the two full of older posts."""
    def site(count: int) -> list[Page]:
        stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        made = [Page(f"p/{n}/index.html", pages.TEMPLATE, "post.html",
                     lastmod=stamp + dt.timedelta(hours=n)) for n in range(count)][::-1]
        return [*made, *(Page(f"o/{n}/index.html", pages.TEMPLATE, "tag.html",
                              lastmod=stamp + dt.timedelta(hours=count))
                         for n in range(38_003))]
    before = {p.path: p for p in pages.plan_sitemaps(site(100_000), BASE)}
    after = {p.path: p for p in pages.plan_sitemaps(site(100_001), BASE)}
    assert sorted(after) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    assert [p for p in after if after[p] != before[p]] == ["sitemap.xml", "sitemap-3.xml"]
