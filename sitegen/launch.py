"""The `sitegen` command's entry: a `sitegen build` with nothing to do is answered here,
from the last build's stamp (stamp.py), before the command line is imported.

The command line and the build import argparse, logging, dataclasses, Markdown,
Jinja…: 0.2 s, where a build with nothing to do takes a fraction of that. So a `build`
command written in the plain forms below is read here; anything else (another command,
an abbreviated option, --help, --no-cache) and any build that has something to do or
to tell (warnings) goes to cli.main, with the stamp taken here. The stamp's walk and
those imports run side by side (walker.py), and the imports stop when the walk finds
nothing to do.

The installed command leaves through run(): at once, without Python's teardown of
every module it imported (30–40 ms after a build).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import time
from pathlib import Path

from sitegen import stamp, walker

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import NoReturn

EXIT_INTERRUPTED = 130  # cli.py's too
INTERRUPTED = "interrupted; the output folder holds the last finished build"
FLAGS = {"-q": "quiet", "--quiet": "quiet", "--drafts": "drafts", "--future": "future",
         "--strict": "strict", "--adopt": "adopt", "--no-search": "no_search"}
VALUED = {"--source": "source", "--out": "out", "--base-url": "base_url", "--jobs": "jobs"}


def run() -> NoReturn:
    """The installed command and `python -m sitegen`: main(), then out. sitegen closes
    every file it writes as it goes, so the exit handlers (logging's) and a flush of
    the output are all that Python's exit would still do that matters; its teardown of
    the modules is skipped. With a thread of ours still running, the usual way out."""
    code = main()
    if _threads_running():
        raise SystemExit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: quietly, as Python
            stream.flush()
    os._exit(code)


def main() -> int:
    started = time.perf_counter()
    given = _build_options(sys.argv[1:])
    try:
        walked = walker.walk_while(_wanted(given), _import_build) if given else None
    except KeyboardInterrupt:  # nothing written yet: as cli.main says it
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    if walked and walked.unchanged:
        out_dir, figures = walked.unchanged
        print(_summary_line(figures, out_dir, time.perf_counter() - started))
        return 0
    from sitegen import cli
    return cli.main(taken=walked.taken if walked else None)


def _import_build() -> None:
    """What a build with something to do imports first."""
    import sitegen.build
    import sitegen.cli  # noqa: F401


def _threads_running() -> bool:
    threading = sys.modules.get("threading")  # none started unless it was imported
    return threading is not None and any(
        thread.is_alive() and not thread.daemon for thread in threading.enumerate()
        if thread is not threading.main_thread())


def _build_options(argv: list[str]) -> dict[str, str | bool] | None:
    """`sitegen build`'s options, when every one is written in full as cli.py's parser
    reads it ('--out DIR' or '--out=DIR'); else None, and the parser reads them."""
    if not argv or argv[0] != "build":
        return None
    given: dict[str, str | bool] = {"source": "."}
    words = iter(argv[1:])
    for word in words:
        option, equals, value = word.partition("=")
        if word in FLAGS:
            given[FLAGS[word]] = True
        elif option in VALUED:
            value = value if equals else next(words, "-")
            if value.startswith("-") or (option == "--jobs" and not _whole(value)):
                return None  # the parser may read it another way or refuse it: let it say
            given[VALUED[option]] = value
        else:
            return None
    return given


def _whole(value: str) -> bool:
    """Whether argparse's `type=int` takes `value`."""
    try:
        int(value)
    except ValueError:
        return False
    return True


def _wanted(given: dict[str, str | bool]) -> stamp.Wanted:
    """The stamp cli.run_build would take for these options: stamp.take's arguments."""
    out, base_url = given.get("out"), given.get("base_url")
    return (Path(str(given["source"])), Path(str(out)) if out else None,
            str(base_url) if base_url is not None else None,
            bool(given.get("drafts")), bool(given.get("future")), not given.get("no_search"))


def _summary_line(figures: dict[str, object], out_dir: Path, seconds: float) -> str:
    """cli.print_summary's line for a build that found nothing changed (tests/
    test_launch.py holds them together)."""
    line = (f"Built {figures.get('posts', 0)} posts, {figures.get('pages', 0)} pages, "
            f"{figures.get('tags', 0)} tags, {figures.get('feeds', 0)} feeds into {out_dir} "
            f"in {seconds:.2f} s (0 parsed, 0 rendered, 0 written, 0 warning(s))")
    scheduled = figures.get("scheduled", 0)
    return line + (f"; {scheduled} scheduled, next on {figures.get('next_due', '')}"
                   if scheduled else "")


if __name__ == "__main__":
    run()
