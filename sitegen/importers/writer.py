"""One writer for every importer: an `Imported` value → posts, files, settings and a
report in a sitegen site folder.

How an importer plugs in: a module `sitegen/importers/<format>.py` with
`def read(source: Path) -> Imported` (the feed importer takes `str`, a path or a URL),
named in `sitegen.importers.FORMATS`. It only reads, and returns values (records.py);
`sitegen.importers.run(format, source, into)` hands them to `write(imported, into,
source)`, which writes everything:

- each ImportedPost → `content/{year}/{slug}.md` (`.html` when body_format is 'html'),
  `content/{year}/{slug}/index.md` with its `assets` copied beside it, or
  `content/pages/{slug}.md` for a page (kind 'page', or no date). `slug` is always
  written, so a file `slug-2.md` (two posts with one slug) keeps its URL;
- `old_url` and `aliases`: kept by one `[permalinks] post` pattern when one gives every
  post its old path in the site's time zone (and the site has no posts of its own yet),
  else as the post's `aliases`. Paths are from the host root ('/blog/2014/06/09/x/');
  the new base_url's path ('/blog/') is taken off;
- `extra` fields named in `Imported.fields` are declared in `[content.fields]`;
  `Imported.dropped` is only reported; `Imported.feeds` → `[feeds] copies`;
  `Imported.settings` (title, base_url, author, description, language, timezone) make a
  new site's site.toml, and are never changed in an existing one;
- `Imported.assets` are copied to their targets under the site folder ('root/img/x.png');
  a different file already there is kept and reported;
- `Imported.problems` go to the report, grouped by kind: a Problem's message starts with
  its kind, then ': ' and the detail ("Liquid tag left as text: {% include x.html %}").

What stops an import (a missing, unreadable or malformed source) is raised as
`sitegen.importers.SourceError` (a SiteError: the path, the line, what to do); the
command prints it and exits 1, and nothing is written.

A post whose file is already there with the same date (a page: the same title) was
imported before: it is skipped and counted, so running an import again adds only what
is new. Nothing that exists is overwritten; site.toml only gets what it lacks (see
sitetoml.py).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import itertools
import re
import shutil
import tomllib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from sitegen import init, tags
from sitegen.content import POST_SUFFIXES
from sitegen.errors import ConfigError
from sitegen.importers import permalinks, sitetoml
from sitegen.importers.records import Asset, Imported, ImportedPost, Problem, parse_date
from sitegen.importers.report import REPORT_FILE, Report
from sitegen.importers.sitetoml import ADDED, DIFFERS, THERE, Setting

__all__ = ["Report", "write"]

NEW_SITE_KEYS = ("description", "language", "timezone")  # besides title, base_url, author
GENERATED_FEED = re.compile(r"^/(atom|tags)/[^/]+\.atom$")
FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Site:
    """The site folder as the import found it."""

    folder: Path
    new: bool
    zone: zoneinfo.ZoneInfo
    base_path: str
    has_posts: bool


@dataclass(slots=True)
class _Tally:
    """What the writing did, counted as it goes."""

    posts: int = 0
    drafts: int = 0
    pages: int = 0
    skipped: int = 0
    assets: int = 0
    assets_there: int = 0
    aliased: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Settings:
    """What site.toml says for the import, and what the import added to it."""

    pattern: str  # the permalink pattern posts get
    fields: tuple[tuple[str, str], ...]  # extra fields declared: name, type
    feeds: tuple[str, ...]  # old feed paths published as copies
    dropped: tuple[tuple[str, int], ...]  # extra fields that could not be declared
    added: tuple[str, ...]  # lines added to site.toml
    todo: tuple[str, ...]  # lines the author should add


def write(imported: Imported, into: Path, source: str) -> Report:
    """Write what an importer read into the site folder `into` (made when it is not a
    site yet), and the report into `into/import-report.txt`."""
    site, added = _open(into, imported)
    imported = replace(imported, posts=tuple(_aware(p, site.zone) for p in imported.posts))
    settings = _settle(imported, site, added)
    tally = _Tally(problems=[*imported.problems, *_zone_note(imported, site)])
    _write_posts(imported.posts, site, settings.pattern, {n for n, _ in settings.fields}, tally)
    _copy_assets(imported.assets, site.folder, "", tally)
    report = _report(imported, source, site, settings, tally)
    (site.folder / REPORT_FILE).write_text(report.text(), encoding="utf-8")
    return report


def _report(imported: Imported, source: str, site: _Site, settings: _Settings,
            tally: _Tally) -> Report:
    return Report(
        format=imported.format, source=source, site=str(site.folder), new_site=site.new,
        posts=tally.posts, drafts=tally.drafts, pages=tally.pages, skipped=tally.skipped,
        tags=len({tags.key(t) for p in imported.posts for t in p.tags}),
        assets=tally.assets, assets_there=tally.assets_there,
        pattern=settings.pattern if _covers(settings.pattern, imported.posts, site) else "",
        aliased=tally.aliased, feeds=settings.feeds,
        declared=tuple((n, k, _count(imported.posts, n)) for n, k in settings.fields),
        dropped=(*imported.dropped, *settings.dropped), added=settings.added,
        todo=settings.todo, problems=tuple(tally.problems))


# The site folder and its settings


def _open(into: Path, imported: Imported) -> tuple[_Site, list[str]]:
    """The site to write into, made when `into` holds none, and the lines of settings
    written into a new site's site.toml."""
    settings = dict(imported.settings)
    new = not (into / "site.toml").is_file()
    added: list[str] = []
    if new:
        added = _create(into, settings)
    text = _read_toml(into)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("site.toml", None, f"not valid TOML ({exc}); fix it, then import "
                          "again") from None
    zone = _zone(str(raw.get("timezone", "UTC")))
    base_path = urlsplit(str(raw.get("base_url", "/"))).path or "/"
    has_posts = any(p.suffix in POST_SUFFIXES for p in (into / "content").rglob("*")
                    if p.is_file()) if not new else False
    site = _Site(into, new, zone, base_path.rstrip("/") + "/", has_posts)
    return site, added


