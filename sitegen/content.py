"""Source files under content/ → Post values (scan and parse)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import html
import operator
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from sitegen import markup, tags
from sitegen.config import Config, find_line
from sitegen.errors import ContentError

KINDS = ("entry", "link", "quote", "note")
POST_SUFFIXES = (".md", ".markdown", ".html")
FIELDS = {"title", "date", "updated", "tags", "kind", "slug", "draft", "aliases",
          "description", "link_url", "link_title", "via_url", "via_title",
          "source", "source_url", "context"}
# Characters XML 1.0 forbids: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SLUG_RE = re.compile(r"^[\w][\w.-]*$")
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass(frozen=True, slots=True)
class Source:
    """One file under content/, read once."""

    path: str  # relative to the site folder, with '/' separators
    data: bytes
    digest: str
    stamp: tuple[int, int] = (0, 0)  # modification time (ns) and size


@dataclass(frozen=True, slots=True)
class Post:
    """A parsed post: everything pages and feeds need, nothing they must compute again."""

    source: str
    digest: str
    kind: str
    title: str
    slug: str
    date: dt.datetime
    updated: dt.datetime
    tags: tuple[str, ...]
    draft: bool
    aliases: tuple[str, ...]
    description: str
    body: str
    link_url: str = ""
    link_title: str = ""
    via_url: str = ""
    via_title: str = ""
    quote_source: str = ""
    source_url: str = ""
    context: str = ""
    warnings: tuple[str, ...] = ()
    shape: str = ""  # digest of every field that places the post (all but its words)

    def with_shape(self) -> Post:
        fields = tuple(getattr(self, f) for f in SHAPE_FIELDS)
        return dataclasses.replace(self, shape=hashlib.sha256(repr(fields).encode()).hexdigest())

    def __reduce__(self) -> tuple[type[Post], tuple[Any, ...]]:
        """Pickle as the arguments to Post(): loads twice as fast as a dataclass's state,
        which counts when the cache holds 10,000 posts."""
        return Post, _post_values(self)


# Post fields that only show the post's words (on its own page and in lists).
WORDS_FIELDS = {"body", "description", "warnings", "digest", "shape"}
SHAPE_FIELDS = tuple(f.name for f in dataclasses.fields(Post) if f.name not in WORDS_FIELDS)
_post_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Post)))


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file under content/ that is not a post, and why."""

    path: str
    reason: str


Stamps = dict[str, tuple[int, int, str]]  # path → (mtime_ns, size, digest)


def scan(site_dir: Path, known: Stamps | None = None) -> list[Source]:
    """Every file under content/, sorted, with its digest; hidden files are left out.

    A file whose modification time and size match `known` keeps its digest and is not
    read (its `data` is empty until `load` reads it), as git's index does."""
    root = site_dir / "content"
    known = known or {}
    sources = []
    for path, stamp in _walk(str(root), f"{site_dir.as_posix().rstrip('/')}/"):
        seen = known.get(path)
        if seen and seen[:2] == stamp:
            sources.append(Source(path, b"", seen[2], stamp))
        else:
            sources.append(load(site_dir, path, stamp))
    return sources


def rescan(site_dir: Path, last: list[Source], changed: Collection[str]) -> list[Source] | None:
    """What `scan` would find, when only the files in `changed` (paths from the site
    folder, as a watcher reports them) can differ from `last`. None when a change is
    not a plain file, such as a folder that came or went: then scan everything."""
    changed = {p for p in changed if p.startswith("content/")}
    known = {s.path for s in last}
    sources = [s for s in last if s.path not in changed]
    for path in changed:
        try:
            info = os.stat(site_dir / path)
        except FileNotFoundError:
            if path in known or _hidden(path) or not _holds(known, path):
                continue  # a file was deleted
            return None  # a folder was
        if not stat.S_ISREG(info.st_mode):
            return None
        if not _hidden(path):
            sources.append(load(site_dir, path, (info.st_mtime_ns, info.st_size)))
    sources.sort(key=lambda s: s.path)
    return sources


def _holds(known: set[str], folder: str) -> bool:
    return any(path.startswith(f"{folder}/") for path in known)


def _hidden(path: str) -> bool:
    """Left out of a scan: a file or folder whose name starts with '.' or '_'."""
    return any(part.startswith((".", "_")) for part in path.split("/")[1:])


