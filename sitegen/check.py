"""`sitegen check`: build, then hold the output folder against the plan before it goes out.

Links (links.py), feeds (atom.py), the sitemap and the file list are checked offline;
external links are fetched only with --external.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sitegen import (
    atom,
    build,
    cli,
    content,
    history,
    jsonfeed,
    links,
    manifest,
    pages,
    search,
    site,
    websub,
)
from sitegen.config import Config
from sitegen.errors import BuildErrors, SiteError
from sitegen.links import Output, Problem

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CHILD = re.compile(r"sitemap-[0-9]+\.xml")  # the sitemaps a sitemap index lists
GROUP = 3  # one link problem on more pages than this is reported once, with a count
log = logging.getLogger("sitegen")


@dataclass(frozen=True, slots=True)
class Expected:
    """What the build planned, to hold the output folder against."""

    config: Config
    planned: frozenset[str] | None = None  # every output path; None skips the orphan check
    sources: Mapping[str, str] = field(default_factory=dict)  # post page → its source file
    drafts: Mapping[str, str] = field(default_factory=dict)  # draft URL path → source file
    indexed: frozenset[str] | None = None  # the pages sitemap.xml must list; None: every
    # HTML page of the output (not a redirect, not 404.html)


@dataclass(frozen=True, slots=True)
class Report:
    problems: list[str]
    notes: list[str]  # files placed by hand, which sitegen leaves alone
    pages: int
    links: int
    feeds: int
    external: dict[str, str]  # external URL → the first page that links to it


def run(args: argparse.Namespace) -> int:
    """Build as `sitegen build` does, check the output, print each problem; 1 if any."""
    code = cli.run_build(args)
    if code != cli.EXIT_OK:
        return code
    options = cli.options_from(args)
    try:
        expected = expect(options)
    except (SiteError, BuildErrors) as exc:
        return cli.report_errors(exc)
    out_dir = options.out_dir or options.site_dir / expected.config.output
    report = check_output(out_dir, expected)
    problems = report.problems
    if args.external:
        problems = problems + describe(links.check_external(report.external), expected.sources)
    for note in report.notes:
        log.info("note: %s", note)
    return _finish(problems, report, out_dir, args.external)


def expect(options: build.Options) -> Expected:
    """Plan the site as the build does; note every draft the published site leaves out."""
    config, posts, plan = build.plan_site(options)
    drafts = {} if options.drafts else draft_urls(posts, config)
    sources = {p.path: p.post_source for p in plan if p.post_source}
    planned = frozenset([*(p.path for p in plan), websub.DIGESTS])  # the list: build's
    return Expected(config, planned, sources, drafts,
                    frozenset(p.path for p in plan if p.in_sitemap))


def draft_urls(posts: Iterable[content.Post], config: Config) -> dict[str, str]:
    """Site-relative URL → source file, for every draft's permalink and alias."""
    urls = {}
    for post in posts:
        if post.draft:
            for url in (site.permalink(post, config), *post.aliases):
                urls[site.url_of(url)] = post.source
    return urls


def check_output(out_dir: Path, expected: Expected) -> Report:
    """Every problem in an output folder: links, fragments, drafts, feeds, sitemap, orphans."""
    output = links.read_output(out_dir)
    feeds = read_feeds(out_dir, output.files)
    sitemap = out_dir / pages.SITEMAP
    written = manifest.read(out_dir) or manifest.Manifest()
    json_feeds = read_json_feeds(out_dir, output.files)
    problems = [
        *describe(links.check_links(output, expected.config, expected.drafts), expected.sources),
        *atom.check_feeds(feeds),
        *history.check_chains(feeds, expected.config),
        *check_json_feeds(json_feeds, output, expected.config),
        *check_sitemap(sitemap.read_bytes() if sitemap.is_file() else None, output,
                       expected.config, expected.indexed,
                       lambda path: (out_dir / path).read_bytes()
                       if path in output.files else None),
        *check_plan(output, _with_search(expected, written), out_dir, written)]
    links_found = sum(len(d.links) for d in output.documents.values())
    return Report(problems, hand_placed(output, written), len(output.pages),
                  links_found, len(feeds) + len(json_feeds),
                  links.external_links(output, expected.config))


def read_feeds(out_dir: Path, files: Iterable[str]) -> dict[str, bytes]:
    """Every Atom feed of the output: the .atom files, and the .xml files that hold an
    Atom feed (copies of the site feed at an old site's paths, `[feeds] copies`)."""
    feeds = {}
    for path in sorted(files):
        if path.endswith((".atom", ".xml")):
            data = (out_dir / path).read_bytes()
            if path.endswith(".atom") or atom.is_feed(data):
                feeds[path] = data
    return feeds


def read_json_feeds(out_dir: Path, files: frozenset[str]) -> dict[str, bytes]:
    """Every JSON feed of the output: the .json file beside each .atom file."""
    return {path: (out_dir / path).read_bytes() for path in sorted(files)
            if path.endswith(".json") and path.removesuffix(".json") + ".atom" in files}


