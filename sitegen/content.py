"""Source files under content/ → Post values (scan and parse)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import html
import operator
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ParamSpec, TypeVar

from sitegen import dates, frontmatter, leftovers, markup, tags
from sitegen.config import Config, find_line
from sitegen.errors import BuildErrors, ContentError, SiteError, shown

KINDS = ("entry", "link", "quote", "note", "page")
POST_SUFFIXES = (".md", ".markdown", ".html")
# Files `parse` reads to refuse them: posts of another generator, named by the error.
FOREIGN_SUFFIXES = (".rst", ".rest")
BUNDLE_INDEXES = ("index.md", "index.markdown", "index.html")  # a page bundle's post
PAGES = "content/pages/"  # a file under this folder is a page unless it says otherwise
# The date of a page written without one (`post.dated` is False for it).
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Defined with the front matter, and named here too for importers of content.
FIELDS = frontmatter.FIELDS
FORBIDDEN = frontmatter.FORBIDDEN
# Front-matter fields read as text by `_text` (slug and tags refuse control characters).
CONTROL_CHECKED = ("title", "description", "link_url", "link_title", "via_url", "via_title",
               "source", "source_url", "context")
SLUG_RE = re.compile(r"^[\w][\w.-]*$")
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
PATH_EXCERPT = 300  # paths in messages are cut later than values
YEARS = (1000, 9999)  # dates outside these years (in UTC) are refused


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
    image: str = ""  # a path beside the post, a path on the site, or an http(s) URL
    meta: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    nav: int = 0  # a page's place in the header navigation; 0: not listed
    bundle: str = ""  # the post's folder ('content/2024/bridge') when it is its index.md
    scheduled: bool = False  # dated after now: set by the build (schedule.py), never parsed

    @property
    def dated(self) -> bool:
        """False for a page written without a date."""
        return self.date != UNDATED

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


def scan(site_dir: Path, known: Stamps | None = None,
         listed: Found | None = None) -> list[Source]:
    """Every file under content/, sorted, with its digest; hidden files are left out.

    A file whose modification time and size match `known` keeps its digest and is not
    read (its `data` is empty until `load` reads it), as git's index does. Raise
    BuildErrors naming every file or folder that cannot be read or is a bad symlink.
    `listed`: the files, when a walk that found no symlink listed them already
    (stamp.py)."""
    known = known or {}
    found, errors = (listed, []) if listed is not None else _walk(site_dir)
    sources = []
    for path, stamp in found:
        seen = known.get(path)
        if seen and seen[:2] == stamp:
            sources.append(Source(path, b"", seen[2], stamp))
            continue
        try:
            sources.append(load(site_dir, path, stamp))
        except ContentError as exc:
            errors.append(exc)
    if errors:
        raise BuildErrors(errors)
    return sources


def rescan(site_dir: Path, last: list[Source], changed: Collection[str]) -> list[Source] | None:
    """What `scan` would find, when only the files in `changed` (paths from the site
    folder, as a watcher reports them) can differ from `last`. None when a change is
    not a plain file, such as a folder that came or went or a symlink: then scan
    everything."""
    changed = {p for p in changed if p.startswith("content/")}
    known = {s.path for s in last}
    sources = [s for s in last if s.path not in changed]
    site_real = os.path.realpath(site_dir)
    for path in changed:
        try:
            info = os.lstat(site_dir / path)
        except FileNotFoundError:
            if path in known or _hidden(path) or not _holds(known, path):
                continue  # a file was deleted
            return None  # a folder was
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or name_problem(path):
            return None  # scan reports a file name that is not UTF-8
        if _hidden(path):
            continue
        if os.path.realpath(site_dir / path) != os.path.join(site_real, path):
            return None  # under a symlinked folder: scan checks where it leads
        sources.append(load(site_dir, path, (info.st_mtime_ns, info.st_size)))
    sources.sort(key=lambda s: s.path)
    return sources


def _holds(known: set[str], folder: str) -> bool:
    return any(path.startswith(f"{folder}/") for path in known)


def _hidden(path: str) -> bool:
    """Left out of a scan: a file or folder whose name starts with '.' or '_'."""
    return any(part.startswith((".", "_")) for part in path.split("/")[1:])


Found = list[tuple[str, tuple[int, int]]]  # (path from the site folder, (mtime_ns, size))


def _walk(site_dir: Path) -> tuple[Found, list[SiteError]]:
    """Every visible file under content/, and what stopped the walk anywhere: folders
    it cannot read, symlink loops, symlinks that lead out of the site folder."""
    site_real = os.path.realpath(site_dir)
    found: Found = []
    errors: list[SiteError] = []
    root = os.path.join(site_dir, "content")
    problem = _link_problem(root, site_real, ()) if os.path.islink(root) else None
    if problem:
        return found, [ContentError("content", None, problem)]
    pending: list[tuple[str, str, tuple[str, ...]]] = [(root, "content", ())]
    while pending:
        folder, rel, above = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            errors.append(_unreadable(rel, exc, "folder"))
            continue
        for entry in entries:
            if not entry.name.startswith((".", "_")):
                path = f"{rel}/{entry.name}"
                error = _visit(entry, path, site_real, (*above, folder), pending, found)
                if error:
                    errors.append(error)
    found.sort()
    return found, errors


def _visit(entry: os.DirEntry[str], path: str, site_real: str, above: tuple[str, ...],
           pending: list[tuple[str, str, tuple[str, ...]]], found: Found) -> SiteError | None:
    """Queue a folder, note a file; or say why this entry cannot be used."""
    problem = name_problem(entry.name)
    if problem:
        return ContentError(escaped(path), None, problem)
    try:
        problem = _link_problem(entry.path, site_real, above) if entry.is_symlink() else None
        if problem:
            return ContentError(path, None, problem)
        if entry.is_dir():
            pending.append((entry.path, path, above))
        elif entry.is_file():
            info = entry.stat()
            found.append((path, (info.st_mtime_ns, info.st_size)))
    except OSError as exc:
        return _unreadable(path, exc, "file")
    return None


def name_problem(name: str) -> str | None:
    """Why a file or folder name cannot be published, or None: it must be UTF-8 (a URL
    and the pages that link to it need a name in text, not just bytes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return ("its name is not valid UTF-8 (the bytes shown as \\xNN); rename it, "
                "for example with letters, digits and '-'")
    return None


def escaped(path: str) -> str:
    """A path as messages show it: bytes that are not UTF-8 written as \\xff."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def _link_problem(link: str, site_real: str, above: tuple[str, ...]) -> str | None:
    """Why a symlink under content/ cannot be followed, or None: it must lead to a file
    or folder inside the site folder, and not to a folder that holds it."""
    try:
        target = os.path.realpath(link, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symlink loop (it leads back to itself); remove it or point it at a file"
        return (f"is a symlink to {shown(os.readlink(link), PATH_EXCERPT)}, which does not exist; "
                "remove the link or restore what it points to")
    problem = outside_site(target, site_real)
    if problem:
        return problem
    if any(os.path.commonpath([target, os.path.realpath(a)]) == target for a in above):
        return ("is a symlink loop: it leads to a folder that holds it, "
                f"{shown(target, PATH_EXCERPT)}; remove the link")
    return None


def outside_site(target: str, site_real: str) -> str | None:
    """Why a file whose real path is `target` cannot be published from the site whose
    real path is `site_real` (a symlink led out of it), or None."""
    if os.path.commonpath([site_real, target]) == site_real:
        return None
    return (f"is a symlink to {shown(target, PATH_EXCERPT)}, outside the site folder; "
            "sitegen does not publish files from outside the site: copy what it points "
            "to into the site")


def _unreadable(path: str, exc: OSError, what: str) -> ContentError:
    mode = "u+rx" if what == "folder" else "u+r"
    return ContentError(path, None, f"cannot read this {what} ({exc.strerror or exc}); "
                        f"make it readable (chmod {mode}) or move it out of content/")


def load(site_dir: Path, path: str, stamp: tuple[int, int] = (0, 0)) -> Source:
    """Read one file under the site folder. Its digest covers its path too: a post's
    slug and kind may come from its file name."""
    problem = name_problem(path)
    if problem:
        raise ContentError(escaped(path), None, problem)
    try:
        data = (site_dir / path).read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc, "file") from None
    digest = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()[:24]
    return Source(path, data, digest, stamp)


def stamps(sources: list[Source]) -> Stamps:
    return {s.path: (*s.stamp, s.digest) for s in sources}


SUM_MODULUS = 2 ** 256


def files_sum(files: Iterable[tuple[str, str]]) -> int:
    """The sum of a digest of each (path, digest) pair, modulo SUM_MODULUS: a digest of
    the content files that a build which read a few of them can update from the last
    one (subtract their old pairs', add their new pairs')."""
    total = 0
    for path, digest in files:
        # surrogatepass: a folder name that is not UTF-8 still has a digest
        pair = f"{path}={digest}".encode("utf-8", "surrogatepass")
        total += int.from_bytes(hashlib.sha256(pair).digest())
    return total % SUM_MODULUS


def is_post_file(path: str) -> bool:
    """A file `parse` reads: a post, or a post of another generator that it refuses."""
    return path.endswith(POST_SUFFIXES + FOREIGN_SUFFIXES)


def parse(source: Source, config: Config) -> Post | Skipped:
    """Front matter and body → Post; raise ContentError with the file and line."""
    text, cleaned = _strip_forbidden(_decode(source))
    if not text.strip():
        return Skipped(source.path, "empty file; ignored")
    other = frontmatter.foreign(source.path, text)
    if other:
        raise other
    if not text.startswith(tuple(frontmatter.FENCES)):
        return Skipped(source.path, "no front matter (a first line '---'); ignored")
    meta, body = frontmatter.split(source.path, text)
    post = _build_post(source, meta, body, config, frontmatter.FieldLines(source.path, text))
    return dataclasses.replace(post, warnings=(*cleaned, *post.warnings)) if cleaned else post


def _strip_forbidden(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove control characters that HTML and XML 1.0 forbid, with a warning."""
    found = FORBIDDEN.search(text)
    if not found:
        return text, ()
    line = text.count("\n", 0, found.start()) + 1
    return FORBIDDEN.sub("", text), (_removed(line, found.group()),)


def _removed(line: int, char: str, field: str = "") -> str:
    """The warning for control characters left out of the body or of a field."""
    where = f" from '{field}'" if field else ""
    return (f"line {line}: removed control characters (such as U+{ord(char):04X}){where} "
            "that XML forbids; feeds and pages leave them out")


def _field_controls(meta: dict[str, Any], text: str) -> tuple[str, ...]:
    """Warnings for control characters that YAML escapes ("\\0") put in text fields:
    `_text` leaves them out, as `_strip_forbidden` does in the rest of the file."""
    warnings = []
    for field in CONTROL_CHECKED:
        value = meta.get(field)
        found = FORBIDDEN.search(value) if isinstance(value, str) else None
        if found:
            warnings.append(_removed(find_line(text, field) or 1, found.group(), field))
    return tuple(warnings)


def _decode(source: Source) -> str:
    try:
        return source.data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        raise ContentError(source.path, line,
                           f"not UTF-8 (byte 0x{source.data[exc.start]:02x}); "
                           "save the file as UTF-8") from None


P = ParamSpec("P")
T = TypeVar("T")


def _build_post(source: Source, meta: dict[str, Any], body: str, config: Config,
                where: frontmatter.FieldLines) -> Post:
    """A Post, or every problem of its front matter at once (BuildErrors)."""
    checked = frontmatter.check(meta, where, config.content.fields)
    errors: list[SiteError] = list(checked.errors)
    fields = checked.fields
    rejected = {k for k, v in meta.items() if v is not None and k not in fields} - set(
        checked.meta)
    kind = _attempt(errors, "note", _kind, source.path, fields, rejected, where)
    date = _attempt(errors, UNDATED, _post_date, kind, fields, rejected, config, where)
    updated = _attempt(errors, None, _date, fields, "updated", config, where) or date
    bundle = bundle_of(source.path)
    slug = _attempt(errors, "post", _slug, source.path, bundle, fields, where)
    first_line = where.text.count("\n", 0, len(where.text) - len(body)) + 1
    is_html = source.path.endswith(".html")
    body_html, warnings = (body, ()) if is_html else markup.render(body, slug, first_line)
    post = Post(
        source=source.path, digest=source.digest, kind=kind,
        title=_attempt(errors, "", _title, kind, fields, rejected, body_html, where),
        slug=slug,
        date=date, updated=max(updated, date), tags=_attempt(errors, (), _tags, fields, where),
        draft=fields.get("draft") is True, aliases=_attempt(errors, (), _aliases, fields, where),
        description=_text(fields, "description") or excerpt(body_html), body=body_html,
        warnings=(*_field_controls(meta, where.text), *warnings, *_page_tags(kind, fields, where),
                  *leftovers.find(body, first_line, is_html)),
        **_attempt(errors, {}, _kind_fields, kind, fields, rejected, where),
        image=_text(fields, "image"), meta=checked.meta,
        nav=_attempt(errors, 0, _nav, kind, fields, where), bundle=bundle, scheduled=False)
    if errors:
        raise errors[0] if len(errors) == 1 else BuildErrors(errors)
    return post.with_shape()


def _attempt(errors: list[SiteError], default: T, step: Callable[P, T],
             *args: P.args, **kwargs: P.kwargs) -> T:
    """One step of reading a post: its result, or `default` with the error noted, so
    that one run reports every problem of the post."""
    try:
        return step(*args, **kwargs)
    except ContentError as exc:
        errors.append(exc)
        return default


def bundle_of(path: str) -> str:
    """The folder of a page bundle's post ('content/2024/bridge' for its index.md), or
    '' for a post that is a file of its own (content/index.md is one)."""
    folder, _, name = path.rpartition("/")
    return folder if name in BUNDLE_INDEXES and folder not in ("content", "") else ""


def _kind(path: str, fields: dict[str, Any], rejected: set[str],
          where: frontmatter.FieldLines) -> str:
    """The kind a post names, else: a page under content/pages/, a link post when it
    has link_url, a quote when it has a source, else an entry."""
    kind = fields.get("kind")
    if kind is None:
        if path.startswith(PAGES):
            return "page"
        given = set(fields) | rejected
        return "link" if "link_url" in given else "quote" if "source" in given else "entry"
    if kind not in KINDS:
        raise where.error("kind", f"unknown kind {shown(kind)}; use one of {', '.join(KINDS)}")
    return str(kind)


def _post_date(kind: str, fields: dict[str, Any], rejected: set[str], config: Config,
               where: frontmatter.FieldLines) -> dt.datetime:
    """The post's date; a page needs none (UNDATED)."""
    date = _date(fields, "date", config, where)
    if date is None and kind != "page" and "date" not in rejected:
        message = ("'date' is missing; add e.g. 'date: 2025-11-22' (or, for a page "
                   "without a date, 'kind: page')")
        raise where.error("date", message, kind=message)
    return date or UNDATED


def _page_tags(kind: str, fields: dict[str, Any], where: frontmatter.FieldLines) -> tuple[str, ...]:
    """A page stays out of tag pages and feeds: tags on it would do nothing unseen."""
    if kind != "page" or not fields.get("tags"):
        return ()
    line = find_line(where.text, "tags") or 1
    return (f"line {line}: a page is not listed on tag pages or in feeds, so its 'tags' "
            "are not used; remove them, or make it a post with a 'date'",)


def _nav(kind: str, fields: dict[str, Any], where: frontmatter.FieldLines) -> int:
    nav = fields.get("nav")
    if nav is None:
        return 0
    if kind != "page":
        raise where.error("nav", "'nav' places a page in the header navigation, and this "
                          f"is a {kind}; remove 'nav', or add 'kind: page'")
    return int(nav)


def _date(meta: dict[str, Any], field: str, config: Config,
          where: frontmatter.FieldLines) -> dt.datetime | None:
    """A date or time, with the site's time zone when it names none, checked to stay a
    real date from year 1000 to 9999 in UTC and in the site's time zone."""
    value = meta.get(field)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment = _parse_date_text(str(value), field, where)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    return _in_range(moment, field, config, where)


def _in_range(moment: dt.datetime, field: str, config: Config,
              where: frontmatter.FieldLines) -> dt.datetime:
    """The moment, refused when out of range. An offset with seconds (local mean time
    before time zones, such as -00:01:15) is not RFC 3339: such a moment is given in UTC."""
    try:
        utc = moment.astimezone(dt.UTC)
        years = (utc.year, moment.astimezone(config.tz).year)
    except (OverflowError, ValueError):
        utc, years = moment, (0, 0)
    if not all(YEARS[0] <= year <= YEARS[1] for year in years):
        written = where.written(field) or moment.isoformat()
        raise where.error(field, f"{field}: {written} is out of range; use a year from "
                          f"{YEARS[0]} to {YEARS[1]} (once converted to UTC and to the "
                          f"site's time zone {config.timezone})")
    offset = moment.utcoffset() or dt.timedelta()
    return utc if offset % dt.timedelta(minutes=1) else moment


def _parse_date_text(text: str, field: str, where: frontmatter.FieldLines) -> dt.datetime:
    try:
        return dates.parse(text)
    except ValueError as exc:
        raise where.error(field, f"{field}: {shown(text.strip())} is not a date: {exc}") \
            from None


def _slug(path: str, bundle: str, meta: dict[str, Any], where: frontmatter.FieldLines) -> str:
    """The slug the post names, else its file's name (its folder's, for a bundle's
    index.md) without a leading date."""
    if "slug" in meta and meta["slug"] is not None:
        slug = unicodedata.normalize("NFC", str(meta["slug"]))
        if not SLUG_RE.fullmatch(slug) or ".." in slug:
            raise where.error("slug", f"slug {shown(slug)} must be letters, digits, '-', '_' "
                              "or '.', with no '/' or '..' (it becomes part of the URL)")
        return slug
    name = PurePosixPath(bundle).name if bundle else PurePosixPath(path).stem
    stem = unicodedata.normalize("NFC", DATE_PREFIX.sub("", name))
    slug = re.sub(r"[^\w.-]+", "-", stem.lower()).strip("-.")
    if not slug:
        raise where.error("slug", f"cannot make a URL slug from the file name {shown(stem)}; "
                          "add 'slug: some-name'")
    return slug


def _title(kind: str, meta: dict[str, Any], rejected: set[str], body_html: str,
           where: frontmatter.FieldLines) -> str:
    title = _text(meta, "title")
    if title or "title" in rejected:
        return title
    if kind == "link":
        return _text(meta, "link_title") or _text(meta, "link_url")
    if kind == "quote":
        return f"Quoting {_text(meta, 'source')}"
    if kind == "note":
        return excerpt(body_html, words=8) or "Note"
    message = ("a page needs a 'title'; add e.g. 'title: About'" if kind == "page"
               else "an entry needs a 'title'; add e.g. 'title: My post'")
    raise where.error("title", message, kind=message)


def _tags(meta: dict[str, Any], where: frontmatter.FieldLines) -> tuple[str, ...]:
    raw = meta.get("tags") or []
    items: list[str] = raw.split(",") if isinstance(raw, str) else raw
    names: dict[str, str] = {}
    for item in items:
        name = " ".join(unicodedata.normalize("NFC", str(item)).split())
        problem = tags.check_name(name)
        if problem:
            raise where.error("tags", problem)
        names.setdefault(tags.key(name), name)
    return tuple(names.values())


def _aliases(meta: dict[str, Any], where: frontmatter.FieldLines) -> tuple[str, ...]:
    raw = meta.get("aliases") or []
    items: list[str] = [raw] if isinstance(raw, str) else raw
    out = []
    for alias in items:
        written = str(alias).strip().strip("/")  # a folder, or a file ending in .html
        path = f"/{written}" + ("" if written.endswith(".html") else "/")
        if ".." in path.split("/") or "//" in path:
            raise where.error("aliases", f"alias {shown(str(alias))} must be a path inside the "
                              "site, e.g. '/2024/Feb/3/old-name/'")
        out.append(path)
    return tuple(out)


def _kind_fields(kind: str, meta: dict[str, Any], rejected: set[str],
                 where: frontmatter.FieldLines) -> dict[str, str]:
    fields = {"link_url": _text(meta, "link_url"),
              "link_title": _text(meta, "link_title"),
              "via_url": _text(meta, "via_url"),
              "via_title": _text(meta, "via_title"),
              "quote_source": _text(meta, "source"),
              "source_url": _text(meta, "source_url"),
              "context": _text(meta, "context")}
    if kind == "link" and not fields["link_url"] and "link_url" not in rejected:
        raise where.error("kind", "a link post needs 'link_url: https://…'")
    if kind == "quote" and not fields["quote_source"] and "source" not in rejected:
        raise where.error("kind", "a quote needs 'source: …' (who said it)")
    return fields


def _text(meta: dict[str, Any], field: str) -> str:
    """A text field (its type already checked), or '' when it is not given."""
    value = meta.get(field)
    return "" if value is None else FORBIDDEN.sub("", str(value)).strip()


def excerpt(body_html: str, words: int = 30) -> str:
    """The first words of a body's paragraphs (not its code or tables), for descriptions."""
    paragraphs = re.findall(r"<p>(.*?)</p>", body_html, re.DOTALL) or [body_html]
    text = html.unescape(re.sub(r"<[^>]+>", "", " ".join(paragraphs)))
    parts = text.split()
    cut = " ".join(parts[:words])
    return cut + "…" if len(parts) > words else cut
