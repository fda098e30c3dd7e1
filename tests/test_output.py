"""The output folder: sitegen writes and deletes only its own files, publishes a whole
site or nothing, and finishes a commit that a killed build left half-done."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_site, post, sitegen, tree

PREVIOUS = "<p>the previous site</p>"


def site_with(tmp_path: Path, posts: int = 3, **fields: str) -> Path:
    return make_site(tmp_path / "blog", {f"p{i}.md": post(f"Post {i}", tags="[a, b]",
                                                          date=f"2025-01-{i + 1:02d}",
                                                          **fields)
                                         for i in range(posts)})


def built(tmp_path: Path) -> tuple[Path, Path]:
    """A small site built once into tmp_path/public: (site folder, output folder)."""
    site, out = site_with(tmp_path), tmp_path / "public"
    build(site, out)
    return site, out


def build(site: Path, out: Path, *args: str | Path) -> str:
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return run.out + run.err


def test_foreign_folder_is_refused_and_untouched(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    out = tmp_path / "thesis"
    (out / ".git" / "refs").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "chapter1.tex").write_text("\\chapter{One}\n")
    (out / "docs").mkdir()
    (out / "docs" / "index.html").write_text(PREVIOUS)
    before = tree(out)
    for args in ((), ("--no-cache",)):
        run = sitegen("build", "--source", site, "--out", out, *args)
        assert run.code == 1
        assert f"error: {out}: this folder holds files sitegen did not write" in run.err
        assert "chapter1.tex, docs" in run.err and "--adopt" in run.err
        assert "Traceback" not in run.err
        assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog", "thesis"]


def test_adopted_folder_keeps_what_sitegen_did_not_write(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    out = tmp_path / "gh-pages"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "index.html").write_text(PREVIOUS)  # an old site's page, where ours goes
    (out / "notes.txt").write_text("mine\n")
    build(site, out, "--adopt")
    assert "Post 2" in (out / "index.html").read_text()
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    (site / "content" / "p0.md").unlink()
    build(site, out, "--no-cache")  # adopted once: sitegen's own from now on
    assert (out / "notes.txt").read_text() == "mine\n"
    assert not (out / "2025" / "Jan" / "1").exists()


def test_a_folder_with_only_a_git_checkout_is_taken_as_empty(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    out = tmp_path / "worktree"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "config").write_text("[core]\n")
    build(site, out)
    assert (out / "index.html").is_file()
    assert (out / ".git" / "config").read_text() == "[core]\n"


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_files_placed_by_hand_survive_every_build(tmp_path: Path,
                                                  cache: tuple[str, ...]) -> None:
    site, out = built(tmp_path)
    hand = {"CNAME": "blog.example.org\n", ".nojekyll": "",
            "google1234.html": "google-site-verification: google1234.html\n"}
    for name, text in hand.items():
        (out / name).write_text(text)
    (site / "content" / "p1.md").unlink()
    (site / "site.toml").write_text('title = "Renamed"\nbase_url = "https://example.org/"\n')
    build(site, out, *cache)
    for name, text in hand.items():
        assert (out / name).read_text() == text
    assert "Renamed" in (out / "index.html").read_text()


def test_a_page_never_overwrites_a_file_placed_by_hand(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    (out / "about").mkdir()
    (out / "about" / "index.html").write_text("<p>about me</p>")
    before = tree(out)
    (site / "content" / "about.md").write_text(post("About", slug="about", aliases="[/about/]"))
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1
    assert f"error: {out}/about/index.html: sitegen would overwrite this file, which it " \
           "did not write; move it elsewhere" in run.err
    assert tree(out) == before


@pytest.mark.parametrize(("fields", "message"), [
    ({"aliases": "[/sitemap.xml/]"},
     "writes the file sitemap.xml, but content/x.md needs sitemap.xml/ as a folder"),
    ({"slug": "index.html"}, "index.html/ as a folder for"),
    ({"slug": "x" * 5000}, "error: content/x.md: the output path 2025/Jan/2/xxxxxxxx"),
    ({"tags": f"[{'t' * 5000}]"}, "is too long for the file system (5000 bytes in one name"),
    ({"aliases": "[/.git/hooks/]"}, "is reserved"),
])
def test_bad_paths_fail_before_anything_is_written(tmp_path: Path, fields: dict[str, str],
                                                   message: str) -> None:
    site, out = built(tmp_path)
    before = tree(out)
    (site / "content" / "x.md").write_text(post("X", **fields))
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1, run.err
    assert message in run.err
    assert "Traceback" not in run.err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog", "public"]
    (site / "content" / "x.md").unlink()
    assert "(0 parsed, 0 rendered" in build(site, out)


def test_strict_decides_before_anything_is_written(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    before = tree(out)
    (site / "content" / "p0.md").write_text(post("Changed", body="```nosuchlang\nx\n```"))
    run = sitegen("build", "--source", site, "--out", out, "--strict")
    assert run.code == 1
    assert "unknown" in run.err and "--strict" in run.err
    assert "the output folder was left as it was" in run.err
    assert tree(out) == before
    assert "Changed" in build(site, out) or "Changed" in (out / "index.html").read_text()


def test_pages_that_vanish_are_named(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    moved = (site / "content" / "p0.md")
    moved.write_text(moved.read_text().replace("title: Post 0", "title: Post 0\nslug: new"))
    printed = build(site, out)
    assert "page(s) of the last build are gone, and links to them will break: " \
           "/2025/Jan/1/p0/" in printed
    assert "'aliases'" in printed
    moved.write_text(moved.read_text().replace("slug: new",
                                               "slug: new\naliases: [/2025/Jan/1/p0/]"))
    assert "gone" not in build(site, out)


def test_leftover_staging_folders_are_removed(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    leftover = tmp_path / ".public.new-abc123"
    (leftover / "2025").mkdir(parents=True)
    (leftover / ".sitegen-staging").touch()
    (leftover / "2025" / "page.html").write_text("half")
    stranger = tmp_path / ".public.new-notours"
    stranger.mkdir()
    (stranger / "keep.txt").write_text("not sitegen's")
    build(site, out)
    assert not leftover.exists()
    assert (stranger / "keep.txt").read_text() == "not sitegen's"


def test_two_builds_at_once_wait_for_each_other(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {
        f"p{i}.md": post(f"Post {i}", date=f"2025-02-{i % 28 + 1:02d}") for i in range(250)})
    out = tmp_path / "public"
    runs: list[subprocess.CompletedProcess[str]] = []

    def one(base: str) -> None:
        runs.append(subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--source", str(site), "--out", str(out),
             "--base-url", base, "--no-cache"],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300))

    threads = [threading.Thread(target=one, args=(f"https://{name}.example.org/",))
               for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert "Traceback" not in "".join(r.stderr for r in runs)
    last = "two" if "two" in (out / "index.html").read_text() else "one"
    clean = tmp_path / "clean"
    build(site, clean, "--base-url", f"https://{last}.example.org/", "--no-cache")
    assert tree(out) == tree(clean)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog", "clean", "public"]


KILLER = """
import os, signal, sys
from pathlib import Path
import sitegen.output as output

