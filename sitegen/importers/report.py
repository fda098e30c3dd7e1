"""What an import did, as one value, and as the text `import-report.txt` holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sitegen.importers.records import Problem

REPORT_FILE = "import-report.txt"
SHOWN_PER_KIND = 5  # problems of one kind printed on the terminal; the file has them all


@dataclass(frozen=True, slots=True)
class Report:
    """Counts and problems of one import."""

    format: str
    source: str
    site: str  # the site folder, as given
    new_site: bool
    posts: int = 0  # written, drafts and pages included
    drafts: int = 0
    pages: int = 0
    skipped: int = 0  # already imported by an earlier run
    tags: int = 0
    assets: int = 0  # files copied
    assets_there: int = 0  # files already in place with the same bytes
    pattern: str = ""  # the [permalinks] post pattern that keeps old URLs, if one does
    aliased: int = 0  # posts given their old URLs as aliases
    feeds: tuple[str, ...] = ()  # old feed paths published as copies
    declared: tuple[tuple[str, str, int], ...] = ()  # field, type, posts
    dropped: tuple[tuple[str, int], ...] = ()  # field, posts
    added: tuple[str, ...] = ()  # lines added to site.toml
    todo: tuple[str, ...] = ()  # lines the author should add to site.toml
    problems: tuple[Problem, ...] = ()

    def text(self, shown: int | None = None) -> str:
        """The report; `shown` limits the problems listed per kind (None: all)."""
        return "\n".join([*self._summary(), *self._settings(), *self._problems(shown)]) + "\n"

    def _summary(self) -> list[str]:
        where = "a new site" if self.new_site else "the site"
        lines = [f"Imported {self.format} {self.source} into {where} {self.site}",
                 f"  posts: {self.posts} written ({self.drafts} drafts, {self.pages} pages), "
                 f"{self.skipped} already there",
                 f"  tags: {self.tags}",
                 f"  files copied: {self.assets} ({self.assets_there} already there)"]
        if self.pattern:
            lines.append(f"  old URLs: kept by [permalinks] post = \"{self.pattern}\"")
        if self.aliased:
            lines.append(f"  old URLs: kept as aliases of {self.aliased} posts")
        if self.feeds:
            lines.append(f"  old feeds: published as copies at {', '.join(self.feeds)}")
        lines.extend(f"  field kept: {name} ({kind}) in {count} posts, declared in "
                     "[content.fields]" for name, kind, count in self.declared)
        lines.extend(f"  field dropped: {name} in {count} posts" for name, count in self.dropped)
        return lines

    def _settings(self) -> list[str]:
        lines = []
        if self.added:
            lines.append("site.toml: added")
            lines.extend(f"  {line}" for line in self.added)
        if self.todo:
            lines.append("site.toml: add by hand (the file says otherwise, and was left as it is)")
            lines.extend(f"  {line}" for line in self.todo)
        return lines

    def _problems(self, shown: int | None) -> list[str]:
        if not self.problems:
            return ["No problems."]
        groups: dict[str, list[Problem]] = defaultdict(list)
        for problem in self.problems:
            groups[kind(problem.message)].append(problem)
        files = len({p.path for p in self.problems})
        lines = [f"Problems: {len(self.problems)} in {files} files, {len(groups)} kinds"]
        for name, found in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
            lines.append(f"{len(found)} × {name}")
            listed = found if shown is None else found[:shown]
            lines.extend(f"    {place(p)}: {p.message}" for p in listed)
            if len(listed) < len(found):
                lines.append(f"    … and {len(found) - len(listed)} more "
                             f"(all in {REPORT_FILE})")
        return lines


def kind(message: str) -> str:
    """A problem's kind: its message up to the first ': ' (the whole message if none)."""
    return message.split(": ", 1)[0]


def place(problem: Problem) -> str:
    return f"{problem.path}:{problem.line}" if problem.line else problem.path
