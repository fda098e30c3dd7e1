"""Hostile settings: site.toml, --base-url, content/tags.toml and front matter fields.
Each is one named error (file, line, what to do), exit 1, and the last build untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import tags
from sitegen.errors import BuildErrors, ContentError
from tests.conftest import sitegen, tree

SITE = b'title = "T"\nbase_url = "https://example.org/"\n'
GOOD = b"---\ntitle: Good\ndate: 2025-01-01\ntags: [a]\n---\nHello\n"


def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A valid site, built: its folder, its output, and the output's bytes."""
    site, out = tmp_path / "site", tmp_path / "public"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_bytes(SITE)
    (site / "content" / "good.md").write_bytes(GOOD)
    run = sitegen("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    return site, out, tree(out)


def break_and_build(tmp_path: Path, files: dict[str, bytes], *args: str) -> str:
    """Build a valid site, write `files` into it, build again: the error text, once
    the failed build is shown to have changed nothing."""
    site, out, before = built(tmp_path)
    for name, data in files.items():
        (site / name).write_bytes(data)
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 1, run.err
    assert "Traceback" not in run.err, run.err
    assert tree(out) == before
    return run.err


def test_site_toml_not_utf8(tmp_path: Path) -> None:
    err = break_and_build(tmp_path, {"site.toml": b'title = "T"\n# \xff\n'})
    assert "site.toml:2: not UTF-8 (byte 0xff); save the file as UTF-8" in err


def test_tags_toml_not_utf8(tmp_path: Path) -> None:
    err = break_and_build(tmp_path, {"content/tags.toml": b'[a]\nname = "A"\n# \xff\n'})
    assert "content/tags.toml:3: not UTF-8 (byte 0xff); save the file as UTF-8" in err


def test_tags_toml_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "tags.toml").write_bytes(b'[a]\nname = "A"\n# \xff\n')
    with pytest.raises(ContentError) as caught:
        tags.load(tmp_path)
    assert str(caught.value) == ("content/tags.toml:3: not UTF-8 (byte 0xff); "
                                 "save the file as UTF-8")


BAD_BASE_URLS = [
    ("https://[::1/", "is not a valid URL (Invalid IPv6 URL)"),
    ("https://[zz]/", "is not a valid URL"),
    ("https://example.org/?q=1", "has a query ('?q=1'); remove it"),
    ("https://example.org/#x", "has a fragment ('#x'); remove it"),
    ("https://user:pw@example.org/", "holds a user name or password (before '@'); remove it"),
    ("https://example.org:99999/", "has the port '99999', which is not a number from 1 to "
                                   "65535; fix it or leave it out"),
    ("https://example.org:abc/", "has the port 'abc', which is not a number"),
    ("https://exa mple.org/", "holds a space or control character (U+0020); remove it"),
    ("https://:80/", "has no host name; write one, such as example.org"),
    ("https://ex%41.org/", "has a host name 'ex%41.org' that is not valid"),
    ("https://example.org/a/../b/", "has '.' or '..' in its path; write the folder's path "
                                    "plainly, e.g. /blog/"),
    ("https://example.org/a b/", "holds a space or control character (U+0020)"),
    ("https://example.org/a\tb/", "holds a space or control character (U+0009)"),
    ("example.org", "must be an absolute http(s) URL"),
]


@pytest.mark.parametrize(("url", "problem"), BAD_BASE_URLS)
def test_bad_base_url_in_site_toml(tmp_path: Path, url: str, problem: str) -> None:
    toml = 'title = "T"\nbase_url = "' + url.replace("\t", "\\t") + '"\n'
    err = break_and_build(tmp_path, {"site.toml": toml.encode()})
    assert f"site.toml:2: base_url {url!r} {problem}" in err


@pytest.mark.parametrize(("url", "problem"), BAD_BASE_URLS[:3])
def test_bad_base_url_on_the_command_line(tmp_path: Path, url: str, problem: str) -> None:
    err = break_and_build(tmp_path, {}, "--base-url", url)
    assert f"--base-url: {url!r} {problem}" in err


