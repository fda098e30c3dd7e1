"""A second, heavier benchmark corpus, sized like real blog posts (seeded, reproducible).

`bench/corpus.py` writes short posts (890 bytes on average). This one follows the
sizes of real posts. Calibrated on 918 posts of nine public blogs imported into
sitegen sites for earlier work (jessfraz, karpathy, mojombo, spf13, almet, eevee,
wptt, benbc, pk: their content/ folders, pages left out, measured with
`python -m bench.realstats`; no text of theirs is used or kept):

- file bytes: mean 8,146, median 3,994, p90 20,619, max 101,851;
- kinds: entries 100% (long-form blogs: none of them posts links);
- per post: 3.32 headings, 2.65 lists, 1.51 fenced code blocks; code blocks of median
  5 lines, p90 21, max 298 (jessfraz 7 / 33, almet 5 / 25, eevee 5 / 19).

Those blogs hold entries only, so entries here follow them (a log-normal size of
median 4 KB and p90 20 KB, capped at 100 KB; several headings, lists in most
sections), while the mix of kinds follows a link-blog as issue 16 describes one:
mostly link posts of a few sentences, so the median stays under 1 KB and the whole
averages ≥ 2.4 KB. Code blocks are fewer than in those blogs (0.15 a post, as issue
16 measured) and long when they come: 20–60 lines, a few short ones.

At 10,000 posts (seed 1) this writes: bytes mean 2,542, median 721, p90 5,442, max
102,337 (26.0 MB); links 59%, entries 21%, quotes 10%, notes 10%; per post 1.35
headings (6.4 an entry), 0.81 lists, 0.14 code blocks (median 34 lines, p90 55);
2,000 Zipf tags (5,000 past 10,000 posts). Figures printed by
`python -m bench.heavy FOLDER --posts 10000 --stats`.

Text is made of generated words (no copied prose), with inline links, emphasis and
code as real posts have. The same seed gives the same corpus, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from pathlib import Path

from bench import corpus, realstats

ENTRY_MEDIAN, ENTRY_SIGMA, ENTRY_MAX = 4000, 1.26, 100_000  # bytes: p90 ≈ 20 KB
KINDS = (("link", 0.58), ("entry", 0.22), ("quote", 0.10), ("note", 0.10))
CODE_PER_SECTION = 0.11  # fenced code blocks: ≈ 0.15 a post over the whole corpus
LANGUAGES = ("python", "sh", "js", "go", "rust", "toml", "")
_MORE = ("request response commit branch merge review release version schema query "
         "table index column row cursor thread queue socket stream buffer packet "
         "kernel driver signal pattern lattice graph vertex edge weight model")
WORDS = corpus.WORDS + _MORE.split()


def tags_for(posts: int) -> int:
    """2,000 tags up to 10,000 posts (one for every five posts below), 5,000 past."""
    return min(max(posts // 5, 10), 2000 if posts <= 10_000 else 5000)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def inline(rng: random.Random) -> str:
    """A few words, now and then marked up as a link, emphasis or code."""
    roll, text = rng.random(), words(rng, rng.randint(1, 3))
    if roll < 0.06:
        return f"[{text}](https://example.com/{text.replace(' ', '-')})"
    if roll < 0.09:
        return f"*{text}*"
    if roll < 0.11:
        return f"`{text.replace(' ', '_')}`"
    return text


def sentence(rng: random.Random, low: int = 6, high: int = 22) -> str:
    parts: list[str] = []
    wanted = rng.randint(low, high)
    while sum(p.count(" ") + 1 for p in parts) < wanted:
        parts.append(inline(rng))
    text = " ".join(parts)
    return text[0].upper() + text[1:] + rng.choice(".......?!")


def paragraph(rng: random.Random, low: int = 2, high: int = 6) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def bullet_list(rng: random.Random) -> str:
    mark = rng.choice(("-", "*", "1."))
    return "\n".join(f"{mark} {sentence(rng, 3, 12)}" for _ in range(rng.randint(2, 7)))


def code_line(rng: random.Random, depth: int) -> str:
    name, other = rng.choice(WORDS), rng.choice(WORDS)
    shapes = (f"{name}_{other} = {rng.randint(0, 999)}",
              f"if {name} > {other}:", f"return {name}({other}, {rng.randint(1, 64)})",
              f"# {words(rng, rng.randint(3, 8))}", f"{name}.{other}(\"{words(rng, 2)}\")",
              f"for {name} in {other}s:")
    return "    " * depth + rng.choice(shapes)


def code_block(rng: random.Random) -> str:
    """Mostly 20–60 lines, one in five a short snippet."""
    lines = rng.randint(20, 60) if rng.random() < 0.8 else rng.randint(3, 12)
    body = "\n".join(code_line(rng, rng.randint(0, 2)) for _ in range(lines))
    return f"```{rng.choice(LANGUAGES)}\n{body}\n```"


def section(rng: random.Random, number: int) -> str:
    parts = [f"{'#' * rng.choice((2, 2, 3))} {sentence(rng, 2, 6)[:-1]} {number}",
             *(paragraph(rng) for _ in range(rng.randint(1, 3)))]
    if rng.random() < 0.6:
        parts.append(bullet_list(rng))
    if rng.random() < CODE_PER_SECTION:
        parts.append(code_block(rng))
    if rng.random() < 0.5:
        parts.append(paragraph(rng, 1, 4))
    return "\n\n".join(parts)


def entry_body(rng: random.Random) -> str:
    """Sections until the body reaches a log-normal size (median 4 KB, p90 20 KB)."""
    target = min(ENTRY_MAX, int(ENTRY_MEDIAN * math.exp(rng.gauss(0, ENTRY_SIGMA))))
    parts = [paragraph(rng)]
    size = len(parts[0])
    while size < target:
        parts.append(section(rng, len(parts)))
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)


def pick_kind(rng: random.Random) -> str:
    roll = rng.random()
    for kind, share in KINDS:
        roll -= share
        if roll < 0:
            return kind
    return KINDS[-1][0]


def one_post(rng: random.Random, number: int, date: dt.datetime, tags: list[str]) -> str:
    kind = pick_kind(rng)
    title = sentence(rng, 3, 9)[:-1]
    fields: dict[str, object] = {"title": title, "date": date.isoformat(), "tags": tags,
                                 "kind": kind}
    if kind == "link":
        fields.update(link_url=f"https://example.com/{number}/article", link_title=title)
        if rng.random() < 0.3:
            fields.update(via_url=f"https://example.net/{number}", via_title="a friend")
        body = " ".join(sentence(rng) for _ in range(rng.randint(1, 5)))
    elif kind == "entry":
        body = entry_body(rng)
    elif kind == "quote":
        fields.update(source=f"Person {number % 97}",
                      source_url=f"https://example.org/people/{number % 97}")
        del fields["title"]
        body = "\n\n".join(f"> {paragraph(rng, 1, 4)}" for _ in range(rng.randint(1, 2)))
        body += "\n\n" + sentence(rng)
    else:
        body = paragraph(rng, 2, 8)
    return corpus.front_matter(fields) + body + "\n"


def generate(root: Path, posts: int, tags: int | None = None, seed: int = 1) -> Path:
    """Write site.toml and content/ for a heavy corpus of `posts` posts under `root`."""
    names = corpus.tag_names(tags_for(posts) if tags is None else tags)
    return corpus.write(root, posts, names, seed, "Bench Heavy", one_post)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--tags", type=int, default=None, help="default: tags_for(posts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", action="store_true", help="then print its figures")
    args = parser.parse_args()
    generate(args.folder, args.posts, args.tags, args.seed)
    if args.stats:
        print(realstats.describe(args.folder.name, realstats.site_shapes(args.folder)))


if __name__ == "__main__":
    main()
