"""Atom feeds (RFC 4287) in the reference link-blog's shape."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from urllib.parse import quote, urljoin

import lxml.html
from feedgen.feed import FeedGenerator

from sitegen import __version__
from sitegen.config import Config
from sitegen.pages import Page
from sitegen.site import Entry

# Characters XML 1.0 forbids: most C0 controls, lone surrogates, U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class FeedWriter:
    """Renders feed pages. Remembers each post's feed HTML within one build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.warnings: list[str] = []
        self._bodies: dict[tuple[str, str], str] = {}

    def render(self, page: Page) -> bytes:
        ctx = page.context
        entries: Sequence[Entry] = ctx["entries"]
        feed = FeedGenerator()
        feed.id(self._absolute(page.path))
        feed.title(self._clean(ctx["title"], page.path))
        feed.link(href=self._absolute(ctx["alternate"]), rel="alternate", type="text/html")
        feed.link(href=self._absolute(page.path), rel="self", type="application/atom+xml")
        feed.updated(max((e.post.updated for e in entries), default=ctx.get("updated", EPOCH)))
        feed.author({"name": self.config.author})
        feed.language(self.config.language)
        feed.generator("sitegen", __version__)
        for entry in entries:
            self._add(feed, entry, ctx["fragment"])
        return bytes(feed.atom_str(pretty=True))

    def _add(self, feed: FeedGenerator, entry: Entry, fragment: str) -> None:
        post = entry.post
        item = feed.add_entry(order="append")
        permalink = self._absolute(entry.url)
        item.id(permalink)
        item.title(self._clean(post.title, post.source))
        item.link(href=permalink + (f"#{fragment}" if fragment else ""), rel="alternate")
        item.published(post.date)
        item.updated(post.updated)
        item.summary(self._summary(entry), type="html")
        for tag in entry.tags:
            item.category(term=tag.slug, label=tag.name)

    def _summary(self, entry: Entry) -> str:
        tag_links = ", ".join(
            f'<a href="{html.escape(self._absolute(f"tags/{t.slug}/"))}">{html.escape(t.name)}</a>'
            for t in entry.tags)
        tags_html = f"<p>Tags: {tag_links}</p>" if entry.tags else ""
        return self._body(entry) + tags_html

    def _body(self, entry: Entry) -> str:
        key = (entry.post.digest, entry.url)
        if key not in self._bodies:
            raw = self._clean(entry_html(entry), entry.post.source)
            self._bodies[key] = absolutize(raw, self._absolute(entry.url))
        return self._bodies[key]

    def _absolute(self, path: str) -> str:
        return quote(self.config.absolute(path), safe=":/#")

    def _clean(self, text: str, source: str) -> str:
        if FORBIDDEN.search(text):
            self.warnings.append(f"{source}: removed characters that XML forbids "
                                 "(control characters) from the feed")
            return FORBIDDEN.sub("", text)
        return text


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


def absolutize(body: str, base: str) -> str:
    """Make every relative href and src in an HTML fragment absolute against `base`."""
    if not re.search(r"\b(?:href|src)\s*=", body):
        return body
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for element, attribute, link, _pos in list(root.iterlinks()):
        if attribute in ("href", "src"):
            element.set(attribute, urljoin(base, link.strip()))
    inner = (root.text or "") and html.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
