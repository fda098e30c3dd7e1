"""The built-in theme: its Jinja templates and its static files.

An installed wheel carries them inside the package (`sitegen/theme_files/`, copied there
by setup.py at build time); a checkout or an editable install uses the repository's own
top-level `templates/` and `static/`, the demo site's theme.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _root() -> Path:
    """The folder holding the theme's templates/ and static/."""
    packaged = _PACKAGE / "theme_files"
    return packaged if (packaged / "templates").is_dir() else _PACKAGE.parent


TEMPLATES = _root() / "templates"
STATIC = _root() / "static"
