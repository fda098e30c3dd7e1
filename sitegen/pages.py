"""Site → the plan: every output file, how to make it, and what it depends on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sitegen import bundles
from sitegen.bundles import Asset
from sitegen.config import Config, feed_copy_file
from sitegen.content import UNDATED, Post
from sitegen.site import (
    MONTHS,
    Combination,
    Entry,
    Pairing,
    RelatedPost,
    Site,
    Tag,
    TagLink,
    TagListing,
    TagRef,
    url_of,
)
from sitegen.words import Words, english

# How a page becomes bytes: a Jinja template, an Atom feed, or given bytes/files.
TEMPLATE, FEED, TEXT, COPY = "template", "feed", "text", "copy"
SITE_FEEDS = (("everything", None), ("entries", "entry"), ("links", "link"),
              ("quotes", "quote"), ("notes", "note"))
SITE_FEED = "atom/everything.atom"
JSON_FEED = "jsonfeed"  # a FEED page's template for JSON Feed (jsonfeed.py); '' for Atom
FAVICON = "static/favicon.svg"
TAGS_BY_COUNT = "tags/by-count.html"  # a file: no tag's page (tags/{slug}/) can take it
POPULAR_TAGS = 10  # the most used tags, for every page's header or sidebar
SITEMAP = "sitemap.xml"  # the sitemap; past the limits below, the index of the sitemaps
SITEMAP_URLS = 50_000  # most URLs in one sitemap file, and sitemaps in an index (sitemaps.org)
SITEMAP_BYTES = 50 * 1024 * 1024  # most bytes of one sitemap file, uncompressed
SITEMAP_LINE = 100  # most bytes of one <url> line beside its URL's (tags, lastmod, newline)
SITEMAP_FRAME = 200  # most bytes of a sitemap file's XML declaration and <urlset> tags
SitemapUrl = tuple[str, dt.datetime | None]  # (site-relative URL, lastmod)


@dataclass(frozen=True, slots=True)
class Page:
    """One output file. `context` is everything its renderer may read."""

    path: str  # output file, relative to the output folder: 'tags/svg/index.html'
    kind: str
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict, hash=False)
    lastmod: dt.datetime | None = None  # newest change shown on the page, for the sitemap

    @property
    def post_source(self) -> str | None:
        """The file of the post this page is the page of, if it is a post's page."""
        entry = self.context.get("entry")
        return entry.post.source if isinstance(entry, Entry) else None

    @property
    def owner(self) -> str:
        """What makes this page, for error messages: a post's file, a copied file, or its
        template."""
        return self.post_source or str(
            self.context.get("origin") or self.context.get(
                "source", f"the {self.template or self.kind} page"))

    @property
    def in_sitemap(self) -> bool:
        """Every HTML page a reader can land on: not redirect stubs, not the 404 page,
        not the search page (empty until a reader searches)."""
        return self.kind == TEMPLATE and self.path.endswith(".html") \
            and self.template not in ("redirect.html", "404.html", "search.html")

    @property
    def url(self) -> str:
        """The page's site-relative URL: 'tags/svg/' for 'tags/svg/index.html'; a file's
        own path for other names ('2014/06/09/old.html')."""
        return self.path.removesuffix("index.html")

    def fingerprint(self, salt: str, shown: set[str] | None = None) -> str:
        """A digest of everything the page is made from: its path, its renderer, `salt`
        (the templates' and settings' digests) and its inputs (posts by their digest).
        The sources of the posts the page shows are added to `shown`."""
        found: set[str] = set() if shown is None else shown
        text = f"{salt}|{self.path}|{self.kind}|{self.template}|{_key(self.context, found)}"
        return hashlib.sha256(text.encode()).hexdigest()


_PLAIN = (str, int, float, bool, type(None), dt.datetime, TagLink, TagRef, TagListing,
          Pairing, RelatedPost)
_BY_TYPE: dict[type, Any] = dict.fromkeys(_PLAIN, repr)


class Shared(tuple[Any, ...]):
    """A tuple of plain values that many pages show (the site feed, the popular tags):
    its fingerprint key is made once, not once per page (0.5 s on 10,000 posts)."""

    key: str

    def __new__(cls, items: Iterable[Any]) -> Shared:
        made = super().__new__(cls, items)
        made.key = _key(tuple(made), set())
        return made


_BY_TYPE[Shared] = lambda value: value.key


def fingerprint_key(value: Any) -> str:
    """A string that changes whenever anything a page can show of `value` changes."""
    return _key(value, set())


