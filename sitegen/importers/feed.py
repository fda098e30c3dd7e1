"""`sitegen import feed FILE_OR_URL`: an Atom or RSS 2.0 feed → posts. Entries in the
reference link-blog's shape (the shape sitegen's feeds have) come back as link posts,
quotes and notes, with their tags."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import posixpath
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from sitegen import tags
from sitegen.content import excerpt
from sitegen.errors import SiteError
from sitegen.importers.records import (
    Imported,
    ImportedPost,
    Problem,
    checked,
    likely_zone,
    parse_date,
    safe_slug,
)

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"a": ATOM, "content": CONTENT, "dc": DC}
TIMEOUT = 20  # seconds to fetch a feed URL
MOST_BYTES = 64 << 20
MOST_DOCUMENTS = 10_000  # archive documents followed, at most (RFC 5005 prev-archive)
# Zones tried first when the entries' offsets fit several (they all give the same days).
# The reference link-blog's entry: a link head, a Via paragraph, a Tags paragraph.
LINK_HEAD = re.compile(r"\A\s*<p>\s*<strong>\s*<a\s+href=(\"[^\"]*\"|'[^']*')[^>]*>(.*?)</a>"
                       r"\s*</strong>\s*</p>\n?", re.DOTALL | re.IGNORECASE)
VIA = re.compile(r"<p>\s*Via\s+<a\s+href=(\"[^\"]*\"|'[^']*')[^>]*>(.*?)</a>\s*</p>\s*\Z",
                 re.DOTALL | re.IGNORECASE)
TAGS = re.compile(r"<p>\s*Tags:\s*((?:(?!<p\b).)*?)</p>\s*\Z", re.DOTALL | re.IGNORECASE)
QUOTE = re.compile(r"\A\s*<blockquote(?:\s+cite=(\"[^\"]*\"|'[^']*'))?\s*>(.*)</blockquote>\s*"
                   r"<p class=\"cite\">\s*—\s*(.*?)</p>\s*\Z", re.DOTALL)
ANCHOR = re.compile(r"<a\s+href=(\"[^\"]*\"|'[^']*')[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)


def read(source: str) -> Imported:
    """The feed's entries as posts, and its title, address, author and language; an
    Atom feed's archives too (RFC 5005), followed by their prev-archive links."""
    root = _parse(_get(source), source)
    history: list[Problem] = []
    if root.tag == f"{{{ATOM}}}feed":
        channel = _atom_channel(root)
        entries = _atom_history(root, source, channel.own, history)
    elif root.tag == "rss" and root.find("channel") is not None:
        channel = _rss_channel(root.find("channel"))  # type: ignore[arg-type]
        entries = [_rss_item(i) for i in root.iterfind("channel/item")]
    else:
        raise _error(source, None, f"is not an Atom or RSS 2.0 feed (its root is "
                     f"<{etree.QName(root).localname}>); import an Atom or RSS file")
    return _imported(channel, entries, source, history)


def _get(source: str) -> bytes:
    return _fetch(source) if _is_url(source) else _load(source)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


# Archived feeds (RFC 5005 §4): the feed, then each older archive document


def _atom_history(root: etree._Element, source: str, own: str,
                  problems: list[Problem]) -> list[_Entry]:
    """The entries of the feed and of every archive document its prev-archive links
    lead to, each id once (the newest document's wins); stops on a loop, after
    MOST_DOCUMENTS documents, or at a document that cannot be read (a problem)."""
    entries: dict[str, _Entry] = {}
    visited = {source}
    where: str | None = source
    while where is not None:
        for element in _all(root, "a:entry"):
            entry = replace(_atom_entry(element), document=where)
            entries.setdefault(entry.permalink or f"{where}:{entry.line}", entry)
        where = _prev_archive(root, source, own, visited, problems)
        if where is not None:
            try:
                root = _parse(_get(where), where)
            except SiteError as exc:
                problems.append(Problem(_name(where), None, f"archive not read, older "
                                        f"entries left out: {exc.message}"))
                where = None
    return list(entries.values())


