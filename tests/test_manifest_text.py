"""A build that patches the last one reads and rewrites the output folder's manifest as
text, a few lines at a time (manifest.Listed): the bytes it writes are those a build
that planned the whole site writes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import manifest, pathlines

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
    assert made[0] == expected.id
    assert b"".join(made[1]) == manifest.dump(expected)


def test_a_path_the_manifest_does_not_list_is_refused(tmp_path: Path) -> None:
    listed = manifest.read_listed(written(tmp_path, FILES))
    assert listed is not None
    assert listed.replaced({"new.html": ("a" * 64, "1" * 32)}) is None


def test_a_file_that_is_not_a_manifest_is_not_read(tmp_path: Path) -> None:
    (tmp_path / manifest.MANIFEST).write_text("notes\nmore notes\n", encoding="utf-8")
    assert manifest.read_listed(tmp_path) is None
    assert manifest.read_listed(tmp_path / "missing") is None


PATH_PARTS = st.sampled_from(["a", "b", "a b", "é", "日本", "x.html", "index.html", " ", "z"])
PATHS = st.lists(PATH_PARTS, min_size=1, max_size=3).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.sets(PATHS, max_size=30), PATHS, st.booleans())
def test_a_line_is_found_by_bisection_as_by_reading_every_line(
        paths: set[str], other: str, as_bytes: bool) -> None:
    """Lines sorted by path (the manifest, feeds.sha256) are found by bisection, in the
    text and in its UTF-8 bytes; a path that is not listed, or ends one that is, is not."""
    files = {path: (f"{n:064x}", f"{n:032x}") for n, path in enumerate(sorted(paths))}
    text = manifest.make(files).text
    lines = text.splitlines(keepends=True)
    for path in {*paths, other}:
        wanted = [i for i, line in enumerate(lines) if line.split(" ", 2)[2] == f"{path}\n"]
        expected = None
        if wanted:
            start = sum(len(line) for line in lines[:wanted[0]])
            expected = (start, start + len(lines[wanted[0]]) - len(path) - 2)
        if as_bytes:
            found = pathlines.find(text.encode(), path.encode(), b" ", 1)
            expected = expected and (len(text[:expected[0]].encode()),
                                     len(text[:expected[1]].encode()))
        else:
            found = pathlines.find(text, path, " ", 1)
        assert found == expected


def test_an_unsorted_text_hides_lines_but_never_gives_another(tmp_path: Path) -> None:
    text = "".join(f"{n:064x} {n:032x} {path}\n" for n, path in enumerate(["c", "a", "b"]))
    for path in ("a", "b", "c"):
        found = pathlines.find(text, path, " ", 1)
        assert found is None or text[found[1]:].startswith(f" {path}\n")
