"""`sitegen init`: a new site that builds, checks and publishes at once; a folder in use is
refused, and a file already there is never overwritten."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen import config, init
from tests.conftest import ROOT, sitegen

FILES = {".github/workflows/deploy.yml", ".gitignore", "Makefile", "site.toml",
         "content/starting-this-blog.md", "content/a-page-about-blogs.md",
         "content/write-it-down.md", "content/first-note.md", "content/pages/about.md"}
SITEGEN_SCRIPT = f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m sitegen "$@"\n'


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site made by `sitegen init`, then built."""
    folder = tmp_path_factory.mktemp("init") / "field-notes"
    run = sitegen("init", folder, "--title", 'Field "Notes"', "--author", "Ada Quill",
                  "--base-url", "https://example.org/notes/")
    assert run.code == 0, run.err
    assert f"cd {folder} && sitegen serve" in run.out
    built = sitegen("build", cwd=folder)
    assert built.code == 0 and "0 warning(s)" in built.out, built.err
    assert "warning" not in built.err
    return folder


def test_a_new_site_has_its_files_and_checks_clean(site: Path) -> None:
    assert {p for p in files(site) if not p.startswith(("public/", ".cache/"))} == FILES
    checked = sitegen("check", cwd=site)
    assert checked.code == 0 and "no problems" in checked.out, checked.out + checked.err
    assert "public/" in (site / ".gitignore").read_text() and \
        ".cache/" in (site / ".gitignore").read_text()


def test_site_toml_holds_what_was_given_and_documents_the_rest(site: Path) -> None:
    text = (site / "site.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"title": 'Field "Notes"', "author": "Ada Quill",
                                   "base_url": "https://example.org/notes/"}
    for key in ("# description", "# timezone", "# [permalinks]", "# [feeds]"):
        assert key in text, key
    assert config.load(site).title == 'Field "Notes"'


def test_one_sample_post_of_each_kind_and_an_about_page_are_published(site: Path) -> None:
    public = site / "public"
    home = (public / "index.html").read_text(encoding="utf-8")
    assert "Field &#34;Notes&#34;" in home or "Field &quot;Notes&quot;" in home
    assert "Starting this blog" in home and "thoughts too short for a title" in home
    assert "Blog - Wikipedia" in (public / "links" / "index.html").read_text()
    assert "Write it down while" in (public / "quotes" / "index.html").read_text()
    assert "Starting this blog" in (public / "entries" / "index.html").read_text()
    assert "/notes/about/" in home and "Say here who writes" in (public / "about" /
                                                                 "index.html").read_text()
    feed = (public / "atom" / "everything.atom").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 4 and "Ada Quill" in feed
    assert "https://example.org/notes/" in feed


def make(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The new site's Makefile, with `sitegen` on PATH running this repository's code."""
    bin_dir = site.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "sitegen").write_text(SITEGEN_SCRIPT, encoding="utf-8")
    (bin_dir / "sitegen").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=site, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_makefile_builds_serves_checks_and_deploys(site: Path) -> None:
    assert make(site, "-n", "serve").stdout.strip() == "sitegen serve"
    assert make(site, "-n", "build").stdout.strip() == "sitegen build"
    checked = make(site, "check")
    assert checked.returncode == 0 and "no problems" in checked.stdout, checked.stderr
    assert make(site, "deploy").returncode == 2  # no DEPLOY_CMD: an example, and a stop
    marker = site.parent / "deployed"
    deployed = make(site, "deploy", f"DEPLOY_CMD=touch {marker}")
    assert deployed.returncode == 0 and marker.exists(), deployed.stderr


def workflow(site: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load((site / ".github/workflows/deploy.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def run_lines(flow: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for job in flow["jobs"].values()
                     for step in job["steps"])


def test_the_workflow_passes_actionlint_and_publishes_to_pages(site: Path) -> None:
    actionlint = shutil.which("actionlint") or str(ROOT / ".venv" / "bin" / "actionlint")
    done = subprocess.run([actionlint, "-no-color", ".github/workflows/deploy.yml"],
                          cwd=site, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    flow = workflow(site)
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    used = [step.get("uses", "") for job in flow["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in used)
    assert any(u.startswith("actions/deploy-pages@") for u in used)
    assert 'pip install "$SITEGEN_INSTALL"' in run_lines(flow)
    assert re.search(r"^sitegen check", run_lines(flow), re.MULTILINE)


class Installed:
    """importlib.metadata's view of a sitegen installed from `direct_url`."""

    def __init__(self, direct_url: dict[str, Any]) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct_url) if name == "direct_url.json" else None


