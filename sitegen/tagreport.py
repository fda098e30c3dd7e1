"""`sitegen tags`: the site's tags as a build sees them, and the tags that look like one.

An authoring command, not a build stage: it reads posts as a build does (the cache
when present, never written) and prints; it writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sitegen import build, site, tags
from sitegen.config import Config

EDIT_MIN = 6  # names at least this long (letters and digits) may differ by one edit
STEM_MIN = 3  # a singular at least this long: 'LLM'/'LLMs', not 'j'/'js'

# Abbreviations grouped only when both forms are tags of the site. 'go'/'golang' is left
# out: 'go' is also the game and the verb, and a link-blog tags both.
ABBREVIATIONS = {
    "js": "javascript", "ts": "typescript", "py": "python", "k8s": "kubernetes",
    "ml": "machinelearning", "ai": "artificialintelligence",
}


@dataclass(frozen=True, slots=True)
class TagUse:
    """One tag as the report lists it: the site's display name, its slug, how many
    published posts carry it, and the days of its first and last use."""

    name: str
    slug: str
    count: int
    first: dt.date
    last: dt.date


def read_site(options: build.Options) -> tuple[Config, site.Site]:
    """Parse and assemble the posts as `sitegen build` does, so that counts, names and
    errors are the build's own; rendering is skipped, and the cache is read, not written."""
    config, _, _, the_site = build.read_site(options)
    return config, the_site


def uses(the_site: site.Site, config: Config) -> list[TagUse]:
    """Every tag of the site, most used first (ties by name)."""
    return sort_uses((_use(tag, config) for tag in the_site.tags.values()), "count")


def _use(tag: site.Tag, config: Config) -> TagUse:
    days = [_day(entry.post.date, config) for entry in tag.entries]
    return TagUse(tag.name, tag.slug, tag.ref.count, min(days), max(days))


def _day(when: dt.datetime, config: Config) -> dt.date:
    """The post's day in the site's time zone, as its permalink and archives show it."""
    aware = when if when.tzinfo else when.replace(tzinfo=config.tz)
    return aware.astimezone(config.tz).date()


def sort_uses(found: Iterable[TagUse], by: str) -> list[TagUse]:
    """By 'count' (most first, then by name) or by 'name' (case-blind, then slug)."""
    if by == "name":
        return sorted(found, key=lambda u: (tags.key(u.name), u.slug))
    return sorted(found, key=lambda u: (-u.count, tags.key(u.name), u.slug))


def listing(found: list[TagUse]) -> list[str]:
    """The lines of `sitegen tags`: a header, then one aligned line per tag."""
    rows = [("tag", "slug", "posts", "first", "last")] + [
        (u.name, u.slug, str(u.count), u.first.isoformat(), u.last.isoformat())
        for u in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  "
            f"{r[3]:<{widths[3]}}  {r[4]}" for r in rows]


def similar(found: list[TagUse]) -> list[list[TagUse]]:
    """Groups of tags likely to be one: the same letters and digits once punctuation and
    spaces are gone ('open-source'/'opensource'), a plural of another tag ('LLMs'/'LLM'),
    one edit apart for names of EDIT_MIN+ characters ('javasript'/'javascript'), or a
    known abbreviation beside its long form ('js'/'javascript'). Each group is most used
    first; groups with the most posts first.

    No rule compares all pairs: tags are indexed by their squashed form (letters and
    digits only), so the first three rules look up candidates in a dict, and the edit
    rule buckets each name under itself and each of its one-letter deletions (two names
    one substitution, insertion, deletion or swap apart share a bucket), then checks
    only the pairs within a bucket. The cost grows with tags × name length, not tags²."""
    by_squash: dict[str, list[int]] = defaultdict(list)
    for index, use in enumerate(found):
        by_squash[squash(use.slug)].append(index)
    joined = _Groups(len(found))
    for pair in _candidates(by_squash):
        joined.union(*pair)
    groups = [sorted((found[i] for i in members), key=lambda u: (-u.count, u.slug))
              for members in joined.sets() if len(members) > 1]
    return sorted(groups, key=lambda g: (-sum(u.count for u in g), g[0].slug))


def squash(slug: str) -> str:
    """A slug with only its letters and digits: 'open-source' → 'opensource'."""
    return re.sub(r"[\W_]+", "", slug)


def _candidates(by_squash: dict[str, list[int]]) -> Iterator[tuple[int, int]]:
    for indexes in by_squash.values():
        yield from ((indexes[0], other) for other in indexes[1:])
    for word, indexes in by_squash.items():
        for other in (*_singulars(word), ABBREVIATIONS.get(word, "")):
            if other in by_squash:
                yield indexes[0], by_squash[other][0]
    yield from _one_edit(by_squash)


def _singulars(word: str) -> list[str]:
    """What `word` would be as a singular: 'feeds' → 'feed', 'boxes' → 'box', 'libraries'
    → 'library'; nothing for 'class' or 'css' (a double s), or a stem too short to mean
    anything ('js')."""
    if not word.endswith("s") or word.endswith("ss"):
        return []
    stems = [word[:-1], word[:-2] if word.endswith("es") else "",
             word[:-3] + "y" if word.endswith("ies") else ""]
    return [s for s in stems if len(s) >= STEM_MIN]


def _one_edit(by_squash: dict[str, list[int]]) -> Iterator[tuple[int, int]]:
    buckets: dict[str, list[str]] = defaultdict(list)
    for word in by_squash:
        if len(word) >= EDIT_MIN:
            for variant in {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}:
                buckets[variant].append(word)
    for words in buckets.values():
        for i, first in enumerate(words):
            for second in words[i + 1:]:
                if _one_apart(first, second):
                    yield by_squash[first][0], by_squash[second][0]


def _one_apart(first: str, second: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours apart, and the same
    numbers: 'python2'/'python3' or 'es2015'/'es2016' are different things."""
    if re.findall(r"\d+", first) != re.findall(r"\d+", second):
        return False
    short, long = sorted((first, second), key=len)
    if len(long) - len(short) == 1:
        return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
    diff = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                              and first[diff[0]] == second[diff[1]]
                              and first[diff[1]] == second[diff[0]])


class _Groups:
    """Union-find over tag indexes: candidates found by different rules join one group."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        self.parent[self.find(first)] = self.find(second)

    def sets(self) -> list[list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for item in range(len(self.parent)):
            members[self.find(item)].append(item)
        return list(members.values())


def similar_lines(groups: list[list[TagUse]]) -> list[str]:
    """The lines of `sitegen tags similar`: one group a line, 'LLMs (5), LLM (2)'."""
    if not groups:
        return ["No similar tags found."]
    return [", ".join(f"{u.name} ({u.count})" for u in group) for group in groups]
