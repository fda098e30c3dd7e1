"""Long work shows its progress: a live bar per stage on a terminal, a few plain lines in
CI logs and pipes, nothing with --quiet; and the output is the same either way."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from unittest import mock

import pytest

from sitegen import build
from sitegen.progress import is_terminal
from tests.conftest import ROOT, Run, make_site, post, sitegen, tree

POSTS = build.LONG + 20  # past the threshold, in every stage
ESCAPE = re.compile(r"\x1b\[")
BAR = re.compile(r"(parsing posts|rendering summaries|rendering pages): +(\d+)%\|.*?\| "
                 r"(\d+)/(\d+) \[")


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Some five hundred tiny posts in a dozen tags: long work by build.LONG's measure."""
    root = tmp_path_factory.mktemp("big") / "site"
    return make_site(root, {f"2025/p{n:04}.md": post(
        f"Post {n}", date=f"2025-{1 + n % 12:02}-{1 + n % 28:02}", tags=f"[t{n % 12}]",
        body=f"Body of post {n}, with a [link](https://example.org/{n}).")
        for n in range(POSTS)})


def on_terminal(*args: str | Path, interrupt_after: re.Pattern[str] | None = None,
                env: dict[str, str] | None = None) -> Run:
    """Run the CLI with stderr on a pseudo-terminal (100 columns), as a user at a
    terminal would; its stdout is a pipe. `interrupt_after`: send Ctrl-C's SIGINT once
    the terminal shows text that matches."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", **(env or {})}
    environ.pop("CI", None)
    child = subprocess.Popen([sys.executable, "-m", "sitegen", *map(str, args)],
                             stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL,
                             env=environ, text=True, start_new_session=True)
    os.close(follower)
    shown = _read_all(leader, child, interrupt_after)
    out = child.stdout.read() if child.stdout else ""
    return Run(child.wait(timeout=120), out, shown)


def _read_all(leader: int, child: subprocess.Popen[str],
              interrupt_after: re.Pattern[str] | None) -> str:
    """Everything the child writes to the terminal, until it closes it."""
    received = b""
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child is gone and the terminal closed
                break
            if not chunk:
                break
            received += chunk
            if interrupt_after and interrupt_after.search(received.decode("utf-8", "replace")):
                os.killpg(child.pid, signal.SIGINT)  # Ctrl-C: the terminal's whole group
                interrupt_after = None
    finally:
        os.close(leader)
    return received.decode("utf-8", "replace")


def piped(*args: str | Path) -> Run:
    """Run the CLI with stdout and stderr on pipes, as a CI job does (CI=true)."""
    with mock.patch.dict(os.environ, {"CI": "true"}):
        return sitegen(*args)


def last_bars(shown: str) -> dict[str, tuple[int, int]]:
    """Each stage's last drawn count and total, as the terminal shows them."""
    found: dict[str, tuple[int, int]] = {}
    for what, _, done, total in BAR.findall(shown):
        found[what] = (int(done), int(total))
    return found


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="module")
def builds(big_site: Path, out: Path) -> dict[str, Run]:
    """The big site built cold three ways: on a terminal ("bars"), in a CI job's pipes
    ("lines"), and on a terminal with --quiet ("quiet"); each into out/<way>."""
    now = {"SITEGEN_NOW": "2026-01-01T00:00:00Z"}
    common = ("--source", big_site, "--no-cache")
    with mock.patch.dict(os.environ, now):
        return {"bars": on_terminal("build", *common, "--out", out / "bars", env=now),
                "lines": piped("build", *common, "--out", out / "lines"),
                "quiet": on_terminal("build", "-q", *common, "--out", out / "quiet", env=now)}


