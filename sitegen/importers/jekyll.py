"""`sitegen import jekyll SOURCE`: a Jekyll site folder → posts, pages and files.

Posts come from every `_posts/` folder (`YYYY-MM-DD-slug.md`, `.markdown`, `.html`),
drafts from `_drafts/` and `published: false`; pages are the other Markdown and HTML
files with front matter; every other file the old site published as it was (folders
not starting with '_' or '.') is copied under `root/`. Each post's old URL is made as
Jekyll made it, from `_config.yml`'s `permalink` and the date read in its `timezone`.
Liquid in bodies: `post_url`, `link`, `site.baseurl`, `highlight` and `raw` are
converted; any other tag is left and reported.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

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
    slugify,
)

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.+)\.([^.]+)$")
MARKDOWN = frozenset(("md", "markdown", "mkdown", "mkdn", "mkd"))
PAGE_SUFFIXES = frozenset((*MARKDOWN, "html", "htm"))
# Files of the old site's project, not of the site it published.
PROJECT_FILES = re.compile(
    r"^(gemfile(\.lock)?|rakefile|.*\.gemspec|readme(\..*)?|license(\..*)?|changelog(\..*)?|"
    r"package(-lock)?\.json|yarn\.lock|makefile|dockerfile|docker-compose\.ya?ml|"
    r"netlify\.toml|vercel\.json|\.travis\.yml)$", re.IGNORECASE)
SKIPPED_FOLDERS = frozenset(("node_modules", "vendor", "_site", ".jekyll-cache", ".git"))
# Files sitegen makes itself at the site root.
GENERATED = frozenset(("index.html", "404.html", "robots.txt", "sitemap.xml"))
THEME_PAGE = re.compile(r"\{%-?\s*for\b|paginator\.|site\.(posts|tags|categories)\b")
HIGHLIGHT = Block(
    re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*highlight\s+(?P<lang>[\w+#.-]+)?[^%]*-?%\}"
               r"[ \t]*(?P<rest>.*)$"),
    re.compile(r"\{%-?\s*endhighlight\s*-?%\}"))
LIQUID = re.compile(r"\{%-?\s*(?P<tag>\w+)(?P<args>(?:[^%]|%(?!\}))*?)\s*-?%\}"
                    r"|\{\{-?\s*(?P<expr>(?:[^}]|\}(?!\}))*?)\s*-?\}\}", re.DOTALL)
COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
BASEURL_BEFORE_TAG = re.compile(r"\{\{-?\s*site\.baseurl\s*-?\}\}(?=\{%-?\s*(?:post_url|link)\b)")
RAW_TAG = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")
FILTERED_PATH = re.compile(r"""^(["'])(?P<path>[^"']*)\1\s*\|\s*"""
                           r"(?:relative_url|absolute_url|prepend:\s*site\.baseurl)$")
HANDLED = ("date", "slug", "title", "permalink", "published", "draft", "redirect_from",
           "tags", "tag", "categories", "category")


@dataclass(frozen=True, slots=True)
class Config:
    """What the import needs of `_config.yml`."""

    zone: str
    permalink: str
    baseurl: str  # '' or '/blog'
    exclude: tuple[str, ...]
    header_pages: tuple[str, ...]
    defaults: tuple[tuple[str, str, dict[str, Any]], ...]  # (path, type, values)
    settings: tuple[tuple[str, str], ...]
    feeds: tuple[str, ...]


@dataclass(slots=True)
class _Found:
    """The source's files, sorted by what they are."""

    posts: list[tuple[str, bool]] = field(default_factory=list)  # path, in _drafts
    pages: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Read:
    """A post or page before its body is converted: the record and its raw body."""

    post: ImportedPost
    body: str
    body_line: int
    dropped: tuple[str, ...]


def read(source: Path) -> Imported:
    """Read a Jekyll site folder."""
    config = read_config(source)
    found = _scan(source, config)
    problems = list(found.problems)
    read_posts = [r for r in (_read_post(source, p, d, config, problems)
                              for p, d in found.posts) if r]
    read_pages = [r for r in (_read_page(source, p, config, problems) for p in found.pages)
                  if r]
    urls = _urls(read_posts, read_pages, config)
    assets = {path for path in found.assets}
    posts = [_convert(r, urls, assets, config, problems) for r in (*read_posts, *read_pages)]
    posts, fields, dropped_extra = front_matter.settle_extras(posts)
    dropped = Counter(name for r in (*read_posts, *read_pages) for name in r.dropped)
    dropped.update(dropped_extra)
    return checked(Imported("jekyll", tuple(posts), config.settings,
                            tuple(_asset(source, path) for path in found.assets),
                            config.feeds, fields, tuple(sorted(dropped.items())),
                            tuple(problems)))


def read_config(source: Path) -> Config:
    raw = _config_data(source)
    base = raw.get("baseurl") or ""
    baseurl = "/" + str(base).strip("/") if str(base).strip("/") else ""
    zone = str(raw.get("timezone") or "UTC")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = "UTC"
    style = str(raw.get("permalink") or "date")
    permalink = STYLES.get(style, style)
    return Config(zone, permalink, baseurl, tuple(str(e) for e in raw.get("exclude") or ()),
                  tuple(str(p) for p in raw.get("header_pages") or ()),
                  _defaults(raw.get("defaults")), _settings(raw, baseurl, zone),
                  _feeds(raw, source))


def _config_data(source: Path) -> dict[str, Any]:
    for name in ("_config.yml", "_config.yaml"):
        path = source / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _defaults(raw: object) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    found = []
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, dict) and isinstance(item.get("values"), dict):
            scope = item.get("scope") if isinstance(item.get("scope"), dict) else {}
            assert isinstance(scope, dict)
            found.append((str(scope.get("path") or "").strip("/"), str(scope.get("type") or ""),
                          {str(k).lower(): v for k, v in item["values"].items()}))
    return tuple(found)


