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
    assert '<code class="short">&quot;a&quot; -- b</code>' in html


def test_short_inline_code_is_marked_to_stay_on_one_line() -> None:
    html, _ = markup.render(f"`git status`, `{'x ' * 15}` and `code`", "t")
    assert html == (f'<p><code class="short">git status</code>, <code>{"x " * 15}</code> '
                    'and <code>code</code></p>\n')


@pytest.mark.parametrize("lang", ["svg", "html", "js", "ts", "sh", "shell", "console", "py",
                                  "yml", "python", "javascript", "toml", "css"])
def test_common_languages_are_highlighted(lang: str) -> None:
    code = "<b>x</b>" if lang in ("svg", "html") else "x = 1"
    html, warnings = markup.render(f"```{lang}\n{code}\n```\n", "t")
    assert f'<div class="highlight highlight-{lang}"><pre tabindex="0" role="group" ' in html
    assert '<code><span' in html
    assert warnings == ()


@pytest.mark.parametrize(("source", "label"), [
    ("```python\nx = 1\n```\n", "Code: Python"),
    ("```svg\n<svg/>\n```\n", "Code: SVG"),
    ("```\nplain\n```\n", "Code"),
    ("```nope\nx\n```\n", "Code"),
    ("Text:\n\n    indented\n", "Code"),
])
def test_every_code_block_is_a_named_focusable_group(source: str, label: str) -> None:
    """A keyboard can scroll a code block that is cut, and a screen reader names it."""
    html, _ = markup.render(source, "t")
    assert f'<pre tabindex="0" role="group" aria-label="{label}"><code>' in html


def test_footnotes_have_a_heading() -> None:
    html, _ = markup.render("A[^1]\n\n[^1]: B\n", "t")
    assert ('<section class="footnotes">\n<h2 class="visually-hidden">Footnotes</h2>\n'
            '<ol class="footnotes-list">') in html


def test_unknown_language_is_escaped_with_one_warning() -> None:
    html, warnings = markup.render("```nope\n<b>\n```\n\n```nope\n&\n```\n", "t")
    assert "&lt;b&gt;" in html and "&amp;" in html
    assert warnings == ("unknown code language 'nope'; shown as plain text",)


def test_footnote_ids_carry_the_post() -> None:
    html, _ = markup.render("A[^1]\n\n[^1]: B\n", "my-post")
    assert 'id="fn-my-post-1"' in html


def test_stylesheet_has_light_and_dark() -> None:
    css = markup.stylesheet()
    assert "@media (prefers-color-scheme: light), print {\n.highlight ." in css
    assert "@media screen and (prefers-color-scheme: dark) {\n.highlight ." in css
