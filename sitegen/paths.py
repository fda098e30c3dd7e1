"""The plan's output paths: each claimed by one page, and none where sitegen keeps its own.

Every output is planned before anything is written (pages.plan), so two outputs
claiming one path are found here, all of them at once, naming both owners: two
posts with one URL, a page named like a generated one (`/tags/`), an alias onto a
post, a bundle's file onto another output, a file of root/ onto a feed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sitegen.errors import BuildErrors, ContentError, OutputError, SiteError
from sitegen.pages import COPY, FEED, TEMPLATE, TEXT, Page

# Top-level URLs sitegen keeps for itself even where a site has nothing there yet.
RESERVED = {
    "atom/": "the site's Atom feeds (/atom/everything.atom, …)",
    "static/": "the theme's and the site's static files (/static/style.css, …)",
    "page/": "the home page's older pages (/page/2/, …)",
    "search/": "the site's search page",
}
GENERATED = {
    "tags.html": "the tag index", "archives.html": "the archives",
    "sitemap.xml": "the sitemap", "robots.txt": "the robots.txt file", "404.html": "the 404 page",
}


def check(plan: Sequence[Page]) -> None:
    """Raise BuildErrors naming every path claimed twice, every page or alias at a
    reserved URL, and every file that another page needs as a folder."""
    owners: dict[str, Page] = {}
    shared: dict[str, list[Page]] = {}
    for page in plan:
        first = owners.setdefault(page.path, page)
        if first is not page:
            shared.setdefault(page.path, [first]).append(page)
    errors: list[SiteError] = list(_reserved(plan))
    for path, pages in shared.items():
        kept, *others = sorted(pages, key=_rank)
        owners[path] = kept
        errors.extend(_clash(page, kept) for page in others)
    errors.extend(_folder_clashes(owners))
    if errors:
        raise BuildErrors(errors)


def _rank(page: Page) -> tuple[int, str]:
    """Generated pages first, then posts' pages, then the author's other files (aliases,
    bundles' files, root/), each by file: of two claims on one path, the later is
    named as the one to change."""
    origin = origin_of(page)
    return (0 if origin is None else 1 if page.post_source else 2), origin or ""


def origin_of(page: Page) -> str | None:
    """The author's file that makes this page (a post, site.toml, a file of static/,
    root/ or a bundle), or None for a page sitegen makes of its own."""
    if page.post_source:
        return page.post_source
    origin = page.context.get("origin") if page.kind == COPY else page.context.get("source")
    return str(origin) if origin else None


def _clash(page: Page, first: Page) -> SiteError:
    shown = "/" + page.url
    origin = origin_of(page)
    if origin is None:  # two pages of sitegen's own: a theme's file, say
        return OutputError(describe(page), None, f"{shown} is also {describe(first)}; "
                           "rename one of them")
    fix = _fix(page)
    if page.post_source and first.post_source:
        fix = "give one of them another 'slug'" + ("" if _is_page(page) and _is_page(first)
                                                   else " or date")
    return ContentError(origin, None, f"{shown} is also {describe(first)}; {fix}")


def describe(page: Page) -> str:
    """A page as an error message names it: 'the URL of content/a.md', 'the tag index,
    which sitegen makes'."""
    origin = origin_of(page)
    if page.post_source:
        return f"the URL of {page.post_source}"
    if page.template == "redirect.html":
        kind = "an old tag name" if origin == "content/tags.toml" else "an alias"
        return f"{kind} in {origin}"
    if origin is not None:
        return f"the copy of the feed in {origin}" if page.kind == FEED \
            else f"the file {origin}"
    return f"{_generated(page)}, which sitegen makes"


def _generated(page: Page) -> str:
    if page.kind == FEED:
        return f"the {'JSON' if page.template else 'Atom'} feed /{page.path}"
    if page.kind == TEXT:
        return f"the stylesheet /{page.path}"
    if page.kind == COPY:
        return f"the theme's file /{page.path}"
    if page.template in GENERATED:
        return GENERATED[page.template]
    title = str(page.context.get("page_title", page.path))
    if page.template == "tag.html":
        return f"the page of the tag “{title}”"
    if page.template == "archive.html":
        return f"the archive of {title}"
    if page.url == "":
        return "the home page"
    return f"the list page “{title}”"


def _fix(page: Page) -> str:
    if page.post_source:
        return f"give the {'page' if _is_page(page) else 'post'} another 'slug'"
    if page.template == "redirect.html":
        return "change or remove that old URL"
    if page.kind == FEED:
        return "change that path in [feeds] copies"
    return "rename or move the file"


def _is_page(page: Page) -> bool:
    return page.template == "page.html"


def _reserved(plan: Sequence[Page]) -> Iterator[SiteError]:
    """Posts, pages and aliases at a URL that sitegen keeps for its own."""
    for page in plan:
        if page.kind == TEMPLATE and page.url in RESERVED:
            origin = origin_of(page)
            if origin is not None:
                yield ContentError(origin, None, f"/{page.url} is reserved for "
                                   f"{RESERVED[page.url]}; {_fix(page)}")


def _folder_clashes(owners: dict[str, Page]) -> list[SiteError]:
    """Pages whose file is the folder of another page (`sitemap.xml` and
    `sitemap.xml/index.html`): one of them could never be written."""
    folders: dict[str, str] = {}
    for path in owners:
        parts = path.split("/")
        for end in range(1, len(parts)):
            folders.setdefault("/".join(parts[:end]), path)
    return [OutputError(owners[path].owner, None, f"writes the file {path}, but "
                        f"{owners[inner].owner} needs {path}/ as a folder for {inner}; "
                        "change one of them")
            for path, inner in folders.items() if path in owners]
