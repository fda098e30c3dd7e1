"""site.toml: the site's settings as one frozen value."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
import string
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.errors import ConfigError, shown

CONFIG_FILE = "site.toml"
PERMALINK_FIELDS = ("year", "month", "month_num", "day", "day_num", "slug")


@dataclass(frozen=True, slots=True)
class Permalinks:
    """`[permalinks]`: URL patterns."""

    post: str = "/{year}/{month}/{day}/{slug}/"
    """Post URL. Fields: {year}, {month} (Jan…Dec), {month_num} (01…12), {day} (1…31),
    {day_num} (01…31), {slug}. Must start and end with '/'."""


@dataclass(frozen=True, slots=True)
class Feeds:
    """`[feeds]`: Atom feed settings."""

    entries: int = 30
    """Most entries in one feed, newest first."""

    link_fragments: bool = False
    """Append '#atom-tag', '#atom-everything', … to entry links so that a reader can tell
    which feed sent a visit. Changing it re-delivers every entry to subscribers."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything site.toml can say. Every field has a default."""

    title: str = "My Links"
    """The site's name, in every page title and feed title."""

    base_url: str = "http://localhost:8000/"
    """Where the site is published; may carry a sub-path such as https://user.github.io/blog/."""

    author: str = "Anonymous"
    """Author name for pages and feeds."""

    description: str = ""
    """One sentence about the site, for the home page and its meta description."""

    language: str = "en-us"
    """Language tag for <html lang> and the feeds' xml:lang."""

    timezone: str = "UTC"
    """IANA zone used for dates written without one, and for archive days."""

    per_page: int = 30
    """Posts per list page (home, tag pages)."""

    output: str = "public"
    """Output folder, relative to the site folder, used when --out is not given."""

    permalinks: Permalinks = field(default_factory=Permalinks)
    """URL patterns, see [permalinks]."""

    feeds: Feeds = field(default_factory=Feeds)
    """Feed settings, see [feeds]."""

    @property
    def base_path(self) -> str:
        """The base URL's path, always ending in '/': '/' or '/blog/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """Scheme and host of the base URL, without a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str) -> str:
        """Site-relative path ('tags/svg/') → path from the host root ('/blog/tags/svg/')."""
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str) -> str:
        """Site-relative path → absolute URL."""
        return self.origin + self.url(path)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def digest(self) -> str:
        """A digest of every setting: pages depend on all of them."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


def load(site_dir: Path, base_url: str | None = None) -> Config:
    """Read site.toml (when present) and check it."""
    path = site_dir / CONFIG_FILE
    raw: dict[str, Any] = {}
    text = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(str(exc))
            raise ConfigError(CONFIG_FILE, line, f"not valid TOML: {exc}") from None
    if base_url is not None:
        raw["base_url"] = base_url
    config: Config = _from_mapping(Config, raw, "", text)
    _validate(config, text)
    return config


def _from_mapping(cls: type[Any], raw: dict[str, Any], section: str, text: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{section}{key}"
        if key not in fields:
            raise ConfigError(CONFIG_FILE, find_line(text, key),
                              _unknown_key(name, fields, section))
        default = _default(fields[key])
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(CONFIG_FILE, find_line(text, key), f"'{name}' must be a table")
            values[key] = _from_mapping(type(default), value, f"{key}.", text)
        else:
            values[key] = _check_type(name, default, value, text)
    return cls(**values)


def _default(spec: dataclasses.Field[Any]) -> Any:
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return spec.default


def _unknown_key(name: str, fields: dict[str, Any], section: str) -> str:
    known = [f"{section}{k}" for k in fields]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown setting {shown(name)}.{hint} Known settings: {', '.join(known)}."


def _check_type(name: str, default: Any, value: Any, text: str) -> Any:
    expected = type(default)
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if not ok:
        raise ConfigError(
            CONFIG_FILE, find_line(text, name.rsplit(".", 1)[-1]),
            f"'{name}' must be {expected.__name__}, got {shown(value)}",
        )
    return value


def _validate(config: Config, text: str) -> None:
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(CONFIG_FILE, find_line(text, "base_url"),
                          f"base_url {shown(config.base_url)} must be an absolute http(s) URL, "
                          "e.g. 'https://example.org/' or 'https://user.github.io/blog/'")
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(CONFIG_FILE, find_line(text, "timezone"),
                          f"unknown timezone {shown(config.timezone)}; use an IANA name such as "
                          "'Europe/London' or 'UTC'") from None
    if config.per_page < 1 or config.feeds.entries < 1:
        raise ConfigError(CONFIG_FILE, None, "per_page and feeds.entries must be at least 1")
    _check_permalink(config.permalinks.post, text)


def _check_permalink(pattern: str, text: str) -> None:
    """The post pattern must start and end with '/', hold {slug}, and use only the known
    fields, written plainly: no conversion ('!r'), no format spec (':>9')."""
    line = find_line(text, "post")
    fields = ", ".join(f"{{{name}}}" for name in PERMALINK_FIELDS)
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ConfigError(CONFIG_FILE, line, f"permalinks.post {shown(pattern)}: {exc}; "
                          "write '{' and '}' only around a field, one of " + fields) from None
    names = {name for _, name, _, _ in parts}
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PERMALINK_FIELDS or spec or conversion:
            written = f"{{{name}{'!' + conversion if conversion else ''}" \
                      f"{':' + spec if spec else ''}}}"
            raise ConfigError(CONFIG_FILE, line,
                              f"permalinks.post: {shown(written)} is not a field; use only "
                              f"{fields}, written as they are (no '!' or ':')")
    if not (pattern.startswith("/") and pattern.endswith("/") and "slug" in names):
        raise ConfigError(CONFIG_FILE, line, f"permalinks.post {shown(pattern)} must start "
                          "and end with '/' and contain {slug}")


def find_line(text: str, key: str) -> int | None:
    """The line of `key = …` in a TOML or YAML text, for error messages."""
    match = re.search(rf"^\s*{re.escape(key)}\s*[=:]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None

