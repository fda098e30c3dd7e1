"""`sitegen import wordpress export.xml`: a WordPress export (WXR, Tools → Export) →
records. Posts and pages become HTML posts (WordPress's paragraphs made explicit, its
common shortcodes converted); attachments' files are copied when the export's uploads
folder lies beside it (`uploads/` or `wp-content/uploads/`), else their old URLs stay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from sitegen.importers import wordpressmarkup
from sitegen.importers.records import (
    Asset,
    Imported,
    ImportedPost,
    Problem,
    checked,
    likely_zone,
    safe_slug,
)

PUBLISHED = "publish"
DRAFTS = frozenset({"draft", "pending", "private", "future"})
UNCATEGORIZED = frozenset({"uncategorized", "uncategorised"})
UPLOADS = ("uploads", "wp-content/uploads")  # where the uploads folder may be, beside the export
NO_DATE = "0000-00-00 00:00:00"


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One <item> of the export: its elements by prefixed name ('wp:post_type'), its
    categories and tags, and its post meta."""

    fields: dict[str, str]
    terms: tuple[tuple[str, str, str], ...]  # (domain, nicename, name)
    meta: tuple[tuple[str, str], ...]
    comments: int
    line: int | None  # the <item>'s line in the export
    content_line: int | None  # its <content:encoded>'s


def read(source: Path) -> Imported:
    """Read a WXR file: the channel's settings, posts, pages and attachments."""
    channel = _channel(source)
    name = source.name
    items = [_item(element) for element in channel.iter("item")]
    uploads = _uploads(source)
    site = _Site(_text(channel, "link"), uploads, name)
    files = site.attachments([i for i in items if i.fields.get("wp:post_type") == "attachment"])
    offset = _usual_offset(items)
    posts = [p for p in (site.post(i, offset, files) for i in items) if p is not None]
    posts = site.local_links(posts)
    zone = likely_zone([p.date for p in posts if p.date is not None and not p.draft])
    settings = _settings(channel, items) + ((("timezone", zone),) if zone else ())
    return checked(Imported(
        format="wordpress", posts=tuple(posts), settings=settings, assets=tuple(site.assets),
        feeds=("/feed/",), dropped=tuple(sorted(site.left_out.items())),
        problems=tuple(_notes(items, uploads, name, site, zone) + site.problems)))


# The file ─────────────────────────────────────────────────────────────────────────────

