"""Rewriting a post's tags in its text, changing nothing else: the other fields, their
order and quoting, comments, line endings, a byte order mark and the body stay as they
were, byte for byte. Only the spans of the tag items (or of the one tag text) change; the
result is parsed again and refused when it does not hold what was meant."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

import yaml

from sitegen import frontmatter, tags
from sitegen.config import find_line
from sitegen.errors import ContentError, shown

BOM = "\ufeff"
TOML_TAGS = re.compile(r"""^[ \t]*(?:tags|"tags"|'tags')[ \t]*=[ \t]*""", re.MULTILINE)
TOML_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
HAND = "; change its tags by hand"



@dataclass(frozen=True, slots=True)
class Rename:
    """Tags whose slug is one of `olds` become `new`; a post keeps one of them (or of
    `new` in any spelling), at the place of the first."""

    olds: frozenset[str]
    new: str

    def renamed(self, name: str) -> bool:
        return tags.slugify(name) in self.olds

    def target(self, name: str) -> bool:
        """The tag is one of those that become one."""
        return self.renamed(name) or tags.slugify(name) == tags.slugify(self.new)

    def written(self, name: str) -> str:
        return self.new if self.renamed(name) else name


@dataclass(frozen=True, slots=True)
class Item:
    """One tag as written in the front matter: where (offsets in the text), how
    ('' plain, '"' or "'" quoted, or a YAML block style) and what it reads as."""

    start: int
    end: int
    style: str
    value: str


@dataclass(frozen=True, slots=True)
class Value:
    """The value of `tags`: a list of items, or one text (split at commas)."""

    items: tuple[Item, ...]
    listed: bool
    flow: bool = True  # a YAML list in brackets (else one item a line)
    toml: bool = False


def retag(path: str, text: str, rename: Rename) -> str | None:
    """The post's text with each tag that `rename` renames written anew (a renamed tag
    that the post already has, in any spelling, is left out: one tag, at the place of
    the first); None when the post has none of those tags. ContentError when the text
    cannot be rewritten safely."""
    bom = BOM if text.startswith(BOM) else ""
    plain = text.removeprefix(bom)
    if not plain.startswith(tuple(frontmatter.FENCES)):
        return None
    meta, body = frontmatter.split(path, plain)
    wanted = expected_tags(_tag_list(meta.get("tags")), rename)
    if wanted is None:
        return None
    start = plain.index("\n") + 1
    head = plain[:len(plain) - len(body)]
    end = head.rfind("\n", 0, len(head.rstrip("\r\n"))) + 1  # the closing fence's line
    block = plain[start:end]
    value = _locate(path, plain, block)
    result = plain[:start] + _apply(block, _edits(value, rename)) + plain[end:]
    _verify(path, plain, result, wanted)
    return bom + result


def expected_tags(written: list[str], rename: Rename) -> list[str] | None:
    """The tags a post should have after the renaming, None when none is renamed."""
    if not any(rename.renamed(name) for name in written):
        return None
    result: list[str] = []
    for name in written:
        if not rename.target(name) or not any(rename.target(n) for n in result):
            result.append(rename.written(name))
    return result


def _tag_list(raw: object) -> list[str]:
    """The tags as the post's parser reads them: a list, or a text split at commas."""
    if not raw:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [" ".join(str(item).split()) for item in items]


def _locate(path: str, text: str, block: str) -> Value:
    if text.startswith("+++"):
        return _toml_value(path, text, block)
    return _yaml_value(path, text, block)


# YAML


def _yaml_value(path: str, text: str, block: str) -> Value:
    root = yaml.compose(block, Loader=yaml.SafeLoader)
    node = next((v for k, v in root.value if k.value == "tags"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if isinstance(node, yaml.ScalarNode):
        return Value((_yaml_item(node),), listed=False)
    if isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.ScalarNode) for n in node.value):
        return Value(tuple(_yaml_item(n) for n in node.value), listed=True,
                     flow=bool(node.flow_style))
    raise _cannot(path, text, "its 'tags' is not a list of names")


def _yaml_item(node: yaml.ScalarNode) -> Item:
    return Item(node.start_mark.index, node.end_mark.index, node.style or "", str(node.value))


def _yaml_name(name: str, style: str, flow: bool) -> str:
    """A tag name as a YAML item: as the old one was quoted, or plain when that reads
    back as the name, else in double quotes."""
    if style == "'":
        return "'" + name.replace("'", "''") + "'"
    if style == "" and _reads_back(name, flow):
        return name
    return json.dumps(name, ensure_ascii=False)


def _reads_back(name: str, flow: bool) -> bool:
    written = f"[{name}]" if flow else f"- {name}"
    try:
        return bool(yaml.safe_load(written) == [name]) and "#" not in name
    except yaml.YAMLError:
        return False


# TOML


def _toml_value(path: str, text: str, block: str) -> Value:
    found = TOML_TAGS.search(block)
    header = TOML_HEADER.search(block)
    if found is None or (header is not None and header.start() < found.start()):
        raise _cannot(path, text, "its 'tags' line was not found")
    position = found.end()
    if block.startswith("[", position):
        return Value(toml_array(path, text, block, position + 1)[0], listed=True, toml=True)
    return Value((_toml_string(path, text, block, position),), listed=False, toml=True)


