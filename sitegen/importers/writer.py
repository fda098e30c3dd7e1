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
command prints it and exits 1, and nothing is written. So is a site.toml that cannot be
read or written, or a `.sitegen-imports` that cannot be read. A `.sitegen-imports`
that cannot be written at the end is an error too, after the report is written.

The build's rules are applied before anything is written (places.py): a slug that is
not plain is made plain; a page or post whose URL sitegen makes or keeps ('/tags/',
'/static/', a year) gets another slug; old URLs are decoded and normalised, and one
holding '..' or at a kept URL is dropped; a feed copy or permalink pattern that
config.py would refuse is not written. Each is a Problem in the report.

Every target is planned first, then written. Nothing is written outside the site folder
(a folder that a symlink leads out of) or through a symlink, and no asset is copied
whose real path is outside the source (the source folder, or the folder of a source
file). Nothing that exists is overwritten; site.toml only gets what it lacks (see
sitetoml.py). A file that cannot be written is a Problem, and the import goes on; the
report `import-report.txt` is written (replaced) at the end of every run.

Each post written is recorded in `.sitegen-imports` (ledger.py): a post whose format and
origin are recorded is skipped and counted, even when its file was deleted since, so
running an import again adds only what is new. A post whose file name is taken by a file
no import wrote gets the next free one ('slug-2.md'), and the report says so.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import itertools
import os
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

from sitegen import config, init, tags
from sitegen.content import POST_SUFFIXES, SLUG_RE
from sitegen.errors import ConfigError, OutputError, shown
from sitegen.importers import ledger, permalinks, places, sitetoml
from sitegen.importers.records import (
    Asset,
    Imported,
    ImportedPost,
    Problem,
    inside,
    old_path,
    slugify,
)
from sitegen.importers.report import REPORT_FILE, Report
from sitegen.importers.sitetoml import ADDED, DIFFERS, THERE, Setting

__all__ = ["Report", "write"]

NEW_SITE_KEYS = ("description", "language", "timezone")  # besides title, base_url, author
GENERATED_FEED = re.compile(r"^/(atom|tags)/[^/]+\.atom$")


@dataclass(frozen=True, slots=True)
class _Site:
    """The site folder as the import found it."""

    folder: Path
    real: str  # the folder's real path: nothing is written outside it
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
    text: str  # site.toml as the import leaves it
    changed: bool  # whether `text` differs from the file


@dataclass(frozen=True, slots=True)
class _Job:
    """One file to write, planned: a post's text, or a copy of a file."""

    target: str  # relative to the site folder
    text: str = ""  # the post's document
    source: Path | None = None  # the file to copy
    origin: str = ""  # the file the report names (the post's origin, or the copied file)
    key: str = ""  # the post's ledger entry; '' for a copy
    post: ImportedPost | None = None
    aliased: bool = False


def write(imported: Imported, into: Path, source: str) -> Report:
    """Write what an importer read into the site folder `into` (made when it is not a
    site yet), and the report into `into/import-report.txt`."""
    site, added = _open(into, imported)
    done = ledger.load(site.folder)
    tally = _Tally(problems=list(imported.problems))
    imported = replace(imported, posts=tuple(_plain_slug(_aware(p, site.zone), tally)
                                             for p in imported.posts))
    settings = _settle(imported, site, added, tally)
    tally.problems.extend(_zone_note(imported, site))
    root = places.source_root(source)
    jobs = [*_plan_posts(imported, site, settings, done, root, tally),
            *_plan_assets(imported.assets, "", site, root, tally)]
    try:
        _save_toml(site, settings)
        for job in jobs:
            _carry_out(job, site, done, tally)
    finally:
        written = _save_ledger(site, done, tally)
        report = _report(imported, source, site, settings, tally)
        _save_report(site, report)
    if not written:
        raise OutputError(ledger.LEDGER_FILE, None, "could not be written; the next import "
                          "would write these posts again: fix the folder, then import again")
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
    site = _Site(into, os.path.realpath(into), new, zone, base_path.rstrip("/") + "/",
                 has_posts)
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


