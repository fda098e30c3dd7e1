"""The build cache holds data only: loading it never runs code, damage costs time, not output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import shutil
import sqlite3
import stat
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen import cache as cache_store
from sitegen.content import Post, Skipped
from tests.conftest import make_site, post, sitegen, tree

POSTS = {
    "one.md": post("First post", "2025-01-02", "[alpha, beta]", "Body *one*."),
    "two.md": post("Second post", "2025-01-03T10:00:00+05:30", "[beta]", "Body two."),
    "three.md": post("Third post", "2025-01-04", "[alpha]", "Body three."),
    "notes.txt": "not a post\n",
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compiled templates go to the user's cache directory: a private one per test."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def build(site: Path, out: Path, *args: str) -> str:
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    return run.out


def cold(site: Path, out: Path) -> dict[str, bytes]:
    build(site, out, "--no-cache")
    return tree(out)


def built(tmp_path: Path) -> tuple[Path, Path]:
    site = make_site(tmp_path / "site", POSTS)
    out = tmp_path / "public"
    build(site, out)
    return site, out


def edit(site: Path, name: str = "three.md") -> None:
    path = site / "content" / name
    path.write_text(path.read_text() + "\nOne more line.\n")


class Planted:
    """Unpickling this creates a file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str, str]]:
        return open, (str(self.marker), "w")


def test_old_pickles_in_the_cache_are_never_loaded(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", POSTS)
    marker = tmp_path / "pwned"
    folder = site / ".cache"
    folder.mkdir()
    payload = pickle.dumps((cache_store.CODE_VERSION, Planted(marker)))
    for name in ("state.pickle", "posts.pickle", "posts-delta.pickle", "outputs.pickle",
                 "shape.pickle"):
        (folder / name).write_bytes(payload)
    (folder / "templates" / cache_store.CODE_VERSION).mkdir(parents=True)
    (folder / "templates" / cache_store.CODE_VERSION / "__jinja2_x.cache").write_bytes(payload)
    build(site, tmp_path / "public")
    edit(site)
    build(site, tmp_path / "public")
    assert not marker.exists()
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "cache.sqlite", "search",
                                                        "stamp.bin"]


def test_compiled_templates_live_in_a_private_folder_outside_the_site(
        tmp_path: Path, user_cache: Path) -> None:
    site, _ = built(tmp_path)
    folders = list((user_cache / "sitegen" / "templates").iterdir())  # one per code version
    assert len(folders) == 1 and any(folders[0].glob("__jinja2_*.cache"))
    folder = folders[0]
    for part in (folder, folder.parent, folder.parent.parent):
        assert stat.S_IMODE(part.stat().st_mode) == 0o700
    assert not (site / ".cache" / "templates").exists()


def test_no_user_cache_folder_means_no_compiled_templates_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cache_store.templates_dir(tmp_path) is None
    site, out = built(tmp_path)
    assert tree(out) == cold(site, tmp_path / "cold")


def db_path(site: Path) -> Path:
    return site / ".cache" / cache_store.DB_FILE