@pytest.mark.parametrize(("toml", "message"), [
    ('[a]\nnmae = "x"\n',
     "content/tags.toml:2: [a] unknown key 'nmae'; did you mean 'name'? "
     "(keys: name, description, old_names)"),
    ('[a]\nlayout = "x"\n',
     "content/tags.toml:2: [a] unknown key 'layout'; remove it "
     "(keys: name, description, old_names)"),
    ('[a.b]\nname = "x"\n',
     "content/tags.toml:1: [a.b] is a nested table; tags.toml holds one table per tag, "
     "with only name, description, old_names; if the tag's name holds a dot, "
     'quote it: ["a.b"]'),
    ('[a]\nold_names = ["", "  "]\n',
     "content/tags.toml:2: [a] old_names: an old name is empty; remove the empty item"),
    ('[a]\nname = ""\n',
     "content/tags.toml:2: [a] name is empty; write the name to show, or remove the line"),
    ('[a]\nname = 3\n', "content/tags.toml:2: [a] name must be text in quotes, not the number 3"),
    ('[a]\nname = "x\\u0000y"\n',
     "content/tags.toml:2: [a] name holds a control character (U+0000), which pages and "
     "feeds cannot carry; remove it"),
    ('["a\\u001bb"]\nname = "A"\n',
     "content/tags.toml:1: [\"a\\u001bb\"]: tag 'a\\x1bb' holds a control character"),
    ('[a]\nold_names = "x"\n',
     "content/tags.toml:2: [a] old_names: must be a list of names, "
     'e.g. old_names = ["old name"], not "x"'),
    ('a = "x"\n', "content/tags.toml:1: 'a' must be a table such as [a]"),
    ('[b]\nold_names = ["x"]\n[c]\nold_names = ["X"]\n',
     "content/tags.toml:3: [c] old_names: 'X' is also an old name of [b]; "
     "keep it in one of them"),
])
def test_bad_tags_toml(tmp_path: Path, toml: str, message: str) -> None:
    err = break_and_build(tmp_path, {"content/tags.toml": toml.encode()})
    assert message in err


def test_tags_toml_reports_every_bad_key(tmp_path: Path) -> None:
    toml = b'[a]\nnmae = "x"\ncolour = "red"\n[b]\nold_names = [""]\n'
    err = break_and_build(tmp_path, {"content/tags.toml": toml})
    assert "content/tags.toml:2: [a] unknown key 'nmae'" in err
    assert "content/tags.toml:3: [a] unknown key 'colour'" in err
    assert "content/tags.toml:5: [b] old_names: an old name is empty" in err


def test_old_name_that_is_a_tag_in_use_is_named() -> None:
    info = tags.load_info('[b]\nname = "B"\nold_names = ["A"]\n')
    errors = tags.check_renamed(info, {"a": "content/good.md"})
    assert [str(e) for e in errors] == [
        "content/tags.toml:1: [b] old_names: 'A' is also a tag of content/good.md, so "
        "/tags/a/ cannot lead to [b]; give that post the new tag, or remove 'A' from "
        "old_names"]


def test_old_name_that_is_a_tag_in_use(tmp_path: Path) -> None:
    two = b"---\ntitle: Two\ndate: 2025-01-02\ntags: [b]\n---\nHi\n"
    err = break_and_build(tmp_path, {"content/two.md": two,
                                     "content/tags.toml": b'[b]\nold_names = ["a"]\n'})
    assert "content/tags.toml:1: [b] old_names: 'a' is also a tag of content/good.md" in err


@pytest.mark.parametrize(("tags_line", "message"), [
    (b'tags: ["a\\x1bb"]', "content/good.md:4: tag 'a\\x1bb' holds a control character "
                           "(U+001B), which pages and feeds cannot carry; remove it"),
    (b'tags: ["a\\0b"]', "content/good.md:4: tag 'a\\x00b' holds a control character (U+0000)"),
    (b'tags: [a, ""]', "content/good.md:4: a tag is empty; remove the empty item"),
])
def test_bad_tag_in_front_matter(tmp_path: Path, tags_line: bytes, message: str) -> None:
    text = GOOD.replace(b"tags: [a]", tags_line)
    assert message in break_and_build(tmp_path, {"content/good.md": text})


