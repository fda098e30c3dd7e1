"""Run one command and measure it: wall time, CPU time, memory.

- wall: from start to exit, `time.perf_counter`.
- cpu: user + system time of the process and every descendant it waited for, from
  `os.wait4` (the same figure as a delta of `getrusage(RUSAGE_CHILDREN)`); system: its
  system part alone.
- peak: the largest sum of resident sets over the whole process tree (main process
  and workers) at one moment, polled every `POLL_S`. Forked workers share
  copy-on-write pages with their parent, which this sum counts once per process, so
  it overstates what the tree holds; a peak shorter than a poll may be missed.
- main, workers: the high-water mark of the main process's resident set, and the
  largest among its descendants (`VmHWM` from /proc, read at every poll: exact up to
  the last poll before each process ends).
- load: the 1-minute load average when the run began. Other work on the machine
  lengthens wall times (CPU times much less): read the figures with it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system, process tree
    system: float  # seconds, system alone (the kernel's part of `cpu`)
    peak_mb: float  # largest polled sum of resident sets over the tree
    main_mb: float  # high-water resident set of the main process
    workers_mb: float  # largest high-water resident set among its descendants (0: none)
    load: float  # the machine's 1-minute load average as the run began


@dataclass
class Memory:
    """What the polls saw: the largest tree sum, each process's high-water mark (MB)."""

    peak: float = 0.0
    marks: dict[int, float] = field(default_factory=dict)  # pid → VmHWM


class BuildFailed(RuntimeError):
    pass


def measure(command: list[str], log: Path, cwd: Path | None = None) -> Run:
    """Run `command` to the end, its output into `log`, and measure it; raise
    BuildFailed on a non-zero exit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        memory, status, usage, ended = _wait_polling(process.pid)
        wall = ended - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise BuildFailed(f"{' '.join(command)} exited with {process.returncode} "
                          f"(log: {log}):\n{tail}")
    marks = memory.marks
    workers = max((mb for pid, mb in marks.items() if pid != process.pid), default=0.0)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_stime, memory.peak,
               marks.get(process.pid, usage.ru_maxrss / 1024), workers, load)


def _wait_polling(pid: int) -> tuple[Memory, int, resource.struct_rusage, float]:
    """Wait for `pid`, polling its tree's memory; (memory, exit status, usage, the
    moment it ended). A thread waits for the exit itself, so that the end is known to
    the microsecond, not to the poll (a no-change build takes about two polls)."""
    root = psutil.Process(pid)
    memory = Memory()
    ended: list[tuple[int, int, resource.struct_rusage, float]] = []
    done = threading.Event()

    def wait() -> None:
        _, status, usage = os.wait4(pid, 0)
        ended.append((pid, status, usage, time.perf_counter()))
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    while not done.is_set():
        _poll(root, memory)
        done.wait(POLL_S)
    _, status, usage, moment = ended[0]
    return memory, status, usage, moment


def _poll(root: psutil.Process, memory: Memory) -> None:
    try:
        pids = [root.pid, *(child.pid for child in root.children(recursive=True))]
    except psutil.Error:
        return
    total = 0.0
    for pid in pids:
        rss, hwm = _status_mb(pid)
        total += rss
        if hwm:
            memory.marks[pid] = hwm
    memory.peak = max(memory.peak, total)


def _status_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB; zeros once it has gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    fields = dict(line.split(":", 1) for line in text.splitlines() if line.startswith("Vm"))
    return _kb_to_mb(fields.get("VmRSS")), _kb_to_mb(fields.get("VmHWM"))


def _kb_to_mb(value: str | None) -> float:
    return int(value.split()[0]) / 1024 if value else 0.0