out = os.path.realpath(sys.argv[1])
calls = {"n": 0}
stop_at = int(sys.argv[2])
real_replace, real_unlink = os.replace, Path.unlink

def counted(dst):
    if str(dst).startswith(out + "/") or str(dst) == out:
        if calls["n"] == stop_at:
            os.kill(os.getpid(), signal.SIGKILL)
        calls["n"] += 1

def replace(src, dst, *args, **kwargs):
    counted(dst)
    return real_replace(src, dst, *args, **kwargs)

def unlink(self, *args, **kwargs):
    counted(self)
    return real_unlink(self, *args, **kwargs)

output.os.replace = replace
Path.unlink = unlink
from sitegen.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("stop_at", [0, 1, 5, 40, 10_000])
def test_a_build_killed_during_its_commit_is_finished_by_the_next(tmp_path: Path,
                                                                  stop_at: int) -> None:
    """Killed with SIGKILL at the n-th move or delete inside the output folder (0: right
    after the journal is written) of a build that changes the base URL and drops a post."""
    site = site_with(tmp_path, posts=30)
    out = tmp_path / "public"
    build(site, out, "--base-url", "https://old.example.org/")
    (site / "content" / "p3.md").unlink()
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(out), str(stop_at), "build", "--source", str(site),
         "--out", str(out), "--base-url", "https://new.example.org/"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    if stop_at < 10_000:
        assert killed.returncode == -9, killed.stderr
    for base in ("https://old.example.org/", "https://new.example.org/"):
        printed = build(site, out, "--base-url", base)
        assert "Traceback" not in printed
        clean = tmp_path / f"clean-{base[8:11]}"
        build(site, clean, "--base-url", base, "--no-cache")
        assert tree(out) == tree(clean)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog", "clean-new", "clean-old",
                                                         "public"]


