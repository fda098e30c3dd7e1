"""Errors that carry their place: the file, the line, and what to do."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable

EXCERPT = 60  # most characters of a value an error message quotes


class SiteError(Exception):
    """A problem in the author's input, reported with its place."""

    def __init__(self, path: str, line: int | None, message: str,
                 kind: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message
        self.kind = kind  # the same problem in any file: errors of one kind are reported
        # together ('298 files: unknown front matter field …'); None: reported alone

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"

    @property
    def place(self) -> str:
        """'content/a.md:3', or the path alone when the error has no line."""
        path = printable(self.path)
        return f"{path}:{self.line}" if self.line else path

    def __reduce__(self) -> tuple[type[SiteError], tuple[str, int | None, str, str | None]]:
        return (type(self), (self.path, self.line, self.message, self.kind))


def printable(path: str) -> str:
    """A file name as one line of text: control characters and bytes that are not
    UTF-8 (a file name may hold both) written as escapes."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else _escape(c) for c in path)


def _escape(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


class ContentError(SiteError):
    """A post, tags.toml or other file under content/ is wrong."""


class ConfigError(SiteError):
    """site.toml is wrong."""


class TemplateError(SiteError):
    """A Jinja template does not compile or render."""


class OutputError(SiteError):
    """Two pages claim one path, or a path leaves the output folder."""


class BuildErrors(Exception):
    """Every error of one build, reported together."""

    def __init__(self, errors: Iterable[SiteError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))

    def __reduce__(self) -> tuple[type[BuildErrors], tuple[list[SiteError]]]:
        return (type(self), (self.errors,))


def grouped(errors: Iterable[SiteError]) -> list[list[SiteError]]:
    """Errors in groups of one kind (see SiteError.kind), in the order each kind first
    appears; an error without a kind is a group of its own."""
    groups: dict[object, list[SiteError]] = {}
    for index, error in enumerate(errors):
        groups.setdefault(error.kind if error.kind is not None else index, []).append(error)
    return list(groups.values())


class WarningsFailed(Exception):
    """--strict: the build met warnings, so it stopped before writing anything."""

    def __init__(self, warnings: Iterable[str]) -> None:
        self.warnings = list(warnings)
        super().__init__(f"{len(self.warnings)} warning(s)")


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = EXCERPT
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 4


def shown(value: object, limit: int = EXCERPT) -> str:
    """A value as an error message quotes it: on one line and short (the value may be a
    megabyte long); a text in quotes, anything else as Python writes it."""
    if isinstance(value, str):
        return repr(cut(value, limit))
    return cut(_SHORT.repr(value), limit)


def cut(text: str, limit: int = EXCERPT) -> str:
    """At most `limit` characters of a text, with '…' when some were left out."""
    return text if len(text) <= limit else text[:limit] + "…"


class WorkerFailed(RuntimeError):
    """A worker stopped without sending its results (killed, or out of memory)."""
