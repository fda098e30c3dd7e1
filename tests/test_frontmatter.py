"""Every input error is a named error: typed front matter, dates, URLs, permalinks and
the scan of content/. Each case builds a good site first, breaks it, builds again, and
checks the message, exit 1, no traceback, and the first build's output left as it was."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from sitegen.build import Options, build
from sitegen.errors import BuildErrors
from tests.conftest import SITE_TOML, make_site, post, sitegen, tree

GOOD = {"post.md": post("Good post", tags="[svg]"), "other.md": post("Other", "2025-01-03")}
LONDON = SITE_TOML + 'timezone = "Europe/London"\n'


def front(*lines: str) -> str:
    return "---\n" + "\n".join(lines) + "\n---\nBody.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good site, built once by sitegen; each test copies it and its output."""
    root = tmp_path_factory.mktemp("good")
    site = make_site(root / "site", GOOD)
    run = sitegen("build", "--source", site, "--out", root / "public", "--no-cache")
    assert run.code == 0, run.err
    return root


def rebuild_broken(built: Path, tmp_path: Path, files: dict[str, str],
                   toml: str | None = None) -> str:
    """Copy the good site and its output, break the site, build again; return stderr
    after checking exit 1, no traceback and the output untouched."""
    shutil.copytree(built, tmp_path / "copy")
    site, out = tmp_path / "copy" / "site", tmp_path / "copy" / "public"
    before = tree(out)
    for name, text in files.items():
        (site / "content" / name).write_text(text, encoding="utf-8")
    if toml is not None:
        (site / "site.toml").write_text(toml, encoding="utf-8")
    run = sitegen("build", "--source", site, "--out", out, "--no-cache")
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert tree(out) == before
    return run.err