def install_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 direct_url: dict[str, Any]) -> str:
    monkeypatch.setattr(init.metadata, "distribution", lambda name: Installed(direct_url))
    folder = tmp_path / "blog"
    init.create(folder, title="T", base_url="https://example.org/", author="A")
    return workflow(folder)["env"]["SITEGEN_INSTALL"]


COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("url", ["https://github.com/someone/sitegen.git",
                                 "https://name:token@github.com/someone/sitegen.git",
                                 "ssh://git@github.com/someone/sitegen.git"])
def test_the_workflow_installs_sitegen_from_the_git_url_it_came_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    line = install_line(tmp_path, monkeypatch, {"url": url, "vcs_info": {
        "vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}})
    assert line == ("${{ vars.SITEGEN_INSTALL || "
                    f"'git+https://github.com/someone/sitegen.git@{COMMIT}' }}}}")


def test_a_clone_s_public_remote_is_where_the_workflow_installs_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    git = ["git", "-C", str(clone), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["remote", "add", "origin", "git@github.com:someone/sg.git"],
                 ["commit", "-q", "--allow-empty", "-m", "start"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    line = install_line(tmp_path, monkeypatch, {"url": clone.as_uri(), "dir_info": {}})
    assert f"'git+https://github.com/someone/sg.git@{head.strip()}'" in line


def test_without_a_public_source_the_workflow_says_what_to_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = install_line(tmp_path, monkeypatch, {"url": "file:///tmp/sitegen-0.1.0.whl",
                                                "archive_info": {}})
    assert line == "${{ vars.SITEGEN_INSTALL || '' }}"
    text = (tmp_path / "blog/.github/workflows/deploy.yml").read_text()
    assert "could not tell" in text and "::error::Set the repository variable" in text


def test_a_folder_in_use_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "thesis"
    (folder / "chapters").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    run = sitegen("init", folder)
    assert run.code == 1
    assert "is not empty: it holds chapters, notes.txt" in run.err
    assert "Traceback" not in run.err
    assert files(folder) == {"notes.txt"}


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "blog").write_text("")
    run = sitegen("init", tmp_path / "blog")
    assert run.code == 1 and "is a file, not a folder" in run.err


def test_a_fresh_github_repository_is_fine_and_its_files_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    (folder / ".git").mkdir(parents=True)
    kept = {"README.md": "# My blog\n", "LICENSE": "MIT\n", ".gitignore": "*.log\n",
            ".github/workflows/deploy.yml": "name: mine\n"}
    for name, text in kept.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    run = sitegen("init", folder)
    assert run.code == 0, run.err
    for name, text in kept.items():
        assert (folder / name).read_text() == text, name
    assert "kept .gitignore as it was" in run.err
    assert "kept .github/workflows/deploy.yml as it was" in run.err
    assert (folder / "site.toml").is_file() and (folder / "Makefile").is_file()


def test_a_link_where_a_folder_goes_is_not_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / ".github").symlink_to(elsewhere)
    run = sitegen("init", folder)
    assert run.code == 0, run.err
    assert list(elsewhere.iterdir()) == []
    assert "kept .github/workflows/deploy.yml as it was" in run.err


def test_a_bad_base_url_stops_init_before_it_writes_anything(tmp_path: Path) -> None:
    run = sitegen("init", tmp_path / "blog", "--base-url", "example.org")
    assert run.code == 1 and "base_url" in run.err
    assert not (tmp_path / "blog").exists()


def test_an_importer_gets_an_empty_site_with_its_settings(tmp_path: Path) -> None:
    folder = tmp_path / "moved"
    settings = ('timezone = "America/Chicago"\ntitle = "Old name"\n\n[permalinks]\n'
                'post = "/{year}/{month_num}/{slug}/"\n')
    written = init.create(folder, title="New name", base_url="https://example.org/",
                          author="A", samples=False, settings=settings)
    assert {p.relative_to(folder).as_posix() for p in written} == \
        {p for p in FILES if not p.startswith("content/")}
    assert (folder / "content").is_dir() and not any((folder / "content").iterdir())
    loaded = config.load(folder)
    assert (loaded.timezone, loaded.title) == ("America/Chicago", "Old name")
    assert loaded.permalinks.post == "/{year}/{month_num}/{slug}/"
    built = sitegen("build", cwd=folder)
    assert built.code == 0, built.err


def test_readme_says_how_to_install_and_start() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "pipx install" in install and "sitegen init" in install
    commands = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert "sitegen init DIR [--title T] [--base-url URL] [--author A]" in commands
