"""Speed never changes output: cold, warm after edits, one process or many, any cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import generate
from sitegen import shape, workers
from sitegen.build import Options, plan_site
from tests.conftest import ROOT, make_site, post, sitegen, tree


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated posts: enough for the build to use worker processes."""
    return generate(tmp_path_factory.mktemp("corpus") / "site", posts=300, tags=60, seed=3)


def build(site: Path, out: Path, *args: str) -> str:
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return run.out


def built_copy(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the corpus, built once with its cache: (site folder, output folder)."""
    site, out = tmp_path / "site", tmp_path / "public"
    shutil.copytree(corpus, site)
    build(site, out)
    return site, out


def cold(site: Path, out: Path) -> dict[str, bytes]:
    build(site, out, "--no-cache", "--jobs", "2")
    return tree(out)


def edit(site: Path) -> None:
    """A mix of edits: change a body and a title, retag, delete, rename, add a post."""
    posts = sorted((site / "content").rglob("*.md"))
    posts[0].write_text(posts[0].read_text() + "\nOne more line.\n")
    text = posts[1].read_text().replace("title: ", "title: Renamed ", 1)
    posts[1].write_text(text.replace("tags: [", 'tags: ["brand new tag", ', 1))
    posts[2].unlink()
    posts[3].rename(posts[3].with_name("renamed-" + posts[3].name))
    (site / "content" / "added.md").write_text(
        "---\ntitle: Added\ndate: 2020-02-02\ntags: [C++, café]\n---\nNew post.\n")


def test_one_process_and_many_give_the_same_site(corpus: Path, tmp_path: Path) -> None:
    build(corpus, tmp_path / "one", "--no-cache", "--jobs", "1")
    build(corpus, tmp_path / "two", "--no-cache", "--jobs", "2")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_warm_build_after_edits_equals_cold_build(corpus: Path, tmp_path: Path) -> None:
    site, out = built_copy(corpus, tmp_path)
    edit(site)
    printed = build(site, out)
    assert "(4 parsed," in printed
    assert tree(out) == cold(site, tmp_path / "cold")
    assert "(0 parsed, 0 rendered, 0 written" in build(site, out)


def test_template_and_config_edits_rebuild_what_they_touch(corpus: Path, tmp_path: Path) -> None:
    site, out = built_copy(corpus, tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Gone fishing</h1>{% endblock %}\n')
    toml = (site / "site.toml").read_text().replace("Bench Links", "Bench Renamed")
    (site / "site.toml").write_text(toml)
    build(site, out)
    assert "Gone fishing" in (out / "404.html").read_text()
    assert tree(out) == cold(site, tmp_path / "cold")
    (site / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Back soon</h1>{% endblock %}\n')
    build(site, out)  # the 404 template was compiled and cached under the same name
    assert "Back soon" in (out / "404.html").read_text()
    assert tree(out) == cold(site, tmp_path / "cold2")


@pytest.mark.parametrize("damage", ["garbage", "empty", "other-version"])
def test_damaged_cache_is_rebuilt_not_trusted(corpus: Path, tmp_path: Path, damage: str) -> None:
    site, out = built_copy(corpus, tmp_path)
    for file in (site / ".cache").rglob("*"):  # Jinja's compiled templates too
        if file.name == ".gitignore" or file.is_dir():
            continue
        if damage == "garbage":
            file.write_bytes(b"\x80\x04not a pickle at all")
        elif damage == "empty":
            file.write_bytes(b"")
        else:
            file.write_bytes(file.read_bytes().replace(b"0.1.0+", b"0.0.9+"))
    edit(site)
    build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def test_deleting_the_cache_is_safe(corpus: Path, tmp_path: Path) -> None:
    site, out = built_copy(corpus, tmp_path)
    shutil.rmtree(site / ".cache")
    edit(site)
    assert "(300 parsed," in build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def test_an_output_deleted_by_hand_is_made_again(corpus: Path, tmp_path: Path) -> None:
    site, out = built_copy(corpus, tmp_path)
    (out / "robots.txt").unlink()  # no post shows on it: its fingerprint stays
    newest = sorted((site / "content").rglob("*.md"))[-1]
    newest.write_text(newest.read_text() + "\nOne more line.\n")
    assert "(1 parsed," in build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def test_dev_server_patch_of_body_edits_equals_cold_build(corpus: Path, tmp_path: Path) -> None:
    """The dev server keeps its plan in memory and patches it when only bodies change."""
    from sitegen.build import Options
    from sitegen.build import build as build_in_process
    from sitegen.cache import Cache

    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    options = Options(site_dir=site, out_dir=tmp_path / "served", use_cache=False, jobs=1)
    cache = Cache(keep_plan=True)
    build_in_process(options, cache=cache)
    planned = cache.planned
    posts = sorted((site / "content").rglob("*.md"))
    for number, path in enumerate(posts[:3]):
        path.write_text(path.read_text() + f"\nEdit number {number}, [a link](../x/).\n")
    summary = build_in_process(options, cache=cache)
    assert cache.planned is planned, "a body-only edit should patch the plan, not replan"
    assert summary.parsed == 3 and 0 < summary.rendered < 100
    assert tree(tmp_path / "served") == cold(site, tmp_path / "cold")
    posts[0].write_text(posts[0].read_text().replace("tags: [", 'tags: ["new tag", ', 1))
    build_in_process(options, cache=cache)
    assert cache.planned is not planned, "a tag change should plan the site anew"
    assert tree(tmp_path / "served") == cold(site, tmp_path / "cold2")


def test_body_only_edits_between_builds_equal_cold_build(corpus: Path, tmp_path: Path) -> None:
    """A fresh process whose last build had the same shape fingerprints only the pages
    that show the edited posts; the result must still be the cold build's."""
    site, out = built_copy(corpus, tmp_path)
    posts = sorted((site / "content").rglob("*.md"))
    for round_ in range(2):
        for path in posts[round_ * 5:round_ * 5 + 3]:
            path.write_text(path.read_text() + f"\nRound {round_}: [see](../y/).\n")
        assert "(3 parsed," in build(site, out)
        assert tree(out) == cold(site, tmp_path / f"cold{round_}")


def test_a_new_version_of_sitegen_makes_every_page_again(tmp_path: Path) -> None:
    """Upgrading sitegen changes pages whose posts did not change (here: the label of a
    code block): the next build makes them again, cache or not."""
    site = make_site(tmp_path / "site", {"code.md": post(
        "Code", body="```python\nprint(1)\n```\n")})
    out = tmp_path / "public"
    build(site, out)
    page = next(out.rglob("code/index.html"))
    assert 'aria-label="Code: Python"' in page.read_text()
    newer = tmp_path / "newer"  # the next version: the same theme, other code
    for part in ("sitegen", "templates", "static"):
        shutil.copytree(ROOT / part, newer / part, ignore=shutil.ignore_patterns("__pycache__"))
    markup = newer / "sitegen" / "markup.py"
    markup.write_text(markup.read_text().replace('CODE_LABEL = "Code"', 'CODE_LABEL = "Kode"'))
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site),
                          "--out", str(out)], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(newer)}, cwd=newer)
    assert run.returncode == 0, run.stderr
    assert 'aria-label="Kode: Python"' in page.read_text()


def test_fingerprints_made_in_worker_processes_are_this_processs(corpus: Path) -> None:
    """A cold build fingerprints the pages in worker processes: the same fingerprints,
    and the same record of which pages show each post, as one process makes."""
    _, posts, plan = plan_site(Options(site_dir=corpus, use_cache=False))
    assert workers.spread(len(plan), 2) == 2
    one = shape.fingerprint(plan, "salt", posts, "key", shape.Shape(), {}, jobs=1)
    two = shape.fingerprint(plan, "salt", posts, "key", shape.Shape(), {}, jobs=2)
    assert one == two
    assert len(one[0]) == len(plan) and sum(map(len, one[1].uses.values())) > len(posts)
