"""What every importer yields: an old site's posts, files and settings as frozen values,
which one writer (`importers.writer`) turns into a sitegen site."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
import re
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sitegen.config import CONTROL
from sitegen.content import SLUG_RE


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the importer could not convert: the writer reports it with its place."""

    path: str  # the file in the old site, relative to the source ('_posts/2014-06-09-x.md')
    line: int | None
    message: str  # what was left as it was, and what the author may do about it


@dataclass(frozen=True, slots=True)
class Asset:
    """A file to copy. `target` is relative to the post's folder for a post's assets
    ('photo.jpg'), else relative to the new site folder ('root/images/photo.jpg')."""

    source: Path
    target: str


@dataclass(frozen=True, slots=True)
class ImportedPost:
    """One post (or page) of the old site, in sitegen's terms."""

    origin: str  # where it came from: a file relative to the source, a feed entry id, a URL
    slug: str
    date: dt.datetime | None  # time-zone aware; None only for a page (kind 'page')
    title: str = ""
    body: str = ""
    body_format: str = "md"  # 'md' (Markdown) or 'html'
    kind: str = ""  # '' lets sitegen choose (entry, link or quote); 'note'; 'page'
    tags: tuple[str, ...] = ()
    draft: bool = False
    updated: dt.datetime | None = None
    description: str = ""
    link_url: str = ""
    link_title: str = ""
    via_url: str = ""
    via_title: str = ""
    source: str = ""  # a quote's source (who said it)
    source_url: str = ""
    context: str = ""  # a quote's context ('in a talk at PyCon')
    image: str = ""  # a path beside the post, a path under the site, or an http(s) URL
    old_url: str = ""  # its path on the old site ('/blog/2014/06/09/slug/'), kept working
    aliases: tuple[str, ...] = ()  # more old paths that must keep working
    extra: tuple[tuple[str, Any], ...] = ()  # other fields kept: declared in [content.fields]
    assets: tuple[Asset, ...] = ()  # files beside the post: it becomes a page bundle
    nav: int = 0  # a page's place in the header navigation (0: not listed)


@dataclass(frozen=True, slots=True)
class Imported:
    """Everything one importer read from one source."""

    format: str  # 'jekyll', 'hugo', 'pelican', 'wordpress', 'feed', 'bookmarks'
    posts: tuple[ImportedPost, ...]
    # site.toml settings of the old site: title, base_url, author, description,
    # language, timezone (only those the source names)
    settings: tuple[tuple[str, str], ...] = ()
    assets: tuple[Asset, ...] = ()  # the old site's static files, targets under root/
    feeds: tuple[str, ...] = ()  # the old site's feed paths, published again ('/feed.xml')
    fields: tuple[tuple[str, str], ...] = ()  # extra fields kept → their type ('string', …)
    dropped: tuple[tuple[str, int], ...] = ()  # fields left out → how many posts had them
    problems: tuple[Problem, ...] = ()


# Zones tried first when guessing a site's time zone from its dates' offsets.
LIKELY_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York",
                "America/Chicago", "America/Denver", "America/Los_Angeles", "Asia/Tokyo",
                "Australia/Sydney", "Asia/Kolkata")


# Dates as other generators accept them: a space before 'T', one-digit hours,
# '2019-12-01-19:48', '2019-12-01 19:48', a missing ':' in the offset.
_DATE = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:\s*T\s*|\s+|-)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?)?"
    r"\s*(?P<z>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$", re.IGNORECASE)


