"""Pelican's markup conventions → sitegen's: `{filename}`, `{static}`, `{attach}` and
`{tag}` links, CodeHilite's `:::lang` code blocks, and reStructuredText through docutils."""

from __future__ import annotations

import dataclasses
import functools
import html
import io
import posixpath
import re
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

from sitegen import markup
from sitegen import tags as sitegen_tags
from sitegen.importers.records import Asset, ImportedPost, Problem, inside

# A link target in a link's place: Markdown `](…)` or `[id]: …`, or an HTML attribute.
LINK = re.compile(
    r"""(?P<lead>\]\(\s*<?|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?|\b(?:href|src|poster|data|cite)"""
    r"""\s*=\s*["']?)(?:\{(?P<a>\w+)\}|\|(?P<b>\w+)\||%7B(?P<c>\w+)%7D)"""
    r"""(?P<path>[^\s)"'<>]*(?: [^\s)"'<>]+)*)""",
    re.MULTILINE | re.IGNORECASE)
PLUGIN_TAG = re.compile(r"\{%-?\s*(\w+)[^%\n]*%\}")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Python-Markdown's fence with attributes: ``` { .lua linenostart=45 } → ```lua
ATTR_FENCE = re.compile(r"^( {0,3}(?:`{3,}|~{3,}))\s*\{\s*\.([\w#+-]+)[^}]*\}\s*$")
# CodeHilite's first line of an indented block: ':::lang' or '#!lang' (removed), or a
# shebang with a path '#!/usr/bin/python' (kept as code).
MARKER = re.compile(r"^(?::::*|#!(?P<path>(?:/[\w.-]+)*/)?)(?P<lang>[\w#.+-]*)\s*"
                    r"(?:hl_lines=\S*\s*)?$")
CODE_HTML = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.DOTALL)
WHERE_TO = {"index": "/", "tags": "/tags/", "categories": "/tags/", "archives": "/archives/"}


class Linker:
    """Rewrites each post's Pelican links to sitegen's URLs, given every post by its file
    (relative to the content folder) and the published tags' slugs."""

    def __init__(self, targets: dict[str, ImportedPost], tag_slugs: set[str], content: Path,
                 prefix: str, base: str = "") -> None:
        self.targets = targets
        self.base = base  # the site's path on its host ('/blog'), or ''

        self.tag_slugs = tag_slugs
        self.content = content
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.statics: list[Asset] = []  # files linked with {static} (copied to root/)

    def rewrite(self, post: ImportedPost, path: str, body_line: int) -> ImportedPost:
        """The post with its links, code blocks and image in sitegen's terms."""
        where = self.prefix + path
        attached: dict[str, Asset] = {}
        body = LINK.sub(lambda m: self._link(m, path, body_line, attached, post.body), post.body)
        self._plugin_tags(body, where, body_line)
        if post.body_format == "md":
            body = fence_code(body)
        image = self._image(post.image, path, attached)
        return dataclasses.replace(post, body=body, image=image,
                                   assets=tuple(attached.values()))

    def _image(self, value: str, path: str, attached: dict[str, Asset]) -> str:
        """The image field: `{static}…` and `{attach}…` as links are; a path relative to
        the content folder (as themes read it) → its root path; else as it is."""
        marked = _image(value)
        if marked:
            return self._rooted(self._target(*marked, path, 1, attached) or "")
        if not value or re.match(r"^(https?:)?//|^/", value):
            return value
        for what, name in (("static", "/" + value), ("attach", value)):
            relative = _resolve(name, path)
            if relative and self._is_file(relative):
                return self._rooted(self._target(what, name, path, 1, attached) or "")
        self._problem(path, 1, f"image not found: {value}; the field was left out")
        return ""

    def _link(self, match: re.Match[str], path: str, body_line: int,
              attached: dict[str, Asset], body: str) -> str:
        what = (match.group("a") or match.group("b") or match.group("c")).lower()
        line = body_line + body.count("\n", 0, match.start())
        url = self._target(what, match.group("path"), path, line, attached)
        if url is None:
            return match.group(0)
        return match.group("lead") + self._rooted(url).replace(" ", "%20")

    def _is_file(self, relative: str) -> bool:
        """Whether the content folder holds this file (a link out of it does not count)."""
        path = self.content / relative
        return path.is_file() and inside(self.content, path)

    def _rooted(self, url: str) -> str:
        return self.base + url if url.startswith("/") else url

    def _target(self, what: str, value: str, path: str, line: int,
                attached: dict[str, Asset]) -> str | None:
        """The URL for one `{what}value` link, or None (left as it is, with a problem)."""
        target, suffix = _split(value)
        if what in ("filename", "static", "attach"):
            return self._file(what, target, path, line, attached, suffix)
        if what in ("tag", "category"):
            return self._tag(what, unquote(target), path, line) + suffix
        if what in WHERE_TO:
            return WHERE_TO[what] + suffix
        self._problem(path, line, ("no author pages" if what.startswith("author")
                      else "unknown link") + f": {{{what}}}{value}; "
                      + ("it goes to the home page" if what.startswith("author")
                         else "left as it was: edit it by hand"))
        return "/" if what.startswith("author") else None

    def _file(self, what: str, value: str, path: str, line: int,
              attached: dict[str, Asset], suffix: str) -> str | None:
        relative = _resolve(unquote(value), path)
        post = self.targets.get(relative or "")
        if relative is None or (post is None and not self._is_file(relative)):
            self._problem(path, line, f"link to a missing file: {{{what}}}{value}; "
                          "left as it was: edit it by hand")
            return None
        if post is not None:
            return self._post_url(post, value, path, line) + suffix
        if what == "attach":
            name = _beside(relative, path)
            attached[name] = Asset(self.content / relative, name)
            return name + suffix
        self.statics.append(Asset(self.content / relative, "root/" + relative))
        return "/" + relative + suffix

    def _post_url(self, post: ImportedPost, value: str, path: str, line: int) -> str:
        if post.draft:
            self._problem(path, line, f"link to a draft: {{filename}}{value}; it will "
                          "not resolve until that post is published")
        if post.kind == "page":
            return f"/{post.slug}/"
        return post.old_url.removeprefix(self.base) or f"/{post.slug}/"

    def _tag(self, what: str, name: str, path: str, line: int) -> str:
        slug = sitegen_tags.slugify(name)
        if slug in self.tag_slugs:
            return f"/tags/{slug}/"
        self._problem(path, line, f"link to an unused tag: {{{what}}}{name}; no "
                      "published post has it, so the link goes to the tag index /tags/")
        return "/tags/"

    def _plugin_tags(self, body: str, where: str, body_line: int) -> None:
        for match in PLUGIN_TAG.finditer(_prose(body)):
            line = body_line + body.count("\n", 0, match.start())
            self.problems.append(Problem(where, line, "plugin tag left as text: {% "
                                         f"{match.group(1)} … %}} (from a Pelican plugin); "
                                         "replace it by hand"))

    def _problem(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(self.prefix + path, line, message))


