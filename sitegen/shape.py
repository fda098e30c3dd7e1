"""A site's shape: everything about it except the words inside its posts.

While an author writes, most saves change one post's body and nothing else: no
title, date, tag or slug. Then every page keeps its place and its neighbours, and
only the pages that show that post change. The dev server keeps the last plan in
memory with, for each post, the pages whose context holds it (the pages' recorded
inputs), and patches just those pages instead of planning the site again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sitegen.content import Post
from sitegen.pages import Page
from sitegen.site import Entry, Site, make_entry

# Post fields that only the post's own pages and list items show.
BODY_FIELDS = {"body", "description", "warnings", "digest"}
SHAPE_FIELDS = tuple(f.name for f in dataclasses.fields(Post) if f.name not in BODY_FIELDS)


@dataclass
class Planned:
    """The last plan, kept in memory by the dev server."""

    key: str
    plan: list[Page]
    fingerprints: dict[str, str]  # output path → fingerprint
    entries: dict[str, Entry]  # post source → its entry
    uses: dict[str, list[int]]  # post source → indexes of the pages that show it
    posts: int
    tags: int


def key(posts: Iterable[Post], *settings: str) -> str:
    """A digest of the site's shape: the settings given and every post but its body."""
    digest = hashlib.sha256("|".join(settings).encode())
    for post in posts:
        digest.update(_post_shape(post))
    return digest.hexdigest()


@functools.lru_cache(maxsize=200_000)
def _post_shape(post: Post) -> bytes:
    return repr(tuple(getattr(post, f) for f in SHAPE_FIELDS)).encode()


def remember(shape_key: str, the_site: Site, plan: list[Page],
             fingerprints: dict[str, str], index: bool) -> Planned:
    """The plan as made; with `index`, also which pages show each post."""
    uses: dict[str, list[int]] = defaultdict(list)
    for number, page in enumerate(plan if index else ()):
        for source in dict.fromkeys(e.post.source for e in _entries(page.context)):
            uses[source].append(number)
    return Planned(shape_key, plan, fingerprints, {e.post.source: e for e in the_site.entries},
                   dict(uses), len(the_site.entries), len(the_site.tags))


def patch(planned: Planned, posts: Iterable[Post], salt: str) -> int:
    """Swap changed posts into the pages that show them; returns how many posts changed."""
    changed = [p for p in posts if planned.entries[p.source].post.digest != p.digest]
    for post in changed:
        old = planned.entries[post.source]
        new = planned.entries[post.source] = make_entry(post, old.url, old.tags)
        for index in planned.uses.get(post.source, ()):
            page = planned.plan[index]
            context = _swap(page.context, old, new)
            if context.get("entry") is new:
                context["description"] = post.description
            planned.plan[index] = dataclasses.replace(page, context=context)
            planned.fingerprints[page.path] = planned.plan[index].fingerprint(salt)
    return len(changed)


def _entries(value: Any) -> Iterable[Entry]:
    if isinstance(value, Entry):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _entries(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _entries(item)


def _swap(value: Any, old: Entry, new: Entry) -> Any:
    if value is old:
        return new
    if isinstance(value, dict):
        return {k: _swap(v, old, new) for k, v in value.items()}
    if isinstance(value, tuple) and any(isinstance(v, Entry | tuple) for v in value):
        return tuple(_swap(v, old, new) for v in value)
    return value
