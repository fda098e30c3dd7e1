"""Heading ids as GitHub and Hugo make them, unique on every page that shows them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from sitegen import markup
from tests.conftest import make_site, post, sitegen


def ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]*)"', html)


@pytest.mark.parametrize(("heading", "expected"), [
    ("That's it", "thats-it"),
    ("Step 6 - Simplify", "step-6---simplify"),
    ("Step 7 -- Simplify", "step-7----simplify"),  # from the text as written, not the dash
    ('"Quoted" words', "quoted-words"),
    ("Café *au* `lait`", "café-au-lait"),
    ("日本語の見出し", "日本語の見出し"),
    ("C++ & C#: snake_case", "c--c-snake_case"),
    ("[A link](https://example.org/) here", "a-link-here"),
    ("1. Dates without a zone", "1-dates-without-a-zone"),
    ("???", "section"),
])
def test_heading_id_is_githubs(heading: str, expected: str) -> None:
    html, warnings = markup.render(f"## {heading}\n", "post")
    assert ids(html) == [expected]
    assert warnings == ()


def test_repeated_headings_are_numbered_as_github_does() -> None:
    html, _ = markup.render("## Notes\n\n## Notes\n\n### Notes\n", "post")
    assert ids(html) == ["notes", "notes-1", "notes-2"]


def test_explicit_id_is_used_and_removed_from_the_text() -> None:
    html, _ = markup.render("## Heading {#my-id}\n\n## `code` heading { #other }\n", "post")
    assert '<h2 id="my-id">Heading</h2>' in html
    assert '<h2 id="other"><code>code</code> heading</h2>' in html
    assert "{#" not in html and "{ #" not in html


def test_explicit_ids_are_taken_before_generated_ones() -> None:
    html, _ = markup.render("## Intro\n\n## Later {#intro}\n", "post")
    assert ids(html) == ["intro-1", "intro"]


def test_an_explicit_id_given_twice_warns() -> None:
    _html, warnings = markup.render("## A {#same}\n\n## B {#same}\n\n## C {#main}\n", "post",
                                    first_line=5)
    assert warnings == ("line 7: heading id 'same' is used twice on the page; "
                        "give the heading another {#id}",
                        "line 9: heading id 'main' is the theme's own; "
                        "give the heading another {#id}")


def test_the_themes_own_ids_are_never_taken() -> None:
    html, _ = markup.render("## Main\n", "post")
    assert ids(html) == ["main-1"]


def test_footnote_ids_still_carry_the_post() -> None:
    html, _ = markup.render("## Notes\n\nA[^1]\n\n[^1]: B\n", "my-post")
    assert ids(html) == ["notes", "fnref-my-post-1", "fn-my-post-1"]


def test_list_pages_scope_heading_ids_by_post() -> None:
    html, _ = markup.render("See [notes](#notes).\n\n## Notes\n\nOut [there](https://x.org/#notes)",
                            "a")
    scoped = markup.scope_heading_ids(html, "first-")
    assert ids(scoped) == ["first-notes"]
    assert 'href="#first-notes"' in scoped
    assert 'href="https://x.org/#notes"' in scoped


def note(date: str, body: str) -> str:
    return f"---\ndate: {date}\nkind: note\n---\n{body}\n"


def test_pages_have_unique_ids_and_old_anchors_land(tmp_path: Path) -> None:
    body = "Jump to [it](#thats-it).\n\n## That's it\n\n## Notes\n\nA note[^1].\n\n[^1]: Aside."
    site = make_site(tmp_path / "site", {
        "one.md": note("2025-01-01", body),
        "two.md": note("2025-01-02", body),
        "essay.md": post("Essay", "2025-01-03",
                         body="[Step six](/2025/Jan/1/one/#thats-it)\n\n## Step 6 - Simplify"),
    })
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.err
    out = site / "public"
    page = (out / "2025/Jan/1/one/index.html").read_text(encoding="utf-8")
    assert '<h2 id="thats-it">That’s it</h2>' in page and 'href="#thats-it"' in page
    assert 'id="step-6---simplify"' in (out / "2025/Jan/3/essay/index.html").read_text()
    for listing in ("index.html", "2025/Jan/index.html"):
        found = ids((out / listing).read_text(encoding="utf-8"))
        assert [i for i, n in Counter(found).items() if n > 1] == [], listing
        assert {"one-thats-it", "two-thats-it", "one-notes", "two-notes"} <= set(found)