BAD_FRONT_MATTER = {
    "title-number": (front("title: 42", "date: 2025-01-02"),
                     """content/post.md:2: 'title' must be text, not a number: 42; """
                     """put it in quotes: title: "42\""""),
    "title-yes": (front("title: yes", "date: 2025-01-02"),
                  """content/post.md:2: 'title' must be text, not true/false: yes; """
                  """put it in quotes: title: "yes\""""),
    "title-list": (front("title: [a, b]", "date: 2025-01-02"),
                   "content/post.md:2: 'title' must be text, not a list: [a, b]"),
    "title-block-list": (front("date: 2025-01-02", "title:", "  - a"),
                         "content/post.md:3: 'title' must be text, not a list; write it on "
                         "one line"),
    "description-date": (front("title: T", "date: 2025-01-02", "description: 2025-01-01"),
                         "content/post.md:4: 'description' must be text, not a date: "
                         "2025-01-01"),
    "link-title-mapping": (front("title: T", "date: 2025-01-02", "link_url: https://x.org/",
                                 "link_title: {a: b}"),
                           "content/post.md:5: 'link_title' must be text, not a mapping"),
    "slug-number": (front("title: T", "date: 2025-01-02", "slug: 2024"),
                    """content/post.md:4: 'slug' must be text, not a number: 2024; """
                    """put it in quotes: slug: "2024\""""),
    "draft-text": (front("title: T", "date: 2025-01-02", 'draft: "false"'),
                   "content/post.md:4: 'draft' must be true or false, not the text 'false'; "
                   "write draft: true or draft: false, without quotes"),
    "draft-number": (front("title: T", "date: 2025-01-02", "draft: 1"),
                     "content/post.md:4: 'draft' must be true or false, not a number: 1"),
    "tags-nested-list": (front("title: T", "date: 2025-01-02", "tags: [[a, b]]"),
                         "content/post.md:4: 'tags' must be a list of names such as "
                         "tags: [svg, python], but one item is a list: ['a', 'b']"),
    "tags-null": (front("title: T", "date: 2025-01-02", "tags: [null]"),
                  "content/post.md:4: 'tags' must be a list of names such as "
                  "tags: [svg, python], but one item is empty (null)"),
    "tags-bool": (front("title: T", "date: 2025-01-02", "tags: [true]"),
                  "content/post.md:4: 'tags' must be a list of names such as "
                  "tags: [svg, python], but one item is true/false: True"),
    "tags-mapping": (front("title: T", "date: 2025-01-02", "tags: {a: 1}"),
                     "content/post.md:4: 'tags' must be a list such as tags: [svg, python], "
                     "not a mapping: {a: 1}"),
    "aliases-nested-list": (front("title: T", "date: 2025-01-02", 'aliases: [["a"]]'),
                            "content/post.md:4: 'aliases' must be a list of names such as "
                            "aliases: [/2024/Feb/3/old-name/], but one item is a list: ['a']"),
    "duplicate-key": (front("title: One", "date: 2025-01-02", "title: Two"),
                      "content/post.md:4: 'title' appears twice in the front matter "
                      "(also on line 2); keep one of them"),
    "duplicate-nested-key": (front("title: T", "date: 2025-01-02", "slug: {a: 1, a: 2}"),
                             "content/post.md:4: 'a' appears twice in the front matter"),
    "yaml-tag": (front("title: T", "date: 2025-01-02", "draft: !!bool maybe"),
                 "content/post.md:4: YAML tags such as 'tag:yaml.org,2002:bool' are not "
                 "supported in front matter"),
    "anchor": (front("title: &t T", "date: 2025-01-02", "description: *t"),
               "content/post.md:2: anchors and aliases (&name / *name) are not supported in "
               "front matter; write each value out in full"),
    "date-month-13": (front("title: T", "date: 2025-13-45"),
                      "content/post.md:3: date: '2025-13-45' is not a date: month 13 (months "
                      "run 01–12)"),
    "date-feb-29": (front("title: T", "date: 2025-02-29"),
                    "content/post.md:3: date: '2025-02-29' is not a date: February 2025 has "
                    "28 days, not 29"),
    "date-hour-25": (front("title: T", "date: 2025-01-01T25:00:00"),
                     "content/post.md:3: date: '2025-01-01T25:00:00' is not a date: hour 25 "
                     "(hours run 00–23)"),
    "date-text-hour-25": (front("title: T", "date: '2025-01-01 25:00'"),
                          "content/post.md:3: date: '2025-01-01 25:00' is not a date: "
                          "hour 25 (hours run 00–23)"),
    "updated-impossible": (front("title: T", "date: 2025-01-02", "updated: 2025-04-31"),
                           "content/post.md:4: updated: '2025-04-31' is not a date"),
    "date-overflows-up": (front("title: T", "date: 9999-12-31T23:59:59-05:00"),
                          "content/post.md:3: date: 9999-12-31T23:59:59-05:00 is out of range; "
                          "use a year from 1000 to 9999"),
    "date-overflows-down": (front("title: T", "date: 0001-01-01T00:00:00+05:00"),
                            "content/post.md:3: date: 0001-01-01T00:00:00+05:00 is out of "
                            "range; use a year from 1000 to 9999"),
    "date-year-999": (front("title: T", "date: 0999-06-01"),
                      "content/post.md:3: date: 0999-06-01 is out of range"),
    "date-list": (front("title: T", "date: [2025-01-01]"),
                  "content/post.md:3: 'date' must be a date, not a list: [2025-01-01]"),
    "date-bool": (front("title: T", "date: yes"),
                  "content/post.md:3: 'date' must be a date, not true/false: yes"),
    "javascript-url": (front("title: T", "date: 2025-01-02", "link_url: javascript:alert(1)"),
                       "content/post.md:4: link_url: 'javascript:alert(1)' is not allowed "
                       "(scheme 'javascript:'); use an http, https or mailto URL, or a path "
                       "on this site such as /about/"),
    "javascript-url-disguised": (front("title: T", "date: 2025-01-02",
                                       'link_url: "\\t JaVa\\nScRiPt:alert(1)"'),
                                 "content/post.md:4: link_url: 'JaVa\\nScRiPt:alert(1)' is not "
                                 "allowed (scheme 'JaVaScRiPt:')"),
    "data-via-url": (front("title: T", "date: 2025-01-02",
                           "via_url: data:text/html,<script>x</script>"),
                     "content/post.md:4: via_url: 'data:text/html,<script>x</script>' is not "
                     "allowed (scheme 'data:')"),
    "vbscript-source-url": (front("title: T", "date: 2025-01-02", "source: Someone",
                                  "source_url: VBScript:msgbox"),
                            "content/post.md:5: source_url: 'VBScript:msgbox' is not allowed "
                            "(scheme 'VBScript:')"),
}


@pytest.mark.parametrize("case", sorted(BAD_FRONT_MATTER))
def test_bad_front_matter_is_named(case: str, built: Path, tmp_path: Path) -> None:
    text, message = BAD_FRONT_MATTER[case]
    err = rebuild_broken(built, tmp_path, {"post.md": text})
    assert f"error: {message}" in err


def test_year_one_in_london_is_out_of_range(built: Path, tmp_path: Path) -> None:
    err = rebuild_broken(built, tmp_path, {"post.md": front("title: T", "date: 0001-01-01")},
                         LONDON)
    assert "content/post.md:3: date: 0001-01-01 is out of range; use a year from 1000 to " \
           "9999 (once converted to UTC and to the site's time zone Europe/London)" in err


