"""Front matter: the block at the top of a post, between '---' lines (strict YAML: no
duplicate keys, anchors or tags) or '+++' lines (TOML, as Hugo writes it), checked to
give each field its type; and files that look like posts of another generator."""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from sitegen import dates
from sitegen.config import find_line
from sitegen.errors import ContentError, cut, shown

# In the order an error message lists them.
FIELDS = ("title", "date", "updated", "tags", "kind", "slug", "draft", "aliases",
          "description", "link_url", "link_title", "via_url", "via_title",
          "source", "source_url", "context", "image", "nav")
# Characters XML 1.0 forbids: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TEXT_FIELDS = ("title", "link_title", "via_title", "source", "context", "description",
               "slug")
URL_FIELDS = ("link_url", "via_url", "source_url")
URL_SCHEMES = ("http", "https", "mailto")
IMAGE_SCHEMES = ("http", "https")
# A URL's scheme, as a browser reads it: after leading spaces and control characters,
# with tabs and line breaks anywhere left out.
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
URL_IGNORED = re.compile(r"[\t\n\r]")
# Where a YAML anchor (&a), alias (*a) or tag (!t) may start: at the start of a node.
NODE_PROPERTY = re.compile(r"(?:^|[\s\[\]{},:?-])[&*!]")
SUGGEST_CUTOFF = 0.8  # how alike an unknown field and a known one must be to suggest it
WHOLE_NUMBER = re.compile(r"[-+]?\d+")
# The fences front matter may sit between, and the lines that may close each.
FENCES = {"---": ("---", "..."), "+++": ("+++",)}
# Another generator's post: Pelican's 'Key: value' header lines, Hugo's JSON front matter.
PELICAN_KEYS = frozenset({"title", "date", "modified", "tags", "category", "slug",
                          "author", "authors", "summary", "lang", "status", "template"})
HEADER_LINE = re.compile(r"([A-Za-z][\w-]*):(?:[ \t]+\S.*)?\n?")
JSON_START = re.compile(r'\{\s*"[^"\n]*"\s*:')


def split(path: str, text: str) -> tuple[dict[str, Any], str]:
    """A post's text (starting with '---' or '+++') → its front matter fields and its
    body."""
    fence = text[:3]
    lines = text.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in FENCES[fence]),
               None)
    if end is None:
        raise ContentError(path, 1, f"front matter is not closed; add a line '{fence}' "
                           "after it")
    block = "".join(lines[1:end])
    meta = _load_toml(path, block) if fence == "+++" else _load_yaml(path, block)
    return meta, "".join(lines[end + 1:])


def _load_toml(path: str, text: str) -> dict[str, Any]:
    """TOML front matter, its values given the types YAML's would have: numbers kept as
    written, so that the same checks apply."""
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem, _, at = str(exc).partition(" (at line ")
        line = int(at.split(",")[0]) if at[:1].isdigit() else None
        lines = text.splitlines()
        hint = _toml_hint(lines[line - 1] if line and line <= len(lines) else "")
        raise ContentError(path, line + 1 if line else 1,
                           f"front matter is not valid TOML: {problem}{hint}") from None
    return {key: _from_toml(value) for key, value in meta.items()}


def _toml_hint(line: str) -> str:
    key, _, value = line.partition("=")
    value = value.strip()
    if re.match(r"\d{4}-", value):
        return f"; {key.strip()} {shown(value)} is not a date: {dates.explain(value)}"
    return "; put text in quotes, e.g. title = \"My post\""


def _from_toml(value: object) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _Number(value)
    if isinstance(value, list):
        return [_from_toml(item) for item in value]
    if isinstance(value, dict):
        return {key: _from_toml(item) for key, item in value.items()}
    return value


def foreign(path: str, text: str) -> ContentError | None:
    """An error for a file that holds a post in another generator's format instead of
    front matter, naming the importer that converts it; None when it does not."""
    if path.endswith((".rst", ".rest")):
        message = ("is reStructuredText, which sitegen does not read; convert it with "
                   "'sitegen import pelican SOURCE' (or move it out of content/)")
    elif JSON_START.match(text):
        message = ("looks like a Hugo post with JSON front matter ('{' … '}' at the top); "
                   "convert it with 'sitegen import hugo SOURCE', or put the fields "
                   "between '---' lines as YAML")
    elif _pelican_header(text):
        message = ("looks like a Pelican post ('Title: …' header lines instead of front "
                   "matter between '---'); convert it with 'sitegen import pelican "
                   "SOURCE', or put the fields between '---' lines")
    else:
        return None
    return ContentError(path, 1, message, kind=message)


