"""Markdown cases as data: tests/fixtures/markup/NAME.md → NAME.html (as markdown-it-py does).

Refresh expected files after an intended change with SITEGEN_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os

import pytest

from sitegen import markup
from tests.conftest import FIXTURES

CASES = sorted(p.stem for p in (FIXTURES / "markup").glob("*.md"))


@pytest.mark.parametrize("case", CASES)
def test_markdown_case(case: str) -> None:
    source = (FIXTURES / "markup" / f"{case}.md").read_text(encoding="utf-8")
    expected_file = FIXTURES / "markup" / f"{case}.html"
    html, _warnings = markup.render(source, case)
    if os.environ.get("SITEGEN_UPDATE_GOLDEN"):
        expected_file.write_text(html, encoding="utf-8")
    assert html == expected_file.read_text(encoding="utf-8")


def test_typography_applies_outside_code_only() -> None:
    html, _ = markup.render('"Hi" -- there `"a" -- b`', "t")
    assert "“Hi” – there" in html
    assert "<code>&quot;a&quot; -- b</code>" in html


@pytest.mark.parametrize("lang", ["svg", "html", "js", "ts", "sh", "shell", "console", "py",
                                  "yml", "python", "javascript", "toml", "css"])
def test_common_languages_are_highlighted(lang: str) -> None:
    code = "<b>x</b>" if lang in ("svg", "html") else "x = 1"
    html, warnings = markup.render(f"```{lang}\n{code}\n```\n", "t")
    assert f'<div class="highlight highlight-{lang}"><pre><code><span' in html
    assert warnings == ()


def test_unknown_language_is_escaped_with_one_warning() -> None:
    html, warnings = markup.render("```nope\n<b>\n```\n\n```nope\n&\n```\n", "t")
    assert "&lt;b&gt;" in html and "&amp;" in html
    assert warnings == ("unknown code language 'nope'; shown as plain text",)


def test_footnote_ids_carry_the_post() -> None:
    html, _ = markup.render("A[^1]\n\n[^1]: B\n", "my-post")
    assert 'id="fn-my-post-1"' in html


def test_stylesheet_has_light_and_dark() -> None:
    css = markup.stylesheet()
    assert ".highlight" in css and "@media (prefers-color-scheme: dark)" in css
