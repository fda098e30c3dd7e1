"""Tag names → URL slugs, without silent collisions; content/tags.toml."""

from __future__ import annotations

import functools
import html
import json
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.config import CONTROL, decode, find_line, toml_value
from sitegen.errors import BuildErrors, ContentError, cut, shown
from sitegen.frontmatter import FORBIDDEN

TAGS_FILE = "content/tags.toml"
KEYS = ("name", "description", "old_names")

# Characters that carry meaning in tag names such as C++, C# or R&D.
SPELLED = {"+": "-plus-", "#": "-sharp-", "&": "-and-", "@": "-at-"}


@dataclass(frozen=True, slots=True)
class TagInfo:
    """What content/tags.toml says about one tag."""

    name: str | None = None
    description: str = ""
    old_names: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)
    """The line of the tag's table in tags.toml, for error messages."""


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


def first_sentence(description_html: str) -> str:
    """A tag's description (as HTML) → its first sentence as plain text: what the tags
    index and the tag page's meta description show, where a whole paragraph, or its
    links and emphasis, would crowd the list. A sentence ends at '.', '!', '?' or '…'
    followed by a space and a capital, so 'e.g. a' or 'v1.2' do not end it."""
    text = " ".join(html.unescape(_MARKUP.sub("", description_html)).split())
    for end in _SENTENCE_END.finditer(text):
        if text[end.end():end.end() + 1].isupper():
            return text[:end.end()].rstrip()
    return text


_MARKUP = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s+")


def check_name(name: str) -> str | None:
    """Why a tag name is unusable, or None when it is fine."""
    if not name.strip():
        return "a tag is empty; remove the empty item"
    bad = CONTROL.search(name)
    if bad:
        return (f"tag {shown(name)} holds a control character (U+{ord(bad.group()):04X}), "
                "which pages and feeds cannot carry; remove it")
    if name.strip().startswith("/") or ".." in name or "\\" in name:
        return f"tag {shown(name)} looks like a file path; tags are names such as 'svg' or 'C++'"
    if not slugify(name):
        return f"tag {shown(name)} has no letters or digits to make a URL from"
    return None


def load(site_dir: Path) -> dict[str, TagInfo]:
    """Read content/tags.toml, when there is one."""
    path = site_dir / TAGS_FILE
    if not path.exists():
        return {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(TAGS_FILE, None, f"cannot be read ({exc.strerror or exc}); make "
                           "it a readable file, or remove it") from None
    return load_info(data)


def load_info(data: str | bytes) -> dict[str, TagInfo]:
    """Parse content/tags.toml: one table per tag; raise every error it holds."""
    text = data if isinstance(data, str) else decode(TAGS_FILE, data, ContentError)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ContentError(TAGS_FILE, int(match.group(1)) if match else None,
                           f"not valid TOML: {exc}") from None
    infos: dict[str, TagInfo] = {}
    tables: dict[str, str] = {}
    errors: list[ContentError] = []
    headers = _header_lines(text)
    for tag, value in raw.items():
        try:
            info = _info(tag, value, text, headers.get(tag) or _table_line(text, (tag,)))
        except (ContentError, BuildErrors) as exc:
            errors.extend(_errors(exc))
            continue
        slug = slugify(tag)
        if slug in tables:
            errors.append(ContentError(TAGS_FILE, info.line, f"{_table(tag)} and "
                          f"{_table(tables[slug])} are one tag (/tags/{cut(slug)}/); "
                          "merge the two tables"))
        infos[slug], tables[slug] = info, tag
    errors.extend(_shared_old_names(infos, tables))
    _raise(errors)
    return infos


def check_renamed(info: Mapping[str, TagInfo], used: Mapping[str, str]) -> list[ContentError]:
    """Old names (old_names) that are also tags in use. `used`: slug → a post using it."""
    return [ContentError(TAGS_FILE, tag.line,
                         f"[{cut(slug)}] old_names: {shown(old)} is also a tag of "
                         f"{used[slugify(old)]}, so /tags/{cut(slugify(old))}/ cannot lead "
                         f"to [{cut(slug)}]; give that post the new tag, or remove "
                         f"{shown(old)} from old_names")
            for slug, tag in info.items() for old in tag.old_names
            if slugify(old) != slug and slugify(old) in used]


def _info(tag: str, value: object, text: str, line: int | None) -> TagInfo:
    problem = check_name(tag)
    if problem:
        raise ContentError(TAGS_FILE, line, f"{_table(tag)}: {problem}")
    if not isinstance(value, dict):
        raise ContentError(TAGS_FILE, line, f"{shown(tag)} must be a table such as "
                           f"{_table(tag)} with {', '.join(KEYS)}, not {toml_value(value)}")
    _raise([e for key, item in value.items() for e in _key_errors(tag, key, item, text)])
    name = value.get("name")
    return TagInfo(name=unicodedata.normalize("NFC", name) if name else None,
                   description=value.get("description", ""),
                   old_names=tuple(value.get("old_names", ())), line=line)


def _key_errors(tag: str, key: str, item: object, text: str) -> list[ContentError]:
    if isinstance(item, dict) or key not in KEYS or (
            _text_problem(key, item) if key != "old_names" else any(_old_names_problems(item))):
        return _key_problems(tag, key, item, text)
    return []  # most keys: no line looked up, which searches the whole file


def _key_problems(tag: str, key: str, item: object, text: str) -> list[ContentError]:
    line = _key_line(text, tag, key)
    if isinstance(item, dict):
        header = f"{_table(tag)[:-1]}.{_table(key)[1:]}"
        quoted = json.dumps(cut(f"{tag}.{key}"), ensure_ascii=False)
        return [ContentError(TAGS_FILE, _table_line(text, (tag, key)) or line,
                             f"{header} is a nested table; tags.toml holds one table per tag, "
                             f"with only {', '.join(KEYS)}; if the tag's name holds a dot, "
                             f"quote it: [{quoted}]")]
    if key not in KEYS:
        import difflib  # only for a name that is not known
        close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.5)
        fix = f"did you mean '{close[0]}'?" if close else "remove it"
        return [ContentError(TAGS_FILE, line, f"{_table(tag)} unknown key {shown(key)}; {fix} "
                             f"(keys: {', '.join(KEYS)})")]
    if key != "old_names":
        problem = _text_problem(key, item)
        return [ContentError(TAGS_FILE, line, f"{_table(tag)} {key} {problem}")] if problem \
            else []
    problems = dict.fromkeys(p for p in _old_names_problems(item) if p)
    return [ContentError(TAGS_FILE, line, f"{_table(tag)} old_names: {p}") for p in problems]


