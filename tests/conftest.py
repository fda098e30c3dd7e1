"""Shared helpers: run the real CLI, copy fixture sites, build the demo site once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import demo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as a terminal delivers it, however the suite was started. A shell script
    that runs `make test &` (or nohup) starts it with SIGINT ignored, which every
    process it starts inherits: the tests of Ctrl-C would then fail, or wait forever for
    an interrupt. With a handler here, programs the tests start get SIGINT's default."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass
class Run:
    code: int
    out: str
    err: str


def sitegen(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run `python -m sitegen` as a user would, and capture what it prints."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=600)
    return Run(done.returncode, done.stdout, done.stderr)


ImportRuns = tuple[Path, Run, Run, Run]  # the new site; the import, build and check runs


def import_build_check(fmt: str, source: Path, site: Path) -> ImportRuns:
    """`sitegen import` into a new site, then build and check it, as a user would."""
    run = sitegen("import", fmt, source, "--into", site)
    return site, run, sitegen("build", "--source", site), sitegen("check", "--source", site)


def assert_imported_clean(runs: ImportRuns, written: str, built: str = "") -> None:
    """The import said `written` ('posts: 6 written (1 drafts, 2 pages)'), the site built
    (saying `built`, when given) and `sitegen check` found no problems."""
    _, run, build, check = runs
    assert run.code == 0, run.err
    assert written in run.out
    assert build.code == 0, build.err
    assert built in build.out
    assert check.code == 0, check.out + check.err
    assert "no problems" in check.out


def copy_site(source: Path, tmp_path: Path, name: str = "site") -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """sitegen keeps compiled templates in the user's cache folder: tests use their own."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site (this repository's content/), built once per test session."""
    out = tmp_path_factory.mktemp("demo") / "public"
    run = sitegen("build", "--source", ROOT, "--out", out, "--no-cache")
    assert run.code == 0, run.err
    return out


SITE_TOML = 'title = "Test Site"\nbase_url = "https://example.org/"\n'


def make_site(root: Path, posts: dict[str, str], toml: str = SITE_TOML) -> Path:
    """A site folder holding only site.toml and content/."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(toml, encoding="utf-8")
    for name, text in posts.items():
        (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / name).write_text(text, encoding="utf-8")
    return root


def post(title: str, date: str = "2025-01-02", tags: str = "[]", body: str = "Body.",
         **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n{extra}---\n{body}\n"


serving = demo.serving_with  # a local HTTP server with a handler: yields its address
