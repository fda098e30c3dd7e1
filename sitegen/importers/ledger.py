"""`.sitegen-imports`: what earlier imports wrote into a site, so that an import run
again adds only what is new, never takes an author's own file for an imported one,
and never brings back an imported post that the author deleted. It lives at the site
folder's top, beside site.toml, so it is never published."""

from __future__ import annotations

import json
from pathlib import Path

from sitegen.errors import ConfigError
from sitegen.importers import places

LEDGER_FILE = ".sitegen-imports"
NOTE = ("What `sitegen import` wrote: format and origin -> file. An origin listed here is "
        "never imported again; keep this file under version control.")


def key(format: str, origin: str) -> str:
    """A post's entry: its format and where it came from ('jekyll _posts/2014-x.md')."""
    return f"{format} {origin}"


def load(folder: Path) -> dict[str, str]:
    """The entries of the site's ledger (none when it has none yet)."""
    path = folder / LEDGER_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(LEDGER_FILE, None, f"cannot be read ({exc}); it lists what earlier "
                          "imports wrote: restore it from version control, or delete it to "
                          "import every post again") from None
    entries = data.get("imported") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        raise ConfigError(LEDGER_FILE, None, "is not the list sitegen writes ({\"imported\": "
                          "{…}}); restore it from version control, or delete it to import "
                          "every post again")
    return {str(k): v for k, v in entries.items()}


def save(folder: Path, entries: dict[str, str]) -> None:
    """Write the ledger (replacing the file, never following a symlink there)."""
    text = json.dumps({"note": NOTE, "imported": dict(sorted(entries.items()))},
                      ensure_ascii=False, indent=1)
    places.replace_text(folder / LEDGER_FILE, text + "\n")