def _prev_archive(root: etree._Element, source: str, own: str, visited: set[str],
                  problems: list[Problem]) -> str | None:
    """Where the document's prev-archive link leads (a URL, or for a feed read from a
    file, the file at the same place relative to it), if not met already."""
    href = _link(root, "prev-archive")
    if not href:
        return None
    where = _archive_source(href, source, own)
    if where is None:
        problems.append(Problem(_name(source), None, f"archive {href} not followed: it is "
                                "not beside the feed's own URL; import it on its own"))
    elif len(visited) >= MOST_DOCUMENTS:
        problems.append(Problem(_name(source), None, f"stopped after {MOST_DOCUMENTS} "
                                "archive documents; older entries left out"))
        where = None
    elif where in visited:
        where = None  # a loop: every document of it was read
    else:
        visited.add(where)
    return where


def _archive_source(href: str, source: str, own: str) -> str | None:
    """A prev-archive link → the URL or the file to read. A link on the feed's own site
    is followed relative to where the feed was read (a saved copy of the site, a
    mirror); any other link of a feed read from a URL, as it is."""
    target = urljoin(own, href) if own else href
    home, there = urlsplit(own), urlsplit(target)
    if own and (there.scheme, there.netloc) == (home.scheme, home.netloc):
        relative = posixpath.relpath(there.path or "/", posixpath.dirname(home.path) or "/")
        if _is_url(source):
            return urljoin(source, relative)
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(relative)))
    if _is_url(source):
        return urljoin(source, href)
    if not there.scheme:
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(href)))
    return None


def _name(source: str) -> str:
    return PurePosixPath(urlsplit(source).path).name or source


# Reading the source


def _error(source: str, line: int | None, message: str) -> Exception:
    from sitegen.importers import SourceError

    return SourceError(source, line, message)


