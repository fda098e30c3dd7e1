"""The command line: the only place that prints errors and picks exit codes."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen import __version__, dates, stamp
from sitegen.errors import BuildErrors, SiteError, WarningsFailed, WorkerFailed, grouped
from sitegen.launch import EXIT_INTERRUPTED, INTERRUPTED
from sitegen.progress import display
from sitegen.summary import Summary

if TYPE_CHECKING:
    from sitegen import newpost
    from sitegen.build import Options
    from sitegen.tagreport import TagUse

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("sitegen")


def main(argv: Sequence[str] | None = None, taken: stamp.Taken | None = None) -> int:
    """`taken`: the stamp launch.py took for the build these arguments ask for."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(words[0] if words else None)
    args = parser.parse_args(words)
    args.taken = taken
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not Path(args.source).is_dir():
        parser.error(f"--source {args.source}: no such folder")
    if not _now_readable():
        return EXIT_CONTENT
    try:
        result: int = args.run(args)
    except KeyboardInterrupt:
        log.error(INTERRUPTED)
        return EXIT_INTERRUPTED
    gc.freeze()  # the collection at exit then skips what is left (20–50 ms on 10k posts)
    return result


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the command a command line names, with that
    command's parser alone (its help and errors are the same): making all of them took
    6-10 ms, a thirtieth of a build after an edit."""
    parser = argparse.ArgumentParser(prog="sitegen", description="Build a tagged link-blog.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, add in COMMANDS.items():
        if command not in COMMANDS or command == name:
            add(commands)
    return parser


def _build_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    _build_options(build_cmd)
    build_cmd.set_defaults(run=run_build)


def _serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve_cmd = commands.add_parser("serve", help="serve the site, rebuild and reload on save")
    _source_option(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open a browser")
    serve_cmd.add_argument("--future", action="store_true",
                           help="show scheduled posts unmarked, as if their time had come")
    serve_cmd.add_argument("--no-search", action="store_true",
                           help="make no search index (and no search page)")
    _quiet_option(serve_cmd)
    serve_cmd.set_defaults(run=_run_serve)


def _check_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check_cmd = commands.add_parser("check", help="build if needed, then check the output")
    _build_options(check_cmd)
    check_cmd.add_argument("--external", action="store_true", help="also fetch external links")
    check_cmd.set_defaults(run=_run_check)


def _import_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from sitegen.importers import FORMATS

    import_cmd = commands.add_parser("import", help="bring posts over from another blog")
    import_cmd.add_argument("format", choices=list(FORMATS), metavar="FORMAT",
                            help=f"the old blog's kind: {', '.join(FORMATS)}")
    import_cmd.add_argument("import_source", metavar="SOURCE",
                            help="the old site's folder, or its export file "
                                 "(a feed: a file or a URL)")
    import_cmd.add_argument("--into", default=".", metavar="SITE_DIR",
                            help="the sitegen site to write into, made when it does not "
                                 "exist (default: .)")
    import_cmd.set_defaults(run=_run_import, source=".")


def _init_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init_cmd = commands.add_parser("init", help="start a new site in a new folder")
    init_cmd.add_argument("folder", metavar="DIR", help="the new site's folder")
    init_cmd.add_argument("--title", help="the site's name (default: from DIR's name)")
    init_cmd.add_argument("--base-url", default="https://example.org/", metavar="URL",
                          help="where it will be published (default: https://example.org/)")
    init_cmd.add_argument("--author", default="Anonymous", help="your name (Anonymous)")
    init_cmd.set_defaults(run=_run_init, source=".")


def _tags_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tags_cmd = commands.add_parser("tags", help="list the site's tags with their counts")
    _tags_options(tags_cmd, argparse.SUPPRESS)
    tags_cmd.add_argument("--sort", choices=("count", "name"), default="count",
                          help="most used first (count, the default), or by name")
    tags_cmd.set_defaults(run=_run_tags, source=".", drafts=False)
    actions = tags_cmd.add_subparsers(dest="tags_action", metavar="ACTION")
    similar = actions.add_parser("similar", help="groups of tags that are likely one tag")
    _tags_options(similar, argparse.SUPPRESS)
    similar.set_defaults(run=_run_tags_similar)
    rename = actions.add_parser("rename", help="rename a tag in every post; the old name "
                                "keeps redirecting")
    rename.add_argument("old", metavar="OLD", help="the tag to rename (any spelling)")
    rename.add_argument("new", metavar="NEW", help="its new name")
    _tag_edit_options(rename)
    merge = actions.add_parser("merge", help="make several tags one, in every post")
    merge.add_argument("olds", nargs="+", metavar="TAG", help="the tags to merge")
    merge.add_argument("--into", required=True, metavar="TAG", help="the tag they become")
    _tag_edit_options(merge)


def _tag_edit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default=argparse.SUPPRESS, metavar="DIR",
                        help="site folder holding site.toml and content/ (default: .)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the changes as a diff; write nothing")
    parser.set_defaults(run=_run_tags_edit)


def _new_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new_cmd = commands.add_parser("new", help="write a new post and open it in your editor")
    new_cmd.add_argument("kind", choices=("link", "entry", "quote", "note"), metavar="KIND",
                         help="link, entry, quote or note")
    new_cmd.add_argument("arg", nargs="?", default="", metavar="ARG",
                         help="link: the URL; entry: the title; quote: the source; "
                              "note: its text (optional)")
    new_cmd.add_argument("--title", default="", help="an entry's title; a link's title "
                         "(default: the page's own, fetched)")
    new_cmd.add_argument("--tags", default="", metavar="a,b", help="tags, comma-separated")
    new_cmd.add_argument("--via", default="", metavar="URL", help="where you found it")
    new_cmd.add_argument("--no-edit", action="store_true", help="do not open $VISUAL/$EDITOR")
    _source_option(new_cmd)
    new_cmd.set_defaults(run=_run_new)


def _ping_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ping = commands.add_parser("ping", help="tell the WebSub hub ([feeds] hub) which feeds "
                               "changed since the site was last published")
    _source_option(ping)
    ping.add_argument("--out", metavar="DIR", help="the built output folder (default: public/)")
    ping.add_argument("--base-url", metavar="URL", help="override site.toml's base_url, as "
                      "the build did")
    ping.add_argument("--since", metavar="FILE|URL", help="the published feeds.sha256 to "
                      "compare with (default: the live site's, at base_url)")
    ping.add_argument("--save", metavar="FILE", help="send nothing: save the live site's "
                      "feeds.sha256 to FILE, for --since after publishing")
    ping.add_argument("--dry-run", action="store_true", help="say what would be sent; "
                      "send nothing")
    ping.set_defaults(run=_run_ping)


def _tags_options(parser: argparse.ArgumentParser, default: str) -> None:
    """--source and --drafts, before or after the action (`tags --source x similar`):
    SUPPRESS, so that an action's parser does not reset what the command's parser read."""
    parser.add_argument("--source", default=default, metavar="DIR",
                        help="site folder holding site.toml and content/ (default: .)")
    parser.add_argument("--drafts", action="store_true", default=default,
                        help="count drafts too")


def _source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default=".", metavar="DIR",
                        help="site folder holding site.toml and content/ (default: .)")


def _quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress display and no notes; warnings, errors and the "
                             "summary line only")


def _build_options(parser: argparse.ArgumentParser) -> None:
    _source_option(parser)
    _quiet_option(parser)
    parser.add_argument("--out", metavar="DIR", help="output folder (default: public/)")
    parser.add_argument("--base-url", metavar="URL", help="override site.toml's base_url")
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--future", action="store_true",
                        help="publish posts dated after now (scheduled posts) now")
    parser.add_argument("--strict", action="store_true",
                        help="fail on warnings, before anything is written")
    parser.add_argument("--adopt", action="store_true",
                        help="publish into a folder that holds files sitegen did not write "
                             "(they are kept, unless a page of the site has their path)")
    parser.add_argument("--no-cache", action="store_true", help="ignore and keep no .cache/")
    parser.add_argument("--no-search", action="store_true",
                        help="make no search index (and no search page)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="worker processes (default: one per core; 1: no workers)")


COMMANDS = {"build": _build_command, "serve": _serve_command, "check": _check_command,
            "import": _import_command, "init": _init_command, "tags": _tags_command,
            "new": _new_command, "ping": _ping_command}  # in the order `--help` lists them


def options_from(args: argparse.Namespace) -> Options:
    from sitegen.build import Options
    return Options(site_dir=Path(args.source), out_dir=Path(args.out) if args.out else None,
                   base_url=args.base_url, drafts=args.drafts, future=args.future,
                   use_cache=not args.no_cache,
                   jobs=args.jobs, strict=args.strict, adopt=args.adopt,
                   search=not args.no_search)


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    wanted = (Path(args.source), Path(args.out) if args.out else None, args.base_url,
              args.drafts, args.future, not args.no_search)
    given: stamp.Taken | None = getattr(args, "taken", None)  # check.py's args have none
    taken = None if args.no_cache else (
        given if given and given.wanted == wanted else stamp.take(*wanted))
    last = stamp.unchanged(taken) if taken else None
    if last:  # nothing to do: answered without importing the build (stamp.py)
        summary = Summary.unchanged(last[1], last[0], time.perf_counter() - started)
        print_summary(summary, args.quiet)
        return _strict_failure([]) if args.strict and summary.warnings else EXIT_OK
    from sitegen.build import build
    try:
        summary = build(options_from(args), progress=display(args.quiet), taken=taken)
    except (SiteError, BuildErrors) as exc:
        return report_errors(exc)
    except WarningsFailed as exc:
        return _strict_failure(exc.warnings)
    except (OSError, WorkerFailed) as exc:
        return _system_failure(exc)
    print_summary(summary, args.quiet)
    if args.strict and summary.warnings:  # a build that found nothing changed
        return _strict_failure([])
    return EXIT_OK


def _system_failure(exc: OSError | WorkerFailed) -> int:
    """The machine, not the site, stopped the build: a full disk, a killed worker."""
    if isinstance(exc, OSError):
        _os_failure(exc, "build again")
    else:
        log.error("error: %s", exc)
    log.error("the output folder holds the last finished build")
    return EXIT_CONTENT


def _os_failure(exc: OSError, then: str) -> int:
    """A file the command needed could not be read or written: which, why, what next."""
    where = f"{exc.filename}: " if exc.filename else ""
    log.error("error: %s%s; fix that and %s", where, exc.strerror or exc, then)
    return EXIT_CONTENT


def _strict_failure(warnings: list[str]) -> int:
    for warning in warnings:
        log.warning("warning: %s", warning)
    log.error("--strict: the warnings above make this build fail; the output folder was "
              "left as it was")
    return EXIT_CONTENT


EXAMPLES = 3  # places shown for a kind of error met in many files


def report_errors(exc: SiteError | BuildErrors, reading: bool = False) -> int:
    """Print every error, those of one kind together with a count and a few places.
    `reading`: the command only reads the site (`sitegen tags`), it builds nothing."""
    errors = exc.errors if isinstance(exc, BuildErrors) else [exc]
    for group in grouped(errors):
        if len(group) == 1:
            log.error("error: %s", group[0])
        else:
            log.error("error: %s: %s\n  %s", _count(group), group[0].kind, _places(group))
    if reading:
        log.error("%d error(s) in the site; fix them and run the command again", len(errors))
    else:
        log.error("build failed with %d error(s); the output folder was left as it was",
                  len(errors))
    return EXIT_CONTENT


def _count(group: list[SiteError]) -> str:
    files = len({e.path for e in group})
    return f"{files} files" if files == len(group) else f"{len(group)} places in {files} files"


def _places(group: list[SiteError]) -> str:
    places = [e.place for e in group[:EXAMPLES]]
    more = len(group) - EXAMPLES
    return ", ".join(places) + (f", … and {more} more" if more > 0 else "")


def print_summary(summary: Summary, quiet: bool = False) -> None:
    for note in summary.notes if not quiet else ():
        log.info("note: %s", note)
    for warning in summary.warnings:
        log.warning("warning: %s", warning)
    print(f"Built {summary.posts} posts, {summary.pages} pages, {summary.tags} tags, "
          f"{summary.feeds} feeds into {summary.out_dir} in {summary.seconds:.2f} s "
          f"({summary.parsed} parsed, {summary.rendered} rendered, {summary.written} written, "
          f"{len(summary.warnings)} warning(s))" + _scheduled(summary))


def _scheduled(summary: Summary) -> str:
    if not summary.scheduled:
        return ""
    return f"; {summary.scheduled} scheduled, next on {summary.next_due}"


def _now_readable() -> bool:
    """Whether SITEGEN_NOW, when set, is a date; else say so (every command reads it)."""
    try:
        dates.now()
    except ValueError as problem:
        log.error("error: %s; or unset it to use the clock", problem)
        return False
    return True


def _run_serve(args: argparse.Namespace) -> int:
    from sitegen.serve import run

    return run(args)


def _run_check(args: argparse.Namespace) -> int:
    from sitegen.check import run

    return run(args)


def _run_ping(args: argparse.Namespace) -> int:
    from sitegen import websub

    try:
        if args.save:
            return _save_published(args)
        ping = websub.prepare(Path(args.source), Path(args.out) if args.out else None,
                              args.base_url, args.since)
        if ping.note:
            log.warning("note: %s", ping.note)
        if not ping.urls:
            print(f"none of the {ping.total} feeds changed since the published list; "
                  f"nothing to send to {ping.hub}")
            return EXIT_OK
        if args.dry_run:
            print(f"would notify {ping.hub} of {_feed_list(ping.urls)}; nothing was sent "
                  "(--dry-run)")
            return EXIT_OK
        refused = websub.send(ping)
    except SiteError as exc:
        log.error("error: %s", exc)
        return EXIT_CONTENT
    except OSError as exc:
        log.error("error: %s%s", f"{exc.filename}: " if exc.filename else "",
                  exc.strerror or exc)
        return EXIT_CONTENT
    sent = [url for url in ping.urls if url not in refused]
    if sent:
        print(f"notified {ping.hub} of {_feed_list(sent)}")
    for url, answer in refused.items():
        log.error("error: the hub refused the notice for %s (%s)", url, answer)
    if refused:
        log.error("%d of %d notices failed; the site itself is published: check [feeds] hub "
                  "in site.toml, then run sitegen ping again", len(refused), len(ping.urls))
        return EXIT_CONTENT
    return EXIT_OK


def _feed_list(urls: Sequence[str]) -> str:
    return f"{len(urls)} feed{'s' if len(urls) != 1 else ''}: {', '.join(urls)}"


def _save_published(args: argparse.Namespace) -> int:
    from sitegen import websub

    file = Path(args.save)
    published = websub.save(Path(args.source), args.base_url, file)
    if published is None:
        print("no [feeds] hub in site.toml: nothing to save (sitegen ping is off)")
    elif published.digests is None:
        log.warning("note: %s; saved an empty list to %s, so that sitegen ping notifies the "
                    "hub of every feed", published.problem, file)
    else:
        print(f"saved the published feed list ({len(published.digests)} feeds) to {file}")
    return EXIT_OK


def _run_init(args: argparse.Namespace) -> int:
    from sitegen.init import create, default_title

    folder = Path(args.folder)
    try:
        written = create(folder, title=args.title or default_title(folder),
                         base_url=args.base_url, author=args.author)
    except SiteError as exc:
        log.error("error: %s", exc)
        return EXIT_CONTENT
    print(f"Made a new site in {folder} ({len(written)} files). Next: cd {folder} && "
          "sitegen serve")
    return EXIT_OK


def _run_import(args: argparse.Namespace) -> int:
    from sitegen.importers import run
    from sitegen.importers.report import SHOWN_PER_KIND

    try:
        report = run(args.format, args.import_source, Path(args.into))
    except SiteError as exc:
        log.error("error: %s", exc)
        log.error("nothing was imported")
        return EXIT_CONTENT
    except OSError as exc:
        return _os_failure(exc, "import again")
    print(report.text(SHOWN_PER_KIND), end="")
    return EXIT_OK


def _run_tags(args: argparse.Namespace) -> int:
    from sitegen import tagreport

    found = _tag_uses(args)
    if isinstance(found, int):
        return found
    for line in tagreport.listing(tagreport.sort_uses(found, args.sort)):
        print(line)
    return EXIT_OK


def _run_tags_similar(args: argparse.Namespace) -> int:
    from sitegen import tagreport

    found = _tag_uses(args)
    if isinstance(found, int):
        return found
    for line in tagreport.similar_lines(tagreport.similar(found)):
        print(line)
    return EXIT_OK


def _run_tags_edit(args: argparse.Namespace) -> int:
    """`tags rename` and `tags merge`: every file checked, then all written, or none."""
    from sitegen import tagedit

    merged = args.tags_action == "merge"
    site = Path(args.source)
    try:
        done = tagedit.plan_merge(site, args.olds, args.into) if merged \
            else tagedit.plan(site, [args.old], args.new)
        if args.dry_run:
            print(tagedit.diff(done.changes), end="")
            log.info("dry run: %d file(s) would change; nothing was written", len(done.changes))
            return EXIT_OK
        tagedit.write(site, done.changes)
    except (SiteError, BuildErrors) as exc:
        for error in exc.errors if isinstance(exc, BuildErrors) else [exc]:
            log.error("error: %s", error)
        log.error("nothing was written")
        return EXIT_CONTENT
    except OSError as exc:
        return _os_failure(exc, "run the command again")
    except WorkerFailed as exc:
        log.error("error: %s; nothing was written", exc)
        return EXIT_CONTENT
    print(tagedit.summary(done, merged))
    return EXIT_OK


def _tag_uses(args: argparse.Namespace) -> list[TagUse] | int:
    """The site's tags, or the exit code after printing its errors as a build does."""
    from sitegen import tagreport
    from sitegen.build import Options
    options = Options(site_dir=Path(args.source), drafts=args.drafts)
    try:
        config, the_site = tagreport.read_site(options)
    except (SiteError, BuildErrors) as exc:
        return report_errors(exc, reading=True)
    except (OSError, WorkerFailed) as exc:
        return _system_failure(exc)
    return tagreport.uses(the_site, config)


