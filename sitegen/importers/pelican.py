"""`sitegen import pelican SOURCE`: a Pelican project folder (pelicanconf.py, content/)
→ records. Markdown posts keep their body (with `{filename}` links, `{static}` files and
`:::lang` code rewritten); reStructuredText and HTML posts become HTML posts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import os
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import yaml

from sitegen import tags as sitegen_tags
from sitegen.importers import pelicanconf, pelicanmarkup
from sitegen.importers.records import (
    Asset,
    Imported,
    ImportedPost,
    Problem,
    checked,
    inside,
    parse_date,
    safe_slug,
    slugify,
)

READERS = {".md": "md", ".markdown": "md", ".mkd": "md", ".mdown": "md", ".rst": "rst",
           ".html": "html", ".htm": "html"}
META_BEGIN = re.compile(r"^-{3}(\s.*)?$")
META_END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")
META_KEY = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)$")
HEADING = re.compile(r"^(\s*\n)*# +(.+?)(?: +#+)? *(\n|$)")
# Fields read into the post; any other field is left out and counted in the report.
USED = frozenset({"title", "date", "modified", "category", "tags", "keywords", "slug", "summary",
                  "status", "lang", "series", "image", "thumbnail", "cover", "featured_image",
                  "url", "save_as"})
# Files sitegen writes at the site's root: a static file there is not copied.
GENERATED = frozenset({"index.html", "404.html", "robots.txt", "sitemap.xml"})
GENERATED_FOLDERS = ("static/", "atom/", "tags/", "page/", "archives/")
IMAGE_FIELDS = ("image", "featured_image", "cover", "thumbnail")
DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y",
                "%d.%m.%Y", "%a %b %d %H:%M:%S %Y")


@dataclasses.dataclass(frozen=True, slots=True)
class Document:
    """One content file as Pelican's readers see it: metadata (keys in lower case) and a
    body, Markdown ('md') or HTML ('html')."""

    path: str  # relative to the content folder
    kind: str  # 'article' or 'page'
    meta: Mapping[str, Any]
    body: str
    body_format: str
    body_line: int  # the file's line where the body starts
    problems: tuple[Problem, ...] = ()


def read(source: Path) -> Imported:
    """Read a Pelican project: its settings, articles, pages and static files."""
    settings, problems = pelicanconf.read(source)
    content = _content_folder(source, settings, problems)
    prefix = _prefix(source, content)
    files = _scan(content, settings)
    docs = [_read_document(content, path, kind, prefix) for path, kind in files.documents]
    site = _Site(settings, prefix)
    read_posts = [(post, d) for d in docs if (post := site.post(d)) is not None]
    listed = _translations([p for p, _ in read_posts], site.langs)
    listed = _nav(listed, settings, site.hidden)
    base = urlsplit(str(settings.get("SITEURL") or "")).path.rstrip("/")
    linker = pelicanmarkup.Linker(site.targets(listed), _tag_slugs(listed), content, prefix,
                                  base)
    posts = [linker.rewrite(post, d.path, d.body_line) for post, (_, d) in zip(listed, read_posts,
                                                                               strict=True)]
    problems += _lists(settings) + [p for d in docs for p in d.problems] + site.problems \
        + linker.problems
    statics = _statics(files.statics, settings, content) + linker.statics
    statics, clashes = _clear_of_sitegen(statics, content, prefix)
    problems += clashes
    return checked(Imported(format="pelican", posts=tuple(posts), settings=_settings(settings),
                            assets=_unique(statics), feeds=_feeds(settings, problems),
                            dropped=site.dropped(), problems=tuple(problems)))


# Where things are ─────────────────────────────────────────────────────────────────────

def _content_folder(source: Path, settings: dict[str, Any], problems: list[Problem]) -> Path:
    path = str(settings.get("PATH") or "")
    if not path:
        folder = source / "content"
        return folder if folder.is_dir() and inside(source, folder) else source
    folder = source / path
    if folder.is_dir():
        return folder  # pelicanconf.read keeps PATH inside the source
    problems.append(Problem("pelicanconf.py", None, f"content folder not found: PATH "
                            f"{path!r} is not a folder of {source.name}; read content/ instead"))
    return source / "content"


def _prefix(source: Path, content: Path) -> str:
    """The content folder relative to the source, for report paths ('content/')."""
    try:
        relative = content.resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


@dataclasses.dataclass(frozen=True, slots=True)
class _Files:
    documents: list[tuple[str, str]]  # (path, 'article' or 'page')
    statics: list[str]


def _scan(content: Path, settings: dict[str, Any]) -> _Files:
    readers = {ext: kind for ext, kind in READERS.items()
               if ext.lstrip(".") not in _disabled(settings)}
    documents: list[tuple[str, str]] = []
    statics: list[str] = []
    for path in _walk(content, settings):
        suffix = PurePosixPath(path).suffix.lower()
        kind = _document_kind(path, settings) if suffix in readers else ""
        if kind:
            documents.append((path, kind))
        elif _under(path, settings["STATIC_PATHS"]) \
                and not _under(path, settings["STATIC_EXCLUDES"]):
            statics.append(path)
    return _Files(documents, statics)


def _disabled(settings: dict[str, Any]) -> set[str]:
    readers = settings.get("READERS")
    return {k for k, v in readers.items() if v is None} if isinstance(readers, dict) else set()


def _walk(content: Path, settings: dict[str, Any]) -> Iterator[str]:
    ignored = [str(p) for p in settings.get("IGNORE_FILES") or []]
    root = content.resolve()
    for folder, dirs, names in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            path = Path(folder, name)
            if name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in ignored):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            yield path.relative_to(content).as_posix()


def _document_kind(path: str, settings: dict[str, Any]) -> str:
    if _under(path, settings["PAGE_PATHS"]):
        return "" if _under(path, settings["PAGE_EXCLUDES"]) else "page"
    if _under(path, settings["ARTICLE_PATHS"]) and not _under(path, settings["ARTICLE_EXCLUDES"]):
        return "article"
    return ""


def _under(path: str, folders: object) -> bool:
    if isinstance(folders, str):
        folders = [folders]
    if not isinstance(folders, list | tuple):
        return False
    for folder in folders:
        folder = str(folder).strip("/")
        if folder in ("", ".") or path == folder or path.startswith(folder + "/"):
            return True
    return False


# Reading one file ─────────────────────────────────────────────────────────────────────

def _read_document(content: Path, path: str, kind: str, prefix: str) -> Document:
    text = (content / path).read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = READERS[PurePosixPath(path).suffix.lower()]
    if reader == "rst":
        rst = pelicanmarkup.read_rst(text, prefix + path)
        return Document(path, kind, rst.meta, rst.body, "html", 1, rst.problems)
    if reader == "html":
        meta, body = _html_document(text)
        return Document(path, kind, meta, body, "html", 1)
    meta, body_line = _markdown_meta(text)
    body = "\n".join(text.split("\n")[body_line - 1:])
    heading = HEADING.match(body)
    if not meta.get("title") and heading:  # a title as a first heading (reader plugins)
        meta = {**meta, "title": heading.group(2).strip()}
        body_line += heading.group(0).count("\n")
        body = body[heading.end():]
    return Document(path, kind, meta, body, "md", body_line)


def _markdown_meta(text: str) -> tuple[dict[str, Any], int]:
    """Python-Markdown's `Key: value` header (as Pelican reads it), or YAML front matter
    between `---` lines (the yaml_metadata plugin); and the line where the body starts."""
    lines = text.split("\n")
    if lines and META_BEGIN.match(lines[0]):
        found = _yaml_meta(lines)
        if found is not None:
            return found
    meta: dict[str, list[str]] = {}
    key = ""
    start = 1 if lines and META_BEGIN.match(lines[0]) else 0
    index = start
    for index in range(start, len(lines) + 1):
        line = lines[index] if index < len(lines) else ""
        if not line.strip() or (index > start and META_END.match(line) and start):
            index += 1
            break
        head, more = META_KEY.match(line), META_MORE.match(line)
        if head:
            key = head.group("key").lower()
            meta.setdefault(key, []).append(head.group("value").strip())
        elif more and key:
            meta[key].append(more.group("value").strip())
        else:
            break
    if not meta:
        return {}, 1
    return {k: " ".join(v).strip() for k, v in meta.items()}, index + 1


def _yaml_meta(lines: list[str]) -> tuple[dict[str, Any], int] | None:
    end = next((i for i in range(1, len(lines)) if META_END.match(lines[i])), None)
    if end is None:
        return None
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        return None
    return {k.strip().lower(): _yaml_value(v) for k, v in data.items()}, end + 2


def _yaml_value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else value


def _html_document(text: str) -> tuple[dict[str, Any], str]:
    """Pelican's HTML reader: <title>, <meta name=… content=…>, and the <body>."""
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return {}, text
    meta: dict[str, Any] = {m.get("name", "").lower(): m.get("content", "")
                            for m in root.iter("meta") if m.get("name")}
    title = " ".join(str(t.xpath("string()")) for t in root.iter("title")).strip()
    if title:
        meta["title"] = title
    body = root.find("body")
    if body is None:
        return meta, ""
    inner = (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode")
                                        for child in body)
    return meta, inner


