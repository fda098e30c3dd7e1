"""A save that changes only a post's words, applied by the dev server in place.

Most saves while writing change one post's body: no title, date, tag or slug. Then
the dev server's plan in memory keeps its shape, and only the pages that show that
post change (shape.patch swaps it in). This renders just those pages, holds them in
memory for the server to answer with (`held`), updates feeds.sha256 and the manifest
kept in memory, and says which outputs changed: no scan of the site, no pass over
every post or page, and no disk write before browsers are told to reload (right
after a build has written thousands of files, the disk can take milliseconds a file).
Anything else (a new or deleted file, a changed title, a scheduled post, a bundle,
an error or a warning) is left to the full build, which reports it. Right after the
reload event (`settle`), the held pages go into the served folder whole (written
beside, then renamed), followed by the pages no browser shows (feeds) and
feeds.sha256; the folder's manifest is written once the server is idle
(`write_manifest`): then the folder is what a full build would leave, byte for byte.
Until then the manifest in memory keeps the id of the one on disk, so that the next
full build takes it (and writes a new one).
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import cache as cache_store
from sitegen import content, dates, manifest, shape, tags, websub
from sitegen.build import render_page
from sitegen.cache import Cache
from sitegen.config import Config
from sitegen.content import Post
from sitegen.errors import BuildErrors, SiteError
from sitegen.feeds import FeedWriter
from sitegen.pages import TEMPLATE, Page
from sitegen.site import Entry


@dataclass
class Patcher:
    """What saves between two full builds share: the feed documents of the plan (for
    feeds.sha256) and the feed HTML already made, by entry key."""

    config: Config
    planned: shape.Planned | None = None
    feeds_changed: set[str] = field(default_factory=set)  # feeds with new bytes, unlisted
    feeds: FeedWriter | None = None
    later: list[Page] = field(default_factory=list)  # for `settle`: pages no browser shows
    unsettled: bool = False  # `settle` has pages to write
    manifest_due: bool = False  # the manifest in memory is newer than the folder's
    feed_digests: dict[str, str] = field(default_factory=dict)  # feed path → bytes' digest
    feeds_text: str = ""  # feeds.sha256 as the folder has it, or will once settled
    # pages rendered but not yet written, by their file's real path: the server reads
    # them from here until `settle` has put them in the folder
    held: dict[str, bytes] = field(default_factory=dict)

    def apply(self, site_dir: Path, out_dir: Path, cache: Cache,
              edited: Collection[str]) -> set[str] | None:
        """Apply a save of the `edited` content files as far as browsers see it: the
        HTML pages that show them, in place. The output paths that changed; None when
        this save is not a change of words alone (then build). `settle` does the rest."""
        planned = cache.planned
        if not _patchable(cache, edited):
            return None
        assert planned is not None and cache.renderer is not None  # _patchable says so
        posts = _reparsed(site_dir, cache, edited, self.config)
        if posts is None:
            return None
        fresh = [(source, post) for source, post in posts
                 if post.digest != planned.entries[post.source].post.digest]
        if not fresh:
            return set()
        self._know(planned, cache)
        shown = sorted({i for _, post in fresh for i in planned.shape.uses.get(post.source, ())})
        salt = f"{cache_store.CODE_VERSION}|{cache.renderer.digest}|{self.config.digest()}"
        shape.patch(planned, [post for _, post in fresh], salt, self.config)
        self._check_feeds([planned.entries[post.source] for _, post in fresh])
        pages = [planned.plan[i] for i in shown]
        seen = [page for page in pages if page.kind == TEMPLATE and page.path.endswith(".html")]
        shown_now = {page.path for page in seen}
        self.later = [page for page in pages if page.path not in shown_now] if seen else []
        assert cache.written is not None  # its file list changes in place: not its text
        cache.written = dataclasses.replace(cache.written, text="")
        changed = self._write(out_dir, cache, seen or pages, hold=bool(seen))
        _remember(cache, fresh, self.config)
        cache.inputs = ""  # the next build looks at everything again
        self.unsettled = True
        return changed

    def settle(self, out_dir: Path, cache: Cache) -> set[str]:
        """After the reload event: the other pages that show the saved posts (feeds),
        feeds.sha256 and the folder's manifest, as a full build would leave them.
        The output paths that changed."""
        if not self.unsettled or cache.written is None:
            return set()
        self.unsettled = False
        for key, data in list(self.held.items()):
            _replace(key, data)
            del self.held[key]  # on disk now: the server reads it there
        later, self.later = self.later, []
        changed = self._write(out_dir, cache, later)
        files = cache.written.files
        if self.feeds_changed:
            text = websub.relisted(self.feeds_text,
                                   {path: self.feed_digests[path] for path in self.feeds_changed})
            self.feeds_changed, self.feeds_text = set(), text
            data = text.encode()
            digest = manifest.digest(data)  # of 2.6 MB on 100,000 posts: once
            if files[websub.DIGESTS][1] != digest:
                _put(out_dir, websub.DIGESTS, data)
                changed.add(websub.DIGESTS)
            files[websub.DIGESTS] = (websub.list_fingerprint(text), digest)
        self.manifest_due = True
        return changed

    def write_manifest(self, out_dir: Path, cache: Cache) -> None:
        """Write the folder's manifest as the saves applied left it."""
        if not self.manifest_due or cache.written is None:
            return
        self.manifest_due = False
        made = manifest.make(cache.written.files)
        manifest.write(out_dir, made)
        cache.written, cache.manifest = made, made.id

    def prepare(self, cache: Cache) -> None:
        """After a full build: learn its plan's feeds now, not at the next save (30 ms and
        more on 100,000 posts)."""
        if cache.planned is not None and cache.written is not None:
            self._know(cache.planned, cache)

    def _know(self, planned: shape.Planned, cache: Cache) -> None:
        if self.planned is not planned:  # a full build planned again since
            assert cache.written is not None
            files = cache.written.files
            digests = {p.path: files[p.path][1] for p in planned.plan if websub.is_feed(p)}
            self.feeds_text, self.feeds_changed = websub.listing(digests), set()
            # known only once all is learnt: a failure leaves it to the next save
            self.planned, self.feeds, self.feed_digests = planned, FeedWriter(self.config), digests

    def _check_feeds(self, entries: list[Entry]) -> None:
        """Make the saved posts' feed HTML now: what it warns of (a link that is no
        URL) is for the full build to report, before any page is written."""
        assert self.feeds is not None
        before = len(self.feeds.warnings)
        for entry in entries:
            self.feeds.body(entry)
        if len(self.feeds.warnings) > before:
            raise BuildErrors([])

    def _write(self, out_dir: Path, cache: Cache, pages: list[Page],
               hold: bool = False) -> set[str]:
        """Render `pages` and put each whole in place unless its bytes are the same
        (or, with `hold`, keep it in `held` for `settle` to put); the manifest in memory
        records them (the next full build reads it)."""
        assert cache.renderer is not None and cache.written is not None
        assert self.feeds is not None and self.planned is not None
        files = cache.written.files
        changed = set()
        real_out = os.path.realpath(out_dir)
        for page in pages:
            data = render_page(page, cache.renderer, self.feeds)
            digest = manifest.digest(data)
            if files[page.path][1] != digest:
                if hold:
                    self.held[os.path.join(real_out, page.path)] = data
                else:
                    _put(out_dir, page.path, data)
                changed.add(page.path)
                if page.path in self.feed_digests:
                    self.feed_digests[page.path] = digest
                    self.feeds_changed.add(page.path)
            files[page.path] = (self.planned.fingerprints[page.path], digest)
        return changed


