"""The `sitegen` command's entry: a `sitegen build` with nothing to do is answered here,
from the last build's stamp (stamp.py), before the command line is imported.

The command line and the build import argparse, logging, dataclasses, Markdown,
Jinja…: 40 ms before a build with nothing to do could answer, which alone takes about
as long. So a `build` command written in the plain forms below is read here; anything
else (another command, an abbreviated option, --help, --no-cache) and any build that
has something to do or to tell (warnings) goes to cli.main, with the stamp taken here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sitegen import stamp

FLAGS = {"-q": "quiet", "--quiet": "quiet", "--drafts": "drafts", "--future": "future",
         "--strict": "strict", "--adopt": "adopt", "--no-search": "no_search"}
VALUED = {"--source": "source", "--out": "out", "--base-url": "base_url", "--jobs": "jobs"}


def main() -> int:
    started = time.perf_counter()
    given = _build_options(sys.argv[1:])
    taken = _stamp(given) if given is not None else None
    last = stamp.unchanged(taken) if taken else None
    if last and not last[1].get("warnings"):
        print(_summary_line(last[1], last[0], time.perf_counter() - started))
        return 0
    from sitegen import cli
    return cli.main(taken=taken)


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


def _stamp(given: dict[str, str | bool]) -> stamp.Taken | None:
    """The stamp cli.run_build would take for these options."""
    out, base_url = given.get("out"), given.get("base_url")
    return stamp.take(Path(str(given["source"])), Path(str(out)) if out else None,
                      str(base_url) if base_url is not None else None,
                      bool(given.get("drafts")), bool(given.get("future")),
                      not given.get("no_search"))


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
    raise SystemExit(main())
