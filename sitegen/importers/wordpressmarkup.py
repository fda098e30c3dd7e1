"""WordPress's post HTML → HTML as WordPress shows it: its common shortcodes converted
([caption], [code], [sourcecode], [embed], [youtube], [vimeo], [audio], [video]), and
blank lines made paragraphs, as its `wpautop` does."""

from __future__ import annotations

import html
import re

from sitegen import markup
from sitegen.importers.records import Problem

SHORTCODE = re.compile(r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?P<attrs>(?:=[^\]\s]*)?"
                       r"(?:\s[^\]]*)?)\](?:(?P<content>.*?)\[/(?P=name)\])?(?P<end>\]?)",
                       re.DOTALL)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|"""
                       r"""([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|(\S+)""")
CODE_NAMES = frozenset({"code", "sourcecode"})
# Languages WordPress.com's syntax highlighter takes as shortcodes of their own: [python]
LANGUAGES = frozenset({"python", "php", "js", "javascript", "css", "html", "xml", "bash", "shell",
                       "sql", "java", "c", "cpp", "csharp", "ruby", "perl", "text", "plain",
                       "go", "rust", "powershell", "scala", "diff", "jscript", "vb"})
EMBEDS = frozenset({"embed", "youtube", "vimeo", "audio", "video", "soundcloud", "dailymotion"})
# Other shortcodes of WordPress and its common plugins: reported, left as they are.
KNOWN = frozenset({"gallery", "playlist", "contact-form", "contact-field", "wpvideo",
                   "googlemaps", "slideshow", "instagram", "tweet", "twitter", "gist",
                   "latex", "polldaddy", "recipe", "archives", "sitemap"})
BLOCK = re.compile(r"^(?:<(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|pre|table|thead|tbody|"
                   r"tfoot|tr|td|th|caption|figure|figcaption|hr|form|fieldset|address|section|"
                   r"article|aside|header|footer|nav|main|iframe|object|embed|video|audio|"
                   r"script|style|noscript|details|summary|math|svg|center|map|area|select)\b"
                   r"|<!--|\x00)", re.IGNORECASE)
PROTECTED = re.compile(r"<(pre|script|style|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
BARE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")


def convert(body: str, where: str, line: int | None) -> tuple[str, list[Problem]]:
    """A post's content:encoded → the HTML WordPress would show, and what was left."""
    problems: list[Problem] = []
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = SHORTCODE.sub(lambda m: _shortcode(m, where, line, problems), body)
    return autop(body), problems


def _shortcode(match: re.Match[str], where: str, line: int | None,
               problems: list[Problem]) -> str:
    name = match.group("name").lower()
    if match.group("escaped") and match.group("end"):  # [[name]] shows as [name]
        return match.group(0)[1:-1]
    attrs = _attributes(match.group("attrs"))
    content = match.group("content") or ""
    if name == "caption":
        return _caption(content, attrs)
    if name in CODE_NAMES or (name in LANGUAGES and match.group("content") is not None):
        lang = attrs.get("lang") or attrs.get("language") or ("" if name in CODE_NAMES else name)
        return _code(content, lang.lower(), where, line, problems)
    if name in EMBEDS:
        return _embed(name, match.group("attrs"), attrs, content)
    if name in KNOWN or match.group("content") is not None or "=" in match.group("attrs"):
        at = line + match.string.count("\n", 0, match.start()) if line else None
        problems.append(Problem(where, at, f"shortcode left as text: [{name}]; replace it "
                                "with HTML by hand"))
    return match.group(0)


def _attributes(text: str) -> dict[str, str]:
    """Shortcode attributes as WordPress parses them: name="v", name='v', name=v; bare
    values by position ('0', '1', …)."""
    found: dict[str, str] = {}
    position = 0
    for match in ATTRIBUTE.finditer(text.lstrip("=")):
        groups = match.groups()
        for key, value in ((groups[0], groups[1]), (groups[2], groups[3]),
                           (groups[4], groups[5])):
            if key:
                found[key.lower()] = html.unescape(value)
                break
        else:
            found[str(position)] = html.unescape(groups[6] or groups[7] or "")
            position += 1
    return found


def _caption(content: str, attrs: dict[str, str]) -> str:
    """[caption]<img …> Text[/caption] → <figure><img …><figcaption>Text</figcaption>."""
    image = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", content, re.DOTALL)
    picture, text = (image.group(1), image.group(2).strip()) if image else ("", content.strip())
    text = attrs.get("caption") or text
    align = attrs.get("align", "")
    kind = f' class="wp-caption {html.escape(align)}"' if align else ' class="wp-caption"'
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure{kind}>{picture}{caption}</figure>"


def _code(content: str, lang: str, where: str, line: int | None,
          problems: list[Problem]) -> str:
    code = html.unescape(content).strip("\n") + "\n"
    warnings: list[str] = []
    block = markup.highlight(code, lang, warnings)
    problems.extend(Problem(where, line, w) for w in warnings)
    return "\n\n" + block.strip() + "\n\n"


def _embed(name: str, raw: str, attrs: dict[str, str], content: str) -> str:
    """[embed]URL[/embed], [youtube=URL], [youtube URL], [audio src=URL] → a link."""
    url = content.strip() if content.strip() else ""
    if not url and raw.startswith("="):  # [youtube=http://…&w=320]
        url = html.unescape(raw[1:].strip())
    url = url or attrs.get("src") or attrs.get("url") or attrs.get("mp4") or \
        attrs.get("mp3") or attrs.get("0", "")
    if name == "vimeo" and url.isdigit():
        url = f"https://vimeo.com/{url}"
    if name == "youtube" and re.fullmatch(r"[\w-]{11}", url):
        url = f"https://www.youtube.com/watch?v={url}"
    escaped = html.escape(url)
    return f'\n\n<p><a href="{escaped}">{escaped}</a></p>\n\n' if url else ""


def autop(body: str) -> str:
    """Blank lines → paragraphs and single line breaks → <br />, outside block elements
    and <pre>, as WordPress's wpautop shows a post (a simplified version of it)."""
    kept: list[str] = []

    def protect(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    body = PROTECTED.sub(protect, body)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    paragraphs = [_paragraph(b) for b in blocks]
    text = "\n\n".join(paragraphs) + "\n"
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _paragraph(block: str) -> str:
    if BLOCK.match(block):
        return block
    bare = BARE_URL.match(block)
    if bare:  # a URL alone on its line: WordPress shows it embedded; here, a link
        url = bare.group(1)
        return f'<p><a href="{url}">{url}</a></p>'
    return "<p>" + re.sub(r"(?<!<br />)\n", "<br />\n", block) + "</p>"
