"""`sitegen import hugo SOURCE`: a Hugo site folder → posts, pages and files.

Content files under `content/` (YAML `---`, TOML `+++` or JSON front matter) are posts
in the main sections (`params.mainSections`, else `post`, `posts`, `blog`, …, else the
largest section) and pages elsewhere (top-level files, other sections, `type: page`,
files without a date). A page bundle's files are copied beside its post; `static/` is
copied under `root/`. Each post's old URL is made as Hugo made it (`permalinks`, `url`,
`slug`, lower-cased paths). Shortcodes: `ref`, `relref`, `highlight`, `figure`,
`youtube`, `vimeo`, `gist`, `tweet`/`x`, `instagram` and `param` are converted; others
are left and reported.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import tomllib
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from sitegen.importers import front_matter, markdown_macros
from sitegen.importers.front_matter import FrontMatterError
from sitegen.importers.markdown_macros import Block, Chunk
from sitegen.importers.records import (
    Asset,
    Imported,
    ImportedPost,
    Problem,
    checked,
    inside,
    parse_date,
    safe_slug,
)

CONFIG_NAMES = ("hugo", "config")
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
CONTENT_SUFFIXES = frozenset((".md", ".markdown", ".html", ".htm"))
POST_SECTIONS = ("posts", "post", "blog", "articles", "article", "news", "notes", "writing",
                 "entries", "til")
DATE_FIELDS = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")
FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
HANDLED = ("date", "publishdate", "pubdate", "published", "slug", "title", "url", "draft",
           "aliases", "type", "tags", "categories", "series", "headless", "section")
HIGHLIGHT = Block(
    re.compile(r"""^(?P<indent>[ \t]*)\{\{[<%]\s*highlight\s+"""
               r"""(?P<q>["`]?)(?P<lang>[\w+#.-]*)(?P=q)(?:\s+(?:"[^"]*"|\S+?))*\s*"""
               r"""[>%]\}\}[ \t]*(?P<rest>.*)$"""),
    re.compile(r"\{\{[<%]\s*/highlight\s*[>%]\}\}"))
SHORTCODE = re.compile(r"\{\{<\s*(?P<close><?/)?\s*(?P<name>[\w.-]+)(?P<args>(?:[^>]|>(?!\}\}))*?)"
                       r"\s*/?\s*>\}\}"
                       r"|\{\{%\s*(?P<close2>/)?\s*(?P<name2>[\w.-]+)(?P<args2>(?:[^%]|%(?!\}\}))*?)"
                       r"\s*/?\s*%\}\}", re.DOTALL)
ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
ARGUMENT = re.compile(r"""(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)""")
# Files sitegen makes itself at the site root.
GENERATED = frozenset(("index.html", "404.html", "robots.txt", "sitemap.xml"))
PATH_UNSAFE = re.compile(r"[^\w./\\#+~-]")


@dataclass(frozen=True, slots=True)
class Config:
    """What the import needs of Hugo's configuration."""

    zone: str
    base_path: str  # '' or '/blog'
    permalinks: dict[str, str]
    taxonomies: tuple[str, ...]
    main_sections: tuple[str, ...]
    filename_dates: bool
    ugly: bool
    lower: bool
    params: dict[str, Any]
    content_dir: str
    static_dir: str
    settings: tuple[tuple[str, str], ...]
    feeds: tuple[str, ...]
    problems: tuple[Problem, ...] = ()  # settings not used


@dataclass(frozen=True, slots=True)
class _Read:
    """A content file before its body is converted."""

    post: ImportedPost
    meta: dict[str, Any]
    body: str
    body_line: int
    dropped: tuple[str, ...]


@dataclass(slots=True)
class _Content:
    """The content folder's files: content files (and whether each is a bundle's
    index), and the other files."""

    files: list[tuple[str, bool]] = field(default_factory=list)
    resources: dict[str, list[str]] = field(default_factory=dict)  # bundle → its files
    loose: list[str] = field(default_factory=list)


def read(source: Path) -> Imported:
    """Read a Hugo site folder."""
    config = read_config(source)
    content = _scan(source, config.content_dir)
    problems = list(config.problems)
    main = config.main_sections or _main_sections(content)
    read_files = [r for r in (_read_file(source, path, bundle, content, main, config, problems)
                              for path, bundle in content.files) if r]
    urls = _urls(read_files)
    posts = [_convert(r, urls, config, problems) for r in read_files]
    posts, fields, dropped_extra = front_matter.settle_extras(posts)
    dropped = Counter(name for r in read_files for name in r.dropped)
    dropped.update(dropped_extra)
    loose = (Asset(source / config.content_dir / p, "root/" + p) for p in content.loose)
    assets = [*_static(source, config, problems), *loose]
    feeds = config.feeds + tuple(f"{config.base_path}/{s}/index.xml" for s in main[:1]
                                 if config.feeds)
    return checked(Imported("hugo", tuple(posts), config.settings, tuple(assets), feeds,
                            fields, tuple(sorted(dropped.items())), tuple(problems)))


# Configuration


def read_config(source: Path) -> Config:
    raw = _config_data(source)
    base = str(raw.get("baseurl") or "")
    base_path = urlsplit(base).path.rstrip("/")
    params = raw.get("params") if isinstance(raw.get("params"), dict) else {}
    assert isinstance(params, dict)
    params = {str(k).lower(): v for k, v in params.items()}
    zone = _zone(raw.get("timezone"))
    taxonomies = raw.get("taxonomies") or raw.get("indexes")  # 'indexes': Hugo before 0.11
    plurals = tuple(str(v).lower() for v in taxonomies.values()) \
        if isinstance(taxonomies, dict) else ("tags", "categories")
    main = params.get("mainsections")
    main_sections = tuple(str(s) for s in main) if isinstance(main, list) \
        else (str(main),) if isinstance(main, str) else ()
    dates = raw.get("frontmatter", {}).get("date") if isinstance(raw.get("frontmatter"), dict) \
        else None
    disabled = {str(k).lower() for k in raw.get("disablekinds") or ()}
    problems: list[Problem] = []
    return Config(
        zone, base_path, _permalinks(raw.get("permalinks")), plurals, main_sections,
        isinstance(dates, list) and ":filename" in dates, raw.get("uglyurls") is True,
        raw.get("disablepathtolower") is not True, params,
        _folder(source, raw, "contentDir", problems), _folder(source, raw, "staticDir", problems),
        _settings(raw, params, zone), () if "rss" in disabled else (base_path + "/index.xml",),
        tuple(problems))


def _folder(source: Path, raw: Mapping[str, Any], key: str, problems: list[Problem]) -> str:
    """contentDir or staticDir: Hugo's default when the setting points outside the site
    (the importer reads nothing outside it)."""
    default = key.removesuffix("Dir").lower()
    value = raw.get(key.lower())
    if isinstance(value, list):  # Hugo allows several static folders: the first is read
        value = value[0] if value else None
    if not value:
        return default
    if inside(source, source / str(value)):
        return str(value)
    name = next((n + s for n in CONFIG_NAMES for s in CONFIG_SUFFIXES
                 if (source / (n + s)).is_file()), "config/_default")
    problems.append(Problem(name, None, f"setting not used: {key} {str(value)!r} points "
                            "outside the site folder, and the importer reads nothing outside "
                            f"it; {default}/ was read instead"))
    return default


def _config_data(source: Path) -> dict[str, Any]:
    """The site's configuration: hugo.toml (or config.toml, .yaml, .json), or the files
    of config/_default/, keys in lower case."""
    for name in CONFIG_NAMES:
        for suffix in CONFIG_SUFFIXES:
            path = source / (name + suffix)
            if path.is_file():
                return _lowered(_load(path))
    folder = source / "config" / "_default"
    merged: dict[str, Any] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in CONFIG_SUFFIXES and path.is_file():
                data = _lowered(_load(path))
                if path.stem in CONFIG_NAMES:
                    merged = {**data, **merged}
                else:
                    merged[path.stem.lower()] = data
    return merged


def _load(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return {}


def _lowered(data: object) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}


def _zone(value: object) -> str:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(value) if value else "UTC"


def _permalinks(raw: object) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in (raw.items() if isinstance(raw, dict) else ()):
        if isinstance(value, dict) and key == "page":  # Hugo 0.120: [permalinks.page]
            found.update({str(k): str(v) for k, v in value.items()})
        elif isinstance(value, str):
            found.setdefault(str(key), value)
    return found


def _settings(raw: Mapping[str, Any], params: Mapping[str, Any],
              zone: str) -> tuple[tuple[str, str], ...]:
    author = raw.get("author") or params.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    base = str(raw.get("baseurl") or "")
    found = {"title": raw.get("title"),
             "description": params.get("description") or raw.get("description"),
             "author": author, "timezone": zone if raw.get("timezone") else None,
             "base_url": base.rstrip("/") + "/" if base.startswith(("http://", "https://"))
             else None,
             "language": str(raw.get("languagecode") or "").lower() or None}
    return tuple((k, " ".join(str(v).split())) for k, v in found.items()
                 if isinstance(v, str | int | float) and str(v).strip())


# The content folder


def _scan(source: Path, content_dir: str) -> _Content:
    found = _Content()
    content = source / content_dir
    for folder, dirs, files in os.walk(content):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        relative = Path(folder).relative_to(content).as_posix().removeprefix(".").lstrip("/")
        index = next((n for n in sorted(files) if Path(n).stem == "index"
                      and Path(n).suffix in CONTENT_SUFFIXES), None)
        if index:
            found.files.append((_join(relative, index), True))
            found.resources[_join(relative, index)] = _resources(Path(folder), source,
                                                                 content)
            dirs[:] = []
            continue
        for name in sorted(files):
            path = _join(relative, name)
            if name.startswith(".") or not inside(source, Path(folder, name)):
                continue
            if Path(name).suffix in CONTENT_SUFFIXES:
                if Path(name).stem != "_index":
                    found.files.append((path, False))
            else:
                found.loose.append(path)
    return found


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _resources(bundle: Path, source: Path, content: Path) -> list[str]:
    """A leaf bundle's files, its index aside, relative to the content folder."""
    return sorted(p.relative_to(content).as_posix() for p in bundle.rglob("*")
                  if p.is_file() and inside(source, p)
                  and not (p.parent == bundle and p.stem == "index")
                  and not any(part.startswith(".") for part in p.relative_to(bundle).parts))


def _main_sections(content: _Content) -> tuple[str, ...]:
    sections = Counter(path.split("/")[0] for path, _ in content.files if "/" in path)
    named = [s for s in POST_SECTIONS if s in sections]
    if named:
        return tuple(named)
    return (sections.most_common(1)[0][0],) if sections else ()


def _static(source: Path, config: Config, problems: list[Problem]) -> Iterator[Asset]:
    static = source / config.static_dir
    for path in sorted(static.rglob("*")) if static.is_dir() else ():
        relative = path.relative_to(static).as_posix()
        if not path.is_file() or any(p.startswith(".") for p in relative.split("/")) \
                or not inside(source, path):
            continue
        if relative in GENERATED:
            problems.append(Problem(f"{config.static_dir}/{relative}", None, "file not "
                                    f"copied: sitegen makes its own /{relative}"))
        else:
            yield Asset(path, "root/" + relative)


# One content file


def _read_file(source: Path, path: str, bundle: bool, content: _Content,
               main: tuple[str, ...], config: Config,
               problems: list[Problem]) -> _Read | None:
    origin = f"{config.content_dir}/{path}"
    document = _document(source / origin, origin, problems)
    if document is None or document.meta.get("headless") is True:
        return None
    meta = document.meta
    stem = PurePosixPath(path).parent.name if bundle else PurePosixPath(path).stem
    name_date, stem = _filename_date(stem, config)
    date = _date(meta, name_date, config.zone)
    section = path.split("/")[0] if "/" in path else ""
    is_page = date is None or not section or section not in main or meta.get("type") == "page"
    slug = str(meta.get("slug") or stem).strip()
    fields = front_matter.map_fields(meta, (*config.taxonomies, "series"), config.zone, HANDLED)
    url = _url(path, bundle, meta, slug, date, config)
    # A post with its own `url` keeps it as an alias: the others' pattern may fit them all.
    own, draft = bool(meta.get("url")) and not is_page, meta.get("draft") is True
    post = ImportedPost(
        origin=origin, slug=_sitegen_slug(slug if meta.get("url") else _last(url)),
        date=None if is_page else date,
        title=str(meta.get("title") or "").strip() or stem.replace("-", " ").capitalize(),
        body_format="html" if path.endswith((".html", ".htm")) else "md",
        kind="page" if is_page else "", tags=() if is_page else fields.tags,
        draft=draft, updated=None if is_page else fields.updated,
        description=fields.description,
        image=_image(source, config, path, bundle, fields.image, problems, origin),
        old_url=url if is_page or not (own or draft) else "",
        aliases=((url,) if own and not draft else ()) + _aliases(meta.get("aliases"), path,
                                                                 config),
        extra=fields.extra, nav=0,
        assets=tuple(Asset(source / config.content_dir / r,
                           r[len(str(PurePosixPath(path).parent)) + 1:])
                     for r in content.resources.get(path, ())))
    return _Read(post, meta, document.body, document.body_line, fields.dropped)


def _document(path: Path, origin: str, problems: list[Problem]) -> front_matter.Document | None:
    try:
        return front_matter.split(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(origin, None, "file not imported: not UTF-8 text; convert it "
                                "to UTF-8 and import again"))
    except FrontMatterError as exc:
        problems.append(Problem(origin, 1, f"file not imported: {exc}; fix it and import "
                                "again"))
    except OSError as exc:
        problems.append(Problem(origin, None, f"file not imported: {exc.strerror}"))
    return None


def _filename_date(stem: str, config: Config) -> tuple[str | None, str]:
    match = FILENAME_DATE.match(stem) if config.filename_dates else None
    return (match.group(1), match.group(2)) if match else (None, stem)


def _date(meta: Mapping[str, Any], name_date: str | None, zone: str) -> dt.datetime | None:
    """Hugo's date: the first of date, publishDate, … (naive ones in the site's zone)."""
    for name in DATE_FIELDS:
        if meta.get(name) not in (None, ""):
            moment = parse_date(meta[name], zone)
            if moment is not None and moment.year > 1:
                return moment
    return parse_date(name_date, zone) if name_date else None


def _url(path: str, bundle: bool, meta: Mapping[str, Any], slug: str,
         date: dt.datetime | None, config: Config) -> str:
    """The page's path from the host root, as Hugo made it."""
    if meta.get("url"):
        own = "/" + str(meta["url"]).strip().lstrip("/")
        return config.base_path + (own if own.endswith(("/", ".html", ".xml")) else own + "/")
    section = path.split("/")[0] if "/" in path else ""
    pattern = config.permalinks.get(section) if section and date else None
    folder = str(PurePosixPath(path).parent.parent if bundle else PurePosixPath(path).parent)
    if pattern:
        url = _expand(pattern, path, meta, slug, date, config)
    else:
        url = "/" + (folder + "/" if folder != "." else "") + slug + "/"
    url = _sanitized(url, config.lower)
    if config.ugly and url.endswith("/") and url != "/":
        url = url[:-1] + ".html"
    return config.base_path + url


def _expand(pattern: str, path: str, meta: Mapping[str, Any], slug: str,
            date: dt.datetime | None, config: Config) -> str:
    parts = PurePosixPath(path).parts
    title = _urlized(str(meta.get("title") or ""))
    stem = parts[-2] if PurePosixPath(path).stem == "index" and len(parts) > 1 \
        else PurePosixPath(path).stem
    values = {"section": parts[0], "sections": "/".join(parts[:-1]), "title": title,
              "slug": _urlized(str(meta["slug"])) if meta.get("slug") else title,
              "filename": stem, "slugorfilename": str(meta.get("slug") or stem),
              "slugorcontentbasename": str(meta.get("slug") or stem),
              "contentbasename": stem}
    if date is not None:
        values.update({"year": date.strftime("%Y"), "month": date.strftime("%m"),
                       "monthname": date.strftime("%B").lower(), "day": date.strftime("%d"),
                       "weekday": str(int(date.strftime("%w"))),
                       "weekdayname": date.strftime("%A").lower(),
                       "yearday": str(int(date.strftime("%j")))})
    url = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    url = "/" + url.strip("/")
    return url + "/" if not url.endswith((".html", "/")) else url


def _urlized(text: str) -> str:
    """Hugo's urlize: lower case, spaces to '-', other marks left out."""
    return _sanitized(text.strip(), True)


def _sanitized(path: str, lower: bool) -> str:
    path = unicodedata.normalize("NFC", path).replace(" ", "-")
    path = PATH_UNSAFE.sub("", path)
    return path.lower() if lower else path


def _last(url: str) -> str:
    """The last part of a URL path: the slug Hugo gave the post."""
    return PurePosixPath(url.rstrip("/")).name.removesuffix(".html")


def _sitegen_slug(slug: str) -> str:
    """Hugo's slug as its URL has it (lower case, unsafe marks left out) when that is a
    sitegen slug, else one made of it."""
    return safe_slug(_sanitized(slug, True).strip(".-"), slug)


def _aliases(value: object, path: str, config: Config) -> tuple[str, ...]:
    folder = str(PurePosixPath(path).parent).removeprefix(".")
    found = []
    for alias in front_matter.words(value, False):
        alias = alias.strip()
        full = alias if alias.startswith("/") else f"/{folder}/{alias}"
        full = re.sub(r"/+", "/", full)
        found.append(config.base_path + (full if full.endswith(("/", ".html")) else full + "/"))
    return tuple(found)


def _image(source: Path, config: Config, path: str, bundle: bool, image: str,
           problems: list[Problem], origin: str) -> str:
    if not image or image.startswith(("http://", "https://")):
        return image
    beside = source / config.content_dir / PurePosixPath(path).parent / image
    if bundle and not image.startswith("/") and beside.is_file() and inside(source, beside) \
            and ".." not in image.split("/"):
        return image
    static = source / config.static_dir / image.lstrip("/")
    if static.is_file() and inside(source / config.static_dir, static):
        return "/" + image.lstrip("/")
    problems.append(Problem(origin, None, f"image not found: {image} is neither beside the "
                            f"post nor under {config.static_dir}/; the post has no image"))
    return ""


# Bodies


def _urls(read_files: list[_Read]) -> dict[str, str]:
    """Names a `ref` may give (path in content/, with or without its suffix, a bundle's
    folder, a file name when unique) → the old URL."""
    urls: dict[str, str] = {}
    names: Counter[str] = Counter()
    for read_file in read_files:
        post = read_file.post
        path = post.origin.split("/", 1)[1]
        keys = {path, path.rsplit(".", 1)[0]}
        if PurePosixPath(path).stem == "index":
            keys.add(str(PurePosixPath(path).parent))
        for key in keys:
            urls[key] = post.old_url
        name = PurePosixPath(path.rsplit(".", 1)[0])
        short = name.parent.name if name.name == "index" else name.name
        names[short] += 1
        urls.setdefault("name:" + short, post.old_url)
    for short, count in names.items():
        if count > 1:
            del urls["name:" + short]
    return urls


def _convert(read_file: _Read, urls: Mapping[str, str], config: Config,
             problems: list[Problem]) -> ImportedPost:
    post = read_file.post
    chunks, found = markdown_macros.split(read_file.body, read_file.body_line, HIGHLIGHT,
                                          post.origin)
    problems += found
    shortcodes = _Shortcodes(post, read_file.meta, urls, config)
    converted = [markdown_macros.rewrite(chunk, SHORTCODE, shortcodes.convert, post.origin,
                                         "shortcode left as text", problems)
                 for chunk in chunks]
    body = ESCAPED.sub(r"{{\1\2\3}}", markdown_macros.join(converted))
    return replace(post, body=body.strip("\n") + "\n")


@dataclass(frozen=True, slots=True)
class _Shortcodes:
    """Hugo's built-in shortcodes of one body → Markdown or HTML."""

    post: ImportedPost
    meta: Mapping[str, Any]
    urls: Mapping[str, str]
    config: Config

    def convert(self, match: re.Match[str], chunk: Chunk) -> str | None:
        name = (match.group("name") or match.group("name2")).lower()
        if match.group("close") or match.group("close2"):
            return match.group(0)  # the end of a paired shortcode: its start is reported
        args = match.group("args") if match.group("name") else match.group("args2")
        positional, named = _arguments(args or "")
        method = getattr(self, "_" + name.replace("-", "_"), None)
        if name not in KNOWN or method is None:
            return None
        result: str | None = method(positional, named)
        return result

    def _ref(self, positional: list[str], named: dict[str, str]) -> str | None:
        target = named.get("path") or (positional[0] if positional else "")
        path, _, anchor = target.partition("#")
        fragment = "#" + anchor if anchor else ""
        if not path:
            return fragment or None
        url = self._lookup(path)
        return None if url is None else url + fragment

    _relref = _ref

    def _lookup(self, path: str) -> str | None:
        path = path.strip().lstrip("./").lstrip("/")
        here = str(PurePosixPath(self.post.origin.split("/", 1)[1]).parent)
        for key in (path, path.rstrip("/"), f"{here}/{path}".lstrip("./"),
                    "name:" + PurePosixPath(path.rsplit(".", 1)[0]).name):
            if key in self.urls:
                return self.urls[key]
        return None

    def _figure(self, positional: list[str], named: dict[str, str]) -> str | None:
        src = named.get("src") or (positional[0] if positional else "")
        if not src:
            return None
        attrs = f' src="{_attr(src)}" alt="{_attr(named.get("alt", ""))}"'
        attrs += "".join(f' {k}="{_attr(named[k])}"' for k in ("width", "height") if k in named)
        image = f"<img{attrs}>"
        if named.get("link"):
            image = f'<a href="{_attr(named["link"])}">{image}</a>'
        title = f"<strong>{html.escape(named['title'])}</strong>" if named.get("title") else ""
        caption = " ".join(part for part in (title, *(html.escape(named[k]) for k in
                                                      ("caption", "attr") if named.get(k)))
                           if part)
        classes = f' class="{_attr(named["class"])}"' if named.get("class") else ""
        tail = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"<figure{classes}>{image}{tail}</figure>"

    def _youtube(self, positional: list[str], named: dict[str, str]) -> str | None:
        video = named.get("id") or (positional[0] if positional else "")
        title = named.get("title") or "Video on YouTube"
        return _link(f"https://www.youtube.com/watch?v={video}", title) if video else None

    def _vimeo(self, positional: list[str], named: dict[str, str]) -> str | None:
        video = named.get("id") or (positional[0] if positional else "")
        title = named.get("title") or "Video on Vimeo"
        return _link(f"https://vimeo.com/{video}", title) if video else None

    def _gist(self, positional: list[str], named: dict[str, str]) -> str | None:
        user = named.get("user") or (positional[0] if positional else "")
        gist = named.get("id") or (positional[1] if len(positional) > 1 else "")
        if not (user and gist):
            return None
        name = named.get("file") or (positional[2] if len(positional) > 2 else "")
        anchor = "#file-" + re.sub(r"[^\w-]", "-", name.lower()) if name else ""
        return _link(f"https://gist.github.com/{user}/{gist}{anchor}",
                     f"Gist {name or gist} by {user}")

    def _tweet(self, positional: list[str], named: dict[str, str]) -> str | None:
        post = named.get("id") or (positional[-1] if positional else "")
        user = named.get("user") or (positional[0] if len(positional) > 1 else "")
        if not post.isdigit():
            return None
        where = f"{user}/status" if user else "i/web/status"
        return _link(f"https://twitter.com/{where}/{post}", f"Post by {user or 'on X'}")

    _x = _tweet

    def _instagram(self, positional: list[str], named: dict[str, str]) -> str | None:
        post = named.get("id") or (positional[0] if positional else "")
        return _link(f"https://www.instagram.com/p/{post}/", "Instagram post") if post else None

    def _param(self, positional: list[str], named: dict[str, str]) -> str | None:
        key = (named.get("name") or (positional[0] if positional else "")).lower()
        value = self.meta.get(key, self.config.params.get(key))
        return str(value) if isinstance(value, str | int | float) else None


KNOWN = frozenset(("ref", "relref", "figure", "youtube", "vimeo", "gist", "tweet", "x",
                   "instagram", "param"))


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for key, value in ARGUMENT.findall(text):
        value = _unquoted(value)
        if key:
            named[key.lower()] = value
        else:
            positional.append(value)
    return positional, named


def _unquoted(value: str) -> str:
    if value[:1] == '"' and value[-1:] == '"' and len(value) > 1:
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if value[:1] == "`" and value[-1:] == "`" and len(value) > 1:
        return value[1:-1]
    return value


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _link(url: str, text: str) -> str:
    return f'<a href="{_attr(url)}">{html.escape(text)}</a>'