def _create(folder: Path, settings: dict[str, str]) -> list[str]:
    """A new site folder, as `sitegen init` makes it but without sample posts, with the
    old site's settings; the lines of them written."""
    base_url = settings.get("base_url") or ""
    if not re.match(r"^https?://[^/\s]+", base_url):
        base_url = "http://localhost:8000/"
    if settings.get("timezone") and not _is_zone(settings["timezone"]):
        del settings["timezone"]
    lines = [f"{key} = {sitetoml.toml(settings[key])}" for key in NEW_SITE_KEYS
             if settings.get(key)]
    init.create(folder, title=settings.get("title") or init.default_title(folder),
                base_url=base_url, author=settings.get("author") or "Anonymous",
                samples=False, settings="".join(f"{line}\n" for line in lines))
    return lines


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _settle(imported: Imported, site: _Site, added: list[str]) -> _Settings:
    """Add what the import needs to site.toml: the permalink pattern, the extra fields,
    the feed copies."""
    text = _read_toml(site.folder)
    pattern, text, more = _pattern(imported.posts, site, text)
    fields, text, (field_lines, field_todo), dropped = _fields(imported, text)
    feeds, text, (feed_lines, feed_todo) = _feeds(
        (_relative(f, site.base_path) for f in imported.feeds), text)
    lines = [*more, *field_lines, *feed_lines]
    if lines:
        (site.folder / "site.toml").write_text(text, encoding="utf-8")
    return _Settings(pattern, tuple(fields), tuple(feeds), tuple(dropped),
                     (*added, *lines), (*field_todo, *feed_todo))


def _read_toml(folder: Path) -> str:
    try:
        return (folder / "site.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("site.toml", None, f"cannot be read ({exc}); make it a readable "
                          "UTF-8 file, then import again") from None


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError("site.toml", None, f"unknown timezone {name!r}; use an IANA name "
                          "such as 'Europe/London', then import again") from None


def _zone_note(imported: Imported, site: _Site) -> list[Problem]:
    old = dict(imported.settings).get("timezone")
    if not old or site.new or old == site.zone.key:
        return []
    return [Problem("site.toml", None, f"time zone differs: the old site's is {old}, this "
                    f"site's {site.zone.key}; dates keep their offsets, and URLs and archive "
                    "days follow this site's")]


def _pattern(posts: Iterable[ImportedPost], site: _Site, text: str) -> tuple[str, str, list[str]]:
    """The permalink pattern posts get, site.toml's text, and the lines added to it. A
    pattern that gives every post its old URL is set in a site that has no posts yet."""
    current = str(sitetoml.value(text, "permalinks", "post") or permalinks.DEFAULT)
    found = permalinks.find(_samples(posts, site), site.zone)
    free = site.new or (not site.has_posts and sitetoml.value(text, "permalinks", "post")
                        is None)
    if found is None or found == current or not free:
        return current, text, []
    text, outcome = sitetoml.ensure(text, Setting("permalinks", "post", found))
    if outcome != ADDED:
        return current, text, []
    return found, text, [Setting("permalinks", "post", found).line()]


def _samples(posts: Iterable[ImportedPost], site: _Site) -> list[permalinks.Sample]:
    return [(_relative(p.old_url, site.base_path), p.date, p.slug) for p in posts
            if p.old_url and p.date is not None and not _is_page(p)]


