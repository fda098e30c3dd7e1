"""One broken site per kind of bad input: a clear message, exit 1, old output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_site, make_site, post, sitegen, tree

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_output_survives(case: str, tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "invalid" / case, tmp_path)
    expected = (site / "expect.txt").read_text(encoding="utf-8").splitlines()
    (site / "expect.txt").unlink()
    out = tmp_path / "public"
    previous = make_site(tmp_path / "previous", {"old.md": post("The previous site")})
    assert sitegen("build", "--source", previous, "--out", out, "--no-cache").code == 0
    (out / "CNAME").write_text("blog.example.org\n")  # placed by hand
    before = tree(out)

    run = sitegen("build", "--source", site, "--out", out)

    assert run.code == 1, run.err
    for line in expected:
        assert line in run.err, f"expected {line!r} in:\n{run.err}"
    assert "Traceback" not in run.err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["previous", "public", "site"]


def test_every_invalid_case_names_its_file() -> None:
    for case in CASES:
        first = (FIXTURES / "invalid" / case / "expect.txt").read_text().splitlines()[0]
        assert first.split(":")[0].endswith((".md", ".html", ".toml")), case
