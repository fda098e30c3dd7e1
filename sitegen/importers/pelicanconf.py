"""A Pelican project's settings, read from pelicanconf.py and publishconf.py without
running them: only top-level assignments of plain values (literals, names set earlier,
`+` of those) are read; a setting the importer uses that is anything else is reported."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from sitegen.importers.records import Problem, inside

FILES = ("pelicanconf.py", "publishconf.py")  # publishconf.py overrides pelicanconf.py

# Pelican's defaults for the settings the importer uses (Pelican 4).
DEFAULTS: dict[str, Any] = {
    "SITENAME": "", "SITEURL": "", "AUTHOR": "", "TIMEZONE": "", "DEFAULT_LANG": "en",
    "SITESUBTITLE": "", "PATH": "",
    "ARTICLE_PATHS": [""], "ARTICLE_EXCLUDES": [], "PAGE_PATHS": ["pages"],
    "PAGE_EXCLUDES": [], "STATIC_PATHS": ["images"], "STATIC_EXCLUDES": [],
    "EXTRA_PATH_METADATA": {}, "IGNORE_FILES": [".#*"], "READERS": {},
    "ARTICLE_URL": "{slug}.html", "ARTICLE_SAVE_AS": "{slug}.html",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html", "ARTICLE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "PAGE_URL": "pages/{slug}.html", "PAGE_SAVE_AS": "pages/{slug}.html",
    "PAGE_LANG_URL": "pages/{slug}-{lang}.html", "PAGE_LANG_SAVE_AS": "pages/{slug}-{lang}.html",
    "CATEGORY_URL": "category/{slug}.html", "TAG_URL": "tag/{slug}.html",
    "FEED_ALL_ATOM": "feeds/all.atom.xml", "FEED_ATOM": None, "FEED_ALL_RSS": None,
    "FEED_RSS": None, "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml", "CATEGORY_FEED_RSS": None,
    "TAG_FEED_ATOM": None, "TAG_FEED_RSS": None, "AUTHOR_FEED_ATOM": "feeds/{slug}.atom.xml",
    "AUTHOR_FEED_RSS": "feeds/{slug}.rss.xml", "TRANSLATION_FEED_ATOM": "feeds/all-{lang}.atom.xml",
    "TRANSLATION_FEED_RSS": None,
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*", "PATH_METADATA": "",
    "USE_FOLDER_AS_CATEGORY": True, "DEFAULT_CATEGORY": "misc", "SLUGIFY_SOURCE": "title",
    "DISPLAY_PAGES_ON_MENU": True,
}
SITE_FEEDS = ("FEED_ALL_ATOM", "FEED_ATOM", "FEED_ALL_RSS", "FEED_RSS")
OTHER_FEEDS = ("CATEGORY_FEED_ATOM", "CATEGORY_FEED_RSS", "TAG_FEED_ATOM", "TAG_FEED_RSS",
               "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TRANSLATION_FEED_ATOM",
               "TRANSLATION_FEED_RSS")
FOLDERS = ("ARTICLE_PATHS", "PAGE_PATHS", "STATIC_PATHS")  # lists of folders under PATH
# A value the importer computes is refused past these sizes (`A = A + A`, sixty times).
MAX_REPR = 100_000
MAX_ITEMS = 10_000

Lines = dict[str, tuple[str, int]]  # setting → the file and line that last assigned it


def read(source: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The settings in force when the site was published: Pelican's defaults, then
    pelicanconf.py's, then publishconf.py's; and what could not be read."""
    values = dict(DEFAULTS)
    problems: list[Problem] = []
    lines: Lines = {}
    found = [name for name in FILES if (source / name).is_file()]
    for name in found:
        _assign(source / name, name, values, lines, problems)
    _keep_inside(source, values, lines, problems)
    if not found:
        problems.append(Problem("pelicanconf.py", None, "settings not read: there is no "
                                "pelicanconf.py; Pelican's defaults were used (articles at "
                                "/{slug}.html)"))
    return values, problems


