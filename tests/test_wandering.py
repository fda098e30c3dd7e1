"""Ways to wander a site: tag names as the author wrote them, a list per kind (notes
too), the tags index by name and by count, tag pages, archives with neighbours, and
post pages that show what a reader needs where they look for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from sitegen.build import Options, plan_site
from sitegen.pages import TEMPLATE, Page
from sitegen.site import link_domain
from sitegen.tags import first_sentence
from tests.conftest import make_site, post, sitegen

ATOM = "{http://www.w3.org/2005/Atom}"
TOML = 'title = "Wander"\nbase_url = "https://example.org/blog/"\ntimezone = "UTC"\n'
TAGS = ('[python]\nname = "Python"\ndescription = "Snakes and *scripts*, e.g. small '
        'ones. Then [more](https://example.com/)."\n')


def wander_site(root: Path) -> Path:
    """Tags first written 'LLMs', 'Golden Gate' and (in the first of two same-day files)
    'Rust', then more often in lower case; one post of each kind; months with gaps."""
    site = make_site(root, {
        "2023-06-01-a.md": post("Rusty A", "2023-06-01", "[Rust]"),
        "2023-06-01-b.md": post("Rusty B", "2023-06-01", "[rust]"),
        "2024-01-05-first.md": post("First", "2024-01-05T09:30:00",
                                    "[LLMs, Golden Gate, Python]"),
        "2024-03-02-later.md": post("Later", "2024-03-02", "[llms, golden gate, rust]"),
        "2024-03-09-again.md": post("Again", "2024-03-09", "[llms, golden gate, python]"),
        "2024-07-01-link.md": post("A link", "2024-07-01", "[python, llms]",
                                   link_url="https://www.Example.COM/some/page"),
        "2024-07-20-quote.md": post("Quoting Ada", "2024-07-20", "[python]",
                                    body="The quoted words.", source="Ada"),
        "2024-08-03-note.md": post("A note", "2024-08-03", "[rust]", kind="note",
                                   body="A short note."),
    }, TOML)
    (site / "content" / "tags.toml").write_text(TAGS, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = wander_site(tmp_path_factory.mktemp("wander") / "site")
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    return site / "public"


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def main(html: str) -> str:
    found = re.search(r"<main.*?</main>", html, re.DOTALL)
    assert found
    return found.group()


def test_a_tag_is_named_as_its_oldest_post_wrote_it_on_every_page_and_feed(
        built: Path) -> None:
    later = main(read(built, "2024/Mar/2/later/index.html"))
    assert '>LLMs</a>' in later and '>Golden Gate</a>' in later and '>Rust</a>' in later
    assert "llms<" not in later and "golden gate<" not in later
    assert "“LLMs”" in read(built, "tags/llms/index.html")
    assert '>Rust</a>' in read(built, "tags/index.html")  # the first of two same-day files
    feed = etree.fromstring((built / "atom" / "everything.atom").read_bytes())
    labels = {c.get("label") for c in feed.iter(f"{ATOM}category")}
    assert {"LLMs", "Golden Gate", "Rust", "Python"} <= labels
    assert not labels & {"llms", "golden gate", "rust"}


def test_notes_have_a_list_and_a_feed_and_the_home_page_links_every_list(
        built: Path) -> None:
    notes = main(read(built, "notes/index.html"))
    assert "A short note." in notes and "The quoted words." not in notes
    feed = etree.fromstring((built / "atom" / "notes.atom").read_bytes())
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["A note"]
    home = main(read(built, "index.html"))
    for kind in ("entries", "links", "quotes", "notes"):
        assert f'href="/blog/{kind}/"' in home, kind
    assert 'href="/blog/notes/" aria-current="page"' in notes


def tag_rows(html: str) -> list[tuple[str, str]]:
    """(name, count text) of each tag in the tags index, in order."""
    return re.findall(r'class="tag-name" href="[^"]+">([^<]+)</a> '
                      r'<span class="count">([^<]+)</span>', html)


def test_the_tags_index_lists_every_tag_by_name_and_by_count(built: Path) -> None:
    by_name, by_count = read(built, "tags/index.html"), read(built, "tags/by-count.html")
    assert tag_rows(by_name) == [("Golden Gate", "3 posts"), ("LLMs", "4 posts"),
                                 ("Python", "4 posts"), ("Rust", "4 posts")]
    assert tag_rows(by_count) == [("LLMs", "4 posts"), ("Python", "4 posts"),
                                  ("Rust", "4 posts"), ("Golden Gate", "3 posts")]
    assert 'href="/blog/tags/by-count.html">number of posts</a>' in by_name
    assert 'href="/blog/tags/">name</a>' in by_count
    for page in (by_name, by_count):
        assert '<p class="tag-about">Snakes and scripts, e.g. small ones.</p>' in page
        assert page.count('class="tag-about"') == 1  # tags without a description: none
        assert 'href="/blog/tags/python.atom">Atom feed' in page
        assert "an Atom feed" in page and page.count('class="feed-link"') >= 4


def test_a_tag_page_describes_itself_and_says_what_its_numbers_count(built: Path) -> None:
    python = read(built, "tags/python/index.html")
    assert '<meta name="description" content="Snakes and scripts, e.g. small ones.">' \
        in python
    assert '<meta name="description" content="Posts tagged “Rust” on Wander">' \
        in read(built, "tags/rust/index.html")
    related = re.search(r'<div class="related-tags">.*?</div>', python, re.DOTALL)
    assert related and ">LLMs</a>" in related.group()
    assert 'class="count"' not in related.group()  # a shared count reads as a total
    assert re.search(r">Python \+ LLMs</a>: 3 posts with both<", python)


def test_post_pages_show_tags_without_counts(built: Path) -> None:
    first = main(read(built, "2024/Jan/5/first/index.html"))
    tags = re.search(r'<footer class="post-tags">.*?</footer>', first, re.DOTALL)
    assert tags and ">Python</a>" in tags.group() and 'class="count"' not in tags.group()


def test_a_quote_page_shows_the_quotation_then_its_source_then_the_date(
        built: Path) -> None:
    page = main(read(built, "2024/Jul/20/quote/index.html"))
    quote, source = page.index("The quoted words."), page.index("— Ada")
    date = page.index('<time datetime="2024-07-20T00:00:00+00:00">')
    assert quote < source < date


def test_a_link_post_shows_the_linked_site(built: Path) -> None:
    page = main(read(built, "2024/Jul/1/link/index.html"))
    assert '<p class="link-domain">example.com</p>' in page


def neighbours(html: str) -> dict[str, str]:
    found = re.search(r'<nav class="neighbours".*?</nav>', html, re.DOTALL)
    assert found, "no neighbours"
    return {rel: text for rel, text in re.findall(
        r'rel="(prev|next)" href="([^"]+)"', found.group())}


def test_archive_pages_lead_to_the_neighbouring_month_and_day_with_posts(
        built: Path) -> None:
    assert neighbours(read(built, "2024/Mar/index.html")) == {
        "prev": "/blog/2024/Jan/", "next": "/blog/2024/Jul/"}
    assert neighbours(read(built, "2023/Jun/index.html")) == {"next": "/blog/2024/Jan/"}
    assert neighbours(read(built, "2024/Mar/9/index.html")) == {
        "prev": "/blog/2024/Mar/2/", "next": "/blog/2024/Jul/1/"}
    assert neighbours(read(built, "2024/Aug/3/index.html")) == {"prev": "/blog/2024/Jul/20/"}
    assert "<h1>9 March 2024</h1>" in read(built, "2024/Mar/9/index.html")
    assert neighbours(read(built, "2024/index.html")) == {"prev": "/blog/2023/"}


def test_the_archives_list_each_year_s_months_under_a_year_link(built: Path) -> None:
    page = main(read(built, "archives/index.html"))
    assert '<h2><a class="year-link" href="/blog/2024/">2024</a></h2>' in page
    months = re.findall(r'<li><a href="/blog/2024/(\w+)/">(\w+)</a> '
                        r'<span class="count">([^<]+)</span>', page)
    assert months == [("Aug", "August", "1 post"), ("Jul", "July", "2 posts"),
                      ("Mar", "March", "2 posts"), ("Jan", "January", "1 post")]


def planned(tmp_path: Path) -> dict[str, Page]:
    _, _, plan = plan_site(Options(site_dir=wander_site(tmp_path / "site"), use_cache=False))
    return {p.path: p for p in plan if p.kind == TEMPLATE and p.path.endswith(".html")}


def test_every_page_lists_its_own_feed_first_then_the_site_feed(tmp_path: Path) -> None:
    """base.html writes `feeds` as <link rel="alternate">, in order: autodiscovery takes
    the first, so a tag page's subscribers get the tag, not the whole site."""
    pages = planned(tmp_path)
    site_feed = ("Wander", "atom/everything.atom")
    own = {f"tags/{slug}/index.html": (f"Wander: {name}", f"tags/{slug}.atom")
           for slug, name in (("python", "Python"), ("golden-gate", "Golden Gate"),
                              ("llms", "LLMs"), ("rust", "Rust"))}
    own |= {f"{kind}/index.html": (f"Wander: {kind}", f"atom/{kind}.atom")
            for kind in ("entries", "links", "quotes", "notes")}
    assert len(pages) > 25 and own.keys() <= pages.keys()
    for path, page in pages.items():
        feeds = page.context["feeds"]
        assert feeds == ((own[path], site_feed) if path in own else (site_feed,)), path


def test_every_page_gets_the_same_popular_tags_by_name(tmp_path: Path) -> None:
    pages = planned(tmp_path)
    popular = {tuple(t.name for t in p.context["popular_tags"]) for p in pages.values()}
    assert popular == {("Golden Gate", "LLMs", "Python", "Rust")}


@pytest.mark.parametrize(("url", "domain"), [
    ("https://www.Example.COM/a?b#c", "example.com"),
    ("http://blog.example.org:8080/", "blog.example.org"),
    ("https://xn--caf-dma.example/menu", "café.example"),
])
def test_a_link_s_domain_is_its_host_as_readers_know_it(url: str, domain: str) -> None:
    assert link_domain(url) == domain


@pytest.mark.parametrize(("html", "sentence"), [
    ("<p>Drawing with <em>text</em>. More here.</p>", "Drawing with text."),
    ("<p>Tom &amp; Jerry, e.g. cartoons, v1.2 too! and so on</p>",
     "Tom & Jerry, e.g. cartoons, v1.2 too! and so on"),
    ("<p>One line.</p>\n<p>Another paragraph.</p>", "One line."),
    ("", ""),
])
def test_a_description_s_first_sentence_is_plain_text(html: str, sentence: str) -> None:
    assert first_sentence(html) == sentence
