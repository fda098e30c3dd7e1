"""Tag names → URL slugs, without silent collisions; content/tags.toml."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass

from sitegen.config import find_line
from sitegen.errors import ContentError, shown

TAGS_FILE = "content/tags.toml"

# Characters that carry meaning in tag names such as C++, C# or R&D.
SPELLED = {"+": "-plus-", "#": "-sharp-", "&": "-and-", "@": "-at-"}


@dataclass(frozen=True, slots=True)
class TagInfo:
    """What content/tags.toml says about one tag."""

    name: str | None = None
    description: str = ""
    old_names: tuple[str, ...] = ()


@functools.lru_cache(maxsize=65536)
def key(name: str) -> str:
    """The identity of a tag name: 'Golden Gate' and 'golden  gate' are one tag."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@functools.lru_cache(maxsize=65536)
def slugify(name: str) -> str:
    """A tag name → its URL slug: 'Golden Gate' → 'golden-gate', 'C++' → 'c-plus-plus'."""
    text = key(name)
    for char, word in SPELLED.items():
        text = text.replace(char, word)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFC", stripped)).strip("-_")
    return slug


def check_name(name: str) -> str | None:
    """Why a tag name is unusable, or None when it is fine."""
    if not name.strip():
        return "a tag is empty"
    if name.strip().startswith("/") or ".." in name or "\\" in name:
        return f"tag {shown(name)} looks like a file path; tags are names such as 'svg' or 'C++'"
    if not slugify(name):
        return f"tag {shown(name)} has no letters or digits to make a URL from"
    return None


def load_info(text: str) -> dict[str, TagInfo]:
    """Parse content/tags.toml: one table per tag slug."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ContentError(TAGS_FILE, int(match.group(1)) if match else None,
                           f"not valid TOML: {exc}") from None
    return {slugify(tag): _info(tag, value, text) for tag, value in raw.items()}


def _info(tag: str, value: object, text: str) -> TagInfo:
    known = {"name", "description", "old_names"}
    line = find_line(text, f"[{tag}]") or None
    if not isinstance(value, dict) or not set(value) <= known:
        raise ContentError(TAGS_FILE, line, f"[{shown(tag)}] must be a table with only "
                           f"{', '.join(sorted(known))}")
    old = value.get("old_names", [])
    if not isinstance(old, list) or not all(isinstance(o, str) for o in old):
        raise ContentError(TAGS_FILE, line, f"[{shown(tag)}] old_names must be a list of "
                           "strings, e.g. old_names = [\"old name\"]")
    for field in ("name", "description"):
        if not isinstance(value.get(field, ""), str):
            raise ContentError(TAGS_FILE, line, f"[{shown(tag)}] {field} must be a string, "
                               f"not {shown(value[field])}; put it in quotes")
    name = value.get("name")
    return TagInfo(name=unicodedata.normalize("NFC", name) if name else None,
                   description=value.get("description", ""), old_names=tuple(old))