def _patchable(cache: Cache, edited: Collection[str]) -> bool:
    """Whether the plan in memory can take a save of `edited` in place."""
    planned = cache.planned
    if not (edited and planned and cache.renderer and cache.written and cache.sources):
        return False
    if not all(path in planned.entries and content.is_post_file(path)
               and path != tags.TAGS_FILE for path in edited):
        return False
    try:
        return dates.within(cache.window, dates.now())
    except ValueError:
        return False


def _reparsed(site_dir: Path, cache: Cache, edited: Collection[str],
              config: Config) -> list[tuple[content.Source, Post]] | None:
    """The edited posts parsed again; None unless each keeps its place (its shape) and
    has nothing to warn of, or when one cannot be read."""
    assert cache.planned is not None
    found = []
    for path in sorted(edited):
        try:
            info = os.lstat(site_dir / path)
            source = content.load(site_dir, path, (info.st_mtime_ns, info.st_size))
            post = content.parse(source, config)
        except (OSError, SiteError, BuildErrors):
            return None
        old = cache.planned.entries[path].post
        if not isinstance(post, Post) or post.shape != old.shape or post.warnings \
                or old.warnings or old.scheduled or post.bundle:
            return None
        found.append((source, post))
    return found


def _remember(cache: Cache, fresh: list[tuple[content.Source, Post]], config: Config) -> None:
    """The cache in memory as a full build would leave it for these sources."""
    assert cache.sources is not None
    edited = {source.path: source for source, _ in fresh}
    config_digest = config.digest()
    for source, post in fresh:
        cache.remember(source.digest, config_digest, post)
        cache.stamps[source.path] = (*source.stamp, source.digest)
    for path, source in edited.items():  # the sources lie in their paths' order
        at = bisect.bisect_left(cache.sources, path, key=operator.attrgetter("path"))
        if at < len(cache.sources) and cache.sources[at].path == path:
            cache.sources[at] = dataclasses.replace(source, data=b"")


def _put(out_dir: Path, path: str, data: bytes) -> None:
    """Replace one output file whole: never seen half-written."""
    _replace(f"{out_dir}/{path}", data)


def _replace(target: str, data: bytes) -> None:
    temporary = f"{target}.{secrets.token_hex(4)}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
