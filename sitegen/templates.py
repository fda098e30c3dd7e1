"""The Jinja theme: find templates (the site's first, then the built-in theme), render pages."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import sys
import traceback
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.bccache
from markupsafe import Markup, escape

from sitegen import __version__, markup, theme, words
from sitegen.config import Config
from sitegen.errors import TemplateError
from sitegen.pages import Page, Shared, fingerprint_key
from sitegen.site import Entry

THEME_DIR = theme.TEMPLATES
ONCE_KEPT = 256  # blocks `once` keeps, at most


class Renderer:
    """Renders template pages. Every template is compiled up front, so syntax errors
    are reported before anything is written."""

    def __init__(self, site_dir: Path, config: Config, compiled_before: str = "",
                 bytecode_dir: Path | None = None) -> None:
        self.dirs = _template_dirs(site_dir)
        self.site_dir = site_dir
        self.config = config
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, auto_reload=False,
            bytecode_cache=_bytecode_cache(bytecode_dir))
        self.env.globals.update(config=config, version=__version__,
                                url=functools.lru_cache(maxsize=65536)(
                                    lambda p: quote(config.url(p))),
                                absolute=lambda p: quote(config.absolute(p), safe=":/"),
                                summary=self.summary, once=self.once)
        self.words, self.warnings = words.load(self.dirs, config.language)
        self.env.globals.update(t=self.t, month_name=self.month_name, raw_text=self.raw_text)
        self.env.filters.update(isodate=_isodate, og_locale=_og_locale,
                                human_date=lambda v: self.human_date(v.astimezone(config.tz)),
                                human_datetime=lambda v: self.human_datetime(
                                    v.astimezone(config.tz)))
        self._summaries: dict[str, Markup] = {}  # by entry key
        self._plain: dict[tuple[str, int | None], Markup] = {}  # t(key, count), no values
        self._dates: dict[tuple[int, int, int], str] = {}  # human_date by day
        self._once: dict[tuple[str, ...], Markup] = {}  # by template and values
        self.files = _files(self.dirs)
        self.digest = _digest(self.files)
        if self.digest != compiled_before:  # these very templates compiled in a good build
            self._compile_all()

    def still_fits(self, site_dir: Path, config: Config) -> bool:
        """True when this renderer, templates compiled, serves the same site unchanged."""
        return (site_dir, config) == (self.site_dir, self.config) \
            and _digest(_files(_template_dirs(site_dir))) == self.digest

    def t(self, key: str, count: int | None = None, **values: Any) -> Markup:
        """The theme's text `key` in the site's language, its `{name}`s filled with
        `values` (escaped unless Markup): one place per language for every word the
        theme shows. With `count`, the text's `one` or `other` form."""
        if not values:
            plain = self._plain.get((key, count))
            if plain is None:
                plain = self._plain[key, count] = self._fill(key, count, {})
            return plain
        return self._fill(key, count, values)

    def _fill(self, key: str, count: int | None, values: dict[str, Any]) -> Markup:
        try:
            text = self.words.raw(key, count)
        except KeyError:
            raise jinja2.TemplateRuntimeError(
                f"no theme text {key!r} in {words.TEXT_DIR}/en.toml") from None
        filled = {**values, "count": count}
        return Markup(words.VALUE.sub(lambda m: str(escape(filled.get(m[1], m[0]))),
                                      str(escape(text))))

    def raw_text(self, *keys: str) -> dict[str, Any]:
        """The texts of `keys` as the language file has them, `{name}`s unfilled and
        plural tables whole: for a script that fills them (`|tojson` escapes them)."""
        return {key: self.words.text[key] for key in keys}

    def month_name(self, number: int) -> str:
        """January … December in the site's language (1 … 12)."""
        return self.words.month(number)

    def human_date(self, value: dt.datetime) -> str:
        """The one way the theme writes a date: '14 June 2025' in English."""
        day = (value.year, value.month, value.day)
        made = self._dates.get(day)
        if made is None:
            made = self._dates[day] = str(self.t("date", day=value.day, year=value.year,
                                                 month=self.month_name(value.month)))
        return made

    def human_datetime(self, value: dt.datetime) -> str:
        """A date and its time of day, for a post's own page: '14 June 2025, 09:30'."""
        return str(self.t("date_time", date=self.human_date(value),
                          time=f"{value:%H:%M}"))

    def _compile_all(self) -> None:
        for name in self.files:
            if name.startswith(words.TEXT_DIR + "/"):
                continue  # the theme's words, not a template
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(self._place(exc.filename, name), exc.lineno,
                                    f"template syntax error: {exc.message}") from None

    def _place(self, filename: str | None, name: str) -> str:
        path = Path(filename) if filename else self.files.get(name, Path(name))
        try:
            return path.resolve().relative_to(self.site_dir.resolve()).as_posix()
        except ValueError:
            return f"{path} (built-in theme)"

    def summary(self, entry: Entry) -> Markup:
        """An entry as list pages show it; rendered once per build, however many lists
        show it (home, tags, archives). Its heading ids carry its slug there."""
        html = self._summaries.get(entry.key)
        if html is None:
            made = self.env.get_template("_summary.html").render(entry=entry)
            html = self._summaries[entry.key] = Markup(
                markup.scope_heading_ids(made, f"{entry.post.slug}-"))
        return html

    @jinja2.pass_context
    def once(self, context: jinja2.runtime.Context, name: str, *values: Any,
             caller: jinja2.runtime.Macro) -> Markup:
        """`{% call once('sidebar', a, b) %}…{% endcall %}`: the block's HTML, made once
        per template and `values` (what the block shows besides the site's settings and
        words), however many pages show it: the sidebar is the same on 18,000 pages."""
        key = (str(context.name), name, *(_value_key(v) for v in values))
        html = self._once.get(key)
        if html is None:
            if len(self._once) >= ONCE_KEPT:  # a dev server's many builds
                self._once.clear()
            html = self._once[key] = Markup(caller())
        return html

    def remember_summary(self, entry: Entry, html: str) -> None:
        """Take an entry's summary rendered elsewhere (in a worker process)."""
        self._summaries[entry.key] = Markup(html)

    def render(self, page: Page) -> bytes:
        try:
            return self.env.get_template(page.template).render(page.context).encode()
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(exc)
            raise TemplateError(self._place(filename, page.template), line,
                                f"while rendering {page.path}: {exc}") from None


