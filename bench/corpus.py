"""A seeded generator of realistic link-blog corpora for benchmarks.

Mix of kinds (mostly links, some long entries with headings, lists, tables and code
including SVG, quotes and notes), Zipf-distributed tags with names such as `C++` and
`café`, and 15 years of dates. The same seed gives the same corpus, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

_WORD_TEXT = ("static site feed atom svg python markdown template render cache build "
              "reader browser tag index page link quote note archive sitemap server path "
              "stroke circle viewBox parser token lexer style colour width height grid "
              "incremental digest process worker memory disk file folder author post "
              "draft publish deploy host theme layout block macro filter")
WORDS = _WORD_TEXT.split()
SPECIAL_TAGS = ["C++", "C#", "C", "café", "Golden Gate", "日本語", "R&D", "node.js", "SVG"]
START = dt.datetime(2011, 1, 1, 8, 0)
YEARS = 15


def tag_names(count: int) -> list[str]:
    """`count` distinct tag names, the special ones first."""
    rng = random.Random(7)
    names = list(SPECIAL_TAGS)
    seen = {n.casefold() for n in names}
    while len(names) < count:
        name = "-".join(rng.sample(WORDS, 2)) + f"-{len(names)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:count]


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))


SVG_BLOCK = """```svg
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">
  <circle cx="12" cy="12" r="{r}" fill="none" stroke="currentColor"/>
  <path d="M4 12h16M12 4v16" stroke="currentColor" stroke-width="1.5"/>
</svg>
```"""

PY_BLOCK = """```python
def render(page: dict[str, str], width: int = {n}) -> str:
    \"\"\"Render one page.\"\"\"
    lines = [line.strip() for line in page["body"].splitlines()]
    return "\\n".join(line[:width] for line in lines if line)
```"""

SH_BLOCK = """```sh
for f in content/*.md; do
  grep -c '^tags:' "$f" | awk '{{s += $1}} END {{print s}}'
done
```"""


def entry_body(rng: random.Random) -> str:
    parts = [paragraph(rng)]
    for section in range(rng.randint(2, 4)):
        parts.append(f"## {sentence(rng, 4)[:-1]} {section + 1}")
        parts.append(paragraph(rng))
        roll = rng.random()
        if roll < 0.35:
            parts.append(SVG_BLOCK.format(r=rng.randint(3, 10)))
        elif roll < 0.65:
            parts.append(PY_BLOCK.format(n=rng.randint(40, 120)))
        elif roll < 0.8:
            parts.append(SH_BLOCK)
        else:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} |" for _ in range(4))
            parts.append(f"| name | value |\n|------|------:|\n{rows}")
        parts.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(rng.randint(2, 5))))
    return "\n\n".join(parts)


def front_matter(fields: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_quote(str(v)) for v in value)}]")
        else:
            lines.append(f"{key}: {_quote(str(value)) if isinstance(value, str) else value}")
    return "\n".join(lines) + "\n---\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def one_post(rng: random.Random, number: int, date: dt.datetime, tags: list[str]) -> str:
    roll = rng.random()
    title = sentence(rng, rng.randint(3, 8))[:-1]
    fields: dict[str, object] = {"title": title, "date": date.isoformat(), "tags": tags}
    if roll < 0.55:
        fields.update(kind="link", link_url=f"https://example.com/{number}/article",
                      link_title=title)
        if rng.random() < 0.3:
            fields.update(via_url=f"https://example.net/{number}", via_title="a friend")
        body = " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))
    elif roll < 0.75:
        fields["kind"] = "entry"
        body = entry_body(rng)
    elif roll < 0.9:
        fields.update(kind="quote", source=f"Person {number % 97}",
                      source_url=f"https://example.org/people/{number % 97}")
        del fields["title"]
        body = paragraph(rng)
    else:
        fields["kind"] = "note"
        body = paragraph(rng)
    return front_matter(fields) + body + "\n"


def generate(root: Path, posts: int, tags: int = 2000, seed: int = 1) -> Path:
    """Write site.toml and content/ for a corpus of `posts` posts under `root`."""
    return write(root, posts, tag_names(min(tags, max(posts // 5, 10))), seed, "Bench Links",
                 one_post)


PostWriter = Callable[[random.Random, int, dt.datetime, list[str]], str]


def write(root: Path, posts: int, names: list[str], seed: int, title: str,
          post_of: PostWriter) -> Path:
    """site.toml and `posts` posts written by `post_of`, dated over YEARS years, tagged
    from `names` by a Zipf law (each name used at least once): the same seed, the same
    bytes. Shared by this corpus and bench/heavy.py's."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(names))]
    span = dt.timedelta(days=365 * YEARS).total_seconds()
    stamps = sorted(rng.uniform(0, span) for _ in range(posts))
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(
        f'title = "{title}"\nbase_url = "https://example.org/"\nauthor = "Bench"\n'
        'timezone = "UTC"\nper_page = 30\n[feeds]\nentries = 20\n', encoding="utf-8")
    for number, stamp in enumerate(stamps):
        date = (START + dt.timedelta(seconds=int(stamp))).replace(microsecond=0)
        chosen = {names[number % len(names)]} if number < len(names) else set()
        chosen.update(rng.choices(names, weights, k=rng.randint(1, 4)))
        folder = root / "content" / str(date.year)
        folder.mkdir(exist_ok=True)
        text = post_of(rng, number, date, sorted(chosen, key=names.index))
        (folder / f"{date:%Y-%m-%d}-post-{number}.md").write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.folder, args.posts, args.tags, args.seed)


if __name__ == "__main__":
    main()
