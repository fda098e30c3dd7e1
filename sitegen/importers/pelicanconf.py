"""A Pelican project's settings, read from pelicanconf.py and publishconf.py without
running them: only top-level assignments of plain values (literals, names set earlier,
`+` of those) are read; a setting the importer uses that is anything else is reported."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from sitegen.importers.records import Problem

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


def read(source: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The settings in force when the site was published: Pelican's defaults, then
    pelicanconf.py's, then publishconf.py's; and what could not be read."""
    values = dict(DEFAULTS)
    problems: list[Problem] = []
    found = [name for name in FILES if (source / name).is_file()]
    for name in found:
        _assign(source / name, name, values, problems)
    if not found:
        problems.append(Problem("pelicanconf.py", None, "settings not read: there is no "
                                "pelicanconf.py; Pelican's defaults were used (articles at "
                                "/{slug}.html)"))
    return values, problems


def _assign(path: Path, name: str, values: dict[str, Any], problems: list[Problem]) -> None:
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
            except (ValueError, TypeError, RecursionError):
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
        return _literal(node.left, known) + _literal(node.right, known)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "dict" and not node.args:
        return {k.arg: _literal(k.value, known) for k in node.keywords if k.arg}
    return ast.literal_eval(node)
