"""Front matter: the block between '---' lines at the top of a post, read as strict YAML
(no duplicate keys, anchors or tags) and checked to give each field its type."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Hashable
from typing import Any

import yaml

from sitegen.config import find_line
from sitegen.errors import BuildErrors, ContentError, cut, shown

# In the order an error message lists them.
FIELDS = ("title", "date", "updated", "tags", "kind", "slug", "draft", "aliases",
          "description", "link_url", "link_title", "via_url", "via_title",
          "source", "source_url", "context")
# Characters XML 1.0 forbids: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TEXT_FIELDS = ("title", "link_title", "via_title", "source", "context", "description",
               "slug")
URL_FIELDS = ("link_url", "via_url", "source_url")
URL_SCHEMES = ("http", "https", "mailto")
# A URL's scheme, as a browser reads it: after leading spaces and control characters,
# with tabs and line breaks anywhere left out.
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
URL_IGNORED = re.compile(r"[\t\n\r]")
# Where a YAML anchor (&a), alias (*a) or tag (!t) may start: at the start of a node.
NODE_PROPERTY = re.compile(r"(?:^|[\s\[\]{},:?-])[&*!]")


def split(path: str, text: str) -> tuple[dict[str, Any], str]:
    """A post's text (starting with '---') → its front matter fields and its body."""
    lines = text.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")),
               None)
    if end is None:
        raise ContentError(path, 1, "front matter is not closed; add a line '---' after it")
    meta = _load_yaml(path, "".join(lines[1:end]))
    return meta, "".join(lines[end + 1:])


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

    def error(self, field: str, message: str) -> ContentError:
        return ContentError(self.path, find_line(self.text, field) or 1, message)

    def written(self, field: str) -> str:
        """What follows 'field:' on its line, cut short: the value as the author wrote it."""
        line = find_line(self.text, field)
        if line is None:
            return ""
        text = self.text.split("\n", line)[line - 1]
        return cut(text.partition(":")[2].strip())


def check(meta: dict[str, Any], where: FieldLines) -> None:
    """Every field is known and holds its type; raise ContentError at the field's line."""
    _check_fields(meta, where)
    _check_types(meta, where)


def _check_fields(meta: dict[str, Any], where: FieldLines) -> None:
    """Every field is known: raise one error per unknown field, each at its line."""
    errors = [where.error(str(name), _unknown_field(str(name)))
              for name in meta if str(name) not in FIELDS]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BuildErrors(errors)


def _unknown_field(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(FIELDS), n=1)
    if close:
        return f"unknown front matter field {shown(name)}; did you mean '{close[0]}'?"
    return (f"unknown front matter field {shown(name)}; remove it (known fields: "
            f"{', '.join(FIELDS)})")


def _check_types(meta: dict[str, Any], where: FieldLines) -> None:
    """Each field holds its type: text, true/false, a date, or a list of text. An empty
    field ('title:') counts as not given."""
    for name, value in meta.items():
        if value is None or name == "kind":  # kind: content checks it against its KINDS
            continue
        if name in TEXT_FIELDS or name in URL_FIELDS:
            problem = _text_problem(name, value, where)
            if not problem and name in URL_FIELDS:
                problem = _url_problem(name, value)
        elif name == "draft":
            problem = _bool_problem(value)
        elif name in ("date", "updated"):
            problem = _date_type_problem(name, value, where)
        else:
            problem = _list_problem(name, value, where)
        if problem:
            raise where.error(name, problem)


def _what(value: object) -> str:
    """What kind of YAML value this is, as an error message names it."""
    if isinstance(value, _Number):
        return "a number"
    if isinstance(value, str):
        return "the text"
    kinds = ((bool, "true/false"), (dt.date, "a date"), (list, "a list"),
             (dict, "a mapping"), (bytes, "binary data"), (set, "a set"))
    found = next((name for kind, name in kinds if isinstance(value, kind)), None)
    return found or ("empty (null)" if value is None else f"a {type(value).__name__}")


def _text_problem(field: str, value: object, where: FieldLines) -> str | None:
    if type(value) is str:
        return None
    written = where.written(field)
    if not written:
        return (f"'{field}' must be text, not {_what(value)}; write it on one line, "
                f'e.g. {field}: "…"')
    quoted = written.replace("\\", "\\\\").replace('"', '\\"')
    return (f"'{field}' must be text, not {_what(value)}: {written}; put it in quotes: "
            f'{field}: "{quoted}"')


def _url_problem(field: str, value: str) -> str | None:
    """A URL must be http, https or mailto, or a path (no scheme): never javascript:,
    data: or vbscript:. Read as a browser reads it, ignoring tabs, line breaks and
    leading spaces or control characters."""
    cleaned = URL_IGNORED.sub("", FORBIDDEN.sub("", value)).strip()
    scheme = URL_SCHEME.match(cleaned)
    if scheme is None or scheme.group(1).lower() in URL_SCHEMES:
        return None
    return (f"{field}: {shown(value.strip())} is not allowed (scheme "
            f"'{cut(scheme.group(1), 20)}:'); use an http, https or mailto URL, "
            "or a path on this site such as /about/")


def _bool_problem(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    return (f"'draft' must be true or false, not {_described(value, _short(value))}; "
            "write draft: true or draft: false, without quotes")


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
    return (f"'{field}' must be a date, not {_described(value, _got(field, value, where))}; "
            "write e.g. "
            f"'{field}: 2025-11-22' or '{field}: 2025-11-22T14:30:00+01:00'")


def _list_problem(field: str, value: object, where: FieldLines) -> str | None:
    """tags and aliases: one text, or a list of texts (numbers count as text)."""
    example = "tags: [svg, python]" if field == "tags" else "aliases: [/2024/Feb/3/old-name/]"
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
