"""Dev server save → reload latency, measured in a process of its own.

`python -m bench.latency SITE_DIR` starts the dev server's builder
(`sitegen.serve.watch`, no HTTP) with its output in bench/out/serve/, waits until it
has built the site and is watching, then appends a line to the newest post `SAVES`
times. Each time it measures from just before
the write to the moment the builder publishes the reload event to browsers, and
prints the median in seconds (or 'not measured' when sitegen has no such hook).
`--no-search` measures the dev server without its search index (`sitegen serve
--no-search`), as issue 16's targets are.

`measure_serve_start` runs `sitegen serve` itself, as `make serve` does, on a site
whose cache a build left warm: the seconds until its first page is served, then,
after a SIGINT to its process group (what Ctrl-C sends), until it has exited.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import convert

SAVES = 3
TIMEOUT_S = 600.0  # the first build of a large site in one process
NOT_MEASURED = "not measured"
STOP_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class Serve:
    """The dev server's figures in seconds, None where not measured."""

    reload: float | None  # save → reload event
    ready: float | None  # `sitegen serve` started → first page served, cache warm
    gone: float | None  # Ctrl-C (SIGINT) → the process has exited


def measure_serve_start(site_dir: Path, cache_home: Path, search: bool = True) \
        -> tuple[float | None, float | None]:
    """(ready, gone) of `sitegen serve` on `site_dir`; None for what could not be timed."""
    port = _free_port()
    command = [sys.executable, "-m", "sitegen", "serve", "--source", str(site_dir),
               "--port", str(port), *([] if search else ["--no-search"])]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a user's machine (generators.USER_ENV)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True,
                               preexec_fn=_hears_ctrl_c)
    try:
        if not _first_page(port, process):
            return None, None
        ready = time.perf_counter() - started
        os.killpg(process.pid, signal.SIGINT)
        stopping = time.perf_counter()
        process.wait(STOP_TIMEOUT_S)
        return ready, time.perf_counter() - stopping
    except subprocess.TimeoutExpired:
        return ready, None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _hears_ctrl_c() -> None:
    """In the server's process before it starts: SIGINT as a terminal's program has it.
    A bench started in the background by a script (`make bench &`) has SIGINT ignored,
    which its children inherit: Python then installs no KeyboardInterrupt, and the
    server would never hear the Ctrl-C this measures (it timed out at 120 s so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_page(port: int, process: subprocess.Popen[bytes]) -> bool:
    """Poll the home page until it is served (True) or the server has exited."""
    deadline = time.perf_counter() + TIMEOUT_S
    while process.poll() is None and time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.01)
    return False


def measure_serve_latency(site_dir: Path, search: bool = True) -> float | None:
    """Median save → reload seconds on `site_dir`, in a subprocess; None when sitegen
    offers no hook to time it (or it failed: the reason is printed)."""
    done = subprocess.run([sys.executable, "-m", "bench.latency", str(site_dir),
                           *([] if search else ["--no-search"])],
                          capture_output=True, text=True, timeout=TIMEOUT_S * 2, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or lines[-1] == NOT_MEASURED:
        reason = (done.stderr.strip().splitlines() or lines or [NOT_MEASURED])[-1]
        print(f"dev server save → reload: not measured ({reason})")
        return None
    return float(lines[-1])


def time_saves(site_dir: Path, out_dir: Path, post: Path, search: bool = True) -> float | None:
    """In this process: the median save → reload time, or None without a hook."""
    try:
        from sitegen import serve
    except ImportError:
        return None
    watch = getattr(serve, "watch", None)
    if watch is None:
        return None
    reloaded = threading.Event()

    def on_status(status: Any) -> None:
        if getattr(status, "changed", 1):
            reloaded.set()

    with watch(site_dir, out_dir, on_status, search=search) as watcher:
        if not watcher.ready.wait(TIMEOUT_S):
            raise TimeoutError("the dev server never became ready")
        return statistics.median(_save_once(post, reloaded, n) for n in range(SAVES))


def _save_once(post: Path, reloaded: threading.Event, number: int) -> float:
    reloaded.clear()
    started = time.perf_counter()
    with post.open("a", encoding="utf-8") as out:
        out.write(f"\nSaved again by the benchmark ({number}).\n")
    if not reloaded.wait(TIMEOUT_S):
        raise TimeoutError(f"no reload within {TIMEOUT_S:.0f} s of saving {post}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--no-search", action="store_true",
                        help="the dev server without its search index (issue 16's targets)")
    args = parser.parse_args()
    out_dir = Path(__file__).resolve().parent / "out" / "serve"
    shutil.rmtree(out_dir, ignore_errors=True)
    seconds = time_saves(args.site_dir, out_dir, convert.newest_post(args.site_dir / "content"),
                         not args.no_search)
    print(NOT_MEASURED if seconds is None else f"{seconds:.4f}")


if __name__ == "__main__":
    main()
