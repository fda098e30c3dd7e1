"""Markdown → HTML, with code highlighted by Pygments at build time."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

# Names Pygments does not know but authors write.
LEXER_ALIASES = {"svg": "xml", "htm": "html", "jsx": "javascript", "tsx": "typescript",
                 "zsh": "bash", "yml": "yaml", "jinja2": "jinja", "md": "markdown",
                 "plain": "text", "txt": "text", "sh-session": "console"}

# Theme text the renderer writes itself, one constant each, to be translated in one place.
# A code block's name for assistive technology: "Code: Python", or "Code" alone.
CODE_LABEL = "Code"
# The heading of a post's footnotes (visually hidden, as GitHub's: the rule above them shows it).
FOOTNOTES_HEADING = "Footnotes"
# Inline code this long or shorter is kept on one line (class "short"): at 320 px wide a
# line holds about 32 characters of code. Longer code may wrap, so that it never overflows.
# Code of letters, digits and '_' alone has nowhere to break and needs no mark.
SHORT_CODE = 28
BREAKABLE = re.compile(r"\W")
# Language names for aliases whose lexer's name would mislead ('svg' is read as XML).
LANGUAGE_NAMES = {"svg": "SVG", "jsx": "JSX", "tsx": "TSX"}

# Text that linkify-it's pretest could match has a scheme's ':' or '//', an '@', 'www.',
# 'localhost', or a '.' right before a letter or digit (a TLD, an IP address).
MAY_LINK = re.compile(r"[:/@]|\.\w|www\.|localhost", re.IGNORECASE)
# A link destination that markdown-it's normalizeLink returns unchanged (mdurl's parse and
# format give it back whole, its host is ASCII, and encode keeps every character): http(s)
# with a plain host of at most 255 characters, or a path, fragment or query on this site.
# Each character is a letter, a digit, one that encode keeps, or a valid %-escape.
PLAIN_LINK = re.compile(
    r"(?:https?://(?=[A-Za-z0-9.-]{1,255}(?:[/?#]|\Z))[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
    r"(?=[/?#]|\Z)|/(?!/)|[#?])"
    r"(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*")

# Blocks (quotes, lists) nest up to this many levels; what lies deeper is left out with
# a warning. Parsing recurses about twice per level: 100 stays far from Python's limit.
BLOCK_DEPTH = 100
# Inline markup (links in images…) nests up to markdown-it's own default; deeper, it is
# shown as text. A higher limit makes hostile bodies much slower to parse.
INLINE_DEPTH = 20

# `## Heading {#my-id}`: an explicit id at the end of a heading's text (Hugo's, kramdown's).
EXPLICIT_ID = re.compile(r"\s*\{\s*#([^\s{}]+)\s*\}\s*$")
# Ids the built-in theme's pages use themselves: a heading never takes them.
THEME_IDS = frozenset({"main"})
# A heading's text, as the id is made from it: its text and code, not its markup.
HEADING_TEXT = ("text", "text_special", "code_inline")
# A heading's id, and an in-page link, in rendered HTML (double-quoted, as ours are).
HEADING_ID = re.compile(r'(<h[1-6]\b[^>]*?\sid=")([^"]+)"', re.IGNORECASE)
FRAGMENT_LINK = re.compile(r'(\shref="#)([^"]+)"', re.IGNORECASE)
# A code block as highlight() writes it, in a body rendered before (reuse_highlighting).
HIGHLIGHTED = re.compile(r'<div class="highlight highlight-(?P<lang>[\w-]+)"><pre tabindex="0" '
                         r'role="group" aria-label="(?P<label>[^"]*)"><code>(?P<inner>.*?)'
                         r'</code></pre></div>\n', re.DOTALL)
TAG = re.compile(r"<[^>]*>")
# (class language, label, code) → the highlighted code, from bodies rendered before.
_REUSED: dict[tuple[str, str, str], str] = {}


def render(text: str, doc_id: str, first_line: int = 1) -> tuple[str, tuple[str, ...]]:
    """Render Markdown; return the HTML and the warnings it raised (unknown languages,
    blocks nested too deep, a heading id given twice).

    `doc_id` prefixes footnote ids, so that two posts on one page never share an id.
    Heading ids are GitHub's, unique within the text, without it: `#thats-it` links keep
    working; list pages, which show several posts, scope them (scope_heading_ids).
    `first_line`: the text's first line in its file, for the line numbers of warnings.
    """
    env: dict[str, Any] = {"warnings": [], "docId": doc_id, "first_line": first_line}
    body = _parser().render(text, env)
    if "too_deep" in env:
        env["warnings"].append(
            f"line {env['too_deep'] + first_line}: nested deeper than {BLOCK_DEPTH} levels "
            "(quotes or lists): the text below that depth is left out; flatten it")
    return body, tuple(dict.fromkeys(env["warnings"]))


@functools.cache
def _parser() -> MarkdownIt:
    md = _Markdown("commonmark", {"typographer": True, "linkify": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes", "linkify"])
    # Deeper than markdown-it's own check: ours, first in each ruler, acts before it.
    md.options["maxNesting"] = BLOCK_DEPTH + 2  # a list opens two levels at once
    md.block.ruler.before("table", "too_deep", _block_too_deep)
    md.inline.ruler.before(md.inline.ruler.get_all_rules()[0], "too_deep", _inline_too_deep)
    md.linkify = _Linkify()
    md.use(footnote_plugin)
    # Before the typographer: ids come from the text as written, as GitHub's and Hugo's do.
    md.core.ruler.after("footnote_tail", "heading_ids", _heading_ids)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("code_inline", _render_code_inline)
    md.add_render_rule("footnote_block_open", _render_footnotes_open)
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


class _Markdown(MarkdownIt):
    """markdown-it with a quicker normalizeLink: a plain link (PLAIN_LINK), which most are,
    is its own normal form; parsing and rebuilding it took 12% of parsing a heavy post."""

    def normalizeLink(self, url: str) -> str:
        return url if PLAIN_LINK.fullmatch(url) else super().normalizeLink(url)


class _Linkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it with a quicker pretest and test. Its own pretest is one large Unicode
    pattern, 11% of parsing a post; most paragraphs fail this small one first. Its test,
    asked of each text piece of a paragraph that passed, finds nothing its pretest misses."""

    def pretest(self, text: str) -> bool:
        return MAY_LINK.search(text) is not None and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        return self.pretest(text) and bool(super().test(text))