def check_json_feeds(feeds: Mapping[str, bytes], output: Output, config: Config) -> list[str]:
    """Every JSON feed parses and says version 1.1, each item has an id, and its links
    to the site land, checked as an Atom feed's are."""
    problems: list[str] = []
    for name, data in feeds.items():
        found, urls = jsonfeed.check(data, name)
        doc = links.Document(name, urls, fragments=False, own=frozenset(urls))
        problems.extend(found)
        problems.extend(describe((Problem(name, url, issue) for url in urls if (
            issue := links.link_issue(url, doc, output, config, {}))), {}))
    return problems


def describe(problems: Iterable[Problem], sources: Mapping[str, str]) -> list[str]:
    """One line per problem, naming the page (and its post); a problem that many pages
    share (a template's) is one line with a count."""
    pages_by_issue: dict[tuple[str, str], list[str]] = defaultdict(list)
    for problem in problems:
        pages_by_issue[(problem.link, problem.issue)].append(problem.page)
    lines = []
    for (link, issue), where in pages_by_issue.items():
        if len(where) > GROUP:
            shown = ", ".join(where[:GROUP])
            lines.append(f"{len(where)} pages ({shown}, …): link {link} {issue}")
        else:
            lines.extend(f"{_place(page, sources)}: link {link} {issue}" for page in where)
    return lines


def _place(page: str, sources: Mapping[str, str]) -> str:
    return f"{page} (from {sources[page]})" if page in sources else page


def check_sitemap(data: bytes | None, output: Output, config: Config,
                  indexed: frozenset[str] | None = None,
                  read: Callable[[str], bytes | None] | None = None) -> list[str]:
    """The sitemap lists every page (HTML, not noindex, not 404.html) once, and nothing
    else; of the HTML files, only those in `indexed` when given (not a verification file
    copied from root/ or placed by hand). A sitemap index lists every sitemap-{n}.xml of
    the output, and its sitemaps together list the pages so; `read` gives an output
    file's bytes (None: not there). No sitemap lists more than the protocol allows."""
    if data is None:
        return [f"{pages.SITEMAP}: missing from the output"]
    root, problems = _read_sitemap(pages.SITEMAP, data)
    if root is None:
        return problems
    listed: defaultdict[str, list[str]] = defaultdict(list)  # page → the sitemaps listing it
    if root.tag == f"{SITEMAP}sitemapindex":
        problems.extend(_check_index(root, output, config, read or (lambda _: None), listed))
        unlisted = f"a page that none of the sitemaps of {pages.SITEMAP} lists"
    else:
        problems.extend(_check_urls(pages.SITEMAP, root, output, config, listed))
        unlisted = f"a page that {pages.SITEMAP} does not list"
    problems.extend(_listed_twice(listed))
    problems.extend(f"{page}: {unlisted}" for page in output.pages
                    if page not in listed and (indexed is None or page in indexed))
    return problems


def _read_sitemap(name: str, data: bytes) -> tuple[etree._Element | None, list[str]]:
    """A sitemap file's XML root, or None and what is wrong; too large a file is named."""
    problems = []
    if len(data) > pages.SITEMAP_BYTES:
        problems.append(f"{name}: holds {len(data):,} bytes, more than the "
                        f"{pages.SITEMAP_BYTES:,} a sitemap may (sitemaps.org)")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.fromstring(data, parser), problems
    except etree.XMLSyntaxError as exc:
        return None, [*problems, f"{name}: not well-formed XML: {exc}"]


def _check_urls(name: str, root: etree._Element, output: Output, config: Config,
                listed: defaultdict[str, list[str]]) -> Iterator[str]:
    """Every URL of the sitemap `name` names a page to index; they are few enough."""
    locs = list(root.iterfind(f"{SITEMAP}url/{SITEMAP}loc"))
    if len(locs) > pages.SITEMAP_URLS:
        yield (f"{name}: lists {len(locs):,} URLs, more than the {pages.SITEMAP_URLS:,} a "
               "sitemap may (sitemaps.org)")
    for loc in locs:
        page, issue = _sitemap_page((loc.text or "").strip(), output, config)
        if issue:
            yield f"{name}: lists {loc.text}, {issue}"
        else:
            listed[page].append(name)


def _check_index(root: etree._Element, output: Output, config: Config,
                 read: Callable[[str], bytes | None],
                 listed: defaultdict[str, list[str]]) -> Iterator[str]:
    """Every sitemap the index lists is a sitemap of the output, listed once, with its
    URLs checked; every sitemap-{n}.xml of the output is listed."""
    locs = [(loc.text or "").strip() for loc in root.iterfind(f"{SITEMAP}sitemap/{SITEMAP}loc")]
    if len(locs) > pages.SITEMAP_URLS:
        yield (f"{pages.SITEMAP}: lists {len(locs):,} sitemaps, more than the "
               f"{pages.SITEMAP_URLS:,} an index may (sitemaps.org)")
    seen: set[str] = set()
    for loc in locs:
        path, issue = _sitemap_file(loc, output, config, seen)
        if issue:
            yield f"{pages.SITEMAP}: lists the sitemap {loc}, {issue}"
            continue
        seen.add(path)
        yield from _check_child(path, read(path), output, config, listed)
    yield from (f"{path}: a sitemap that {pages.SITEMAP} does not list"
                for path in sorted(output.files) if CHILD.fullmatch(path) and path not in seen)


