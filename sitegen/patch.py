"""A build that patches the last one, when only posts' words changed.

While an author writes, most saves change one post's words and nothing else: no
title, date, tag or slug, no other file. Every page then keeps its place, and only
the pages that show that post can change. A fresh `sitegen build` need not load
every post nor plan every page for that: the cache keeps, from the last build that
planned the site, each page that shows posts (pagedata.py), which pages show each
post, and each post's URL and tags. This build parses the changed posts, reads back
just the pages that show them and the posts those pages show, renders the pages
whose fingerprint changed and commits them as a full build does: the same bytes,
the same manifest.

Anything else goes the full way: a file added, deleted or not a post, a post whose
shape changed, more than MOST changed posts, warnings (a full build lists them all),
the search index (made from every post), a cache or output folder not as the last
build left them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sitegen import cache as cache_store
from sitegen import content, manifest, markup, output, pagedata, websub
from sitegen.cache import Cache, Part
from sitegen.config import Config
from sitegen.content import Post, Skipped, Source, Stamps
from sitegen.errors import BuildErrors, SiteError
from sitegen.manifest import Listed
from sitegen.pages import Page
from sitegen.site import Entry, TagLink, make_entry
from sitegen.summary import Summary

MOST = 50  # changed posts past which the full build, in parallel, is as quick


@dataclass(frozen=True, slots=True)
class Found:
    """What the cache holds for a patch: the pages to look at again, and more."""

    pages: list[Page]
    fresh: dict[tuple[str, str], Post]  # the changed posts, by cache key
    gone: list[tuple[str, str]]  # the keys they had
    delta: dict[str, str]  # each post patched since the last full build → its digest now


@dataclass(frozen=True, slots=True)
class Edit:
    """What changed since the last build."""

    posts: list[Source]  # the posts whose words changed, read
    before: dict[str, str]  # their files' digests at the last build
    files: Stamps  # the stamps of every content file that changed (its time or size too)

    def shifted(self, total: int) -> int:
        """content.files_sum of the content files now, from the last build's (`total`)."""
        now = content.files_sum((s.path, s.digest) for s in self.posts)
        return (total + now - content.files_sum(self.before.items())) % content.SUM_MODULUS


def edit_from(site_dir: Path, changes: list[tuple[str, tuple[int, int]]],
              is_post: Callable[[str], bool]) -> Edit | None:
    """The edit, from the content files whose time or size changed (stamp.changes): read
    them, and their rows in the cache; None when one is not there, cannot be read, or
    is not a post and its bytes changed (then the full build looks, and reports)."""
    last = cache_store.read_files(site_dir, [path for path, _ in changes])
    if len(last) < len(changes):
        return None
    try:
        sources = [content.load(site_dir, path, stamp) for path, stamp in changes]
    except SiteError:
        return None
    posts = [s for s in sources if s.digest != last[s.path][2]]
    if not all(is_post(s.path) for s in posts):
        return None
    return Edit(posts, {s.path: last[s.path][2] for s in posts},
                {s.path: (*s.stamp, s.digest) for s in sources})


def changed_posts(sources: list[Source], cache: Cache,
                  is_post: Callable[[str], bool]) -> list[Source] | None:
    """The content files changed since the last build, when they are a few posts and no
    file came or went; else None."""
    if len(sources) != len(cache.stamps):
        return None
    changed: list[Source] = []
    for source in sources:
        last = cache.stamps.get(source.path)
        if last is None:
            return None
        if last[2] != source.digest:
            if not is_post(source.path) or len(changed) == MOST:
                return None
            changed.append(source)
    return changed


def find(site_dir: Path, changed: list[Source], before: dict[str, str], cache: Cache,
         config: Config) -> Found | None:
    """Parse the changed posts (`before`: their files' last digests) and read back the
    pages that show them; None when the change is not only words, or the cache does
    not hold what is needed."""
    config_digest = config.digest()
    gone = [(before[s.path], config_digest) for s in changed]
    last = cache_store.read_part(site_dir, lambda part: part.posts(gone)) or {}
    markup.reuse_highlighting(p.body for p in last.values() if isinstance(p, Post))
    fresh = {}
    for source in changed:
        post = _parse(site_dir, source, config)
        if post is None:
            return None
        fresh[(source.digest, config_digest)] = post
    try:
        return cache_store.read_part(site_dir,
                                     lambda part: _read(part, config, fresh, gone, last))
    except (Unkept, KeyError, IndexError):  # rows that do not fit together: damaged
        cache.pages_damaged = True
        return None


class Unkept(Exception):
    """The cache lacks rows that the last build kept (damaged, or left by a killed save)."""


def _parse(site_dir: Path, source: Source, config: Config) -> Post | None:
    """The post, when it parses without a problem or a warning (from the bytes already
    read, which its digest is of)."""
    try:
        read = source if source.data else content.load(site_dir, source.path, source.stamp)
        post = content.parse(read, config)
    except (SiteError, BuildErrors, OSError):  # the full build reports it, with its place
        return None
    return post if isinstance(post, Post) and not post.warnings else None


def _read(part: Part, config: Config, fresh: dict[tuple[str, str], Post],
          gone: list[tuple[str, str]], before: dict[tuple[str, str], Post | Skipped]) \
        -> Found | None:
    state = part.state("shape")
    plan = part.records("plan", ["pages", cache_store.DELTA])
    if not state or "pages" not in plan or plan["pages"].get("shape") != state.get("shape"):
        return None  # the last build kept no pages, or those of another shape
    if cache_store.DELTA in part.damaged:
        raise Unkept  # the full build leaves out every post's digest, and writes them
    if any(not _same_shape(before.get(key), post)
           for key, post in zip(gone, fresh.values(), strict=True)):
        return None
    pages = _pages(part, config, fresh)
    if pages is None:
        return None
    delta = {**plan.get(cache_store.DELTA, {}), **{p.source: p.digest for p in fresh.values()}}
    return Found(pages, fresh, gone, delta)