# One document → one post ──────────────────────────────────────────────────────────────

class _Site:
    """Turns documents into posts with the settings in force, collecting problems and the
    fields left out."""

    def __init__(self, settings: dict[str, Any], prefix: str) -> None:
        self.settings = settings
        self.prefix = prefix
        self.zone = _zone(settings)
        self.problems: list[Problem] = []
        self.left_out: dict[str, int] = {}
        self.hidden: set[str] = set()  # pages and articles with 'Status: hidden'
        self.langs: dict[str, str] = {}  # posts not in DEFAULT_LANG → their language

    def post(self, doc: Document) -> ImportedPost | None:
        where = self.prefix + doc.path
        meta = {**self._path_meta(doc.path), **{k: v for k, v in doc.meta.items() if v != ""}}
        title = _plain(str(meta.get("title", "")))
        if not title:
            self.problems.append(Problem(where, 1, "no Title: skipped, as Pelican skips "
                                         "it; add a 'Title:' line to import it"))
            return None
        for name in meta.keys() - USED - {"author", "authors", "fullpath", "path"}:
            self.left_out[name] = self.left_out.get(name, 0) + 1
        date = self._date(meta, doc, where)
        if date is None and doc.kind == "article":
            return None
        status = str(meta.get("status", "published")).strip().lower()
        lang = str(meta.get("lang", "")).strip() or str(self.settings["DEFAULT_LANG"])
        self._note(where, status, lang)
        slug = self._slug(meta, doc, title, where)
        fields: dict[str, Any] = {**meta, "slug": slug, "lang": lang, "date": date}
        return ImportedPost(
            origin=where, slug=slug, date=date, title=title,
            body=doc.body, body_format=doc.body_format,
            kind="page" if doc.kind == "page" or status == "hidden" else "",
            tags=self._tags(meta, doc), draft=status == "draft",
            updated=self._updated(meta, date), description=_plain(str(meta.get("summary", ""))),
            image=str(next((meta[k] for k in IMAGE_FIELDS if meta.get(k)), "")),
            old_url="" if status == "draft" else self._old_url(doc, fields, where))

    def _note(self, where: str, status: str, lang: str) -> None:
        if status == "hidden":
            self.hidden.add(where)
        if lang != str(self.settings["DEFAULT_LANG"]):
            self.langs[where] = lang

    def _path_meta(self, path: str) -> dict[str, Any]:
        """Fields from the file's name and path (FILENAME_METADATA, PATH_METADATA)."""
        found: dict[str, Any] = {}
        for setting, text in (("PATH_METADATA", path),
                              ("FILENAME_METADATA", PurePosixPath(path).stem)):
            pattern = str(self.settings.get(setting) or "")
            try:
                match = re.match(pattern, text) if pattern else None
            except re.error:
                match = None
            if match:
                found.update({k: v for k, v in match.groupdict().items() if v})
        return found

    def _date(self, meta: dict[str, Any], doc: Document, where: str) -> dt.datetime | None:
        value = meta.get("date")
        if value in (None, ""):
            if doc.kind == "article":
                self.problems.append(Problem(where, 1, "no Date: skipped, as Pelican skips "
                                             "it; add a 'Date:' line to import it"))
            return None
        date = _parse_date(value, self.zone)
        if date is None:
            self.problems.append(Problem(where, 1, f"date not read: {str(value)!r}; the post "
                                         "was skipped: write it as 2024-05-17 14:30"))
        return date

    def _updated(self, meta: dict[str, Any], date: dt.datetime | None) -> dt.datetime | None:
        updated = _parse_date(meta["modified"], self.zone) if meta.get("modified") else None
        return updated if updated and date and updated > date else None

    def _slug(self, meta: dict[str, Any], doc: Document, title: str, where: str) -> str:
        given = str(meta.get("slug", "")).strip()
        if given:
            slug = safe_slug(given, title)
            if slug != given:
                self.problems.append(Problem(where, 1, f"slug changed: {given!r} is not a "
                                             "sitegen slug (letters, digits, '-', '_', '.'); "
                                             f"it became {slug!r}"))
            return slug
        if self.settings.get("SLUGIFY_SOURCE") == "basename":
            return pelican_slug(PurePosixPath(doc.path).stem)
        if not pelican_slug(title, strict=True):
            self.problems.append(Problem(where, 1, "slug unknown: the title has no Latin "
                                         "letters, so Pelican's slug for it is unknown; add a "
                                         "'Slug:' line with the old one to keep its URL"))
        return pelican_slug(title)

    def _tags(self, meta: dict[str, Any], doc: Document) -> tuple[str, ...]:
        names = [self._category(meta, doc)] if doc.kind == "article" else []
        for key in ("tags", "keywords", "series"):
            value = str(meta.get(key, ""))
            names += value.split(";" if ";" in value else ",")
        unique: dict[str, str] = {}
        for name in (n.strip() for n in names):
            if name and sitegen_tags.check_name(name) is None:
                unique.setdefault(sitegen_tags.key(name), name)
        return tuple(unique.values())

    def _category(self, meta: dict[str, Any], doc: Document) -> str:
        if meta.get("category"):
            return str(meta["category"])
        folder = PurePosixPath(doc.path).parent.name
        if folder and self.settings.get("USE_FOLDER_AS_CATEGORY"):
            return folder
        return ""  # DEFAULT_CATEGORY ('misc') is Pelican's filler: not a tag

    def _old_url(self, doc: Document, fields: dict[str, Any], where: str) -> str:
        """The post's path on the Pelican site's host (under SITEURL's path), from its
        url/save_as or the URL settings."""
        base = "ARTICLE" if doc.kind == "article" else "PAGE"
        lang = "_LANG" if fields["lang"] != self.settings["DEFAULT_LANG"] else ""
        patterns = [str(fields.get("url") or self.settings.get(f"{base}{lang}_URL") or ""),
                    str(fields.get("save_as") or self.settings.get(f"{base}{lang}_SAVE_AS")
                        or "")]
        try:
            url, save_as = (_FORMAT.format(p, **_url_fields(fields)) for p in patterns)
        except (KeyError, ValueError, IndexError, AttributeError, TypeError) as exc:
            self.problems.append(Problem(where, None, f"old URL not kept: {base}_URL names "
                                         f"{exc}, which this post does not have"))
            return ""
        path = _site_path(url, save_as)
        base = urlsplit(str(self.settings.get("SITEURL") or "")).path.rstrip("/")
        return base + path if path else ""

    def dropped(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(self.left_out.items()))

    def targets(self, posts: list[ImportedPost]) -> dict[str, ImportedPost]:
        """Posts by their file, relative to the content folder, for `{filename}` links."""
        return {p.origin.removeprefix(self.prefix): p for p in posts}