def test_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    target = tmp_path / "public"
    target.write_text("not a folder")
    run = sitegen("build", "--source", site, "--out", target)
    assert run.code == 1
    assert f"error: {target}: the output folder is a file" in run.err
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("inside", ["content", "content/2025", "static", "."])
def test_the_site_itself_is_never_an_output_folder(tmp_path: Path, inside: str) -> None:
    site = site_with(tmp_path)
    (site / "static").mkdir()
    before = tree(site)
    run = sitegen("build", "--source", site, "--out", site / inside, "--adopt")
    assert run.code == 1
    assert "the output folder holds the site's own files" in run.err
    assert tree(site) == before


def test_root_folder_is_published_at_the_output_root(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    (site / "root" / "keys").mkdir(parents=True)
    (site / "root" / "CNAME").write_text("blog.example.org\n")
    (site / "root" / ".nojekyll").write_text("")
    (site / "root" / "keys" / "pgp.txt").write_text("key\n")
    (site / "root" / "google1234.html").write_text("google-site-verification: google1234.html")
    out = tmp_path / "public"
    build(site, out)
    assert (out / "CNAME").read_text() == "blog.example.org\n"
    assert (out / ".nojekyll").exists() and (out / "keys" / "pgp.txt").exists()
    (site / "root" / "keys" / "pgp.txt").unlink()
    build(site, out)
    assert not (out / "keys").exists()
    check = sitegen("check", "--source", site, "--out", out)
    assert check.code == 0, check.err


def test_a_home_folder_is_never_an_output_folder(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    before = tree(home)
    run = sitegen("build", "--source", site, "--out", home)
    assert run.code == 1 and "this folder holds files sitegen did not write (.bashrc" in run.err
    env_home = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--source", str(site), "--out", str(home),
         "--adopt"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home)})
    assert env_home.returncode == 1 and "the output folder is your home folder" in env_home.stderr
    assert tree(home) == before


def test_a_forged_journal_or_manifest_never_reaches_outside_the_folder(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    victim = tmp_path / "victim"
    (victim / "keep").mkdir(parents=True)
    (victim / "keep" / "thesis.tex").write_text("mine\n")
    (out / ".sitegen-journal").write_text(
        '{"staging": "../victim", "moves": [], "deletes": ["../victim/keep/thesis.tex"]}')
    build(site, out)
    assert (victim / "keep" / "thesis.tex").read_text() == "mine\n"
    text = (out / ".sitegen-manifest").read_text()
    (out / ".sitegen-manifest").write_text(text + "x y ../victim/keep/thesis.tex\n")
    (site / "content" / "p0.md").unlink()
    build(site, out)
    assert (victim / "keep" / "thesis.tex").read_text() == "mine\n"
    assert not (out / ".sitegen-journal").exists()


def test_odd_characters_in_a_path_are_refused_and_dot_folders_of_root_not_copied(
        tmp_path: Path) -> None:
    site = site_with(tmp_path)
    (site / "root" / ".well-known").mkdir(parents=True)
    (site / "root" / ".well-known" / "security.txt").write_text("Contact: x\n")
    out = tmp_path / "public"
    build(site, out)
    assert not (out / ".well-known").exists()
    (site / "content" / "x.md").write_text(post("X", aliases='["/a\\u2028b/"]'))
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1 and "holds a control character" in run.err


def test_a_link_where_a_folder_goes_is_never_written_through(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "about").symlink_to(elsewhere)
    (site / "content" / "about.md").write_text(post("About", aliases="[/about/me/]"))
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 1 and "this file or link is in the way" in run.err
    assert list(elsewhere.iterdir()) == []
