"""Atom feeds (RFC 4287) in the reference link-blog's shape."""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import lxml.html
from lxml import etree

from sitegen import __version__
from sitegen.config import Config
from sitegen.content import FORBIDDEN
from sitegen.errors import shown
from sitegen.pages import Page
from sitegen.site import Entry

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"
FH = "http://purl.org/syndication/history/1.0"  # RFC 5005's feed history
FEED_TYPE = "application/atom+xml"
END = b"</feed>\n"  # how a serialised feed ends
# A post's image, as its entry's enclosure: the media type by the file's extension.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
               ".svg": "image/svg+xml"}


def _add(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def rfc3339(moment: dt.datetime) -> str:
    """RFC 3339 has no offsets with seconds (local mean time, such as -00:01:15): such a
    moment is written in UTC."""
    offset = moment.utcoffset() or dt.timedelta()
    if offset % dt.timedelta(minutes=1):
        moment = moment.astimezone(dt.UTC)
    return moment.isoformat(timespec="seconds")


class FeedWriter:
    """Renders feed pages. Remembers each post's feed HTML within one build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.warnings: list[str] = []
        self._bodies: dict[str, str] = {}  # by entry key
        self._tags: dict[str, str] = {}  # the paragraph of an entry's tags, by its key
        self._entries: dict[tuple[str, str], bytes] = {}  # by entry key and fragment

    def render(self, page: Page) -> bytes:
        ctx = page.context
        entries: Sequence[Entry] = ctx["entries"]
        spaces = {None: ATOM, "fh": FH} if "archive" in ctx else {None: ATOM}
        feed = etree.Element(f"{{{ATOM}}}feed", nsmap=spaces)  # type: ignore[arg-type]
        feed.set(f"{{{XML}}}lang", self.config.language)
        _add(feed, "title", self._clean(ctx["title"], page.path))
        _add(feed, "link", rel="alternate", type="text/html", href=self._absolute(ctx["alternate"]))
        own = ctx.get("self", page.path)  # a copy's URL ('feed/' for feed/index.xml)
        _add(feed, "link", rel="self", type="application/atom+xml", href=self._absolute(own))
        if self.config.feeds.hub:  # WebSub: where readers subscribe for pushed updates
            _add(feed, "link", rel="hub", href=self.config.feeds.hub)
        _add(feed, "id", self._absolute(own))
        newest = max((e.post.updated for e in entries), default=ctx.get("updated", EPOCH))
        _add(feed, "updated", rfc3339(newest))
        author = _add(feed, "author")
        _add(author, "name", self._clean(self.config.author, "site.toml"))
        _add(feed, "generator", "sitegen", version=__version__)
        self._history(feed, ctx)
        head = bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8",
                                    pretty_print=True))
        return head.removesuffix(END) + b"".join(
            self._entry_bytes(entry, ctx["fragment"]) for entry in entries) + END

    def _entry_bytes(self, entry: Entry, fragment: str) -> bytes:
        """An <entry> as the feed's serialisation holds it (indented, one level down),
        made once per build however many feeds and archives show it: an entry's bytes
        do not depend on the feed around it, but for `fragment`."""
        made = self._entries.get((entry.key, fragment))
        if made is None:
            alone = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
            self._entry(alone, entry, fragment)
            text = bytes(etree.tostring(alone, encoding="utf-8", pretty_print=True))
            made = self._entries[entry.key, fragment] = \
                text[text.index(b">\n") + 2:].removesuffix(END)
        return made

    def _history(self, feed: etree._Element, ctx: dict[str, Any]) -> None:
        """RFC 5005 §4: an archive document is marked <fh:archive/> and links to the
        subscription document (current) and its neighbours; a subscription document
        (and each copy of it) links to the newest archive."""
        if "archive" in ctx:
            etree.SubElement(feed, f"{{{FH}}}archive")
            _add(feed, "link", rel="current", type=FEED_TYPE, href=self._absolute(ctx["current"]))
        for rel in ("prev_archive", "next_archive"):
            if ctx.get(rel):
                _add(feed, "link", rel=rel.replace("_", "-"), type=FEED_TYPE,
                     href=self._absolute(ctx[rel]))

    def _entry(self, feed: etree._Element, entry: Entry, fragment: str) -> None:
        post = entry.post
        item = _add(feed, "entry")
        permalink = self._absolute(entry.url)
        _add(item, "title", self._clean(post.title, post.source))
        _add(item, "link", rel="alternate", type="text/html",
             href=permalink + (f"#{fragment}" if fragment else ""))
        if post.kind == "link" and post.link_url:
            _add(item, "link", rel="related", type="text/html", href=self.linked(entry))
        if entry.image:
            _add(item, "link", rel="enclosure", href=entry.image, **_image_type(entry.image))
        _add(item, "published", rfc3339(post.date))
        _add(item, "updated", rfc3339(post.updated))
        _add(item, "id", permalink)
        _add(item, "summary", self.summary(entry), type="html")
        for tag in entry.tags:
            _add(item, "category", term=tag.slug, label=tag.name)

    def summary(self, entry: Entry) -> str:
        """The entry's HTML as feeds show it: its body, then a paragraph of its tags."""
        tags_html = self._tags.get(entry.key)
        if tags_html is None:
            tags_html = self._tags[entry.key] = self._tags_html(entry)
        return self.body(entry) + tags_html

    def _tags_html(self, entry: Entry) -> str:
        tag_links = ", ".join(
            f'<a href="{html.escape(self._absolute(f"tags/{t.slug}/"))}">{html.escape(t.name)}</a>'
            for t in entry.tags)
        return f"<p>Tags: {tag_links}</p>" if entry.tags else ""

    def body(self, entry: Entry) -> str:
        """The post's HTML as its feed entries show it, links made absolute."""
        html = self._bodies.get(entry.key)
        if html is None:
            raw = self._clean(entry_html(entry), entry.post.source)
            bad: list[str] = []
            html = self._bodies[entry.key] = absolutize(raw, self._absolute(entry.url), bad)
            self.warnings.extend(
                f"{entry.post.source}: the link {shown(link)} is not a valid URL; the feed "
                "keeps it as written (fix the link in the post)" for link in bad)
        return html

    def linked(self, entry: Entry) -> str:
        """A link post's linked page, as an absolute URL (as written if it is no URL)."""
        try:
            return urljoin(self._absolute(entry.url), entry.post.link_url)
        except ValueError:
            return entry.post.link_url

    def remember_body(self, entry: Entry, html: str) -> None:
        """Take an entry's body made elsewhere (in a worker process)."""
        self._bodies[entry.key] = html

    def _absolute(self, path: str) -> str:
        return quote(self.config.absolute(path), safe=":/#")

    def _clean(self, text: str, source: str) -> str:
        if FORBIDDEN.search(text):
            self.warnings.append(f"{source}: removed characters that XML forbids "
                                 "(control characters) from the feed")
            return FORBIDDEN.sub("", text)
        return text


def _image_type(url: str) -> dict[str, str]:
    """{'type': media type} for an image URL with a known extension, else {} (RFC 4287
    makes a link's type optional; a wrong one would be worse)."""
    suffix = posixpath.splitext(urlsplit(url).path)[1].lower()
    return {"type": IMAGE_TYPES[suffix]} if suffix in IMAGE_TYPES else {}


def entry_html(entry: Entry) -> str:
    """A post's whole HTML as a feed shows it: link posts and quotes framed as on the page."""
    post = entry.post
    esc = html.escape
    if post.kind == "link":
        head = (f'<p><strong><a href="{esc(post.link_url)}">'
                f"{esc(post.link_title or post.title)}</a></strong></p>\n")
        via = (f'<p>Via <a href="{esc(post.via_url)}">{esc(post.via_title or post.via_url)}</a></p>'
               if post.via_url else "")
        return head + post.body + via
    if post.kind == "quote":
        cite = f' cite="{esc(post.source_url)}"' if post.source_url else ""
        who = (f'<a href="{esc(post.source_url)}">{esc(post.quote_source)}</a>'
               if post.source_url else esc(post.quote_source))
        context = f", {esc(post.context)}" if post.context else ""
        return f'<blockquote{cite}>{post.body}</blockquote><p class="cite">— {who}{context}</p>'
    return post.body


def absolutize(body: str, base: str, bad: list[str] | None = None) -> str:
    """Make every relative href and src in an HTML fragment absolute against `base`.
    A link that is no URL (such as 'http://[::1') stays as written, added to `bad`."""
    if not re.search(r"\b(?:href|src)\s*=", body):
        return body
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for element, attribute, link, _pos in list(root.iterlinks()):
        if attribute in ("href", "src"):
            try:
                element.set(attribute, urljoin(base, link.strip()))
            except ValueError:
                if bad is not None:
                    bad.append(link)
    inner = (root.text or "") and html.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