def _pelican_header(text: str) -> bool:
    """The file opens with 'Key: value' lines, one of them a title or a date."""
    keys = []
    for line in text.splitlines(keepends=True):
        match = HEADER_LINE.fullmatch(line)
        if match is None:
            break
        keys.append(match.group(1).lower())
    return bool(keys) and keys[0] in PELICAN_KEYS and bool({"title", "date"} & set(keys))


def _load_yaml(path: str, text: str) -> dict[str, Any]:
    try:
        _refuse_anchors_and_tags(text)
        meta = yaml.load(text, Loader=_FrontMatterLoader) if text.strip() else {}
    except _Refused as exc:
        raise ContentError(path, exc.line + 2, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = cut(getattr(exc, "problem", None) or str(exc), 200)
        hint = "; put values that contain ':' or '#' in quotes" if "mapping" in problem \
            or "':'" in problem else ""
        raise ContentError(path, line, f"front matter is not valid YAML: {problem}{hint}") \
            from None
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "front matter must be a mapping of fields such as "
                           f"'title: …' and 'date: …', not {_what(meta)}")
    return meta


class _Number(str):
    """A YAML number, kept as written ('007' stays '007'), so that a field that wants
    text can say it was not quoted."""

    __slots__ = ()


class _Refused(yaml.YAMLError):
    """YAML that front matter does not take, at a line of the front matter (from 0)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _FrontMatterLoader(yaml.CSafeLoader):
    """Safe YAML, with duplicate keys refused, numbers kept as written, and impossible
    timestamps ('2025-02-29') kept as text for the date check to explain."""

    def construct_mapping(self, node: yaml.MappingNode,
                          deep: bool = False) -> dict[Hashable, Any]:
        mapping = super().construct_mapping(node, deep)
        if len(mapping) < len(node.value):
            _refuse_duplicates(self, node)
        return mapping


def _refuse_duplicates(loader: _FrontMatterLoader, node: yaml.MappingNode) -> None:
    first: dict[Hashable, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line
        if key in first:
            raise _Refused(line, f"{shown(str(key))} appears twice in the front matter (also "
                           f"on line {first[key] + 2}); keep one of them")
        first[key] = line


def _number(loader: _FrontMatterLoader, node: yaml.ScalarNode) -> _Number:
    return _Number(node.value)


def _timestamp(loader: _FrontMatterLoader, node: yaml.ScalarNode) -> dt.date | str:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return str(node.value)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _number)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:float", _number)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _refuse_anchors_and_tags(text: str) -> None:
    """Anchors and aliases could make a small document huge (an alias bomb); explicit
    tags ('!!bool maybe') reach constructors with values they do not expect."""
    if not NODE_PROPERTY.search(text):
        return
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        line = event.start_mark.line if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "anchors and aliases (&name / *name) are "
                           "not supported in front matter; write each value out in full")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Refused(line, f"YAML tags such as {shown(tag)} are "
                           "not supported in front matter; write the value without it")


class FieldLines:
    """Finds the line of a front-matter field, for error messages."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.assign = " = " if text.startswith("+++") else ": "  # TOML or YAML

    def error(self, field: str, message: str, kind: str | None = None) -> ContentError:
        return ContentError(self.path, find_line(self.text, field) or 1, message, kind)

    def written(self, field: str) -> str:
        """What follows 'field:' on its line, cut short: the value as the author wrote it."""
        line = find_line(self.text, field)
        if line is None:
            return ""
        text = self.text.split("\n", line)[line - 1]
        return cut(re.split(r"[:=]", text, maxsplit=1)[-1].strip())


@dataclass(frozen=True, slots=True)
class Checked:
    """Front matter, checked: the built-in fields that hold their type, the declared
    extra fields as JSON values (dates as ISO text), and an error for each other field."""

    fields: dict[str, Any]
    meta: dict[str, Any]
    errors: list[ContentError] = field(default_factory=list)


