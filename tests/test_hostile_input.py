"""Hostile input: file names that are not UTF-8, Markdown nested thousands of levels
deep, control characters hidden in front matter. Never a traceback, never silent loss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen import markup
from tests.conftest import Run, sitegen, tree

GOOD = "---\ntitle: Good\ndate: 2025-01-01\ntags: [a]\n---\nHello\n"
BAD_NAME = os.fsdecode(b"bad\xff")  # a name that is not UTF-8, as Python sees it


def built_site(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A valid site, built once: the folder and its output."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (site / "content" / "good.md").write_text(GOOD)
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    return site, tree(site / "public")


def post(site: Path, body: str, front: str = "") -> None:
    text = f"---\ntitle: Deep\ndate: 2025-01-02\n{front}---\n{body}"
    (site / "content" / "p.md").write_text(text, encoding="utf-8")


def assert_refused(run: Run, site: Path, before: dict[str, bytes], *lines: str) -> None:
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    for line in lines:
        assert line in run.err
    assert tree(site / "public") == before


@pytest.mark.parametrize("where", ["content/{}.md", "content/{}.png", "static/{}.css",
                                   "root/{}.txt", "content/{}/p.md"])
def test_a_name_that_is_not_utf8_is_an_error(tmp_path: Path, where: str) -> None:
    site, before = built_site(tmp_path)
    path = site / where.format(BAD_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD)
    run = sitegen("build", "--source", site)
    shown = where.format("bad\\xff").split("/p.md")[0]
    assert_refused(run, site, before, f"error: {shown}: its name is not valid UTF-8",
                   "rename it")


def test_every_name_that_is_not_utf8_is_reported_at_once(tmp_path: Path) -> None:
    site, before = built_site(tmp_path)
    for name in (f"{BAD_NAME}.md", f"{BAD_NAME}.png", f"x{BAD_NAME}.md"):
        (site / "content" / name).write_text(GOOD)
    run = sitegen("build", "--source", site)
    assert_refused(run, site, before, "content/bad\\xff.md:", "content/bad\\xff.png:",
                   "content/xbad\\xff.md:", "3 error(s)")


def test_static_and_root_names_are_reported_together(tmp_path: Path) -> None:
    site, before = built_site(tmp_path)
    for folder in ("static", "root"):
        (site / folder).mkdir()
        (site / folder / f"{BAD_NAME}.css").write_text("x")
    run = sitegen("build", "--source", site)
    assert_refused(run, site, before, "static/bad\\xff.css:", "root/bad\\xff.css:")


def test_static_and_root_files_leading_out_of_the_site_are_refused(tmp_path: Path) -> None:
    """As under content/: a symlink in static/ or root/ (to a file, or a linked root/
    folder) must not publish a private file from elsewhere on the machine."""
    site, before = built_site(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("private\n")
    (site / "static").mkdir()
    (site / "static" / "s.txt").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "CNAME").write_text("blog.example.org\n")
    (site / "root").symlink_to(elsewhere)
    run = sitegen("build", "--source", site)
    assert_refused(run, site, before, "static/s.txt: is a symlink to", "root/CNAME: is a "
                   "symlink to", "outside the site folder")
    (site / "static" / "s.txt").unlink()
    (site / "static" / "s.txt").symlink_to(site / "content" / "good.md")  # inside: fine
    (site / "root").unlink()
    assert sitegen("build", "--source", site).code == 0


NESTED_LIST = "".join("  " * i + f"- item{i}\n" for i in range(12))


def test_twelve_nested_list_items_all_show(tmp_path: Path) -> None:
    site, _ = built_site(tmp_path)
    post(site, NESTED_LIST)
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    page = (site / "public" / "2025" / "Jan" / "2" / "p" / "index.html").read_text()
    assert all(f"item{i}" in page for i in range(12))
    assert "nested deeper" not in run.err


def test_ten_thousand_quotes_deep_keep_their_text() -> None:
    html, warnings = markup.render(">" * 90 + " deep\n", "t")
    assert "deep" in html and not warnings
    html, warnings = markup.render(">" * 10_000 + " deep\n", "t", first_line=7)
    assert "deep" not in html
    assert warnings == (f"line 7: nested deeper than {markup.BLOCK_DEPTH} levels (quotes or "
                        "lists): the text below that depth is left out; flatten it",)


@pytest.mark.parametrize("body", [">" * 100_000 + " deep\n", "- " * 100_000 + "deep\n",
                                  "> - " * 50_000 + "deep\n"])
def test_a_body_100000_levels_deep_warns_and_builds(tmp_path: Path, body: str) -> None:
    site, _ = built_site(tmp_path)
    post(site, "Intro\n\n" + body, front="description: d\n")
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert "warning: content/p.md:8: nested deeper than 100 levels" in run.err
    assert sitegen("build", "--source", site, "--strict").code == 1


def test_deep_inline_markup_stays_text() -> None:
    html, warnings = markup.render("![" * 30 + "deep" + "](u)" * 30 + "\n", "t")
    assert "deep" in html and not warnings


@pytest.mark.parametrize(("field", "value", "line"), [("title", r'"X\0Y"', 2),
                                                     ("description", r'"a\x01b"', 4),
                                                     ("link_title", r'"\x7f\x08"', 4)])
def test_a_control_character_in_a_field_warns(tmp_path: Path, field: str, value: str,
                                              line: int) -> None:
    site, _ = built_site(tmp_path)
    front = f"{field}: {value}\n" if field != "title" else ""
    text = (f"---\ntitle: {value if field == 'title' else 'T'}\ndate: 2025-01-02\n"
            f"{front}---\nBody\n")
    (site / "content" / "p.md").write_text(text)
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    assert (f"warning: content/p.md:{line}: removed control characters (such as "
            f"U+00") in run.err
    assert f"from '{field}' that XML forbids" in run.err


def test_a_control_character_in_body_and_title_warn_alike(tmp_path: Path) -> None:
    site, _ = built_site(tmp_path)
    (site / "content" / "p.md").write_text('---\ntitle: "X\\0Y"\ndate: 2025-01-02\n---\n'
                                           "One\n\x07two\n")
    run = sitegen("build", "--source", site)
    assert "content/p.md:2: removed control characters (such as U+0000) from 'title'" \
        in run.err
    assert "content/p.md:6: removed control characters (such as U+0007) that" in run.err
    page = (site / "public" / "2025" / "Jan" / "2" / "p" / "index.html").read_text()
    assert "XY" in page and "\x00" not in page
