"""Texts of lines that each end with a path: the output manifest ('fingerprint digest
path') and feeds.sha256 ('digest  path'). A build that changes a few files finds their
lines and replaces them where they stand, instead of reading every line (35,000 in
the manifest and 7,000 in the list at 10,000 posts)."""

from __future__ import annotations

from collections.abc import Iterable


def find(text: str, path: str, sep: str, spaces: int) -> tuple[int, int] | None:
    """Where the line of `path` starts, and where `sep` before the path begins: the line
    that ends with `sep` and `path`, and whose head before them holds `spaces` spaces
    (a path may hold spaces, and end another path); None when no line is its."""
    needle = f"{sep}{path}\n"
    at = text.find(needle)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if text.count(" ", start, at) == spaces:
            return start, at
        at = text.find(needle, at + 1)
    return None


def spliced(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each span (start, end) replaced by its string; spans never overlap."""
    parts, done = [], 0
    for start, end, new in sorted(spans):
        parts += [text[done:start], new]
        done = end
    return "".join([*parts, text[done:]])
