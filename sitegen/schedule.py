"""Scheduled posts: posts dated after now, held out of the build until their time.

A build publishes a scheduled post once now has passed its date, so which posts a
build publishes depends on now as well as on the files. The posts a build held and
published stay the same for every moment in its window (from the newest published
post's date until the next scheduled one); the cache keeps that window, and a build
outside it looks at the posts again even when no file changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sitegen.content import Post

MARK = "|scheduled"  # added to a shown scheduled post's digest: its pages change with it
Window = tuple[str, str]  # ISO 8601 moments: the window's start and end, '' when open


@dataclass(frozen=True, slots=True)
class Schedule:
    """What a build held back (or, in the dev server, showed marked) for now."""

    count: int = 0  # posts scheduled after now
    next_due: dt.datetime | None = None  # the first of them
    window: Window = ("", "")  # the moments for which this build's posts are the same


def split(posts: Iterable[Post], now: dt.datetime, show: bool = False,
          publish: bool = False) -> tuple[list[Post], Schedule]:
    """The posts to build, and the schedule. A post is scheduled when it is dated after
    `now` and is not a draft (a draft stays a draft). `publish` (--future): build
    scheduled posts as any other. `show` (the dev server): build them, marked."""
    posts = list(posts)
    if publish:
        return posts, Schedule()
    later = [p for p in posts if p.date > now and not p.draft]
    if not later:
        return posts, Schedule(window=_window(posts, now, None))
    due = min(p.date for p in later)
    kept = [mark(p) if p.date > now and not p.draft else p for p in posts] if show \
        else [p for p in posts if p.draft or p.date <= now]
    return kept, Schedule(len(later), due, _window(posts, now, due))


def mark(post: Post) -> Post:
    """A scheduled post as the dev server shows it: marked, with a digest and shape of
    its own, so that its pages are made again when its time comes."""
    return dataclasses.replace(post, scheduled=True, digest=post.digest + MARK).with_shape()


def _window(posts: list[Post], now: dt.datetime, due: dt.datetime | None) -> Window:
    """From the newest post not after now (not a draft) until `due`."""
    shown = [p.date for p in posts if p.date <= now and not p.draft and p.dated]
    start = max(shown).isoformat() if shown else ""
    return start, due.isoformat() if due else ""