def _key(value: Any, shown: set[str]) -> str:
    """A string that changes whenever anything a page can show of `value` changes."""
    plain = _BY_TYPE.get(type(value))
    if plain is not None:
        return str(plain(value))
    if isinstance(value, Entry):
        shown.add(value.post.source)
        return value.key
    if isinstance(value, list | tuple):
        return "[" + ",".join([_key(v, shown) for v in value]) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_key(value[k], shown)}" for k in sorted(value)) + "}"
    if isinstance(value, Post):
        shown.add(value.source)
        return value.digest
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _key({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, shown)
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class StaticFile:
    path: str  # output path, e.g. 'static/style.css'
    source: str  # absolute file path
    digest: str
    origin: str = ""  # the file in the site folder ('root/CNAME'); '' for the theme's


def plan(site: Site, config: Config, static: Sequence[StaticFile], stylesheet: str,
         assets: Mapping[str, Sequence[Asset]] | None = None,
         words: Words | None = None) -> list[Page]:
    """Every page of the site, in a fixed order. `assets`: each page bundle's files, by
    the bundle's folder; `words`: the theme's, in the site's language (titles, months)."""
    w = words or english()
    pages = [*_posts(site, config), *_pages(site), *_home(site, config, w),
             *_tag_pages(site, config, w), *_feeds(site, config, w),
             *_archives(site, config, w), *_redirects(site), *_singles(site, config, w)]
    _add_navigation(pages, site, config)
    pages.extend(plan_sitemaps(pages, config.base_url))
    pages.append(Page("static/pygments.css", TEXT, context={"text": stylesheet}))
    pages.extend(Page(f.path, COPY, context={"source": f.source, "digest": f.digest,
                                             "origin": f.origin})
                 for f in static)
    pages.extend(_bundle_files(site, assets or {}))
    pages.extend(_json_twins(pages))
    return pages


def plan_sitemaps(pages: Sequence[Page], base_url: str, limit: int = SITEMAP_URLS,
                  size: int = SITEMAP_BYTES) -> list[Page]:
    """The sitemap of `pages`: one sitemap.xml, in plan order, while it fits in `limit`
    URLs and `size` bytes; else sitemap.xml is the index of sitemap-1.xml, sitemap-2.xml,
    … each within them. Then posts come first, oldest first, and every other page after
    them: a new post lands among the last sitemaps, and the sitemaps before keep their
    bytes (lists and archives, whose lastmod every new post changes, are at the end)."""
    listed = [p for p in pages if p.in_sitemap]
    urls = [(p.url, p.lastmod) for p in listed]
    if len(urls) <= limit and _bytes(urls, base_url) <= size - SITEMAP_FRAME:
        return [Page(SITEMAP, TEMPLATE, "sitemap.xml", {"urls": urls})]
    posts = [url for p, url in zip(listed, urls, strict=True) if p.template == "post.html"]
    others = [url for p, url in zip(listed, urls, strict=True) if p.template != "post.html"]
    return _index(_cut(posts[::-1] + others, base_url, limit, size))


def _index(chunks: Sequence[Sequence[SitemapUrl]]) -> list[Page]:
    """sitemap.xml as the index of a sitemap per chunk, each as new as its newest URL."""
    children = [Page(sitemap_path(number), TEMPLATE, "sitemap.xml", {"urls": chunk},
                     max((lastmod for _, lastmod in chunk if lastmod), default=None))
                for number, chunk in enumerate(chunks, 1)]
    index = [(child.path, child.lastmod) for child in children]
    return [Page(SITEMAP, TEMPLATE, "sitemap-index.xml", {"sitemaps": index}), *children]


def sitemap_path(number: int) -> str:
    """Sitemap `number` (1: the first) of a sitemap index."""
    return f"sitemap-{number}.xml"


def _bytes(urls: Sequence[SitemapUrl], base_url: str) -> int:
    """At most the bytes of the <url> lines of `urls` (as if every byte were %-escaped)."""
    line = SITEMAP_LINE + 3 * len(base_url.encode())
    return len(urls) * line + 3 * sum(len(url.encode()) for url, _ in urls)


def _cut(urls: Sequence[SitemapUrl], base_url: str, limit: int,
         size: int) -> list[list[SitemapUrl]]:
    """`urls` cut, in order, into runs of at most `limit` URLs whose sitemap file would
    be at most `size` bytes (each URL counted as if every byte were %-escaped)."""
    chunks: list[list[SitemapUrl]] = [[]]
    room = size - SITEMAP_FRAME
    line = SITEMAP_LINE + 3 * len(base_url.encode())
    used = 0
    for url in urls:
        cost = line + 3 * len(url[0].encode())
        if len(chunks[-1]) >= limit or (chunks[-1] and used + cost > room):
            chunks.append([])
            used = 0
        chunks[-1].append(url)
        used += cost
    return chunks


def _json_twins(pages: Sequence[Page]) -> list[Page]:
    """A JSON Feed beside every Atom subscription document and copy whose path ends in
    '.atom', whoever planned it, with its entries (not beside archives: JSON Feed has no
    standard for them; nor beside a copy at '/feed.xml' or '/feed/')."""
    favicon = FAVICON if any(p.path == FAVICON for p in pages) else ""
    return [Page(json_twin(p.path), FEED, JSON_FEED, {
                **p.context, "self": json_twin(p.context.get("self", p.path)),
                "favicon": favicon})
            for p in pages if p.kind == FEED and not p.template and p.path.endswith(".atom")
            and "archive" not in p.context]


def json_twin(path: str) -> str:
    """The JSON Feed beside an Atom feed: 'tags/svg.json' for 'tags/svg.atom'."""
    return path.removesuffix(".atom") + ".json"


def _pages(site: Site) -> Iterator[Page]:
    """Posts of kind 'page': at /{slug}/, dated or not, outside every list."""
    for entry in site.pages:
        post = entry.post
        yield _html(entry.url, "page.html", post.title,
                    post.updated if post.updated != UNDATED else None, entry=entry,
                    description=post.description, image=entry.image, dated=post.dated)


def _add_navigation(pages: list[Page], site: Site, config: Config) -> None:
    """Give every template what every page shows: the header's links to pages with
    `nav: N`, in N order, the popular tags, the archive's years, and (unless the page
    has its own) the site feed. None of it changes with a new post (but the first of a
    year, or one that changes the popular tags), or every page would be rendered again."""
    listed = sorted((e for e in site.pages if e.post.nav > 0),
                    key=lambda e: (e.post.nav, e.post.source))
    nav = tuple((e.post.title, e.url) for e in listed)
    popular = popular_tags(site)
    feeds = _site_feeds(config)
    years = Shared(sorted({e.post.date.astimezone(config.tz).year for e in site.entries},
                          reverse=True))
    for page in pages:
        if page.kind == TEMPLATE:
            page.context["nav"] = nav
            page.context["popular_tags"] = popular
            page.context["archive_years"] = years
            page.context.setdefault("feeds", feeds)


def popular_tags(site: Site) -> Shared:
    """The POPULAR_TAGS tags with most posts (ties by slug), listed by name without
    their counts: the list changes only when a tag enters or leaves it."""
    top = heapq.nsmallest(POPULAR_TAGS, site.tags.values(),
                          key=lambda t: (-t.ref.count, t.slug))
    return Shared(TagLink(t.slug, t.name)
                  for t in sorted(top, key=lambda t: (t.name.casefold(), t.slug)))


def _site_feeds(config: Config, *own: tuple[str, str]) -> Shared:
    """A page's feeds for `<link rel="alternate">`: its own first, so that a browser's
    or a reader's autodiscovery, which takes the first, subscribes to what the page
    shows (a tag), then the whole site's."""
    return Shared((*own, (config.title, SITE_FEED)))


def _bundle_files(site: Site, assets: Mapping[str, Sequence[Asset]]) -> Iterator[Page]:
    """The files of each page bundle, beside its post's page."""
    for entry in (*site.entries, *site.pages):
        folder = bundles.base(entry.url)
        for asset in assets.get(entry.post.bundle, ()) if entry.post.bundle else ():
            yield Page(folder + asset.path, COPY, context={
                "source": asset.file, "digest": asset.digest, "origin": asset.source})


def _html(path: str, template: str, title: str, lastmod: dt.datetime | None,
          **context: Any) -> Page:
    context.setdefault("description", "")
    context.setdefault("image", "")
    return Page(file_of(path), TEMPLATE, template,
                {"page_title": title, "canonical": path, **context}, lastmod)


def _posts(site: Site, config: Config) -> Iterator[Page]:
    entries = site.entries
    for i, entry in enumerate(entries):
        local = entry.post.date.astimezone(config.tz)
        older = entries[i + 1] if i + 1 < len(entries) else None
        newer = entries[i - 1] if i > 0 else None
        yield _html(entry.url, "post.html", entry.post.title, entry.post.updated,
                    entry=entry, description=entry.post.description, image=entry.image,
                    day_url=f"{local.year}/{MONTHS[local.month - 1]}/{local.day}/",
                    older=_nav(older), newer=_nav(newer),
                    related_posts=(site.related or {}).get(entry.post.source, ()))


def file_of(url: str) -> str:
    """A site-relative URL → the file that serves it: a folder's index.html, or the
    URL itself when it names an .html file ('2014/06/09/old.html')."""
    return url if url.endswith(".html") else url + "index.html"


def _nav(entry: Entry | None) -> tuple[str, str] | None:
    return (entry.post.title, entry.url) if entry else None


def paginate(entries: Sequence[Entry], per_page: int) -> list[Sequence[Entry]]:
    return [entries[i:i + per_page] for i in range(0, len(entries), per_page)] or [()]


def _list_pages(base: str, entries: Sequence[Entry], config: Config, title: str,
                template: str, words: Words, **context: Any) -> Iterator[Page]:
    chunks = paginate(entries, config.per_page)
    for number, chunk in enumerate(chunks, 1):
        path = base if number == 1 else f"{base}page/{number}/"
        pager = {"number": number, "count": len(chunks),
                 "newer": _page_url(base, number - 1) if number > 1 else None,
                 "older": _page_url(base, number + 1) if number < len(chunks) else None}
        page_title = title if number == 1 else f"{title} {words('page_number', number=number)}"
        yield _html(path, template, page_title, _newest(chunk), entries=tuple(chunk),
                    pager=pager, **context)


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def _newest(entries: Sequence[Entry]) -> dt.datetime | None:
    return max((e.post.updated for e in entries), default=None)


def _home(site: Site, config: Config, words: Words) -> Iterator[Page]:
    yield from _list_pages("", site.entries, config, config.title, "home.html", words,
                           description=config.description, feed=SITE_FEED,
                           feeds=_site_feeds(config))


def _tag_pages(site: Site, config: Config, words: Words) -> Iterator[Page]:
    for tag in site.tags.values():
        feed, feed_title = f"tags/{tag.slug}.atom", f"{config.title}: {tag.name}"
        yield from _list_pages(f"tags/{tag.slug}/", tag.entries, config, tag.name, "tag.html",
                               words,
                               tag=tag.ref, tag_description=tag.description,
                               related=tag.related, together=tag.together, feed=feed,
                               feeds=_site_feeds(config, (feed_title, feed)),
                               description=tag.about or words(
                                   "tag_description", tag=tag.name, site=config.title))
        tag_feed, *archives = _feed_pages(feed, feed_title, f"tags/{tag.slug}/", tag.entries,
                                          config, "atom-tag")
        yield tag_feed
        yield from archives
        yield from _old_tag_feeds(tag, tag_feed, site)
    for combination in site.combinations:
        yield from _combination_pages(combination, config, words)
    yield from _tag_indexes(site, config, words)


def _old_tag_feeds(tag: Tag, feed: Page, site: Site) -> Iterator[Page]:
    """A renamed tag's feed at each old name's feed URL (content/tags.toml old_names):
    a static host cannot redirect a feed, so its subscribers get the new tag's entries,
    with their ids, from a copy with its own id and rel="self", as `[feeds] copies`."""
    for old in tag.old_slugs:
        if old != tag.slug and old not in site.tags:
            path = f"tags/{old}.atom"
            yield Page(path, FEED, context={**feed.context, "self": path,
                                            "source": "content/tags.toml (old_names)"})


def _tag_indexes(site: Site, config: Config, words: Words) -> Iterator[Page]:
    """The tags index twice, server-rendered: by name (to find a tag) at tags/, and by
    count (to see what the site is about) at TAGS_BY_COUNT; each links to the other."""
    listed = [tag.listing for tag in site.tags.values()]
    by_name = sorted(listed, key=lambda t: (t.name.casefold(), t.slug))
    by_count = sorted(by_name, key=lambda t: -t.count)
    newest = _newest(site.entries)
    description = words("tags_description", site=config.title)
    yield _html("tags/", "tags.html", words("tags"), newest, tags=tuple(by_name),
                order="name", description=description)
    yield _html(TAGS_BY_COUNT, "tags.html", words("tags_by_count_title"), newest,
                tags=tuple(by_count), order="count", description=description)


def _combination_pages(combo: Combination, config: Config, words: Words) -> Iterator[Page]:
    """Two tags' pages, as a tag's are: its list of posts, paginated, and its feed."""
    base, feed = f"tags/{combo.slug}/", f"tags/{combo.slug}.atom"
    title = f"{combo.first.name} + {combo.second.name}"
    ref = TagRef(combo.slug, title, len(combo.entries))
    yield from _list_pages(base, combo.entries, config, title, "tag.html", words, tag=ref,
                           pair=(combo.first, combo.second), tag_description="",
                           related=(), together=(), feed=feed,
                           feeds=_site_feeds(config, (f"{config.title}: {title}", feed)),
                           description=words("pair_description", a=combo.first.name,
                                             b=combo.second.name, site=config.title))
    yield from _feed_pages(feed, f"{config.title}: {title}", base, combo.entries, config,
                           "atom-tag")


def _feed_pages(path: str, title: str, alternate: str, entries: Sequence[Entry],
                config: Config, fragment: str) -> list[Page]:
    """A feed's subscription document (the newest `[feeds] entries` entries), then its
    archive documents (RFC 5005 §4), oldest first: the older entries, cut into pages
    of as many from the oldest, so that a new post changes no full archive. Each
    page's context holds only its own entries and links, never a count of the site's."""
    size = config.feeds.entries
    older = entries[size:][::-1]  # oldest first
    chunks = [older[i:i + size] for i in range(0, len(older), size)]
    if older and len(older) % size == 0:
        # the newest archive is never full: a full one already links next-archive to an
        # empty one, so that it never changes when the next post pushes one in
        chunks.append(older[:0])
    common = {"alternate": alternate,
              "fragment": fragment if config.feeds.link_fragments else ""}
    prev = archive_path(path, len(chunks)) if chunks else ""
    feed = Page(path, FEED, context={**common, "title": title,
                                     "entries": tuple(entries[:size]), "prev_archive": prev})
    return [feed, *(_archive_page(path, title, number, tuple(chunk[::-1]), number == len(chunks),
                                  common, chunks[number - 2] if number > 1 else ())
                    for number, chunk in enumerate(chunks, 1))]


def _archive_page(feed: str, title: str, number: int, entries: tuple[Entry, ...],
                  newest: bool, common: dict[str, Any], before: Sequence[Entry]) -> Page:
    """Archive `number`; an empty one is as new as the newest entry `before` it."""
    updated = {} if entries else {"updated": max(e.post.updated for e in before)}
    return Page(archive_path(feed, number), FEED, context={
        **common, "title": f"{title} (archive {number})", "entries": entries,
        "archive": number, "current": feed, **updated,
        "prev_archive": archive_path(feed, number - 1) if number > 1 else "",
        "next_archive": "" if newest else archive_path(feed, number + 1)})


def archive_path(feed: str, number: int) -> str:
    """Archive document `number` (1: the oldest) of the feed at `feed`:
    'tags/svg.atom' → 'tags/svg/archive/1.atom'."""
    return f"{feed.removesuffix('.atom')}/archive/{number}.atom"


def _feeds(site: Site, config: Config, words: Words) -> Iterator[Page]:
    for name, kind in SITE_FEEDS:
        entries = [e for e in site.entries if kind is None or e.post.kind == kind]
        title = config.title if kind is None else f"{config.title}: {name}"
        alternate = "" if kind is None else f"{name}/"
        feed, *archives = _feed_pages(f"atom/{name}.atom", title, alternate, entries, config,
                                      f"atom-{name}")
        yield feed
        yield from archives
        if kind is None:
            yield from _feed_copies(feed, config)
        if kind is not None:
            yield from _list_pages(f"{name}/", entries, config, words(name), "home.html",
                                   words, feed=f"atom/{name}.atom",
                                   feeds=_site_feeds(config, (title, f"atom/{name}.atom")),
                                   description=words("kind_description", kind=words(name),
                                                     site=config.title))


def _feed_copies(feed: Page, config: Config) -> Iterator[Page]:
    """`[feeds] copies`: the site feed again at an old site's feed paths, each with its
    own URL as its id and rel="self", and the same entries."""
    for path in config.feeds.copies:
        yield Page(feed_copy_file(path), FEED, context={
            **feed.context, "self": path.lstrip("/"), "source": "site.toml ([feeds] copies)"})


Calendar = dict[int, dict[int, dict[int, list[Entry]]]]  # year → month → day → entries
Link = tuple[str, str]  # (label, site-relative URL)
K = TypeVar("K")


def _archives(site: Site, config: Config, words: Words) -> Iterator[Page]:
    """A page per year, month and day with posts, each linking to the older and newer
    one that has posts (rel prev/next), and the archives index."""
    years = _calendar(site.entries, config)
    month_links = {(y, m): _month_link((y, m), words) for y in years for m in years[y]}
    day_links = {(y, m, d): _day_link((y, m, d), words)
                 for y in years for m in years[y] for d in years[y][m]}
    months = _neighbours(list(month_links), month_links.__getitem__)
    days = _neighbours(list(day_links), day_links.__getitem__)
    around_year = _neighbours(list(years), lambda y: (str(y), f"{y}/"))
    for year, in_year in years.items():
        yield _html(f"{year}/", "archive.html", str(year), _newest(_flat(in_year)),
                    year=year, months=_month_summary(year, in_year, words), entries=(),
                    scope="year", **around_year[year])
        for month, in_month in in_year.items():
            label, path = month_links[year, month]
            month_entries = tuple(e for d in in_month.values() for e in d)
            yield _html(path, "archive.html", label, _newest(month_entries), year=year,
                        month=MONTHS[month - 1], month_name=words.month(month),
                        entries=month_entries, scope="month", **months[year, month])
            for day, day_entries in in_month.items():
                label, path = day_links[year, month, day]
                yield _html(path, "archive.html", label, _newest(day_entries), year=year,
                            month=MONTHS[month - 1], month_name=words.month(month),
                            day=day, entries=tuple(day_entries), scope="day",
                            **days[year, month, day])
    yield _html("archives/", "archives.html", words("archives"), _newest(site.entries),
                years=tuple((y, _month_summary(y, m, words)) for y, m in years.items()))


def _calendar(entries: Sequence[Entry], config: Config) -> Calendar:
    """The entries by local year, month and day, newest first at every level."""
    years: Calendar = {}
    for entry in entries:
        local = entry.post.date.astimezone(config.tz)
        years.setdefault(local.year, {}).setdefault(local.month, {}) \
            .setdefault(local.day, []).append(entry)
    return years


def _neighbours(keys: Sequence[K], link: Callable[[K], Link]) -> dict[K, dict[str, Link | None]]:
    """Each archive page's `older` and `newer` pages that have posts (keys newest first),
    as post pages have theirs."""
    last = len(keys) - 1
    return {key: {"older": link(keys[i + 1]) if i < last else None,
                  "newer": link(keys[i - 1]) if i > 0 else None}
            for i, key in enumerate(keys)}


def _month_link(month: tuple[int, int], words: Words) -> Link:
    year, number = month
    return (words("month_year", month=words.month(number), year=year),
            f"{year}/{MONTHS[number - 1]}/")


def _day_link(day: tuple[int, int, int], words: Words) -> Link:
    year, month, number = day
    return (words("date", day=number, month=words.month(month), year=year),
            f"{year}/{MONTHS[month - 1]}/{number}/")


def _flat(months: dict[int, dict[int, list[Entry]]]) -> list[Entry]:
    return [e for days in months.values() for d in days.values() for e in d]


def _month_summary(year: int, months: dict[int, dict[int, list[Entry]]], words: Words) \
        -> tuple[tuple[str, str, int], ...]:
    """Each month of a year with posts: its name ('June'), URL and number of posts."""
    return tuple((words.month(m), f"{year}/{MONTHS[m - 1]}/",
                  sum(len(d) for d in days.values())) for m, days in months.items())


def _redirects(site: Site) -> Iterator[Page]:
    for entry in (*site.entries, *site.pages):
        for alias in entry.post.aliases:
            yield _redirect(url_of(alias), entry.url, entry.post.title,
                            entry.post.source)
    for tag in site.tags.values():
        for old in tag.old_slugs:
            if old != tag.slug and old not in site.tags:
                yield _redirect(f"tags/{old}/", f"tags/{tag.slug}/", tag.name, "content/tags.toml")


def _redirect(path: str, target: str, title: str, source: str) -> Page:
    return Page(file_of(path), TEMPLATE, "redirect.html",
                {"target": target, "page_title": title, "canonical": target,
                 "description": "", "source": source})


def _singles(site: Site, config: Config, words: Words) -> Iterator[Page]:
    yield Page("404.html", TEMPLATE, "404.html",
               {"page_title": words("not_found"), "canonical": "404.html", "description": "",
                "image": "", "recent": site.entries[:5]})
    if config.search.enabled:
        yield _html("search/", "search.html", words("search_title"), None,
                    description=words("search_description", site=config.title))
    yield Page("robots.txt", TEMPLATE, "robots.txt", {})


