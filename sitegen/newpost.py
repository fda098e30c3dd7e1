"""A new post, as `sitegen new` and the dev server's compose page ask for it: its front
matter written so that the site reads it back as given, a slug made from its title that
no post of the site has, and a file in the folder layout the site's posts already use."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

from sitegen import config as config_file
from sitegen import content, dates, frontmatter, site, tags
from sitegen.config import Config
from sitegen.errors import BuildErrors, ContentError, SiteError, shown
from sitegen.importers import places
from sitegen.importers.records import slugify

KINDS = ("link", "entry", "quote", "note")
NOTE_SLUG_WORDS = 6  # a note's slug is made of its first words
WEB_SCHEMES = ("http", "https")
APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")  # inside a word: dropped from slugs


@dataclass(frozen=True, slots=True)
class Request:
    """What the author asked for."""

    kind: str  # "link" | "entry" | "quote" | "note"
    title: str = ""  # entry title; link: the link's title (link_title)
    url: str = ""  # link: link_url; quote: source_url
    source: str = ""  # quote: who/what is quoted
    tags: tuple[str, ...] = ()
    via: str = ""  # link/quote: via_url
    body: str = ""  # the commentary / quotation / note text (Markdown)


class RequestError(SiteError):
    """The request cannot make a post: a link without a URL, a tag without letters. Its
    path is '' (no file is at fault): it reads as its message alone."""

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.path else self.message


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a site keeps its posts: folders under content/ ('{year}' stands for the
    post's year, '{month}' and '{day}' for its two-digit month and day), and whether
    file names start with the date ('2025-11-22-slug.md')."""

    folders: tuple[str, ...] = ("{year}",)
    dated: bool = True

    def path(self, moment: dt.datetime, slug: str) -> str:
        """The post's file, relative to the site folder."""
        fields = {"{year}": f"{moment.year}", "{month}": f"{moment.month:02}",
                  "{day}": f"{moment.day:02}"}
        folders = "".join(f"{fields.get(part, part)}/" for part in self.folders)
        prefix = f"{moment:%Y-%m-%d}-" if self.dated else ""
        return f"content/{folders}{prefix}{slug}.md"


@dataclass(frozen=True, slots=True)
class _Known:
    """What the site's posts already take: their URLs, and the layout most use."""

    urls: frozenset[str]
    layout: Layout


def create(site_dir: Path, request: Request, now: dt.datetime | None = None) -> Path:
    """Write the requested post as a new file under site_dir/content/ and return its
    path. Never overwrites a file; RequestError (or the site's ConfigError) says what is
    wrong."""
    config = _site_config(site_dir)
    request = checked(request)
    moment = (now or dates.now()).astimezone(config.tz).replace(microsecond=0)
    known = _known(site_dir, config)
    text = document(request, moment)
    for slug in _candidates(slug_text(request), request.kind):
        path = known.layout.path(moment, slug)
        if _exists(site_dir, path):
            continue
        url = _url(path, text, config)
        if url in known.urls or places.taken(url):
            continue
        return _write(site_dir, path, text)
    raise AssertionError("unreachable")


def _site_config(site_dir: Path) -> Config:
    if not (site_dir / config_file.CONFIG_FILE).is_file() and not (site_dir / "content").is_dir():
        raise RequestError("", None, f"{site_dir} is not a sitegen site (it has no site.toml "
                           "and no content/); give the site's folder with --source, or "
                           "start one with 'sitegen init'")
    return config_file.load(site_dir)


# The request


def checked(request: Request) -> Request:
    """The request with its text cleaned (no control characters, one-line fields on one
    line, tags as the site spells them), or RequestError saying what it lacks."""
    if request.kind not in KINDS:
        raise RequestError("", None, f"unknown kind {shown(request.kind)}; use one of "
                           f"{', '.join(KINDS)}")
    clean = Request(kind=request.kind, title=_line(request.title), url=_line(request.url),
                    source=_line(request.source), tags=_tags(request.tags),
                    via=_line(request.via), body=_body(request.body))
    _check_web_url(clean.url, "the URL")
    _check_web_url(clean.via, "the via URL")
    if clean.kind == "link" and not clean.url:
        raise RequestError("", None, "a link post needs the linked page's URL, e.g. "
                           "'sitegen new link https://example.org/post'")
    if clean.kind == "entry" and not clean.title:
        raise RequestError("", None, "an entry needs a title, e.g. "
                           "'sitegen new entry \"My post\"'")
    if clean.kind == "quote" and not clean.source:
        raise RequestError("", None, "a quote needs its source (who said it), e.g. "
                           "'sitegen new quote \"Ada Lovelace\"'")
    return clean


