"""The renderer's shortcuts give markdown-it-py's own results: links normalised, text
linkified, exactly as without them (the HTML of a post never depends on a shortcut)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt
from markdown_it.common.normalize_url import normalizeLink

from sitegen import markup

URL_CHARS = st.sampled_from([*"abcXYZ019-._~/?#%:@&=+$,;!*'()[]{}|\\^`<> \"\té€\u3002",
                             "%41", "%zz", "%4", "//", "http://", "https://", "www."])
URLS = st.lists(URL_CHARS, max_size=30).map("".join)
PREFIXED = st.tuples(st.sampled_from(["https://", "http://", "/", "#", "?", "HTTP://",
                                      "https://a" * 40, "mailto:", "//", ""]), URLS) \
    .map("".join)

TRICKY = ["https://example.org", "https://example.org/", "https://example.org:8080/x",
          "https://example.org:/x", "https://ex_ample.org/", "https://exämple.org/a",
          "https://" + "a" * 64 + ".org/", "https://" + "a." * 130 + "org/",
          "https://a..b/", "https://user@example.org/", "https://example.org/%41%zz%",
          "https://example.org/a b", "https://example.org/é?q=ü#frag", "/tags/x/",
          "//example.org/x", "#fn-1", "?q=1", "/a/%2", "https://example.org\n",
          "https://[::1]/x", "https://example.org/a'b(c)!*", "https://EXAMPLE.org/A"]


def test_plain_links_normalise_as_markdown_it_does() -> None:
    md = markup._parser()
    for url in TRICKY:
        assert md.normalizeLink(url) == normalizeLink(url), url
    assert sum(markup.PLAIN_LINK.fullmatch(url) is not None for url in TRICKY) >= 7


@settings(max_examples=1500, deadline=None)
@given(PREFIXED)
def test_any_link_normalises_as_markdown_it_does(url: str) -> None:
    assert markup._parser().normalizeLink(url) == normalizeLink(url)


TEXT = st.lists(st.sampled_from(["see ", "example", ".org", ".", "com", "@", "me@x.io",
                                 "http", "://", "www.", "localhost", "1.2.3.4", ":",
                                 "/", "é", "ü.de", " ", "\n", "mailto:", "ftp://a.b"]),
                max_size=12).map("".join)
OURS, THEIRS = markup._Linkify(), LinkifyIt()


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_linkify_finds_what_linkify_it_finds(text: str) -> None:
    assert OURS.pretest(text) == THEIRS.pretest(text)
    assert OURS.test(text) == THEIRS.test(text)


def test_a_post_with_links_renders_them_as_before() -> None:
    body = ("See [the docs](https://example.org/docs/a_b-c.html?x=1&y=2#top), "
            "[home](/), [a note](#fn), [é](https://exämple.org/é) and www.example.org.\n")
    html, _ = markup.render(body, "p")
    assert ('<a href="https://example.org/docs/a_b-c.html?x=1&amp;y=2#top">the docs</a>'
            in html)
    assert '<a href="/">home</a>' in html and '<a href="#fn">a note</a>' in html
    assert '<a href="https://xn--exmple-cua.org/%C3%A9">é</a>' in html
    assert '<a href="http://www.example.org">www.example.org</a>' in html


def test_code_met_again_is_highlighted_as_the_first_time() -> None:
    code = "```python\ndef f(x):\n    return x + 1  # one more\n```\n"
    first, _ = markup.render(code, "a")
    again, warnings = markup.render("Text.\n\n" + code, "b")
    assert warnings == () and again == "<p>Text.</p>\n" + first
    assert '<span class="k">def</span>' in first


def test_an_unknown_language_warns_in_every_post_that_has_it() -> None:
    for doc_id in ("a", "b"):
        _, warnings = markup.render("```nosuchlang\nx\n```\n", doc_id)
        assert warnings == ("unknown code language 'nosuchlang'; shown as plain text",)
