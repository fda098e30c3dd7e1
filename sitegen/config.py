"""site.toml: the site's settings as one frozen value."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re
import string
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.errors import ConfigError, SiteError, cut, shown

CONFIG_FILE = "site.toml"
# What a feed copy may not be: the folders and files sitegen writes itself.
FEED_COPY_TAKEN = frozenset({"atom", "tags", "static", "sitemap.xml", "robots.txt"})
PERMALINK_FIELDS = ("year", "month", "month_num", "day", "day_num", "slug")
# Control characters (which XML forbids or discourages), lone surrogates, U+FFFE, U+FFFF.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What a URL's host may not hold (spaces and controls are checked before).
BAD_HOST = re.compile(r"[<>\"{}|\\^`%/?#@\[\]]")


@dataclass(frozen=True, slots=True)
class Permalinks:
    """`[permalinks]`: URL patterns."""

    post: str = "/{year}/{month}/{day}/{slug}/"
    """Post URL. Fields: {year}, {month} (Jan…Dec), {month_num} (01…12), {day} (1…31),
    {day_num} (01…31), {slug}. Must start with '/', and end with '/' (a folder, its
    index.html) or '.html' (a file, as Jekyll's and Pelican's URLs often are)."""


@dataclass(frozen=True, slots=True)
class Feeds:
    """`[feeds]`: Atom feed settings."""

    entries: int = 30
    """Most entries in one feed, newest first."""

    link_fragments: bool = False
    """Append '#atom-tag', '#atom-everything', … to entry links so that a reader can tell
    which feed sent a visit. Changing it re-delivers every entry to subscribers."""

    copies: tuple[str, ...] = ()
    """Paths where a copy of the site-wide feed is published too, such as an old site's
    feed URLs: "/feed.xml", "/index.xml", "/feeds/all.atom.xml", "/feed/" (a folder: its
    index.xml). Each copy has its own id and rel="self", and the same entries."""

    hub: str = ""
    """A WebSub hub's URL ("https://…"): every feed names it (Atom `<link rel="hub">`,
    JSON Feed `hubs`), and `sitegen ping` tells it which feeds changed. "": none."""


# What a combination's separator may hold: characters a URL path carries as they are.
SEPARATOR = re.compile(r"[A-Za-z0-9._~+-]{1,16}")


@dataclass(frozen=True, slots=True)
class Tags:
    """`[tags]`: pages for two tags together."""

    combine_min: int = 5
    """A pair of tags that shares at least this many posts gets its own page
    (/tags/a+b/) and feed (/tags/a+b.atom); a rarer pair links to the search page."""

    combine_max_pages: int = 2000
    """Most combination pages (each with its later pages and its feed), the pairs
    that share the most posts first; 0 makes none."""

    combine_separator: str = "+"
    """Between the two slugs of a combination's URL. Amazon S3's website endpoint reads
    '+' as a space: write e.g. "--" or "_and_" there."""


@dataclass(frozen=True, slots=True)
class Search:
    """`[search]`: the search index (Pagefind) and the /search/ page."""

    enabled: bool = True
    """Make the search index and the search page; false (or `--no-search`) leaves
    both out."""


# The types an extra front matter field may be declared with, in [content.fields].
FIELD_TYPES = ("string", "int", "float", "bool", "date", "list", "url")


@dataclass(frozen=True, slots=True)
class Content:
    """`[content]`: how posts are read."""

    fields: dict[str, str] = field(default_factory=dict, hash=False)
    """Extra front matter fields, each with its type: "string", "int", "float", "bool",
    "date", "list" or "url" (e.g. subtitle = "string"). They are checked like the
    built-in fields, and templates read them as post.meta.subtitle."""


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

    content: Content = field(default_factory=Content)
    """How posts are read, see [content]."""

    tags: Tags = field(default_factory=Tags)
    """Tag combination pages, see [tags]."""

    search: Search = field(default_factory=Search)
    """The search index and page, see [search]."""

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
    if not path.exists():
        _refuse_other_generator(site_dir)
    text = _read(path) if path.exists() else ""
    if text:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(str(exc))
            raise ConfigError(CONFIG_FILE, line, f"not valid TOML: {exc}") from None
    if base_url is not None:
        raw["base_url"] = base_url
    config: Config = _from_mapping(Config, raw, "", text)
    _validate(config, text, "--base-url" if base_url is not None else "base_url")
    return config


# What another generator's site folder holds: (files that must all be there, its name).
OTHER_SITES = ((("_config.yml", "_posts"), "Jekyll"), (("_config.yaml", "_posts"), "Jekyll"),
               (("hugo.toml",), "Hugo"), (("hugo.yaml",), "Hugo"), (("hugo.json",), "Hugo"),
               (("config.toml", "archetypes"), "Hugo"), (("config.toml", "layouts"), "Hugo"),
               (("pelicanconf.py",), "Pelican"))


def _refuse_other_generator(site_dir: Path) -> None:
    """A folder without site.toml that is another generator's site would build to an
    empty or half site: say which importer reads it instead."""
    for names, generator in OTHER_SITES:
        if all((site_dir / name).exists() for name in names):
            beside = f" (with {', '.join(names[1:])}/)" if names[1:] else ""
            raise ConfigError(names[0], None, (
                f"this folder{beside} is a {generator} site, which sitegen does not read "
                "as it is; "
                f"import it into a new folder with 'sitegen import {generator.lower()} "
                f"{site_dir} --into NEW_FOLDER', then build there"))


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(CONFIG_FILE, None, f"cannot be read ({exc.strerror or exc}); "
                          "make it a readable file, or remove it to use the defaults") from None
    return decode(CONFIG_FILE, data, ConfigError)


def decode(path: str, data: bytes, error: type[SiteError]) -> str:
    """A settings file's bytes → its text; not UTF-8 is an `error` at the line."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
                    "save the file as UTF-8") from None


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
    import difflib  # only for a name that is not known
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown setting {shown(name)}.{hint} Known settings: {', '.join(known)}."


