"""Template syntax of other generators left in a post's body, which sitegen would publish
as text: Liquid tags and output, Hugo shortcodes, Pelican link macros. Looked for
outside code (a post about Jinja may show `{% raw %}`), and reported as warnings."""

from __future__ import annotations

import bisect
import re

from sitegen.errors import shown

MOST = 3  # warnings per file; the rest are counted
LONGEST = 300  # characters of one piece of template syntax, at most (on one line)
# Where template syntax starts, and the kind each start begins.
OPENER = re.compile(r"\{\{[<%]|\{%|\{\{|\{(?:filename|static|attach)\}")
KINDS = {"{{<": "shortcode", "{{%": "shortcode", "{%": "tag", "{{": "output"}
# What ends each kind (a Pelican link ends where its URL does).
CLOSER = {"shortcode": re.compile(r"[>%]\}\}"), "tag": re.compile(r"%\}"),
          "output": re.compile(r"\}\}")}
MACRO_URL = re.compile(rf"[^\s)\"'<>\]]{{0,{LONGEST}}}")
MARKUP = "replace it with Markdown or HTML"
WHAT = {
    "shortcode": ("Hugo shortcode", MARKUP, "sitegen import hugo converts most shortcodes"),
    "tag": ("Liquid tag", MARKUP, "sitegen import jekyll converts most tags"),
    "output": ("Liquid output", MARKUP, "sitegen import jekyll converts most tags"),
    "macro": ("Pelican link", "replace it with the URL of what it names",
              "sitegen import pelican converts them"),
}
BACKTICKS = re.compile(r"`+")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
HTML_CODE = re.compile(r"<(pre|code|script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
INDENTED = re.compile(r"(?: {4}|\t)")  # indented code, after a blank line


Found = tuple[int, int, str]  # start, end, kind


def find(body: str, first_line: int, is_html: bool) -> tuple[str, ...]:
    """Warnings ('line N: …') for template syntax in a body whose first line is
    `first_line` of its file: at most MOST, then one that counts the rest."""
    if not OPENER.search(body) or not _found(body):
        return ()
    text = _without_code(body, is_html)
    found = _found(text)
    warnings = [f"line {first_line + text.count(chr(10), 0, start)}: "
                f"{_warning(text[start:end], kind)}" for start, end, kind in found[:MOST]]
    if len(found) > MOST:
        line = first_line + text.count("\n", 0, found[MOST][0])
        more = len(found) - MOST
        warnings.append(f"line {line}: and {more} more {'piece' if more == 1 else 'pieces'} "
                        "of template syntax like these, published as text")
    return tuple(warnings)


def _found(text: str) -> list[Found]:
    """Template syntax in `text`, each piece on one line and at most LONGEST long; in
    time O(n log n) whatever the text (each start looks its end up by bisection)."""
    ends = {kind: [m.span() for m in closer.finditer(text)] for kind, closer in CLOSER.items()}
    lines = [m.start() for m in re.finditer("\n", text)]
    found: list[Found] = []
    for opener in OPENER.finditer(text):
        start = opener.start()
        if found and start < found[-1][1]:
            continue
        kind = KINDS.get(opener.group(), "macro")
        end = _end(text, opener.end(), kind, ends, lines)
        if end is not None and end - start <= LONGEST:
            found.append((start, end, kind))
    return found


def _end(text: str, after: int, kind: str, ends: dict[str, list[tuple[int, int]]],
         lines: list[int]) -> int | None:
    """Where the piece of `kind` whose opener ends at `after` ends, on its line."""
    if kind == "macro":
        match = MACRO_URL.match(text, after)
        return match.end() if match else after
    closes = ends[kind]  # (start, end) of each closer, in order
    index = bisect.bisect_left(closes, (after, 0))
    if index == len(closes):
        return None
    end = closes[index][1]
    same_line = bisect.bisect_left(lines, after) == bisect.bisect_left(lines, end)
    return end if same_line else None


def _warning(piece: str, kind: str) -> str:
    name, fix, importer = WHAT[kind]
    return f"{name} {shown(piece)} is published as text; {fix} ({importer})"


def _without_code(body: str, is_html: bool) -> str:
    """The body with code blanked out (its line breaks kept, so lines still count)."""
    if is_html:
        return HTML_CODE.sub(_blank, body)
    lines = body.split("\n")
    for number in _code_lines(lines):
        lines[number] = _blank_text(lines[number])
    text = "\n".join(lines)
    pieces, done = [], 0
    for start, end in _code_spans(text):
        pieces += [text[done:start], _blank_text(text[start:end])]
        done = end
    return "".join([*pieces, text[done:]])


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where inline code spans are: from a run of backticks to the next run of the
    same length in the same paragraph (in time linear in the runs, whatever the text)."""
    runs = [(m.start(), m.end()) for m in BACKTICKS.finditer(text)]
    breaks = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
    following: list[int | None] = [None] * len(runs)  # the next run of the same length
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index], last[length] = last.get(length), index
    spans, index = [], 0
    while index < len(runs):
        close = following[index]
        start, end = runs[index]
        if close is None or bisect.bisect_left(breaks, end) != bisect.bisect_left(
                breaks, runs[close][0]):
            index += 1
            continue
        spans.append((start, runs[close][1]))
        index = close + 1
    return spans


def _code_lines(lines: list[str]) -> list[int]:
    """The lines of fenced code blocks (with their fences) and of indented code blocks
    (indented lines that follow a blank line), as CommonMark reads them."""
    found = []
    fence, indented, blank = "", False, True
    for number, line in enumerate(lines):
        marker = FENCE.match(line)
        if fence:
            closes = marker and marker.group(1)[0] == fence[0] \
                and len(marker.group(1)) >= len(fence) and not marker.group(2).strip()
            fence = "" if closes else fence
        elif marker and not (marker.group(1)[0] == "`" and "`" in marker.group(2)):
            fence = marker.group(1)
        elif line.strip() and INDENTED.match(line) and (blank or indented):
            indented = True
        elif line.strip():
            indented = False
            blank = False
            continue
        else:
            blank = True
            continue
        found.append(number)
        blank = False
    return found


def _blank(match: re.Match[str]) -> str:
    return _blank_text(match.group())


def _blank_text(text: str) -> str:
    return "\n".join(" " * len(part) for part in text.split("\n"))
