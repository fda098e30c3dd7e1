"""`sitegen import bookmarks`: the Netscape bookmark file and Pinboard's JSON export."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import FIXTURES, sitegen

BOOKMARKS = FIXTURES / "import" / "bookmarks"


def _import(source: Path, into: Path) -> str:
    run = sitegen("import", "bookmarks", source, "--into", into)
    assert run.code == 0, run.err
    return run.out


def _posts(site: Path) -> dict[str, tuple[dict[str, object], str]]:
    found = {}
    for path in sorted((site / "content").rglob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        found[path.relative_to(site / "content").as_posix()] = (yaml.safe_load(head), body)
    return found


def _build_and_check(site: Path) -> Path:
    built = sitegen("build", "--source", site)
    assert built.code == 0, built.err
    checked = sitegen("check", "--source", site)
    assert checked.code == 0, checked.out + checked.err
    assert "no problems" in checked.out
    return site / "public"


def test_netscape_bookmark_file(tmp_path: Path) -> None:
    site = tmp_path / "links"
    out = _import(BOOKMARKS / "bookmarks.html", site)
    assert "4 written (1 drafts, 0 pages)" in out
    assert "bookmarks.html:17: bookmark left out, its link is not http(s)" in out
    assert "bookmarks.html:18: bookmark left out, it has no date" in out
    posts = _posts(site)
    assert set(posts) == {"2024/practical-typography-you.md", "2024/my-private-diary.md",
                          "2024/untitled-page.md", "2024/untitled-page-2.md"}
    meta, body = posts["2024/practical-typography-you.md"]
    assert meta == {"title": "Practical Typography & You", "date": "2024-01-01T10:00:00+00:00",
                    "slug": "practical-typography-you", "tags": ["typography", "design"],
                    "link_url": "https://example.com/typography"}
    assert body == "Short, clear rules.\nWorth a second read.\n"
    assert posts["2024/my-private-diary.md"][0]["draft"] is True
    first, second = posts["2024/untitled-page.md"][0], posts["2024/untitled-page-2.md"][0]
    assert first["date"] == "2024-01-03T10:00:00+00:00"  # ADD_DATE in milliseconds
    assert (first["slug"], second["slug"]) == ("untitled-page", "untitled-page-2")
    public = _build_and_check(site)
    page = (public / "2024/Jan/3/untitled-page-2/index.html").read_text()
    assert "\\#" not in page and "# not a heading" in page and "&lt;b&gt;not bold" in page
    assert (public / "2024/Jan/1/practical-typography-you/index.html").is_file()
    assert not (public / "2024/Jan/2").exists()  # the private one is a draft
    assert (public / "tags/typography.atom").is_file()
    again = _import(BOOKMARKS / "bookmarks.html", site)
    assert "0 written (0 drafts, 0 pages), 4 already there" in again
    assert _posts(site) == posts


def test_pinboard_json(tmp_path: Path) -> None:
    site = tmp_path / "pins"
    out = _import(BOOKMARKS / "pinboard.json", site)
    assert "3 written (1 drafts, 0 pages)" in out
    assert "field dropped: toread in 2 posts" in out
    posts = _posts(site)
    meta, body = posts["2024/a-guide-to-svg-paths.md"]
    assert meta["tags"] == ["svg", "graphics"]
    assert meta["date"] == "2024-02-10T08:30:00+00:00"
    assert meta["link_url"] == "https://example.com/svg-guide"
    assert body == "Covers arcs, which I never understood.\n"
    assert posts["2024/salary-survey.md"][0]["draft"] is True
    public = _build_and_check(site)
    assert (public / "2024/Feb/10/a-guide-to-svg-paths/index.html").is_file()
    assert (public / "tags/graphics/index.html").is_file()
    assert not (public / "tags/work").exists()
    assert "0 written" in _import(BOOKMARKS / "pinboard.json", site)


def test_not_bookmarks(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("just some text\n")
    run = sitegen("import", "bookmarks", tmp_path / "notes.txt", "--into", tmp_path / "s")
    assert run.code == 1 and "holds no bookmarks" in run.err
    (tmp_path / "broken.json").write_text('[{"href": ]')
    run = sitegen("import", "bookmarks", tmp_path / "broken.json", "--into", tmp_path / "s")
    assert run.code == 1 and "broken.json:1: not valid JSON" in run.err
    assert "Traceback" not in run.err and not (tmp_path / "s").exists()
