"""Pagefind's files as sitegen publishes them: the same records give the same bytes,
with only the files the search page loads."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from sitegen import cbor, searchfiles
from tests.conftest import make_site, post, sitegen, tree


def numbered(n: int) -> str:
    """Post n: tags 'Tag 0' to 'Tag {n % 7}', a link or (every third) an entry."""
    tags = f"[{', '.join(f'Tag {t}' for t in range(n % 7 + 1))}]"
    kind = {"kind": "link", "link_url": "https://example.com/"} if n % 3 else {}
    return post(f"Post {n}", f"2025-0{1 + n % 9}-1{n % 10}", tags, f"Words {n}.", **kind)


POSTS = {f"p{n}.md": numbered(n) for n in range(30)}


@pytest.mark.parametrize("value", [0, 23, 24, 255, 256, 65535, 65536, 2**32, "", "é — ü",
                                   "x" * 300, [], [1, ["two", [3]], "four"]])
def test_cbor_reads_what_it_writes(value: cbor.Value) -> None:
    data = cbor.encode(value)
    assert cbor.decode(data) == (value, len(data))


def test_cbor_writes_the_shortest_form() -> None:
    assert cbor.encode(23) == b"\x17"
    assert cbor.encode(24) == b"\x18\x18"
    assert cbor.encode(500) == b"\x19\x01\xf4"
    assert cbor.encode(["a"]) == b"\x81\x61a"


@pytest.mark.parametrize("data", [b"", b"\x19\x01", b"\x63ab", b"\x82\x01", b"\xa1\x01\x02",
                                  b"\x1c"])
def test_cbor_refuses_what_it_does_not_read(data: bytes) -> None:
    with pytest.raises(cbor.CborError):
        cbor.decode(data)


def test_two_cold_builds_publish_the_same_index(tmp_path: Path) -> None:
    outs = []
    for n in (1, 2, 3):
        site = make_site(tmp_path / f"site{n}", POSTS, 'title = "T"\nbase_url = "https://e.org/"\n')
        run = sitegen("build", "--source", site, "--no-cache")
        assert run.code == 0, run.err
        outs.append(tree(site / "public" / "search"))
    assert outs[0] == outs[1] == outs[2]
    names = {Path(p).name for p in outs[0]}
    assert "pagefind.js" in names and "pagefind-ui.js" not in names
    assert "pagefind-highlight.js" not in names


def test_the_filter_files_list_values_in_order(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", POSTS, 'title = "T"\nbase_url = "https://e.org/"\n')
    assert sitegen("build", "--source", site).code == 0
    bundle = site / "public/search/index/2025"
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    meta = read(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    assert isinstance(meta, list)
    filters = meta[searchfiles.FILTERS]
    assert [f[0] for f in filters] == ["kind", "tag", "year"]  # type: ignore[index]
    tags = read(bundle / "filter" / f"{filters[1][1]}.pf_filter")  # type: ignore[index]
    assert tags[0] == "tag"  # type: ignore[index]
    values = [v[0] for v in tags[1]]  # type: ignore[index, union-attr]
    assert values == sorted(values) == [f"tag-{t}" for t in range(7)]
    assert [len(v[1]) for v in tags[1]] == [30, 25, 20, 16, 12, 8, 4]  # type: ignore[index, union-attr]


def read(path: Path) -> cbor.Value:
    return searchfiles.read(path.read_bytes(), path.name)


def test_an_edit_links_the_unchanged_files_of_its_bundle(tmp_path: Path) -> None:
    """The bundle an edit makes again shares the files that did not change with the one
    it replaces (hard links: the same inodes), and still holds the same files a build
    from scratch makes."""
    site = make_site(tmp_path / "site", POSTS, 'title = "T"\nbase_url = "https://e.org/"\n')
    assert sitegen("build", "--source", site).code == 0
    store = site / ".cache/search/2025/bundle"
    before = {p.relative_to(store): p.stat().st_ino for p in store.rglob("*") if p.is_file()}
    with (site / "content/p7.md").open("a") as handle:
        handle.write("\nAn added sentence about herons.\n")
    assert sitegen("build", "--source", site).code == 0
    after = {p.relative_to(store): p.stat().st_ino for p in store.rglob("*") if p.is_file()}
    same = [p for p in after if before.get(p) == after[p]]
    assert len(same) > len(after) / 2
    assert any(p.parts[0] == "fragment" for p in same)
    assert after.keys() - before.keys()  # the edited post's fragment, at least, is new
    fresh = make_site(tmp_path / "fresh", {}, 'title = "T"\nbase_url = "https://e.org/"\n')
    (fresh / "content").rmdir()
    (site / "content").rename(fresh / "content")
    assert sitegen("build", "--source", fresh, "--no-cache").code == 0
    assert tree(fresh / "public/search") == tree(site / "public/search")


def test_a_bundle_of_another_shape_is_left_as_it_is(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    entry = b'{"languages":{"en":{"hash":"en_0123456789"}}}'
    meta = gzip.compress(searchfiles.SIGNATURE + cbor.encode(["9.9", [], [], "no filters"]))
    searchfiles.write([("pagefind-ui.js", b"ui"), ("pagefind-entry.json", entry),
                       ("pagefind.en_0123456789.pf_meta", meta), ("filter/x.pf_filter", b"")],
                      bundle, {})
    assert (bundle / "pagefind-entry.json").read_bytes() == entry
    assert (bundle / "pagefind.en_0123456789.pf_meta").read_bytes() == meta
    assert (bundle / "filter/x.pf_filter").is_file()
    assert not (bundle / "pagefind-ui.js").exists()


@pytest.mark.parametrize("path", ["../x", "/etc/x", "a//b", "filter/../../x"])
def test_a_file_outside_the_bundle_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="leaves the bundle"):
        searchfiles.write([(path, b"x")], tmp_path / "bundle", {})
    assert not (tmp_path / "x").exists()
