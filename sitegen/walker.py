"""The stamp's walk in a child process, while this one imports the build.

A build with something to do spends its first tenths of a second on two things that
need not wait for each other: the walk for its stamp (stamp.take: 0.03 s at 10,000
posts, 0.3 s at 100,000) and importing Markdown, Jinja, lxml and the build (0.2 s).
Where Python can fork (Linux), a child process takes the stamp on the other core and
sends it here; when the stamp says nothing changed, the child also interrupts the
imports with a signal, so that a build with nothing to do answers as soon as before.
Anything unexpected (the child fails, dies or sends nothing) leaves the walk to this
process, as on other systems.

Like stamp.py, this module imports only what Python has loaded already, apart from
signal (1 ms).
"""

from __future__ import annotations

import json
import marshal
import os
import signal
import sys
from array import array
from collections.abc import Callable
from pathlib import Path

from sitegen import stamp

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, NoReturn

WAKE = signal.SIGUSR1  # the child's "nothing changed", to stop the imports
SAME, NONE, TAKEN = b"S", b"N", b"T"  # what the child found: first byte of its message
Unchanged = tuple[Path, dict[str, "Any"]]  # stamp.unchanged's answer


class Answered(BaseException):
    """Raised in the imports when the child found nothing changed (a BaseException, so
    that no library's `except Exception` around an optional import takes it)."""


class Walked:
    """What the child found: the stamp (None when it cannot be trusted), and the last
    build's folder and figures when nothing changed since."""

    __slots__ = ("taken", "unchanged")

    def __init__(self, taken: stamp.Taken | None, unchanged: Unchanged | None) -> None:
        self.taken = taken
        self.unchanged = unchanged


def walk_while(wanted: stamp.Wanted, imports: Callable[[], object]) -> Walked:
    """Take the stamp for `wanted` in a child process while `imports()` runs here; the
    imports are cut short when the child finds nothing changed (a build with nothing
    to do then returns as soon as the walk ends)."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return _here(wanted)
    waking, parent = _Waking(), os.getpid()
    try:
        previous = signal.signal(WAKE, waking.handle)  # before the child can send it
    except ValueError:  # not the main thread, where Python runs signal handlers
        return _here(wanted)
    reading, writing = os.pipe()
    child = _fork()
    if child is None:  # no process to spare
        os.close(reading)
        os.close(writing)
        _restore(previous)
        return _here(wanted)
    if child == 0:  # pragma: no cover (the child leaves by os._exit: coverage never sees it)
        os.close(reading)
        _child(wanted, writing, parent)
    os.close(writing)
    try:
        waking.run(imports)
        message = _receive(reading)
    except BaseException:  # Ctrl-C: the walk is no longer wanted
        os.kill(child, signal.SIGKILL)
        raise
    finally:
        os.close(reading)
        os.waitpid(child, 0)
        _restore(previous)  # the child has ended: no signal can come after
    walked = _decode(wanted, message)
    return walked if walked is not None else _here(wanted)


class _Waking:
    """The imports, and the handler that cuts them short while they run. A signal that
    comes before they start skips them; one that comes after they end does nothing
    (the child has sent its message by then)."""

    __slots__ = ("running", "woken")

    def __init__(self) -> None:
        self.running = self.woken = False

    def run(self, imports: Callable[[], object]) -> None:
        self.running = True
        try:
            if not self.woken:
                imports()
            self.running = False
        except Answered:
            pass
        finally:
            self.running = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.woken = True
        if self.running:
            self.running = False
            raise Answered


def _fork() -> int | None:
    """os.fork(), the child ignoring Ctrl-C (the terminal sends it to the whole process
    group: this process decides) from its first instruction on; None when it fails."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        child = os.fork()
    except OSError:
        child = None
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held here comes now
    return child


def _restore(previous: signal.Handlers | Callable[..., object] | int | None) -> None:
    signal.signal(WAKE, previous if previous is not None else signal.SIG_DFL)


