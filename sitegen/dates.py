"""Dates as front matter writes them: read strictly (ISO 8601), and for a date that
cannot be read, which part is wrong and the nearest form that can be."""

from __future__ import annotations

import datetime as dt
import os
import re

EXAMPLE = "write ISO 8601 such as '2025-11-22' or '2025-11-22T14:30:00+01:00'"
# What other generators accept: one-digit parts, spaces around 'T', '-' or spaces
# between date and time, an offset without ':' or after a space.
_LOOSE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?P<sep>\s*[Tt]\s*|\s+|-)(?P<h>\d{1,2}):(?P<mi>\d{1,2})"
    r"(?::(?P<s>\d{1,2})(?P<f>\.\d+)?)?)?"
    r"(?P<zsep>\s*)(?P<z>[Zz]|[+-]\d{1,2}(?::?\d{2})?)?$")
_UNITS = (("mo", "month"), ("d", "day"), ("h", "hour"), ("mi", "minute"), ("s", "second"))
_RANGES = (("mo", "month", 1, 12), ("h", "hour", 0, 23), ("mi", "minute", 0, 59),
           ("s", "second", 0, 59))


def now() -> dt.datetime:
    """The moment a build or command takes as now, aware: `SITEGEN_NOW` (ISO 8601; read
    as UTC when it names no zone) when set, for tests and previews, else the clock.
    ValueError, saying how to write it, when `SITEGEN_NOW` is not a date."""
    text = os.environ.get("SITEGEN_NOW", "").strip()
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        moment = parse(text)
    except ValueError as problem:
        raise ValueError(f"SITEGEN_NOW={text!r} is not a date: {problem}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse(text: str) -> dt.datetime:
    """ISO 8601 text → a datetime (without a zone when the text names none); ValueError
    saying what is wrong and how to write it."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(explain(text.strip())) from None


def explain(text: str) -> str:
    """Why `text` is not an ISO 8601 date: the part that is wrong, and the date written
    as it should be when that can be known."""
    match = _LOOSE.match(text)
    if match is None:
        return EXAMPLE
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    out_of_range = _range_problem(parts)
    if out_of_range:
        return out_of_range
    written = _written(parts)
    try:
        dt.datetime.fromisoformat(written)
    except ValueError:
        return EXAMPLE
    problems = _form_problems(parts)
    if not problems:
        return EXAMPLE
    return f"{', and '.join(problems)}; write '{written}'"


def _range_problem(parts: dict[str, str]) -> str | None:
    for key, unit, low, high in _RANGES:
        if key in parts and not low <= int(parts[key]) <= high:
            return f"{unit} {parts[key]} ({unit}s run {low:02}–{high:02})"
    import calendar  # here, for a date that is wrong: a build spares its import
    year, month, day = int(parts["y"]), int(parts["mo"]), int(parts["d"])
    days = calendar.monthrange(year, month)[1] if year else 31
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days, not {day}"
    return None


def _form_problems(parts: dict[str, str]) -> list[str]:
    """What differs from ISO 8601 in a date whose parts are all in range."""
    problems = []
    sep = parts.get("sep", "T")
    if sep.strip() == "-":
        problems.append("there is a '-' between the date and the time instead of 'T'")
    elif sep != "T" and sep.strip().upper() == "T":
        where = "before" if sep.startswith((" ", "\t")) else "after"
        problems.append(f"there is a space {where} 'T'")
    elif sep.strip() == "" and sep != " ":
        problems.append("there is more than one space between the date and the time")
    problems += [f"the {unit} needs two digits" for key, unit in _UNITS
                 if key in parts and len(parts[key]) == 1]
    if parts.get("zsep"):
        problems.append("there is a space before the time zone offset")
    return problems


def _written(parts: dict[str, str]) -> str:
    """The date with each part in ISO 8601 form."""
    text = f"{parts['y']}-{int(parts['mo']):02}-{int(parts['d']):02}"
    if "h" in parts:
        text += f"T{int(parts['h']):02}:{int(parts['mi']):02}"
        if "s" in parts:
            text += f":{int(parts['s']):02}{parts.get('f', '')}"
    return text + _offset(parts.get("z", ""))


def _offset(zone: str) -> str:
    if zone.upper() in ("", "Z"):
        return zone.upper()
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
    return f"{zone[0]}{int(hours):02}:{minutes}"


def within(window: tuple[str, str] | list[str], now: dt.datetime) -> bool:
    """Whether the posts a build held for `window` (ISO 8601 start and end, '' when
    open; see schedule.py) are those it holds for `now`."""
    start, end = window
    try:
        return (not start or dt.datetime.fromisoformat(start) <= now) \
            and (not end or now < dt.datetime.fromisoformat(end))
    except (TypeError, ValueError):
        return False
