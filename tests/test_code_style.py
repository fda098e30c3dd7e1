"""Code as a reader sees it: every token colour at least 4.5:1 on the code background,
in light and dark; one background for inline and block code; a block that scrolls
reachable by keyboard, named, and showing where it is cut; short inline code unbroken.

The contrast is computed here from WCAG's formulas, not with sitegen's own, so that a
mistake in one does not hide in the other. The browser tests use Debian's Chromium
through the fixtures of test_serve.py (they skip without it, except under CI=true).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygments.formatters import HtmlFormatter

from sitegen import codestyle, markup
from tests.conftest import ROOT, serving, sitegen
from tests.test_search_page import Quiet
from tests.test_serve import browser

__all__ = ["browser"]  # a fixture, used by name

THEME_CSS = ROOT / "static" / "style.css"
SCHEMES = {"light": "(prefers-color-scheme: light)", "dark": "(prefers-color-scheme: dark)"}
GOLDEN_GATE = "2026/Jan/24/golden-gate-in-svg/"
PYGMENTS = "2025/Feb/16/pygments-at-build-time/"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def media_block(css: str, query: str) -> str:
    """The rules inside the `@media` block whose condition holds `query`."""
    start = css.index("{", css.index(query)) + 1
    depth, end = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        end += 1
    return css[start:end - 1]


def too_faint(rules_css: str, background: str) -> list[str]:
    """Every colour the rules set that has less than 4.5:1 with what it sits on: the
    token's own background if it sets one, else the block's."""
    failures = []
    for selectors, body in RULE.findall(re.sub(r"/\*.*?\*/", "", rules_css, flags=re.S)):
        declared = dict(part.split(":", 1) for part in body.split(";") if ":" in part)
        declared = {name.strip(): value.strip() for name, value in declared.items()}
        under = declared.get("background-color", declared.get("background", background))
        under = under if COLOUR.fullmatch(under) else background
        for name, value in declared.items():
            for colour in COLOUR.findall(value) if not name.startswith("background") else ():
                if ratio(colour, under) < 4.5:
                    failures.append(f"{selectors.strip()} {name}: {colour} on {under} "
                                    f"is {ratio(colour, under):.2f}:1")
    return failures


def code_backgrounds() -> dict[str, str]:
    """The theme's --code-bg, light (the first) and dark (the second)."""
    light, dark = re.findall(r"--code-bg:\s*(#[0-9a-fA-F]+)", THEME_CSS.read_text("utf-8"))
    return {"light": light, "dark": dark}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_token_colour_reads_on_the_code_background(scheme: str) -> None:
    rules = media_block(markup.stylesheet(), SCHEMES[scheme])
    assert len(RULE.findall(rules)) > 10
    assert too_faint(rules, code_backgrounds()[scheme]) == []


def test_colours_are_made_for_the_theme_code_background() -> None:
    """The generator measures against the same --code-bg the theme paints."""
    assert code_backgrounds() == {"light": codestyle.LIGHT_BACKGROUND,
                                  "dark": codestyle.DARK_BACKGROUND}


def test_the_check_fails_pygments_friendly_as_shipped() -> None:
    """The check above can fail: Pygments' own 'friendly', on its own background, has
    the faint comments and numbers the audit found."""
    shipped = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    failures = too_faint(shipped, "#f0f0f0")
    assert any(".highlight .c " in f and "2.58:1" in f for f in failures)
    assert any(".highlight .mi " in f and "#40a070" in f.lower() and "2.84:1" in f
               for f in failures)
    assert len(failures) >= 20


def test_the_theme_stylesheet_carries_the_token_colours() -> None:
    """The theme loads one stylesheet; the generated rules are kept in it, as generated.
    Refresh after a change of style with SITEGEN_UPDATE_GOLDEN=1."""
    css = THEME_CSS.read_text(encoding="utf-8")
    start = css.index(codestyle.BEGIN_MARK)
    end = css.index(codestyle.END_MARK) + len(codestyle.END_MARK) + 1
    if os.environ.get("SITEGEN_UPDATE_GOLDEN"):
        css = css[:start] + codestyle.stylesheet() + css[end:]
        THEME_CSS.write_text(css, encoding="utf-8")
    assert css[start:end] == codestyle.stylesheet()


