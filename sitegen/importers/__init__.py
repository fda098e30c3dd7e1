"""`sitegen import FORMAT SOURCE --into SITE_DIR`: each format's module reads its source
into `records.Imported` values; `writer.write` turns them into a sitegen site."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.errors import SiteError

if TYPE_CHECKING:  # the command line reads FORMATS on every run: keep this import light
    from sitegen.importers.records import Imported
    from sitegen.importers.writer import Report

# The formats, each read by the module sitegen.importers.<name> (imported when used).
FORMATS: dict[str, str] = {
    "jekyll": "jekyll",
    "hugo": "hugo",
    "pelican": "pelican",
    "wordpress": "wordpress",
    "feed": "feed",
    "bookmarks": "bookmarks",
}
URL_SOURCES = ("feed",)  # formats whose source may be an http(s) URL


class SourceError(SiteError):
    """The source of an import is missing, unreadable or not what its format reads."""


def run(format: str, source: str, into: Path) -> Report:
    """Read `source` as `format` and write what it holds into the site folder `into`."""
    if format not in FORMATS:
        raise SourceError(format, None, f"unknown format {format!r}; use one of "
                          f"{', '.join(FORMATS)}")
    name = f"sitegen.importers.{FORMATS[format]}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise SourceError(format, None, "this sitegen has no importer for it yet; "
                          "update sitegen") from None
    is_url = format in URL_SOURCES and source.startswith(("http://", "https://"))
    if not is_url and not Path(source).exists():
        raise SourceError(source, None, f"no such file or folder; give the {format} "
                          "source's path (check its spelling and the current folder)")
    from sitegen.importers.writer import write

    imported: Imported = module.read(source if format in URL_SOURCES else Path(source))
    return write(imported, into, source)