def slug_heading(title: str) -> str:
    """Heading text → id, as GitHub and Hugo make it: lower case; letters, digits, '-' and
    '_' kept (of any script), other punctuation dropped, each space a '-'.
    "That's it" → 'thats-it', 'Step 6 - Simplify' → 'step-6---simplify'."""
    kept = "".join("-" if c == " " else c for c in title.strip().lower() if _in_id(c))
    return kept or "section"


def _in_id(char: str) -> bool:
    return char in " -_" or unicodedata.category(char)[0] in "LNM"


def _heading_ids(state: StateCore) -> None:
    """An id on every heading: its explicit `{#id}`, else its slug, made unique on the
    page as GitHub does ('notes', 'notes-1', …). Explicit ids are taken first."""
    headings = [(token, state.tokens[i + 1]) for i, token in enumerate(state.tokens)
                if token.type == "heading_open"]
    explicit = [_explicit_id(inline) for _, inline in headings]
    taken = set(THEME_IDS)
    for (heading, _), given in zip(headings, explicit, strict=True):
        if given in taken:
            line = (heading.map[0] if heading.map else 0) + state.env.get("first_line", 1)
            state.env["warnings"].append(
                f"line {line}: heading id {given!r} is "
                + ("the theme's own" if given in THEME_IDS else "used twice on the page")
                + "; give the heading another {#id}")
        if given:
            taken.add(given)
    for (heading, inline), given in zip(headings, explicit, strict=True):
        heading.attrSet("id", given or _unique(slug_heading(_text(inline)), taken))


def _explicit_id(inline: Token) -> str:
    """The id of a heading ending in `{#id}`, which is taken out of its text; else ''."""
    last = inline.children[-1] if inline.children else None
    match = EXPLICIT_ID.search(last.content) if last and last.type == "text" else None
    if match is None or last is None:
        return ""
    last.content = last.content[: match.start()]
    inline.content = EXPLICIT_ID.sub("", inline.content)
    return match.group(1)


def _text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in HEADING_TEXT)


def _unique(slug: str, taken: set[str]) -> str:
    found = slug
    number = 0
    while found in taken:
        number += 1
        found = f"{slug}-{number}"
    taken.add(found)
    return found


def scope_heading_ids(html: str, prefix: str) -> str:
    """A post's HTML as a list page shows it among other posts: its heading ids, and its
    links to them, take `prefix`, so that two posts' `## Notes` never share an id there.
    (Footnote ids carry the post already; the post's own page keeps the plain ids.)"""
    ids = {match.group(2) for match in HEADING_ID.finditer(html)}
    if not ids:
        return html
    html = HEADING_ID.sub(lambda m: f'{m.group(1)}{prefix}{m.group(2)}"', html)
    return FRAGMENT_LINK.sub(lambda m: f'{m.group(1)}{prefix}{m.group(2)}"'
                             if m.group(2) in ids else m.group(0), html)


