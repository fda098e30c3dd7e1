"""Archived feeds (RFC 5005 §4) as published: every chain of archive documents, walked
from its subscription document by `prev-archive` and checked, for `sitegen check`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from sitegen import links
from sitegen.config import Config

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
NS = {"a": ATOM, "fh": FH}
REBUILD = "`sitegen build --no-cache` writes the feeds again"


@dataclass(frozen=True, slots=True)
class Document:
    """One feed document of the output: its links by relation, and its entries."""

    path: str
    archive: bool  # marked <fh:archive/>
    links: Mapping[str, str]  # rel → href (the first of each)
    entries: tuple[tuple[str, dt.datetime | None], ...]  # (id, published), as listed


def read_document(path: str, data: bytes) -> Document | None:
    """The document's history links and entries; None when it is no Atom feed (the
    feed check reports that)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if root.tag != f"{{{ATOM}}}feed":
        return None
    rels: dict[str, str] = {}
    for link in root.iterfind("a:link", NS):
        rels.setdefault(link.get("rel", "alternate"), (link.get("href") or "").strip())
    entries = tuple((entry.findtext("a:id", "", NS).strip(),
                     _date(entry.findtext("a:published", "", NS)
                           or entry.findtext("a:updated", "", NS)))
                    for entry in root.iterfind("a:entry", NS))
    return Document(path, root.find("fh:archive", NS) is not None, rels, entries)


def _date(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_chains(feeds: Mapping[str, bytes], config: Config) -> list[str]:
    """Every problem of the output's archive chains: from each subscription document,
    prev-archive leads through archive documents (each with <fh:archive/>, a `current`
    link to a subscription document of this chain, a `next-archive` link back to the
    newer one) to the first; no entry twice in a chain, entries newest first; every
    archive document reached from some subscription document."""
    docs = {path: d for path, data in feeds.items()
            if (d := read_document(path, data)) is not None}
    walks: dict[str, list[str]] = {}  # newest archive → its chain's problems
    reached: set[str] = set()
    problems: list[str] = []
    for doc in sorted(docs.values(), key=lambda d: d.path):
        if not doc.archive:
            problems.extend(_check_subscription(doc, docs, config, walks, reached))
    lost = sorted(p for p, d in docs.items() if d.archive and p not in reached)
    problems.extend(f"{path}: an archive document that no feed's prev-archive chain reaches; "
                    f"{REBUILD}, and remove the file if the build did not write it"
                    for path in lost)
    return problems


def _check_subscription(doc: Document, docs: Mapping[str, Document], config: Config,
                        walks: dict[str, list[str]], reached: set[str]) -> list[str]:
    href = doc.links.get("prev-archive")
    if not href:
        return []
    first = _target(href, docs, config)
    if first is None:
        return [f"{doc.path}: links prev-archive to {href}, which is no feed of the output; "
                f"{REBUILD}"]
    if first in walks:  # a copy of a feed already walked: its chain's problems are told
        return []
    walks[first] = _walk(doc, first, docs, config, reached)
    return walks[first]


def _walk(start: Document, first: str, docs: Mapping[str, Document], config: Config,
          reached: set[str]) -> list[str]:
    """Walk one chain from the newest archive `first` back to the oldest."""
    problems = _check_entries(start, {}, None)
    seen: dict[str, str] = {entry_id: start.path for entry_id, _ in start.entries}
    oldest = _oldest(start)
    newer: Document = start
    path: str | None = first
    visited: set[str] = set()
    while path is not None:
        if path in visited:
            problems.append(f"{newer.path}: its prev-archive link leads back to {path}, "
                            f"a loop; {REBUILD}")
            break
        visited.add(path)
        reached.add(path)
        doc = docs[path]
        problems.extend(_check_archive(doc, newer, start, first, docs, config))
        problems.extend(_check_entries(doc, seen, oldest))
        seen.update((entry_id, doc.path) for entry_id, _ in doc.entries)
        oldest = _oldest(doc) or oldest
        newer, path = doc, _next_in_walk(doc, docs, config, problems)
    return problems


def _next_in_walk(doc: Document, docs: Mapping[str, Document], config: Config,
                  problems: list[str]) -> str | None:
    href = doc.links.get("prev-archive")
    if not href:
        return None
    found = _target(href, docs, config)
    if found is None:
        problems.append(f"{doc.path}: links prev-archive to {href}, which is no feed of the "
                        f"output; {REBUILD}")
    return found


def _check_archive(doc: Document, newer: Document, start: Document, first: str,
                   docs: Mapping[str, Document], config: Config) -> list[str]:
    """An archive document's marks and links, reached from `newer`."""
    problems = []
    if not doc.archive:
        problems.append(f"{doc.path}: reached by prev-archive from {newer.path}, but has no "
                        f"<fh:archive/> (RFC 5005 marks every archive document); {REBUILD}")
    current = doc.links.get("current")
    target = _target(current, docs, config) if current else None
    if target is None or docs[target].archive or _target(
            docs[target].links.get("prev-archive", ""), docs, config) != first:
        problems.append(f"{doc.path}: has no <link rel=\"current\"> to its subscription "
                        f"document ({start.path}), as RFC 5005 asks; {REBUILD}")
    following = doc.links.get("next-archive")
    expected = None if newer is start else newer.path
    found = _target(following, docs, config) if following else None
    if found != expected:
        wanted = f"link next-archive to {expected}" if expected else "have no next-archive link"
        problems.append(f"{doc.path}: should {wanted} (it is the archive before "
                        f"{newer.path}); {REBUILD}")
    return problems


def _check_entries(doc: Document, seen: Mapping[str, str],
                   newer_than: dt.datetime | None) -> list[str]:
    """No entry already met on the walk; newest first, none newer than the documents
    the walk came through."""
    problems = [f"{doc.path}: the entry {entry_id} is also in {seen[entry_id]}; a walk of "
                f"the archives must meet each entry once; {REBUILD}"
                for entry_id, _ in doc.entries if entry_id in seen]
    dates = [d for _, d in doc.entries if d is not None]
    limit = newer_than
    for date in dates:
        if limit is not None and date > limit:
            problems.append(f"{doc.path}: entries out of date order (one of {date.isoformat()} "
                            f"comes after one of {limit.isoformat()}); {REBUILD}")
            break
        limit = date
    return problems


def _oldest(doc: Document) -> dt.datetime | None:
    return min((d for _, d in doc.entries if d is not None), default=None)


def _target(href: str | None, docs: Mapping[str, Document], config: Config) -> str | None:
    """The output feed an absolute (or relative) link names, if any."""
    target = links.resolve(href or "", "", config)
    if not href or target is None or target.path is None:
        return None
    return links.file_for(target.path, docs.keys())