def test_a_tampered_post_is_discarded_and_parsed_again(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    with sqlite3.connect(db_path(site)) as db:
        changed = db.execute(  # a blob, as written
            "UPDATE posts SET meta = CAST(replace(CAST(meta AS TEXT), 'First post', "
            "'Forged post') AS BLOB) WHERE CAST(meta AS TEXT) LIKE '%First post%'").rowcount
        changed += db.execute(  # and text, which was never written
            "UPDATE posts SET body = replace(CAST(body AS TEXT), 'two', 'TWO') "
            "WHERE CAST(body AS TEXT) LIKE '%two%'").rowcount
    assert changed == 2
    edit(site)
    assert "(3 parsed," in build(site, out)  # the edited post and the two tampered ones
    assert tree(out) == cold(site, tmp_path / "cold")
    assert b"Forged" not in b"".join(tree(out).values())
    edit(site, "one.md")
    assert "(1 parsed," in build(site, out), "the damaged rows were written anew"


@pytest.mark.parametrize("record", ["uses", "digests"])
def test_a_tampered_plan_record_is_discarded(tmp_path: Path, record: str) -> None:
    site, out = built(tmp_path)
    with sqlite3.connect(db_path(site)) as db:
        assert db.execute("UPDATE plan SET data = '{}' WHERE name = ?", (record,)).rowcount
    edit(site, "one.md")
    build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def test_a_tampered_state_empties_the_cache(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    with sqlite3.connect(db_path(site)) as db:
        db.execute("UPDATE state SET data = '\"elsewhere\"' WHERE name = 'inputs'")
    # the same bytes at a new time: the stamp (stamp.py) no longer says "nothing to do"
    touched = next((site / "content").rglob("*.md"))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert "(3 parsed," in build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"\x80\x04not a database at all" * 100)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "pages":  # a header that holds, pages that do not
        path.write_bytes(data[:100] + bytes(len(data) - 100))
    elif how == "other-version":
        path.write_bytes(data.replace(cache_store.CODE_VERSION.encode(),
                                      b"0.0.0+000000000000"[: len(cache_store.CODE_VERSION)]))
    elif how == "other-schema":
        path.unlink()
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE state (name TEXT, data TEXT)")
    elif how == "trigger":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TRIGGER t AFTER INSERT ON posts BEGIN DELETE FROM state; END")
    elif how == "folder":
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize("how", ["garbage", "empty", "truncated", "pages", "other-version",
                                 "other-schema", "trigger", "folder"])
def test_a_damaged_or_foreign_database_is_ignored(tmp_path: Path, how: str) -> None:
    site, out = built(tmp_path)
    damage(db_path(site), how)
    edit(site)
    printed = build(site, out)
    assert "(3 parsed," in printed
    assert tree(out) == cold(site, tmp_path / "cold")
    if how != "folder":  # a folder in its place is not removed: the cache stays off
        edit(site, "one.md")
        assert "(1 parsed," in build(site, out), "the cache was written anew"


def test_a_cache_folder_that_is_a_file_costs_time_not_the_build(tmp_path: Path) -> None:
    """A file where the folder should be: real, not simulated."""
    site = make_site(tmp_path / "site", POSTS)
    (site / ".cache").write_text("not a folder\n")
    out = tmp_path / "public"
    build(site, out)
    edit(site)
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 0 and "(3 parsed," in run.out
    assert run.err.count("note: .cache/cache.sqlite: the build cache cannot be read") == 1
    assert tree(out) == cold(site, tmp_path / "cold")
    loaded = cache_store.load(site)
    assert len(loaded.warnings) == 1 and ".cache" in loaded.warnings[0]
    assert cache_store.save(site, loaded) is None, "said once, when loading"


def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every database read-only, as SQLite does on a read-only disk (tests run as
    root, for whom chmod does not stop writes)."""
    connect = sqlite3.connect

    def opened(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if database == ":memory:":
            return connect(database, *args, **kwargs)
        uri = str(database) if kwargs.get("uri") else Path(database).resolve().as_uri()
        uri = uri.split("?")[0] + "?mode=ro"
        return connect(uri, *args, **{**kwargs, "uri": True})

    monkeypatch.setattr(sqlite3, "connect", opened)


def test_a_read_only_cache_costs_time_not_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.build import Options
    from sitegen.build import build as build_in_process

    site, out = built(tmp_path)
    edit(site)
    read_only(monkeypatch)
    loaded = cache_store.load(site)
    assert loaded.warnings == [] and loaded.posts
    loaded.posts.clear()  # so that save has something to write
    warning = cache_store.save(site, loaded)
    assert warning and "cache" in warning and "readonly" in warning
    summary = build_in_process(Options(site_dir=site, out_dir=out, jobs=1))
    assert summary.parsed == 1 and not any("cache" in w for w in summary.warnings)
    assert len(summary.notes) == 1 and "readonly" in summary.notes[0]
    monkeypatch.undo()
    assert tree(out) == cold(site, tmp_path / "cold")


def test_a_locked_database_is_waited_for_then_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, _ = built(tmp_path)
    monkeypatch.setattr(cache_store, "BUSY_SECONDS", 0.05)
    with sqlite3.connect(db_path(site), isolation_level=None) as other:
        other.execute("BEGIN EXCLUSIVE")
        loaded = cache_store.load(site)
        assert len(loaded.warnings) == 1 and "locked" in loaded.warnings[0]
        assert cache_store.save(site, loaded) is None
        other.execute("ROLLBACK")
    assert cache_store.load(site).posts


LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize("moment", [
    dt.datetime(2025, 1, 2, tzinfo=LONDON),
    dt.datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=LONDON),  # the second 01:30
    dt.datetime(2025, 3, 30, 1, 30, tzinfo=LONDON),  # a time that never was
    dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone(dt.timedelta(hours=5.5))),
    dt.datetime(2025, 1, 2, tzinfo=dt.timezone(-dt.timedelta(seconds=3725, microseconds=1))),
    dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
    dt.datetime(2025, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=-5), "EST")),
    dt.datetime(1000, 1, 1, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
])
def test_posts_come_back_exactly(moment: dt.datetime) -> None:
    original = Post(
        source="content/a.md", digest="d1", kind="link", title="Tïtle \"quoted\"",
        slug="a", date=moment, updated=moment.replace(year=1999), tags=("C++", "café"),
        draft=True, aliases=("/old/",), description="Some <b>words</b>",
        body="<p>Body\n\u2028 \x7f ✓</p>", link_url="https://example.org/", link_title="L",
        via_url="v", via_title="vt", quote_source="q", source_url="s", context="c",
        warnings=("line 1: something",), shape="s" * 64)
    meta, body = cache_store.encode_post(original)
    back = cache_store.decode_post(meta, body)
    assert back == original
    assert isinstance(back, Post)
    for name in cache_store.POST_FIELDS:
        mine, theirs = getattr(back, name), getattr(original, name)
        assert type(mine) is type(theirs), name
        assert repr(mine) == repr(theirs), name
    if isinstance(original.date.tzinfo, zoneinfo.ZoneInfo):
        assert back.date.tzinfo is original.date.tzinfo
    assert back.date.fold == original.date.fold
    assert dataclasses.fields(Post) == dataclasses.fields(type(back))


def test_skipped_files_come_back_exactly() -> None:
    skipped = Skipped("content/notes.txt", "not a post; ignored")
    assert cache_store.decode_post(*cache_store.encode_post(skipped)) == skipped


def test_deleting_the_cache_and_no_cache_leave_nothing_behind(tmp_path: Path) -> None:
    site, out = built(tmp_path)
    shutil.rmtree(site / ".cache")
    build(site, out, "--no-cache")
    assert not (site / ".cache").exists()
    assert "(3 parsed," in build(site, out)
    assert tree(out) == cold(site, tmp_path / "cold")


def test_saves_a_killed_build_left_half_done_are_removed_once_old(tmp_path: Path) -> None:
    """A build killed while saving leaves a new database or stamp beside the real ones:
    the next build that saves removes those older than a killed build could be, and
    leaves a newer one (another build may be writing it)."""
    site = make_site(tmp_path / "site", POSTS)
    folder = site / ".cache"
    folder.mkdir()
    old = [folder / "cache.sqlite.new-4242", folder / "stamp.bin.4242"]
    recent = folder / "stamp.bin.4343"
    for path in [*old, recent]:
        path.write_bytes(b"half")
    hour_ago = os.stat(recent).st_mtime - 3600
    for path in old:
        os.utime(path, (hour_ago, hour_ago))
    build(site, tmp_path / "public")
    assert [p.exists() for p in old] == [False, False]
    assert recent.exists()