def _render_fence(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
    return highlight(token.content, lang, env.get("warnings", []))


def _render_code_inline(self: RendererHTML, tokens: Sequence[Token], idx: int,
                        options: OptionsDict, env: EnvType) -> str:
    """Inline code; short code marked so that the theme keeps it on one line (`git status`
    broken at its space reads as two things). Only here is the length known: CSS alone
    cannot keep short code whole and still wrap long code."""
    code = tokens[idx].content
    short = ' class="short"' if len(code) <= SHORT_CODE and BREAKABLE.search(code) else ""
    return f"<code{short}>{escapeHtml(code)}</code>"


def _render_code_block(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: OptionsDict, env: EnvType) -> str:
    """An indented code block, shown as a fence without a language."""
    return highlight(tokens[idx].content, "", env.get("warnings", []))


def _render_footnotes_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                           options: OptionsDict, env: EnvType) -> str:
    """The footnotes' section with a heading: a section without one is an outline hole
    (the Nu checker warns), and a screen reader's heading list then finds the notes."""
    return ('<hr class="footnotes-sep">\n<section class="footnotes">\n'
            f'<h2 class="visually-hidden">{FOOTNOTES_HEADING}</h2>\n<ol class="footnotes-list">\n')


def highlight(code: str, lang: str, warnings: list[str]) -> str:
    """One code block as `<div class="highlight highlight-{lang}"><pre>`. The `<pre>` is a
    named, focusable group: a long line scrolls it sideways, and a keyboard reaches what
    is cut only if the box takes focus (WCAG 2.1.1; axe's scrollable-region-focusable).
    A group, not a region: regions are landmarks, and a page's many code blocks would
    crowd a screen reader's landmark list with names that repeat."""
    css_lang = re.sub(r"[^\w-]", "", lang) or "text"
    reused = _reused(code, lang, css_lang) if lang and _REUSED else None
    if reused is not None:
        return _block(css_lang, *reused)
    lexer = find_lexer(lang) if lang else None
    if lang and lexer is None:
        warnings.append(f"unknown code language {lang!r}; shown as plain text")
    inner = _highlighted(code, lexer) if lexer else html.escape(code)
    return _block(css_lang, code_label(lang, lexer), inner)


def _block(css_lang: str, label: str, inner: str) -> str:
    return (f'<div class="highlight highlight-{css_lang}"><pre tabindex="0" role="group" '
            f'aria-label="{html.escape(label)}"><code>{inner}</code></pre></div>\n')


def reuse_highlighting(bodies: Iterable[str]) -> None:
    """Keep the code blocks of these bodies, rendered before (a post's last version), so
    that highlight() takes a block again when the same code comes in the same language,
    instead of lexing it: a fresh process compiles each Pygments lexer's patterns first
    (40 ms for a post with Python and SVG blocks here), and an author who edits a
    post's words seldom edits its code. A block is kept by its language's class, its
    label (the lexer's name: 'c' and 'c++' share a class) and its code, which the
    highlighted text gives back without its tags (Pygments keeps every character)."""
    for body in bodies:
        for found in HIGHLIGHTED.finditer(body):
            code = html.unescape(TAG.sub("", found["inner"]))
            _REUSED[(found["lang"], html.unescape(found["label"]), code)] = found["inner"]


def _reused(code: str, lang: str, css_lang: str) -> tuple[str, str] | None:
    """The label and the highlighted code of a block kept by reuse_highlighting."""
    lexer_class = _lexer_class(lang)
    if lexer_class is None:
        return None
    label = code_label(lang, lexer_class)
    inner = _REUSED.get((css_lang, label, code))
    return None if inner is None else (label, inner)


def code_label(lang: str, lexer: Lexer | type[Lexer] | None) -> str:
    """"Code: Python" for a block in a language, "Code" for plain text or an unknown one."""
    name = LANGUAGE_NAMES.get(lang) or (lexer.name if lexer else "")
    return f"{CODE_LABEL}: {name}" if name and name != "Text only" else CODE_LABEL


def _highlighted(code: str, lexer: Lexer) -> str:
    from pygments import highlight
    return highlight(code, lexer, _formatter())


@functools.cache
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(nowrap=True)


@functools.cache
def _lexer_class(lang: str) -> type[Lexer] | None:
    """find_lexer's lexer's class, without making one (which compiles its patterns)."""
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound
    try:
        return find_lexer_class_by_name(LEXER_ALIASES.get(lang, lang))
    except ClassNotFound:
        return None


@functools.cache
def find_lexer(lang: str) -> Lexer | None:
    """Pygments' lexer for `lang` (Pygments is imported at the first code block: a
    build of posts without code, or a patch of one, never loads it)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound
    try:
        return get_lexer_by_name(LEXER_ALIASES.get(lang, lang), stripnl=False)
    except ClassNotFound:
        return None


def stylesheet() -> str:
    """The token colours, light and dark, for `static/pygments.css`. The theme carries the
    same rules in its own style.css and no longer links this file; it is still written
    for a site's own templates that link it."""
    from sitegen import codestyle
    return codestyle.stylesheet()