def _covers(pattern: str, posts: Iterable[ImportedPost], site: _Site) -> bool:
    samples = _samples(posts, site)
    return bool(samples) and all(permalinks.url(pattern, d, s, site.zone) == o
                                 for o, d, s in samples)


def _fields(imported: Imported, text: str) -> tuple[list[tuple[str, str]], str,
                                                    tuple[list[str], list[str]],
                                                    list[tuple[str, int]]]:
    """Declare the kept extra fields in [content.fields]; a field declared there with
    another type is dropped from the posts and reported."""
    kept, added, todo, dropped = [], [], [], []
    for name, kind in imported.fields:
        setting = Setting("content.fields", name, kind)
        text, outcome = sitetoml.ensure(text, setting)
        if outcome == DIFFERS:
            todo.append(setting.line())
            dropped.append((name, _count(imported.posts, name)))
            continue
        kept.append((name, kind))
        if outcome == ADDED:
            added.append(setting.line())
    return kept, text, (added, todo), dropped


def _feeds(paths: Iterable[str], text: str) -> tuple[list[str], str, tuple[list[str], list[str]]]:
    """The old feed paths as `[feeds] copies` (sitegen's own feed paths need no copy)."""
    wanted = sorted({p for p in paths if not GENERATED_FEED.match(p)})
    if not wanted:
        return [], text, ([], [])
    there = sitetoml.value(text, "feeds", "copies")
    merged = list(there) + [p for p in wanted if p not in there] \
        if isinstance(there, list) else wanted
    setting = Setting("feeds", "copies", merged)
    text, outcome = sitetoml.ensure(text, setting)
    if outcome in (THERE, ADDED):
        return wanted, text, ([setting.line()] if outcome == ADDED else [], [])
    return [], text, ([], [setting.line()])


def _count(posts: Iterable[ImportedPost], name: str) -> int:
    return sum(1 for p in posts if any(k == name for k, _ in p.extra))


# Posts


def _write_posts(posts: Iterable[ImportedPost], site: _Site, pattern: str,
                 fields: set[str], tally: _Tally) -> None:
    claimed: set[str] = set()
    urls: dict[str, str] = {}  # URL → the origin of the post that has it
    for post in posts:
        path, there = _target(post, site, claimed)
        stem = PurePosixPath(path).parent.name if post.assets else PurePosixPath(path).stem
        slug = _url_slug(post, stem, site, pattern, urls, tally)
        if there:
            tally.skipped += 1
            continue
        aliases = _aliases(post, slug, site, pattern)
        tally.aliased += bool(aliases)
        meta = front_matter(post, slug, aliases, fields)
        (site.folder / path).parent.mkdir(parents=True, exist_ok=True)
        with open(site.folder / path, "x", encoding="utf-8") as out:
            out.write(_document(meta, post.body))
        _copy_assets(post.assets, site.folder, str(PurePosixPath(path).parent), tally)
        tally.posts += 1
        tally.drafts += post.draft
        tally.pages += _is_page(post)


def _aware(post: ImportedPost, zone: zoneinfo.ZoneInfo) -> ImportedPost:
    """The post with dates in the site's time zone where an importer left them naive."""
    if post.date is not None and post.date.tzinfo is None:
        post = replace(post, date=post.date.replace(tzinfo=zone))
    if post.updated is not None and post.updated.tzinfo is None:
        post = replace(post, updated=post.updated.replace(tzinfo=zone))
    return post


def _is_page(post: ImportedPost) -> bool:
    return post.kind == "page" or post.date is None


def _target(post: ImportedPost, site: _Site, claimed: set[str]) -> tuple[str, bool]:
    """The post's file relative to the site, and whether an earlier import wrote it.
    `claimed` holds the stems ('content/2024/bridge') this import has given out."""
    ext = ".html" if post.body_format == "html" else ".md"
    folder = "content/pages" if _is_page(post) else \
        f"content/{post.date.astimezone(site.zone).year if post.date else ''}"
    for number in itertools.count(1):
        stem = f"{folder}/{post.slug if number == 1 else f'{post.slug}-{number}'}"
        if stem in claimed:
            continue
        existing = [f for f in _forms(stem) if (site.folder / f).is_file()]
        if not existing and not (site.folder / stem).exists():
            claimed.add(stem)
            return f"{stem}/index{ext}" if post.assets else f"{stem}{ext}", False
        if len(existing) == 1 and _same(site.folder / existing[0], post):
            claimed.add(stem)
            return existing[0], True
    raise AssertionError("unreachable")


def _forms(stem: str) -> list[str]:
    """Every file a post of this stem may be: a file or a bundle's index, any suffix."""
    return [form for suffix in POST_SUFFIXES for form in (f"{stem}{suffix}",
                                                          f"{stem}/index{suffix}")]