def _settle(imported: Imported, site: _Site, added: list[str], tally: _Tally) -> _Settings:
    """What the import needs in site.toml: the permalink pattern, the extra fields, the
    feed copies (written by _save_toml)."""
    text = _read_toml(site.folder)
    pattern, text, more = _pattern(imported.posts, site, text)
    fields, text, (field_lines, field_todo), dropped = _fields(imported, text)
    feeds, text, (feed_lines, feed_todo) = _feeds(_feed_paths(imported.feeds, site, tally),
                                                  text)
    lines = [*more, *field_lines, *feed_lines]
    return _Settings(pattern, tuple(fields), tuple(feeds), tuple(dropped),
                     (*added, *lines), (*field_todo, *feed_todo), text, bool(lines))


def _save_toml(site: _Site, settings: _Settings) -> None:
    if not settings.changed:
        return
    path = site.folder / "site.toml"
    if not inside(Path(site.real), path):
        raise ConfigError("site.toml", None, "is a symlink to a file outside the site "
                          "folder; make it a real file, then import again")
    try:
        path.write_text(settings.text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError("site.toml", None, f"cannot be written ({exc.strerror or exc}); "
                          "make it writable, then import again") from None


def _save_ledger(site: _Site, done: dict[str, str], tally: _Tally) -> bool:
    try:
        ledger.save(site.folder, done)
    except OSError as exc:
        tally.problems.append(Problem(ledger.LEDGER_FILE, None, "not written: "
                                      f"{exc.strerror or exc}"))
        return False
    return True


def _save_report(site: _Site, report: Report) -> None:
    try:
        places.replace_text(site.folder / REPORT_FILE, report.text())
    except OSError as exc:
        raise OutputError(REPORT_FILE, None, f"cannot be written ({exc.strerror or exc}); "
                          "make the site folder writable, then import again") from None


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
    found = _valid_pattern(permalinks.find(_samples(posts, site), site.zone))
    free = site.new or (not site.has_posts and sitetoml.value(text, "permalinks", "post")
                        is None)
    if found is None or found == current or not free:
        return current, text, []
    text, outcome = sitetoml.ensure(text, Setting("permalinks", "post", found))
    if outcome != ADDED:
        return current, text, []
    return found, text, [Setting("permalinks", "post", found).line()]


def _valid_pattern(pattern: str | None) -> str | None:
    """The pattern when site.toml may hold it (config.py's own check), else None."""
    if pattern is None:
        return None
    try:
        config.check_permalink(pattern, "")
    except ConfigError:
        return None
    return pattern


def _samples(posts: Iterable[ImportedPost], site: _Site) -> list[permalinks.Sample]:
    """Old URLs, dates and slugs of the posts; none when a slug is not plain (a pattern
    is then never written)."""
    posts = [p for p in posts if p.old_url and p.date is not None and not _is_page(p)]
    if not all(_is_plain(p.slug) for p in posts):
        return []
    samples = [(_relative(p.old_url, site.base_path), p.date, p.slug) for p in posts
               if p.date is not None]
    return [sample for sample in samples if sample[0]]


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


def _feed_paths(feeds: Iterable[str], site: _Site, tally: _Tally) -> list[str]:
    """The old feed paths that config.py accepts as `[feeds] copies`; the others are
    reported."""
    kept = []
    for feed in feeds:
        path = _relative(feed, site.base_path)
        problem = "is not a plain path on the site" if not path \
            else None if GENERATED_FEED.match(path) else config.feed_copy_problem(path)
        if problem:
            tally.problems.append(Problem(feed, None, f"old feed not kept: {shown(feed)} "
                                          f"{problem}"))
        else:
            kept.append(path)
    return kept


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


def _plan_posts(imported: Imported, site: _Site, settings: _Settings, done: dict[str, str],
                root: str | None, tally: _Tally) -> list[_Job]:
    """The posts' files and their assets, each checked; posts recorded in the ledger
    are skipped and counted."""
    claimed: set[str] = set()  # stems ('content/2024/bridge') this import gives out
    urls: dict[str, str] = {}  # URL → the origin of the post that has it
    recorded = set(done.values())
    fields = {n for n, _ in settings.fields}
    jobs: list[_Job] = []
    for post in imported.posts:
        key = ledger.key(imported.format, post.origin)
        if key in done:
            claimed.add(_stem(done[key]))
            _url_slug(post, PurePosixPath(_stem(done[key])).name, site, settings.pattern,
                      urls, tally)
            tally.skipped += 1
            continue
        post = _off_reserved(post, site, settings.pattern, tally)
        path, clash = _target(post, site, claimed, recorded, tally)
        theirs = ""  # the URL that the author's file in the way has, likely
        if clash:
            theirs = _new_url(post, post.slug, site, settings.pattern)
            post = replace(post, slug=PurePosixPath(_stem(path)).name)
        slug = _url_slug(post, PurePosixPath(_stem(path)).name, site, settings.pattern,
                         urls, tally)
        refusal = places.write_refusal(site.real, site.folder / path, path)
        if refusal:
            tally.problems.append(Problem(post.origin, None, refusal))
            continue
        aliases = _aliases(post, slug, site, settings.pattern, tally, (theirs, clash))
        text = _document(front_matter(post, slug, aliases, fields), post.body)
        jobs.append(_Job(path, text=text, origin=post.origin, key=key, post=post,
                         aliased=bool(aliases)))
        jobs.extend(_plan_assets(post.assets, str(PurePosixPath(path).parent), site, root,
                                 tally))
    return jobs


def _stem(path: str) -> str:
    """A post's file → its stem: 'content/2024/a/index.md', 'content/2024/a.md' →
    'content/2024/a'."""
    file = PurePosixPath(path)
    return str(file.parent) if file.stem == "index" else str(file.with_suffix(""))


def _is_plain(slug: str) -> bool:
    return bool(SLUG_RE.fullmatch(slug)) and ".." not in slug


def _plain_slug(post: ImportedPost, tally: _Tally) -> ImportedPost:
    """The post with a slug that is one plain path segment, as sitegen reads slugs."""
    if _is_plain(post.slug):
        return post
    slug = slugify(post.slug.replace(".", "-"))
    tally.problems.append(Problem(post.origin, None, f"slug changed: {shown(post.slug)} is "
                                  f"not a plain slug; the post's slug is {slug}"))
    return replace(post, slug=slug)


def _off_reserved(post: ImportedPost, site: _Site, pattern: str, tally: _Tally) -> ImportedPost:
    """The post, with another slug when its URL is one that sitegen makes or keeps."""
    what = places.taken(_new_url(post, post.slug, site, pattern).lstrip("/"))
    if what is None:
        return post
    slug = f"{post.slug}-{'page' if _is_page(post) else 'post'}"
    tally.problems.append(Problem(post.origin, None, f"slug changed: "
                                  f"{_new_url(post, post.slug, site, pattern)} is {what}, "
                                  f"which sitegen makes; the slug is {slug}"))
    return replace(post, slug=slug)


def _carry_out(job: _Job, site: _Site, done: dict[str, str], tally: _Tally) -> None:
    """Write one planned file; a file that cannot be written is a Problem."""
    dest = site.folder / job.target
    refusal = places.write_refusal(site.real, dest, job.target)  # folders made since
    try:
        if refusal is None:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if job.source is not None:
                _copy(job.source, dest, job.target, tally)
                return
            _new_file(dest, job.text.encode("utf-8"))
    except OSError as exc:
        refusal = f"not written: {job.target} ({exc.strerror or exc}); import again once " \
                  "that place can be written"
    if refusal is not None:
        tally.problems.append(Problem(job.origin, None, refusal))
        return
    if job.post is not None:
        done[job.key] = job.target
        tally.posts += 1
        tally.drafts += job.post.draft
        tally.pages += _is_page(job.post)
        tally.aliased += job.aliased


def _new_file(dest: Path, data: bytes) -> None:
    """A new file (never one that is there, nor through a symlink), whole or not at all."""
    with open(dest, "xb") as out:
        try:
            out.write(data)
        except OSError:
            dest.unlink(missing_ok=True)
            raise


def _aware(post: ImportedPost, zone: zoneinfo.ZoneInfo) -> ImportedPost:
    """The post with dates in the site's time zone where an importer left them naive."""
    if post.date is not None and post.date.tzinfo is None:
        post = replace(post, date=post.date.replace(tzinfo=zone))
    if post.updated is not None and post.updated.tzinfo is None:
        post = replace(post, updated=post.updated.replace(tzinfo=zone))
    return post


def _is_page(post: ImportedPost) -> bool:
    return post.kind == "page" or post.date is None


def _target(post: ImportedPost, site: _Site, claimed: set[str], recorded: set[str],
            tally: _Tally) -> tuple[str, str]:
    """The post's new file relative to the site: the first stem neither this import nor
    a file there takes; and the author's file that took its first stem, if one did.
    `recorded` holds the files earlier imports wrote: a file that is not one of them is
    the author's own. The post then takes its new file's name as its slug, and the
    report names the clash."""
    ext = ".html" if post.body_format == "html" else ".md"
    folder = "content/pages" if _is_page(post) else \
        f"content/{post.date.astimezone(site.zone).year if post.date else ''}"
    clash = ""
    for number in itertools.count(1):
        stem = f"{folder}/{post.slug if number == 1 else f'{post.slug}-{number}'}"
        if stem in claimed:
            continue
        there = [f for f in (*_forms(stem), stem) if os.path.lexists(site.folder / f)]
        if not there:
            claimed.add(stem)
            path = f"{stem}/index{ext}" if post.assets else f"{stem}{ext}"
            if clash:
                tally.problems.append(Problem(post.origin, None, "file name taken: "
                                              f"{clash} is already there and was not "
                                              f"imported; this one is {path}, slug "
                                              f"{PurePosixPath(stem).name}"))
            return path, clash
        if not clash and not recorded.intersection(there):
            clash = there[0]
    raise AssertionError("unreachable")


def _forms(stem: str) -> list[str]:
    """Every file a post of this stem may be: a file or a bundle's index, any suffix."""
    return [form for suffix in POST_SUFFIXES for form in (f"{stem}{suffix}",
                                                          f"{stem}/index{suffix}")]


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


def _aliases(post: ImportedPost, slug: str, site: _Site, pattern: str, tally: _Tally,
             theirs: tuple[str, str] = ("", "")) -> list[str]:
    """The post's old paths that its new URL is not; one that leads outside the site, is
    at a URL sitegen makes, or at the URL of the author's file in the post's way
    (`theirs`: that URL and file) is dropped and reported."""
    new = _new_url(post, slug, site, pattern)
    kept = []
    for old in dict.fromkeys(p for p in (post.old_url, *post.aliases) if p):
        path = _relative(old, site.base_path)
        what = places.taken(path.lstrip("/")) if path else "not a path on the site"
        if path.rstrip("/") == new.rstrip("/"):
            continue
        if theirs[0] and path.rstrip("/") == theirs[0].rstrip("/"):
            what = f"likely the URL of {theirs[1]}, which was there before"
        if what is not None:
            tally.problems.append(Problem(post.origin, None, f"old URL dropped: {shown(old)} "
                                          f"is {what}; the post is at {new}"))
        else:
            kept.append(path)
    return list(dict.fromkeys(kept))


def _relative(path: str, base_path: str) -> str:
    """An old path from the host root → from the new site's root, decoded and written
    plainly; a folder's path ends in '/' ('/2024/06/essay' is served as
    '/2024/06/essay/'). '' when it holds '..' or a control character."""
    plain = old_path("/" + path.lstrip("/"))
    if plain is None:
        return ""
    if base_path != "/" and plain.startswith(base_path):
        plain = "/" + plain[len(base_path):]
    if not plain.endswith("/") and "." not in plain.rsplit("/", 1)[1]:
        plain += "/"
    return plain


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


def _plan_assets(assets: Iterable[Asset], folder: str, site: _Site, root: str | None,
                 tally: _Tally) -> list[_Job]:
    """Copies of files to `folder/target` under the site, each checked: its place is in
    the site, and the file is inside the source."""
    jobs = []
    for asset in assets:
        target = PurePosixPath(folder, asset.target) if folder else PurePosixPath(asset.target)
        refusal = places.copy_refusal(asset.source, root)
        if target.is_absolute() or ".." in target.parts:
            refusal = f"file not copied: its place {asset.target} is outside the site"
        refusal = refusal or places.write_refusal(site.real, site.folder / target, str(target))
        if refusal:
            tally.problems.append(Problem(str(asset.source), None, refusal))
        else:
            jobs.append(_Job(str(target), source=asset.source, origin=str(asset.source)))
    return jobs


def _copy(source: Path, dest: Path, shown: str, tally: _Tally) -> None:
    """Copy a file to a new file `dest`; a file there already is kept (and counted when
    it has the same bytes)."""
    try:
        with open(source, "rb") as data, open(dest, "xb") as out:
            try:
                shutil.copyfileobj(data, out)
            except OSError:
                dest.unlink(missing_ok=True)
                raise
    except FileExistsError:
        if not dest.is_symlink() and dest.is_file() and filecmp.cmp(source, dest, shallow=False):
            tally.assets_there += 1
        else:
            tally.problems.append(Problem(shown, None, "file not copied: another file is "
                                          f"already there; compare it with {source}"))
        return
    tally.assets += 1