def _walk(root: str, prefix: str) -> list[tuple[str, tuple[int, int]]]:
    """(path from the site folder, (mtime_ns, size)) of every visible file under root."""
    found: list[tuple[str, tuple[int, int]]] = []
    rel_root = root.removeprefix(prefix).replace(os.sep, "/")
    pending = [(root, rel_root)]
    while pending:
        folder, rel = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                pending.append((entry.path, f"{rel}/{entry.name}"))
            elif entry.is_file():
                info = entry.stat()
                found.append((f"{rel}/{entry.name}", (info.st_mtime_ns, info.st_size)))
    found.sort()
    return found


def load(site_dir: Path, path: str, stamp: tuple[int, int] = (0, 0)) -> Source:
    """Read one file under the site folder. Its digest covers its path too: a post's
    slug and kind may come from its file name."""
    data = (site_dir / path).read_bytes()
    digest = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()[:24]
    return Source(path, data, digest, stamp)


def stamps(sources: list[Source]) -> Stamps:
    return {s.path: (*s.stamp, s.digest) for s in sources}


def is_post_file(path: str) -> bool:
    return path.endswith(POST_SUFFIXES)


def parse(source: Source, config: Config) -> Post | Skipped:
    """Front matter and body → Post; raise ContentError with the file and line."""
    text, cleaned = _strip_forbidden(_decode(source))
    if not text.strip():
        return Skipped(source.path, "empty file; ignored")
    if not text.startswith("---"):
        return Skipped(source.path, "no front matter (a first line '---'); ignored")
    meta, body = _split(source.path, text)
    post = _build_post(source, meta, body, config, _FieldLines(source.path, text))
    return dataclasses.replace(post, warnings=(*cleaned, *post.warnings)) if cleaned else post


