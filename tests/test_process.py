"""One process tree: a build's worker processes never outlive it, however it stops.

A real `python -m sitegen build` of a site big enough for workers runs in a session of
its own, so that its process group names every process it started, even after the
kernel hands orphans to another parent. Processes are read from /proc (Linux).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen import errors, workers
from tests.conftest import ROOT, make_site, post

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
POSTS = 600  # workers start from 200 items; this many keeps them busy for a while
BODY = " ".join(["Some *text* with a [link](https://example.com/)."] * 8)
TIMEOUT = 60.0  # seconds for the build to start its workers; generous on a busy machine
GONE = 10.0  # seconds for every worker to go once the build is stopped


def wait_for(check: Callable[[], object], what: str, timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)
    return found


def children(pid: int) -> list[int]:
    """The live children of `pid` (empty once it has exited)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found += Path(f"/proc/{pid}/task/{task}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found if _state(int(child)) not in ("Z", "")]


def in_group(group: int) -> list[int]:
    """Every live (not zombie) process in process group `group`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and _state(int(name), group) not in ("Z", ""):
            found.append(int(name))
    return found


def _state(pid: int, group: int | None = None) -> str:
    """The process's state letter ('R', 'S', 'Z'…), '' if it is gone or not in `group`."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return fields[0] if group is None or int(fields[2]) == group else ""


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("process") / "site"
    return make_site(root, {f"p{i:04}.md": post(f"Post {i}", tags="[a, b]", body=BODY)
                            for i in range(POSTS)})


def start_build(site: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(site), "--out",
               str(out), "--no-cache", "--jobs", "2"]
    return subprocess.Popen(command, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize(("stop", "whole_group"), [
    (signal.SIGKILL, False), (signal.SIGTERM, False), (signal.SIGINT, False),
    (signal.SIGINT, True),  # Ctrl-C: the terminal signals the whole foreground group
], ids=["kill-9", "sigterm", "sigint", "ctrl-c"])
def test_no_worker_outlives_a_stopped_build(big_site: Path, tmp_path: Path,
                                            stop: signal.Signals, whole_group: bool) -> None:
    build = start_build(big_site, tmp_path / "public")
    try:
        found = wait_for(lambda: children(build.pid) or build.poll() is not None,
                         "the build to start its workers", TIMEOUT)
        assert found is not True, f"the build exited ({build.returncode}) before any worker"
        (os.killpg if whole_group else os.kill)(build.pid, stop)
        build.wait(TIMEOUT)
        wait_for(lambda: not in_group(build.pid), "the workers to go", GONE)
    finally:
        for pid in in_group(build.pid):  # a failed test leaves nothing behind either
            os.kill(pid, signal.SIGKILL)
        if build.poll() is None:
            build.kill()
            build.wait(TIMEOUT)
    assert build.returncode != 0


def test_a_finished_build_leaves_no_process(big_site: Path, tmp_path: Path) -> None:
    build = start_build(big_site, tmp_path / "public")
    assert build.wait(600) == 0
    assert (tmp_path / "public" / "index.html").is_file()
    assert not in_group(build.pid)


# workers.run in this process: same results as a loop, errors raised here, nothing left.

def _double(item: int) -> int:
    return item * 2


TEST_PROCESS = os.getpid()


def _fail_at_300(item: int) -> int:
    if item == 300:
        raise ValueError("item 300 is bad")
    return item


def _fail_in_a_worker(item: int) -> int:
    time.sleep(0.001)  # slow enough that the workers take runs too
    if os.getpid() != TEST_PROCESS:
        raise ValueError(f"item {item} is bad")
    return item


def _fail_here(item: int) -> int:
    time.sleep(0.001)
    if os.getpid() == TEST_PROCESS and item > 100:
        raise ValueError(f"item {item} is bad")
    return item


def _die(item: int) -> int:
    time.sleep(0.001)
    if os.getpid() != TEST_PROCESS:  # the workers, not this process's own share
        os._exit(3)
    return item


def _slow_pid(item: int) -> int:
    time.sleep(0.002)
    return os.getpid()


def _sleep(item: int) -> int:
    time.sleep(30)
    return item


def test_results_come_back_in_order() -> None:
    items = list(range(1001))
    assert workers.spread(len(items), 3) == 3
    assert workers.run(_double, items, 3) == [i * 2 for i in items]


def test_few_items_run_here() -> None:
    assert workers.spread(10, 4) == 1
    assert workers.run(lambda item: os.getpid(), list(range(10)), 4) == [os.getpid()] * 10


def test_an_exception_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match=r"item \d+ is bad") as raised:
        workers.run(_fail_in_a_worker, list(range(600)), 2)
    assert "in a worker process" in "".join(raised.value.__notes__)
    assert not children(os.getpid())


def test_an_exception_in_this_process_share_stops_the_workers() -> None:
    with pytest.raises(ValueError, match=r"item \d+ is bad") as raised:
        workers.run(_fail_here, list(range(600)), 2)
    assert not hasattr(raised.value, "__notes__")  # raised here, not sent by a worker
    assert not children(os.getpid())


def test_this_process_does_a_share_and_forks_one_worker_fewer() -> None:
    pids = workers.run(_slow_pid, list(range(600)), 3)
    assert os.getpid() in pids
    assert len(set(pids)) == 3


def test_runs_go_to_whichever_process_is_free() -> None:
    """A process slowed down (the first items here take long) takes fewer runs: the
    processes finish together, not each after a fixed share of the items."""
    pids = workers.run(_slow_start, list(range(600)), 2)
    counts = collections.Counter(pids)
    assert len(counts) == 2
    assert min(counts.values()) < 200  # the one that took the slow run; a fixed half: 300


def _slow_start(item: int) -> int:
    time.sleep(0.2 if item < 3 else 0.001)  # in the first run, whoever takes it
    return os.getpid()


def test_the_first_items_stay_in_this_process() -> None:
    pids = workers.run(_slow_pid, list(range(600)), 2, first=150)
    assert pids[:150] == [os.getpid()] * 150
    assert len(set(pids[150:])) == 2


def test_more_first_items_than_items_are_all_done_here() -> None:
    assert workers.run(_double, list(range(600)), 2, first=700) == \
        [_double(i) for i in range(600)]


def test_a_worker_that_dies_is_an_error() -> None:
    with pytest.raises(errors.WorkerFailed, match="without its results"):
        workers.run(_die, list(range(600)), 2)
    assert not children(os.getpid())


def test_ctrl_c_kills_the_workers_without_waiting_for_them() -> None:
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            workers.run(_sleep, list(range(600)), 2)  # 300 × 30 s each, were it to wait
    finally:
        timer.cancel()
    assert not children(os.getpid())


# workers.aside: one computation in a worker while this process goes on.

def test_aside_computes_in_another_process() -> None:
    with workers.aside(lambda item: (os.getpid(), item * 2), 21, 0) as result:
        pid, value = result()
    assert value == 42 and pid != os.getpid()
    assert not children(os.getpid())


def test_aside_with_one_job_computes_here_when_asked() -> None:
    with workers.aside(lambda item: os.getpid(), None, 1) as result:
        assert result() == os.getpid()


def test_aside_raises_the_worker_exception_here() -> None:
    with pytest.raises(ValueError, match="item 300 is bad"), \
            workers.aside(_fail_at_300, 300, 0) as result:
        result()
    assert not children(os.getpid())


def test_aside_not_waited_for_is_killed_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the build failed"), \
            workers.aside(_sleep, 1, 0):
        raise RuntimeError("the build failed")
    assert time.monotonic() - started < 10  # not the worker's 30 s
    assert not children(os.getpid())
