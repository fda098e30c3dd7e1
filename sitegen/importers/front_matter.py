"""Front matter as Jekyll and Hugo write it: the block split from the body (YAML `---`,
TOML `+++`, JSON `{…}`), and its fields mapped to sitegen's.

The rule for fields sitegen does not have: a field is kept (declared in
`[content.fields]`) when its name is a plain identifier and every post gives it a text,
a whole or decimal number, a date or a list of texts. Theme switches (`layout`,
`comments`, `toc`, …), true/false values, mappings and mixed values are dropped and
counted in the report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from sitegen.importers.records import ImportedPost, parse_date

YAML_BLOCK = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
TOML_BLOCK = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?\r?\n)?\+\+\+[ \t]*(?:\r?\n|\Z)", re.DOTALL)

TAG_FIELDS = ("tags", "tag", "categories", "category", "series")
UPDATED_FIELDS = ("updated", "lastmod", "last_modified_at", "date-updated", "date_updated",
                  "modified", "last_modified", "updated_at", "update")
DESCRIPTION_FIELDS = ("description", "summary", "subtitle", "excerpt")
IMAGE_FIELDS = ("image", "thumbnail", "cover", "featured_image", "featuredimage",
                "feature_image", "images", "header_image", "og_image")
IMAGE_KEYS = ("path", "feature", "image", "src", "url", "thumbnail", "teaser", "og_image")
# Fields that say how a theme shows a post, not what the post is.
THEME_FIELDS = frozenset((
    "layout", "comments", "comment", "share", "sharing", "social", "toc", "toc_label",
    "toc_icon", "toc_sticky", "mathjax", "math", "katex", "sidebar", "header", "related",
    "author_profile", "read_time", "show_date", "type", "weight", "menu", "markup",
    "outputs", "lang", "language", "locale", "css", "js", "class", "classes", "style",
    "theme", "sitemap", "excerpt_separator", "disqus", "disqus_identifier", "hidden",
    "featured", "pin", "search", "translationkey", "headless", "cascade", "resources",
    "build", "_build", "expirydate", "keywords", "nav", "order", "icon", "color",
    "background", "permalink_name", "modified_time", "published_time", "linktitle"))
# sitegen's own fields: never an extra field.
SITEGEN_FIELDS = frozenset(("title", "date", "updated", "tags", "kind", "slug", "draft",
                            "aliases", "description", "link_url", "link_title", "via_url",
                            "via_title", "source", "source_url", "context", "image", "nav",
                            "meta", "bundle", "dated", "url", "permalink"))
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class FrontMatterError(ValueError):
    """The front matter block is there but cannot be read."""


@dataclass(frozen=True, slots=True)
class Document:
    """A file's front matter fields (names in lower case) and its body."""

    meta: dict[str, Any]
    body: str
    body_line: int  # the file line where the body starts
    format: str  # 'yaml', 'toml', 'json' or '' (none)


@dataclass(frozen=True, slots=True)
class Fields:
    """What the mapped fields give a post, and the names left over."""

    tags: tuple[str, ...]
    updated: dt.datetime | None
    description: str
    image: str
    extra: tuple[tuple[str, Any], ...]
    dropped: tuple[str, ...]


def split(text: str) -> Document:
    """Front matter and body of a file's text; raise FrontMatterError when the block is
    there but is not valid YAML, TOML or JSON."""
    text = text.lstrip("\ufeff")
    for pattern, form in ((YAML_BLOCK, "yaml"), (TOML_BLOCK, "toml")):
        match = pattern.match(text)
        if match:
            return _document(_load(match.group(1) or "", form), text[match.end():],
                             text[:match.end()].count("\n") + 1, form)
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            meta, end = decoder.raw_decode(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"JSON front matter: {exc.msg} (line {exc.lineno})") from None
        rest = text[end:]
        return _document(meta, rest.lstrip("\r\n"), text[:end].count("\n") + 2, "json")
    return Document({}, text, 1, "")


def _document(meta: object, body: str, line: int, form: str) -> Document:
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(f"{form.upper()} front matter is not a mapping of fields")
    lowered: dict[str, Any] = {}
    for key, value in meta.items():
        lowered.setdefault(str(key).lower(), value)
    return Document(lowered, body, line, form)


# A tab after 'key:' or before a '# comment': Ruby's and Go's YAML readers (Jekyll's,
# Hugo's) take it as a space, PyYAML refuses it.
YAML_TAB = re.compile(r"(?<=:)\t+|\t+(?=[ \t]*#)")


