"""All posts → one Site: sorted, tagged, linked (assemble)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlsplit

from sitegen import bundles, markup, tags
from sitegen.config import Config
from sitegen.content import Post
from sitegen.errors import BuildErrors, ContentError, cut, shown
from sitegen.tags import TagInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RELATED_TAGS = 8
RELATED_POSTS = 5  # most related posts on a post's page
NEIGHBOURS = 25  # candidates for related posts: this many each side in time, per tag
SEARCH = "search/"  # the search page, filtered by tags with `?tag=a&tag=b`
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

    @property
    def domain(self) -> str:
        """A link post's site ('example.com'), shown beside the link so that a reader
        knows where it leads before following it; '' for other posts."""
        return link_domain(self.post.link_url) if self.post.link_url else ""


def link_domain(url: str) -> str:
    """The host of a URL as a reader knows it: lower case, without 'www.', and an
    internationalised name in its own letters, not its 'xn--' form."""
    host = urlsplit(url).hostname or ""
    if "xn--" in host:
        with contextlib.suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    return host.removeprefix("www.")


def make_entry(post: Post, url: str, links: tuple[TagLink, ...], config: Config) -> Entry:
    names = "|".join(f"{t.slug}={t.name}" for t in links)
    image = bundles.image_url(post.image, url, config)
    body = bundles.relink(post.body, quote(config.url(bundles.base(url)))) if post.bundle \
        else post.body
    return Entry(post, url, links, f"{post.digest}|{url}|{names}|{image}", body, image)


@dataclass(frozen=True, slots=True)
class Pairing:
    """A tag together with another, as the first one's page lists it: the other tag,
    how many posts carry both, and where they are listed (a combination page, or the
    search page filtered by both tags)."""

    other: TagLink
    count: int
    url: str  # site-relative: 'tags/python+svg/', or 'search/' …
    tags: tuple[str, ...] = ()  # … filtered by these tags' slugs

    @property
    def query(self) -> str:
        """The search page's filter ('tag=python&tag=svg'), made only for a page that
        shows it: most tag pages are not rendered again after an edit."""
        return search_query(*self.tags) if self.tags else ""


@dataclass(frozen=True, slots=True)
class TagListing:
    """A tag as the tags index shows it: with its post count and what it is about."""

    slug: str
    name: str
    count: int
    about: str  # the description's first sentence, plain text, or ''


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str
    description: str  # HTML
    old_slugs: tuple[str, ...]
    entries: tuple[Entry, ...]  # newest first
    related: tuple[TagRef, ...]
    ref: TagRef  # slug, name and post count
    together: tuple[Pairing, ...] = ()  # its combination pages, then rarer related pairs
    about: str = ""  # the description's first sentence, plain text: index, meta description

    @property
    def listing(self) -> TagListing:
        return TagListing(self.slug, self.name, self.ref.count, self.about)


@dataclass(frozen=True, slots=True)
class Combination:
    """Two tags' page: the posts that carry both, at tags/{first}{separator}{second}/."""

    slug: str  # 'python+svg': the two slugs in sorted order, joined by the separator
    first: TagLink
    second: TagLink
    entries: tuple[Entry, ...]  # newest first


@dataclass(frozen=True, slots=True)
class RelatedPost:
    """A post as another post's "related" list shows it."""

    title: str
    url: str
    date: dt.datetime
    source: str  # the post's file, so that a build can keep the list for the next one


Related = dict[str, tuple[RelatedPost, ...]]  # post source → its related posts


@dataclass(frozen=True, slots=True)
class Site:
    entries: tuple[Entry, ...]  # dated posts, newest first: lists, feeds, archives
    tags: dict[str, Tag]  # by slug, sorted by slug
    pages: tuple[Entry, ...] = ()  # posts of kind 'page', by file: only their own page
    combinations: tuple[Combination, ...] = ()  # most shared posts first
    related: Related | None = None  # by post source



def assemble(posts: Iterable[Post], config: Config, info: dict[str, TagInfo],
             drafts: bool = False, known: dict[str, list[str]] | None = None,
             entries: tuple[Entry, ...] | None = None) -> Site:
    """Build the Site; raise the collected SiteErrors as one list. `known`: each post's
    related posts (by source) as the last build found them, when no title, date, tag or
    slug changed since (the site's shape): then they are not scored again. `entries`:
    entries_of(posts, config, info, drafts), when made already."""
    published = [p for p in posts if drafts or not p.draft]
    if entries is None:
        entries = entries_of(published, config, info, drafts=True)  # drafts chosen
    pages = tuple(make_entry(p, permalink(p, config), (), config)
                  for p in sorted(published, key=lambda p: p.source) if p.kind == PAGE)
    shared = shared_posts(entries)
    the_tags = _tags(entries, info, shared)
    combinations = combine(shared, the_tags, config)
    return Site(entries, _with_pairings(the_tags, combinations, config), pages,
                combinations, recall(entries, known) or relate(entries))


