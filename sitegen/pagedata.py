"""A planned page as the cache keeps it: its path, renderer and context, as JSON.

Contexts hold plain values, a few small frozen dataclasses and entries. An entry is
kept as its post's file name and made again from the post when the page is read
back, so a page whose posts' words changed reads back with the new words: what a
build after such an edit needs to render the page without planning the site
(patch.py). Values that many pages share (`pages.Shared`) are kept once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sitegen.cache import PageRows, Unkept, decode_moment, encode_moment
from sitegen.pages import Page, Shared
from sitegen.shape import Planned
from sitegen.site import Entry, Pairing, RelatedPost, TagLink, TagListing, TagRef, related_post

# The dataclasses a context may hold, by name; anything else makes a plan unkeepable.
CLASSES: dict[str, type] = {c.__name__: c for c in (TagLink, TagRef, TagListing, Pairing,
                                                    RelatedPost)}
ENTRY, ENTRIES, RELATED, SHARED, MOMENT, LIST, DICT, CLASS = \
    "e", "E", "r", "s", "t", "l", "d", "c"
PLAIN = frozenset((str, int, float, bool, type(None)))
POST_FILE = "f"  # a post file's row, by its entry's number: 'f' and the number


class Unkeepable(Exception):
    """A context holds a value this module cannot keep."""


class Encoder:
    """Pages → JSON-ready lists; the shared values met on the way, once each."""

    def __init__(self, sources: dict[str, int]) -> None:
        self.shared: list[Any] = []
        self._sources = sources  # post file → its number, as pages refer to entries
        self._numbers: dict[int, int] = {}  # id of a Shared → its place in `shared`
        self._keep: list[tuple[Any, ...]] = []  # holds them, so that their ids stay theirs

    def page(self, page: Page) -> list[Any]:
        context = {k: self.value(v) for k, v in page.context.items()}
        lastmod = encode_moment(page.lastmod) if page.lastmod else None
        return [page.path, page.kind, page.template, context, lastmod]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind in PLAIN:
            return value
        if kind is tuple:
            return self._tuple(value)
        if kind is Shared:
            return {SHARED: self._share(value)}
        if kind is RelatedPost:  # made from an entry: kept as the entry
            return {RELATED: self._sources[value.source]}
        if kind is Entry:
            return {ENTRY: self._sources[value.post.source]}
        if kind is list:
            return {LIST: [self.value(v) for v in value]}
        if kind is dict and all(type(k) is str for k in value):
            return {DICT: {k: self.value(v) for k, v in value.items()}}
        if kind is dt.datetime:
            return {MOMENT: encode_moment(value)}
        if kind.__name__ in CLASSES and CLASSES[kind.__name__] is kind:
            return {CLASS: kind.__name__, "f": [self.value(getattr(value, f.name))
                                                for f in dataclasses.fields(value)]}
        raise Unkeepable(f"a page's context holds a {kind.__name__}")

    def _tuple(self, value: tuple[Any, ...]) -> Any:
        if not value:
            return []
        if all(type(v) is Entry for v in value):  # a list page's, a feed's
            return {ENTRIES: [self._sources[v.post.source] for v in value]}
        if type(value[0]) in (Pairing, TagRef):  # a tag's pairs, on each of its pages
            return {SHARED: self._share(value)}
        return [self.value(v) for v in value]

    def _share(self, value: tuple[Any, ...]) -> int:
        """Its place among the shared values (read back as a Shared, which fingerprints
        and renders as the tuple it was)."""
        number = self._numbers.get(id(value))
        if number is None:
            if any(isinstance(v, Entry | RelatedPost) for v in value):
                raise Unkeepable("a shared value holds an entry")
            number = self._numbers[id(value)] = len(self.shared)
            self.shared.append([self.value(v) for v in value])
            self._keep.append(value)
        return number


def refs(data: Any, entries: set[int], shared: set[int]) -> None:
    """Add the numbers of the entries and of the shared values an encoded page shows."""
    if isinstance(data, list):
        for item in data:
            refs(item, entries, shared)
    elif isinstance(data, dict):
        if ENTRY in data:
            entries.add(data[ENTRY])
        elif RELATED in data:
            entries.add(data[RELATED])
        elif ENTRIES in data:
            entries.update(data[ENTRIES])
        elif SHARED in data:
            shared.add(data[SHARED])
        else:
            for item in data.values():
                refs(item, entries, shared)


class Decoder:
    """JSON-ready lists → pages, with entries from `entry_of` (by post file)."""

    def __init__(self, shared: Mapping[int, Any], entry_of: Callable[[int], Entry]) -> None:
        self._entry_of = entry_of
        self._shared = shared
        self._made: dict[int, Shared] = {}  # those read back so far (most are never)

    def page(self, data: list[Any]) -> Page:
        path, kind, template, context, lastmod = data
        return Page(path, kind, template, {k: self.value(v) for k, v in context.items()},
                    decode_moment(lastmod) if lastmod else None)

    def value(self, data: Any) -> Any:
        if isinstance(data, list):
            return tuple(self.value(v) for v in data)
        if not isinstance(data, dict):
            return data
        return self._tagged(data)

    def _share(self, number: int) -> Shared:
        made = self._made.get(number)
        if made is None:
            made = self._made[number] = Shared(self.value(v) for v in self._shared[number])
        return made

    def _tagged(self, data: Mapping[str, Any]) -> Any:
        if ENTRY in data:
            return self._entry_of(data[ENTRY])
        if ENTRIES in data:
            return tuple(self._entry_of(number) for number in data[ENTRIES])
        if RELATED in data:
            return related_post(self._entry_of(data[RELATED]))
        if SHARED in data:
            return self._share(data[SHARED])
        if LIST in data:
            return [self.value(v) for v in data[LIST]]
        if DICT in data:
            return {k: self.value(v) for k, v in data[DICT].items()}
        if MOMENT in data:
            return decode_moment(data[MOMENT])
        return CLASSES[data[CLASS]](*(self.value(v) for v in data["f"]))


def rows(planned: Planned) -> PageRows:
    """What the cache keeps of a plan for patch.py: the pages that show posts, and every
    post's URL, tags and the pages that show it. The rows are made as the cache writes
    them; a page that holds what cannot be kept raises cache.Unkept then, and the cache
    keeps no pages for this plan."""
    numbers = sorted({n for found in planned.shape.uses.values() for n in found})
    sources = list(planned.entries)
    return PageRows(planned.shape.key, functools.partial(_page_rows, planned, numbers, sources),
                    functools.partial(_entry_rows, planned))


def _page_rows(planned: Planned, numbers: list[int],
               sources: list[str]) -> Iterator[tuple[str, Any]]:
    """Each page by its place in the plan, then the values they share, then each post's
    file by the number pages know its entry by (a row each: a patch reads those of the
    entries its pages show, not a list of every post)."""
    encoder = Encoder({source: number for number, source in enumerate(sources)})
    try:
        for n in numbers:
            yield str(n), encoder.page(planned.plan[n])
    except (Unkeepable, KeyError) as exc:  # KeyError: an entry that is not the site's
        raise Unkept(str(exc)) from exc
    for n, value in enumerate(encoder.shared):
        yield f"s{n}", value
    for n, source in enumerate(sources):
        yield f"{POST_FILE}{n}", source


def _entry_rows(planned: Planned) -> Iterator[tuple[str, Any]]:
    uses = planned.shape.uses
    for source, entry in planned.entries.items():
        yield source, [entry.url, [[t.slug, t.name] for t in entry.tags], uses.get(source, [])]
