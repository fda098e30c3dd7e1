"""`make weights`: what a reader downloads for each page type of the demo site, gzipped.

For each page type (bench/demo.py's list) it builds the demo into a temporary folder and
counts, gzipped at level 9 as a static host would serve them, the page's HTML, the
stylesheets it links (and their @imports) and the scripts it loads (and their static
imports), then says whether the total is under the 14 KB budget: about what the first
round trip of a new connection carries (ten TCP segments), so a page within it can
paint without waiting for a second one. Images, the favicon and what a script fetches
later (Pagefind's index, once a reader types) are not counted.

Exit status 1 when a page type is over budget."""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bench import demo

BUDGET = 14_000  # bytes, gzipped
BASE_URL = "https://example.org/"


@dataclass(frozen=True, slots=True)
class Weight:
    """One page type's gzipped bytes."""

    name: str
    html: int
    css: int
    js: int
    files: int  # stylesheets and scripts: requests before the page is complete

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


class Assets(HTMLParser):
    """Collects a page's stylesheet and script addresses, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        rel = (found.get("rel") or "").split()
        if tag == "link" and "stylesheet" in rel and found.get("href"):
            self.css.append(found["href"] or "")
        elif tag == "link" and "modulepreload" in rel and found.get("href"):
            self.js.append(found["href"] or "")
        elif tag == "script" and found.get("src"):
            self.js.append(found["src"] or "")


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def local_file(out: Path, page_url: str, href: str) -> Path | None:
    """The built file an address points to, or None when it is not on this site."""
    url = urljoin(page_url, href)
    if not url.startswith(BASE_URL):
        return None
    path = out / urlsplit(url).path[len(urlsplit(BASE_URL).path):]
    return path / "index.html" if url.endswith("/") else path


def with_imports(out: Path, url: str, pattern: str, seen: set[Path]) -> int:
    """Gzipped bytes of one stylesheet or script and, once each, what it imports."""
    path = local_file(out, url, "")
    if path is None or path in seen or not path.is_file():
        return 0
    seen.add(path)
    data = path.read_bytes()
    imported = re.findall(pattern, data.decode("utf-8", errors="replace"))
    return gzipped(data) + sum(with_imports(out, urljoin(url, i), pattern, seen)
                               for i in imported)


CSS_IMPORT = r"""@import\s+(?:url\()?["']?([^"')\s;]+)"""
JS_IMPORT = r"""(?:^|;|\n)\s*(?:import|export)\b[^'"();]*?\bfrom\s*["']([^"']+)["']"""


def weigh(out: Path, name: str, path: str) -> Weight:
    page_url = BASE_URL + path
    html = local_file(out, page_url, "")
    if html is None or not html.is_file():
        raise SystemExit(f"{name}: /{path} was not built")
    assets = Assets()
    assets.feed(html.read_text(encoding="utf-8"))
    seen: set[Path] = set()
    css = sum(with_imports(out, urljoin(page_url, h), CSS_IMPORT, seen) for h in assets.css)
    js = sum(with_imports(out, urljoin(page_url, h), JS_IMPORT, seen) for h in assets.js)
    return Weight(name, gzipped(html.read_bytes()), css, js, len(seen))


def table(weights: list[Weight]) -> str:
    lines = [f"{'page type':<16} {'HTML':>7} {'CSS':>7} {'JS':>7} {'total':>7} {'files':>5}  "
             f"budget {BUDGET:,} B"]
    for w in weights:
        verdict = "under" if w.total <= BUDGET else f"OVER by {w.total - BUDGET:,}"
        lines.append(f"{w.name:<16} {w.html:>7,} {w.css:>7,} {w.js:>7,} {w.total:>7,} "
                     f"{w.files:>5}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sitegen-weights-") as folder:
        out = Path(folder) / "public"
        demo.build(out, BASE_URL)
        weights = [weigh(out, name, path) for name, path in demo.page_types().items()]
    print("Gzipped bytes (gzip -9) a reader downloads per page type of the demo site "
          "(files: stylesheets and scripts besides the HTML):")
    print(table(weights))
    return 0 if all(w.total <= BUDGET for w in weights) else 1


if __name__ == "__main__":
    sys.exit(main())