def entries_of(posts: Iterable[Post], config: Config, info: dict[str, TagInfo],
               drafts: bool = False) -> tuple[Entry, ...]:
    """The dated posts (not pages) as lists show them, newest first."""
    shown = sorted((p for p in posts if p.kind != PAGE and (drafts or not p.draft)),
                   key=lambda p: (p.date, p.source), reverse=True)
    links = _tag_links(shown, info)
    return tuple(make_entry(p, permalink(p, config), tuple(links[n] for n in p.tags), config)
                 for p in shown)


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
    """Each tag name as written in posts (newest first) → its slug and display name;
    raise when two different names share one slug."""
    spellings: dict[str, dict[str, None]] = defaultdict(dict)
    first_source: dict[str, str] = {}
    oldest: dict[str, str] = {}  # the spelling of the oldest post: the last one seen
    for post in posts:
        for name in reversed(post.tags):  # of two spellings in one post, the first wins
            tag_key = tags.key(name)
            spellings[tag_key][name] = None
            first_source.setdefault(tag_key, post.source)
            oldest[tag_key] = name
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
    for tag_key, written in spellings.items():
        link = TagLink(tags.slugify(tag_key), _display(tag_key, oldest[tag_key], info))
        links.update(dict.fromkeys(written, link))
    return links


def _display(tag_key: str, first_written: str, info: dict[str, TagInfo]) -> str:
    """tags.toml's name when it gives one, else the author's first spelling (posts are
    newest first, ties by file reversed, so the last one seen is the oldest): their own
    capitals ('LLMs', 'Golden Gate'), which no rule (title case, most frequent) could
    guess, and which a later post tagged in lower case does not undo."""
    configured = info.get(tags.slugify(tag_key))
    if configured and configured.name:
        return configured.name
    return first_written


def _tags(entries: tuple[Entry, ...], info: dict[str, TagInfo],
          shared: Shared) -> dict[str, Tag]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    names: dict[str, str] = {}
    for entry in entries:
        for link in entry.tags:
            grouped[link.slug].append(entry)
            names[link.slug] = link.name
    refs = {slug: TagRef(slug, names[slug], len(es)) for slug, es in grouped.items()}
    together: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), both in shared.items():
        together[a].append((-len(both), b))
        together[b].append((-len(both), a))
    return {slug: _tag(slug, grouped[slug], refs, info.get(slug, TagInfo()),
                       _related(together[slug], refs))
            for slug in sorted(grouped)}


def _tag(slug: str, entries: list[Entry], refs: dict[str, TagRef], info: TagInfo,
         related: tuple[TagRef, ...]) -> Tag:
    description = markup.render(info.description, f"tag-{slug}")[0] if info.description else ""
    old = tuple(tags.slugify(n) for n in info.old_names)
    return Tag(slug, refs[slug].name, description, old, tuple(entries), related, refs[slug],
               about=tags.first_sentence(description))


def _related(together: list[tuple[int, str]], refs: dict[str, TagRef]) -> tuple[TagRef, ...]:
    """Tags that share posts with this one (given as (-posts shared, slug)), most shared
    first."""
    return tuple(TagRef(s, refs[s].name, -negative)
                 for negative, s in heapq.nsmallest(RELATED_TAGS, together))


Shared = dict[tuple[str, str], list[Entry]]  # two tags' slugs, sorted → posts with both


def shared_posts(entries: Iterable[Entry]) -> Shared:
    """The posts each pair of tags shares (newest first, as `entries` are)."""
    shared: Shared = defaultdict(list)
    for entry in entries:
        slugs = sorted({link.slug for link in entry.tags})
        for pair in itertools.combinations(slugs, 2):
            shared[pair].append(entry)
    return shared


def combine(shared: Shared, the_tags: dict[str, Tag],
            config: Config) -> tuple[Combination, ...]:
    """The pairs of tags that share at least `combine_min` posts, most shared first
    (ties by slug), at most `combine_max_pages` of them, each with its posts."""
    wanted = config.tags
    pairs = sorted((p for p, both in shared.items() if len(both) >= wanted.combine_min),
                   key=lambda p: (-len(shared[p]), p))[: wanted.combine_max_pages]
    links = {slug: TagLink(slug, the_tags[slug].name) for pair in pairs for slug in pair}
    return tuple(Combination(f"{a}{wanted.combine_separator}{b}", links[a], links[b],
                             tuple(shared[a, b])) for a, b in pairs)