def _zone(settings: dict[str, Any]) -> str:
    zone = str(settings.get("TIMEZONE") or "UTC")
    return zone if parse_date("2000-01-01", zone) else "UTC"


def _parse_date(value: object, zone: str) -> dt.datetime | None:
    """A date as Pelican reads it: ISO forms with one-digit hours and the like, and a few
    written-out forms ('17 May 2024', '2024/05/17')."""
    found = parse_date(value, zone)
    for form in DATE_FORMATS if found is None else ():
        try:
            return parse_date(dt.datetime.strptime(str(value).strip(), form), zone)
        except ValueError:
            continue
    return found


def _plain(text: str) -> str:
    """A title or summary as text: HTML tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]*>", "", text).split())


def pelican_slug(text: str, strict: bool = False) -> str:
    """Pelican's default slugify: ASCII letters, digits, '_' and '-', in lower case; other
    characters dropped. A text with none of those gets sitegen's slug (unless strict)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip()).lower()
    slug = slug.strip("-")
    return slug if slug or strict else slugify(text)


class _Formatter(string.Formatter):
    """str.format for URL settings, without attribute or index lookups."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if "." in field_name or "[" in field_name:
            raise KeyError(field_name)
        return super().get_field(field_name, args, kwargs)


_FORMAT = _Formatter()


def _url_fields(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if isinstance(k, str)}
    for name in ("category", "author"):
        values[name] = pelican_slug(str(values.get(name, "") or ""), strict=True)
    if "category" in fields and not fields.get("category"):
        values.pop("category")
    return values


def _site_path(url: str, save_as: str) -> str:
    """The URL people linked to: URL when a static host serves it as it is (a folder or a
    file with an extension), else the file Pelican saved."""
    url, save_as = url.lstrip("/"), save_as.lstrip("/")
    if url and (url.endswith("/") or PurePosixPath(url).suffix):
        return "/" + url
    if not save_as:
        return ""
    if save_as == "index.html" or save_as.endswith("/index.html"):
        return "/" + save_as.removesuffix("index.html")
    return "/" + save_as


# The site as a whole ──────────────────────────────────────────────────────────────────

def _nav(posts: list[ImportedPost], settings: dict[str, Any],
         hidden: set[str]) -> list[ImportedPost]:
    """Published pages go in the header navigation, ordered by file name, as Pelican's
    menu shows them (DISPLAY_PAGES_ON_MENU); hidden ones do not."""
    if not settings.get("DISPLAY_PAGES_ON_MENU"):
        return posts
    pages = sorted((p for p in posts if p.kind == "page" and not p.draft
                    and p.origin not in hidden), key=lambda p: PurePosixPath(p.origin).name)
    order = {p.origin: n for n, p in enumerate(pages, start=1)}
    return [dataclasses.replace(p, nav=order.get(p.origin, 0)) for p in posts]


def _translations(posts: list[ImportedPost], langs: dict[str, str]) -> list[ImportedPost]:
    """A translation that shares its slug with another post (Pelican tells them apart by
    language) gets its language after the slug: 'bridges-fr'."""
    taken = Counter((p.kind == "page", p.slug) for p in posts)
    return [dataclasses.replace(p, slug=safe_slug(f"{p.slug}-{langs[p.origin]}"))
            if p.origin in langs and taken[p.kind == "page", p.slug] > 1 else p for p in posts]


def _tag_slugs(posts: list[ImportedPost]) -> set[str]:
    return {sitegen_tags.slugify(t) for p in posts if not p.draft for t in p.tags}


def _statics(paths: list[str], settings: dict[str, Any], content: Path) -> list[Asset]:
    """Static files go to root/ at the same path, so /images/x.png keeps resolving;
    EXTRA_PATH_METADATA may move one ('extra/CNAME' → 'CNAME')."""
    moved = settings.get("EXTRA_PATH_METADATA")
    moved = moved if isinstance(moved, dict) else {}
    assets = []
    for path in paths:
        extra = moved.get(path)
        target = str(extra.get("save_as") or extra.get("path") or path) \
            if isinstance(extra, dict) else path
        assets.append(Asset(content / path, "root/" + target.lstrip("/")))
    return assets


def _clear_of_sitegen(assets: list[Asset], content: Path,
                      prefix: str) -> tuple[list[Asset], list[Problem]]:
    """Static files that would stand where sitegen writes its own (robots.txt, /tags/…)
    are left out and reported."""
    kept, problems = [], []
    for asset in assets:
        path = asset.target.removeprefix("root/")
        if path in GENERATED or path.startswith(GENERATED_FOLDERS):
            where = prefix + asset.source.relative_to(content).as_posix()
            problems.append(Problem(where, None, f"static file not copied: /{path} is made by "
                                    "sitegen; merge the two by hand if this one matters"))
        else:
            kept.append(asset)
    return kept, problems


def _unique(assets: list[Asset]) -> tuple[Asset, ...]:
    return tuple({a.target: a for a in assets}.values())


def _settings(settings: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = {"title": settings.get("SITENAME"), "author": settings.get("AUTHOR"),
             "description": settings.get("SITESUBTITLE"),
             "language": settings.get("DEFAULT_LANG"), "timezone": settings.get("TIMEZONE")}
    url = str(settings.get("SITEURL") or "")
    if re.match(r"^https?://[^/\s]+", url):
        found["base_url"] = url.rstrip("/") + "/"
    if found["timezone"] and parse_date("2000-01-01", str(found["timezone"])) is None:
        found.pop("timezone")
    return tuple((k, str(v)) for k, v in found.items() if isinstance(v, str) and v)


def _feeds(settings: dict[str, Any], problems: list[Problem]) -> tuple[str, ...]:
    """The site feeds' paths (published again as copies of sitegen's feed); category,
    tag, author and translation feeds are reported, since sitegen has its own."""
    feeds = [str(settings[k]) for k in pelicanconf.SITE_FEEDS if settings.get(k)]
    others = [f"{k} ({settings[k]})" for k in pelicanconf.OTHER_FEEDS if settings.get(k)]
    if others:
        problems.append(Problem("pelicanconf.py", None, "feeds not kept: " + ", ".join(others)
                                + "; sitegen's tag feeds are at /tags/{tag}.atom"))
    return tuple(dict.fromkeys("/" + f.lstrip("/") for f in feeds if "{" not in f))


def _lists(settings: dict[str, Any]) -> list[Problem]:
    """Pelican's category and tag pages have no copy: sitegen's tag pages replace both."""
    pages = [f"{k} ({settings[k]})" for k in ("CATEGORY_URL", "TAG_URL") if settings.get(k)]
    return [Problem("pelicanconf.py", None, "category and tag pages not kept: " +
                    ", ".join(pages) + "; sitegen's tag pages are at /tags/{tag}/")] \
        if pages else []
