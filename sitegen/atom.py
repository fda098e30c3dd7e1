"""Atom feed validation: RFC 4287's rules, checked with XPath on the feeds a build wrote."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from urllib.parse import urlsplit

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
# RFC 4287 §3.3: an RFC 3339 date-time with an upper-case "T" and "Z".
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
TEXT_TYPES = ("text", "html", "xhtml")
# An Atom document's start: its <feed> root element (any prefix) and the Atom namespace.
FEED_START = re.compile(rb"<(?:[\w.-]+:)?feed[\s>]")
ONCE = ("id", "title", "updated")  # exactly one in a feed and in every entry


def check_feed(data: bytes, name: str) -> list[str]:
    """Every RFC 4287 problem in one feed document, each naming the feed and the place."""
    root = _parse(data, name)
    return root if isinstance(root, list) else _check_root(root, name)


def is_feed(data: bytes) -> bool:
    """True when an XML file looks like an Atom feed (a sitemap or an RSS feed does not)."""
    head = data[:4096]
    return ATOM.encode() in head and FEED_START.search(head) is not None


def check_feeds(feeds: Mapping[str, bytes]) -> list[str]:
    """check_feed for every feed, and no two feeds with one id."""
    problems: list[str] = []
    owners: dict[str, str] = {}
    for name, data in sorted(feeds.items()):
        root = _parse(data, name)
        if isinstance(root, list):
            problems.extend(root)
            continue
        problems.extend(_check_root(root, name))
        feed_id = _text(root, "a:id")
        if feed_id in owners:
            problems.append(f"{name}: has the id {feed_id}, as {owners[feed_id]} does; "
                            "every feed needs its own id")
        elif feed_id:
            owners[feed_id] = name
    return problems


def _parse(data: bytes, name: str) -> etree._Element | list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"{name}: not well-formed XML: {exc}"]
    if root.tag != f"{{{ATOM}}}feed":
        return [f"{name}: the root element is <{root.tag}>, not an Atom <feed>"]
    return root


def _check_root(feed: etree._Element, name: str) -> list[str]:
    entries = _all(feed, "a:entry")
    problems = _check_common(feed, f"{name}: <feed>")
    if not _all(feed, "a:author"):
        problems.extend(f"{name}: {_label(entry, n)} has no <author>, and neither has the feed"
                        for n, entry in enumerate(entries, 1) if not _all(entry, "a:author"))
    for number, entry in enumerate(entries, 1):
        problems.extend(_check_entry(entry, f"{name}: {_label(entry, number)}"))
    ids = Counter(_text(entry, "a:id") for entry in entries)
    problems.extend(f"{name}: {count} entries share the id {entry_id}; ids must be unique"
                    for entry_id, count in ids.items() if entry_id and count > 1)
    return problems


def _check_entry(entry: etree._Element, where: str) -> list[str]:
    problems = _check_common(entry, where)
    if not entry.xpath("a:link[not(@rel) or @rel='alternate']", namespaces=NS):
        problems.append(f"{where} has no <link rel=\"alternate\"> to its page")
    return problems


def _check_common(element: etree._Element, where: str) -> list[str]:
    """The rules a feed and an entry share: required children, ids, dates, people, links."""
    problems = [f"{where} has {_count(len(_all(element, f'a:{tag}')), tag)}; "
                "RFC 4287 requires exactly one" for tag in ONCE
                if len(_all(element, f"a:{tag}")) != 1]
    element_id = _text(element, "a:id")
    if element_id is not None and not urlsplit(element_id).scheme:
        problems.append(f"{where}: id {element_id!r} is not an absolute IRI")
    for date in _all(element, "a:updated | a:published"):
        if not is_rfc3339(date.text or ""):
            problems.append(f"{where}: <{etree.QName(date).localname}> {date.text!r} "
                            "is not an RFC 3339 date-time such as 2025-11-22T14:30:00Z")
    problems.extend(f"{where}: an <author> needs exactly one <name>"
                    for person in _all(element, "a:author | a:contributor")
                    if len(_all(person, "a:name")) != 1)
    problems.extend(f"{where}: a <link> has no href" for link in _all(element, "a:link")
                    if not link.get("href"))
    problems.extend(f"{where}: <{etree.QName(text).localname}> has type={text.get('type')!r}; "
                    f"use one of {', '.join(TEXT_TYPES)}"
                    for text in _all(element, "a:title | a:summary | a:subtitle | a:rights")
                    if text.get("type", "text") not in TEXT_TYPES)
    return problems


def is_rfc3339(text: str) -> bool:
    """True for a date-time as RFC 4287 §3.3 requires: RFC 3339, 'T' and 'Z' upper-case."""
    if not RFC3339.fullmatch(text):
        return False
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    found = element.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [node for node in found if isinstance(node, etree._Element)]


def _text(element: etree._Element, path: str) -> str | None:
    found = _all(element, path)
    return (found[0].text or "").strip() if found else None


def _count(count: int, tag: str) -> str:
    return f"no <{tag}>" if count == 0 else f"{count} <{tag}> elements"


def _label(entry: etree._Element, number: int) -> str:
    title = _text(entry, "a:title")
    return f"entry {number} ({title!r})" if title else f"entry {number}"
