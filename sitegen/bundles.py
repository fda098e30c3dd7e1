"""Page bundles: a post that is a folder, `content/2024/bridge/index.md`, with its files.

The files beside a bundle's index, and in its subfolders, are the post's assets:
they are published next to the post's page, so that `![](photo.jpg)` works there as
it does in an editor's preview. Other pages show the post too (list summaries), so
there its relative links are made paths from the site root; feeds make every link
absolute anyway (feeds.absolutize).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import lxml.html

from sitegen.config import Config
from sitegen.content import Post, Source

# Attributes that hold one URL, and those that hold a list of "URL width" candidates.
LINKS = ("href", "src", "poster")
CANDIDATES = ("srcset",)
_LINK_VALUE = re.compile(
    r"""\b(?:href|src|poster|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file of a page bundle."""

    path: str  # relative to the bundle's folder: 'photo.jpg', 'files/a.pdf'
    source: str  # relative to the site folder: 'content/2024/bridge/photo.jpg'
    file: str  # absolute path, to copy it from
    digest: str


def assets(sources: Iterable[Source], posts: Iterable[Post],
           site_dir: Path) -> dict[str, tuple[Asset, ...]]:
    """Bundle folder → its files: every file under it that is not a post, except those
    under a bundle nested in it (nearest bundle wins)."""
    folders = {p.bundle for p in posts if p.bundle}
    if not folders:
        return {}
    post_files = {p.source for p in posts}
    found: dict[str, list[Asset]] = {}
    for source in sources:
        folder = bundle_of(source.path, folders)
        if folder and source.path not in post_files:
            found.setdefault(folder, []).append(Asset(
                source.path.removeprefix(folder + "/"), source.path,
                str(site_dir / source.path), source.digest))
    return {folder: tuple(files) for folder, files in sorted(found.items())}


def bundle_of(path: str, folders: set[str]) -> str:
    """The nearest bundle folder holding `path`, or ''."""
    folder = posixpath.dirname(path)
    while folder:
        if folder in folders:
            return folder
        folder = posixpath.dirname(folder)
    return ""


def base(url: str) -> str:
    """Where a post's files go: the post's URL when it is a folder ('2024/Jan/2/bridge/'),
    else the folder of its file ('2014/06/09/' for '2014/06/09/bridge.html')."""
    return url if url.endswith("/") or not url else posixpath.dirname(url) + "/" * ("/" in url)


def relink(body: str, prefix: str) -> str:
    """`body` with every relative href, src, poster and srcset URL joined to `prefix`
    (a path from the host root, such as '/blog/2024/Jan/2/bridge/'). Root paths,
    absolute URLs, fragments and mailto: links stay as written."""
    if not any(_relative(next(v for v in m.groups() if v is not None))
               for m in _LINK_VALUE.finditer(body)):
        return body
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for element in root.iter():
        for attribute in LINKS:
            value = element.get(attribute)
            if value is not None:
                element.set(attribute, _joined(prefix, value))
        for attribute in CANDIDATES:
            value = element.get(attribute)
            if value is not None:
                element.set(attribute, ", ".join(_candidate(prefix, c)
                                                 for c in value.split(",")))
    inner = str(lxml.html.tostring(root, encoding="unicode"))
    return inner.removeprefix("<div>").removesuffix("</div>")


def _joined(prefix: str, link: str) -> str:
    return urljoin(prefix, link.strip()) if _relative(link) else link


def _relative(link: str) -> bool:
    """True for a link relative to its page's folder: not empty, not a root path, a
    fragment, or a URL with a scheme (mailto:, https:) or host."""
    written = link.strip()
    if not written or written.startswith(("/", "#")):
        return False
    try:
        parts = urlsplit(written)
    except ValueError:
        return False
    return not (parts.scheme or parts.netloc)


def _candidate(prefix: str, candidate: str) -> str:
    url, _, width = candidate.strip().partition(" ")
    return f"{_joined(prefix, url)} {width}".strip()


def image_url(image: str, url: str, config: Config) -> str:
    """A post's `image` as an absolute URL: an http(s) URL as written, a root path
    ('/img/a.png') on the site (under its base path), a relative path beside the post."""
    if not image or urlsplit(image).scheme in ("http", "https"):
        return image
    if image.startswith("/"):
        return _quoted(config.absolute(image))
    return urljoin(_quoted(config.absolute(base(url))), image)


def _quoted(url: str) -> str:
    return quote(url, safe=":/%#?&=+@!$,;~*'()")
