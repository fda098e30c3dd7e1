"""A build that patches the last one reads and rewrites the output folder's manifest as
text, a few lines at a time (manifest.Listed): the bytes it writes are those a build
that planned the whole site writes."""

from __future__ import annotations

from pathlib import Path

from sitegen import manifest

FILES = {
    "index.html": ("a" * 64, "1" * 32),
    "b/c.html": ("b" * 64, "2" * 32),
    "a b/c.html": ("c" * 64, "3" * 32),  # a path holding a space, ending as another
    "tags/x y/index.html": ("", "4" * 32),  # a fingerprint forgotten (output._distrust)
    "feeds.sha256": ("feeds|" + "d" * 64, "5" * 32),
}


def written(tmp_path: Path, files: dict[str, tuple[str, str]]) -> Path:
    manifest.write(tmp_path, manifest.make(files))
    return tmp_path


def test_each_line_is_read_by_its_path(tmp_path: Path) -> None:
    listed = manifest.read_listed(written(tmp_path, FILES))
    assert listed is not None and listed.id == manifest.read_id(tmp_path)
    assert {path: listed.get(path) for path in FILES} == FILES
    assert listed.get("c.html") is None and listed.get("b c.html") is None


def test_lines_replaced_make_the_bytes_a_whole_manifest_makes(tmp_path: Path) -> None:
    listed = manifest.read_listed(written(tmp_path, FILES))
    assert listed is not None
    changes = {"b/c.html": ("e" * 64, "6" * 32), "index.html": ("f" * 64, "7" * 32),
               "tags/x y/index.html": ("0" * 64, "8" * 32)}
    made = listed.replaced(changes)
    assert made is not None
    expected = manifest.make({**FILES, **changes})
    assert made[0].id == expected.id
    assert made[1] == manifest.dump(expected)


def test_a_path_the_manifest_does_not_list_is_refused(tmp_path: Path) -> None:
    listed = manifest.read_listed(written(tmp_path, FILES))
    assert listed is not None
    assert listed.replaced({"new.html": ("a" * 64, "1" * 32)}) is None


def test_a_file_that_is_not_a_manifest_is_not_read(tmp_path: Path) -> None:
    (tmp_path / manifest.MANIFEST).write_text("notes\nmore notes\n", encoding="utf-8")
    assert manifest.read_listed(tmp_path) is None
    assert manifest.read_listed(tmp_path / "missing") is None