def test_every_unknown_field_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace(b"tags: [a]\n", b"layout: post\ntags: [a]\ntoc: true\ntitel: x\n")
    err = break_and_build(tmp_path, {"content/good.md": text})
    known = ", ".join(("title", "date", "updated", "tags", "kind", "slug", "draft", "aliases",
                       "description", "link_url", "link_title", "via_url", "via_title",
                       "source", "source_url", "context", "image", "nav"))
    assert (f"content/good.md:4: unknown front matter field 'layout'; remove it, or declare "
            f"it in site.toml [content.fields] (known fields: {known})") in err
    assert "content/good.md:6: unknown front matter field 'toc'; remove it" in err
    assert "content/good.md:7: unknown front matter field 'titel'; did you mean 'title'?" in err


@pytest.mark.parametrize(("extra", "message"), [
    (b"per_page = 0\n", "site.toml:3: 'per_page' must be at least 1, not 0; "
                        "write e.g. per_page = 30"),
    (b"[feeds]\nentries = 0\n", "site.toml:4: 'feeds.entries' must be at least 1, not 0"),
    (b"per_page = true\n", "site.toml:3: 'per_page' must be a whole number, not true; "
                           "write e.g. per_page = 30"),
    (b'per_page = "10"\n', "site.toml:3: 'per_page' must be a whole number, not \"10\""),
    (b"per_page = 1.5\n", "site.toml:3: 'per_page' must be a whole number, not the number 1.5"),
    (b"per_page = [1]\n", "site.toml:3: 'per_page' must be a whole number, not a list"),
    (b"per_page = {a = 1}\n", "site.toml:3: 'per_page' must be a whole number, not a table"),
    (b"[feeds]\nlink_fragments = \"yes\"\n",
     "site.toml:4: 'feeds.link_fragments' must be true or false, not \"yes\"; "
     "write e.g. link_fragments = false"),
    (b"author = 7\n", "site.toml:3: 'author' must be text (in quotes), not the number 7; "
                      'write e.g. author = "Anonymous"'),
    (b'author = "a\\u0007b"\n', "site.toml:3: 'author' holds a control character (U+0007)"),
])
def test_bad_setting_values(tmp_path: Path, extra: bytes, message: str) -> None:
    assert message in break_and_build(tmp_path, {"site.toml": SITE + extra})


def test_build_errors_survive_a_worker() -> None:
    """Several errors of one file cross from a worker process to the build."""
    import pickle
    errors = BuildErrors([ContentError("content/a.md", 3, "x"), ContentError("content/a.md", 2,
                                                                             "y")])
    again = pickle.loads(pickle.dumps(errors))
    assert [str(e) for e in again.errors] == ["content/a.md:2: y", "content/a.md:3: x"]


@pytest.mark.parametrize(("files", "message"), [
    (("_config.yml", "_posts/2014-06-09-tides.md"),
     "_config.yml: this folder (with _posts/) is a Jekyll site, which sitegen does not read "
     "as it is; import it into a new folder with 'sitegen import jekyll"),
    (("hugo.toml", "content/posts/frost.md"), "hugo.toml: this folder is a Hugo site"),
    (("pelicanconf.py", "content/tides.md"), "pelicanconf.py: this folder is a Pelican site"),
])
def test_another_generators_site_is_not_built_empty(tmp_path: Path, files: tuple[str, ...],
                                                    message: str) -> None:
    """Built as it is, a Jekyll folder published 0 posts and said it succeeded."""
    site = tmp_path / "old-blog"
    for name in files:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("title: x\n")
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert message in run.err
    assert "--into NEW_FOLDER" in run.err and "Traceback" not in run.err
    assert not (tmp_path / "public").exists()