def _settings(raw: Mapping[str, Any], baseurl: str, zone: str) -> tuple[tuple[str, str], ...]:
    author = raw.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    url = str(raw.get("url") or "").rstrip("/")
    language = str(raw.get("lang") or raw.get("locale") or "").replace("_", "-").lower()
    found = {"title": raw.get("title"), "description": raw.get("description"),
             "author": author, "timezone": zone if raw.get("timezone") else None,
             "base_url": url + baseurl + "/" if url.startswith(("http://", "https://")) else None,
             "language": language or None}
    return tuple((k, " ".join(str(v).split())) for k, v in found.items()
                 if isinstance(v, str | int | float) and str(v).strip())


def _feeds(raw: Mapping[str, Any], source: Path) -> tuple[str, ...]:
    plugins = [str(p) for p in [*(raw.get("plugins") or ()), *(raw.get("gems") or ())]]
    feed = raw.get("feed")
    path = str(feed.get("path")) if isinstance(feed, dict) and feed.get("path") else "feed.xml"
    found = ["/" + path.lstrip("/")] if "jekyll-feed" in plugins else []
    for name in ("feed.xml", "atom.xml", "rss.xml", "feed/index.xml"):
        if (source / name).is_file() and "/" + name not in found:
            found.append("/" + name)
    return tuple(found)


def _scan(source: Path, config: Config) -> _Found:
    found = _Found()
    for path in _files(source, config):
        parts = PurePosixPath(path).parts
        if "_posts" in parts or "_drafts" in parts:
            if PurePosixPath(path).suffix.lstrip(".").lower() in PAGE_SUFFIXES:
                found.posts.append((path, "_drafts" in parts))
        elif _has_front_matter(source / path):
            _sort_page(path, found)
        elif PROJECT_FILES.match(parts[-1]) and len(parts) == 1:
            continue
        elif path in GENERATED:
            found.problems.append(Problem(path, None, f"file not copied: sitegen makes its "
                                          f"own /{path}"))
        else:
            found.assets.append(path)
    return found


def _sort_page(path: str, found: _Found) -> None:
    suffix = PurePosixPath(path).suffix.lstrip(".").lower()
    if suffix not in PAGE_SUFFIXES:
        return  # made by the theme (styles, feeds, sitemaps): sitegen makes its own
    if "/" not in path and PurePosixPath(path).stem in ("index", "404"):
        return  # sitegen makes its own home page and 404 page
    found.pages.append(path)


