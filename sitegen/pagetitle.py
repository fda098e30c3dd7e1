"""A web page's title, for `sitegen new link URL` without --title: its og:title, else
its <title>. The one place sitegen goes to the network on the author's behalf."""

from __future__ import annotations

import codecs
import http.client
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from sitegen import __version__

TIMEOUT = 5.0  # seconds to connect, and between two reads
MOST = 512 * 1024  # bytes read of a page: a title is near its top
HTML_TYPES = ("text/html", "application/xhtml+xml")
# <meta charset="…"> or <meta http-equiv="Content-Type" content="…; charset=…">.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


class TitleNotFound(Exception):
    """The page's title could not be had: why, as a few words ('HTTP 404')."""


def fetch(url: str, timeout: float = TIMEOUT) -> str:
    """The title of the page at `url` (http or https, redirects followed), or
    TitleNotFound saying why not."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise TitleNotFound("not an http or https URL")
    request = urllib.request.Request(url, headers={
        "User-Agent": f"sitegen/{__version__} (page title for a link post)",
        "Accept": "text/html,application/xhtml+xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES:
                raise TitleNotFound(f"not an HTML page but {kind}")
            data = response.read(MOST)
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise TitleNotFound(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise TitleNotFound(str(exc.reason)) from None
    except TimeoutError:
        raise TitleNotFound(f"no answer in {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise TitleNotFound(str(exc) or type(exc).__name__) from None
    return title_of(data, charset)


def title_of(data: bytes, charset: str | None = None) -> str:
    """An HTML document's og:title, else its <title>, on one line; TitleNotFound when it
    has neither. Decoded by `charset` (the HTTP header's), else by its own <meta>
    charset, else as UTF-8."""
    text = data.decode(_codec(charset or _meta_charset(data)), errors="replace")
    try:
        root = lxml.html.document_fromstring(_without_xml_declaration(text))
    except (lxml.etree.LxmlError, ValueError):
        raise TitleNotFound("the page is not HTML") from None
    found = [meta.get("content") or "" for meta in root.iter("meta")
             if "og:title" in (meta.get("property"), meta.get("name"))]
    found += [t.text or "" for t in root.iter("title")]  # RCDATA: text, no elements
    title = next((" ".join(t.split()) for t in found if t.strip()), "")
    if not title:
        raise TitleNotFound("the page has no title")
    return title


def _meta_charset(data: bytes) -> str:
    match = META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else "utf-8"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def _without_xml_declaration(text: str) -> str:
    """lxml refuses text that declares its encoding in '<?xml … ?>'."""
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
