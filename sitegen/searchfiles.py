"""A Pagefind bundle as sitegen publishes it: only the files the search page loads, and
the same bytes for the same records.

Pagefind writes a filter's values in the order of a Rust hash map, which changes from
run to run, and names each filter file, and the metadata file that lists them, by a
hash of its bytes; the words and fragments are stable. So two builds of one site gave
different filter files. `settled` puts each filter's values, and the list of filters,
in sorted order and names the files by a digest of their new bytes (the browser finds
them by name only, through `pagefind-entry.json`). A bundle whose files are not the
shape this module knows (another Pagefind version) is left as Pagefind wrote it: it
works the same, only its bytes may differ between builds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from sitegen import cbor, manifest

log = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js",
          "pagefind-component-ui.css", "pagefind-highlight.js")  # sitegen has its own page
FILTERS = 3  # where a metadata file lists its filters, as [name, file hash] pairs


def write(files: list[tuple[str, bytes]], bundle: Path,
          reusable: Mapping[str, str]) -> dict[str, str]:
    """Write the files of a bundle as Pagefind gave them (its path in the bundle and its
    bytes), but for its user interfaces, and `settled`; each file's `digest` by its
    path. A file whose bytes a `reusable` file has (the bundle's last version: by
    digest, its path) becomes a hard link to it: an edit makes a bundle of some 400
    files again, of which a few changed, and making a file can cost far more than
    linking one (measured here: up to 0.9 ms against 0.05 ms). Raises ValueError for a
    path that leaves the bundle."""
    if not manifest.all_inside([path for path, _ in files]):
        raise ValueError("a path leaves the bundle")
    made, digests = set(), {}
    for path, data in settled({p: d for p, d in files if p not in UNUSED}).items():
        target = bundle / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        digests[path] = digest(data)
        if not _linked(reusable.get(digests[path]), target):
            target.write_bytes(data)
    return digests


def digest(data: bytes) -> str:
    """A file's digest, as the store notes it beside the bundle."""
    return hashlib.sha256(data).hexdigest()[:24]


def _linked(source: str | None, target: Path) -> bool:
    """Link `target` to `source`; False when there is none, or links cannot be made
    there (then the caller writes the file)."""
    if source is None:
        return False
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


Files = dict[str, bytes]  # a bundle's files: path in the bundle → bytes


def settled(files: Files) -> Files:
    """The files with each filter's values, and the list of filters, in sorted order
    (renamed by their new bytes' digest); as they were when their shape is unknown."""
    changed = dict(files)
    try:
        changed[ENTRY] = _sort_languages(changed).encode()
    except (cbor.CborError, ValueError, KeyError, TypeError, RecursionError) as exc:
        log.debug("left a search bundle as Pagefind wrote it: %s", exc)
        return files
    return changed


def _sort_languages(files: Files) -> str:
    """The new text of `pagefind-entry.json`."""
    entry = json.loads(files[ENTRY].decode("utf-8"))
    for language in entry["languages"].values():
        language["hash"] = _sort_meta(files, language["hash"])
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _sort_meta(files: Files, name: str) -> str:
    """Sort the filters a metadata file lists; the metadata's new name."""
    old = f"pagefind.{name}.pf_meta"
    meta = read(files.pop(old), old)
    listed = meta[FILTERS] if isinstance(meta, list) and len(meta) > FILTERS else None
    if not isinstance(meta, list) or not isinstance(listed, list):
        raise cbor.CborError("the metadata is not a list of sections")
    filters = sorted((_pair(f) for f in listed), key=lambda pair: pair[0])
    meta[FILTERS] = [[f, _sort_filter(files, str(h))] for f, h in filters]
    return renamed(old, meta, "pagefind.{}.pf_meta", files)


def _sort_filter(files: Files, name: str) -> str:
    """Sort one filter file's values; its new name."""
    old = f"filter/{name}.pf_filter"
    data = read(files.pop(old), old)
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
        raise cbor.CborError("a filter file is not [name, values]")
    data[1] = sorted(data[1], key=lambda value: _pair(value)[0])
    return renamed(old, data, "filter/{}.pf_filter", files)


def _pair(value: cbor.Value) -> tuple[str, cbor.Value]:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        raise cbor.CborError("expected a [name, value] pair")
    return value[0], value[1]


def renamed(old: str, value: cbor.Value, pattern: str, files: Files) -> str:
    """Put `value` among the files, under a name made from the digest of its bytes and
    as long as the old one's ('en_3b1a2e6'); that name."""
    data = gzip.compress(SIGNATURE + cbor.encode(value), compresslevel=9, mtime=0)
    prefix, _, digits = old.split("/")[-1].split(".")[-2].rpartition("_")
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:len(digits)]}"
    files[pattern.format(name)] = data
    return name


def read(data: bytes, name: str) -> cbor.Value:
    """A Pagefind file's value: gzip, then its signature, then one CBOR item."""
    data = gzip.decompress(data)
    if not data.startswith(SIGNATURE):
        raise cbor.CborError(f"{name} has no Pagefind signature")
    value, end = cbor.decode(data, len(SIGNATURE))
    if end != len(data):
        raise cbor.CborError(f"{name} has bytes after its value")
    return value