def test_no_page_links_a_second_stylesheet(demo_site: Path) -> None:
    for page in (GOLDEN_GATE, PYGMENTS, ""):
        html = (demo_site / page / "index.html").read_text(encoding="utf-8")
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/style.css"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site built for, and served at, a local origin: yields its URL."""
    out = tmp_path_factory.mktemp("code") / "public"
    out.mkdir()
    with serving(functools.partial(Quiet, directory=str(out))) as origin:
        run = sitegen("build", "--source", ROOT, "--out", out, "--no-cache",
                      "--base-url", origin + "/")
        assert run.code == 0, run.err
        yield origin + "/"


def open_page(browser: Any, url: str, width: int, scheme: str = "light") -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    return page


@pytest.mark.parametrize("scheme", SCHEMES)
def test_inline_and_block_code_share_one_background(browser: Any, site: str,
                                                    scheme: str) -> None:
    page = open_page(browser, site + GOLDEN_GATE, 1280, scheme)
    inline = page.eval_on_selector("p > code", "e => getComputedStyle(e).backgroundColor")
    block = page.eval_on_selector(".highlight pre", "e => getComputedStyle(e).backgroundColor")
    red, green, blue = (int(code_backgrounds()[scheme][i:i + 2], 16) for i in (1, 3, 5))
    assert inline == block == f"rgb({red}, {green}, {blue})"
    page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_cut_code_block_is_reached_by_keyboard_and_scrolled(browser: Any, site: str,
                                                              scheme: str) -> None:
    page = open_page(browser, site + GOLDEN_GATE, 390, scheme)
    block = page.locator(".highlight pre").first
    assert block.evaluate("e => e.scrollWidth > e.clientWidth")  # cut at 390 px
    assert block.get_attribute("aria-label") == "Code: Python"
    page.locator(".highlight").first.locator("xpath=preceding-sibling::p[1]").click(
        position={"x": 1, "y": 1})  # the text just before the block
    for _ in range(40):
        page.keyboard.press("Tab")
        if block.evaluate("e => e === document.activeElement"):
            break
    assert block.evaluate("e => e.matches(':focus-visible')")
    ring = block.evaluate("e => [getComputedStyle(e).outlineStyle, "
                          "parseFloat(getComputedStyle(e).outlineWidth)]")
    assert ring[0] == "solid" and ring[1] >= 2
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=block.element_handle())
    page.context.close()


def test_every_code_block_is_named_and_focusable(demo_site: Path) -> None:
    blocks = 0
    for file in demo_site.rglob("index.html"):
        for tag in re.findall(r"<pre\b[^>]*>", file.read_text(encoding="utf-8")):
            blocks += 1
            assert 'tabindex="0"' in tag and 'aria-label="Code' in tag, (file, tag)
    assert blocks > 10


LONG_CODE = "https://example.org/a/path/far/too/long/for/one/line/of/a/phone/screen"


def test_short_inline_code_stays_on_one_line_and_long_code_fits(browser: Any,
                                                                site: str) -> None:
    """A paragraph of short pieces with spaces (each could break at them) and one long
    piece, as the Markdown renderer writes them, in a post's body at 390 px."""
    page = open_page(browser, site + GOLDEN_GATE, 390)
    text = " ".join(f"Then{' so' * (n % 6)} run `git status -s {n}`." for n in range(30))
    html, _ = markup.render(f"{text} Last, `{LONG_CODE}`.", "t")
    page.eval_on_selector(".body", "(body, html) => body.insertAdjacentHTML('beforeend', html)",
                          html.replace("<p>", "<p id='t'>"))
    shown = page.eval_on_selector_all(
        "#t code", "all => all.map(e => [e.textContent, e.getClientRects().length === 1 && "
        "e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize), "
        "e.getBoundingClientRect().right])")
    assert [text for text, one_line, _ in shown if not one_line] == [LONG_CODE]
    assert all(right <= 390 for _, _, right in shown)
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.context.close()