def _here(wanted: stamp.Wanted) -> Walked:
    """The walk in this process, as everywhere before."""
    taken = stamp.take(*wanted)
    return Walked(taken, _unchanged(taken))


def _unchanged(taken: stamp.Taken | None) -> Unchanged | None:
    """stamp.unchanged, when the last build also had no warnings to tell again."""
    last = stamp.unchanged(taken) if taken else None
    return last if last and not last[1].get("warnings") else None


def _child(wanted: stamp.Wanted, writing: int, parent: int) -> NoReturn:
    """Take the stamp, send what it says, and leave without running anything of the
    parent's (exit handlers, buffered output)."""
    code = 1
    try:
        taken = _take_two(wanted)
        last = _unchanged(taken)
        if last is not None:
            _send(writing, SAME + json.dumps([str(last[0]), last[1]]).encode())
            os.kill(parent, WAKE)
        elif taken is None:
            _send(writing, NONE)
        else:
            walk = taken.walk
            _send(writing, TAKEN + marshal.dumps((taken.data[0], walk.numbers.tobytes(),
                                                  walk.folders)))
        code = 0
    finally:  # whatever happened (the parent then walks by itself): never return
        os._exit(code)


def _take_two(wanted: stamp.Wanted) -> stamp.Taken | None:
    """stamp.take(*wanted), walked by two processes at once (stamp.Share): this one and a
    helper of its own. A `stat` of each file is most of a walk, and two cores make
    them side by side. When the helper fails, or content/ changed between the two
    looks at it, this process walks it all."""
    reading, writing = os.pipe()
    helper = _fork()
    if helper is None:
        os.close(reading)
        os.close(writing)
        return stamp.take(*wanted)
    if helper == 0:  # pragma: no cover (it leaves by os._exit)
        os.close(reading)
        _help(wanted, writing)
    os.close(writing)
    try:
        mine = stamp.take_share(wanted, 0)
        message = _receive(reading)
    finally:
        os.close(reading)
        os.waitpid(helper, 0)
    sent, theirs = _share(message)
    if mine is None or (sent and theirs is None):
        return None  # a symlink, a time out of range: take() gives None too
    if theirs is None or mine.inside != theirs.inside:
        return stamp.take(*wanted)
    return stamp.joined(wanted, mine, theirs)


def _help(wanted: stamp.Wanted, writing: int) -> NoReturn:
    code = 1
    try:
        share = stamp.take_share(wanted, 1)
        _send(writing, marshal.dumps(None if share is None else share.dumps()))
        code = 0
    finally:  # whatever happened (the other process then walks by itself): never return
        os._exit(code)


def _share(message: bytes) -> tuple[bool, stamp.Share | None]:
    """Whether the helper sent its share, and the share (None: it found a symlink)."""
    try:
        found = marshal.loads(message)
        return True, None if found is None else stamp.Share.loads(*found)
    except (ValueError, TypeError, EOFError):
        return False, None


def _send(writing: int, data: bytes) -> None:
    with os.fdopen(writing, "wb") as pipe:
        pipe.write(data)


def _receive(reading: int) -> bytes:
    chunks = []
    while chunk := os.read(reading, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(wanted: stamp.Wanted, message: bytes) -> Walked | None:
    """The child's message as a Walked; None when it sent nothing usable."""
    kind, body = message[:1], message[1:]
    try:
        if kind == SAME:
            out_dir, figures = json.loads(body)
            return Walked(None, (Path(out_dir), dict(figures)))
        if kind == NONE:
            return Walked(None, None)
        if kind == TAKEN:
            return Walked(_taken(wanted, *marshal.loads(body)), None)
    except (ValueError, TypeError, EOFError):
        pass
    return None


def _taken(wanted: stamp.Wanted, names: bytes, numbers: bytes,
           folders: list[stamp.Folder]) -> stamp.Taken:
    walk = stamp.Walk()
    walk.names = names.decode().split("\0")
    walk.numbers = array("q", numbers)
    walk.folders = folders
    return stamp.Taken(wanted, walk, names)
