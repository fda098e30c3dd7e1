"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the twin of an Atom feed, with its
entries, ids and HTML, for the readers that prefer JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sitegen.config import Config
from sitegen.content import FORBIDDEN
from sitegen.feeds import FeedWriter, rfc3339
from sitegen.pages import Page
from sitegen.site import Entry

VERSION = "https://jsonfeed.org/version/1.1"


def render(page: Page, feeds: FeedWriter) -> bytes:
    """A JSON feed page (pages.JSON_FEED) as UTF-8 JSON; the HTML of its items is the
    Atom feed's, made (and remembered) by `feeds`."""
    ctx = page.context
    config = feeds.config
    entries: Sequence[Entry] = ctx["entries"]
    feed: dict[str, Any] = {
        "version": VERSION, "title": ctx["title"],
        "home_page_url": _absolute(config, ctx["alternate"]),
        "feed_url": _absolute(config, ctx["self"])}
    if config.description:
        feed["description"] = config.description
    feed["language"] = config.language
    feed["authors"] = [{"name": config.author}]
    if ctx.get("favicon"):
        feed["favicon"] = _absolute(config, ctx["favicon"])
    if config.feeds.hub:
        feed["hubs"] = [{"type": "WebSub", "url": config.feeds.hub}]
    feed["items"] = [_item(entry, feeds, ctx["fragment"]) for entry in entries]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode()


def _item(entry: Entry, feeds: FeedWriter, fragment: str) -> dict[str, Any]:
    """One entry as an item: the Atom entry's id, link, title, HTML and dates."""
    post = entry.post
    permalink = _absolute(feeds.config, entry.url)
    item: dict[str, Any] = {"id": permalink,
                            "url": permalink + (f"#{fragment}" if fragment else "")}
    if post.kind == "link" and post.link_url:
        item["external_url"] = feeds.linked(entry)
    item["title"] = FORBIDDEN.sub("", post.title)
    item["content_html"] = feeds.summary(entry)
    if post.description:
        item["summary"] = post.description
    item["date_published"] = rfc3339(post.date)
    item["date_modified"] = rfc3339(post.updated)
    if entry.tags:
        item["tags"] = [tag.name for tag in entry.tags]
    item["authors"] = [{"name": feeds.config.author}]
    if entry.image:
        item["image"] = entry.image
    return item


def _absolute(config: Config, path: str) -> str:
    """A site path as a full URL, as the Atom feed writes it."""
    return quote(config.absolute(path), safe=":/#")


def check(data: bytes, name: str) -> tuple[list[str], tuple[str, ...]]:
    """A JSON feed's problems (it parses, says version 1.1, every item has an id), and
    the links it makes to the site (its home page, itself, its items' pages)."""
    try:
        feed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{name}: not a JSON document: {exc}"], ()
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        return [f"{name}: not a JSON feed (an object with a list of 'items')"], ()
    problems = [] if feed.get("version") == VERSION else [
        f"{name}: 'version' is {feed.get('version')!r}, not {VERSION!r}"]
    items = [item if isinstance(item, dict) else {} for item in feed["items"]]
    problems.extend(f"{name}: item {number} has no 'id'"
                    for number, item in enumerate(items, 1) if not item.get("id"))
    found = [feed.get("home_page_url"), feed.get("feed_url"),
             *(item.get(key) for item in items for key in ("id", "url"))]
    return problems, tuple(dict.fromkeys(str(link) for link in found if link))