def parse_date(value: object, zone: str = "UTC") -> dt.datetime | None:
    """A date as Jekyll, Hugo, Pelican or WordPress accept it → an aware datetime (in
    `zone` when it names no offset); None when it is not a date at all."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment_or_none = _parse_text(str(value))
        if moment_or_none is None:
            return None
        moment = moment_or_none
    return moment if moment.tzinfo else moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def _parse_text(text: str) -> dt.datetime | None:
    match = _DATE.match(text)
    if match is None:
        return None
    part = {k: int(v) for k, v in match.groupdict().items() if v and k not in ("z", "f")}
    try:
        moment = dt.datetime(part["y"], part["mo"], part["d"], part.get("h", 0),
                             part.get("mi", 0), part.get("s", 0))
    except ValueError:
        return None
    zone = match.group("z")
    if zone:
        moment = moment.replace(tzinfo=_offset(zone))
    return moment


def _offset(zone: str) -> dt.tzinfo:
    if zone.upper() == "Z":
        return dt.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def slugify(text: str) -> str:
    """A title → a URL slug in sitegen's form: lower case letters and digits joined by
    '-' (letters outside ASCII kept, as sitegen's slugs allow)."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[^\w]+", "-", text).strip("-_")[:80].strip("-_") or "post"


def safe_slug(text: str, fallback_title: str = "") -> str:
    """`text` when it is a sitegen slug as it is (after unquoting: letters, digits, '-',
    '_', '.', no '/' and no '..'), else a slug made of it, or of `fallback_title` when
    it has no letters or digits: a hostile slug ('../../etc') never comes through."""
    text = unicodedata.normalize("NFC", unquote(text.strip()))
    if SLUG_RE.fullmatch(text) and ".." not in text:
        return text
    return slugify(text if re.search(r"[^\W_]", text) else fallback_title)


def inside(root: Path, path: Path) -> bool:
    """Whether `path` (symbolic links followed) is `root` or under it."""
    return path.resolve().is_relative_to(root.resolve())


def old_path(url: str) -> str | None:
    """An old URL's path as the writer may keep it: unquoted, '//' and '/./' collapsed,
    a trailing '/' kept; None when it holds '..' (it could leave the site), a control
    character or a backslash, or is not a path from the root."""
    text = unquote(url.strip())
    if not text.startswith("/") or ".." in re.split(r"[/\\]", text) or "\\" in text \
            or CONTROL.search(text):
        return None
    clean = "/" + posixpath.normpath(text).lstrip("/")
    return clean + "/" if text.endswith("/") and clean != "/" else clean


def checked(imported: Imported) -> Imported:
    """The import with every old URL, alias and feed path normalised (`old_path`); those
    that could leave the site are dropped and reported."""
    problems = list(imported.problems)
    posts = tuple(_checked_post(post, problems) for post in imported.posts)
    feeds = []
    for feed in imported.feeds:
        if (path := old_path(feed)) is None:
            problems.append(Problem(imported.format, None, f"old feed path not kept: "
                                    f"{feed!r} leaves the site's root; publish that feed "
                                    "by hand if it matters"))
        elif path not in feeds:
            feeds.append(path)
    return dataclasses.replace(imported, posts=posts, feeds=tuple(feeds),
                               problems=tuple(problems))


def _checked_post(post: ImportedPost, problems: list[Problem]) -> ImportedPost:
    kept: list[str] = []
    for url in (post.old_url, *post.aliases):
        path = old_path(url) if url else ""
        if path is None:
            problems.append(Problem(post.origin, None, f"old URL not kept: {url!r} holds "
                                    "'..' or characters no site path has; the post is "
                                    "published at its new URL only"))
        kept.append(path or "")
    old = kept[0] if post.old_url else ""
    aliases = tuple(dict.fromkeys(a for a in kept[1:] if a and a != old))
    if old == post.old_url and aliases == post.aliases:
        return post
    return dataclasses.replace(post, old_url=old, aliases=aliases)


def likely_zone(dates: Iterable[dt.datetime]) -> str:
    """The time zone whose offsets most of these moments were written in ('' when
    there are none): a feed or a WordPress export names offsets, not a zone."""
    moments = list(dates)
    if not moments:
        return ""
    offsets = Counter(m.utcoffset() for m in moments)
    if set(offsets) == {dt.timedelta(0)}:
        return "UTC"
    best, fits = "", 0
    for name in (*LIKELY_ZONES, *sorted(zoneinfo.available_timezones())):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/")):
            continue
        zone = zoneinfo.ZoneInfo(name)
        count = sum(m.astimezone(zone).utcoffset() == m.utcoffset() for m in moments)
        if count > fits:
            best, fits = name, count
        if fits == len(moments):
            break
    return best
