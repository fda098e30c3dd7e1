"""`sitegen check`: build, then hold the output folder against the plan before it goes out.

Links (links.py), feeds (atom.py), the sitemap and the file list are checked offline;
external links are fetched only with --external.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
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
    search,
    site,
    websub,
)
from sitegen.config import Config
from sitegen.errors import BuildErrors, SiteError
from sitegen.links import Output, Problem

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
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
    sitemap = out_dir / "sitemap.xml"
    written = manifest.read(out_dir) or manifest.Manifest()
    json_feeds = read_json_feeds(out_dir, output.files)
    problems = [
        *describe(links.check_links(output, expected.config, expected.drafts), expected.sources),
        *atom.check_feeds(feeds),
        *history.check_chains(feeds, expected.config),
        *check_json_feeds(json_feeds, output, expected.config),
        *check_sitemap(sitemap.read_bytes() if sitemap.is_file() else None, output,
                       expected.config, expected.indexed),
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
                  indexed: frozenset[str] | None = None) -> list[str]:
    """The sitemap lists every page (HTML, not noindex, not 404.html) once, and nothing
    else; of the HTML files, only those in `indexed` when given (not a verification file
    copied from root/ or placed by hand)."""
    if data is None:
        return ["sitemap.xml: missing from the output"]
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"sitemap.xml: not well-formed XML: {exc}"]
    listed: Counter[str] = Counter()
    problems = []
    for loc in root.iterfind(f"{SITEMAP}url/{SITEMAP}loc"):
        page, issue = _sitemap_page((loc.text or "").strip(), output, config)
        if issue:
            problems.append(f"sitemap.xml: lists {loc.text}, {issue}")
        else:
            listed[page] += 1
    problems.extend(f"sitemap.xml: lists {page} {count} times"
                    for page, count in listed.items() if count > 1)
    problems.extend(f"{page}: a page that sitemap.xml does not list" for page in output.pages
                    if page not in listed and (indexed is None or page in indexed))
    return problems


def _sitemap_page(loc: str, output: Output, config: Config) -> tuple[str, str]:
    """(page, '') for a URL that names a page of the output, else ('', what is wrong)."""
    target = links.resolve(loc, "", config)
    if target is None or target.path is None:
        return "", f"which is not under the base URL {config.base_url}"
    page = links.file_for(target.path, output.files)
    if page is None:
        return "", "which is not in the output"
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