def test_a_terminal_shows_a_bar_per_stage_that_ends_at_its_total(
        builds: dict[str, Run]) -> None:
    run = builds["bars"]
    assert run.code == 0, run.err
    bars = last_bars(run.err)
    assert bars["parsing posts"] == (POSTS, POSTS)
    assert set(bars) == {"parsing posts", "rendering summaries", "rendering pages"}
    assert all(done == total for done, total in bars.values()), bars
    assert "/s]" in run.err  # the rate; the time left is the bracket's second figure
    assert f"Built {POSTS} posts" in run.out
    assert "\x1b[?25l" not in run.err  # the cursor is never hidden, so never left hidden


def test_ci_and_pipes_get_a_few_plain_lines_per_stage(builds: dict[str, Run]) -> None:
    run = builds["lines"]
    assert run.code == 0, run.err
    assert not ESCAPE.search(run.err) and "\r" not in run.err
    lines = [line for line in run.err.splitlines() if line.startswith("parsing posts")]
    assert lines[0] == f"parsing posts: {POSTS}…"
    assert re.fullmatch(rf"parsing posts: {POSTS} done in \d+\.\d s", lines[-1])
    assert 2 <= len(lines) <= 2 + 4  # the start, at most a line a quarter, the end
    for stage in ("rendering summaries", "rendering pages"):
        assert re.search(rf"^{stage}: \d+ done in ", run.err, re.MULTILINE), run.err


def test_quiet_shows_no_progress(builds: dict[str, Run]) -> None:
    run = builds["quiet"]
    assert run.code == 0, run.err
    assert run.err == ""
    assert f"Built {POSTS} posts" in run.out


def test_progress_never_changes_the_output(builds: dict[str, Run], out: Path) -> None:
    assert all(run.code == 0 for run in builds.values())
    assert tree(out / "bars") == tree(out / "lines") == tree(out / "quiet")
    assert len(tree(out / "bars")) > POSTS


def test_ci_on_a_terminal_gets_plain_lines_too() -> None:
    leader, follower = pty.openpty()
    try:
        with os.fdopen(os.dup(follower), "w") as stream:
            assert is_terminal(stream, {"TERM": "xterm"})
            assert not is_terminal(stream, {"TERM": "xterm", "CI": "true"})
            assert not is_terminal(stream, {"TERM": "dumb"})
            assert is_terminal(stream, {"TERM": "xterm", "CI": "false"})
    finally:
        os.close(follower)
        os.close(leader)


def test_a_short_build_shows_nothing_extra(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {f"p{n}.md": post(f"P{n}") for n in range(5)})
    assert piped("build", "--source", site).err == ""
    assert "%|" not in on_terminal("build", "--source", site).err


def test_ctrl_c_during_a_bar_ends_its_line_and_says_interrupted(big_site: Path,
                                                               tmp_path: Path) -> None:
    drawn = re.compile(r"rendering pages: .* \d+\.\d+/s\]")  # a bar with a rate: underway
    run = on_terminal("build", "--source", big_site, "--out", tmp_path / "out", "--no-cache",
                      "--jobs", "1", interrupt_after=drawn)
    assert run.code == 130, run.err
    before, _, after = run.err.rpartition("interrupted; the output folder holds the last "
                                         "finished build")
    assert before.endswith("\n") and "%|" in before  # the bar's line was ended first
    assert after.strip() == ""
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_dev_server_shows_its_first_build(big_site: Path) -> None:
    """On a terminal that tells no size (0 × 0, as `script` gives): bars all the same."""
    leader, follower = pty.openpty()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    environ.pop("CI", None)
    child = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--source", big_site,
                              "--port", "0"], stdout=subprocess.DEVNULL, stderr=follower,
                             stdin=subprocess.DEVNULL, env=environ, start_new_session=True)
    os.close(follower)
    received = b""
    deadline = time.monotonic() + 120
    try:
        while b"Serving at" not in received and time.monotonic() < deadline:
            received += os.read(leader, 65536)
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)
        os.close(leader)
    shown = received.decode("utf-8", "replace")
    assert "Serving at" in shown
    assert last_bars(shown)["parsing posts"] == (POSTS, POSTS)