def test_alias_bomb_is_refused_with_a_short_message(built: Path, tmp_path: Path) -> None:
    lines = ["title: Bomb", "date: 2025-01-02", "slug:",
             '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    err = rebuild_broken(built, tmp_path, {"post.md": front(*lines)})
    assert "content/post.md:5: anchors and aliases (&name / *name) are not supported" in err
    assert len(err) < 500


@pytest.mark.parametrize("value", [
    "[[" + "x" * 100_000 + "]]",
    "[" + ", ".join(["[a]"] * 20_000) + "]",
    "{" + ", ".join(f"k{i}: v" for i in range(20_000)) + "}",
])
def test_messages_quote_a_short_excerpt(value: str, built: Path, tmp_path: Path) -> None:
    err = rebuild_broken(built, tmp_path, {"post.md": front("title: T", "date: 2025-01-02",
                                                            f"tags: {value}")})
    assert "content/post.md:4: 'tags' must be a list" in err
    assert max(len(line) for line in err.splitlines()) < 400


def test_long_unknown_field_is_cut_short(built: Path, tmp_path: Path) -> None:
    err = rebuild_broken(built, tmp_path, {"post.md": front("title: T", "date: 2025-01-02",
                                                            "x" * 1000 + ": 1")})
    assert "content/post.md:4: unknown front matter field 'xxxx" in err
    assert max(len(line) for line in err.splitlines()) < 400


BAD_PERMALINKS = {
    "unknown-field": ("/{year}/{title}/{slug}/", "'{title}' is not a field"),
    "format-spec": ("/{year!r:>99999999999}/{slug}/", "'{year!r:>99999999999}' is not a field"),
    "conversion": ("/{slug!s}/", "'{slug!s}' is not a field"),
    "attribute": ("/{year.real}/{slug}/", "'{year.real}' is not a field"),
    "empty": ("/{}/{slug}/", "'{}' is not a field"),
    "unclosed": ("/{year/{slug}/", "unexpected '{' in field name"),
    "lone-close": ("/{year}}/{slug}/", "Single '}' encountered in format string"),
}


@pytest.mark.parametrize("case", sorted(BAD_PERMALINKS))
def test_bad_permalink_pattern_is_named(case: str, built: Path, tmp_path: Path) -> None:
    pattern, message = BAD_PERMALINKS[case]
    toml = f'{SITE_TOML}[permalinks]\npost = "{pattern}"\n'
    err = rebuild_broken(built, tmp_path, {}, toml)
    assert "error: site.toml:4: permalinks.post" in err
    assert message in err
    assert "{year}, {month}, {month_num}, {day}, {day_num}, {slug}" in err


def test_permalink_pattern_needs_the_slug(built: Path, tmp_path: Path) -> None:
    err = rebuild_broken(built, tmp_path, {}, f'{SITE_TOML}[permalinks]\npost = "/{{{{slug}}}}/"\n')
    assert "error: site.toml:4: permalinks.post '/{{slug}}/' must start with '/', end with " \
           "'/' (a folder) or '.html' (a file), and contain {slug}" in err


def test_every_front_matter_error_of_a_build_is_reported(built: Path, tmp_path: Path) -> None:
    err = rebuild_broken(built, tmp_path, {
        "post.md": front("title: 42", "date: 2025-01-02"),
        "other.md": front("title: T", "date: 2025-02-30")})
    assert "content/other.md:3: date: '2025-02-30' is not a date" in err
    assert "content/post.md:2: 'title' must be text" in err
    assert "build failed with 2 error(s)" in err


# Symlinks and unreadable files under content/


def test_symlink_loop_is_named(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "copy" / "site"

    def loops() -> None:
        (site / "content" / "sub").mkdir()
        os.symlink("..", site / "content" / "sub" / "up")
        os.symlink("self", site / "content" / "self")

    err = _rebuild_with(built, tmp_path, loops)
    assert "error: content/self: is a symlink loop (it leads back to itself); remove it" in err
    assert "error: content/sub/up: is a symlink loop: it leads to a folder that holds it" in err
    assert "build failed with 2 error(s)" in err


def test_symlink_out_of_the_site_is_refused(built: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(post("Secret"), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    site = tmp_path / "copy" / "site"

    def links() -> None:
        os.symlink(secret, site / "content" / "secret.md")
        os.symlink(tmp_path / "outside", site / "content" / "outside")
        os.symlink("missing.md", site / "content" / "gone.md")

    err = _rebuild_with(built, tmp_path, links)
    assert f"error: content/secret.md: is a symlink to '{secret}', outside the site folder; " \
           "sitegen does not publish files from outside the site" in err
    assert "error: content/outside: is a symlink to" in err
    assert "error: content/gone.md: is a symlink to 'missing.md', which does not exist" in err


def _rebuild_with(built: Path, tmp_path: Path, change: object) -> str:
    """rebuild_broken, with `change()` run on the copied site before the second build."""
    shutil.copytree(built, tmp_path / "copy")
    site, out = tmp_path / "copy" / "site", tmp_path / "copy" / "public"
    before = tree(out)
    change()  # type: ignore[operator]
    run = sitegen("build", "--source", site, "--out", out, "--no-cache")
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert tree(out) == before
    return run.err


def test_symlink_inside_the_site_is_followed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"post.md": post("Real")})
    (site / "drafts").mkdir()
    (site / "drafts" / "linked.md").write_text(post("Linked", "2025-02-01"), encoding="utf-8")
    os.symlink("../drafts", site / "content" / "more")
    run = sitegen("build", "--source", site, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
    assert (tmp_path / "out" / "2025" / "Feb" / "1" / "linked" / "index.html").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_and_folder_are_named(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "copy" / "site"

    def lock() -> None:
        (site / "content" / "locked").mkdir()
        (site / "content" / "post.md").chmod(0)
        (site / "content" / "locked").chmod(0)

    try:
        err = _rebuild_with(built, tmp_path, lock)
    finally:
        (site / "content" / "locked").chmod(0o755)
    assert "error: content/locked: cannot read this folder (Permission denied); make it " \
           "readable (chmod u+rx) or move it out of content/" in err
    assert "error: content/post.md: cannot read this file (Permission denied)" in err


def test_unreadable_file_and_folder_are_named_as_root(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above, for a test run as root (whom file modes do not stop): the
    refusal is simulated where sitegen reads."""
    site = make_site(tmp_path / "site", {"post.md": post("Post"), "locked/a.md": post("A")})
    real_scandir, real_read = os.scandir, Path.read_bytes

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def read_bytes(self: Path) -> bytes:
        if self.name == "post.md":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(BuildErrors) as caught:
        build(Options(site, tmp_path / "out", use_cache=False, jobs=1))
    assert [str(e) for e in caught.value.errors] == [
        "content/locked: cannot read this folder (Permission denied); make it readable "
        "(chmod u+rx) or move it out of content/",
        "content/post.md: cannot read this file (Permission denied); make it readable "
        "(chmod u+r) or move it out of content/"]
    assert not (tmp_path / "out").exists()


# Inputs that are fine, and must stay so


def test_decomposed_file_name_gets_the_composed_slug(tmp_path: Path) -> None:
    for form in ("NFC", "NFD"):
        name = unicodedata.normalize(form, "café.md")
        site = make_site(tmp_path / form, {name: post("Café", tags="['Crème brûlée']")})
        tag = unicodedata.normalize(form, "Crème brûlée")
        (site / "content" / name).write_text(post("Café", tags=f"['{tag}']"), encoding="utf-8")
        run = sitegen("build", "--source", site, "--out", tmp_path / f"out-{form}", "--no-cache")
        assert run.code == 0, run.err
    nfc, nfd = tree(tmp_path / "out-NFC"), tree(tmp_path / "out-NFD")
    assert "2025/Jan/2/café/index.html" in nfc
    assert "tags/creme-brulee/index.html" in nfc
    assert sorted(nfc) == sorted(nfd)


def test_numbers_are_tag_names_as_written(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"post.md": post("T", tags="[2024, 007, 3.10]")})
    run = sitegen("build", "--source", site, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
    assert {"2024", "007", "3-10"} <= {p.name for p in (tmp_path / "out" / "tags").iterdir()}


def test_old_dates_in_london_are_valid_rfc3339(tmp_path: Path) -> None:
    """1800 in Europe/London is local mean time, offset -00:01:15: not RFC 3339, so such
    dates are written in UTC, on the day the site's zone gives them."""
    site = make_site(tmp_path / "site", {"post.md": post("Old", "1800-01-01")}, LONDON)
    run = sitegen("build", "--source", site, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
    out = tree(tmp_path / "out")
    assert "1800/Jan/1/post/index.html" in out
    feed = out["atom/everything.atom"].decode()
    assert "<published>1800-01-01T00:01:15+00:00</published>" in feed
    assert all(b"-00:01:15" not in data for data in out.values())


def test_a_link_that_is_no_url_stays_and_is_warned_of(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "post.md": post("Bad link", body='<a href="http://[::1">here</a> and [x](http://[::1)')})
    run = sitegen("build", "--source", site, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
    assert "warning: content/post.md: the link 'http://[::1' is not a valid URL; the feed " \
           "keeps it as written" in run.err
    assert 'href="http://[::1"' in tree(tmp_path / "out")["atom/everything.atom"].decode()


@pytest.mark.parametrize("url", ["https://example.org/", "HTTP://example.org", "mailto:a@b.c",
                                 "/about/", "notes/x.html", "//example.org/x", "#top"])
def test_good_urls_are_kept(url: str, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"post.md": front("date: 2025-01-02",
                                                          f'link_url: "{url}"')})
    run = sitegen("build", "--source", site, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