def _files(source: Path, config: Config) -> Iterator[str]:
    """Every file of the site, relative, in a stable order; hidden and excluded folders
    skipped ('_' folders are kept for _posts and _drafts)."""
    excluded = {e.strip("/") for e in config.exclude}
    for folder, dirs, files in os.walk(source):
        relative = PurePosixPath(Path(folder).relative_to(source).as_posix())
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS
                         and str(relative / d).removeprefix("./") not in excluded
                         and (not d.startswith("_") or d in ("_posts", "_drafts")))
        for name in sorted(files):
            path = str(relative / name).removeprefix("./")
            if not name.startswith((".", "_")) and path not in excluded \
                    and name not in excluded and inside(source, Path(folder, name)):
                yield path


def _has_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(4).lstrip(b"\xef\xbb\xbf").startswith(b"---")
    except OSError:
        return False


def _read_text(source: Path, path: str, problems: list[Problem]) -> front_matter.Document | None:
    try:
        return front_matter.split((source / path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(path, None, "file not imported: not UTF-8 text; convert it "
                                "to UTF-8 and import again"))
    except FrontMatterError as exc:
        problems.append(Problem(path, 1, f"file not imported: {exc}; fix it and import again"))
    except OSError as exc:
        problems.append(Problem(path, None, f"file not imported: {exc.strerror}"))
    return None


def _with_defaults(meta: dict[str, Any], path: str, kind: str,
                   config: Config) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for scope, scope_type, values in config.defaults:
        if (not scope or path == scope or path.startswith(scope + "/")) and \
                scope_type in ("", kind):
            merged.update(values)
    return {**merged, **meta}


def _read_post(source: Path, path: str, draft: bool, config: Config,
               problems: list[Problem]) -> _Read | None:
    name = PurePosixPath(path).name
    match = POST_NAME.match(name)
    if not match and not draft:
        problems.append(Problem(path, None, "file not imported: a post's name must be "
                                "YYYY-MM-DD-slug.md; rename it and import again"))
        return None
    document = _read_text(source, path, problems)
    if document is None:
        return None
    meta = _with_defaults(document.meta, path, "drafts" if draft else "posts", config)
    name_slug = match.group(2) if match else PurePosixPath(name).stem
    date = _post_date(meta, match.group(1) if match else None, source / path, config.zone)
    if date is None:
        problems.append(Problem(path, None, f"file not imported: date "
                                f"{str(meta.get('date'))!r} is not a date"))
        return None
    categories = _categories(path, meta)
    title_slug = _pretty_slug(str(meta.get("slug") or name_slug))
    fields = front_matter.map_fields(meta, (), config.zone, HANDLED)
    url = _post_url(meta, date, categories, title_slug, name_slug, config)
    # A post with its own permalink keeps it as an alias: the others' pattern may fit them all.
    draft = draft or meta.get("published") is False or meta.get("draft") is True
    own = bool(meta.get("permalink")) and not draft
    tags = [*categories, *front_matter.words(meta.get("tag"), False),
            *front_matter.words(meta.get("tags"), True)]
    post = ImportedPost(
        origin=path, slug=safe_slug(title_slug), date=date,
        title=str(meta.get("title") or "").strip() or _title_from(name_slug),
        body_format="html" if name.lower().endswith((".html", ".htm")) else "md",
        tags=tuple(dict.fromkeys(t for t in tags if t)),
        draft=draft,
        updated=fields.updated, description=fields.description,
        image=_image(source, fields.image),
        old_url="" if draft or own else url,
        aliases=(url,) * own + _redirects(meta.get("redirect_from"), config.baseurl),
        extra=fields.extra)
    return _Read(post, document.body, document.body_line, fields.dropped)


def _post_date(meta: Mapping[str, Any], from_name: str | None, path: Path,
               zone: str) -> dt.datetime | None:
    """The post's date as Jekyll reads it, in the site's time zone: a YAML timestamp
    without an offset is UTC (Jekyll's YAML reader makes it so), a quoted one local."""
    value = meta.get("date")
    tz = zoneinfo.ZoneInfo(zone)
    if value in (None, ""):
        if from_name is None:
            return dt.datetime.fromtimestamp(path.stat().st_mtime, tz).replace(microsecond=0)
        value = from_name
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC).astimezone(tz)
    moment = parse_date(value, zone)
    return None if moment is None else moment


