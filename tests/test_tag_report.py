"""`sitegen tags` and `sitegen tags similar`, run as an author runs them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_site, post, sitegen

SMALL = {
    "a.md": post("A", "2025-01-02", "[SVG, Python]"),
    "b.md": post("B", "2025-03-01", "[svg, feeds]"),
    "c.md": post("C", "2025-03-04T23:30:00-08:00", "[svg]"),  # the site's zone: UTC, 5 Mar
    "d.md": post("D", "2025-05-06", "[feeds, hosting]"),
    "e.md": post("E", "2025-06-07", "[hosting, Python]", draft="true"),
}


def _rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()[1:]]


def test_tags_lists_counts_and_first_and_last_days_most_used_first(tmp_path: Path) -> None:
    run = sitegen("tags", "--source", make_site(tmp_path, SMALL))
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].split() == ["tag", "slug", "posts", "first", "last"]
    assert _rows(run.out) == [
        ["SVG", "svg", "3", "2025-01-02", "2025-03-05"],
        ["feeds", "feeds", "2", "2025-03-01", "2025-05-06"],
        ["hosting", "hosting", "1", "2025-05-06", "2025-05-06"],
        ["Python", "python", "1", "2025-01-02", "2025-01-02"],
    ]


def test_tags_sorted_by_name_and_with_drafts(tmp_path: Path) -> None:
    site = make_site(tmp_path, SMALL)
    run = sitegen("tags", "--source", site, "--sort", "name", "--drafts")
    assert run.code == 0, run.err
    assert [row[0] for row in _rows(run.out)] == ["feeds", "hosting", "Python", "SVG"]
    assert _rows(run.out)[2] == ["Python", "python", "2", "2025-01-02", "2025-06-07"]


def test_tags_takes_its_name_from_tags_toml(tmp_path: Path) -> None:
    site = make_site(tmp_path, SMALL)
    (site / "content" / "tags.toml").write_text('[svg]\nname = "Scalable graphics"\n')
    run = sitegen("tags", "--source", site)
    assert run.out.splitlines()[1].startswith("Scalable graphics  svg ")


def test_a_content_error_is_reported_as_the_build_reports_it(tmp_path: Path) -> None:
    site = make_site(tmp_path, {**SMALL, "bad.md": post("Bad", "tomorrow", "[svg]")})
    build = sitegen("build", "--source", site)
    run = sitegen("tags", "--source", site)
    assert run.code == build.code == 1
    assert run.out == ""
    error = [line for line in run.err.splitlines() if line.startswith("error:")]
    assert error and "content/bad.md" in error[0] and "tomorrow" in error[0]
    assert error[0] in build.err
    assert "Traceback" not in run.err
    # it builds nothing, so it does not speak of the output folder
    assert run.err.endswith("1 error(s) in the site; fix them and run the command again\n")


PLANTED = {
    "1.md": post("P1", "2025-01-01", "[LLMs, open-source, js, javascript, feed]"),
    "2.md": post("P2", "2025-01-02", "[LLMs, opensource, javascript, feeds]"),
    "3.md": post("P3", "2025-01-03", "[LLM, javasript, feeds, svg, python, kubernetes]"),
    "4.md": post("P4", "2025-01-04", "[LLMs, javascript, k8s, Kubernetes, hosting]"),
    "5.md": post("P5", "2025-01-05", "[python2, python3, css, C#, C++, c]"),
}


def test_similar_finds_every_planted_group_and_nothing_else(tmp_path: Path) -> None:
    run = sitegen("tags", "similar", "--source", make_site(tmp_path, PLANTED))
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "javascript (3), javasript (1), js (1)",  # one typo, an abbreviation
        "LLMs (3), LLM (1)",  # plural
        "feeds (2), feed (1)",
        "kubernetes (2), k8s (1)",  # as its oldest post wrote it
        "open-source (1), opensource (1)",  # punctuation
    ]


def test_similar_says_so_when_nothing_is_similar(tmp_path: Path) -> None:
    distinct = {
        "1.md": post("P1", "2025-01-01", "[svg, python, feeds, hosting, css]"),
        "2.md": post("P2", "2025-01-02", "[C, C++, C#, python3, python2, js, class]"),
        "3.md": post("P3", "2025-01-03", "[accessibility, typography, go, golang]"),
    }
    run = sitegen("tags", "--source", make_site(tmp_path, distinct), "similar")
    assert run.code == 0, run.err
    assert run.out.splitlines() == ["No similar tags found."]
