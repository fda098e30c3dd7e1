"""One build, top to bottom: scan → parse → assemble → plan → render → write."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import cache as cache_store
from sitegen import config as site_config
from sitegen import content, markup, output, pages, site, tags
from sitegen.cache import Cache
from sitegen.config import Config
from sitegen.errors import BuildErrors, SiteError
from sitegen.feeds import FeedWriter
from sitegen.pages import Page, StaticFile
from sitegen.templates import Renderer

THEME_STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True, slots=True)
class Options:
    site_dir: Path
    out_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    use_cache: bool = True
    jobs: int = 0  # 0: one worker per core
    in_place: bool = False  # the dev server's mode: no fresh folder, no swap


@dataclass
class Summary:
    posts: int = 0
    pages: int = 0
    tags: int = 0
    feeds: int = 0
    rendered: int = 0
    written: int = 0
    parsed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    out_dir: Path = Path()


Progress = Callable[[str, int, int], None]


def build(options: Options, cache: Cache | None = None,
          progress: Progress | None = None) -> Summary:
    """Build the site into its output folder; raise BuildErrors and leave it untouched."""
    started = time.perf_counter()
    config = site_config.load(options.site_dir, options.base_url)
    out_dir = options.out_dir or options.site_dir / config.output
    persistent = cache is None and options.use_cache
    cache = cache or (cache_store.load(options.site_dir) if options.use_cache else Cache())
    summary = Summary(out_dir=out_dir)
    posts = parse_all(content.scan(options.site_dir), config, cache, summary)
    the_site = site.assemble(posts, config, _tag_info(options.site_dir), options.drafts)
    renderer = Renderer(options.site_dir, config)
    plan = pages.plan(the_site, config, _static_files(options.site_dir), markup.stylesheet())
    output.check_paths(plan, _owners(the_site))
    render_all(plan, config, renderer, cache, out_dir, summary, options, progress)
    if persistent:
        cache_store.save(options.site_dir, cache)
    _count(summary, the_site, plan, started)
    return summary


def parse_all(sources: list[content.Source], config: Config, cache: Cache,
              summary: Summary) -> list[content.Post]:
    """Parse every post not in the cache; collect every error before raising."""
    errors: list[SiteError] = []
    posts: list[content.Post] = []
    config_digest = config.digest()
    for source in sources:
        result = _parse_one(source, config, cache, config_digest, summary, errors)
        if isinstance(result, content.Post):
            posts.append(result)
            summary.warnings.extend(f"{result.source}: {w}" for w in result.warnings)
        elif result is not None:
            summary.warnings.append(f"{result.path}: {result.reason}")
    cache.prune({(s.digest, config_digest) for s in sources})
    if errors:
        raise BuildErrors(errors)
    return posts


def _parse_one(source: content.Source, config: Config, cache: Cache, config_digest: str,
               summary: Summary, errors: list[SiteError]) -> content.Post | content.Skipped | None:
    if source.path == tags.TAGS_FILE:
        return None
    if not content.is_post_file(source.path):
        return content.Skipped(source.path, "not a post (posts end in .md or .html); ignored. "
                               "Files to publish as they are belong in static/")
    cached = cache.post(source.digest, config_digest)
    if cached is not None:
        return cached
    try:
        result = content.parse(source, config)
    except SiteError as exc:
        errors.append(exc)
        return None
    summary.parsed += 1
    cache.remember(source.digest, config_digest, result)
    return result


def _tag_info(site_dir: Path) -> dict[str, tags.TagInfo]:
    path = site_dir / tags.TAGS_FILE
    return tags.load_info(path.read_text(encoding="utf-8")) if path.exists() else {}


def _static_files(site_dir: Path) -> list[StaticFile]:
    """The theme's static files, overridden file by file by the site's own."""
    found: dict[str, Path] = {}
    for root in (THEME_STATIC, site_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found[path.relative_to(root).as_posix()] = path
    return [StaticFile(f"static/{rel}", str(path), _file_digest(path))
            for rel, path in sorted(found.items())]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24]


def _owners(the_site: site.Site) -> dict[str, str]:
    """Output path → the post that makes it, for collision messages."""
    owners = {}
    for entry in the_site.entries:
        owners[entry.url + "index.html"] = entry.post.source
        for alias in entry.post.aliases:
            owners[alias.strip("/") + "/index.html"] = entry.post.source
    return owners


def render_all(plan: list[Page], config: Config, renderer: Renderer, cache: Cache,
               out_dir: Path, summary: Summary, options: Options,
               progress: Progress | None = None) -> None:
    """Render pages whose fingerprint changed, carry the rest over, swap the folder in."""
    feeds = FeedWriter(config)
    salt = f"{renderer.digest}|{config.digest()}"
    same_dir = cache.output_dir == str(out_dir.resolve())
    fingerprints: dict[str, str] = {}
    writer = output.InPlace(out_dir) if options.in_place else output.Staging(out_dir)
    with writer as staging:
        for number, page in enumerate(plan, 1):
            if progress and number % 500 == 0:
                progress("render", number, len(plan))
            fingerprint = hashlib.sha256(f"{salt}|{page.inputs()}".encode()).hexdigest()
            fingerprints[page.path] = fingerprint
            if same_dir and cache.outputs.get(page.path) == fingerprint and staging.keep(page.path):
                continue
            staging.write(page.path, render_page(page, renderer, feeds))
            summary.rendered += 1
        summary.written = staging.changed
        if progress:
            progress("render", len(plan), len(plan))
    cache.outputs = fingerprints
    cache.output_dir = str(out_dir.resolve())
    summary.warnings.extend(dict.fromkeys(feeds.warnings))


def render_page(page: Page, renderer: Renderer, feeds: FeedWriter) -> bytes:
    if page.kind == pages.TEMPLATE:
        return renderer.render(page)
    if page.kind == pages.FEED:
        return feeds.render(page)
    if page.kind == pages.TEXT:
        return str(page.context["text"]).encode()
    return Path(page.context["source"]).read_bytes()


def _count(summary: Summary, the_site: site.Site, plan: list[Page], started: float) -> None:
    summary.posts = len(the_site.entries)
    summary.tags = len(the_site.tags)
    summary.feeds = sum(1 for p in plan if p.kind == pages.FEED)
    summary.pages = sum(1 for p in plan if p.path.endswith(".html"))
    summary.seconds = time.perf_counter() - started