def _categories(path: str, meta: Mapping[str, Any]) -> list[str]:
    """Folders above `_posts`, then `category` and `categories`, as Jekyll lists them."""
    parts = PurePosixPath(path).parts
    special = "_drafts" if "_drafts" in parts else "_posts"
    found = [p for p in parts[:parts.index(special)]]
    found += front_matter.words(meta.get("category"), False)
    found += front_matter.words(meta.get("categories"), True)
    return list(dict.fromkeys(found))


def _pretty_slug(text: str) -> str:
    """Jekyll's slugify in 'pretty' mode, case kept (its `:title`)."""
    return re.sub(r"[^\w._~!$&'()+,;=@]+", "-", text).strip("-")


def _title_from(slug: str) -> str:
    return slug.replace("-", " ").strip().capitalize() or "Untitled"


def _post_url(meta: Mapping[str, Any], date: dt.datetime, categories: list[str],
              title_slug: str, name_slug: str, config: Config) -> str:
    pattern = str(meta.get("permalink") or config.permalink)
    pattern = STYLES.get(pattern, pattern)
    local = date.astimezone(zoneinfo.ZoneInfo(config.zone))
    slug = str(meta.get("slug") or name_slug)
    values = {
        "year": local.strftime("%Y"), "month": local.strftime("%m"), "day": local.strftime("%d"),
        "i_month": str(local.month), "i_day": str(local.day), "short_year": local.strftime("%y"),
        "hour": local.strftime("%H"), "minute": local.strftime("%M"),
        "second": local.strftime("%S"), "y_day": local.strftime("%j"),
        "short_month": local.strftime("%b"), "long_month": local.strftime("%B"),
        "short_day": local.strftime("%a"), "long_day": local.strftime("%A"),
        "week": local.strftime("%V"), "w_year": local.strftime("%G"),
        "w_day": local.strftime("%u"), "title": title_slug,
        "slug": re.sub(r"[^\w]+", "-", slug).strip("-").lower(), "name": slug,
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "slugified_categories": "/".join(slugify(c) for c in categories),
        "output_ext": ".html", "collection": "posts", "path": ""}
    url = re.sub(r":([a-z_]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return _file_url(config.baseurl + "/" + url)


def _file_url(url: str) -> str:
    """The URL of the file Jekyll wrote: a folder's, or one ending in '.html'."""
    url = re.sub(r"/+", "/", "/" + url.replace("..", "/").replace("./", ""))
    return url if url.endswith(("/", ".html")) else url + ".html"


def _redirects(value: object, baseurl: str) -> tuple[str, ...]:
    return tuple(_file_url(baseurl + "/" + path.strip())
                 for path in front_matter.words(value, False) if path.strip())


def _image(source: Path, image: str) -> str:
    if not image or image.startswith(("http://", "https://", "//")):
        return "https:" + image if image.startswith("//") else image
    path = image.split("?")[0].split("#")[0].lstrip("/")
    return "/" + path if (source / path).is_file() and inside(source, source / path) \
        and ".." not in path.split("/") else ""


def _read_page(source: Path, path: str, config: Config,
               problems: list[Problem]) -> _Read | None:
    document = _read_text(source, path, problems)
    if document is None:
        return None
    if THEME_PAGE.search(document.body):
        problems.append(Problem(path, None, "page not imported: it lists posts with Liquid; "
                                "sitegen makes its own lists (home, tags, archives)"))
        return None
    meta = _with_defaults(document.meta, path, "pages", config)
    url = _page_url(path, meta, config)
    stem = PurePosixPath(url.rstrip("/")).name.removesuffix(".html") or \
        PurePosixPath(path).stem
    fields = front_matter.map_fields(meta, (), config.zone, HANDLED)
    nav = config.header_pages.index(path) + 1 if path in config.header_pages else 0
    post = ImportedPost(
        origin=path, slug=safe_slug(_pretty_slug(stem)), date=None,
        title=str(meta.get("title") or "").strip() or _title_from(stem),
        body_format="html" if path.lower().endswith((".html", ".htm")) else "md",
        kind="page", draft=meta.get("published") is False, description=fields.description,
        image=_image(source, fields.image), old_url=url,
        aliases=_redirects(meta.get("redirect_from"), config.baseurl), extra=fields.extra,
        nav=nav)
    return _Read(post, document.body, document.body_line, fields.dropped)


def _page_url(path: str, meta: Mapping[str, Any], config: Config) -> str:
    if meta.get("permalink"):
        return _file_url(config.baseurl + "/" + str(meta["permalink"]))
    folder = str(PurePosixPath(path).parent).removeprefix(".")
    stem = PurePosixPath(path).stem
    if stem == "index":
        return _file_url(f"{config.baseurl}/{folder}/")
    pretty = config.permalink.endswith("/")
    return _file_url(f"{config.baseurl}/{folder}/{stem}" + ("/" if pretty else ".html"))


def _urls(posts: list[_Read], pages: list[_Read], config: Config) -> dict[str, str]:
    """Names a `post_url` or `link` tag may give → the old URL."""
    urls: dict[str, str] = {}
    for read_post in (*posts, *pages):
        post = read_post.post
        if not post.old_url:
            continue
        urls[post.origin] = post.old_url
        if post.kind != "page":
            inside = post.origin.split("_posts/", 1)[-1]
            stem = inside.rsplit(".", 1)[0]
            urls.setdefault("post_url:" + stem, post.old_url)
            urls.setdefault("post_url:" + PurePosixPath(stem).name, post.old_url)
    return urls


def _convert(read_post: _Read, urls: Mapping[str, str], assets: set[str], config: Config,
             problems: list[Problem]) -> ImportedPost:
    post = read_post.post
    chunks, found = markdown_macros.split(read_post.body, read_post.body_line, HIGHLIGHT,
                                          post.origin)
    problems += found
    liquid = _Liquid(post, urls, assets, config)
    converted = []
    for chunk in chunks:
        if chunk.code:
            converted.append(liquid.code(chunk))
            continue
        chunk = Chunk(BASEURL_BEFORE_TAG.sub("", COMMENT.sub("", chunk.text)), chunk.line, False)
        converted.append(markdown_macros.rewrite(chunk, LIQUID, liquid.convert, post.origin,
                                                 "Liquid left as text", problems))
    return replace(post, body=markdown_macros.join(converted).strip("\n") + "\n")


@dataclass(slots=True)
class _Liquid:
    """Liquid tags of one body → sitegen text; `raw` is on between raw and endraw."""

    post: ImportedPost
    urls: Mapping[str, str]
    assets: set[str]
    config: Config
    raw: bool = False

    def code(self, chunk: Chunk) -> Chunk:
        """A code block keeps its text; only raw and endraw go (Jekyll never showed them)."""
        def toggle(match: re.Match[str]) -> str:
            self.raw = not match.group(1)
            return ""
        return Chunk(RAW_TAG.sub(toggle, chunk.text), chunk.line, True)

    def convert(self, match: re.Match[str], chunk: Chunk) -> str | None:
        tag = match.group("tag")
        if tag == "endraw" or (tag == "raw" and not self.raw):
            self.raw = tag == "raw"
            return ""
        if self.raw:
            return match.group(0)
        if tag:
            return self._tag(tag, match.group("args").strip())
        return self._expression(" ".join(match.group("expr").split()))

    def _tag(self, tag: str, args: str) -> str | None:
        target = args.strip("\"'")
        if tag == "post_url":
            return self.urls.get("post_url:" + target.lstrip("/"))
        if tag == "link":
            found = self.urls.get(target.lstrip("/"))
            if found is None and target.lstrip("/") in self.assets:
                return self.config.baseurl + "/" + target.lstrip("/")
            return found
        return None

    def _expression(self, expr: str) -> str | None:
        if expr in ("site.baseurl", "site.url", "site.github.url"):
            return self.config.baseurl if expr == "site.baseurl" else ""
        if expr == "page.title":
            return self.post.title
        filtered = FILTERED_PATH.match(expr)
        if filtered:
            return self.config.baseurl + "/" + filtered.group("path").lstrip("/")
        return None


def _asset(source: Path, path: str) -> Asset:
    return Asset(source / path, "root/" + path)