def _line(text: str) -> str:
    return " ".join(frontmatter.FORBIDDEN.sub("", unicodedata.normalize("NFC", text)).split())


def _body(text: str) -> str:
    return frontmatter.FORBIDDEN.sub("", text.replace("\r\n", "\n")).strip("\n")


def _tags(names: tuple[str, ...]) -> tuple[str, ...]:
    kept: dict[str, str] = {}
    for name in map(_line, names):
        problem = tags.check_name(name)
        if problem:
            raise RequestError("", None, problem)
        kept.setdefault(tags.key(name), name)
    return tuple(kept.values())


def _check_web_url(url: str, what: str) -> None:
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        raise RequestError("", None, f"{what} {shown(url)} is not an http or https address; "
                           "give it in full, e.g. https://example.org/post")


# The file's text


def document(request: Request, moment: dt.datetime) -> str:
    """The post's file: YAML front matter between '---' lines, then the body."""
    head = [_field("title", request.title if request.kind == "entry" else ""),
            f"date: {moment.isoformat()}\n",
            _field("kind", "note" if request.kind == "note" else ""),
            *_kind_fields(request),
            _field("tags", list(request.tags))]
    body = f"\n{request.body}\n" if request.body else "\n"
    return "---\n" + "".join(head) + "---\n" + body


def _kind_fields(request: Request) -> list[str]:
    if request.kind == "link":
        return [_field("link_url", request.url), _field("link_title", request.title),
                _field("via_url", request.via)]
    if request.kind == "quote":
        return [_field("source", request.source), _field("source_url", request.url),
                _field("via_url", request.via)]
    return []


def _field(name: str, value: str | list[str]) -> str:
    """One front matter line, the value quoted as YAML needs it ('' when it is empty);
    a list of names is written on one line: `tags: [svg, 'C++, again']`."""
    if not value:
        return ""
    flow = isinstance(value, list)
    written = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow,
                             width=1 << 20)
    scalar = written.removesuffix("\n...\n").rstrip("\n")  # '...' ends a plain scalar
    return f"{name}: {scalar}\n"


# The slug and the file


def slug_text(request: Request) -> str:
    """What the slug is made of: the title; a link's title, else its address; a
    quote's source; a note's first words."""
    if request.kind == "link":
        return request.title or address(request.url)
    if request.kind == "quote":
        return request.source
    if request.kind == "note":
        return " ".join(request.body.split()[:NOTE_SLUG_WORDS]) or "note"
    return request.title


def address(url: str) -> str:
    """A URL as a title when the page's own is not known: its host and path,
    'example.org/posts/a-post'."""
    parts = urlsplit(url)
    return (parts.hostname or "") + parts.path.rstrip("/")


def _candidates(text: str, fallback: str) -> Iterator[str]:
    """The slug made of `text` (of `fallback` when it has no letters or digits), then
    the same with -2, -3, … for when it is taken. An apostrophe inside a word goes
    ("Tomorrow's" → 'tomorrows', not 'tomorrow-s')."""
    text = APOSTROPHE.sub("", text)
    slug = slugify(text if re.search(r"[^\W_]", text) else fallback)
    yield slug
    for number in itertools.count(2):
        yield f"{slug}-{number}"


def _exists(site_dir: Path, path: str) -> bool:
    """A post with this stem is there, as a file of any suffix or a page bundle."""
    stem = path.removesuffix(".md")
    return any((site_dir / form).exists() or (site_dir / form).is_symlink()
               for suffix in content.POST_SUFFIXES
               for form in (f"{stem}{suffix}", f"{stem}/index{suffix}", stem))