def check(meta: dict[str, Any], where: FieldLines,
          declared: Mapping[str, str] | None = None) -> Checked:
    """Every field is known (built in, or declared in [content.fields] with its type)
    and holds its type; an error at the line of each field that does not."""
    declared = declared or {}
    checked = Checked({}, dict.fromkeys(declared))  # a field left out reads as None
    for name, value in meta.items():
        key = str(name)
        if key in FIELDS:
            problem = _type_problem(key, value, where)
            target = checked.fields
        elif key in declared:
            value, problem = _declared(key, declared[key], value, where)
            target = checked.meta
        else:
            message = _unknown_field(key, declared)
            checked.errors.append(where.error(key, message, kind=message))
            continue
        if problem:
            checked.errors.append(where.error(key, problem))
        elif value is not None:
            target[key] = value
    return checked


def _unknown_field(name: str, declared: Mapping[str, str]) -> str:
    close = suggestion(name, (*FIELDS, *declared))
    if close:
        return f"unknown front matter field {shown(name)}; did you mean '{close}'?"
    return (f"unknown front matter field {shown(name)}; remove it, or declare it in "
            f"site.toml [content.fields] (known fields: {', '.join(FIELDS)})")


def suggestion(name: str, known: tuple[str, ...]) -> str | None:
    """The known name `name` is a likely typo of ('titel' → 'title', 'Tags' → 'tags'),
    or None: a suggestion only when the two are close ('seriestitle' is not 'title')."""
    lower = {k.lower(): k for k in known}
    if name.lower() in lower:
        return lower[name.lower()]
    import difflib  # only for a name that is not known
    close = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=SUGGEST_CUTOFF)
    return lower[close[0]] if close else None


def _type_problem(name: str, value: object, where: FieldLines) -> str | None:
    """Each field holds its type: text, true/false, a date, a whole number, or a list of
    text. An empty field ('title:') counts as not given."""
    if value is None or name == "kind":  # kind: content checks it against its KINDS
        return None
    if name in TEXT_FIELDS or name in URL_FIELDS or name == "image":
        problem = _text_problem(name, value, where)
        if not problem and name in URL_FIELDS:
            problem = _url_problem(name, str(value))
        if not problem and name == "image":
            problem = _url_problem(name, str(value), IMAGE_SCHEMES)
        return problem
    if name == "draft":
        return _bool_problem(name, value, where)
    if name in ("date", "updated"):
        return _date_type_problem(name, value, where)
    if name == "nav":
        return _nav_problem(value, where)
    return _list_problem(name, value, where)


def _declared(name: str, kind: str, value: object,
              where: FieldLines) -> tuple[Any, str | None]:
    """A field declared in [content.fields]: its value as JSON, or what is wrong."""
    if value is None:
        return None, None
    if kind in ("string", "url"):
        problem = _text_problem(name, value, where)
        if not problem and kind == "url":
            problem = _url_problem(name, str(value))
        return FORBIDDEN.sub("", str(value)).strip(), problem
    if kind == "list":
        problem = _list_problem(name, value, where)
        items = value if isinstance(value, list) else [value]
        return (None, problem) if problem else ([str(item) for item in items], None)
    if kind == "bool":
        return value, _bool_problem(name, value, where)
    if kind == "date":
        return _declared_date(name, value, where)
    return _declared_number(name, kind, value, where)


def _declared_number(name: str, kind: str, value: object,
                     where: FieldLines) -> tuple[Any, str | None]:
    if isinstance(value, _Number) and WHOLE_NUMBER.fullmatch(value):
        return int(value), None
    if kind == "float" and isinstance(value, _Number):
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number, None
    what = "a whole number" if kind == "int" else "a number"
    example = "3" if kind == "int" else "4.5"
    got = _short(value) if type(value) is str else _got(name, value, where)
    return None, (f"'{name}' must be {what}, not {_described(value, got)}; "
                  f"write e.g. {name}{where.assign}{example}")


def _declared_date(name: str, value: object, where: FieldLines) -> tuple[Any, str | None]:
    if isinstance(value, dt.date):
        return value.isoformat(), None
    problem = _date_type_problem(name, value, where)
    if problem:
        return None, problem
    try:
        return dates.parse(str(value)).isoformat(), None
    except ValueError as exc:
        return None, f"{name}: {shown(str(value).strip())} is not a date: {exc}"


def _nav_problem(value: object, where: FieldLines) -> str | None:
    if isinstance(value, _Number) and WHOLE_NUMBER.fullmatch(value) and int(value) >= 1:
        return None
    return (f"'nav' must be a whole number from 1 (its place in the header navigation), "
            f"not {_got('nav', value, where)}; write e.g. "
            f"nav{where.assign}2, or leave it out to keep the page out of the navigation")


