"""The theme's words: one file of text per language, `templates/text/<language>.toml`,
read by the templates (through `t()`) and by the plan (page titles, archive months), so
that a site in another language shows no English but what its author wrote."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import theme
from sitegen.errors import TemplateError

TEXT_DIR = "text"  # inside a templates folder: one `<language>.toml` per language
VALUE = re.compile(r"\{(\w+)\}")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)$")


@dataclass(frozen=True, slots=True)
class Words:
    """The words of one language, English where it has none."""

    text: Mapping[str, Any]

    def raw(self, key: str, count: int | None = None) -> str:
        """The text of `key` with its `{name}`s unfilled: with `count`, its `one` or
        `other` form. KeyError for a key the English file lacks."""
        text = self.text[key]
        if isinstance(text, Mapping):
            text = text["one" if count == 1 else "other"]
        return str(text)

    def __call__(self, key: str, count: int | None = None, **values: Any) -> str:
        """The text of `key` as plain text, its `{name}`s filled with `values` (the plan
        asks this for every archive day: the text is split once, not searched each time)."""
        filled = {**values, "count": count}
        parts = _parts(self.raw(key, count))
        return "".join([part if i % 2 == 0 else
                        str(filled[part]) if part in filled else f"{{{part}}}"
                        for i, part in enumerate(parts)])

    def month(self, number: int) -> str:
        """January … December (1 … 12)."""
        return str(self.text["months"][number - 1])


@functools.lru_cache(maxsize=1024)
def _parts(text: str) -> list[str]:
    """A text split at its `{name}`s: literal, name, literal, … (names at odd places)."""
    return VALUE.split(text)


def load(dirs: list[Path], language: str) -> tuple[Words, list[str]]:
    """The words for `language` ('pt-br' reads text/pt.toml, then text/pt-br.toml, over
    English), each file from the site's templates/ over the theme's, so a site adds or
    overrides a language one key at a time. An unknown language gives English and one
    warning."""
    text: dict[str, Any] = {}
    for name in _names(language):
        for folder in reversed(dirs):
            path = folder / TEXT_DIR / f"{name}.toml"
            if path.is_file():
                text.update(_read(path))
    known = any((d / TEXT_DIR / f"{n}.toml").is_file()
                for d in dirs for n in _names(language)[1:])
    if known or language.lower().split("-")[0] == "en":
        return Words(text), []
    return Words(text), [f"language {language!r}: the theme has no "
                         f"{TEXT_DIR}/{language.lower()}.toml in templates/, so its text "
                         "is in English"]


def for_site(site_dir: Path, language: str) -> Words:
    """The words a site's pages show: its templates/ over the theme's."""
    dirs = [d for d in (site_dir / "templates", theme.TEMPLATES) if d.is_dir()]
    return load(dirs, language)[0]


@functools.cache
def english() -> Words:
    """The built-in theme's English, for a plan made without a site's templates."""
    return load([theme.TEMPLATES], "en")[0]


def _names(language: str) -> list[str]:
    """English first, then the language, then its regional form: en, pt, pt-br."""
    parts = language.lower().replace("_", "-").split("-")
    return list(dict.fromkeys(["en", *("-".join(parts[:n]) for n in (1, len(parts)))]))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise TemplateError(str(path), int(found[1]) if found else None,
                            f"not valid TOML ({_TOML_LINE.sub('', str(exc)).strip()}); "
                            "fix that line") from None
    except UnicodeDecodeError:
        raise TemplateError(str(path), None, "not UTF-8 text; save it as UTF-8") from None