def _fetch(url: str) -> bytes:
    """The feed at a URL: the only time an import uses the network."""
    request = urllib.request.Request(url, headers={"User-Agent": "sitegen-import"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data: bytes = response.read(MOST_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _error(url, None, f"the server answered {exc.code} {exc.reason}; check the "
                     "URL, or save the feed to a file and import that") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _error(url, None, f"cannot be fetched ({reason}); are you offline? Save the "
                     "feed to a file and import the file") from None
    if len(data) > MOST_BYTES:
        raise _error(url, None, f"is larger than {MOST_BYTES >> 20} MB; save it to a file "
                     "and import that")
    return data


def _load(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _error(path, None, f"cannot be read ({exc.strerror or exc}); give a readable "
                     "Atom or RSS file, or its URL") from None


def _parse(data: bytes, source: str) -> etree._Element:
    """XML without entities, DTDs or network access."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _error(source, exc.lineno or None, f"not well-formed XML ({exc.msg}); "
                     "a feed must be XML: check the file, or fetch it again") from None


# The feed's own fields


@dataclass(frozen=True, slots=True)
class _Channel:
    title: str = ""
    site: str = ""  # the site's page (the feed's alternate link)
    own: str = ""  # the feed's own URL (rel="self")
    author: str = ""
    language: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    """An entry as the feed has it, before its body is read."""

    line: int | None
    title: str
    link: str
    date: dt.datetime | None
    updated: dt.datetime | None
    body: str
    categories: tuple[str, ...]
    image: str = ""
    permalink: str = ""  # the entry's id (an RSS guid, an Atom id), when a URL
    document: str = ""  # the feed or archive document it is in, when not the feed itself


def _atom_channel(root: etree._Element) -> _Channel:
    return _Channel(title=_text(_first(root, "a:title")), site=_link(root, "alternate"),
                    own=_link(root, "self"), author=_text(_first(root, "a:author/a:name")),
                    language=root.get("{http://www.w3.org/XML/1998/namespace}lang", ""),
                    description=_text(_first(root, "a:subtitle")))


def _atom_entry(entry: etree._Element) -> _Entry:
    published = parse_date(_text(_first(entry, "a:published")))
    updated = parse_date(_text(_first(entry, "a:updated")))
    body = _first(entry, "a:content")
    if body is None:
        body = _first(entry, "a:summary")
    return _Entry(line=_line(entry), title=_text(_first(entry, "a:title")),
                  link=_link(entry, "alternate"), date=published or updated, updated=updated,
                  body=_html(body), image=_link(entry, "enclosure"),
                  permalink=_text(_first(entry, "a:id")),
                  categories=tuple(c.get("label") or c.get("term") or ""
                                   for c in _all(entry, "a:category")))


def _rss_channel(channel: etree._Element) -> _Channel:
    own = next((link.get("href", "") for link in _all(channel, "a:link")
                if link.get("rel") == "self"), "")
    return _Channel(title=_plain(channel.findtext("title")),
                    site=_plain(channel.findtext("link")), own=own,
                    author=_plain(channel.findtext("managingEditor")),
                    language=_plain(channel.findtext("language")),
                    description=_plain(channel.findtext("description")))


def _rss_item(item: etree._Element) -> _Entry:
    encoded = item.find(f"{{{CONTENT}}}encoded")
    body = encoded.text if encoded is not None else item.findtext("description")
    date = _rss_date(item.findtext("pubDate") or item.findtext(f"{{{DC}}}date") or "")
    enclosure = item.find("enclosure")
    image = enclosure.get("url", "") if enclosure is not None and \
        enclosure.get("type", "").startswith("image/") else ""
    return _Entry(line=_line(item), title=_plain(item.findtext("title")),
                  link=_plain(item.findtext("link")) or _permalink_guid(item),
                  date=date, updated=None, body=(body or "").strip(), image=image,
                  permalink=_permalink_guid(item),
                  categories=tuple(_plain(c.text) for c in item.iterfind("category")))


def _rss_date(text: str) -> dt.datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return parse_date(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _permalink_guid(item: etree._Element) -> str:
    guid = item.find("guid")
    if guid is None or guid.get("isPermaLink", "true") == "false":
        return ""
    return _plain(guid.text)


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    found = element.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [e for e in found if isinstance(e, etree._Element)]


def _first(element: etree._Element, path: str) -> etree._Element | None:
    found = _all(element, path)
    return found[0] if found else None


def _link(element: etree._Element, rel: str) -> str:
    for link in _all(element, "a:link"):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return str(link.get("href")).strip()
    return ""


def _plain(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: etree._Element | None) -> str:
    """An Atom text construct as plain text (type html and xhtml: its words)."""
    if element is None:
        return ""
    if element.get("type") == "html":
        return _plain(html.unescape(re.sub(r"<[^>]*>", "", element.text or "")))
    return _plain("".join(str(t) for t in element.itertext()))


def _html(element: etree._Element | None) -> str:
    """An Atom content or summary as HTML."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "html":
        return (element.text or "").strip()
    if kind == "xhtml":
        div = element[0] if len(element) else element
        parts = [etree.tostring(child, encoding="unicode", method="html") for child in div]
        inner = html.escape(div.text or "", quote=False) + "".join(parts)
        return re.sub(r' xmlns="[^"]*"', "", inner).strip()
    text = "".join(str(t) for t in element.itertext()).strip()
    return "".join(f"<p>{html.escape(p.strip(), quote=False)}</p>"
                   for p in re.split(r"\n\s*\n", text) if p.strip())


# Entries → posts


def _imported(channel: _Channel, entries: list[_Entry], source: str,
              history: list[Problem]) -> Imported:
    base = _base(channel, entries, source)
    posts, problems = [], list(history)
    for entry in entries:
        name = _name(entry.document or source)
        post = _post(entry, base, name)
        if isinstance(post, str):
            problems.append(Problem(name, entry.line, post))
        else:
            posts.append(post)
    zone = likely_zone(p.date for p in posts if p.date is not None)
    own = channel.own or (source if source.startswith(("http://", "https://")) else "")
    settings = {"title": channel.title, "base_url": base, "author": channel.author,
                "language": channel.language.lower(), "description": channel.description,
                "timezone": zone}
    return checked(Imported("feed", tuple(posts),
                            settings=tuple((k, v) for k, v in settings.items() if v),
                            feeds=tuple(p for p in [_path_on(own, base)] if p),
                            problems=tuple(problems)))


def _base(channel: _Channel, entries: list[_Entry], source: str) -> str:
    """The old site's address: the longest folder that holds its page and its entries."""
    home = channel.site or next((e.link for e in entries if e.link), "") or \
        (source if source.startswith("http") else "")
    parts = urlsplit(home)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    paths = [urlsplit(u).path or "/" for u in [home, *(e.link for e in entries)]
             if urlsplit(u).netloc == parts.netloc]
    folders = [p.rsplit("/", 1)[0].split("/") for p in paths]
    common = []
    for level in zip(*folders, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    path = "/".join(common).strip("/")
    return f"{parts.scheme}://{parts.netloc}/" + (path + "/" if path else "")


def _path_on(url: str, base: str) -> str:
    """A URL's path from the host root when it is on the old site, else ''."""
    parts, home = urlsplit(url), urlsplit(base)
    path = parts.path or "/"
    if not url or parts.netloc != home.netloc or not (path + "/").startswith(home.path):
        return ""
    return path


def _post(entry: _Entry, base: str, name: str) -> ImportedPost | str:
    if entry.date is None:
        return f"entry left out, it has no date: {entry.title or entry.link}"
    old = _path_on(entry.link.split("#", 1)[0], base)
    body, fields = _shape(entry.body)
    if not old and entry.link and _path_on(entry.permalink, base):
        old = _path_on(entry.permalink, base)  # a link blog: <link> is the page linked to
        fields.setdefault("link_url", entry.link)
    post = ImportedPost(
        origin=f"{name}:{entry.line}" if entry.line else name, slug=_slug(old, entry.title),
        date=entry.date, title=entry.title, body=body, body_format="html",
        tags=_tags([*fields.pop("tags", "").split("\n"), *entry.categories]),
        updated=entry.updated if entry.updated and entry.updated > entry.date else None,
        old_url=old, image=entry.image)
    post = replace(post, **fields)
    if post.link_title == post.title:
        post = replace(post, link_title="")
    if not (post.link_url or post.source) and post.title and post.title == excerpt(body, 8):
        return replace(post, kind="note", title="")
    if not post.title and not (post.link_url or post.source):
        return replace(post, kind="note")
    return post


def _shape(body: str) -> tuple[str, dict[str, Any]]:
    """A body in the reference link-blog's shape → the body alone, and the fields its
    frame held: link_url, link_title, via_url, via_title, source, source_url, tags."""
    fields: dict[str, Any] = {}
    if found := TAGS.search(body):
        fields["tags"] = "\n".join(_words(text) for _, text in ANCHOR.findall(found.group(1))) \
            or "\n".join(t.strip() for t in _words(found.group(1)).split(","))
        body = body[:found.start()]
    if found := LINK_HEAD.match(body):
        fields |= {"link_url": _attr(found.group(1)), "link_title": _words(found.group(2))}
        body = body[found.end():]
        if via := VIA.search(body):
            fields |= {"via_url": _attr(via.group(1)), "via_title": _words(via.group(2))}
            body = body[:via.start()]
            if fields["via_title"] == fields["via_url"]:
                del fields["via_title"]
    elif found := QUOTE.match(body):
        body = found.group(2)
        fields |= _cite(found.group(3), _attr(found.group(1) or '""'))
    return body.strip("\n"), fields


def _cite(text: str, cite: str) -> dict[str, str]:
    """'<a href=URL>who</a>, context' or 'who, context' → source, source_url, context."""
    if link := re.match(r"\s*<a\s+href=(\"[^\"]*\"|'[^']*')[^>]*>(.*?)</a>(.*)\Z", text,
                        re.DOTALL):
        who, url, rest = _words(link.group(2)), _attr(link.group(1)), link.group(3)
    else:
        who, _, rest = text.partition(", ")
        who, url, rest = _words(who), cite, (", " + rest if rest else "")
    context = _words(rest.removeprefix(",").removeprefix(" ")) if rest.startswith(",") else ""
    return {"source": who, "source_url": url or cite, "context": context}


def _attr(quoted: str) -> str:
    return html.unescape(quoted[1:-1]).strip()


def _words(fragment: str) -> str:
    return _plain(html.unescape(re.sub(r"<[^>]*>", "", fragment)))


def _tags(names: Iterable[str]) -> tuple[str, ...]:
    """Tag names once each (as sitegen tells tags apart), in the order met."""
    seen: dict[str, str] = {}
    for name in names:
        name = _plain(name)
        if name and not tags.check_name(name):
            seen.setdefault(tags.key(name), name)
    return tuple(seen.values())


def _slug(old: str, title: str) -> str:
    """The last part of the old path ('/2025/Jan/5/my-post/' → 'my-post'), else the title's."""
    last = unquote(PurePosixPath(old).name) if old else ""
    last = re.sub(r"\.html?$", "", last)
    return safe_slug(last, title)
