"""Property tests: whatever front matter and Markdown a post holds, a build either
succeeds with valid output or raises a SiteError naming the file, and then leaves the
previous output as it was. Never another exception."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sitegen.atom import is_rfc3339
from sitegen.build import Options, build
from sitegen.content import FIELDS
from sitegen.errors import BuildErrors, SiteError
from sitegen.manifest import all_inside, inside
from tests.conftest import SITE_TOML, make_site, post, tree

# Bounded and derandomized, so that `make test` stays quick and CI sees the same examples.
settings.register_profile("sitegen", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=1000, deadline=None,  # by hand
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("SITEGEN_HYPOTHESIS_PROFILE", "sitegen"))

POSTS = ("post.md", "second.md")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=30),
    st.text(alphabet="0123456789-:T+Z. ", max_size=30),  # near-dates
    st.dates(), st.datetimes(timezones=st.none() | st.timezones()),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
keys = st.sampled_from(sorted(FIELDS)) | st.text(max_size=10)
raw_values = st.sampled_from([
    "42", "yes", "'false'", "[[a, b]]", "[null]", "&a x", "*a", "!!bool maybe", "2025-13-45",
    "2025-02-29", "2025-01-01T25:00:00", "9999-12-31T23:59:59-05:00", "0001-01-01",
    "0001-01-01T00:00:00+05:00", "1800-01-01", "javascript:alert(1)", " data:x", "{a: 1}",
    "café", "cafe\u0301", "http://[::1", "[2024, 3.10]", "'a, b,'", "~", "|\n  text",
]) | st.text(max_size=40)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Front matter as YAML dumps it, or as a person might type it."""
    if draw(st.booleans()):
        meta: dict[str, Any] = {"title": "T", "date": dt.date(2025, 1, 2)}
        meta.update(draw(st.dictionaries(keys, values, max_size=5)))
        try:
            return yaml.safe_dump(meta, allow_unicode=True)
        except yaml.YAMLError:
            return "title: T\ndate: 2025-01-02\n"
    lines = ["title: T", "date: 2025-01-02"]
    lines += [f"{draw(keys)}: {draw(raw_values)}" for _ in range(draw(st.integers(0, 4)))]
    return "\n".join(draw(st.permutations(lines))) + "\n"


markdown_bits = st.sampled_from([
    "# Heading", "[link](http://[::1)", '<a href="http://[::1">x</a>', "<img src='//x'>",
    "```python\nprint(1)\n```", "```nosuchlang\nx\n```", "[^1]\n\n[^1]: note",
    "| a |\n|---|\n| b |",
    "<div>", "</p>", "&#0;", "\x00", "\ufffe", "*emphasis*", "https://example.org/",
    '<a href="javascript:alert(1)">x</a>', "<script>x</script>", "    code",
])
bodies = st.lists(markdown_bits | st.text(max_size=40), max_size=5).map("\n\n".join)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good site with two posts, built once; each example copies it with its output."""
    root = tmp_path_factory.mktemp("fuzz")
    make_site(root / "site", {name: post(name, tags="[a]") for name in POSTS},
              SITE_TOML + 'timezone = "Europe/London"\n')
    build(Options(root / "site", root / "public", use_cache=False, jobs=1))
    return root


def rebuild(good: Path, files: dict[str, str]) -> None:
    """Copy the good site, replace `files`, build again; check the outcome."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "copy"
        shutil.copytree(good, root)
        site, out = root / "site", root / "public"
        before = tree(out)
        for name, text in files.items():
            (site / "content" / name).write_text(text, encoding="utf-8",
                                                 errors="surrogatepass")
        try:
            build(Options(site, out, use_cache=False, jobs=1))
        except (SiteError, BuildErrors) as exc:
            errors = exc.errors if isinstance(exc, BuildErrors) else [exc]
            named = {f"content/{name}" for name in files} | {"site.toml"}
            assert errors and all(e.path in named for e in errors), errors
            assert all(len(str(e)) < 1000 for e in errors), errors
            assert tree(out) == before
            return
        check_output(out)


def check_output(out: Path) -> None:
    """Every feed is well-formed XML with RFC 3339 dates."""
    for feed in out.rglob("*.atom"):
        root = etree.fromstring(feed.read_bytes())
        for date in root.iter("{http://www.w3.org/2005/Atom}updated",
                              "{http://www.w3.org/2005/Atom}published"):
            assert is_rfc3339(date.text or ""), (feed, date.text)


@given(meta=front_matter())
def test_any_front_matter_builds_or_is_named(good: Path, meta: str) -> None:
    rebuild(good, {"post.md": f"---\n{meta}---\nBody.\n"})


@given(body=bodies, meta=front_matter())
def test_any_markdown_body_builds_or_is_named(good: Path, body: str, meta: str) -> None:
    rebuild(good, {"second.md": f"---\n{meta}---\n{body}\n"})


path_parts = st.sampled_from(["", ".", "..", "...", "a", ".a", "a.", "b c", "\t", "é", "x\n"])


@given(st.lists(st.lists(path_parts, max_size=4).map("/".join), max_size=4))
def test_a_manifest_is_trusted_only_when_every_path_is_inside(paths: list[str]) -> None:
    """The manifest's check of all its paths at once says what checking each would."""
    assert all_inside(paths) == all(map(inside, paths))
