"""Where an import may read and write: copies only of files inside the source, files
only inside the site folder (never through a symlink), and URLs the build does not
keep for itself (the names of sitegen/paths.py)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from sitegen import paths
from sitegen.importers.records import inside
from sitegen.site import MONTHS

# The archives sitegen makes for a year, a month and a day: '2024/', '2024/Jun/', '2024/Jun/9/'.
ARCHIVE = re.compile(rf"^\d+/(?:(?:{'|'.join(MONTHS)})/(?:\d+/)?)?$")


def source_root(source: str) -> str | None:
    """The real path of the folder an import's files come from: the source folder, or the
    folder holding a source file (an export, a feed); None for a URL."""
    path = Path(source)
    if not path.exists():
        return None
    return os.path.realpath(path if path.is_dir() else path.parent)


def copy_refusal(file: Path, root: str | None) -> str | None:
    """Why the file must not be copied (it leads outside the source), or None."""
    real = os.path.realpath(file)
    if root is not None and not inside(Path(root), Path(real)):
        return (f"file not copied: it is a symlink to {real} outside the source; copy the "
                "file itself into the source")
    if not os.path.isfile(real):
        return "file not copied: it is not a regular file; copy the file itself into the source"
    return None


def write_refusal(site: str, dest: Path, shown: str) -> str | None:
    """Why the file `dest` must not be written in the site whose real path is `site`:
    it is a symlink, or its folder leads outside the site; None when it may be."""
    if os.path.islink(dest):
        return (f"not written: {shown} is a symlink; remove it, then import again")
    folder = os.path.realpath(dest.parent)
    if not inside(Path(site), Path(folder)):
        return (f"not written: {shown} would be in {folder}, outside the site folder (a "
                "symlink leads there); make that folder a real one, then import again")
    return None


def replace_text(dest: Path, text: str) -> None:
    """Write `dest` whole, as a new file that takes the place of the old one (a symlink
    there is replaced, not followed)."""
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(name, dest)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def taken(url: str) -> str | None:
    """What sitegen keeps at this site-relative URL ('tags/', 'about/', 'a.html'), or
    None. A generated page's folder is kept whole ('tags/x/' is a tag's page)."""
    first = url.split("/", 1)[0]
    if not first:
        return "the home page"
    if f"{first}/" in paths.RESERVED:
        return paths.RESERVED[f"{first}/"]
    for name, what in paths.GENERATED.items():
        if first in (name, name.removesuffix(".html")):
            return what
    if ARCHIVE.match(url):
        return "an archive page"
    return None