def _strip_forbidden(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove control characters that HTML and XML 1.0 forbid, with a warning."""
    found = FORBIDDEN.search(text)
    if not found:
        return text, ()
    line = text.count("\n", 0, found.start()) + 1
    return FORBIDDEN.sub("", text), (
        f"line {line}: removed control characters (such as U+{ord(found.group()):04X}) "
        "that XML forbids; feeds and pages leave them out",)


def _decode(source: Source) -> str:
    try:
        return source.data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        raise ContentError(source.path, line,
                           f"not UTF-8 (byte 0x{source.data[exc.start]:02x}); "
                           "save the file as UTF-8") from None


def _split(path: str, text: str) -> tuple[dict[str, Any], str]:
    lines = text.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")),
               None)
    if end is None:
        raise ContentError(path, 1, "front matter is not closed; add a line '---' after it")
    meta = _load_yaml(path, "".join(lines[1:end]))
    return meta, "".join(lines[end + 1:])


def _load_yaml(path: str, text: str) -> dict[str, Any]:
    try:
        meta = yaml.load(text, Loader=yaml.CSafeLoader) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        hint = "; put values that contain ':' or '#' in quotes" if "mapping" in problem \
            or "':'" in problem else ""
        raise ContentError(path, line, f"front matter is not valid YAML: {problem}{hint}") \
            from None
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "front matter must be a mapping of fields such as "
                           f"'title: …' and 'date: …', not a {type(meta).__name__}")
    return meta


class _FieldLines:
    """Finds the line of a front-matter field, for error messages."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, field: str, message: str) -> ContentError:
        return ContentError(self.path, find_line(self.text, field) or 1, message)


def _build_post(source: Source, meta: dict[str, Any], body: str, config: Config,
                where: _FieldLines) -> Post:
    _check_fields(meta, where)
    kind = _kind(meta, where)
    date = _date(meta, "date", config, where)
    if date is None:
        raise where.error("date", "'date' is missing; add e.g. 'date: 2025-11-22'")
    updated = _date(meta, "updated", config, where) or date
    is_html = source.path.endswith(".html")
    slug = _slug(source.path, meta, where)
    body_html, warnings = (body, ()) if is_html else markup.render(body, slug)
    title = _title(kind, meta, body_html, where)
    return Post(
        source=source.path, digest=source.digest, kind=kind, title=title, slug=slug,
        date=date, updated=max(updated, date), tags=_tags(meta, where),
        draft=bool(meta.get("draft", False)), aliases=_aliases(meta, where),
        description=_text(meta, "description", where) or excerpt(body_html),
        body=body_html, warnings=warnings, **_kind_fields(kind, meta, where),
    ).with_shape()


def _check_fields(meta: dict[str, Any], where: _FieldLines) -> None:
    for name in meta:
        if str(name) not in FIELDS:
            close = difflib.get_close_matches(str(name), sorted(FIELDS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise where.error(str(name), f"unknown front matter field '{name}'{hint}")


def _kind(meta: dict[str, Any], where: _FieldLines) -> str:
    kind = meta.get("kind")
    if kind is None:
        return "link" if meta.get("link_url") else "quote" if meta.get("source") else "entry"
    if kind not in KINDS:
        raise where.error("kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return str(kind)


def _date(meta: dict[str, Any], field: str, config: Config,
          where: _FieldLines) -> dt.datetime | None:
    value = meta.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment = _parse_date_text(str(value), field, where)
    return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)


def _parse_date_text(text: str, field: str, where: _FieldLines) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise where.error(field, f"{field}: {text!r} is not a date; write ISO 8601 such as "
                          "'2025-11-22' or '2025-11-22T14:30:00+01:00'") from None


def _slug(path: str, meta: dict[str, Any], where: _FieldLines) -> str:
    if "slug" in meta:
        slug = str(meta["slug"])
        if not SLUG_RE.match(slug) or ".." in slug:
            raise where.error("slug", f"slug {slug!r} must be letters, digits, '-', '_' or '.', "
                              "with no '/' or '..' (it becomes part of the URL)")
        return slug
    stem = DATE_PREFIX.sub("", PurePosixPath(path).stem)
    slug = re.sub(r"[^\w.-]+", "-", stem.lower()).strip("-.")
    if not slug:
        raise where.error("slug", f"cannot make a URL slug from the file name {stem!r}; "
                          "add 'slug: some-name'")
    return slug


def _title(kind: str, meta: dict[str, Any], body_html: str, where: _FieldLines) -> str:
    title = _text(meta, "title", where)
    if title:
        return title
    if kind == "link":
        return _text(meta, "link_title", where) or str(meta.get("link_url", ""))
    if kind == "quote":
        return f"Quoting {_text(meta, 'source', where)}"
    if kind == "note":
        return excerpt(body_html, words=8) or "Note"
    raise where.error("title", "an entry needs a 'title'; add e.g. 'title: My post'")


def _tags(meta: dict[str, Any], where: _FieldLines) -> tuple[str, ...]:
    raw = meta.get("tags") or []
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        raise where.error("tags", "tags must be a list ('tags: [svg, python]') or a "
                          "comma-separated string")
    names: dict[str, str] = {}
    for item in raw:
        name = " ".join(str(item).split())
        problem = tags.check_name(name)
        if problem:
            raise where.error("tags", problem)
        names.setdefault(tags.key(name), name)
    return tuple(names.values())


def _aliases(meta: dict[str, Any], where: _FieldLines) -> tuple[str, ...]:
    raw = meta.get("aliases") or []
    raw = [raw] if isinstance(raw, str) else raw
    if not isinstance(raw, list):
        raise where.error("aliases", "aliases must be a list of old URL paths")
    out = []
    for alias in raw:
        path = "/" + str(alias).strip().strip("/") + "/"
        if ".." in path.split("/") or "//" in path:
            raise where.error("aliases", f"alias {alias!r} must be a path inside the site, "
                              "e.g. '/2024/Feb/3/old-name/'")
        out.append(path)
    return tuple(out)


def _kind_fields(kind: str, meta: dict[str, Any], where: _FieldLines) -> dict[str, str]:
    fields = {"link_url": _text(meta, "link_url", where),
              "link_title": _text(meta, "link_title", where),
              "via_url": _text(meta, "via_url", where),
              "via_title": _text(meta, "via_title", where),
              "quote_source": _text(meta, "source", where),
              "source_url": _text(meta, "source_url", where),
              "context": _text(meta, "context", where)}
    if kind == "link" and not fields["link_url"]:
        raise where.error("kind", "a link post needs 'link_url: https://…'")
    if kind == "quote" and not fields["quote_source"]:
        raise where.error("kind", "a quote needs 'source: …' (who said it)")
    return fields


def _text(meta: dict[str, Any], field: str, where: _FieldLines) -> str:
    value = meta.get(field)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise where.error(field, f"'{field}' must be text, not a {type(value).__name__}")
    return FORBIDDEN.sub("", str(value)).strip()


def excerpt(body_html: str, words: int = 30) -> str:
    """The first words of a body's paragraphs (not its code or tables), for descriptions."""
    paragraphs = re.findall(r"<p>(.*?)</p>", body_html, re.DOTALL) or [body_html]
    text = html.unescape(re.sub(r"<[^>]+>", "", " ".join(paragraphs)))
    parts = text.split()
    cut = " ".join(parts[:words])
    return cut + "…" if len(parts) > words else cut