def renderer_for(site_dir: Path, config: Config, previous: Renderer | None,
                 compiled_before: str = "", bytecode_dir: Path | None = None) -> Renderer:
    """`previous` when its templates and settings are unchanged, else a new Renderer."""
    if previous is not None and previous.still_fits(site_dir, config):
        return previous
    return Renderer(site_dir, config, compiled_before, bytecode_dir)


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Jinja's own cache of compiled templates, keyed by each template's path and
    source, so a fresh process does not compile the theme again (70 ms). They are code,
    run when loaded: `folder` is a private one outside the site (cache.templates_dir)."""
    return None if folder is None else _BytecodeFolder(str(folder))


class _Environment(jinja2.Environment):
    """Jinja's environment with each template's globals a plain dict, not a ChainMap
    over the environment's: Jinja reads them as a whole at every render and at every
    `{% from … import %}` (where a ChainMap's key set is made in Python), 2% of a cold
    build. The Renderer sets the environment's globals before it loads a template, as
    Jinja asks, so the copy holds them all."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class _BytecodeFolder(jinja2.FileSystemBytecodeCache):
    """A bytecode cache whose failures only cost time: a template that cannot be kept
    (the folder is gone or full) is compiled again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)


def _template_dirs(site_dir: Path) -> list[Path]:
    return [d for d in (site_dir / "templates", THEME_DIR) if d.is_dir()]


def _files(dirs: list[Path]) -> dict[str, Path]:
    """Template name → the file that wins (the site's own before the theme's)."""
    found: dict[str, Path] = {}
    for root in reversed(dirs):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return dict(sorted(found.items()))


def _digest(files: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name, path in files.items():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line of a rendering error."""
    frames = traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__)
    for frame in reversed(frames):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return frame.filename, frame.lineno
    return None, None


def _value_key(value: Any) -> str:
    """A string that changes with anything a template can show of `value`."""
    if isinstance(value, jinja2.Undefined):
        return "undefined"
    return value.key if isinstance(value, Shared) else fingerprint_key(value)


def _isodate(value: dt.datetime) -> str:
    return value.isoformat()


def _og_locale(language: str) -> str:
    """A language tag as Open Graph writes it: 'en-us' → 'en_US'."""
    lang, _, region = language.replace("_", "-").partition("-")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()

