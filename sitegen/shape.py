"""A site's shape: everything about it except the words inside its posts.

While an author writes, most saves change one post's body and nothing else: no
title, date, tag or slug. Then every page keeps its place and its neighbours, and
only the pages that show that post change: the pages whose recorded inputs hold it.
A build whose shape equals the last one's fingerprints just those pages (the others
keep their fingerprints); the dev server, which keeps its last plan in memory, also
swaps the new post into those pages instead of planning the site again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen import workers
from sitegen.config import Config
from sitegen.content import Post
from sitegen.pages import FEED, Page
from sitegen.site import Entry, Site, make_entry


@dataclass
class Shape:
    """What the last successful build knew of its plan (kept in the cache)."""

    key: str = ""
    uses: dict[str, list[int]] = field(default_factory=dict)  # post source → page indexes
    digests: dict[str, str] = field(default_factory=dict)  # post source → its digest
    related: dict[str, list[str]] = field(default_factory=dict)  # post source → sources


@dataclass
class Planned:
    """A plan with its fingerprints; the dev server keeps the last one in memory."""

    shape: Shape
    plan: list[Page]
    fingerprints: dict[str, str]  # output path → fingerprint
    entries: dict[str, Entry]  # post source → its entry
    posts: int
    tags: int
    feeds: int
    html: int  # HTML pages


def key(posts: Iterable[Post], *settings: str) -> str:
    """A digest of the site's shape: the settings given and every post but its words."""
    digest = hashlib.sha256("|".join(settings).encode())
    digest.update("".join(post.shape for post in posts).encode())
    return digest.hexdigest()


def fingerprint(plan: Sequence[Page], salt: str, posts: Iterable[Post], shape_key: str,
                last: Shape, last_fingerprints: dict[str, str],
                jobs: int = 1) -> tuple[dict[str, str], Shape]:
    """Every page's fingerprint, and the shape. With the last build's shape unchanged,
    only pages that show a changed post are fingerprinted again. Else every page is,
    spread over `jobs` processes (workers.run)."""
    digests = {p.source: p.digest for p in posts}
    if last.key != shape_key or not last.uses:
        return _fingerprint_all(plan, salt, Shape(shape_key, {}, digests), jobs)
    changed = [s for s, d in digests.items() if last.digests.get(s) != d]
    again = {i for s in changed for i in last.uses.get(s, ())}
    fingerprints = {}
    for number, page in enumerate(plan):
        kept = last_fingerprints.get(page.path)
        fingerprints[page.path] = kept if kept and number not in again \
            else page.fingerprint(salt)
    return fingerprints, Shape(shape_key, last.uses, digests, last.related)


def _fingerprint_all(plan: Sequence[Page], salt: str, shape: Shape,
                     jobs: int) -> tuple[dict[str, str], Shape]:
    made = workers.run(functools.partial(_fingerprint_one, salt=salt), plan, jobs)
    fingerprints = {}
    uses: dict[str, list[int]] = defaultdict(list)
    for number, (page, (printed, shown)) in enumerate(zip(plan, made, strict=True)):
        fingerprints[page.path] = printed
        for source in shown:
            uses[source].append(number)
    shape.uses = dict(uses)
    return fingerprints, shape


def _fingerprint_one(page: Page, salt: str) -> tuple[str, list[str]]:
    """The page's fingerprint and the sources of the posts it shows, sorted."""
    shown: set[str] = set()
    printed = page.fingerprint(salt, shown)
    return printed, sorted(shown)


def planned(shape: Shape, the_site: Site, plan: list[Page],
            fingerprints: dict[str, str]) -> Planned:
    return Planned(shape, plan, fingerprints,
                   {e.post.source: e for e in (*the_site.entries, *the_site.pages)},
                   len(the_site.entries), len(the_site.tags),
                   sum(1 for p in plan if p.kind == FEED),
                   sum(1 for p in plan if p.path.endswith(".html")))


def patch(planned: Planned, posts: Iterable[Post], salt: str, config: Config) -> int:
    """Swap changed posts into the pages that show them; returns how many posts changed."""
    changed = [p for p in posts if planned.entries[p.source].post.digest != p.digest]
    for post in changed:
        old = planned.entries[post.source]
        new = planned.entries[post.source] = make_entry(post, old.url, old.tags, config)
        planned.shape.digests[post.source] = post.digest
        for index in planned.shape.uses.get(post.source, ()):
            page = planned.plan[index]
            context = _swap(page.context, old, new)
            if context.get("entry") is new:
                context["description"] = post.description
            planned.plan[index] = dataclasses.replace(page, context=context)
            planned.fingerprints[page.path] = planned.plan[index].fingerprint(salt)
    return len(changed)


def _swap(value: Any, old: Entry, new: Entry) -> Any:
    if value is old:
        return new
    if isinstance(value, dict):
        return {k: _swap(v, old, new) for k, v in value.items()}
    if isinstance(value, tuple) and any(isinstance(v, Entry | tuple) for v in value):
        return tuple(_swap(v, old, new) for v in value)
    return value