def _channel(source: Path) -> etree._Element:
    """The <channel> of the export, parsed without entities, DTDs or network."""
    from sitegen.importers import SourceError

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_comments=True)
    try:
        root = etree.parse(str(source), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise SourceError(str(source), getattr(exc, "lineno", None),
                          f"not a readable XML file ({exc}); give the .xml file that "
                          "WordPress's Tools → Export wrote") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(str(source), None, "not a WordPress export (no <rss><channel>); "
                          "give the .xml file that WordPress's Tools → Export wrote")
    return channel


def _prefixed(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}post_type' → 'wp:post_type', whatever the WXR
    version; an element outside a namespace keeps its name."""
    if not tag.startswith("{"):
        return tag
    uri, name = tag[1:].split("}", 1)
    if "wordpress.org/export" in uri:
        return ("excerpt:" if "excerpt" in uri else "wp:") + name
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content:" + name
    if "purl.org/dc/elements" in uri:
        return "dc:" + name
    return name


def _item(element: etree._Element) -> Item:
    fields: dict[str, str] = {}
    terms: list[tuple[str, str, str]] = []
    meta: list[tuple[str, str]] = []
    comments = 0
    lines: dict[str, object] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _prefixed(child.tag)
        if name == "category":
            terms.append((child.get("domain", "category"), child.get("nicename", ""),
                          html.unescape(child.text or "").strip()))
        elif name == "wp:postmeta":
            meta.append((_child_text(child, "wp:meta_key"), _child_text(child, "wp:meta_value")))
        elif name == "wp:comment":
            comments += 1
        else:
            fields[name] = child.text or ""
            lines[name] = child.sourceline
    return Item(fields, tuple(terms), tuple(meta), comments, _line(element.sourceline),
                _line(lines.get("content:encoded")))


def _line(line: object) -> int | None:
    return line if isinstance(line, int) else None


def _child_text(element: etree._Element, name: str) -> str:
    return next((c.text or "" for c in element if isinstance(c.tag, str)
                 and _prefixed(c.tag) == name), "")


def _text(channel: etree._Element, name: str) -> str:
    return next(((c.text or "").strip() for c in channel if isinstance(c.tag, str)
                 and _prefixed(c.tag) == name), "")


def _uploads(source: Path) -> Path | None:
    return next((source.parent / u for u in UPLOADS if (source.parent / u).is_dir()), None)


# Items → posts ────────────────────────────────────────────────────────────────────────

class _Site:
    """Turns items into posts, collecting the files to copy and the problems."""

    def __init__(self, link: str, uploads: Path | None, name: str) -> None:
        self.link = link
        self.uploads = uploads
        self.name = name
        self.problems: list[Problem] = []
        self.assets: list[Asset] = []
        self.left_out: dict[str, int] = {}
        self.copied: dict[str, str] = {}  # old upload URL path → new root path

    def attachments(self, items: list[Item]) -> dict[str, str]:
        """Attachment ids → their URLs: the copied file's path when the uploads folder
        holds it, else the old URL. Every file of the uploads folder is copied, since
        posts link to the sizes WordPress made (photo-300x200.jpg) too."""
        if self.uploads is not None:
            for path in sorted(p for p in self.uploads.rglob("*") if p.is_file()):
                relative = path.relative_to(self.uploads).as_posix()
                self.assets.append(Asset(path, "root/wp-content/uploads/" + relative))
                self.copied["/wp-content/uploads/" + relative] = relative
        found: dict[str, str] = {}
        for item in items:
            url = item.fields.get("wp:attachment_url", "").strip()
            local = unquote(urlsplit(url).path)
            found[item.fields.get("wp:post_id", "")] = local if local in self.copied else url
        return found

    def post(self, item: Item, offset: dt.timedelta, files: dict[str, str]) -> ImportedPost | None:
        kind = item.fields.get("wp:post_type", "")
        status = item.fields.get("wp:status", "")
        if kind not in ("post", "page") or (status != PUBLISHED and status not in DRAFTS):
            return None
        where = f"{self.name} item {item.fields.get('wp:post_id', '?')}"
        body, problems = wordpressmarkup.convert(item.fields.get("content:encoded", ""),
                                                 where, item.content_line)
        self.problems += problems
        self._count_meta(item)
        date = _date(item, offset)
        if date is None and kind == "post":
            self.problems.append(Problem(where, item.line, "no date: skipped; the item has no "
                                         "wp:post_date"))
            return None
        return ImportedPost(
            origin=f"{self.name}#{item.fields.get('wp:post_id', '')}",
            slug=self._slug(item, where), date=date,
            title=html.unescape(item.fields.get("title", "")).strip(),
            body=body, body_format="html",
            kind="page" if kind == "page" else "", tags=_tags(item),
            draft=status != PUBLISHED, updated=_updated(item, offset),
            description=_plain(item.fields.get("excerpt:encoded", "")),
            image=self._image(item, files),
            old_url=self._old_url(item, where) if status == PUBLISHED else "")

    def _slug(self, item: Item, where: str) -> str:
        name = item.fields.get("wp:post_name", "").strip()
        title = html.unescape(item.fields.get("title", ""))
        return safe_slug(name, title) if (name or title.strip()) else \
            f"post-{item.fields.get('wp:post_id', '0')}"

    def _old_url(self, item: Item, where: str) -> str:
        link = urlsplit(item.fields.get("link", "").strip())
        if link.query:
            self.problems.append(Problem(where, item.line, f"old URL not kept: {link.path}?"
                                         f"{link.query} has a query, which a static host "
                                         "cannot answer; link to the new URL instead"))
            return ""
        path = unquote(link.path)
        return path if path not in ("", "/") else ""

    def _image(self, item: Item, files: dict[str, str]) -> str:
        """The featured image (the _thumbnail_id meta): the copied file, or its old URL."""
        return files.get(dict(item.meta).get("_thumbnail_id", ""), "")

    def local_links(self, posts: list[ImportedPost]) -> list[ImportedPost]:
        """Links to the old site's posts, pages and copied uploads → paths on the new site
        (where the old URLs are kept); other links to the old site stay as they are."""
        host = urlsplit(self.link).netloc.removeprefix("www.")
        if not host:
            return posts
        local = set(self.copied) | {p.old_url for p in posts if p.old_url and not p.draft}
        pattern = re.compile(rf"(?<=[\"'])(?:https?:)?//(?:www\.)?{re.escape(host)}"
                             r"(/[^\s\"'<>?#]*)(?=[\"'#\s<])")
        return [dataclasses.replace(p, body=pattern.sub(
            lambda m: m.group(1) if unquote(m.group(1)) in local else m.group(0), p.body))
            for p in posts]

    def _count_meta(self, item: Item) -> None:
        for key in {k for k, _ in item.meta if k and not k.startswith("_")}:
            self.left_out[key] = self.left_out.get(key, 0) + 1


def _date(item: Item, offset: dt.timedelta) -> dt.datetime | None:
    """When it was published, at the offset the site had then: post_date is the site's
    local time and post_date_gmt UTC, so their difference is the offset. A draft has no
    GMT date: its local date takes the export's usual offset."""
    local = _moment(item.fields.get("wp:post_date", ""))
    utc = _moment(item.fields.get("wp:post_date_gmt", ""))
    if local and utc:
        return local.replace(tzinfo=dt.timezone(local - utc))
    if utc:
        return utc.replace(tzinfo=dt.UTC)
    return local.replace(tzinfo=dt.timezone(offset)) if local else None


def _updated(item: Item, offset: dt.timedelta) -> dt.datetime | None:
    utc = _moment(item.fields.get("wp:post_modified_gmt", ""))
    date = _date(item, offset)
    if utc is None or date is None:
        return None
    updated = utc.replace(tzinfo=dt.UTC).astimezone(date.tzinfo)
    return updated if updated > date + dt.timedelta(minutes=1) else None


def _moment(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text or text.startswith(NO_DATE[:4]):
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _usual_offset(items: list[Item]) -> dt.timedelta:
    """The offset most published items were written at (for drafts, which have none)."""
    offsets = Counter(d.utcoffset() for i in items if i.fields.get("wp:status") == PUBLISHED
                      and (d := _date(i, dt.timedelta(0))) is not None)
    found = offsets.most_common(1)[0][0] if offsets else None
    return found or dt.timedelta(0)


def _tags(item: Item) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for domain, nicename, name in item.terms:
        if domain in ("category", "post_tag") and name \
                and nicename.lower() not in UNCATEGORIZED and name.lower() not in UNCATEGORIZED:
            names.setdefault(" ".join(name.casefold().split()), name)
    return tuple(names.values())


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())


# The site ─────────────────────────────────────────────────────────────────────────────

def _settings(channel: etree._Element, items: list[Item]) -> tuple[tuple[str, str], ...]:
    found = {"title": html.unescape(_text(channel, "title")),
             "description": html.unescape(_text(channel, "description")),
             "language": _text(channel, "language").lower()}
    link = _text(channel, "link") or _text(channel, "wp:base_blog_url")
    if re.match(r"^https?://[^/\s]+", link):
        found["base_url"] = link.rstrip("/") + "/"
    authors = _authors(channel)
    if len(authors) == 1:
        found["author"] = authors[0]
    return tuple((k, v) for k, v in found.items() if v)


def _authors(channel: etree._Element) -> list[str]:
    return [name for a in channel if isinstance(a.tag, str) and _prefixed(a.tag) == "wp:author"
            for name in [html.unescape(_child_text(a, "wp:author_display_name")).strip()]
            if name]


def _notes(items: list[Item], uploads: Path | None, name: str, site: _Site,
           zone: str) -> list[Problem]:
    """What the export holds that was not imported, in a few lines."""
    notes = [Problem(name, None, f"time zone guessed: {zone or 'none'}; a WordPress export "
                     "names none, so the zone whose offsets the posts' dates carry was "
                     "taken; set timezone in site.toml to the old site's (Settings → General "
                     "→ Timezone) if it differs")]
    kinds = Counter(i.fields.get("wp:post_type", "?") for i in items)
    skipped = [f"{n} {k}" for k, n in sorted(kinds.items())
               if k not in ("post", "page", "attachment")]
    if skipped:
        notes.append(Problem(name, None, "items not imported: " + ", ".join(skipped)))
    comments = sum(i.comments for i in items)
    if comments:
        notes.append(Problem(name, None, f"comments not imported: {comments}; sitegen "
                             "publishes no comments"))
    notes += _attachment_note(kinds["attachment"], uploads, name, site)
    return notes


def _attachment_note(count: int, uploads: Path | None, name: str, site: _Site) -> list[Problem]:
    if not count:
        return []
    if uploads is not None:
        return [Problem(name, None, f"attachments copied: {count} in the export; "
                        f"{len(site.copied)} files from {uploads.name}/ copied to "
                        "root/wp-content/uploads/, and links to them made local")]
    return [Problem(name, None, f"attachments not copied: {count}; posts still link to "
                    "their old URLs (…/wp-content/uploads/…); put the site's uploads "
                    "folder beside the export as uploads/ and import again to copy them")]
