"""Long work shown as it goes, on stderr: a live bar per stage on a terminal (tqdm), a few
plain lines in CI logs and pipes, nothing with --quiet. build.py tells the stages
(build.Progress) and prints nothing; cli.py and the dev server pick the display here.

tqdm is imported only when a bar is shown (it costs some 15 ms, a no-change build
0.1 s). Bars redraw at most every REFRESH seconds; a stage cut short by Ctrl-C or an
error still ends its line, so the next message starts on a line of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TextIO

log = logging.getLogger("sitegen")
Advance = Callable[[int], None]  # told how many more items are done
Display = Callable[[str, int], contextlib.AbstractContextManager[Advance]]
REFRESH = 0.1  # seconds between redraws of a bar, at least
STEPS = 4  # plain lines: one each quarter of the stage, …
EVERY = 10.0  # … or after this many seconds without one, whichever comes first
SIZE = (80, 24)  # columns and lines of a terminal that tells none (0 × 0: tqdm then
# draws nothing)
BAR = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"


def display(quiet: bool, stream: TextIO | None = None,
            environ: Mapping[str, str] | None = None) -> Display | None:
    """How this run shows long work: not at all when `quiet`, bars on a terminal,
    plain lines in CI (CI set) and when stderr is a pipe or a file."""
    if quiet:
        return None
    on_terminal = is_terminal(stream or sys.stderr, os.environ if environ is None else environ)
    return bars if on_terminal else lines


def is_terminal(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A terminal that draws bars: a tty, TERM not 'dumb', and not a CI log (CI set,
    as GitHub Actions, GitLab and most others do, to anything but false or 0)."""
    ci = environ.get("CI", "").strip().lower() not in ("", "false", "0")
    return stream.isatty() and environ.get("TERM", "") != "dumb" and not ci


@contextlib.contextmanager
def bars(what: str, total: int) -> Iterator[Advance]:
    """A live bar: count done of total, rate and time left; kept on screen when done."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: nothing here sleeps in update()
    if not hasattr(tqdm, "_lock"):
        tqdm.set_lock(threading.RLock())  # else tqdm makes a multiprocessing lock
    told = _size(sys.stderr)  # follow the terminal's size, when it tells one
    bar = None
    try:
        bar = tqdm(total=total, desc=what, file=sys.stderr, mininterval=REFRESH, unit="",
                   bar_format=BAR, dynamic_ncols=bool(told), ncols=(told or SIZE)[0],
                   nrows=(told or SIZE)[1], leave=True)
        yield bar.update
    finally:  # the last count drawn and the line ended, even on Ctrl-C
        if bar is not None:
            bar.close()
        else:  # Ctrl-C while tqdm drew the bar's first state
            sys.stderr.write("\n")


def _size(stream: TextIO) -> tuple[int, int] | None:
    try:
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError):
        return None
    return (size.columns, size.lines) if size.columns and size.lines else None


@contextlib.contextmanager
def lines(what: str, total: int) -> Iterator[Advance]:
    """A line when the stage starts, one each quarter (or every EVERY seconds), one at
    the end with the time it took."""
    told = _Lines(what, total)
    log.info("%s: %d…", what, total)
    try:
        yield told.advance
    finally:
        told.end()


class _Lines:
    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self.started = time.monotonic()
        self.next_count, self.next_time = self._step(1), self.started + EVERY

    def _step(self, quarter: int) -> int:
        return -(-self.total * quarter // STEPS)  # rounded up

    def advance(self, count: int) -> None:
        self.done += count
        if self.done >= self.total:
            return  # end() says so
        if self.done >= self.next_count or time.monotonic() >= self.next_time:
            self._tell()

    def _tell(self) -> None:
        now = time.monotonic()
        rate = self.done / max(now - self.started, 1e-9)
        left = (self.total - self.done) / rate if rate else 0.0
        log.info("%s: %d/%d (%d%%), %.0f/s, about %.0f s left", self.what, self.done,
                 self.total, 100 * self.done // self.total, rate, left)
        quarter = STEPS * self.done // self.total + 1
        self.next_count, self.next_time = self._step(quarter), now + EVERY

    def end(self) -> None:
        seconds = time.monotonic() - self.started
        if self.done >= self.total:
            log.info("%s: %d done in %.1f s", self.what, self.total, seconds)
        else:
            log.info("%s: stopped at %d/%d after %.1f s", self.what, self.done, self.total,
                     seconds)
