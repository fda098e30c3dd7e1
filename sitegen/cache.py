"""What earlier builds made: parsed posts by digest, and the fingerprint of every output.

On disk in .cache/ inside the site folder: `state.pickle` (small: file stamps, the
digest of all inputs, the last summary) is read first, so that a build with nothing
changed can stop there. The rest is read only when something changed: the parsed
posts (`posts.pickle`, and `posts-delta.pickle` for what changed since it was
written), the output fingerprints (`outputs.pickle`), each output's recorded inputs
(`shape.pickle`), and Jinja's compiled templates (`templates/`). Each carries
sitegen's code version; a cache from other code, or one that does not load, is
ignored and rebuilt. Deleting .cache/ is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.content import Post, Skipped, Source, Stamps
from sitegen.shape import Planned, Shape
from sitegen.templates import Renderer

CACHE_DIR = ".cache"
STATE_FILE = "state.pickle"
POSTS_FILE = "posts.pickle"  # parsed posts as of some build
DELTA_FILE = "posts-delta.pickle"  # posts added and removed since POSTS_FILE was written
OUTPUTS_FILE = "outputs.pickle"
SHAPE_FILE = "shape.pickle"
TEMPLATES_DIR = "templates"  # Jinja's compiled templates
MAX_DELTA = 500  # past this many changes, POSTS_FILE is written anew


def _code_version() -> str:
    """sitegen's version and a digest of its code: a cache from other code is not trusted."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


CODE_VERSION = _code_version()


@dataclass
class Cache:
    """Kept in memory by the dev server, on disk in .cache/ between builds."""

    posts: dict[tuple[str, str], Post | Skipped] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output path → fingerprint
    output_dir: str = ""
    stamps: Stamps = field(default_factory=dict)  # content file → (mtime, size, digest)
    inputs: str = ""  # digest of every input of the last successful build
    last: dict[str, Any] = field(default_factory=dict)  # that build's summary figures
    loaded: bool = True  # False while only state.json has been read
    base: frozenset[tuple[str, str]] = frozenset()  # the keys POSTS_FILE holds
    keep_plan: bool = False  # keep the last plan in memory (the dev server)
    planned: Planned | None = None
    shape: Shape = field(default_factory=Shape)  # the last plan's shape and recorded inputs
    uses_on_disk: object = None  # the shape.uses that SHAPE_FILE holds
    templates_ok: str = ""  # digest of the templates the last good build compiled
    renderer: Renderer | None = None  # compiled templates, kept by the dev server
    sources: list[Source] | None = None  # the content files last scanned, without data

    def remember(self, digest: str, config_digest: str, post: Post | Skipped) -> None:
        self.posts[(digest, config_digest)] = post

    def prune(self, live: set[tuple[str, str]]) -> None:
        """Forget posts that no longer exist, so the cache does not grow forever."""
        if not self.posts.keys() <= live:
            self.posts = {k: v for k, v in self.posts.items() if k in live}


def templates_dir(site_dir: Path) -> Path:
    """Where Jinja keeps compiled templates: a folder per version of sitegen's code
    (which sets Jinja's options), made now; those of other versions are removed."""
    root = _folder(site_dir) / TEMPLATES_DIR
    current = root / CODE_VERSION
    if not current.is_dir():
        shutil.rmtree(root, ignore_errors=True)
        current.mkdir(parents=True)
    return current


def _folder(site_dir: Path) -> Path:
    """.cache/, made if missing, with a .gitignore that keeps it out of git."""
    folder = site_dir / CACHE_DIR
    folder.mkdir(exist_ok=True)
    if not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text("*\n")
    return folder


def load_state(site_dir: Path) -> Cache:
    """The small part of the cache; an empty cache when missing, corrupt or foreign."""
    state = _read(site_dir / CACHE_DIR / STATE_FILE)
    if not isinstance(state, dict):
        return Cache()
    try:
        return Cache(loaded=False, **{k: state[k] for k in STATE_FIELDS})
    except (KeyError, TypeError):
        return Cache()


STATE_FIELDS = ("output_dir", "inputs", "last", "stamps", "templates_ok")


def load_posts(site_dir: Path, cache: Cache) -> None:
    """Fill in parsed posts and output fingerprints; on any doubt, start empty."""
    cache.loaded = True
    folder = site_dir / CACHE_DIR
    base = _read(folder / POSTS_FILE)
    delta = _read(folder / DELTA_FILE) if base is not None else None
    saved = _read(folder / OUTPUTS_FILE)
    uses = _read(folder / SHAPE_FILE)
    if base is None or saved is None:
        cache.posts, cache.outputs, cache.output_dir = {}, {}, ""
        return
    cache.posts = base
    cache.base = frozenset(base)
    if delta is not None:
        added, removed = delta
        for key in removed:
            cache.posts.pop(key, None)
        cache.posts.update(added)
    cache.outputs, shape_key, digests = saved
    if uses is not None and uses[0] == shape_key:  # written for this very shape
        cache.shape = Shape(shape_key, uses[1], digests)
        cache.uses_on_disk = uses[1]


def _read(path: Path) -> Any:
    """The payload of a cache file written by this code, or None."""
    try:
        with path.open("rb") as handle:
            version, payload = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            TypeError, ValueError, IndexError):
        return None
    return payload if version == CODE_VERSION else None


def load(site_dir: Path) -> Cache:
    """The whole cache from disk."""
    cache = load_state(site_dir)
    load_posts(site_dir, cache)
    return cache


def save(site_dir: Path, cache: Cache, posts_changed: bool) -> None:
    """Write what changed: the posts as a small delta while it stays small."""
    folder = _folder(site_dir)
    if cache.shape.uses is not cache.uses_on_disk:  # before OUTPUTS_FILE, which names it
        _write(folder / SHAPE_FILE, _dump((cache.shape.key, cache.shape.uses)))
        cache.uses_on_disk = cache.shape.uses
    if posts_changed:
        _save_posts(folder, cache)
        _write(folder / OUTPUTS_FILE,
               _dump((cache.outputs, cache.shape.key, cache.shape.digests)))
    _write(folder / STATE_FILE, _dump({k: getattr(cache, k) for k in STATE_FIELDS}))


def _save_posts(folder: Path, cache: Cache) -> None:
    added = {k: v for k, v in cache.posts.items() if k not in cache.base}
    removed = cache.base.difference(cache.posts)
    if cache.base and len(added) + len(removed) <= MAX_DELTA:
        _write(folder / DELTA_FILE, _dump((added, removed)))
        return
    (folder / DELTA_FILE).unlink(missing_ok=True)
    _write(folder / POSTS_FILE, _dump(cache.posts))
    cache.base = frozenset(cache.posts)


def _dump(payload: Any) -> bytes:
    return pickle.dumps((CODE_VERSION, payload), protocol=pickle.HIGHEST_PROTOCOL)


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
