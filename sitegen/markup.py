"""Markdown → HTML, with code highlighted by Pygments at build time."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from typing import Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Names Pygments does not know but authors write.
LEXER_ALIASES = {"svg": "xml", "htm": "html", "jsx": "javascript", "tsx": "typescript",
                 "zsh": "bash", "yml": "yaml", "jinja2": "jinja", "md": "markdown",
                 "plain": "text", "txt": "text", "sh-session": "console"}

FORMATTER = HtmlFormatter(nowrap=True)

# Text that linkify-it's pretest could match has a scheme's ':' or '//', an '@', 'www.',
# 'localhost', or a '.' right before a letter or digit (a TLD, an IP address).
MAY_LINK = re.compile(r"[:/@]|\.\w|www\.|localhost", re.IGNORECASE)

# Blocks (quotes, lists) nest up to this many levels; what lies deeper is left out with
# a warning. Parsing recurses about twice per level: 100 stays far from Python's limit.
BLOCK_DEPTH = 100
# Inline markup (links in images…) nests up to markdown-it's own default; deeper, it is
# shown as text. A higher limit makes hostile bodies much slower to parse.
INLINE_DEPTH = 20


def render(text: str, doc_id: str, first_line: int = 1) -> tuple[str, tuple[str, ...]]:
    """Render Markdown; return the HTML and the warnings it raised (unknown languages,
    blocks nested too deep).

    `doc_id` prefixes footnote ids, so that two posts on one page never share an id.
    `first_line`: the text's first line in its file, for the line numbers of warnings.
    """
    env: dict[str, Any] = {"warnings": [], "docId": doc_id}
    body = _parser().render(text, env)
    if "too_deep" in env:
        env["warnings"].append(
            f"line {env['too_deep'] + first_line}: nested deeper than {BLOCK_DEPTH} levels "
            "(quotes or lists): the text below that depth is left out; flatten it")
    return body, tuple(dict.fromkeys(env["warnings"]))


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "linkify": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes", "linkify"])
    # Deeper than markdown-it's own check: ours, first in each ruler, acts before it.
    md.options["maxNesting"] = BLOCK_DEPTH + 2  # a list opens two levels at once
    md.block.ruler.before("table", "too_deep", _block_too_deep)
    md.inline.ruler.before(md.inline.ruler.get_all_rules()[0], "too_deep", _inline_too_deep)
    md.linkify = _Linkify()
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=slug_heading)
    md.add_render_rule("fence", _render_fence)
    return md


def _block_too_deep(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Past BLOCK_DEPTH: leave the rest of the container out, and note its first line."""
    if state.level < BLOCK_DEPTH:
        return False
    state.env.setdefault("too_deep", start)
    state.line = end
    return True


def _inline_too_deep(state: StateInline, silent: bool) -> bool:
    """Past INLINE_DEPTH, what markdown-it does past its maxNesting: the rest is text.
    (A rule asked in silent mode sees the level one higher.)"""
    if state.level - (1 if silent else 0) < INLINE_DEPTH:
        return False
    if silent:
        state.pos = state.posMax + 1
    else:
        state.append_pending(state.src[state.pos])
        state.pos += 1
    return True


class _Linkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it with a quicker pretest. Its own pretest is one large Unicode pattern,
    11% of parsing a post; most paragraphs fail this small one first."""

    def pretest(self, text: str) -> bool:
        return MAY_LINK.search(text) is not None and bool(super().pretest(text))


def slug_heading(title: str) -> str:
    """Heading text → id: lower case, words joined by '-'."""
    return re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-") or "section"


def _render_fence(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
    return highlight(token.content, lang, env.get("warnings", []))


def highlight(code: str, lang: str, warnings: list[str]) -> str:
    """One code block as `<div class="highlight highlight-{lang}"><pre>`."""
    lexer = find_lexer(lang) if lang else None
    if lang and lexer is None:
        warnings.append(f"unknown code language {lang!r}; shown as plain text")
    inner = pygments_highlight(code, lexer, FORMATTER) if lexer else html.escape(code)
    css_lang = re.sub(r"[^\w-]", "", lang) or "text"
    return f'<div class="highlight highlight-{css_lang}"><pre><code>{inner}</code></pre></div>\n'


@functools.cache
def find_lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(LEXER_ALIASES.get(lang, lang), stripnl=False)
    except ClassNotFound:
        return None


def stylesheet(light: str = "friendly", dark: str = "monokai") -> str:
    """Pygments CSS: the light style, and the dark one under prefers-color-scheme."""
    light_css = HtmlFormatter(style=light).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark_css = HtmlFormatter(style=dark).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return (f"/* Generated by sitegen from Pygments styles {light!r} and {dark!r}. */\n"
            f"{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n")