def _sitemap_file(loc: str, output: Output, config: Config, seen: set[str]) -> tuple[str, str]:
    """(file, '') for a URL that names a sitemap file of the output, else ('', what is
    wrong)."""
    path, problem = _output_file(loc, output, config)
    if problem:
        return "", problem
    if path == pages.SITEMAP:
        return "", "which is the index itself"
    return ("", "a second time") if path in seen else (path, "")


def _check_child(path: str, data: bytes | None, output: Output, config: Config,
                 listed: defaultdict[str, list[str]]) -> Iterator[str]:
    if data is None:
        yield f"{path}: listed by {pages.SITEMAP}, but not readable in the output"
        return
    root, problems = _read_sitemap(path, data)
    yield from problems
    if root is not None and root.tag != f"{SITEMAP}urlset":
        yield f"{path}: not a sitemap (<urlset>); an index lists only sitemaps"
    elif root is not None:
        yield from _check_urls(path, root, output, config, listed)


def _listed_twice(listed: Mapping[str, list[str]]) -> Iterator[str]:
    for page, names in listed.items():
        if len(names) > 1:
            where = sorted(set(names), key=names.index)
            yield (f"{where[0]}: lists {page} {len(names)} times" if len(where) == 1 else
                   f"{', '.join(where)}: list {page} {len(names)} times")


def _output_file(loc: str, output: Output, config: Config) -> tuple[str, str]:
    """(the output file a sitemap's URL names, '') or ('', what is wrong)."""
    target = links.resolve(loc, "", config)
    if target is None or target.path is None:
        return "", f"which is not under the base URL {config.base_url}"
    path = links.file_for(target.path, output.files)
    return (path, "") if path is not None else ("", "which is not in the output")


def _sitemap_page(loc: str, output: Output, config: Config) -> tuple[str, str]:
    """(page, '') for a URL that names a page of the output, else ('', what is wrong)."""
    page, problem = _output_file(loc, output, config)
    if problem:
        return "", problem
    if page not in output.documents or not output.documents[page].is_page:
        return "", f"which is not a page to index ({page} is not HTML, a redirect or 404.html)"
    return page, ""


def _with_search(expected: Expected, written: manifest.Manifest) -> frozenset[str] | None:
    """The planned files, with the search index's as the build just wrote them (the plan
    that `sitegen check` makes does not run Pagefind again)."""
    if expected.planned is None or not expected.config.search.enabled:
        return expected.planned
    return expected.planned | {path for path in written.files
                               if path == search.INDEXES or path.startswith(search.BUNDLES)}


def check_plan(output: Output, planned: frozenset[str] | None, out_dir: Path,
               written: manifest.Manifest) -> list[str]:
    """Every file the build planned is in the output folder, and holds the bytes the build
    wrote there (its manifest `written` has their digest); no file it wrote is left over."""
    if planned is None:
        return []
    left = [f"{path}: written by an earlier build, but no page of the site any more"
            for path in sorted(_visible(output.files) - planned) if path in written.files]
    missing = [f"{path}: planned by the build, but missing from the output folder"
               for path in sorted(planned - output.files)]
    return left + missing + [
        f"{path}: differs from what the build wrote there (changed since, or never "
        "finished); `sitegen build --no-cache` writes it again"
        for path in sorted(planned & output.files)
        if manifest.digest((out_dir / path).read_bytes())
        != written.files.get(path, ("", ""))[1]]


def hand_placed(output: Output, written: manifest.Manifest | None) -> list[str]:
    """Files sitegen did not write (CNAME, a verification file): kept by every build."""
    known = written.files if written else {}
    return [f"{path}: placed by hand; sitegen leaves it alone" for path in
            sorted(_visible(output.files)) if path not in known]


def _visible(files: Iterable[str]) -> set[str]:
    """Files but those in dot-folders or dot-files at the root, which sitegen never
    touches (a worktree's .git, its own manifest)."""
    return {path for path in files if not path.startswith(".")}


def _finish(problems: list[str], report: Report, out_dir: Path, external: bool) -> int:
    for problem in problems:
        log.error("%s", problem)
    if problems:
        log.error("check failed: %d problem(s) in %s; fix them before publishing",
                  len(problems), out_dir)
        return cli.EXIT_CONTENT
    count = len(report.external)
    fetched = (f"{count} external links not fetched (--external fetches them)" if not external
               else f"{count} external links fetched" if count <= links.EXTERNAL_LIMIT
               else f"the first {links.EXTERNAL_LIMIT} of {count} external links fetched")
    print(f"Checked {report.pages} pages, {report.links} links, {report.feeds} feeds and the "
          f"sitemap in {out_dir}: no problems; {fetched}")
    return cli.EXIT_OK