def _check_type(name: str, default: Any, value: Any, text: str) -> Any:
    if isinstance(default, tuple):
        return _check_texts(name, value, text)
    expected = type(default)
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    key = name.rsplit(".", 1)[-1]
    if not ok:
        raise ConfigError(
            CONFIG_FILE, find_line(text, key),
            f"'{name}' must be {_toml_kind(default)}, not {toml_value(value)}; "
            f"write e.g. {key} = {_toml_example(default)}",
        )
    if isinstance(value, str) and name != "base_url" and (bad := CONTROL.search(value)):
        raise ConfigError(CONFIG_FILE, find_line(text, key),
                          f"'{name}' holds a control character (U+{ord(bad.group()):04X}), "
                          "which pages and feeds cannot carry; remove it")
    return value


def _check_texts(name: str, value: Any, text: str) -> tuple[str, ...]:
    """A list of texts (`copies = ["/feed.xml"]`), as a tuple."""
    key = name.rsplit(".", 1)[-1]
    items = value if isinstance(value, list) else [value]
    wrong = next((item for item in items if not isinstance(item, str)), None)
    if not isinstance(value, list) or wrong is not None:
        found = toml_value(value if wrong is None else wrong)
        raise ConfigError(CONFIG_FILE, find_line(text, key),
                          f"'{name}' must be a list of texts (in quotes), and holds {found}; "
                          f'write e.g. {key} = ["/feed.xml", "/feed/"]')
    return tuple(value)


