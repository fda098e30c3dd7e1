"""Links in the output folder: what every page links to, and whether each link lands."""

from __future__ import annotations

import contextlib
import html.parser
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from sitegen import __version__
from sitegen.config import Config

ATOM = {"a": "http://www.w3.org/2005/Atom"}
ROBOTS_SITEMAP = re.compile(r"^\s*sitemap:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
EXTERNAL_LIMIT = 500  # most external URLs one `check --external` fetches
EXTERNAL_TIMEOUT = 10.0  # seconds per request
EXTERNAL_WORKERS = 8
USER_AGENT = f"sitegen-check/{__version__} (link checker)"
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
INDEX_FILES = ("index.html", "index.xml")  # what a folder's URL serves, in this order
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # lxml refuses these


@dataclass(frozen=True, slots=True)
class Document:
    """An output file that links elsewhere: an HTML page, a feed, robots.txt."""

    path: str  # relative to the output folder: 'tags/svg/index.html'
    links: tuple[str, ...]  # as written, first occurrence order, no repeats
    ids: frozenset[str] = frozenset()  # what a #fragment may name (HTML only)
    noindex: bool = False  # <meta name="robots" content="noindex">: redirect stubs, 404
    fragments: bool = True  # False: its links' #fragments need not name an id (feeds)
    # Links the generator writes as full URLs (canonical, feeds, redirects): one under the
    # base URL must land. A full URL written in a post may name a page that the host
    # serves besides this site, so it counts as external.
    own: frozenset[str] = frozenset()

    @property
    def is_page(self) -> bool:
        """A page for the sitemap: HTML, indexable, not the 404 page."""
        return self.path.endswith(".html") and not self.noindex and self.path != "404.html"


@dataclass(frozen=True, slots=True)
class Output:
    """An output folder as the checker sees it."""

    files: frozenset[str]  # every file, relative, with '/' separators
    documents: dict[str, Document] = field(default_factory=dict)

    @property
    def pages(self) -> list[str]:
        return [path for path, doc in self.documents.items() if doc.is_page]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link leads."""

    url: str  # absolute, fragment included
    path: str | None  # site-relative and unquoted when it stays on the site: 'tags/svg/'
    fragment: str
    outside: bool  # written as a path on this host, yet outside the base path
    full: bool  # written as a full URL, with a host


@dataclass(frozen=True, slots=True)
class Problem:
    """A link that does not land, on one page."""

    page: str
    link: str
    issue: str

    def __str__(self) -> str:
        return f"{self.page}: link {self.link} {self.issue}"


def read_output(folder: Path) -> Output:
    files = frozenset(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    documents = {}
    for path in sorted(files):
        if path.endswith((".html", ".atom", ".xml")) or path == "robots.txt":
            documents[path] = read_document(path, (folder / path).read_bytes())
    return Output(files, documents)


def read_document(path: str, data: bytes) -> Document:
    if path.endswith((".atom", ".xml")):  # an .xml file: a feed's copy, or no links
        return _read_feed(path, data)
    if path.endswith(".html"):
        return _read_html(path, data)
    text = data.decode("utf-8", errors="replace")
    found = _unique(ROBOTS_SITEMAP.findall(text))
    return Document(path, found, fragments=False, own=frozenset(found))


def _read_html(path: str, data: bytes) -> Document:
    root = _parse_html(data)
    if root is None:  # an empty file
        return Document(path, ())
    found = [(el.tag, link.strip()) for el, _attr, link, _pos in root.iterlinks()]
    links = [link for _tag, link in found]
    for srcset in _strings(root, "//@srcset"):
        links.extend(part.split()[0] for part in srcset.split(",") if part.strip())
    ids = frozenset(_strings(root, "//@id | //a/@name"))
    robots = " ".join(_strings(root, "//meta[@name='robots']/@content"))
    own = frozenset(link for tag, link in found if tag in ("link", "meta"))
    return Document(path, _unique(links), ids, "noindex" in robots.lower(), own=own)


def _parse_html(data: bytes) -> lxml.html.HtmlElement | None:
    """The page as lxml reads it; past libxml2's depth limit (2,048 levels with
    huge_tree, 256 without), which hides everything deeper, as _FlatTree reads it."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except etree.ParserError:
        return None
    if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log):
        return _FlatTree.parse(data.decode("utf-8", errors="replace"))
    assert isinstance(root, lxml.html.HtmlElement)
    return root