def _with_pairings(the_tags: dict[str, Tag], combinations: Sequence[Combination],
                   config: Config) -> dict[str, Tag]:
    """Each tag with its combination pages, then its related tags that have none
    (those link to the search page filtered by both tags)."""
    pages: dict[str, list[Pairing]] = defaultdict(list)
    for combo in combinations:
        count = len(combo.entries)
        url = f"tags/{combo.slug}/"
        pages[combo.first.slug].append(Pairing(combo.second, count, url))
        pages[combo.second.slug].append(Pairing(combo.first, count, url))
    return {slug: dataclasses.replace(tag, together=_together(tag, pages[slug]))
            for slug, tag in the_tags.items()}


def _together(tag: Tag, pages: list[Pairing]) -> tuple[Pairing, ...]:
    listed = {p.other.slug for p in pages}
    rarer = (Pairing(TagLink(r.slug, r.name), r.count, SEARCH, (tag.slug, r.slug))
             for r in tag.related if r.slug not in listed)
    return (*pages, *rarer)


def search_query(*slugs: str) -> str:
    """The search page's query for posts carrying all these tags: 'tag=python&tag=svg'."""
    return "&".join(f"tag={_query_value(s)}" for s in sorted(slugs))


@functools.cache
def _query_value(slug: str) -> str:
    """A slug in a query string, as urlencode writes it (each tag's page asks for its
    slug some ten times: 0.3 s on 10,000 posts without this cache)."""
    return quote_plus(slug, safe="")


def relate(entries: Sequence[Entry]) -> Related:
    """Each post's related posts: those sharing its tags, scored by the sum over shared
    tags of log(posts / posts with the tag), so that a shared rare tag counts more; ties
    go to the post nearest in time, then the newer. Candidates are, for each of the
    post's tags, the NEIGHBOURS posts on either side of it in that tag's list (in time),
    not the whole tag, and a shared tag counts where the candidate is among its
    neighbours (always, for a tag of at most 2 × NEIGHBOURS + 1 posts): the cost is
    bounded by posts × tags × 2 × NEIGHBOURS."""
    lists: dict[str, list[int]] = defaultdict(list)  # tag → entry indexes, newest first
    where: list[dict[str, int]] = []  # by entry index: tag → its place in the tag's list
    for index, entry in enumerate(entries):
        places = {}
        for slug in sorted({link.slug for link in entry.tags}):
            places[slug] = len(lists[slug])
            lists[slug].append(index)
        where.append(places)
    weight = {slug: math.log(len(entries) / len(found)) for slug, found in lists.items()}
    found = _Neighbourhood(lists, where, weight, [e.post.date.timestamp() for e in entries])
    shown = [related_post(e) for e in entries]
    return {entry.post.source: tuple(shown[c] for c in found.best(index))
            for index, entry in enumerate(entries)}


def related_post(entry: Entry) -> RelatedPost:
    """An entry as another post's "related" list shows it."""
    return RelatedPost(entry.post.title, entry.url, entry.post.date, entry.post.source)


def recall(entries: Sequence[Entry], known: dict[str, list[str]] | None) -> Related | None:
    """The related posts `known` from the last build, for these very posts; None when
    there are none or they do not fit (then `relate` scores them)."""
    if not known or known.keys() != {e.post.source for e in entries}:
        return None
    shown = {e.post.source: related_post(e) for e in entries}
    try:
        return {source: tuple(shown[s] for s in sources) for source, sources in known.items()}
    except (KeyError, TypeError):
        return None


def sources(related: Related) -> dict[str, list[str]]:
    """The related posts by source, as a later build's `known`."""
    return {source: [r.source for r in found] for source, found in related.items()}


@dataclass(frozen=True, slots=True)
class _Neighbourhood:
    lists: dict[str, list[int]]  # tag → entry indexes, newest first
    where: list[dict[str, int]]  # entry index → {tag: its place in the tag's list}
    weight: dict[str, float]  # tag → log(posts / posts with the tag)
    stamps: list[float]  # entry index → its date as a POSIX timestamp

    def best(self, index: int) -> list[int]:
        """The entry indexes of the RELATED_POSTS best candidates for this entry. Scores
        are summed in the order of the tags' slugs: the same floats every build."""
        scores: dict[int, float] = {}
        for slug, place in self.where[index].items():
            gain = self.weight[slug]
            for c in self.lists[slug][max(0, place - NEIGHBOURS): place + NEIGHBOURS + 1]:
                scores[c] = scores.get(c, 0.0) + gain
        scores.pop(index, None)  # not related to itself (absent when it has no tags)
        when, stamps = self.stamps[index], self.stamps
        best = heapq.nsmallest(RELATED_POSTS, ((-score, abs(stamps[c] - when), c)
                                               for c, score in scores.items() if score > 0))
        return [c for _, _, c in best]