def _load(block: str, form: str) -> object:
    try:
        if form == "toml":
            return tomllib.loads(block)
        return yaml.safe_load(YAML_TAB.sub(" ", block))
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        detail = str(exc).replace("\n", " ")
        raise FrontMatterError(f"{form.upper()} front matter: {detail}") from None


def words(value: object, split_text: bool) -> list[str]:
    """A list field (tags, categories): a list, or one text (split at spaces when
    `split_text`, as Jekyll does)."""
    if value is None or isinstance(value, bool | dict):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value
                if v is not None and not isinstance(v, dict | list) and str(v).strip()]
    text = str(value).strip()
    return text.split() if split_text else ([text] if text else [])


def map_fields(meta: Mapping[str, Any], tag_fields: Sequence[str], zone: str,
               handled: Iterable[str], split_text: bool = False) -> Fields:
    """Map tags, updated, description and image; sort the rest into extra and dropped.
    `handled`: fields the importer reads itself (date, slug, draft, …)."""
    tags: list[str] = []
    for name in tag_fields:
        tags += [t for t in words(meta.get(name), split_text) if t not in tags]
    updated_name, updated = _first_date(meta, zone)
    description_name, description = _first_text(meta, DESCRIPTION_FIELDS)
    image_name, image = _first_image(meta)
    used = {*tag_fields, *handled, updated_name, description_name, image_name}
    extra, dropped = [], []
    for name, value in meta.items():
        if name in used or value is None or value == "":
            continue
        kept = _extra_value(name, value)
        if kept is None:
            dropped.append(name)
        else:
            extra.append((name, kept))
    return Fields(tuple(tags), updated, description, image, tuple(extra), tuple(dropped))


def _first_date(meta: Mapping[str, Any], zone: str) -> tuple[str, dt.datetime | None]:
    for name in UPDATED_FIELDS:
        if meta.get(name) not in (None, ""):
            return name, parse_date(meta[name], zone)
    return "", None


def _first_text(meta: Mapping[str, Any], names: Sequence[str]) -> tuple[str, str]:
    for name in names:
        value = meta.get(name)
        if isinstance(value, str | int | float) and not isinstance(value, bool) \
                and str(value).strip():
            return name, " ".join(str(value).split())
    return "", ""


def _first_image(meta: Mapping[str, Any]) -> tuple[str, str]:
    for name in IMAGE_FIELDS:
        image = image_of(meta.get(name))
        if image:
            return name, image
    return "", ""


def image_of(value: object) -> str:
    """An image field's path: a text, the first of a list, or a mapping's path."""
    if isinstance(value, list | tuple):
        return image_of(value[0]) if value else ""
    if isinstance(value, dict):
        for key in IMAGE_KEYS:
            found = image_of(value.get(key))
            if found:
                return found
        return ""
    return value.strip() if isinstance(value, str) else ""


def _extra_value(name: str, value: object) -> object | None:
    if name in THEME_FIELDS or name in SITEGEN_FIELDS or not IDENTIFIER.match(name):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list) and value and all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    return None


def settle_extras(posts: Sequence[ImportedPost]) -> tuple[list[ImportedPost],
                                                          tuple[tuple[str, str], ...],
                                                          Counter[str]]:
    """One type per extra field across all posts: its values made to fit it (numbers and
    dates given as text where others are text), or the field dropped when lists and
    single values mix. Returns the posts, the fields' types and the dropped fields."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        for name, value in post.extra:
            kinds[name].add(_type_of(value))
    types = {name: _settled(found) for name, found in kinds.items()}
    dropped: Counter[str] = Counter()
    settled = []
    for post in posts:
        extra = []
        for name, value in post.extra:
            if types[name] is None:
                dropped[name] += 1
            else:
                extra.append((name, _fit(value, types[name] or "string")))
        settled.append(replace(post, extra=tuple(extra)) if post.extra else post)
    fields = tuple(sorted((n, t) for n, t in types.items() if t is not None))
    return settled, fields, dropped


def _type_of(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str) and parse_date(value) is not None and re.match(r"\d{4}-", value):
        return "date"
    return "string"


def _settled(found: set[str]) -> str | None:
    if len(found) == 1:
        return next(iter(found))
    if "list" in found:
        return None
    if found == {"int", "float"}:
        return "float"
    return "string"


def _fit(value: object, kind: str) -> object:
    if kind == "string":
        return str(value)
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    return value