def _prose(body: str) -> str:
    """The body with code blanked out (line breaks kept): template tags shown in code
    are the post's subject, not macros."""
    body = CODE_HTML.sub(_blank, body)
    lines = body.split("\n")
    fence, previous, indented = "", "", False
    for index, line in enumerate(lines):
        indented = (indented or not previous.strip()) and _depth(line) >= 4 and not fence
        if fence or FENCE.match(line) or indented:
            fence = _fence_state(line, fence) if not indented else fence
            lines[index] = ""
        previous = line
    return CODE_SPAN.sub(_blank, "\n".join(lines))


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _split(value: str) -> tuple[str, str]:
    """'post.md#part' → ('post.md', '#part')."""
    cut = min((i for i in (value.find("#"), value.find("?")) if i >= 0), default=len(value))
    return value[:cut], value[cut:]


def _resolve(value: str, path: str) -> str | None:
    """A link's file, relative to the content folder: from its root when it starts with
    '/', else from the linking file's folder; None when it leaves the content folder."""
    joined = value.lstrip("/") if value.startswith("/") else \
        posixpath.join(posixpath.dirname(path), value)
    relative = posixpath.normpath(joined) if joined else ""
    return None if not relative or relative.startswith("..") or relative == "." else relative


def _beside(relative: str, path: str) -> str:
    """Where an {attach} file goes in the post's folder: its path from the post's own
    folder when it is below it, else its name."""
    folder = posixpath.dirname(path)
    if folder and relative.startswith(folder + "/"):
        return relative[len(folder) + 1:]
    return relative if not folder and "/" not in relative else posixpath.basename(relative)


def _image(value: str) -> tuple[str, str] | None:
    match = re.match(r"^(?:\{(\w+)\}|\|(\w+)\|)(.*)$", value)
    return ((match.group(1) or match.group(2)).lower(), match.group(3)) if match else None


# CodeHilite code blocks ───────────────────────────────────────────────────────────────

def fence_code(body: str) -> str:
    """Indented code blocks whose first line is ':::lang' or '#!lang' (CodeHilite) →
    fenced blocks with that language, and fences with attributes (`{ .lang }`) → plain
    fences; other lines as they are."""
    lines = body.split("\n")
    out: list[str] = []
    index, fence = 0, ""
    while index < len(lines):
        line = lines[index]
        if fence or FENCE.match(line):
            out.append(line if fence else ATTR_FENCE.sub(r"\1\2", line))
            fence = _fence_state(line, fence)
            index += 1
            continue
        block = _code_block(lines, index) if index == 0 or not lines[index - 1].strip() else None
        if block is None:
            out.append(line)
            index += 1
            continue
        fenced, index = block
        out += fenced
    return "\n".join(out)


def _fence_state(line: str, fence: str) -> str:
    opened = FENCE.match(line)
    if not fence:
        return opened.group(1) if opened else ""
    closing = line.strip()
    return "" if closing.startswith(fence) and not closing.strip(fence[0]) else fence


