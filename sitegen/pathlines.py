"""Texts of lines that each end with a path, sorted by path: the output manifest
('fingerprint digest path') and feeds.sha256 ('digest  path'). A build that changes a
few files finds their lines by bisection and replaces them where they stand, instead
of reading every line (150,000 in the manifest and 33,000 in the list at 100,000
posts). Each works on the text or on its UTF-8 bytes, which sort alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import AnyStr


def find(text: AnyStr, path: AnyStr, sep: AnyStr, spaces: int,
         start: int = 0) -> tuple[int, int] | None:
    """Where the line of `path` starts, and where `sep` before the path begins: the line
    whose head holds `spaces` spaces, then `sep`, then `path` (a path may hold spaces,
    and end another path); None when no line is its. The lines, from `start` on, must
    be sorted by path (a text that is not may hide a line, never give another's)."""
    newline, space = _marks(text)
    low, high = start, len(text)  # each the start of a line (or the end of the text)
    while low < high:
        start = max(low, text.rfind(newline, low, (low + high) // 2) + 1)
        end = text.find(newline, start)
        at = _sep_at(text, start, end, space, spaces)
        if end < 0 or at < 0 or text[at:at + len(sep)] != sep:
            return None  # not such a line
        listed = text[at + len(sep):end]
        if listed == path:
            return start, at
        if listed < path:
            low = end + 1
        else:
            high = start
    return None


def _marks(text: AnyStr) -> tuple[AnyStr, AnyStr]:
    return ("\n", " ") if isinstance(text, str) else (b"\n", b" ")


def _sep_at(text: AnyStr, start: int, end: int, space: AnyStr, spaces: int) -> int:
    """Where the space after the head's `spaces` spaces is, in the line; -1 if none."""
    at = start - 1
    for _ in range(spaces + 1):
        at = text.find(space, at + 1, end)
        if at < 0:
            return -1
    return at


def pieces(text: memoryview, spans: Iterable[tuple[int, int, bytes]],
           start: int = 0) -> list[bytes | memoryview]:
    """The bytes of `text` from `start` with each span (start, end) replaced by its
    bytes, as views of `text` and the new bytes between them; spans never overlap."""
    parts: list[bytes | memoryview] = []
    done = start
    for begin, end, new in sorted(spans):
        parts += [text[done:begin], new]
        done = end
    parts.append(text[done:])
    return parts


def spliced(text: AnyStr, spans: Iterable[tuple[int, int, AnyStr]]) -> AnyStr:
    """`text` with each span (start, end) replaced by its string; spans never overlap."""
    parts: list[AnyStr] = []
    done = 0
    for start, end, new in sorted(spans):
        parts += [text[done:start], new]
        done = end
    parts.append(text[done:])
    return text[:0].join(parts)
