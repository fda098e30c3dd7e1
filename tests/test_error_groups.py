"""Every problem of every file in one run, and problems of one kind reported together
with a count and a few places, as a migrating author meets them (298 files with
'layout:' are one line, not 298)."""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path

from sitegen.cli import report_errors
from sitegen.errors import BuildErrors, ContentError, SiteError, grouped
from sitegen.watch import Status
from tests.conftest import make_site, post, sitegen

LAYOUT = ("unknown front matter field 'layout'; remove it, or declare it in site.toml "
          "[content.fields] (known fields: title, date, updated, tags, kind, slug, draft, "
          "aliases, description, link_url, link_title, via_url, via_title, source, "
          "source_url, context, image, nav)")


def jekyll_post(title: str, **fields: str) -> str:
    return post(title, layout="post", **fields)


def test_one_post_reports_every_problem(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"x.md": (
        "---\ntitle: X\ndate: '2019-09-29 T18:00:00-07:00'\ntags: [ok, 'a/../b']\n"
        "subtitle: More\nlayout: post\n---\nBody.\n")})
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 1
    assert run.err.splitlines() == [
        "error: content/x.md:3: date: '2019-09-29 T18:00:00-07:00' is not a date: there is "
        "a space before 'T'; write '2019-09-29T18:00:00-07:00'",
        "error: content/x.md:4: tag 'a/../b' looks like a file path; tags are names such as "
        "'svg' or 'C++'",
        "error: content/x.md:5: unknown front matter field 'subtitle'; remove it, or declare "
        "it in site.toml [content.fields] (known fields: title, date, updated, tags, kind, "
        "slug, draft, aliases, description, link_url, link_title, via_url, via_title, "
        "source, source_url, context, image, nav)",
        f"error: content/x.md:6: {LAYOUT}",
        "build failed with 4 error(s); the output folder was left as it was"]


def test_errors_of_one_kind_are_grouped_with_a_count(tmp_path: Path) -> None:
    posts = {f"{name}.md": jekyll_post(name.title()) for name in "abcde"}
    posts["f.md"] = post("F", categories="[x]")
    posts["g.md"] = post("G", categories="[y]")
    posts["h.md"] = post("H", "tomorrow")
    site = make_site(tmp_path / "site", posts)
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 1
    assert run.err.splitlines() == [
        f"error: 5 files: {LAYOUT}",
        "  content/a.md:5, content/b.md:5, content/c.md:5, … and 2 more",
        "error: 2 files: unknown front matter field 'categories'; remove it, or declare it "
        "in site.toml [content.fields] (known fields: title, date, updated, tags, kind, "
        "slug, draft, aliases, description, link_url, link_title, via_url, via_title, "
        "source, source_url, context, image, nav)",
        "  content/f.md:5, content/g.md:5",
        "error: content/h.md:3: date: 'tomorrow' is not a date: write ISO 8601 such as "
        "'2025-11-22' or '2025-11-22T14:30:00+01:00'",
        "build failed with 8 error(s); the output folder was left as it was"]


def test_groups_survive_worker_processes(tmp_path: Path) -> None:
    """Enough posts that the build parses them in worker processes: the errors' kinds
    cross the process boundary, and the cache keeps no broken post."""
    posts = {f"p{n:03}.md": jekyll_post(f"Post {n}") for n in range(298)}
    posts["missing.md"] = "---\ntitle: No date\n---\nText\n"
    site = make_site(tmp_path / "site", posts)
    for _ in range(2):  # the second run reads the first run's cache
        run = sitegen("build", "--source", site, "--jobs", "2")
        assert run.code == 1
        lines = run.err.splitlines()
        assert lines[0].startswith("error: content/missing.md:1: 'date' is missing")
        assert lines[1:3] == [
            f"error: 298 files: {LAYOUT}",
            "  content/p000.md:5, content/p001.md:5, content/p002.md:5, … and 295 more"]
        assert run.err.splitlines()[-1] == ("build failed with 299 error(s); the output "
                                            "folder was left as it was")


def test_a_kind_met_twice_in_one_file_counts_places(tmp_path: Path) -> None:
    errors = [ContentError("content/a.md", 2, "m", kind="k"),
              ContentError("content/a.md", 3, "m", kind="k"),
              ContentError("content/b.md", 2, "m", kind="k")]
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    log = logging.getLogger("sitegen")
    handler = Keep()
    log.addHandler(handler)
    try:
        assert report_errors(BuildErrors(errors)) == 1
    finally:
        log.removeHandler(handler)
    assert records[0] == "error: 3 places in 2 files: k\n  content/a.md:2, content/a.md:3, " \
                         "content/b.md:2"


def test_grouping_is_by_kind_not_by_message() -> None:
    errors = [ContentError("content/a.md", 1, "same words"),
              ContentError("content/b.md", 1, "same words"),
              ContentError("content/c.md", 4, "x at 4", kind="x"),
              ContentError("content/d.md", 9, "x at 9", kind="x")]
    assert [[e.path for e in g] for g in grouped(errors)] == [
        ["content/a.md"], ["content/b.md"], ["content/c.md", "content/d.md"]]


def test_kind_survives_pickling() -> None:
    errors = BuildErrors([ContentError("content/a.md", 3, "x", kind="k"),
                          ContentError("content/b.md", None, "y")])
    again = pickle.loads(pickle.dumps(errors))
    assert [(e.path, e.line, e.message, e.kind) for e in again.errors] == [
        ("content/a.md", 3, "x", "k"), ("content/b.md", None, "y", None)]
    assert type(again.errors[0]) is ContentError
    single = pickle.loads(pickle.dumps(SiteError("site.toml", 2, "z", kind="q")))
    assert (str(single), single.kind) == ("site.toml:2: z", "q")


def test_the_dev_server_still_shows_each_error() -> None:
    status = Status(errors=(ContentError("content/a.md", 3, "bad", kind="bad"),))
    assert json.loads(status.to_json())["errors"] == [
        {"path": "content/a.md", "line": 3, "message": "bad"}]
