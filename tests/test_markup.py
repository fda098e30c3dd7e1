"""Markdown cases as data: tests/fixtures/markup/NAME.md → NAME.html (as markdown-it-py does).

Refresh expected files after an intended change with SITEGEN_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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


REUSED_TEXT = ("```python\ndef f(x):\n    return x < 1 and 'a' or \"b\"\n```\n\n"
               "```svg\n<svg viewBox=\"0 0 1 1\"><path d=\"M0 0\"/></svg>\n```\n\n"
               "```c++\nint main() { return 0; }\n```\n\n```nope\n<&>\n```\n")


@pytest.fixture
def reuse_cleared() -> Iterator[None]:
    markup._REUSED.clear()
    yield
    markup._REUSED.clear()


def test_code_rendered_before_is_taken_again_as_it_was(
        reuse_cleared: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post rendered again after an edit to its words takes its code blocks from its
    last version (a fresh process then compiles no lexer); the HTML and the warnings
    are those of highlighting them again."""
    before, _ = markup.render(REUSED_TEXT, "t")
    edited = f"Words added.\n\n{REUSED_TEXT}"
    expected = markup.render(edited, "t")
    markup.reuse_highlighting([before])
    lexed: list[str] = []
    real = markup._highlighted
    monkeypatch.setattr(markup, "_highlighted",
                        lambda code, lexer: lexed.append(lexer.name) or real(code, lexer))
    assert markup.render(edited, "t") == expected
    assert lexed == []  # python, svg and c++ taken again; 'nope' warns as before
    assert expected[1] == ("unknown code language 'nope'; shown as plain text",)


def test_code_in_another_language_of_the_same_class_is_highlighted_for_itself(
        reuse_cleared: None) -> None:
    """'c' and 'c++' blocks share the class highlight-c: the lexer's name tells them."""
    markup.reuse_highlighting([markup.render("```c++\nint main() { return 0; }\n```\n", "t")[0]])
    text = "```c\nint main() { return 0; }\n```\n"
    html, _ = markup.render(text, "t")
    markup._REUSED.clear()
    assert html == markup.render(text, "t")[0] and 'aria-label="Code: C"' in html


def test_other_code_is_highlighted_again(reuse_cleared: None) -> None:
    markup.reuse_highlighting([markup.render(REUSED_TEXT, "t")[0]])
    text = REUSED_TEXT.replace("return 0", "return 1").replace("x < 1", "x > 1")
    html, _ = markup.render(text, "t")
    markup._REUSED.clear()
    assert html == markup.render(text, "t")[0] and "return</span> <span" in html