def toml_array(path: str, text: str, block: str, position: int) -> tuple[tuple[Item, ...], int]:
    """The texts of a TOML array that starts after its '[' at `position`, and where its
    ']' is."""
    items: list[Item] = []
    while True:
        position = _skip_toml_space(block, position)
        if position >= len(block):
            raise _cannot(path, text, "its 'tags' list is not closed")
        if block[position] == "]":
            return tuple(items), position
        item = _toml_string(path, text, block, position)
        items.append(item)
        position = item.end


def _skip_toml_space(block: str, position: int) -> int:
    while position < len(block):
        char = block[position]
        if char == "#":
            newline = block.find("\n", position)
            position = len(block) if newline < 0 else newline
        elif char in " \t\r\n,":
            position += 1
        else:
            break
    return position


def _toml_string(path: str, text: str, block: str, start: int) -> Item:
    quote = block[start:start + 1]
    if quote not in ('"', "'") or block.startswith(quote * 3, start):
        raise _cannot(path, text, "its 'tags' holds something other than one-line texts")
    end = start + 1
    while end < len(block) and block[end] != quote:
        end += 2 if quote == '"' and block[end] == "\\" else 1
    raw = block[start:end + 1]
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        raise _cannot(path, text, "its 'tags' holds a text that could not be read") from None
    return Item(start, end + 1, quote, str(value))


def toml_name(name: str, style: str = '"') -> str:
    """A text as TOML writes it: as a literal ('…') when it was one and can be."""
    if style == "'" and "'" not in name and "\n" not in name:
        return f"'{name}'"
    return json.dumps(name, ensure_ascii=False)


# Edits


Edit = tuple[int, int, str]  # replace text[start:end] with this


def _edits(value: Value, rename: Rename) -> list[Edit]:
    if not value.listed:
        return [_text_edit(value, value.items[0], rename)]
    edits: list[Edit] = []
    seen = False
    for index, item in enumerate(value.items):
        name = " ".join(item.value.split())
        if not rename.target(name):
            continue
        if seen:
            edits.append(_removal(value, index))
        elif rename.renamed(name) and rename.new != item.value:
            written = toml_name(rename.new, item.style) if value.toml \
                else _yaml_name(rename.new, item.style, value.flow)
            edits.append((item.start, item.end, written))
        seen = True
    return edits


def _removal(value: Value, index: int) -> Edit:
    """Leave out an item: with the comma before it (or after it, the first), or, in a
    YAML list of one item a line, the whole line (its removal is checked afterwards)."""
    items = value.items
    if not value.flow and not value.toml:
        return (items[index].start, items[index].end, "\0line")
    if index > 0:
        return (items[index - 1].end, items[index].end, "")
    return (items[index].start, items[index + 1].start, "")


def _text_edit(value: Value, item: Item, rename: Rename) -> Edit:
    """One text of names separated by commas ('a, b'): each renamed where it stands,
    spaces kept; written as it was quoted, or plain when it reads back."""
    pieces = item.value.split(",")
    kept: list[str] = []
    seen = False
    for piece in pieces:
        name = " ".join(piece.split())
        if rename.target(name) and seen:
            continue
        seen = seen or rename.target(name)
        if rename.renamed(name):
            lead = piece[:len(piece) - len(piece.lstrip())]
            piece = lead + rename.new + piece[len(piece.rstrip()):]
        kept.append(piece)
    joined = ",".join(kept)
    if kept[-1] is not pieces[-1]:  # the last left out: no space before its comma stays
        joined = joined.rstrip() + item.value[len(item.value.rstrip()):]
    if value.toml:
        return (item.start, item.end, toml_name(joined, item.style))
    if item.style == "" and _reads_back(joined, flow=False):
        return (item.start, item.end, joined)
    return (item.start, item.end, _yaml_name(joined, item.style or '"', flow=False))


def _apply(block: str, edits: list[Edit]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        if new == "\0line":
            start = block.rfind("\n", 0, start) + 1
            newline = block.find("\n", end)
            end = len(block) if newline < 0 else newline + 1
            new = ""
        block = block[:start] + new + block[end:]
    return block


# Checking


def _verify(path: str, before: str, after: str, wanted: list[str]) -> None:
    """The rewritten post reads as the old one but for its tags, which are `wanted`;
    else ContentError: nothing is written."""
    old_meta, old_body = frontmatter.split(path, before)
    try:
        new_meta, new_body = frontmatter.split(path, after)
    except ContentError as exc:
        raise _cannot(path, before, f"the rewritten front matter would not read ({exc.message})") \
            from None
    others = [(k, v) for k, v in old_meta.items() if k != "tags"]
    if new_body != old_body or others != [(k, v) for k, v in new_meta.items() if k != "tags"] \
            or list(old_meta) != list(new_meta):
        raise _cannot(path, before, "rewriting its tags would change other fields")
    got = _tag_list(new_meta.get("tags"))
    if got != wanted:
        raise _cannot(path, before, f"its tags would read as {_names(got)}, not {_names(wanted)}")


def _names(names: list[str]) -> str:
    return "[" + ", ".join(shown(n) for n in names) + "]"


def _cannot(path: str, text: str, why: str) -> ContentError:
    return ContentError(path, find_line(text, "tags"), f"cannot rewrite this post's tags "
                        f"safely: {why}{HAND}, then run the command again")
