"""Worker processes: run a pure function over many items on every core.

The items are cut into runs (`Runs`), and each process takes the next run whenever it
is free, so that all finish together however uneven the items (dealt by index, one
process finished 1.7 s after the other in a 10-second rendering). This process
works too, and forks N-1 workers, so the (large) shared state is inherited, never
pickled, and the process tree holds one copy fewer than with N workers and an idle
parent; only results travel back, pickled through a pipe between our own processes.
With one job, or few items, it all runs in this process, and the results are the
same either way.

Workers never outlive their parent: on Linux the kernel kills each one when the
parent dies (PR_SET_PDEATHSIG), whatever killed it; elsewhere a thread in the worker
watches for its parent to go. They ignore Ctrl-C, which the terminal sends to the
whole process group: the parent decides, and kills them at once on any exception.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.errors import WorkerFailed

if TYPE_CHECKING:
    import ctypes

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 200  # below this, starting workers costs more than it saves
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_SECONDS = 0.2  # where the kernel cannot watch the parent for us
CHUNK = 1 << 16
HELD = {signal.SIGINT, signal.SIGTERM}
Mask = set[int | signal.Signals]  # as signal.pthread_sigmask returns it
Advance = Callable[[int], None]  # told how many more items are done (progress)
TICK = 0.1  # seconds between reports of the workers' progress, at least
RUNS = 128  # runs the items are cut into, at most: their numbers fit a pipe's buffer
Done = list[tuple[range, list[Any]]]  # what a process computed: runs and their results


@dataclass(slots=True)
class _Worker:
    """One forked worker as the parent sees it: its pid and the pipe it answers on."""

    pid: int
    fd: int
    received: list[bytes] = field(default_factory=list)  # its pickled answer, so far
    results: Done = field(default_factory=list)
    reaped: bool = False


# multiprocessing's "fork" start method, there on every system but Windows: asked of os,
# since importing multiprocessing costs a build that forks no worker 10-20 ms
CAN_FORK = hasattr(os, "fork")


def count(jobs: int) -> int:
    """Worker processes to use: `jobs`, or one per core when 0."""
    return jobs if jobs > 0 else len(os.sched_getaffinity(0))


def spread(items: int, jobs: int) -> int:
    """How many processes `run` uses for that many items: 1 means this one alone."""
    workers = min(count(jobs), max(1, items // (MIN_ITEMS // 2)))
    return 1 if workers <= 1 or items < MIN_ITEMS or not CAN_FORK else workers


def run(function: Callable[[T], R], items: Sequence[T], jobs: int,
        advance: Advance | None = None, first: int = 0) -> list[R]:
    """[function(item) for item in items], spread over `jobs` processes, in order.
    An exception in a worker is raised here, once every worker has been stopped.
    `advance` is told as items are done: after each one here, every TICK from workers.
    `first`: items[:first] are computed in this process alone (what they make and
    keep, then, is kept in one process, not in each), before it takes runs of the rest."""
    first = min(first, len(items))
    workers = spread(len(items), jobs)
    if workers == 1:
        return _here(function, items, advance)
    crew: list[_Worker] = []
    tally = _Tally(workers, advance) if advance else None
    runs = Runs(first, len(items))
    try:
        with signals_held() as mask:
            for w in range(1, workers):
                crew.append(_start(function, items, runs, w, mask, tally))
        mine = _share(function, items, itertools.chain([range(first)], runs),
                      functools.partial(tally.mark, 0, told=True) if tally else None)
        parts = [mine, *_collect(crew, tally)]
    except BaseException:  # Ctrl-C included: do not wait for the others' slices
        _stop(crew, kill=True)
        raise
    finally:
        runs.close()
    _stop(crew, kill=False)
    return _placed(parts, len(items))


class Runs:
    """items[start:stop] cut into runs of consecutive items, taken by whichever process
    asks next: their numbers wait in a pipe, written before the workers fork, and
    each process reads one number (4 bytes: a read no other can split) per run."""

    NUMBER = struct.Struct("=I")

    def __init__(self, start: int, stop: int) -> None:
        count = max(1, min(RUNS, stop - start))
        self.start, self.stop, self.size = start, stop, -(-(stop - start) // count)
        self._fd, writer = os.pipe()
        try:
            os.write(writer, b"".join(self.NUMBER.pack(n) for n in range(count)))
        finally:
            os.close(writer)  # an empty pipe then reads as its end

    def __iter__(self) -> Iterator[range]:
        while len(data := os.read(self._fd, self.NUMBER.size)) == self.NUMBER.size:
            begin = self.start + self.NUMBER.unpack(data)[0] * self.size
            yield range(begin, min(begin + self.size, self.stop))

    def close(self) -> None:
        os.close(self._fd)


def _here(function: Callable[[T], R], items: Sequence[T],
          advance: Advance | None) -> list[R]:
    if advance is None:
        return [function(item) for item in items]
    results = []
    for item in items:
        results.append(function(item))
        advance(1)
    return results


class _Tally:
    """How many items each worker has done, in memory shared with the workers (one
    counter each, written by its worker alone), told to `advance` as it grows."""

    SLOT = struct.Struct("=Q")

    def __init__(self, workers: int, advance: Advance) -> None:
        import mmap  # (with workers only; as ctypes and selectors below)
        self.counts = mmap.mmap(-1, self.SLOT.size * workers)
        self.advance, self.told, self.when = advance, 0, time.monotonic()

    def mark(self, worker: int, done: int, told: bool = False) -> None:
        """In a worker: it has done `done` items. `told`: in the parent, which does
        the first share itself, and tells what all have done meanwhile."""
        self.SLOT.pack_into(self.counts, self.SLOT.size * worker, done)
        if told:
            self.report()

    def report(self, final: bool = False) -> None:
        """In the parent: tell what was done since last told (at most every TICK)."""
        now = time.monotonic()
        if not final and now - self.when < TICK:
            return
        done = sum(n for (n,) in self.SLOT.iter_unpack(self.counts))
        if done > self.told:
            self.advance(done - self.told)
            self.told, self.when = done, now


@contextlib.contextmanager
def aside(function: Callable[[T], R], item: T, jobs: int) -> Iterator[Callable[[], R]]:
    """Compute function(item) in one forked worker while this process goes on; yields a
    function that waits for the result (or raises the worker's exception). A worker not
    waited for is killed when the block ends. With one job, or no fork, it is computed
    when asked for, here."""
    if jobs == 1 or not CAN_FORK:
        yield lambda: function(item)
        return
    with signals_held() as mask:
        worker = _start(function, [item], [range(1)], 0, mask)
    waited = False

    def result() -> R:
        nonlocal waited
        answer: R = _placed(_collect([worker]), 1)[0]
        waited = True
        return answer

    try:
        yield result
    finally:
        _stop([worker], kill=not waited)


@contextlib.contextmanager
def signals_held() -> Iterator[Mask]:
    """Hold Ctrl-C and SIGTERM (in this thread) for a moment; yields the mask to restore.
    While workers are forked: a signal that came during os.fork() would raise
    KeyboardInterrupt inside the logging module's at-fork hook, where Python ignores it,
    and the build would go on. Held, it is raised when they are released, once every
    worker is on the list. The output's commit is held the same way."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield mask
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _start(function: Callable[[Any], Any], items: Sequence[Any], share: Iterable[range],
           number: int, mask: Mask, tally: _Tally | None = None) -> _Worker:
    """Fork worker `number` for the runs of items it takes from `share`."""
    parent = os.getpid()
    libc = _libc()  # loaded here, once, not in every child
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process left: the caller stops the others
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the worker: never returns
        os.close(read_end)
        _work(function, items, share, write_end, lambda: _tie_to(parent, libc, mask),
              functools.partial(tally.mark, number) if tally else None)
    os.close(write_end)
    return _Worker(pid, read_end)


def _work(function: Callable[[Any], Any], items: Sequence[Any], share: Iterable[range],
          fd: int, setup: Callable[[], None], mark: Callable[[int], None] | None) -> None:
    """The worker's whole life: set up, compute its share, send it, exit (no cleanup:
    the parent's atexit handlers and buffered output are not ours to run or flush).
    `mark`, if given, is told how many items are done after each one."""
    code = 1
    try:
        setup()
        try:
            results = _share(function, items, share, mark)
            data = pickle.dumps((True, results), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # raised again in the parent
            data = pickle.dumps((False, _portable(exc)), pickle.HIGHEST_PROTOCOL)
        _send(fd, data)
        code = 0
    finally:
        os._exit(code)


def _share(function: Callable[[Any], Any], items: Sequence[Any], share: Iterable[range],
           mark: Callable[[int], None] | None) -> Done:
    """The runs this process takes from `share`, each with its results."""
    done: Done = []
    count = 0
    for indices in share:
        results = []
        for i in indices:
            results.append(function(items[i]))
            if mark is not None:
                count += 1
                mark(count)
        done.append((indices, results))
    return done


def _tie_to(parent: int, libc: ctypes.CDLL | None, mask: Mask) -> None:
    """Die with `parent`, and leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the dev server's handler
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before prctl: nobody would tell us
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _libc() -> ctypes.CDLL | None:
    """The C library where prctl(PR_SET_PDEATHSIG) exists (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # 2.5 ms: a build without workers never needs it
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _portable(exc: Exception) -> Exception:
    """`exc` with the worker's traceback as a note, if it survives pickling; else a
    RuntimeError carrying that traceback."""
    where = "in a worker process:\n" + "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any failure: send text instead
        return RuntimeError(where)
    exc.add_note(where)
    return exc


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def _collect(crew: list[_Worker], tally: _Tally | None = None) -> list[Done]:
    """Every worker's results, read from all pipes at once (a worker blocks until its
    pipe is drained). The first worker to report an exception has it raised here.
    With a `tally`, its progress is reported meanwhile, every TICK."""
    import selectors
    with selectors.DefaultSelector() as selector:
        for worker in crew:
            selector.register(worker.fd, selectors.EVENT_READ, worker)
        open_pipes = len(crew)
        while open_pipes:
            if tally:
                tally.report()
            for key, _ in selector.select(TICK if tally else None):
                worker = key.data
                chunk = os.read(worker.fd, CHUNK)
                if chunk:
                    worker.received.append(chunk)
                    continue
                selector.unregister(worker.fd)
                open_pipes -= 1
                worker.results = _answer(worker)  # raises a worker's exception at once
    if tally:
        tally.report(final=True)
    return [worker.results for worker in crew]


def _answer(worker: _Worker) -> Done:
    data = b"".join(worker.received)
    worker.received.clear()
    if not data:
        raise WorkerFailed(f"worker process {worker.pid} stopped without its results "
                           f"({_reap(worker)}); run again, or with --jobs 1")
    ok, payload = pickle.loads(data)
    if not ok:
        raise payload
    result: Done = payload
    return result


def _stop(crew: list[_Worker], kill: bool) -> None:
    """Reap every worker and close its pipe; with `kill`, kill them all first (an
    exception, Ctrl-C), so that none outlives this call even if it is interrupted."""
    for worker in crew:
        if kill and not worker.reaped:
            os.kill(worker.pid, signal.SIGKILL)  # unreaped, so the pid is still ours
    for worker in crew:
        os.close(worker.fd)
        _reap(worker)


def _reap(worker: _Worker) -> str:
    """Wait for the worker's exit; how it ended, in words."""
    if worker.reaped:
        return "already stopped"
    _, status = os.waitpid(worker.pid, 0)
    worker.reaped = True
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _placed(parts: list[Done], total: int) -> list[Any]:
    """The results of every process's runs, in the items' order."""
    out: list[Any] = [None] * total
    for done in parts:
        for indices, results in done:
            out[indices.start:indices.stop] = results
    return out
