"""What earlier builds made: parsed posts by digest, and the fingerprint of every output."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import __version__
from sitegen.content import Post, Skipped

CACHE_FILE = ".cache/sitegen.pickle"


@dataclass
class Cache:
    """Kept in memory by the dev server, on disk in .cache/ between builds."""

    posts: dict[tuple[str, str], Post | Skipped] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output path → fingerprint
    output_dir: str = ""
    version: str = __version__

    def post(self, digest: str, config_digest: str) -> Post | Skipped | None:
        return self.posts.get((digest, config_digest))

    def remember(self, digest: str, config_digest: str, post: Post | Skipped) -> None:
        self.posts[(digest, config_digest)] = post

    def prune(self, live: set[tuple[str, str]]) -> None:
        """Forget posts that no longer exist, so the cache does not grow forever."""
        self.posts = {k: v for k, v in self.posts.items() if k in live}


def load(site_dir: Path) -> Cache:
    """The cache on disk, or an empty one when it is missing, corrupt or from another version."""
    path = site_dir / CACHE_FILE
    try:
        with path.open("rb") as handle:
            cache = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            TypeError, ValueError, IndexError):
        return Cache()
    if not isinstance(cache, Cache) or cache.version != __version__:
        return Cache()
    return cache


def save(site_dir: Path, cache: Cache) -> None:
    path = site_dir / CACHE_FILE
    path.parent.mkdir(exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
