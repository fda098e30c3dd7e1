"""`sitegen tags rename` and `sitegen tags merge`: one tag for several, written into every
post that has them (frontedit changes nothing else), the old names kept in
content/tags.toml so that their pages redirect and their feeds go on.

Every file is rewritten in memory and checked first; only then is anything written, each
file through a temporary file beside it, so a problem in one file writes none.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen import build, frontedit, tags, tagstoml
from sitegen.errors import BuildErrors, ContentError, SiteError, shown

SUGGESTIONS = 3  # near tag names an unknown tag's error offers


class TagEditError(SiteError):
    """The command cannot do what was asked (an unknown tag, a name given twice): about
    the command's words, not a place in a file."""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Change:
    """One file's text before and after (before None: a new file)."""

    path: str  # relative to the site folder
    before: bytes | None
    after: bytes


@dataclass(frozen=True, slots=True)
class Plan:
    olds: tuple[str, ...]
    new: str
    changes: tuple[Change, ...]
    posts: int  # how many of the changes are posts (the rest: tags.toml)


def plan(site_dir: Path, olds: Sequence[str], new: str) -> Plan:
    """Every file that renaming the tags `olds` to `new` changes, checked; nothing
    written. TagEditError, ContentError or BuildErrors when it cannot be done."""
    posts = build.read_site(build.Options(site_dir=site_dir, drafts=True))[2]
    used: dict[str, str] = {}
    for post in posts:
        for name in post.tags:
            used.setdefault(tags.slugify(name), name)
    _check_names(olds, new, used)
    rename = frontedit.Rename(frozenset(tags.slugify(o) for o in olds), new)
    changes, errors = [], []
    for source in sorted({p.source for p in posts if any(map(rename.renamed, p.tags))}):
        try:
            changes.append(_retag(site_dir, source, rename))
        except ContentError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else BuildErrors(errors)
    toml = _tags_file(site_dir, olds, new)
    return Plan(tuple(olds), new, (*changes, *([toml] if toml else [])), len(changes))


def plan_merge(site_dir: Path, olds: Sequence[str], into: str) -> Plan:
    """`merge A B --into C`: as `plan`. C may be one of them, in its spelling or another
    (`merge CRDT crdts --into CRDTs`): that tag stays, spelled as C."""
    if len(olds) < 2:
        raise TagEditError("", None, "merge needs two tags or more; to rename one tag, use "
                           "`sitegen tags rename OLD NEW`")
    going = [old for old in olds if old != into]  # C as written stays as it is
    return plan(site_dir, going or olds, into)


def _check_names(olds: Sequence[str], new: str, used: dict[str, str]) -> None:
    problem = tags.check_name(new)
    if problem:
        raise TagEditError("", None, f"the new name: {problem}")
    for old in olds:
        if old == new:
            raise TagEditError("", None, f"the new name {shown(new)} is the old one; "
                               "give the name the tag should have instead")
        if tags.slugify(old) not in used:
            raise TagEditError("", None, f"no post has the tag {shown(old)}"
                               f"{_near(old, used)}; `sitegen tags` lists the site's tags")
    if len({tags.slugify(o) for o in olds}) < len(olds):
        raise TagEditError("", None, "a tag is named twice; name each tag once")


def _near(name: str, used: dict[str, str]) -> str:
    close = difflib.get_close_matches(tags.slugify(name), list(used), n=SUGGESTIONS,
                                      cutoff=0.6)
    return f" (near: {', '.join(shown(used[slug]) for slug in close)})" if close else ""


def _retag(site_dir: Path, source: str, rename: frontedit.Rename) -> Change:
    data = (site_dir / source).read_bytes()
    text = data.decode("utf-8")
    after = frontedit.retag(source, text, rename)
    if after is None:  # the parser found the tag: the editor must too
        raise ContentError(source, None, "cannot find this post's tags to rewrite them; "
                           "change them by hand")
    return Change(source, data, after.encode("utf-8"))


def _tags_file(site_dir: Path, olds: Sequence[str], new: str) -> Change | None:
    path = site_dir / tags.TAGS_FILE
    data = path.read_bytes() if path.exists() else None
    text = data.decode("utf-8") if data is not None else None
    after = tagstoml.record(text, olds, new)
    if after is None or after == text:
        return None
    return Change(tags.TAGS_FILE, data, after.encode("utf-8"))


def diff(changes: Sequence[Change]) -> str:
    """A unified diff of every change, as `git diff` shows one."""
    lines: list[str] = []
    for change in changes:
        before = (change.before or b"").decode("utf-8").splitlines(keepends=True)
        after = change.after.decode("utf-8").splitlines(keepends=True)
        lines.extend(difflib.unified_diff(before, after, f"a/{change.path}",
                                          f"b/{change.path}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def write(site_dir: Path, changes: Sequence[Change]) -> None:
    """Write every change: each to a temporary file beside its file, with its mode, then
    each moved over its file. A file changed since it was read is not overwritten."""
    for change in changes:
        path = site_dir / change.path
        now = path.read_bytes() if path.exists() else None
        if now != change.before:
            raise ContentError(change.path, None, "changed while the tags were being "
                               "rewritten; nothing was written; run the command again")
    staged: list[tuple[str, Path]] = []
    try:
        for change in changes:
            staged.append(_stage(site_dir / change.path, change.after))
    except BaseException:
        for temporary, _ in staged:
            os.unlink(temporary)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)


def _stage(path: Path, data: bytes) -> tuple[str, Path]:
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary, path


def summary(done: Plan, merged: bool) -> str:
    """What the command did, in a line: "renamed 'llm' to 'LLMs' in 12 files; old name
    kept in content/tags.toml"."""
    olds = ", ".join(shown(old) for old in done.olds)
    verb = "merged" if merged else "renamed"
    into = "into" if merged else "to"
    files = f"{done.posts} file" + ("" if done.posts == 1 else "s")
    line = f"{verb} {olds} {into} {shown(done.new)} in {files}"
    if len(done.changes) > done.posts:
        noun = "names" if len(done.olds) > 1 else "name"
        line += f"; old {noun} kept in {tags.TAGS_FILE}"
    return line