def _what(value: object) -> str:
    """What kind of YAML value this is, as an error message names it."""
    if isinstance(value, _Number):
        return "a number"
    if isinstance(value, str):
        return "the text"
    kinds = ((bool, "true/false"), (dt.date, "a date"), (dt.time, "a time"), (list, "a list"),
             (dict, "a mapping"), (bytes, "binary data"), (set, "a set"))
    found = next((name for kind, name in kinds if isinstance(value, kind)), None)
    return found or ("empty (null)" if value is None else f"a {type(value).__name__}")


def _text_problem(field: str, value: object, where: FieldLines) -> str | None:
    if type(value) is str:
        return None
    written = where.written(field)
    if not written:
        return (f"'{field}' must be text, not {_what(value)}; write it on one line, "
                f'e.g. {field}{where.assign}"…"')
    quoted = written.replace("\\", "\\\\").replace('"', '\\"')
    return (f"'{field}' must be text, not {_what(value)}: {written}; put it in quotes: "
            f'{field}{where.assign}"{quoted}"')


def _url_problem(field: str, value: str, schemes: tuple[str, ...] = URL_SCHEMES) -> str | None:
    """A URL must be http, https or mailto, or a path (no scheme): never javascript:,
    data: or vbscript:. Read as a browser reads it, ignoring tabs, line breaks and
    leading spaces or control characters."""
    cleaned = URL_IGNORED.sub("", FORBIDDEN.sub("", value)).strip()
    scheme = URL_SCHEME.match(cleaned)
    if scheme is None or scheme.group(1).lower() in schemes:
        return None
    if schemes == IMAGE_SCHEMES:
        return (f"{field}: {shown(value.strip())} is not allowed (scheme "
                f"'{cut(scheme.group(1), 20)}:'); use an http or https URL, a path on "
                "this site such as /img/photo.png, or a file beside the post")
    return (f"{field}: {shown(value.strip())} is not allowed (scheme "
            f"'{cut(scheme.group(1), 20)}:'); use an http, https or mailto URL, "
            "or a path on this site such as /about/")


def _bool_problem(name: str, value: object, where: FieldLines) -> str | None:
    if isinstance(value, bool):
        return None
    return (f"'{name}' must be true or false, not {_described(value, _short(value))}; "
            f"write {name}{where.assign}true or {name}{where.assign}false, without quotes")


def _short(value: object) -> str:
    """A value for a message: numbers as written, the rest quoted and cut short."""
    return str(value) if isinstance(value, _Number) else shown(value)


def _got(field: str, value: object, where: FieldLines) -> str:
    """A field's value for a message: as written on its line, else as read."""
    return where.written(field) or _short(value)


def _described(value: object, got: str) -> str:
    """"the text 'false'", "a number: 1", "empty (null)": what a field got."""
    if value is None:
        return _what(value)
    return f"the text {got}" if type(value) is str else f"{_what(value)}: {got}"


def _date_type_problem(field: str, value: object, where: FieldLines) -> str | None:
    if isinstance(value, str | dt.date):
        return None
    written = _got(field, value, where)
    return (f"'{field}' must be a date, not {_described(value, written)}; write e.g. "
            f"'{field}{where.assign}2025-11-22' or "
            f"'{field}{where.assign}2025-11-22T14:30:00+01:00'")


def _list_problem(field: str, value: object, where: FieldLines) -> str | None:
    """tags and aliases: one text, or a list of texts (numbers count as text)."""
    example = {"tags": "[svg, python]", "aliases": "[/2024/Feb/3/old-name/]"}.get(field, "[a, b]")
    if where.assign == " = ":  # TOML quotes every text in a list
        example = "[" + ", ".join(f'"{item}"' for item in example[1:-1].split(", ")) + "]"
    example = f"{field}{where.assign}{example}"
    if isinstance(value, str):
        return None
    if not isinstance(value, list):
        return (f"'{field}' must be a list such as {example}, "
                f"not {_described(value, _got(field, value, where))}")
    bad = [item for item in value if not isinstance(item, str)][:1]
    if not bad:
        return None
    return (f"'{field}' must be a list of names such as {example}, but one item is "
            f"{_described(bad[0], _short(bad[0]))}; write each as text "
            "(in quotes if it looks like a number, date or true/false)")
