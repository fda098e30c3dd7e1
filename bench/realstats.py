"""Measure the posts of real blogs, to calibrate the heavy corpus (bench/heavy.py).

`python -m bench.realstats SITE...` reads every post (`*.md` and `*.html` under each
site's content/, pages left out) and prints, per site and for all together: posts,
the file's bytes (front matter included: mean, median, p90, max), the share of each
kind, and per post the headings, lists and fenced code blocks, with the code blocks'
lengths in lines. It prints figures only, never a post's text.
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.convert import split_post

MD_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
MD_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)]) ")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
HTML_HEADING = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
HTML_LIST = re.compile(r"<[uo]l[\s>]", re.IGNORECASE)
HTML_CODE = re.compile(r"<pre[\s>](.*?)</pre>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Shape:
    size: int  # bytes of the file
    kind: str
    headings: int
    lists: int
    code_lines: tuple[int, ...]  # one length per fenced code block


def kind_of(fields: dict[str, object], path: Path) -> str:
    """As sitegen reads it: named, else link with link_url, quote with source, entry."""
    if "kind" in fields:
        return str(fields["kind"])
    return "link" if "link_url" in fields else "quote" if "source" in fields else "entry"


def markdown_shape(body: str) -> tuple[int, int, tuple[int, ...]]:
    """(headings, lists, code block lengths) of a Markdown body; code is skipped."""
    headings = lists = 0
    blocks: list[int] = []
    fence, in_list = "", False
    for line in body.splitlines():
        opened = FENCE.match(line)
        if fence:
            if opened and opened[1] == fence:
                fence = ""
            else:
                blocks[-1] += 1
            continue
        if opened:
            fence = opened[1]
            blocks.append(0)
            continue
        headings += bool(MD_HEADING.match(line))
        item = bool(MD_ITEM.match(line))
        lists += item and not in_list
        in_list = item or (in_list and line.startswith(" ") and bool(line.strip()))
    return headings, lists, tuple(blocks)


def html_shape(body: str) -> tuple[int, int, tuple[int, ...]]:
    blocks = tuple(m[1].strip("\n").count("\n") + 1 for m in HTML_CODE.finditer(body))
    return len(HTML_HEADING.findall(body)), len(HTML_LIST.findall(body)), blocks


def read_shape(path: Path) -> Shape | None:
    data = path.read_bytes()
    try:
        fields, body = split_post(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(fields, dict) or fields.get("kind") == "page":
        return None
    shape = html_shape(body) if path.suffix == ".html" else markdown_shape(body)
    return Shape(len(data), kind_of(fields, path), *shape)


def site_shapes(site: Path) -> list[Shape]:
    content = site / "content"
    paths = sorted(p for p in content.rglob("*") if p.suffix in (".md", ".html")
                   and "pages" not in p.relative_to(content).parts[:1])
    return [s for s in map(read_shape, paths) if s is not None]


def describe(name: str, shapes: list[Shape]) -> str:
    sizes = sorted(s.size for s in shapes)
    count = len(shapes)
    kinds = Counter(s.kind for s in shapes)
    blocks = sorted(n for s in shapes for n in s.code_lines)
    share = ", ".join(f"{k} {v / count:.0%}" for k, v in kinds.most_common())
    code = (f"code lines median {statistics.median(blocks):.0f}, p90 {_p90(blocks)}, "
            f"max {blocks[-1]}" if blocks else "no code")
    return (f"{name}: {count} posts; bytes mean {statistics.mean(sizes):,.0f}, median "
            f"{statistics.median(sizes):,.0f}, p90 {_p90(sizes):,}, max {sizes[-1]:,}; {share}; "
            f"per post {_per(shapes, 'headings'):.2f} headings, {_per(shapes, 'lists'):.2f} "
            f"lists, {len(blocks) / count:.2f} code blocks; {code}")


def _per(shapes: list[Shape], field: str) -> float:
    return sum(int(getattr(s, field)) for s in shapes) / len(shapes)


def _p90(values: list[int]) -> int:
    return values[min(len(values) - 1, int(len(values) * 0.9))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sites", type=Path, nargs="+", help="folders holding content/")
    args = parser.parse_args()
    everything: list[Shape] = []
    for site in args.sites:
        shapes = site_shapes(site)
        everything.extend(shapes)
        if shapes:
            print(describe(site.name if site.name != "site" else site.parent.name, shapes))
    if everything:
        print(describe("all", everything))


if __name__ == "__main__":
    main()
