"""Shared helpers: run the real CLI, copy fixture sites, build the demo site once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


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


def copy_site(source: Path, tmp_path: Path, name: str = "site") -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site (this repository's content/), built once per test session."""
    out = tmp_path_factory.mktemp("demo") / "public"
    run = sitegen("build", "--source", ROOT, "--out", out, "--no-cache")
    assert run.code == 0, run.err
    return out