def _code_block(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The fenced form of the indented block at `start` with a CodeHilite first line, and
    the index after the block; None when there is no such block there."""
    first = lines[start].expandtabs(4)
    depth = len(first) - len(first.lstrip(" "))
    marker = MARKER.match(first.strip()) if depth >= 4 and first.strip() else None
    if marker is None or not (marker.group("lang") or first.strip().startswith(":::")):
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip()
                                or _depth(lines[end]) >= depth):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    code = [line.expandtabs(4)[depth:] for line in lines[start + 1:end]]
    if marker.group("path"):
        code.insert(0, first.strip())
    mark = "~~~~" if any("```" in c for c in code) else "```"
    indent = " " * (depth - 4)
    return [indent + mark + marker.group("lang").lower(),
            *[(indent + c) if c.strip() else "" for c in code], indent + mark], end


def _depth(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


# reStructuredText ─────────────────────────────────────────────────────────────────────

@dataclasses.dataclass(frozen=True, slots=True)
class Rst:
    """A reStructuredText file read as Pelican reads it: its title and field list as
    metadata, its body as HTML."""

    meta: dict[str, Any]
    body: str
    problems: tuple[Problem, ...]


def _docutils_settings() -> dict[str, Any]:
    return {"_disable_config": True, "file_insertion_enabled": False, "raw_enabled": True,
            "report_level": 5, "halt_level": 5, "warning_stream": io.StringIO(),
            "syntax_highlight": "none", "initial_header_level": 2, "input_encoding": "unicode",
            "output_encoding": "unicode", "embed_stylesheet": False, "math_output": "HTML"}


def read_rst(text: str, where: str) -> Rst:
    """Title, fields and HTML body of a reStructuredText post (docutils' HTML5 writer,
    code blocks highlighted as sitegen highlights Markdown's)."""
    from docutils import nodes  # type: ignore[import-untyped]
    from docutils.core import publish_doctree, publish_parts  # type: ignore[import-untyped]
    from docutils.writers import html5_polyglot  # type: ignore[import-untyped]

    _register_code_block()
    try:
        doctree = publish_doctree(text, settings_overrides=_docutils_settings())
        body = publish_parts(text, writer=html5_polyglot.Writer(),
                             settings_overrides=_docutils_settings())["body"]
    except Exception as exc:  # docutils' own failures on odd input: the post is reported
        return Rst({}, "", (Problem(where, None, f"reStructuredText: docutils could not "
                                    f"read it ({exc}); skipped"),))
    meta = _rst_fields(doctree, nodes)
    if doctree.get("title"):
        meta.setdefault("title", doctree["title"])
    problems = [Problem(where, m.get("line"), "reStructuredText: " + _message(m))
                for m in doctree.findall(nodes.system_message) if m["level"] >= 2]
    warnings: list[str] = []
    body = _highlight(body, warnings)
    problems += [Problem(where, None, w) for w in warnings]
    return Rst(meta, body, tuple(problems))


# The options of Pelican's `code-block` directive (Pygments'), which docutils' own `code`
# directive lacks: accepted and left out, since sitegen highlights code its own way.
PYGMENTS_OPTIONS = ("anchorlinenos", "classprefix", "hl_lines", "lineanchors", "linenos",
                    "linenospecial", "linenostart", "linenostep", "lineseparator", "linespans",
                    "nobackground", "nowrap", "tagsfile", "tagurlformat")


@functools.cache
def _register_code_block() -> None:
    """`code-block` and `sourcecode` as Pelican registers them: docutils' `code` with
    Pygments' options accepted."""
    from docutils.parsers.rst import directives  # type: ignore[import-untyped]
    from docutils.parsers.rst.directives.body import CodeBlock  # type: ignore[import-untyped]

    class PelicanCodeBlock(CodeBlock):  # type: ignore[misc]
        option_spec: ClassVar[dict[str, Any]] = {**CodeBlock.option_spec,
                                                 **dict.fromkeys(PYGMENTS_OPTIONS,
                                                                 directives.unchanged)}

        def run(self) -> Any:
            for name in PYGMENTS_OPTIONS:
                self.options.pop(name, None)
            return super().run()

    for name in ("code-block", "sourcecode"):
        directives.register_directive(name, PelicanCodeBlock)


def _rst_fields(doctree: Any, nodes: Any) -> dict[str, Any]:
    """The docinfo block (the field list after the title), as Pelican reads it."""
    meta: dict[str, Any] = {}
    for docinfo in doctree.findall(nodes.docinfo):
        for element in docinfo.children:
            if element.tagname == "field":
                meta[element[0].astext().strip().lower()] = element[1].astext().strip()
            else:
                meta[element.tagname.lower()] = element.astext().strip()
    return meta


def _message(node: Any) -> str:
    paragraphs = [c.astext() for c in node.children if c.tagname == "paragraph"]
    return " ".join(paragraphs)[:200] or node.astext()[:200]


CODE = re.compile(r'<pre class="code (?P<lang>[\w#.+-]+) literal-block">(?:<code>)?'
                  r"(?P<code>.*?)(?:</code>)?</pre>", re.DOTALL)


def _highlight(body: str, warnings: list[str]) -> str:
    return CODE.sub(lambda m: markup.highlight(html.unescape(m.group("code")) + "\n",
                                               m.group("lang").lower(), warnings), body)
