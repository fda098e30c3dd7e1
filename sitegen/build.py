"""One build, top to bottom: scan → parse → assemble → plan → render → write."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from sitegen import (
    bundles,
    content,
    dates,
    jsonfeed,
    manifest,
    markup,
    output,
    pagedata,
    pages,
    patch,
    paths,
    schedule,
    shape,
    site,
    stamp,
    tags,
    theme,
    websub,
    words,
    workers,
)
from sitegen import cache as cache_store
from sitegen import config as site_config
from sitegen.cache import Cache
from sitegen.config import Config
from sitegen.errors import BuildErrors, ConfigError, ContentError, SiteError, WarningsFailed
from sitegen.feeds import FeedWriter
from sitegen.pages import Page, StaticFile
from sitegen.site import Entry
from sitegen.summary import Summary
from sitegen.templates import Renderer, renderer_for

if TYPE_CHECKING:  # imported where a build makes the index: a build without it spares
    from sitegen import search  # the import (10 ms, with Pagefind's machinery)

THEME_STATIC = theme.STATIC


@dataclass(frozen=True, slots=True)
class Options:
    site_dir: Path
    out_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False  # publish posts dated after now (--future); else held, or marked
    use_cache: bool = True  # read and write .cache/ (a cache passed to build() is used as is)
    jobs: int = 0  # worker processes; 0: one per core, 1: none
    strict: bool = False  # a warning fails the build before anything is written
    adopt: bool = False  # publish into a folder that holds files sitegen did not write
    search: bool = True  # the search index (off: --no-search); also site.toml's [search]
    search_later: bool = False  # leave changed bundles to `search.update` (the dev server)
    search_store: Path | None = None  # where bundles are made; None: .cache/search/


Advance = workers.Advance  # told how many more items of a stage are done
Progress = Callable[[str, int], contextlib.AbstractContextManager[Advance]]
# told (what, how many) before a long stage; what it gives is told as items are done,
# and the stage ends with the block (cli.py shows it: build.py prints nothing)
LONG = 500  # items from which a stage counts as long work (about a second or more)


def build(options: Options, cache: Cache | None = None, progress: Progress | None = None,
          changed: Collection[str] | None = None, taken: stamp.Taken | None = None) -> Summary:
    """Build the site into its output folder; raise BuildErrors and leave it untouched.
    `changed`: the only content files that may differ since the last build with this
    `cache` (the dev server's watcher knows); None: look at every file. `taken`: the
    stamp of the inputs, taken before (`sitegen build` takes it to check it first)."""
    started = time.perf_counter()
    on_disk = cache is None and options.use_cache
    if on_disk and taken is None:
        taken = take_stamp(options)
    config = load_config(options)
    now = now_of_build()
    out_dir = (options.out_dir or options.site_dir / config.output).resolve()
    with output.claim(out_dir, options.site_dir, options.adopt) as folder, \
            _search_store(options, on_disk) as store, contextlib.ExitStack() as meanwhile:
        try:
            with _collector_held():
                cache = cache or (cache_store.load_state(options.site_dir) if on_disk
                                  else Cache())
                renderer = renderer_for(options.site_dir, config, cache.renderer,
                                        cache.templates_ok, _bytecode_dir(options, on_disk))
                static = _static_files(options.site_dir)
                frame = _frame(options, config, out_dir, renderer, static)
                patched = _from_stamp(options, config, cache, renderer, folder, frame, now,
                                      taken) if on_disk and taken else None
                if patched:
                    patched.seconds = time.perf_counter() - started
                    return patched
                sources = _sources(options.site_dir, cache, changed,
                                   taken.content if taken else None)
                inputs = _inputs(frame, sources)
                if cache.inputs == inputs.digest and cache.manifest == folder.last_id \
                        and dates.within(cache.window, now):
                    if taken and not cache.warnings:
                        _keep_stamp(taken, cache, out_dir)
                    return Summary.unchanged(cache.last, out_dir, time.perf_counter() - started)
                patched = _patched(options, config, cache, sources, renderer, folder, inputs,
                                   now, taken) if on_disk else None
                if patched:
                    patched.seconds = time.perf_counter() - started
                    return patched
                if not cache.loaded:
                    cache_store.load_posts(options.site_dir, cache)
                summary = Summary(out_dir=out_dir, notes=folder.notes,
                                  warnings=list(renderer.warnings))
                parsed = parse_all(sources, config, cache, summary, options.jobs,
                                   options.site_dir, progress)
                sources = _unread(sources)  # not held while pages render, here and in workers
                posts, held = _held_back(parsed, now, options, config, summary)
                indexed, entries = meanwhile.enter_context(
                    _indexing(posts, config, options, store, summary))
                salt = _salt(renderer, config)
                tags_digest = next((s.digest for s in sources if s.path == tags.TAGS_FILE), "")
                assets = bundles.assets(sources, parsed, options.site_dir)
                planned = _plan(posts, config, options, static, salt, cache, tags_digest,
                                folder, assets, entries, renderer.words)
            render_all(planned, config, renderer, cache, folder, summary, options, progress,
                       functools.partial(indexed, planned) if indexed else None)
        finally:
            gc.unfreeze()
    _count(summary, planned)
    cache.window, cache.frame, cache.content_sum = held.window, frame, inputs.content_sum
    if on_disk and not config.search.enabled and planned.shape.key != cache.pages_shape:
        cache.page_rows = pagedata.rows(planned)  # for patch.py, which makes no index
    if _remember(options, cache, inputs.digest, planned, renderer, summary, on_disk) and taken:
        _keep_stamp(taken, cache, out_dir)
    summary.seconds = time.perf_counter() - started
    return summary


def take_stamp(options: Options) -> stamp.Taken | None:
    """The stamp of this build's inputs (stamp.py)."""
    return stamp.take(options.site_dir, options.out_dir, options.base_url, options.drafts,
                      options.future, options.search)


def _keep_stamp(taken: stamp.Taken, cache: Cache, out_dir: Path) -> None:
    """The stamp of a build whose work the cache now holds."""
    stamp.save(taken, out_dir, cache.manifest, cache.window, cache.last, cache.inputs)


def load_config(options: Options) -> Config:
    """site.toml as this build reads it: `--no-search` turns `[search] enabled` off, so
    that the search page and the header's search box go too."""
    config = site_config.load(options.site_dir, options.base_url)
    if options.search:
        return config
    return dataclasses.replace(config, search=site_config.Search(enabled=False))


def now_of_build() -> dt.datetime:
    """The build's now (dates.now): SITEGEN_NOW when set, else the clock."""
    try:
        return dates.now()
    except ValueError as problem:
        raise ConfigError("SITEGEN_NOW", None, f"{problem}; or unset it to use the clock") \
            from None


def _held_back(posts: list[content.Post], now: dt.datetime, options: Options,
               config: Config, summary: Summary) \
        -> tuple[list[content.Post], schedule.Schedule]:
    """The posts to publish now, and what the schedule holds back (the dev server,
    which builds drafts, shows scheduled posts marked instead)."""
    kept, held = schedule.split(posts, now, show=options.drafts, publish=options.future)
    summary.scheduled = held.count
    if held.next_due:
        summary.next_due = f"{held.next_due.astimezone(config.tz):%Y-%m-%d %H:%M}"
    return kept, held


def _search_store(options: Options, on_disk: bool) -> contextlib.AbstractContextManager[Path]:
    if not options.search:  # --no-search: no index is made (load_config)
        return contextlib.nullcontext(Path())
    from sitegen import search
    return search.store_for(options.site_dir, cache_store.CACHE_DIR if on_disk else "",
                            options.search_store)


def _search(entries: Iterable[Entry], config: Config, options: Options,
            store: Path) -> search.Index:
    """The search index's files: each bundle, made again when its posts changed. Drafts
    are there only with --drafts (the dev server), marked."""
    from sitegen import search
    return search.index(list(entries), config, store, options.search_later, options.drafts)


Late = Callable[[], tuple[list[Page], dict[str, str]]]  # pages made while others render
Indexed = Callable[[shape.Planned], tuple[list[Page], dict[str, str]]]


def _search_pages(index: search.Index) -> tuple[list[Page], dict[str, str]]:
    """The search index's files as pages, with their fingerprints: their bytes' digests,
    so that only a changed bundle is copied again."""
    from sitegen import search
    copies = [Page(f.path, pages.COPY, context={"source": f.source, "digest": f.digest,
                                                 "origin": ""}) for f in index.files]
    listing = Page(search.INDEXES, pages.TEXT, context={"text": index.indexes_json})
    prints = {f.path: f"search|{f.digest}" for f in index.files}
    prints[search.INDEXES] = hashlib.sha256(index.indexes_json.encode()).hexdigest()
    return [*copies, listing], prints


Entries = tuple[site.Entry, ...]


def _indexing(posts: list[content.Post], config: Config, options: Options, store: Path,
              summary: Summary) \
        -> contextlib.AbstractContextManager[tuple[Indexed | None, Entries | None]]:
    """The search index (unless turned off). After an edit, it is made in a worker process
    from the site's entries while this one plans and renders (Pagefind runs on another
    core); after many changes (a cold build, whose workers need the memory), and in the
    dev server (which leaves it for later), here from the plan's entries once pages are
    rendered. Yields what gives its files as pages, from the plan, and the entries when
    they were made here already."""
    if not config.search.enabled:
        return contextlib.nullcontext((None, None))
    if options.search_later or summary.parsed > workers.MIN_ITEMS:
        return contextlib.nullcontext((functools.partial(
            _index_here, config=config, options=options, store=store, summary=summary), None))
    return _index_aside(posts, config, options, store, summary)


def _index_here(planned: shape.Planned, config: Config, options: Options, store: Path,
                summary: Summary) -> tuple[list[Page], dict[str, str]]:
    summary.search = _search(planned.entries.values(), config, options, store)
    return _search_pages(summary.search)


@contextlib.contextmanager
def _index_aside(posts: list[content.Post], config: Config, options: Options, store: Path,
                 summary: Summary) -> Iterator[tuple[Indexed, Entries]]:
    """The entries are made before the worker is forked, for it and for the plan: made
    once, not once in each process."""
    entries = site.entries_of(posts, config, _tag_info(options.site_dir), options.drafts)

    def make(_: None) -> search.Index:
        return _search(entries, config, options, store)

    with workers.aside(make, None, options.jobs) as made:
        def indexed(_: shape.Planned) -> tuple[list[Page], dict[str, str]]:
            summary.search = made()
            return _search_pages(summary.search)

        yield indexed, entries


def _remember(options: Options, cache: Cache, inputs: str, planned: shape.Planned,
              renderer: Renderer, summary: Summary, on_disk: bool) -> bool:
    """Keep what this build learnt, in memory and, unless told not to, in .cache/;
    whether .cache/ now holds it."""
    cache.inputs, cache.last, cache.shape = inputs, summary.figures(), planned.shape
    cache.templates_ok = renderer.digest
    cache.renderer = renderer if cache.keep_plan else None
    cache.planned = planned if cache.keep_plan else None
    if not on_disk:
        return False
    problem = cache_store.save(options.site_dir, cache)
    summary.notes.extend([*cache.warnings, *([problem] if problem else [])])
    return not (cache.warnings or problem)


def _sources(site_dir: Path, cache: Cache, changed: Collection[str] | None,
             listed: content.Found | None = None) -> list[content.Source]:
    """Every content file; only those in `changed` are looked at again when given.
    `listed`: the files under content/, listed when the stamp was taken."""
    found = None
    if changed is not None and cache.sources is not None:
        found = content.rescan(site_dir, cache.sources, changed)
    if found is None and not cache.stamps_read:
        cache_store.read_stamps(site_dir, cache)
    sources = content.scan(site_dir, cache.stamps, listed) if found is None else found
    if cache.keep_plan:  # the dev server's: its watcher will say what changed next
        cache.sources = _unread(sources)
    return sources


def _unread(sources: list[content.Source]) -> list[content.Source]:
    """The sources without their bytes, once parsed (24 MB for 10,000 heavy posts)."""
    return [s if not s.data else dataclasses.replace(s, data=b"") for s in sources]


def _bytecode_dir(options: Options, on_disk: bool) -> Path | None:
    return cache_store.templates_dir(options.site_dir) if on_disk else None


@contextlib.contextmanager
def _collector_held() -> Iterator[None]:
    """Hold Python's cycle collector while the build makes its long-lived data (cached
    posts, the site, the plan): on 10,000 posts its passes over that data take 0.1 s
    and free nothing. The data is then frozen, so that the collector skips it while
    pages render, here and in forked workers; build() unfreezes it when done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _plan(posts: list[content.Post], config: Config, options: Options,
          static: list[StaticFile], salt: str, cache: Cache, tags_digest: str,
          folder: output.Folder, assets: dict[str, tuple[bundles.Asset, ...]],
          entries: Entries | None = None,
          the_words: words.Words | None = None) -> shape.Planned:
    """The plan and its fingerprints. When only post bodies changed, only the pages that
    show them are fingerprinted again; the dev server even patches its plan in memory.
    `entries`: the site's, when made already."""
    shape_key = shape.key(posts, salt, str(options.drafts), tags_digest,
                          *(f"{f.path}={f.digest}" for f in static),
                          *(f"{a.source}={a.digest}" for fs in assets.values() for a in fs))
    if cache.planned and cache.planned.shape.key == shape_key:
        shape.patch(cache.planned, posts, salt, config)
        return cache.planned
    same_shape = cache.shape.key == shape_key
    the_site = site.assemble(posts, config, _tag_info(options.site_dir), options.drafts,
                             cache.shape.related if same_shape else None, entries)
    plan = pages.plan(the_site, config, static, markup.stylesheet(), assets, the_words)
    if not same_shape:  # else the last good build had these very paths
        output.check_paths(plan)
        paths.check(plan)
    last = _last_fingerprints(folder, cache) if same_shape else {}
    fingerprints, new_shape = shape.fingerprint(plan, salt, posts, shape_key, cache.shape, last,
                                                options.jobs)
    new_shape.related = site.sources(the_site.related or {})
    return shape.planned(new_shape, the_site, plan, fingerprints)


def _last_fingerprints(folder: output.Folder, cache: Cache) -> dict[str, str]:
    """The fingerprints of the build the cache remembers, from the output folder's
    manifest; none when another build wrote the folder since."""
    if folder.last_id != cache.manifest:
        return {}
    return {path: fp for path, (fp, _) in folder.manifest(cache.written).files.items()}


def _frame(options: Options, config: Config, out_dir: Path, renderer: Renderer,
           static: list[StaticFile]) -> str:
    """The digest of everything a build reads but the content files."""
    head = (f"{cache_store.CODE_VERSION}|{config.digest()}|{out_dir}|{options.drafts}|"
            f"{options.future}|"
            f"{options.search}|{renderer.digest}")
    return _digest(head + "".join(f"|{f.path}={f.digest}" for f in static))


@dataclass(frozen=True, slots=True)
class Inputs:
    """Digests of what a build reads: equal digests, equal sites."""

    frame: str  # of everything but the content files (_frame)
    content_sum: str  # of the content files (content.files_sum), in hex
    digest: str  # of both

    @classmethod
    def of(cls, frame: str, total: int) -> Inputs:
        content_sum = f"{total:064x}"
        return cls(frame, content_sum, _digest(f"{frame}|{content_sum}"))


def _inputs(frame: str, sources: list[content.Source]) -> Inputs:
    return Inputs.of(frame, content.files_sum((s.path, s.digest) for s in sources))


def _digest(text: str) -> str:
    # surrogatepass: a folder name that is not UTF-8 still has a digest
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _may_patch(cache: Cache, frame: str, folder: output.Folder, renderer: Renderer,
               config: Config, now: dt.datetime) -> bool:
    """Whether a build may patch the last one, as far as its frame and the cache's state
    tell (patch.py)."""
    return not (cache.loaded or cache.frame != frame or cache.manifest != folder.last_id
                or cache.last.get("warnings") or renderer.warnings or config.search.enabled
                or not dates.within(cache.window, now))


def _from_stamp(options: Options, config: Config, cache: Cache, renderer: Renderer,
                folder: output.Folder, frame: str, now: dt.datetime,
                taken: stamp.Taken) -> Summary | None:
    """A build that patches the last one, or finds nothing to do, from the files whose
    time or size changed since the last stamp (stamp.changes): it neither lists nor
    looks up the other files. None when the stamp does not tell, or the build must go
    another way."""
    last_sum = _hex(cache.content_sum)
    if last_sum is None or not _may_patch(cache, frame, folder, renderer, config, now):
        return None
    changes = stamp.changes(taken, patch.MOST)
    if changes is None or changes[0] != cache.inputs:
        return None
    edit = patch.edit_from(options.site_dir, changes[1], _is_post)
    if edit is None:
        return None
    inputs = Inputs.of(frame, edit.shifted(last_sum))
    if edit.posts:
        return _patch(options, config, cache, renderer, folder, edit, inputs, taken)
    problem = cache_store.save_part(options.site_dir, cache, {}, [], None, edit.files)
    if not problem:  # times changed, not words
        _keep_stamp(taken, cache, folder.out_dir)
    summary = Summary.unchanged(cache.last, folder.out_dir, 0.0)
    summary.notes = [*folder.notes, *([problem] if problem else [])]
    return summary


def _hex(text: object) -> int | None:
    """The number `text` writes in hex; None when it is not one (a cache of old)."""
    try:
        return int(text, 16) if isinstance(text, str) else None
    except ValueError:
        return None


def _patched(options: Options, config: Config, cache: Cache, sources: list[content.Source],
             renderer: Renderer, folder: output.Folder, inputs: Inputs,
             now: dt.datetime, taken: stamp.Taken | None) -> Summary | None:
    """A build that patches the last one (patch.py), when only posts' words changed
    since; None when this build must go the full way (nothing was done then)."""
    if not _may_patch(cache, inputs.frame, folder, renderer, config, now):
        return None
    changed = patch.changed_posts(sources, cache, _is_post)
    if not changed:
        return None
    now_stamps = content.stamps(sources)
    edit = patch.Edit(changed, {s.path: cache.stamps[s.path][2] for s in changed},
                      {p: v for p, v in now_stamps.items() if cache.stamps.get(p) != v})
    return _patch(options, config, cache, renderer, folder, edit, inputs, taken)


def _patch(options: Options, config: Config, cache: Cache, renderer: Renderer,
           folder: output.Folder, edit: patch.Edit, inputs: Inputs,
           taken: stamp.Taken | None) -> Summary | None:
    """Patch the last build for `edit`; None when it cannot (nothing was done then). Its
    stamp is kept once the cache holds what it did."""
    found = patch.find(options.site_dir, edit.posts, edit.before, cache, config)
    if found is None:
        return None
    summary = Summary.unchanged(cache.last, folder.out_dir, 0.0)
    summary.notes = list(folder.notes)
    feeds = FeedWriter(config)
    made = patch.commit(found, folder, _salt(renderer, config),
                        functools.partial(_render_alone, renderer=renderer, feeds=feeds),
                        summary)
    if made is None:
        return None
    if cache.stamps_read:
        cache.stamps.update(edit.files)
    cache.inputs, cache.content_sum, cache.written, cache.manifest = \
        inputs.digest, inputs.content_sum, None, made
    problem = cache_store.save_part(options.site_dir, cache, found.fresh, found.gone,
                                    found.delta, edit.files)
    if problem:
        summary.notes.append(problem)
    elif taken:
        _keep_stamp(taken, cache, folder.out_dir)
    return summary


def _salt(renderer: Renderer, config: Config) -> str:
    """What every page's fingerprint starts with: sitegen's own code (a new version,
    Markdown's HTML, a filter, makes every page again), the templates, the settings."""
    return f"{cache_store.CODE_VERSION}|{renderer.digest}|{config.digest()}"


def _render_alone(page: Page, renderer: Renderer,
                  feeds: FeedWriter) -> tuple[bytes, tuple[str, ...]]:
    """A page's bytes and the warnings rendering it gave, in this process."""
    before = len(feeds.warnings)
    return render_page(page, renderer, feeds), tuple(feeds.warnings[before:])


def read_site(options: Options) \
        -> tuple[Config, list[content.Source], list[content.Post], site.Site]:
    """Parse and assemble the site as a build does, without planning or rendering (for
    `sitegen check` and `sitegen tags`). Uses the cache on disk when `options.use_cache`,
    but never writes it. The posts are all those parsed, drafts and scheduled ones too;
    the site has those the build publishes."""
    config = load_config(options)
    cache = cache_store.load(options.site_dir) if options.use_cache else Cache()
    sources = content.scan(options.site_dir)
    parsed = parse_all(sources, config, cache, Summary(), options.jobs, options.site_dir)
    posts, _ = _held_back(parsed, now_of_build(), options, config, Summary())
    the_site = site.assemble(posts, config, _tag_info(options.site_dir), options.drafts)
    return config, sources, parsed, the_site


def plan_site(options: Options) -> tuple[Config, list[content.Post], list[Page]]:
    """Parse and plan the site as a build does, without rendering (for `sitegen check`)."""
    config, sources, posts, the_site = read_site(options)
    plan = pages.plan(the_site, config, _static_files(options.site_dir), markup.stylesheet(),
                      bundles.assets(sources, posts, options.site_dir),
                      words.for_site(options.site_dir, config.language))
    return config, posts, plan


def parse_all(sources: list[content.Source], config: Config, cache: Cache,
              summary: Summary, jobs: int = 1, site_dir: Path = Path(),
              progress: Progress | None = None) -> list[content.Post]:
    """Parse every post not in the cache (in worker processes); collect every error."""
    config_digest = config.digest()
    posts = [s for s in sources if _is_post(s.path)]
    keys = [(s.digest, config_digest) for s in posts]
    known = cache.posts
    fresh = [s if s.data else content.load(site_dir, s.path, s.stamp)
             for s, key in zip(posts, keys, strict=True) if key not in known]
    with _stage(progress, "parsing posts", len(fresh)) as advance:
        results = workers.run(functools.partial(_parse_or_error, config=config), fresh, jobs,
                              advance)
    for source, result in zip(fresh, results, strict=True):
        if not isinstance(result, SiteError | BuildErrors):
            cache.remember(source.digest, config_digest, result)
    summary.parsed = len(fresh)
    cache.prune(set(keys))
    cache.stamps = content.stamps(sources)
    errors = [e for r in results if isinstance(r, SiteError | BuildErrors)
              for e in (r.errors if isinstance(r, BuildErrors) else [r])]
    if errors:
        raise BuildErrors(errors)
    return _posts_from_cache(sources, cache, config_digest, summary)


def _stage(progress: Progress | None, what: str, total: int) \
        -> contextlib.AbstractContextManager[Advance | None]:
    """A long stage's progress, told to `progress`; nothing for a short one."""
    if progress is None or total < LONG:
        return contextlib.nullcontext()
    return progress(what, total)


def _is_post(path: str) -> bool:
    return path != tags.TAGS_FILE and content.is_post_file(path)


def _parse_or_error(source: content.Source, config: Config) \
        -> content.Post | content.Skipped | SiteError | BuildErrors:
    try:
        return content.parse(source, config)
    except (SiteError, BuildErrors) as exc:
        return exc


def _posts_from_cache(sources: list[content.Source], cache: Cache, config_digest: str,
                      summary: Summary) -> list[content.Post]:
    """The parsed posts in the sources' order; files that are not posts are warned of."""
    known = cache.posts
    found = [known.get((s.digest, config_digest)) or _not_a_post(s) for s in sources
             if s.path != tags.TAGS_FILE]
    posts = [r for r in found if isinstance(r, content.Post)]
    folders = {p.bundle for p in posts if p.bundle}
    if folders:  # a bundle's other files are its assets, not files to warn of
        found = [r for r in found if isinstance(r, content.Post)
                 or not bundles.bundle_of(r.path, folders)]
    if len(posts) < len(found) or any(p.warnings for p in posts):
        for result in found:
            if isinstance(result, content.Post):
                summary.warnings.extend(_placed(result.source, w) for w in result.warnings)
            else:
                summary.warnings.append(f"{result.path}: {result.reason}")
    return posts


def _placed(source: str, warning: str) -> str:
    """A post's warning with its place in the errors' form: 'content/p.md:5: …'."""
    line, found, rest = warning.removeprefix("line ").partition(": ")
    if warning.startswith("line ") and found and line.isdigit():
        return f"{source}:{line}: {rest}"
    return f"{source}: {warning}"


def _not_a_post(source: content.Source) -> content.Skipped:
    return content.Skipped(source.path, "not a post (posts end in .md or .html); ignored. "
                           "Files to publish as they are belong in static/ or root/, or "
                           "beside a post in its folder (a page bundle: the post's index.md)")


def _tag_info(site_dir: Path) -> dict[str, tags.TagInfo]:
    return tags.load(site_dir)


ROOT_FILES = "root"  # a site folder copied as it is to the output root (CNAME, …)


def _static_files(site_dir: Path) -> list[StaticFile]:
    """The theme's static files, overridden file by file by the site's own; then the
    files of the site's root/ folder, published at the top of the output."""
    found: dict[str, Path] = {}
    for root in (THEME_STATIC, site_dir / "static"):
        found.update(_files_under(root, "static/", hidden=False))
    found.update(_files_under(site_dir / ROOT_FILES, "", hidden=True))
    digests = {rel: _file_digest(path, site_dir) for rel, path in sorted(found.items())}
    errors = [d for d in digests.values() if isinstance(d, SiteError)]
    if errors:
        raise BuildErrors(errors)
    return [StaticFile(rel, str(found[rel]), d, _site_file(found[rel], site_dir))
            for rel, d in digests.items() if isinstance(d, str)]


def _site_file(path: Path, site_dir: Path) -> str:
    """A file's path in the site folder, or '' for a file of the theme."""
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else ""


def _files_under(root: Path, prefix: str, hidden: bool) -> dict[str, Path]:
    """Every file under `root` by its output path, but those in dot-folders; dot-files
    only when `hidden`."""
    if not root.is_dir():
        return {}
    return {f"{prefix}{path.relative_to(root).as_posix()}": path
            for path in sorted(root.rglob("*"))
            if path.is_file() and (hidden or not path.name.startswith("."))
            and not any(part.startswith(".") for part in path.relative_to(root).parts[:-1])}


def _file_digest(path: Path, site_dir: Path) -> str | SiteError:
    """The digest of a file to publish as it is, or why it cannot be published."""
    where = content.escaped(path.relative_to(site_dir).as_posix()
                            if path.is_relative_to(site_dir) else str(path))
    problem = content.name_problem(str(path)) or _outside(path, site_dir)
    if problem:
        return ContentError(where, None, problem)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    except OSError as exc:
        return ContentError(where, None, f"cannot read this file ({exc.strerror or exc}); "
                            "make it readable (chmod u+r) or move it out of the site")


def _outside(path: Path, site_dir: Path) -> str | None:
    """Why a file of the site's static/ or root/ cannot be published: a symlink (to it
    or to a folder above it) that leads out of the site folder, as under content/."""
    if not path.is_relative_to(site_dir):
        return None  # the built-in theme's
    return content.outside_site(os.path.realpath(path), os.path.realpath(site_dir))


def render_all(planned: shape.Planned, config: Config, renderer: Renderer, cache: Cache,
               folder: output.Folder, summary: Summary, options: Options,
               progress: Progress | None = None, late: Late | None = None) -> None:
    """Render pages whose fingerprint changed (in worker processes), then those `late`
    gives (the search index's files, made meanwhile), then commit. With --strict, a
    warning stops the build before the commit."""
    plan, fingerprints = planned.plan, dict(planned.fingerprints)
    last = folder.manifest(cache.written)
    summary.warnings.extend(_vanished(last, fingerprints))
    out = folder.stage()
    try:
        out.check_targets([*plan, websub.list_page()])
        stale = _stale(plan, fingerprints, last, out, cache, options)
        feeds = FeedWriter(config)
        if workers.spread(len(stale), options.jobs) > 1:
            summary.warnings.extend(_prerender(stale, renderer, feeds, options.jobs,
                                               progress))
        render = functools.partial(_render_one, renderer=renderer, feeds=feeds, out=out)
        order, feeds_count = _feeds_first(stale)
        with _stage(progress, "rendering pages", len(stale)) as advance:
            dealt = workers.run(render, [stale[i] for i in order], options.jobs, advance,
                                first=feeds_count)
        results = _in_place(dealt, order)
        if late is not None:
            more = _late_pages(late, fingerprints, last, out, cache, options)
            stale, results = [*stale, *more], [*results, *(render(p) for p in more)]
        summary.warnings.extend(dict.fromkeys(w for _, _, ws in results for w in ws))
        if options.strict and summary.warnings:
            raise WarningsFailed(summary.warnings)
        written = [p.path for p, (wrote, _, _) in zip(stale, results, strict=True) if wrote]
        digests = {p.path: digest for p, (_, digest, _) in zip(stale, results, strict=True)}
        _write_feed_list(plan, fingerprints, digests, written, last, out)
        cache.written = out.commit(written, fingerprints, digests)
    except BaseException:
        out.discard()
        raise
    summary.rendered, summary.written = len(stale), len(written)
    summary.deleted = len(last.files.keys() - fingerprints.keys())
    cache.manifest = cache.written.id


def _feeds_first(stale: list[Page]) -> tuple[list[int], int]:
    """An order of the pages with the feeds first, and how many: workers.run renders them
    in this process alone, so that each entry's Atom <entry> is made and kept in one
    process, not in every one (an entry shows in some five feeds, and the kept entries
    are a sixth of what a worker holds)."""
    feeds = [i for i, p in enumerate(stale) if p.kind == pages.FEED]
    return feeds + [i for i, p in enumerate(stale) if p.kind != pages.FEED], len(feeds)


def _in_place(results: list[Rendered], order: list[int]) -> list[Rendered]:
    """Results in the pages' order, from results in `order`."""
    placed = list(results)
    for result, i in zip(results, order, strict=True):
        placed[i] = result
    return placed


def _write_feed_list(plan: list[Page], fingerprints: dict[str, str],
                     digests: dict[str, str], written: list[str], last: manifest.Manifest,
                     out: output.Output) -> None:
    """feeds.sha256 (websub.py), from the digest of every feed's bytes: rendered now,
    or unchanged since the last build, whose manifest has it. Joins the plan last."""
    page, fingerprints[websub.DIGESTS] = websub.digest_page(
        (p.path for p in plan if websub.is_feed(p)),
        lambda path: digests.get(path) or last.files[path][1])
    wrote, digests[page.path] = out.write(page.path, str(page.context["text"]).encode())
    if wrote:
        written.append(page.path)


def _late_pages(late: Late, fingerprints: dict[str, str], last: manifest.Manifest,
                out: output.Output, cache: Cache, options: Options) -> list[Page]:
    """The stale ones among the pages `late` gives; their fingerprints join the plan's."""
    extra, prints = late()
    fingerprints.update(prints)
    out.check_targets(extra)
    return _stale(extra, fingerprints, last, out, cache, options)


def _stale(plan: list[Page], fingerprints: dict[str, str], last: manifest.Manifest,
           out: output.Output, cache: Cache, options: Options) -> list[Page]:
    """The pages to render: those whose inputs changed since the folder's last build,
    or that are missing. Without the cache (--no-cache), every page: its bytes are then
    compared with the folder's, so a page edited by hand is made again."""
    if not (options.use_cache or cache.keep_plan):
        return plan
    trusted = cache.keep_plan  # the dev server's own folder: nobody else deletes files
    known = last.files
    return [p for p in plan if not ((known.get(p.path) or ("",))[0] == fingerprints[p.path]
                                    and (trusted or out.has(p.path)))]


def _vanished(last: manifest.Manifest, planned: dict[str, str]) -> list[str]:
    gone = output.vanished(last.files, planned)
    if not gone:
        return []
    shown = ", ".join(f"/{p.removesuffix('index.html')}" for p in gone[:5])
    more = f" and {len(gone) - 5} more" if len(gone) > 5 else ""
    return [f"{len(gone)} page(s) of the last build are gone, and links to them will break: "
            f"{shown}{more}; to keep such a URL, add it to the post's 'aliases' "
            "(a redirect), or to a tag's 'old_names' in content/tags.toml"]


def _prerender(stale: list[Page], renderer: Renderer, feeds: FeedWriter,
               jobs: int, progress: Progress | None = None) -> list[str]:
    """Render each entry's list summary and feed body once, spread over the workers,
    before the pages that show them. Else every worker would make nearly all of them
    (an entry shows on some eight pages), and they are a third of the rendering.
    Returns the warnings."""
    tasks: dict[tuple[str, str], Entry] = {}
    for page in stale:
        use = FEED_BODY if page.kind == pages.FEED else SUMMARY
        for entry in page.context.get("entries", ()):
            tasks.setdefault((use, entry.key), entry)
    items = [(use, entry) for (use, _), entry in tasks.items()]
    with _stage(progress, "rendering summaries", len(items)) as advance:
        made = workers.run(functools.partial(_prerender_one, renderer=renderer, feeds=feeds),
                           items, jobs, advance)
    warnings: list[str] = []
    for (use, entry), result in zip(items, made, strict=True):
        if result is not None:  # else the page will meet the error and say where
            html, found = result
            remember = feeds.remember_body if use == FEED_BODY else renderer.remember_summary
            remember(entry, html)
            warnings.extend(found)
    return warnings


SUMMARY, FEED_BODY = "summary", "feed body"


def _prerender_one(item: tuple[str, Entry], renderer: Renderer,
                   feeds: FeedWriter) -> tuple[str, tuple[str, ...]] | None:
    use, entry = item
    if use == FEED_BODY:
        before = len(feeds.warnings)
        return feeds.body(entry), tuple(feeds.warnings[before:])
    try:
        return str(renderer.summary(entry)), ()
    except jinja2.TemplateError:
        return None


Rendered = tuple[bool, str, tuple[str, ...]]  # written, digest of its bytes, warnings


def _render_one(page: Page, renderer: Renderer, feeds: FeedWriter,
                out: output.Output) -> Rendered:
    """Render one page into the staging folder; (written, digest of its bytes, warnings)."""
    before = len(feeds.warnings)
    written, digest = out.write(page.path, render_page(page, renderer, feeds))
    return written, digest, tuple(feeds.warnings[before:])


def render_page(page: Page, renderer: Renderer, feeds: FeedWriter) -> bytes:
    if page.kind == pages.TEMPLATE:
        return renderer.render(page)
    if page.kind == pages.FEED and page.template == pages.JSON_FEED:
        return jsonfeed.render(page, feeds)
    if page.kind == pages.FEED:
        return feeds.render(page)
    if page.kind == pages.TEXT:
        return str(page.context["text"]).encode()
    return Path(page.context["source"]).read_bytes()


def _count(summary: Summary, planned: shape.Planned) -> None:
    summary.posts, summary.tags = planned.posts, planned.tags
    summary.feeds, summary.pages = planned.feeds, planned.html
