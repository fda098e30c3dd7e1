"""All posts → one Site: sorted, tagged, linked (assemble)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from sitegen import bundles, markup, tags
from sitegen.config import Config
from sitegen.content import Post
from sitegen.errors import BuildErrors, ContentError, cut, shown
from sitegen.tags import TagInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RELATED_TAGS = 8
PAGE = "page"  # the kind of a post that lives outside lists, feeds and archives


@dataclass(frozen=True, slots=True)
class TagLink:
    """A tag as a list item shows it: its slug and display name."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class TagRef:
    """A tag with its post count, for tag lists and post pages."""

    slug: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A post placed in the site: its URL and its tags, in the order the post lists them."""

    post: Post
    url: str  # site-relative, e.g. '2025/Nov/22/olmo-3/'
    tags: tuple[TagLink, ...]
    key: str  # everything a page may show of this entry, as one string (for fingerprints)
    body: str  # the body as other pages show it: a bundle's relative links made site paths
    image: str  # the post's `image` as an absolute URL (og:image, feeds), or ''


def make_entry(post: Post, url: str, links: tuple[TagLink, ...], config: Config) -> Entry:
    names = "|".join(f"{t.slug}={t.name}" for t in links)
    image = bundles.image_url(post.image, url, config)
    body = bundles.relink(post.body, quote(config.url(bundles.base(url)))) if post.bundle \
        else post.body
    return Entry(post, url, links, f"{post.digest}|{url}|{names}|{image}", body, image)


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str
    description: str  # HTML
    old_slugs: tuple[str, ...]
    entries: tuple[Entry, ...]  # newest first
    related: tuple[TagRef, ...]
    ref: TagRef  # slug, name and post count


@dataclass(frozen=True, slots=True)
class Site:
    entries: tuple[Entry, ...]  # dated posts, newest first: lists, feeds, archives
    tags: dict[str, Tag]  # by slug, sorted by slug
    pages: tuple[Entry, ...] = ()  # posts of kind 'page', by file: only their own page



def assemble(posts: Iterable[Post], config: Config, info: dict[str, TagInfo],
             drafts: bool = False) -> Site:
    """Build the Site; raise the collected SiteErrors as one list."""
    published = [p for p in posts if drafts or not p.draft]
    shown = sorted((p for p in published if p.kind != PAGE),
                   key=lambda p: (p.date, p.source), reverse=True)
    links = _tag_links(shown, info)
    entries = tuple(make_entry(p, permalink(p, config), tuple(links[n] for n in p.tags),
                               config) for p in shown)
    pages = tuple(make_entry(p, permalink(p, config), (), config)
                  for p in sorted(published, key=lambda p: p.source) if p.kind == PAGE)
    return Site(entries, _tags(entries, info), pages)


def permalink(post: Post, config: Config) -> str:
    """The post's site-relative URL path from the permalink pattern; a page's is
    '{slug}/'."""
    if post.kind == PAGE:
        return f"{post.slug}/"
    local = post.date.astimezone(config.tz)
    path = config.permalinks.post.format(
        year=local.year, month=MONTHS[local.month - 1], month_num=f"{local.month:02d}",
        day=local.day, day_num=f"{local.day:02d}", slug=post.slug)
    return path.lstrip("/")


def url_of(path: str) -> str:
    """A permalink or alias as written → its site-relative URL: a folder ('/a/b' → 'a/b/'),
    or a file when it ends in '.html' ('/a/b.html' → 'a/b.html')."""
    path = path.strip("/")
    return path if path.endswith(".html") else path + "/"


def _tag_links(posts: list[Post], info: dict[str, TagInfo]) -> dict[str, TagLink]:
    """Each tag name as written in posts → its slug and display name; raise when two
    different names share one slug."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_source: dict[str, str] = {}
    for post in posts:
        for name in post.tags:
            tag_key = tags.key(name)
            spellings[tag_key][name] += 1
            first_source.setdefault(tag_key, post.source)
    by_slug: dict[str, str] = {}
    for tag_key in sorted(spellings):
        slug = tags.slugify(tag_key)
        if slug in by_slug:
            raise ContentError(first_source[tag_key], None,
                               f"tag {shown(tag_key)} and tag {shown(by_slug[slug])} "
                               f"(in {first_source[by_slug[slug]]}) would share the URL "
                               f"/tags/{cut(slug)}/; rename one of them")
        by_slug[slug] = tag_key
    renamed = tags.check_renamed(info, {slug: first_source[k] for slug, k in by_slug.items()})
    if renamed:
        raise BuildErrors(renamed)
    links = {}
    for tag_key, counted in spellings.items():
        link = TagLink(tags.slugify(tag_key), _display(tag_key, counted, info))
        links.update(dict.fromkeys(counted, link))
    return links


def _display(tag_key: str, spellings: Counter[str], info: dict[str, TagInfo]) -> str:
    configured = info.get(tags.slugify(tag_key))
    if configured and configured.name:
        return configured.name
    return min(spellings, key=lambda s: (-spellings[s], s))


def _tags(entries: tuple[Entry, ...], info: dict[str, TagInfo]) -> dict[str, Tag]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    names: dict[str, str] = {}
    for entry in entries:
        for link in entry.tags:
            grouped[link.slug].append(entry)
            names[link.slug] = link.name
    refs = {slug: TagRef(slug, names[slug], len(es)) for slug, es in grouped.items()}
    return {slug: _tag(slug, grouped[slug], refs, info.get(slug, TagInfo()))
            for slug in sorted(grouped)}


def _tag(slug: str, entries: list[Entry], refs: dict[str, TagRef], info: TagInfo) -> Tag:
    description = markup.render(info.description, f"tag-{slug}")[0] if info.description else ""
    old = tuple(tags.slugify(n) for n in info.old_names)
    return Tag(slug, refs[slug].name, description, old, tuple(entries),
               _related(slug, entries, refs), refs[slug])


def _related(slug: str, entries: list[Entry], refs: dict[str, TagRef]) -> tuple[TagRef, ...]:
    """Tags that share posts with this one, most shared first."""
    together = Counter(link.slug for e in entries for link in e.tags)
    del together[slug]
    ranked = sorted(together, key=lambda s: (-together[s], s))[:RELATED_TAGS]
    return tuple(TagRef(s, refs[s].name, together[s]) for s in ranked)
