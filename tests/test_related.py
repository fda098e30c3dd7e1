"""Each post page lists up to five related posts: shared rare tags count most."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen import site as site_module
from sitegen.build import Options
from sitegen.build import build as build_in_process
from tests.conftest import make_site, post, sitegen


def related(site: Path, url: str) -> list[str]:
    """The titles in a post page's "Related posts" list, in order."""
    page = (site / "public" / url / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<aside class="related-posts".*?</aside>', page, re.DOTALL)
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', found.group()) if found else []


def fingerprints(site: Path) -> dict[str, str]:
    """Each output file's fingerprint, from the output folder's manifest."""
    lines = (site / "public" / ".sitegen-manifest").read_text(encoding="utf-8").splitlines()
    return {path: fp for fp, _, path in (line.split(" ", 2) for line in lines[1:])}


def build(site: Path) -> None:
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err


def site_of(root: Path) -> Path:
    """'Start' carries a rare tag (orchids) and a common one (news); 'Common' shares
    only news, 'Rare' only orchids; 'Apart' shares nothing."""
    posts = {"start.md": post("Start", "2025-03-10", "[orchids, news]"),
             "rare.md": post("Rare", "2024-01-01", "[orchids]"),
             "common.md": post("Common", "2025-03-11", "[news]"),
             "apart.md": post("Apart", "2025-03-12", "[stamps]")}
    posts |= {f"news-{n}.md": post(f"News {n}", f"2023-05-{n + 1:02d}", "[news]")
              for n in range(8)}
    return make_site(root, posts)


def test_a_shared_rare_tag_counts_more_than_a_shared_common_one(tmp_path: Path) -> None:
    site = site_of(tmp_path / "site")
    build(site)
    shown = related(site, "2025/Mar/10/start")
    assert shown[:2] == ["Rare", "Common"]  # Common is nearer in time, Rare rarer
    assert len(shown) == 5 and "Apart" not in shown
    assert shown[2:] == ["News 7", "News 6", "News 5"]  # equal scores: nearest in time
    assert related(site, "2025/Mar/12/apart") == []
    page = (site / "public" / "2025/Mar/10/start/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-01-01T00:00:00+00:00">1 January 2024</time>' in page


def test_a_related_post_body_edit_leaves_the_pages_listing_it(tmp_path: Path) -> None:
    """Its page shows only the title and date: a body edit renders it again only where
    the post itself is shown, a title edit also where it is listed as related."""
    site = site_of(tmp_path / "site")
    build(site)
    before = fingerprints(site)
    rare = site / "content" / "rare.md"
    rare.write_text(rare.read_text(encoding="utf-8") + "More words.\n", encoding="utf-8")
    build(site)
    after = fingerprints(site)
    assert after["2025/Mar/10/start/index.html"] == before["2025/Mar/10/start/index.html"]
    assert after["2024/Jan/1/rare/index.html"] != before["2024/Jan/1/rare/index.html"]
    rare.write_text(rare.read_text(encoding="utf-8").replace("title: Rare", "title: Rarer"),
                    encoding="utf-8")
    build(site)
    again = fingerprints(site)
    assert again["2025/Mar/10/start/index.html"] != after["2025/Mar/10/start/index.html"]
    assert again["2025/Mar/12/apart/index.html"] == after["2025/Mar/12/apart/index.html"]
    assert related(site, "2025/Mar/10/start")[0] == "Rarer"


def test_a_body_edit_keeps_the_related_lists_without_scoring_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lists depend on titles, dates, tags and slugs only: while none changed (the
    site's shape), the next build takes them from the cache; a title edit scores again."""
    site = site_of(tmp_path / "site")
    build(site)
    shown = related(site, "2025/Mar/10/start")
    scored = []
    monkeypatch.setattr(site_module, "relate",
                        lambda entries: scored.append(len(entries)) or {})
    common = site / "content" / "common.md"
    common.write_text(common.read_text(encoding="utf-8") + "More words.\n", encoding="utf-8")
    build_in_process(Options(site_dir=site, jobs=1))
    assert scored == []
    assert related(site, "2025/Mar/10/start") == shown
    common.write_text(common.read_text(encoding="utf-8").replace("title: Common",
                                                                  "title: Usual"),
                      encoding="utf-8")
    build_in_process(Options(site_dir=site, jobs=1))
    assert scored == [12]  # scored again (here by the stand-in, which finds none)
    assert related(site, "2025/Mar/10/start") == []
