"""Old URLs → the one `[permalinks] post` pattern that gives every post its old address
again, when there is one."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from collections.abc import Iterator, Sequence

from sitegen.site import MONTHS

DEFAULT = "/{year}/{month}/{day}/{slug}/"
ENDINGS = ("/", ".html")  # how a pattern may end
MOST_CANDIDATES = 4096


def fields(moment: dt.datetime, slug: str, zone: zoneinfo.ZoneInfo) -> dict[str, str]:
    """A post's permalink fields, its date read in the site's time zone."""
    local = moment.astimezone(zone)
    return {"year": str(local.year), "month": MONTHS[local.month - 1],
            "month_num": f"{local.month:02d}", "day": str(local.day),
            "day_num": f"{local.day:02d}", "slug": slug}


def url(pattern: str, moment: dt.datetime, slug: str, zone: zoneinfo.ZoneInfo) -> str:
    """The post's path from the host root, as sitegen makes it: '/2025/Nov/22/slug/'."""
    return "/" + pattern.format(**fields(moment, slug, zone)).lstrip("/")


Sample = tuple[str, dt.datetime, str]  # old URL, date, slug


def find(samples: Sequence[Sample], zone: zoneinfo.ZoneInfo) -> str | None:
    """The pattern that makes every sample's old URL from its date and slug, or None."""
    if not samples:
        return None
    old, moment, slug = samples[0]
    for pattern in itertools.islice(_candidates(old, fields(moment, slug, zone)),
                                    MOST_CANDIDATES):
        if all(url(pattern, d, s, zone) == o for o, d, s in samples):
            return pattern
    return None


def _candidates(old: str, values: dict[str, str]) -> Iterator[str]:
    """Patterns that make `old` from these field values, fields tried before literals."""
    at = old.rfind(values["slug"])
    tail = old[at + len(values["slug"]):] if at >= 0 else ""
    if at < 0 or tail not in ENDINGS or not old.startswith("/"):
        return
    tokens = re.split(r"([A-Za-z0-9]+)", old[:at])
    choices = [[f"{{{name}}}" for name, v in values.items() if v == token and name != "slug"]
               + [_literal(token)] if index % 2 else [_literal(token)]
               for index, token in enumerate(tokens)]
    for parts in itertools.product(*choices):
        yield "".join(parts) + "{slug}" + tail


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
