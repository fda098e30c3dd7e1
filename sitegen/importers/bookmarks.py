"""`sitegen import bookmarks FILE`: the Netscape bookmark file (browsers, Pinboard,
Delicious, Raindrop, linkding) or Pinboard's JSON export → one link post per bookmark."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

from sitegen.importers.records import Imported, ImportedPost, Problem, parse_date, slugify

# <DT><A HREF="…" ADD_DATE="…" TAGS="…">title</A>, then perhaps <DD>note
BOOKMARK = re.compile(r"<DT>\s*<A\b(?P<attrs>[^>]*)>(?P<title>.*?)</A>"
                      r"(?P<rest>.*?)(?=<DT>|</?DL>|\Z)", re.IGNORECASE | re.DOTALL)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
NOTE = re.compile(r"<DD>(.*)", re.IGNORECASE | re.DOTALL)
PINBOARD_KEYS = ("href", "description", "extended", "time", "shared", "tags", "meta", "hash")


def read(source: Path) -> Imported:
    """Every bookmark of the file, as a link post; private ones as drafts."""
    from sitegen.importers import SourceError

    name = source.name
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SourceError(str(source), None, f"cannot be read ({exc.strerror or exc}); "
                          "make it a readable file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(str(source), line, "not UTF-8; export the bookmarks again as "
                          "UTF-8, or convert the file (iconv -f latin1 -t utf-8)") from None
    if text.lstrip().startswith(("[", "{")):
        return _pinboard(text, name, str(source))
    if not BOOKMARK.search(text):
        raise SourceError(str(source), None, "holds no bookmarks: expected a Netscape "
                          "bookmark file (<DT><A HREF=…>) or Pinboard's JSON export")
    return _netscape(text, name)


# The Netscape bookmark file


def _netscape(text: str, name: str) -> Imported:
    posts, problems = [], []
    for match in BOOKMARK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        attrs = _attributes(match.group("attrs"))
        note = NOTE.search(match.group("rest"))
        entry = _Bookmark(
            url=attrs.get("href", ""), title=_text(match.group("title")),
            note=_text(note.group(1)) if note else "",
            date=_epoch(attrs.get("add_date", "")), updated=_epoch(attrs.get("last_modified", "")),
            tags=tuple(t.strip() for t in attrs.get("tags", "").split(",") if t.strip()),
            private=attrs.get("private", "0") == "1")
        post = entry.post(f"{name}:{line}")
        if isinstance(post, str):
            problems.append(Problem(name, line, post))
        else:
            posts.append(post)
    return Imported("bookmarks", tuple(posts), problems=tuple(problems))


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in ATTRIBUTE.finditer(text)}


def _text(fragment: str) -> str:
    """An HTML fragment of the export → plain text: tags left out, entities read, line
    breaks (<br>) kept."""
    fragment = re.sub(r"<br\s*/?>", "\n", fragment, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]*>", "", fragment)).strip()


def _epoch(value: str) -> dt.datetime | None:
    """Seconds since 1970 (some exports write milliseconds or microseconds)."""
    if not value.strip().isdigit():
        return None
    number = int(value)
    while number > 10**11:  # later than the year 5138 in seconds: a finer unit
        number //= 1000
    try:
        return dt.datetime.fromtimestamp(number, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


# Pinboard's JSON export


def _pinboard(text: str, name: str, path: str) -> Imported:
    from sitegen.importers import SourceError

    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, exc.lineno, f"not valid JSON ({exc.msg}); export the "
                          "bookmarks again") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SourceError(path, None, "is JSON, but not Pinboard's export (a list of "
                          "bookmarks with href, description, time, tags)")
    posts, problems, toread = [], [], 0
    for number, item in enumerate(items, 1):
        post = _pin(item).post(f"{name}#{number}")
        toread += item.get("toread") == "yes"
        if isinstance(post, str):
            problems.append(Problem(name, None, f"{post} (bookmark {number})"))
        else:
            posts.append(post)
    dropped = (("toread", toread),) if toread else ()
    return Imported("bookmarks", tuple(posts), dropped=dropped, problems=tuple(problems))


def _pin(item: dict[str, Any]) -> _Bookmark:
    return _Bookmark(url=str(item.get("href") or ""), title=str(item.get("description") or ""),
                     note=str(item.get("extended") or "").strip(),
                     date=parse_date(item.get("time") or ""),
                     updated=None, tags=tuple(str(item.get("tags") or "").split()),
                     private=item.get("shared") == "no")


# One bookmark


class _Bookmark:
    """A bookmark as either export gives it."""

    def __init__(self, *, url: str, title: str, note: str, date: dt.datetime | None,
                 updated: dt.datetime | None, tags: tuple[str, ...], private: bool) -> None:
        self.url, self.title, self.note = url.strip(), title, note
        self.date, self.updated, self.tags, self.private = date, updated, tags, private

    def post(self, origin: str) -> ImportedPost | str:
        """The link post, or why there is none."""
        if not re.match(r"^(https?|mailto):", self.url, re.IGNORECASE):
            return f"bookmark left out, its link is not http(s): {self.url[:80]!r}"
        if self.date is None:
            return f"bookmark left out, it has no date: {self.url[:80]}"
        title = " ".join(self.title.split()) or self.url
        return ImportedPost(
            origin=origin, slug=slugify(title), date=self.date, title=title,
            body=_markdown(self.note), tags=self.tags, draft=self.private,
            updated=self.updated if self.updated and self.updated > self.date else None,
            link_url=self.url)


def _markdown(note: str) -> str:
    """A plain-text note as a Markdown body that shows it as written."""
    escaped = note.replace("&", "&amp;").replace("<", "&lt;")
    escaped = re.sub(r"(?m)^(\s*)([#>])", r"\1\\\2", escaped)
    escaped = re.sub(r"(?m)^(\s*)([*+-])(\s)", r"\1\\\2\3", escaped)
    return re.sub(r"(?m)^(\s*\d+)\.(\s)", r"\1\\.\2", escaped)