def _toml_kind(default: object) -> str:
    """What a setting must be, as a TOML author calls it."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, dict):
        return "a table"
    return "a whole number" if isinstance(default, int) else "text (in quotes)"


def _toml_example(default: object) -> str:
    if isinstance(default, dict):
        return '{ subtitle = "string" }'
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default) if isinstance(default, int) else f'"{default}"'


def toml_value(value: object) -> str:
    """A TOML value as its author wrote it: true, "text", a list, a table, 1.5."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + cut(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int | float):
        return f"the number {cut(str(value), 20)}"
    kinds = ((list, "a list"), (dict, "a table"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date or time")


def _validate(config: Config, text: str, origin: str) -> None:
    _check_base_url(config.base_url, find_line(text, "base_url") if origin == "base_url"
                    else None, origin)
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(CONFIG_FILE, find_line(text, "timezone"),
                          f"unknown timezone {shown(config.timezone)}; use an IANA name such as "
                          "'Europe/London' or 'UTC'") from None
    for name, value in (("per_page", config.per_page), ("feeds.entries", config.feeds.entries)):
        if value < 1:
            key = name.rsplit(".", 1)[-1]
            raise ConfigError(CONFIG_FILE, find_line(text, key),
                              f"'{name}' must be at least 1, not {value}; "
                              f"write e.g. {key} = 30")
    check_permalink(config.permalinks.post, text)
    _check_tags(config.tags, text)
    _check_feed_copies(config.feeds.copies, text)
    _check_hub(config.feeds.hub, text)
    _check_fields(config.content.fields, text)


def _check_tags(settings: Tags, text: str) -> None:
    """[tags]: a threshold of at least 2 posts, a cap of 0 or more, a plain separator."""
    if settings.combine_min < 2:
        raise ConfigError(CONFIG_FILE, find_line(text, "combine_min"),
                          f"'tags.combine_min' must be at least 2, not "
                          f"{settings.combine_min}; write e.g. combine_min = 5")
    if settings.combine_max_pages < 0:
        raise ConfigError(CONFIG_FILE, find_line(text, "combine_max_pages"),
                          "'tags.combine_max_pages' must be 0 (no combination pages) or "
                          f"more, not {settings.combine_max_pages}; write e.g. "
                          "combine_max_pages = 2000")
    separator = settings.combine_separator
    if not SEPARATOR.fullmatch(separator) or separator in ("-", "_", ".") \
            or ".." in separator or separator.isalnum():
        raise ConfigError(CONFIG_FILE, find_line(text, "combine_separator"),
                          f"'tags.combine_separator' {shown(separator)} cannot sit between "
                          "two tag slugs in a URL; use up to 16 of A-Z a-z 0-9 . _ ~ + -, "
                          "not only letters and digits, not '-', '_', '.' or '..': "
                          'e.g. "+", "--" or "_and_"')


def _check_fields(fields: dict[str, str], text: str) -> None:
    """[content.fields]: each a new field name with a known type."""
    from sitegen.frontmatter import FIELDS  # frontmatter reads site.toml's settings

    table = re.search(r"^\s*(\[\s*content\.fields\s*\]|fields\s*=)", text, re.MULTILINE)
    start = text.count("\n", 0, table.start()) if table else 0
    below = "\n".join(text.split("\n")[start:])
    for name, kind in fields.items():
        found = find_line(below, name)
        line = found + start if found else None
        if name in FIELDS:
            raise ConfigError(CONFIG_FILE, line, f"content.fields: {shown(name)} is a "
                              "built-in front matter field; remove it from [content.fields]")
        if kind not in FIELD_TYPES:
            types = ", ".join(f'"{t}"' for t in FIELD_TYPES)
            raise ConfigError(CONFIG_FILE, line, f"content.fields: {name} = "
                              f"{toml_value(kind)} is not a type; use one of {types}, "
                              f'e.g. {name} = "string"')


def _check_base_url(url: str, line: int | None, origin: str) -> None:
    """An absolute http(s) URL with a host, and nothing a site's address cannot hold.
    `origin`: 'base_url' (site.toml) or '--base-url' (the command line)."""
    problem = _base_url_problem(url)
    if problem:
        if origin == "base_url":
            raise ConfigError(CONFIG_FILE, line, f"base_url {shown(url)} {problem}")
        raise ConfigError(origin, None, f"{shown(url)} {problem}")


def _base_url_problem(url: str) -> str | None:
    bad = CONTROL.search(url) or re.search(r"\s", url)
    if bad:
        return f"holds a space or control character (U+{ord(bad.group()):04X}); remove it"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid URL ({exc}); check the host"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ("must be an absolute http(s) URL, e.g. 'https://example.org/' or "
                "'https://user.github.io/blog/'")
    if parts.query or url.endswith("?"):
        return f"has a query ('?{cut(parts.query, 20)}'); remove it"
    if parts.fragment or url.endswith("#"):
        return f"has a fragment ('#{cut(parts.fragment, 20)}'); remove it"
    if "@" in parts.netloc:
        return "holds a user name or password (before '@'); remove it"
    return _port_problem(url) or _host_problem(parts.netloc, parts.hostname or "") \
        or _path_problem(parts.path)


def _port_problem(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or parts.netloc.endswith(":"):
        written = parts.netloc.rpartition(":")[2]
        return (f"has the port {shown(written)}, which is not a number from 1 to 65535; "
                "fix it or leave it out")
    return None


def _host_problem(netloc: str, host: str) -> str | None:
    if not host:
        return "has no host name; write one, such as example.org"
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"has {shown(host)} in brackets, which is not an IPv6 address; fix it"
    elif BAD_HOST.search(host) or host.startswith(".") or ".." in host:
        return f"has a host name {shown(host)} that is not valid; fix it, e.g. example.org"
    return None


def _path_problem(path: str) -> str | None:
    if any(segment in (".", "..") for segment in path.split("/")):
        return "has '.' or '..' in its path; write the folder's path plainly, e.g. /blog/"
    if "//" in path:
        return "has '//' in its path; write the folder's path plainly, e.g. /blog/"
    return None


def check_permalink(pattern: str, text: str) -> None:
    """The post pattern must start with '/', end with '/' or '.html', hold {slug}, and use
    only the known fields, written plainly: no conversion ('!r'), no format spec (':>9')."""
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
    if not (pattern.startswith("/") and pattern.endswith(("/", ".html")) and "slug" in names):
        raise ConfigError(CONFIG_FILE, line, f"permalinks.post {shown(pattern)} must start "
                          "with '/', end with '/' (a folder) or '.html' (a file), and "
                          "contain {slug}; e.g. '/{year}/{month}/{day}/{slug}/' or "
                          "'/{year}/{month_num}/{day_num}/{slug}.html'")


def _check_feed_copies(copies: tuple[str, ...], text: str) -> None:
    """Each copy of the feed is a path on the site, once, that no other output takes."""
    line = find_line(text, "copies")
    seen: set[str] = set()
    for path in copies:
        problem = feed_copy_problem(path) or ("is listed twice" if path in seen else None)
        if problem:
            raise ConfigError(CONFIG_FILE, line, f"feeds.copies: {shown(path)} {problem}")
        seen.add(path)


def _check_hub(url: str, text: str) -> None:
    """A hub is an absolute http(s) URL, or none."""
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.hostname
                or CONTROL.search(url) or re.search(r"\s", url)):
        raise ConfigError(CONFIG_FILE, find_line(text, "hub"),
                          f"feeds.hub: {shown(url)} is not a web address; write the hub's "
                          "URL, e.g. hub = \"https://pubsubhubbub.appspot.com/\", or remove it")


def feed_copy_problem(path: str) -> str | None:
    """What is wrong with a feed copy's path, or None."""
    parts = path.split("/")
    name = parts[-1]
    if not path.startswith("/") or CONTROL.search(path) or re.search(r"[\s?#\\]", path) \
            or any(part in (".", "..") or part.startswith(".") for part in parts[1:]) \
            or "//" in path:
        return ("is not a plain path on the site; write it from the site's root, "
                "e.g. '/feed.xml' or '/feed/'")
    if path == "/":
        return "is the home page's folder; name the feed, e.g. '/index.xml'"
    if name and "." not in name.strip("."):
        return f"has no file extension; write '{path}/' for a folder, or e.g. '{path}.xml'"
    if name.endswith((".html", ".htm")):
        return "would be a page, not a feed; name it e.g. '/feed.xml'"
    if parts[1] in FEED_COPY_TAKEN or path.lstrip("/") in FEED_COPY_TAKEN:
        return ("is a path sitegen itself writes (its feeds, tags, static files, sitemap "
                "and robots.txt); choose another")
    return None


def feed_copy_file(path: str) -> str:
    """A feed copy's output file: '/feed.xml' → 'feed.xml', '/feed/' → 'feed/index.xml'."""
    return path.lstrip("/") + ("index.xml" if path.endswith("/") else "")


def find_line(text: str, key: str) -> int | None:
    """The line of `key = …` in a TOML or YAML text, for error messages."""
    match = re.search(rf"^\s*{re.escape(key)}\s*[=:]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None

