"""A Pagefind bundle as sitegen publishes it: only the files the search page loads, and
the same bytes for the same records.

Pagefind writes a filter's values in the order of a Rust hash map, which changes from
run to run, and names each filter file, and the metadata file that lists them, by a
hash of its bytes; the words and fragments are stable. So two builds of one site gave
different filter files. `settle` puts each filter's values, and the list of filters,
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
from pathlib import Path

from sitegen import cbor, manifest

log = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js",
          "pagefind-component-ui.css", "pagefind-highlight.js")  # sitegen has its own page
FILTERS = 3  # where a metadata file lists its filters, as [name, file hash] pairs


def write(files: list[tuple[str, bytes]], bundle: Path) -> None:
    """Write the files of a bundle as Pagefind gave them (its path in the bundle and its
    bytes), but for its user interfaces; then `settle` it. Raises ValueError for a path
    that leaves the bundle."""
    for path, data in files:
        if not manifest.inside(path):
            raise ValueError(f"the path {path!r} leaves the bundle")
        if path not in UNUSED:
            (bundle / path).parent.mkdir(parents=True, exist_ok=True)
            (bundle / path).write_bytes(data)
    settle(bundle)


def settle(bundle: Path) -> None:
    """Put the filter files in sorted order: every new file is made before any is
    replaced, so a bundle is never half sorted."""
    changes: Changes = {}
    try:
        entry = _sort_languages(bundle, changes)
    except (cbor.CborError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        log.debug("left the search bundle %s as Pagefind wrote it: %s", bundle, exc)
        return
    for old, (new, data) in changes.items():
        (bundle / old).unlink()
        (bundle / new).write_bytes(data)
    (bundle / ENTRY).write_text(entry, encoding="utf-8")


Changes = dict[str, tuple[str, bytes]]  # a file's path → its new path and bytes


def _sort_languages(bundle: Path, changes: Changes) -> str:
    """The new text of `pagefind-entry.json`."""
    entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        language["hash"] = _sort_meta(bundle, language["hash"], changes)
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _sort_meta(bundle: Path, name: str, changes: Changes) -> str:
    """Sort the filters a metadata file lists; the metadata's new name."""
    old = f"pagefind.{name}.pf_meta"
    meta = read(bundle / old)
    listed = meta[FILTERS] if isinstance(meta, list) and len(meta) > FILTERS else None
    if not isinstance(meta, list) or not isinstance(listed, list):
        raise cbor.CborError("the metadata is not a list of sections")
    filters = sorted((_pair(f) for f in listed), key=lambda pair: pair[0])
    meta[FILTERS] = [[f, _sort_filter(bundle, str(h), changes)] for f, h in filters]
    return renamed(old, meta, "pagefind.{}.pf_meta", changes)


def _sort_filter(bundle: Path, name: str, changes: Changes) -> str:
    """Sort one filter file's values; its new name."""
    old = f"filter/{name}.pf_filter"
    data = read(bundle / old)
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
        raise cbor.CborError("a filter file is not [name, values]")
    data[1] = sorted(data[1], key=lambda value: _pair(value)[0])
    return renamed(old, data, "filter/{}.pf_filter", changes)


def _pair(value: cbor.Value) -> tuple[str, cbor.Value]:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        raise cbor.CborError("expected a [name, value] pair")
    return value[0], value[1]


def renamed(old: str, value: cbor.Value, pattern: str, changes: Changes) -> str:
    """Note that file `old` becomes `value`, under a name made from the digest of its
    bytes and as long as the old one ('en_3b1a2e6'); that name."""
    data = gzip.compress(SIGNATURE + cbor.encode(value), compresslevel=9, mtime=0)
    prefix, _, digits = old.split("/")[-1].split(".")[-2].rpartition("_")
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:len(digits)]}"
    changes[old] = (pattern.format(name), data)
    return name


def read(path: Path) -> cbor.Value:
    """A Pagefind file's value: gzip, then its signature, then one CBOR item."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise cbor.CborError(f"{path.name} has no Pagefind signature")
    value, end = cbor.decode(data, len(SIGNATURE))
    if end != len(data):
        raise cbor.CborError(f"{path.name} has bytes after its value")
    return value