def _same(path: Path, post: ImportedPost) -> bool:
    """True when the file is this post, written by an earlier import."""
    try:
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(match.group(1)) if match else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    if not isinstance(meta, dict):
        return False
    if post.date is None:
        return str(meta.get("title", "")) == post.title
    return parse_date(meta.get("date", "")) == post.date


def _url_slug(post: ImportedPost, stem: str, site: _Site, pattern: str,
              urls: dict[str, str], tally: _Tally) -> str:
    """The post's slug, or its file's name when another post of this import has its URL."""
    slug = post.slug
    for candidate in (post.slug, stem):
        slug = candidate
        address = _new_url(post, slug, site, pattern)
        if address not in urls:
            break
    else:
        tally.problems.append(Problem(post.origin, None, f"two posts with one URL: {address} "
                                      f"is also {urls[address]}'s; one of them is left out"))
    urls[_new_url(post, slug, site, pattern)] = post.origin
    return slug


def _new_url(post: ImportedPost, slug: str, site: _Site, pattern: str) -> str:
    if _is_page(post) or post.date is None:
        return f"/{slug}/"
    return permalinks.url(pattern, post.date, slug, site.zone)


def _aliases(post: ImportedPost, slug: str, site: _Site, pattern: str) -> list[str]:
    """The post's old paths that its new URL is not."""
    new = _new_url(post, slug, site, pattern)
    olds = [_relative(p, site.base_path) for p in (post.old_url, *post.aliases) if p]
    return list(dict.fromkeys(p for p in olds if p.rstrip("/") != new.rstrip("/")))


def _relative(path: str, base_path: str) -> str:
    """An old path from the host root → from the new site's root; a folder's path ends
    in '/' ('/2024/06/essay' is served as '/2024/06/essay/')."""
    path = "/" + path.lstrip("/")
    if base_path != "/" and path.startswith(base_path):
        path = "/" + path[len(base_path):]
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[1]:
        path += "/"
    return path


def front_matter(post: ImportedPost, slug: str, aliases: list[str],
                 fields: set[str]) -> dict[str, Any]:
    """The post's fields as sitegen reads them, in the order an author writes them."""
    meta: dict[str, Any] = {}
    if post.title:
        meta["title"] = post.title
    if post.date is not None:
        meta["date"] = _iso(post.date)
    if post.updated is not None and post.updated != post.date:
        meta["updated"] = _iso(post.updated)
    meta["slug"] = slug
    kind = _kind(post)
    if kind:
        meta["kind"] = kind
    if post.tags:
        meta["tags"] = list(post.tags)
    if post.draft:
        meta["draft"] = True
    for name in ("description", "link_url", "link_title", "via_url", "via_title", "source",
                 "source_url", "context", "image"):
        if getattr(post, name):
            meta[name] = getattr(post, name)
    if post.nav:
        meta["nav"] = post.nav
    if aliases:
        meta["aliases"] = aliases
    meta.update((name, _plain(value)) for name, value in post.extra
                if name in fields and name not in meta)
    return meta


def _kind(post: ImportedPost) -> str:
    """The kind to write: none when sitegen infers it; an untitled entry is a note."""
    if post.kind in ("", "entry") and not (post.title or post.link_url or post.source):
        return "note"
    if post.kind == "page" and post.date is None:
        return ""  # content/pages/ says it
    return post.kind


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _plain(value: Any) -> Any:
    """A field's value as YAML writes it plainly: dates as ISO 8601, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _document(meta: dict[str, Any], body: str) -> str:
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False,
                          width=1 << 20)
    return f"---\n{head}---\n{body}" + ("" if body.endswith("\n") else "\n")


# Files


def _copy_assets(assets: Iterable[Asset], site_dir: Path, folder: str, tally: _Tally) -> None:
    """Copy files to `folder/target` under the site; never over a different file."""
    for asset in assets:
        target = PurePosixPath(folder, asset.target) if folder else PurePosixPath(asset.target)
        if target.is_absolute() or ".." in target.parts:
            tally.problems.append(Problem(str(asset.source), None, "file not copied: its "
                                          f"place {asset.target} is outside the site"))
            continue
        _copy(asset.source, site_dir / target, str(target), tally)


def _copy(source: Path, dest: Path, shown: str, tally: _Tally) -> None:
    try:
        if dest.exists():
            if dest.is_file() and filecmp.cmp(source, dest, shallow=False):
                tally.assets_there += 1
            else:
                tally.problems.append(Problem(shown, None, "file not copied: another file is "
                                              f"already there; compare it with {source}"))
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        tally.assets += 1
    except OSError as exc:
        tally.problems.append(Problem(str(source), None, "file not copied: "
                                      f"{exc.strerror or exc}"))