def _run_new(args: argparse.Namespace) -> int:
    from sitegen import dates, newpost

    try:
        request = newpost.checked(_new_request(args))
        fetched = _link_title(request)
        path = newpost.create(Path(args.source), fetched.request, dates.now())
        command = None if args.no_edit or not sys.stdin.isatty() else \
            newpost.editor_command(os.environ, path)
    except (SiteError, ValueError) as exc:
        log.error("error: %s", exc)
        return EXIT_CONTENT
    except OSError as exc:
        return _system_failure(exc)
    if fetched.problem:
        log.warning("warning: could not fetch the page's title (%s); used '%s'; "
                    "edit link_title in %s", fetched.problem, fetched.request.title, path)
    print(path, flush=True)
    return _edit(command) if command else EXIT_OK


def _new_request(args: argparse.Namespace) -> newpost.Request:
    from sitegen.newpost import Request, RequestError

    if args.title and args.kind in ("quote", "note"):
        raise RequestError("", None, f"--title is for entries and links; a {args.kind} has "
                           "no title of its own")
    tags = tuple(t for t in args.tags.split(",") if t.strip())
    title = args.title or (args.arg if args.kind == "entry" else "")
    return Request(kind=args.kind, title=title, url=args.arg if args.kind == "link" else "",
                   source=args.arg if args.kind == "quote" else "", tags=tags, via=args.via,
                   body=args.arg if args.kind == "note" else "")


def _link_title(request: newpost.Request) -> Fetched:
    """A link's request with the page's title, when none was given: fetched, else its
    address, with why it could not be fetched."""
    from sitegen import newpost, pagetitle

    if request.kind != "link" or request.title:
        return Fetched(request)
    try:
        return Fetched(dataclasses.replace(request, title=pagetitle.fetch(request.url)))
    except pagetitle.TitleNotFound as exc:
        return Fetched(dataclasses.replace(request, title=newpost.address(request.url)),
                       str(exc))


@dataclasses.dataclass(frozen=True, slots=True)
class Fetched:
    """A request whose link title was looked up, and why it could not be, if so."""

    request: newpost.Request
    problem: str = ""


def _edit(command: list[str]) -> int:
    import subprocess  # here: a build spares its import
    try:
        subprocess.run(command, check=False)
    except OSError as exc:
        log.error("error: could not start the editor %r: %s; the post was written",
                  command[0], exc.strerror or exc)
        return EXIT_CONTENT
    return EXIT_OK
