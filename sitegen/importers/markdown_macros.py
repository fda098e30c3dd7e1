"""Template macros in other generators' Markdown (Jekyll's Liquid tags, Hugo's
shortcodes): a body split into code and text, highlight blocks made into code fences,
and every other macro in the text replaced by the importer or reported where it stands.

Code that is already fenced is left as it is: an example of a macro inside a code
block stays an example."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sitegen.importers.records import Problem

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of the body: code (a fence, kept as is) or text (where macros count)."""

    text: str
    line: int  # the file line of its first character
    code: bool

    def line_at(self, offset: int) -> int:
        """The file line of the character at `offset` in this chunk."""
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True, slots=True)
class Block:
    """A highlight macro. `opener` matches a whole line that opens one (groups 'indent',
    'lang', 'rest': code after it on that line); `closer` is searched for its end."""

    opener: re.Pattern[str]
    closer: re.Pattern[str]


# A macro match → its replacement, or None to leave it (the caller reports it).
Convert = Callable[[re.Match[str], Chunk], str | None]


def split(body: str, first_line: int, block: Block, path: str) -> tuple[list[Chunk],
                                                                      list[Problem]]:
    """The body as chunks, highlight blocks turned into fences."""
    lines = body.splitlines(keepends=True)
    chunks: list[Chunk] = []
    problems: list[Problem] = []
    text: list[str] = []
    text_line = first_line
    at = 0
    while at < len(lines):
        line = lines[at]
        fence = FENCE.match(line)
        opener = None if fence else block.opener.match(line.rstrip("\r\n"))
        if not fence and not opener:
            text.append(line)
            at += 1
            continue
        if text:
            chunks.append(Chunk("".join(text), text_line, False))
            text = []
        chunk, end, after, problem = _code(lines, at, fence, opener, block, first_line, path)
        chunks.append(chunk)
        problems += problem
        if after.strip():
            text.append(after)
        text_line = first_line + end
        at = end
    if text:
        chunks.append(Chunk("".join(text), text_line, False))
    return chunks, problems


def _code(lines: list[str], at: int, fence: re.Match[str] | None,
          opener: re.Match[str] | None, block: Block, first_line: int,
          path: str) -> tuple[Chunk, int, str, list[Problem]]:
    """The code chunk that starts at line `at` (a fence, or a highlight block made a
    fence), the index after it, text after its end on its last line, and problems."""
    if fence:
        end = _fence_end(lines, at, fence.group(1))
        return Chunk("".join(lines[at:end]), first_line + at, True), end, "", []
    assert opener is not None
    block_end, code, after = _block_end(lines, at, opener, block)
    if block_end is None:
        return (Chunk(lines[at], first_line + at, False), at + 1, "",
                [Problem(path, first_line + at, "highlight block left as text: "
                         f"{lines[at].strip()} has no end")])
    chunk = Chunk(fenced(code, opener.group("lang") or "", opener.group("indent")),
                  first_line + at, True)
    return chunk, block_end, after, []


def _fence_end(lines: list[str], at: int, marker: str) -> int:
    """The index after the line that closes the fence opened at `at` (or the end)."""
    for index in range(at + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
            return index + 1
    return len(lines)


def _block_end(lines: list[str], at: int, opener: re.Match[str],
               block: Block) -> tuple[int | None, str, str]:
    """Where a highlight block ends (the index after its last line), its code, and text
    that follows its closer on the closing line."""
    code = [opener.group("rest") + "\n"] if opener.group("rest").strip() else []
    for index in range(at + 1, len(lines)):
        closer = block.closer.search(lines[index])
        if closer:
            code.append(lines[index][:closer.start()])
            return index + 1, "".join(code), lines[index][closer.end():]
        code.append(lines[index])
    return None, "", ""


def fenced(code: str, lang: str, indent: str = "") -> str:
    """Code as a fenced block, the fence longer than any run of backticks in it."""
    code = code.strip("\r\n")
    runs = [len(run) for run in re.findall(r"`{3,}", code)]
    fence = "`" * max([3, *(n + 1 for n in runs)])
    return f"{indent}{fence}{lang}\n{code}\n{indent}{fence}\n"


def join(chunks: list[Chunk]) -> str:
    return "".join(chunk.text for chunk in chunks)


def rewrite(chunk: Chunk, pattern: re.Pattern[str], convert: Convert, path: str,
            what: str, problems: list[Problem]) -> Chunk:
    """Replace each match of `pattern` in a text chunk by `convert`'s answer; a match it
    leaves (None) stays as it is and is reported as `what`."""
    if chunk.code:
        return chunk

    def replace(match: re.Match[str]) -> str:
        new = convert(match, chunk)
        if new is None:
            shown = " ".join(match.group(0).split())
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            problems.append(Problem(path, chunk.line_at(match.start()), f"{what}: {shown}"))
            return match.group(0)
        return new

    return Chunk(pattern.sub(replace, chunk.text), chunk.line, False)