def _assign(path: Path, name: str, values: dict[str, Any], lines: Lines,
            problems: list[Problem]) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), name)
    except (SyntaxError, ValueError) as exc:
        line = exc.lineno if isinstance(exc, SyntaxError) else None
        problems.append(Problem(name, line, f"settings not read: not valid Python ({exc}); "
                                "Pelican's defaults were used"))
        return
    for node in tree.body:
        for target, value in _assignments(node):
            try:
                values[target] = _literal(value, values)
                lines[target] = (name, node.lineno)
            except _TooBig:
                _forget(target, values)
                problems.append(Problem(name, node.lineno, f"setting not read: {target} is "
                                        "too big to be a setting (over 10,000 items or "
                                        "100,000 characters), so it was not used"))
            except (ValueError, TypeError, RecursionError, MemoryError):
                if target in DEFAULTS:
                    problems.append(Problem(name, node.lineno, f"setting not read: {target} is "
                                            "computed when Pelican runs; Pelican's default "
                                            "was used: set it in site.toml if it matters"))


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    """The upper-case names a top-level statement assigns (Pelican reads no others)."""
    if isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        return [(n, node.value) for n in names if n.isupper()]
    if isinstance(node, ast.AnnAssign) and node.value and isinstance(node.target, ast.Name):
        return [(node.target.id, node.value)] if node.target.id.isupper() else []
    return []


def _literal(node: ast.expr, known: dict[str, Any]) -> Any:
    """A plain value: a literal, a setting assigned before, `a + b` or `dict(k=v)` of
    those."""
    if isinstance(node, ast.Name):
        if node.id in known:
            return known[node.id]
        raise ValueError(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _bounded(_sum(_literal(node.left, known), _literal(node.right, known)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "dict" and not node.args:
        return _bounded({k.arg: _literal(k.value, known) for k in node.keywords if k.arg})
    return ast.literal_eval(node)


def _forget(target: str, values: dict[str, Any]) -> None:
    """A setting not read: Pelican's default, or no value at all for a name of its own."""
    if target in DEFAULTS:
        values[target] = DEFAULTS[target]
    else:
        values.pop(target, None)


class _TooBig(ValueError):
    """A value past MAX_ITEMS or MAX_REPR: reading on could exhaust memory."""


def _sum(left: Any, right: Any) -> Any:
    """`left + right`, refused before it is made when it would be too big."""
    sized = (list, tuple, str, bytes)
    limit = MAX_REPR if isinstance(left, str | bytes) else MAX_ITEMS
    if isinstance(left, sized) and isinstance(right, sized) and len(left) + len(right) > limit:
        raise _TooBig()
    return left + right


def _bounded(value: Any) -> Any:
    """The value, when its items number at most MAX_ITEMS and its text (roughly, its
    repr) at most MAX_REPR characters; counted as it is walked, so that a value built
    of shared parts is refused without being written out."""
    items, chars = 0, 0
    stack = [value]
    while stack:
        part = stack.pop()
        items += 1
        if isinstance(part, dict):
            stack += [*part.keys(), *part.values()]
        elif isinstance(part, list | tuple | set | frozenset):
            stack += list(part)
        chars += len(part) + 2 if isinstance(part, str | bytes) else 4
        if items > MAX_ITEMS or chars > MAX_REPR:
            raise _TooBig()
    return value


def _keep_inside(source: Path, values: dict[str, Any], lines: Lines,
                 problems: list[Problem]) -> None:
    """PATH and the folders under it, where the importer reads and copies files: those
    outside the Pelican folder are refused (their default is used) and reported."""
    if values["PATH"] and not inside(source, source / str(values["PATH"])):
        problems.append(_outside("PATH", values["PATH"], lines))
        values["PATH"] = DEFAULTS["PATH"]
    content = source / str(values["PATH"] or "content")
    for name in FOLDERS:
        folders = values[name] if isinstance(values[name], list | tuple) else [values[name]]
        kept = [f for f in folders if inside(source, content / str(f))]
        if len(kept) < len(folders):
            problems.append(_outside(name, [f for f in folders if f not in kept], lines))
            values[name] = kept or DEFAULTS[name]
    extra = values["EXTRA_PATH_METADATA"]
    if isinstance(extra, dict):
        bad = [k for k, v in extra.items() if not inside(source, content / str(k))
               or _leaves_root(v)]
        if bad:
            problems.append(_outside("EXTRA_PATH_METADATA", bad, lines))
            values["EXTRA_PATH_METADATA"] = {k: v for k, v in extra.items() if k not in bad}


def _leaves_root(meta: object) -> bool:
    """Whether an EXTRA_PATH_METADATA entry's save_as or path holds '..'."""
    targets = [str(meta.get(k) or "") for k in ("save_as", "path")] \
        if isinstance(meta, dict) else []
    return any(".." in re.split(r"[/\\]", t) for t in targets)


def _outside(name: str, value: object, lines: Lines) -> Problem:
    file, line = lines.get(name, ("pelicanconf.py", None))
    return Problem(file, line, f"setting not used: {name} {value!r} points outside the "
                   "Pelican folder, and the importer reads nothing outside it (the rest of "
                   "the setting, or Pelican's default, was used); move those files into "
                   "the folder to import them")
