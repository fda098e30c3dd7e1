"""What a build tells when it is done: counts, warnings, notes, where it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sitegen import search


@dataclass
class Summary:
    posts: int = 0
    pages: int = 0
    tags: int = 0
    feeds: int = 0
    parsed: int = 0
    rendered: int = 0
    written: int = 0
    deleted: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # news that is not a problem
    out_dir: Path = Path()
    search: search.Index | None = None  # what the build published of the search index
    scheduled: int = 0  # posts dated after now, held back (or shown marked: --drafts)
    next_due: str = ""  # the first one's date in the site's timezone, '2026-12-01 09:00'

    def figures(self) -> dict[str, Any]:
        """What a build that finds nothing changed next time tells again."""
        return {"posts": self.posts, "pages": self.pages, "tags": self.tags,
                "feeds": self.feeds, "warnings": self.warnings,
                "scheduled": self.scheduled, "next_due": self.next_due,
                "out": str(self.out_dir)}  # what `sitegen serve` shows while it builds

    @classmethod
    def unchanged(cls, figures: dict[str, Any], out_dir: Path, seconds: float) -> Summary:
        """The summary of a build that found nothing changed since the one that left
        these `figures`."""
        return cls(posts=figures.get("posts", 0), pages=figures.get("pages", 0),
                   tags=figures.get("tags", 0), feeds=figures.get("feeds", 0),
                   warnings=list(figures.get("warnings", [])), out_dir=out_dir,
                   scheduled=figures.get("scheduled", 0),
                   next_due=figures.get("next_due", ""), seconds=seconds)