class _FlatTree(html.parser.HTMLParser):
    """A page of any depth read with Python's own parser (slower, with no depth limit)
    into a flat lxml tree: every element a child of the root, with its attributes, and
    <style> with its text. That is all the checker reads: links, ids and meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = lxml.html.Element("html")
        self.open: list[etree._Element] = []  # elements not yet closed, innermost last
        self.open_tags: Counter[str] = Counter()

    @classmethod
    def parse(cls, text: str) -> lxml.html.HtmlElement:
        reader = cls()
        reader.feed(text)
        reader.close()
        return reader.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        try:
            element = etree.SubElement(self.root, tag)
        except ValueError:  # not a name lxml accepts; nothing a link checker needs
            return
        for name, value in attrs:
            with contextlib.suppress(ValueError):  # a name lxml does not accept
                element.set(name, NOT_XML.sub("", value or ""))
        if tag not in VOID:
            self.open.append(element)
            self.open_tags[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags[tag]:
            return  # closes nothing open: ignored, as browsers do
        while (element := self.open.pop()).tag != tag:
            self.open_tags[str(element.tag)] -= 1
        self.open_tags[tag] -= 1

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1].tag == "style":
            self.open[-1].text = (self.open[-1].text or "") + NOT_XML.sub("", data)


def _read_feed(path: str, data: bytes) -> Document:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:  # the feed checker reports it
        return Document(path, ())
    found = _unique(_strings(root, "//a:link/@href"))
    # a link post's rel="related" link is the author's: a full URL, as in a post
    own = _unique(_strings(root, "//a:link[not(@rel='related')]/@href"))
    return Document(path, found, fragments=False, own=frozenset(own))


def _strings(root: etree._Element, path: str) -> list[str]:
    """The attribute values an XPath expression selects."""
    found = root.xpath(path, namespaces=ATOM)
    return [str(value) for value in found] if isinstance(found, list) else []


def _unique(links: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(link.strip() for link in links if link.strip()))


def resolve(link: str, page: str, config: Config) -> Target | None:
    """Where `link`, written on output file `page`, leads; None for mailto:, data: and
    such, and for a link that is not a valid URL ('http://[::1')."""
    try:
        return _resolve(link, page, config)
    except ValueError:
        return None


def _resolve(link: str, page: str, config: Config) -> Target | None:
    """As resolve(), but ValueError for a link that is not a valid URL."""
    url = urljoin(config.absolute(page), link)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    on_host = f"{parts.scheme}://{parts.netloc}".lower() == config.origin.lower()
    inside = on_host and (parts.path + "/").startswith(config.base_path)
    path = unquote(parts.path[len(config.base_path):]) if inside else None
    full = bool(urlsplit(link).netloc)
    return Target(url, path, unquote(parts.fragment), not inside and not full, full)


def internal(link: str, doc: Document, config: Config) -> Target | None:
    """Where a link leads when it is the site's to check (see Document.own); else None.
    ValueError if it is not a valid URL."""
    target = _resolve(link, doc.path, config)
    if target is None or not (target.outside or target.path is not None):
        return None
    return target if not target.full or link in doc.own else None


def file_for(path: str, files: Set[str]) -> str | None:
    """The output file a site-relative path names; a folder means its index.html, or
    its index.xml (a feed's copy at '/feed/'), as GitHub Pages serves them."""
    if path in files:
        return path
    indexes = (f"{path.rstrip('/')}/{name}".lstrip("/") for name in INDEX_FILES)
    return next((index for index in indexes if index in files), None)


def check_links(output: Output, config: Config,
                drafts: Mapping[str, str] | None = None) -> list[Problem]:
    """Every internal link that leads nowhere, to a draft, or to a missing #fragment.

    `drafts` maps a draft's site-relative URL ('2025/Jan/3/secret/') to its source file.
    """
    problems = []
    for doc in output.documents.values():
        for link in doc.links:
            issue = link_issue(link, doc, output, config, drafts or {})
            if issue:
                problems.append(Problem(doc.path, link, issue))
    return problems


def link_issue(link: str, doc: Document, output: Output, config: Config,
               drafts: Mapping[str, str]) -> str | None:
    """What is wrong with one link on one page; None when it lands (or leaves the site)."""
    try:
        target = internal(link, doc, config)
    except ValueError as exc:
        return f"is not a valid URL ({exc}): correct it in the page's source"
    if target is None:
        return None
    if target.path is None:
        return f"leaves the site: it is not under the base path {config.base_path}"
    found = file_for(target.path, output.files)
    if found is None:
        draft = drafts.get(_url_key(target.path))
        if draft:
            return f"leads to a draft: {draft} has 'draft: true' and is not published"
        return f"leads nowhere: there is no {_expected(target.path)} in the output"
    landing = output.documents.get(found)
    if doc.fragments and target.fragment and landing and found.endswith(".html") \
            and target.fragment not in landing.ids and target.fragment.lower() != "top":
        return f'has no target: {found} has no id="{target.fragment}"'
    return None


def _url_key(path: str) -> str:
    """A link's path as site.url_of writes URLs: 'a/b/' for 'a/b', 'a/b/index.html'."""
    path = path.removesuffix("index.html")
    return path if path.endswith(".html") else path.rstrip("/") + "/"


def _expected(path: str) -> str:
    return f"{path}index.html" if path.endswith("/") or not path else path


def external_links(output: Output, config: Config) -> dict[str, str]:
    """Every URL that leaves the site (without its fragment), with the first page that has it."""
    found: dict[str, str] = {}
    for doc in output.documents.values():
        for link in doc.links:
            target = resolve(link, doc.path, config)
            if target and not target.outside and not internal(link, doc, config):
                found.setdefault(target.url.split("#", 1)[0], doc.path)
    return found


def check_external(urls: Mapping[str, str], limit: int = EXTERNAL_LIMIT,
                   timeout: float = EXTERNAL_TIMEOUT) -> list[Problem]:
    """Fetch up to `limit` external URLs (URL → page that links it); the ones that fail."""
    chosen = list(urls)[:limit]
    with ThreadPoolExecutor(EXTERNAL_WORKERS) as pool:
        issues = list(pool.map(lambda url: fetch_issue(url, timeout), chosen))
    return [Problem(urls[url], url, issue) for url, issue in zip(chosen, issues, strict=True)
            if issue]


def fetch_issue(url: str, timeout: float) -> str | None:
    """None when the URL answers; else what went wrong. HEAD first, GET when HEAD fails."""
    issue = None
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as exc:
            issue = f"is broken: HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            issue = f"does not answer: {reason}"
    return issue
