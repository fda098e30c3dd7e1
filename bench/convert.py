"""Lay out a generated corpus for each generator (not timed).

sitegen reads the corpus as it is. Hugo reads the same YAML front matter, given a
`slug` (sitegen takes it from the file name) and a title for quotes. Pelican's
Markdown reader wants `Key: value` lines, so the front matter is rewritten. Every
post keeps its path under the content folder, so one relative path names the same
post in all three copies.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench import trash

BENCH = Path(__file__).resolve().parent
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
Post = tuple[dict[str, Any], str]  # front matter, body


def split_post(text: str) -> Post:
    """A corpus file → (front matter fields, Markdown body)."""
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def slug_of(path: Path) -> str:
    return DATE_PREFIX.sub("", path.stem)


def title_of(fields: dict[str, Any]) -> str:
    """The title sitegen shows: quotes without one are 'Quoting {source}'."""
    return str(fields.get("title") or f"Quoting {fields.get('source', 'someone')}")


def to_hugo(fields: dict[str, Any], body: str, path: Path) -> str:
    fields = {**fields, "title": title_of(fields), "slug": slug_of(path)}
    head = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    return f"---\n{head}---\n{body}"


def to_pelican(fields: dict[str, Any], body: str, path: Path) -> str:
    meta = {"Title": title_of(fields), "Date": str(fields["date"]).replace("T", " "),
            "Tags": ", ".join(fields.get("tags", [])), "Slug": slug_of(path)}
    meta.update({k.capitalize(): str(v) for k, v in fields.items()
                 if k not in ("title", "date", "tags")})
    return "".join(f"{k}: {v}\n" for k, v in meta.items()) + "\n" + body


def convert_tree(source: Path, target: Path, write: Callable[[dict[str, Any], str, Path], str]
                 ) -> None:
    """Every post under `source` → the same relative path under `target`, rewritten."""
    for path in sorted(source.rglob("*.md")):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        fields, body = split_post(path.read_text(encoding="utf-8"))
        out.write_text(write(fields, body, path), encoding="utf-8")


def newest_post(content: Path) -> Path:
    """The last post by file name: corpus files are named by date, so the newest."""
    return max(content.rglob("*.md"), key=lambda p: p.name)


def fresh(folder: Path) -> Path:
    trash.set_aside([folder])
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def lay_out_sitegen(corpus: Path, site: Path) -> Path:
    """A copy of the corpus (site.toml and content/); returns its content folder."""
    shutil.copytree(corpus, fresh(site))
    return site / "content"


def lay_out_hugo(corpus: Path, site: Path) -> Path:
    """bench/hugo (config, layouts) plus the posts under content/posts/."""
    shutil.copytree(BENCH / "hugo", fresh(site))
    convert_tree(corpus / "content", site / "content" / "posts", to_hugo)
    return site / "content" / "posts"


def lay_out_pelican(corpus: Path, site: Path) -> Path:
    """The posts with Pelican metadata; settings and theme stay in bench/pelican."""
    convert_tree(corpus / "content", fresh(site) / "content", to_pelican)
    return site / "content"