def _url(path: str, text: str, config: Config) -> str:
    """The URL the site will give the post, read back as a build reads it (proof that
    the written front matter parses)."""
    post = _parse(content.Source(path, text.encode(), ""), config)
    if not isinstance(post, content.Post):
        raise RequestError(path, None, f"the new post could not be read back ({post.reason}); "
                           "please report this")
    return site.permalink(post, config)


def _parse(source: content.Source, config: Config) -> content.Post | content.Skipped:
    try:
        return content.parse(source, config)
    except (SiteError, BuildErrors) as exc:
        raise RequestError(source.path, None, f"the new post could not be read back ({exc}); "
                           "please report this") from None


def _write(site_dir: Path, path: str, text: str) -> Path:
    target = site_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    refusal = places.write_refusal(str(site_dir.resolve()), target, path)
    if refusal:
        raise ContentError(path, None, refusal.replace("import again", "try again"))
    with open(target, "x", encoding="utf-8", newline="\n") as out:
        out.write(text)
    return target


# The site's posts


def _known(site_dir: Path, config: Config) -> _Known:
    """The URLs the site's posts (drafts too) and their aliases take, and their layout.
    Only front matter is read; a post that does not parse takes no URL here (the build
    will say what is wrong with it)."""
    try:
        sources = content.scan(site_dir)
    except BuildErrors as exc:
        raise exc.errors[0] from None
    posts = [p for p in map(lambda s: _head_post(s, config), sources) if p is not None]
    urls = {site.permalink(p, config) for p in posts}
    urls.update(site.url_of(alias) for p in posts for alias in p.aliases)
    return _Known(frozenset(urls), _layout(posts, config))


def _head_post(source: content.Source, config: Config) -> content.Post | None:
    if not source.path.endswith(content.POST_SUFFIXES):
        return None
    try:
        post = content.parse(content.Source(source.path, _head(source.data), ""), config)
    except (SiteError, BuildErrors):
        return None
    return post if isinstance(post, content.Post) else None


def _head(data: bytes) -> bytes:
    """A post's front matter alone (its body left out, which is slow to render and
    decides no URL)."""
    lines = data.splitlines(keepends=True)
    fence = lines[0].strip().decode(errors="replace") if lines else ""
    closing = [c.encode() for c in frontmatter.FENCES.get(fence, ())]
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in closing), None)
    return data if end is None else b"".join(lines[:end + 1])


def _layout(posts: list[content.Post], config: Config) -> Layout:
    """The layout most of the site's dated posts use (on a tie, the newest post's);
    content/{year}/{date}-{slug}.md for a site without posts."""
    dated = sorted((p for p in posts if p.kind != "page" and p.dated),
                   key=lambda p: p.date, reverse=True)
    counts = Counter(_layout_of(p, config) for p in dated)
    return counts.most_common(1)[0][0] if counts else Layout()


def _layout_of(post: content.Post, config: Config) -> Layout:
    where = PurePosixPath(post.bundle or post.source)
    name = where.name if post.bundle else where.stem
    local = post.date.astimezone(config.tz)
    fields = {f"{local.year}": "{year}", f"{local.month:02}": "{month}",
              f"{local.day:02}": "{day}"}
    folders = tuple(fields.get(part, part) for part in where.parent.parts[1:])
    return Layout(folders, name.startswith(f"{local:%Y-%m-%d}-"))


# The editor


def editor_command(environ: Mapping[str, str], path: Path) -> list[str] | None:
    """The command that opens `path` in the author's editor: $VISUAL, else $EDITOR (each
    may carry arguments, as 'code -w' does), the path last; None when neither is set.
    RequestError when the variable cannot be read as a command."""
    for name in ("VISUAL", "EDITOR"):
        try:
            words = shlex.split(environ.get(name, ""))
        except ValueError as exc:
            raise RequestError("", None, f"${name} {shown(environ[name])} is not a command "
                               f"({exc}); quote it as a shell would") from None
        if words:
            return [*words, str(path)]
    return None
