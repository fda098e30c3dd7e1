"""Settings an import needs, added to an existing site.toml without rewriting it: a table
the file lacks is appended, a key a table lacks goes after the table's last line,
top-level keys above the first table. A key written with another value is left
alone: the caller reports the line to add by hand."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

ADDED, THERE, DIFFERS = "added", "there", "differs"


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of site.toml: `table` is '' for a top-level key, else 'feeds', 'content.fields'."""

    table: str
    key: str
    value: str | int | list[str]

    def line(self) -> str:
        """As the author would write it, with its table: '[feeds] copies = ["/feed.xml"]'."""
        where = f"[{self.table}] " if self.table else ""
        return f"{where}{self.key} = {toml(self.value)}"


def toml(value: str | int | list[str]) -> str:
    """A TOML value; JSON's strings are TOML basic strings."""
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def ensure(text: str, setting: Setting) -> tuple[str, str]:
    """The text with `setting` in it, and ADDED, THERE or DIFFERS (text unchanged)."""
    raw = tomllib.loads(text)
    table = _table(raw, setting.table)
    if table is not None and setting.key in table:
        return text, THERE if table[setting.key] == setting.value else DIFFERS
    new = _insert(text, setting, table is not None)
    if new is None:
        return text, DIFFERS
    try:
        if _table(tomllib.loads(new), setting.table) != {**(table or {}),
                                                          setting.key: setting.value}:
            return text, DIFFERS
    except tomllib.TOMLDecodeError:
        return text, DIFFERS
    return new, ADDED


def value(text: str, table: str, key: str) -> Any:
    """A setting's value in a site.toml text, or None."""
    found = _table(tomllib.loads(text), table)
    return None if found is None else found.get(key)


def _table(raw: dict[str, Any], name: str) -> dict[str, Any] | None:
    for part in name.split(".") if name else ():
        raw = raw.get(part)  # type: ignore[assignment]
        if not isinstance(raw, dict):
            return None
    return raw


def _insert(text: str, setting: Setting, table_exists: bool) -> str | None:
    line = f"{setting.key} = {toml(setting.value)}\n"
    if not text.endswith("\n") and text:
        text += "\n"
    if not setting.table:
        at = _section_end(text, 0)
        return text[:at] + line + text[at:]
    if not table_exists:
        return f"{text}\n[{setting.table}]\n{line}"
    header = re.search(rf"^[ \t]*\[[ \t]*{re.escape(setting.table)}[ \t]*\][ \t]*(#.*)?\n",
                       text, re.MULTILINE)
    if header is None:  # a table written as dotted keys or inline: the author adds it
        return None
    at = _section_end(text, header.end())
    return text[:at] + line + text[at:]


def _section_end(text: str, start: int) -> int:
    """Where a new key of the table whose lines begin at `start` goes: after its last
    line that is not blank, before the next table's header."""
    after = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, start)
    end = after.start() if after else len(text)
    while end > start and text[end - 2:end] == "\n\n":
        end -= 1
    return end
