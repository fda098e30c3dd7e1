"""The wheel carries the built-in theme: installed into a fresh venv (not editable, offline),
its `sitegen init` makes a site that builds, checks and serves with the theme."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What a build of the package does not read: copied to a scratch folder without them, the
# repository builds there and leaves nothing (build/, *.egg-info) in the checkout.
LEFT_OUT = {".git", ".venv", "node_modules", "public", ".cache", "build", "dist", "bench",
            "tests", "content", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"}
TIMEOUT = 300


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A command, with no PYTHONPATH: a fresh venv must find sitegen by itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done


def _left_out(folder: str, names: list[str]) -> set[str]:
    if Path(folder) == ROOT:
        return {n for n in names if n in LEFT_OUT or n.endswith(".egg-info")
                or n.startswith(".public.")}
    return {n for n in names if n == "__pycache__"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, a wheel built from it and a wheel built from the checkout, offline."""
    work = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(ROOT, work / "source", ignore=_left_out)
    run(sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
        "b.build_sdist(sys.argv[1])", work / "sdist", cwd=source)
    sdist = next((work / "sdist").glob("sitegen-*.tar.gz"))
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
           "--no-build-isolation", "--disable-pip-version-check", "--wheel-dir"]
    run(*pip, work / "from-sdist", sdist)
    run(*pip, work / "from-checkout", source)
    return {"source": source, "sdist": sdist,
            "wheel": next((work / "from-sdist").glob("*.whl")),
            "checkout wheel": next((work / "from-checkout").glob("*.whl"))}


def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {n for n in archive.namelist() if ".dist-info/" not in n}


def test_the_wheel_carries_the_theme_the_skeleton_and_every_module(
        built: dict[str, Path]) -> None:
    inside, source = names(built["wheel"]), built["source"]
    for folder in ("templates", "static"):
        for path in (source / folder).rglob("*"):
            if path.is_file():
                assert f"sitegen/theme_files/{path.relative_to(source).as_posix()}" in inside
    package = source / "sitegen"
    for path in [*package.rglob("*.py"), *package.glob("*.js"), *package.glob("*.html"),
                 *package.rglob("skeleton/**/*")]:
        if path.is_file() and "__pycache__" not in path.parts:
            assert path.relative_to(source).as_posix() in inside, path
    assert not any(n.startswith(("templates/", "static/", "tests/")) for n in inside)
    assert names(built["checkout wheel"]) == inside  # pip install <clone> gets the same


def test_the_sdist_carries_the_theme(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as archive:
        inside = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"templates/base.html", "static/style.css", "setup.py", "MANIFEST.in",
            "sitegen/skeleton/dot-github/workflows/deploy.yml"} <= inside


@pytest.fixture(scope="module")
def venv(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed, not editable and offline; sitegen's
    dependencies are the test venv's, seen through a .pth line."""
    fresh = tmp_path_factory.mktemp("venv") / "fresh"
    run(sys.executable, "-m", "venv", "--without-pip", fresh)
    run(sys.executable, "-m", "pip", "--python", fresh / "bin" / "python", "install", "--quiet",
        "--no-deps", "--no-index", "--disable-pip-version-check", built["wheel"])
    purelib = run(fresh / "bin" / "python", "-c",
                  "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(purelib) / "zz_test_dependencies.pth").write_text("\n".join(ours) + "\n")
    return fresh


def test_the_installed_sitegen_is_the_wheel_s_with_its_theme(venv: Path) -> None:
    shown = run(venv / "bin" / "python", "-c", "import sitegen, sitegen.theme as t; "
                "print(sitegen.__file__); print(t.TEMPLATES); print(t.STATIC)", cwd=venv)
    for line in shown.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(venv.resolve()), line
        assert Path(line).exists(), line


@pytest.fixture(scope="module")
def new_site(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "blog"
    made = run(venv / "bin" / "sitegen", "init", folder, "--title", "Fresh Start")
    assert "sitegen serve" in made.stdout
    return folder


def test_init_then_build_publishes_the_theme(venv: Path, new_site: Path,
                                             built: dict[str, Path]) -> None:
    done = run(venv / "bin" / "sitegen", "build", cwd=new_site)
    assert "Built 4 posts" in done.stdout and "0 warning(s)" in done.stdout, done.stderr
    public = new_site / "public"
    assert (public / "static" / "style.css").read_bytes() == \
        (built["source"] / "static" / "style.css").read_bytes()
    home = (public / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="stylesheet" href="[^"]*static/style\.css', home)
    assert "Fresh Start" in home and "Starting this blog" in home
    assert (public / "404.html").is_file() and (public / "sitemap.xml").is_file()
    checked = run(venv / "bin" / "sitegen", "check", cwd=new_site)
    assert "no problems" in checked.stdout


@pytest.fixture
def serving(venv: Path, new_site: Path) -> Iterator[str]:
    """`cd blog && sitegen serve` with the installed sitegen; yields its URL."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.Popen([str(venv / "bin" / "sitegen"), "serve", "--port", "0"],
                               cwd=new_site, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"Serving at (\S+)", "".join(lines))):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        yield found[1]
    finally:
        process.terminate()
        process.wait(20)
        reader.join(5)


def test_serve_works_at_once_in_the_new_site(serving: str, built: dict[str, Path]) -> None:
    with urllib.request.urlopen(serving, timeout=30) as home:
        assert home.status == 200 and "Fresh Start" in home.read().decode("utf-8")
    with urllib.request.urlopen(serving + "static/style.css", timeout=30) as style:
        assert style.read() == (built["source"] / "static" / "style.css").read_bytes()
