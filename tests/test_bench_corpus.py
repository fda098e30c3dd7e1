"""The heavy benchmark corpus is reproducible: the same seed writes the same bytes."""

from __future__ import annotations

from pathlib import Path

from bench import heavy


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = files(heavy.generate(tmp_path / "a", 30))
    assert len(first) == 31  # site.toml and the posts
    assert first == files(heavy.generate(tmp_path / "b", 30))
    assert first != files(heavy.generate(tmp_path / "c", 30, seed=2))
