"""Editing content/tags.toml as text, for `sitegen tags rename|merge`: the new tag's
table gains the old names (and the old tables' description when it has none; not their
display name, which the author has just changed), the old tables go; comments, other
tables and their order stay as written. The result is read again and refused when it
does not say what was meant."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen import frontedit, tags
from sitegen.errors import ContentError, shown

HEADER = re.compile(r"^[ \t]*\[(?!\[)[^\n]*$", re.MULTILINE)
OLD_NAMES = re.compile(r"^[ \t]*(?:old_names|\"old_names\")[ \t]*=[ \t]*\[", re.MULTILINE)
BARE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Table:
    """A [table] of tags.toml: its tag's slug and its place in the text (its header
    line up to the next header)."""

    slug: str
    start: int
    end: int


def record(text: str | None, olds: Sequence[str], new: str) -> str | None:
    """tags.toml's text (None: no file) with `olds` recorded as old names of `new`; None
    when nothing is to be recorded (a new spelling of the same tag)."""
    slug = tags.slugify(new)
    gone = [old for old in olds if tags.slugify(old) != slug]
    if not gone:
        return None
    current = text or ""
    info = tags.load_info(current)
    _refuse_taken(info, {tags.slugify(old) for old in gone}, new)
    tables = _tables(current)
    moved = {tags.slugify(old) for old in gone}
    _refuse_inline(info, tables, {*moved, slug})
    wanted = _wanted(info, gone, new)
    edited = _drop(current, [t for t in tables if t.slug in moved])
    target = next((t for t in _tables(edited) if t.slug == slug), None)
    result = _extend(edited, target, new, wanted, info.get(slug, tags.TagInfo()))
    _verify(info, result, moved, slug, wanted)
    return result


def _refuse_taken(info: dict[str, tags.TagInfo], moved: set[str], new: str) -> None:
    """The new name must not be an old name of another tag: it would lead two ways."""
    slug = tags.slugify(new)
    for owner, tag in info.items():
        if owner not in moved and owner != slug and any(
                tags.slugify(old) == slug for old in tag.old_names):
            raise ContentError(tags.TAGS_FILE, tag.line, f"{shown(new)} is an old name of the "
                            f"tag [{owner}] (its old_names); choose another new name, or "
                            "remove it from those old_names first")


def _tables(text: str) -> list[Table]:
    found = []
    headers = list(HEADER.finditer(text))
    for index, match in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        try:
            keys = tomllib.loads(match.group().strip().split("#")[0] + "\n")
        except tomllib.TOMLDecodeError:
            continue
        name = next(iter(keys), None)
        if name is not None and keys[name] == {}:  # [a], not [a.b]
            found.append(Table(tags.slugify(name), match.start(), end))
    return found


def _refuse_inline(info: dict[str, tags.TagInfo], tables: list[Table], slugs: set[str]) -> None:
    """A tag written as `svg = {…}` or with dotted keys cannot be edited here."""
    headed = {t.slug for t in tables}
    for slug in slugs & set(info) - headed:
        raise ContentError(tags.TAGS_FILE, info[slug].line, f"the tag [{slug}] is not "
                           "written as a table of its own ([name] with its keys below); "
                           "write it so, or record the old names by hand")


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the new tag's table must say after the edit."""

    old_names: tuple[str, ...]  # to add
    name: str | None
    description: str


def _wanted(info: dict[str, tags.TagInfo], gone: Sequence[str], new: str) -> Wanted:
    slug = tags.slugify(new)
    own = info.get(slug, tags.TagInfo())
    olds = [tags.slugify(o) for o in gone]
    candidates = [*gone, *(name for o in olds for name in info.get(o, tags.TagInfo()).old_names)]
    known = {tags.slugify(name) for name in own.old_names} | {slug}
    adding: dict[str, str] = {}
    for name in candidates:
        if tags.slugify(name) not in known:
            adding.setdefault(tags.slugify(name), name)
    carried = [info[o] for o in olds if o in info]
    description = own.description or next((t.description for t in carried if t.description), "")
    return Wanted(tuple(adding.values()), own.name, description)


def _drop(text: str, tables: list[Table]) -> str:
    """Leave out each table: its header and keys; the comments and blank lines after its
    last key stay, for they may be about the next table."""
    for table in sorted(tables, key=lambda t: t.start, reverse=True):
        text = text[:table.start] + text[_after_last_key(text, table):]
    return text


def _extend(text: str, table: Table | None, new: str, wanted: Wanted,
            own: tags.TagInfo) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [*([f"name = {frontedit.toml_name(wanted.name)}"] if wanted.name and not own.name
               else []),
             *([f"description = {frontedit.toml_name(wanted.description)}"]
               if wanted.description and not own.description else [])]
    if table is None:
        lines.append(f"old_names = [{_names(wanted.old_names)}]")
        slug = tags.slugify(new)  # the file's tables are named by slug, as `sitegen init` writes
        header = slug if BARE.fullmatch(slug) else json.dumps(slug, ensure_ascii=False)
        gap = newline if text.strip() else ""
        start = text if not text or text.endswith("\n") else text + newline
        return start + gap + newline.join([f"[{header}]", *lines]) + newline
    found = OLD_NAMES.search(text, table.start, table.end)
    if found:
        text = _add_to_array(text, found.end(), wanted.old_names)
    elif wanted.old_names:
        lines.append(f"old_names = [{_names(wanted.old_names)}]")
    if not lines:
        return text
    at = _after_last_key(text, table)
    before = "" if text[:at].endswith("\n") else newline  # a last line without a break
    return text[:at] + before + "".join(line + newline for line in lines) + text[at:]


def _add_to_array(text: str, start: int, names: tuple[str, ...]) -> str:
    if not names:
        return text
    try:
        items, end = frontedit.toml_array(tags.TAGS_FILE, text, text, start)
    except ContentError:
        raise _unsafe("its old_names list could not be read") from None
    if items:
        return text[:items[-1].end] + ", " + _names(names) + text[items[-1].end:]
    return text[:end] + _names(names) + text[end:]


def _after_last_key(text: str, table: Table) -> int:
    """Where a line added to the table goes: after its last line that is not blank or
    a comment (those before the next header belong to it)."""
    at = text.index("\n", table.start) + 1 if "\n" in text[table.start:table.end] \
        else table.end
    position = at
    for line in text[at:table.end].splitlines(keepends=True):
        position += len(line)
        if line.strip() and not line.lstrip().startswith("#"):
            at = position
    return at


def _names(names: Sequence[str]) -> str:
    return ", ".join(frontedit.toml_name(name) for name in names)


def _verify(before: dict[str, tags.TagInfo], text: str, moved: set[str], slug: str,
            wanted: Wanted) -> None:
    try:
        after = tags.load_info(text)
    except ContentError as exc:
        raise _unsafe(f"it would not read ({exc.message})") from None
    mine = after.get(slug, tags.TagInfo())
    own = before.get(slug, tags.TagInfo())
    expected = {tags.slugify(n) for n in (*own.old_names, *wanted.old_names)}
    others = {s: i for s, i in before.items() if s not in moved and s != slug}
    if {s: i for s, i in after.items() if s != slug} != others:
        raise _unsafe("other tags' tables would change")
    if {tags.slugify(n) for n in mine.old_names} != expected or mine.name != wanted.name \
            or mine.description != wanted.description:
        raise _unsafe(f"the table of [{slug}] would not hold what it should")


def _unsafe(why: str) -> ContentError:
    return ContentError(tags.TAGS_FILE, None, f"cannot record the old names safely: {why}; "
                        "edit the file by hand")