def _pages(part: Part, config: Config,
           fresh: dict[tuple[str, str], Post]) -> list[Page] | None:
    """The pages that show the changed posts, read back with their entries."""
    places = part.records("entries", [post.source for post in fresh.values()])
    numbers = sorted({n for place in places.values() for n in place[2]})
    rows = part.records("pages", [str(n) for n in numbers])
    if len(places) < len(fresh):
        return None  # a draft or a scheduled post: not among the entries
    if len(rows) < len(numbers):
        raise Unkept
    shown: set[int] = set()
    shared: set[int] = set()
    pagedata.refs(list(rows.values()), shown, shared)
    values = part.records("pages", [f"s{n}" for n in sorted(shared)])
    files = part.records("pages", [f"{pagedata.POST_FILE}{n}" for n in sorted(shown)])
    if len(files) < len(shown):
        raise Unkept
    numbered = {int(name[len(pagedata.POST_FILE):]): str(file) for name, file in files.items()}
    entries = _entries(part, config, fresh, set(numbered.values()))
    if entries is None or len(values) < len(shared):
        raise Unkept
    decoder = pagedata.Decoder({int(name[1:]): v for name, v in values.items()},
                               lambda n: entries[numbered[n]])
    changed = {post.source for post in fresh.values()}
    return [_words(decoder.page(rows[str(n)]), changed) for n in numbers]


def _same_shape(before: Post | Skipped | None, now: Post) -> bool:
    return isinstance(before, Post) and before.shape == now.shape


def _entries(part: Part, config: Config, fresh: dict[tuple[str, str], Post],
             shown: set[str]) -> dict[str, Entry] | None:
    """Every entry the pages show, made again from its post, the changed ones new."""
    wanted = sorted(shown)
    places = part.records("entries", wanted)
    by_source = {post.source: post for post in fresh.values()}
    config_digest = config.digest()
    files = part.files([s for s in wanted if s not in by_source])
    keys = [(files[s][2], config_digest) for s in wanted if s in files]
    found = part.posts(keys)
    posts = {**{p.source: p for p in found.values() if isinstance(p, Post)}, **by_source}
    if len(places) < len(wanted) or any(s not in posts for s in wanted):
        return None
    return {s: make_entry(posts[s], places[s][0], tuple(TagLink(*t) for t in places[s][1]),
                          config) for s in wanted}


def _words(page: Page, changed: set[str]) -> Page:
    """A changed post's own page also shows its words as its description."""
    entry = page.context.get("entry")
    if isinstance(entry, Entry) and entry.post.source in changed:
        return dataclasses.replace(page, context={**page.context,
                                                  "description": entry.post.description})
    return page


def commit(found: Found, folder: output.Folder, salt: str,
           render: Callable[[Page], tuple[bytes, tuple[str, ...]]],
           summary: Summary) -> str | None:
    """Render the pages whose fingerprint changed and commit them with the feeds' digest
    list: the new manifest's id. None, leaving the folder as it was, when rendering gave
    a warning, the digest list is not the last build's, or the manifest does not list a
    page (the manifest is read and rewritten as text: manifest.Listed)."""
    last = manifest.read_listed(folder.out_dir)
    if last is None or last.id != folder.last_id:
        return None
    fingerprints = {page.path: page.fingerprint(salt) for page in found.pages}
    out = folder.stage_patch(last)
    try:
        stale = [p for p in found.pages if not out.has(p.path)
                 or (last.get(p.path) or ("",))[0] != fingerprints[p.path]]
        written, digests = [], {}
        for page in stale:
            data, warnings = render(page)
            if warnings:
                out.discard()
                return None
            wrote, digests[page.path] = out.write(page.path, data)
            if wrote:
                written.append(page.path)
        made = _feed_list(folder, last, fingerprints, digests, written, out)
        if made is None:
            out.discard()
            return None
        out.commit_patch(written, made[1])
    except BaseException:
        out.discard()
        raise
    summary.rendered, summary.written = len(stale), len(written)
    summary.parsed = len(found.fresh)
    return made[0]


def _feed_list(folder: output.Folder, last: Listed, fingerprints: dict[str, str],
               digests: dict[str, str], written: list[str],
               out: output.Output) -> tuple[str, list[bytes | memoryview]] | None:
    """feeds.sha256 again, for the same feeds as the last build's list (read back from
    the output folder), then the manifest with the lines of the files rendered again;
    None when that list is not as the last build wrote it, or the manifest lacks a
    line. The list holds the digest the manifest records for each feed (the same
    build wrote both), so it serves for the feeds not rendered again."""
    kept = folder.read(websub.DIGESTS, last)  # None unless the bytes the manifest records
    if kept is None:
        return None
    try:
        text = websub.relisted(kept.decode(), digests)
    except UnicodeDecodeError:
        return None
    page, fingerprints[websub.DIGESTS] = websub.list_page(text), websub.list_fingerprint(text)
    wrote, digests[page.path] = out.write(page.path, text.encode())
    if wrote:
        written.append(page.path)
    return last.replaced({path: (fingerprints[path], digest)
                          for path, digest in digests.items()})