def _text_problem(key: str, value: object) -> str | None:
    """name and description: text; a name not empty; no control characters."""
    if not isinstance(value, str):
        return f"must be text in quotes, not {toml_value(value)}"
    if key == "name" and not value.strip():
        return "is empty; write the name to show, or remove the line"
    bad = (CONTROL if key == "name" else FORBIDDEN).search(value)
    if bad:
        return (f"holds a control character (U+{ord(bad.group()):04X}), which pages and "
                "feeds cannot carry; remove it")
    return None


def _old_names_problems(value: object) -> list[str | None]:
    if not isinstance(value, list):
        return [f"must be a list of names, e.g. old_names = [\"old name\"], "
                f"not {toml_value(value)}"]
    problems: list[str | None] = []
    for old in value:
        if not isinstance(old, str):
            problems.append(f"{toml_value(old)} is not a name; write each old name in "
                            "quotes, e.g. old_names = [\"old name\"]")
        elif not old.strip():
            problems.append("an old name is empty; remove the empty item")
        else:
            problems.append(check_name(old))
    return problems


def _shared_old_names(infos: dict[str, TagInfo], tables: dict[str, str]) \
        -> list[ContentError]:
    """An old name can lead to one tag only."""
    claimed: dict[str, str] = {}
    errors = []
    for slug, info in infos.items():
        for old in info.old_names:
            other = claimed.setdefault(slugify(old), slug)
            if other != slug:
                errors.append(ContentError(TAGS_FILE, info.line, f"{_table(tables[slug])} "
                              f"old_names: {shown(old)} is also an old name of "
                              f"{_table(tables[other])}; keep it in one of them"))
    return errors


def _table(tag: str) -> str:
    """A table's header as written in TOML: [svg] or ["C++"]."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", tag):
        return f"[{tag}]"
    return f"[{json.dumps(cut(tag), ensure_ascii=False)}]"


def _header_lines(text: str) -> dict[str, int]:
    """The line of each table's first header ([svg], ["C++"], [a.b]), by its first key:
    one pass over the file, where a search per tag would cost time squared."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            try:
                parsed = tomllib.loads(f"{stripped}\n")
            except tomllib.TOMLDecodeError:
                continue
            lines.setdefault(next(iter(parsed), ""), number)
    return lines


def _table_match(text: str, parts: tuple[str, ...]) -> re.Match[str] | None:
    keys = r"[ \t]*\.[ \t]*".join(
        rf"(?:[\"']?{re.escape(p)}[\"']?|{re.escape(json.dumps(p, ensure_ascii=False))})"
        for p in parts)
    return re.search(rf"^[ \t]*\[[ \t]*{keys}[ \t]*[\].]", text, re.MULTILINE)


def _table_line(text: str, parts: tuple[str, ...]) -> int | None:
    """The line of a table's header ([a], [a.b] or a first [a.…]), else of `a = {…}`."""
    match = _table_match(text, parts)
    if match:
        return text.count("\n", 0, match.start()) + 1
    return find_line(text, parts[0]) if len(parts) == 1 else None


def _key_line(text: str, tag: str, key: str) -> int | None:
    """The line of `key = …` in the table of `tag`."""
    header = _table_match(text, (tag,))
    start = header.end() if header else 0
    match = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.MULTILINE) \
        .search(text, start)
    if match:
        return text.count("\n", 0, match.start()) + 1
    return _table_line(text, (tag,))


def _errors(exc: ContentError | BuildErrors) -> list[ContentError]:
    found = exc.errors if isinstance(exc, BuildErrors) else [exc]
    return [e for e in found if isinstance(e, ContentError)]


def _raise(errors: list[ContentError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BuildErrors(errors)
