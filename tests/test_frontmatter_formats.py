"""Front matter as migrating authors write it: TOML between '+++', posts of other
generators named with the importer to use, declared extra fields, pages and bundles,
dates that say what is wrong, and template syntax left in a body."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sitegen import cache, content, dates, frontmatter, leftovers
from sitegen.config import Config, Content
from sitegen.errors import BuildErrors, ContentError, SiteError
from tests.conftest import FIXTURES, SITE_TOML, copy_site, make_site, post, sitegen

FIELDS = {"subtitle": "string", "rating": "int", "score": "float", "featured": "bool",
          "published_on": "date", "series": "list", "canonical": "url"}
TYPED = Config(timezone="Europe/London", content=Content(fields=FIELDS))


def parse(text: str, path: str = "content/post.md", config: Config = TYPED) \
        -> content.Post | content.Skipped:
    data = text.encode()
    return content.parse(content.Source(path, data, "d"), config)


def parsed(text: str, path: str = "content/post.md", config: Config = TYPED) -> content.Post:
    result = parse(text, path, config)
    assert isinstance(result, content.Post)
    return result


def problems(text: str, path: str = "content/post.md", config: Config = TYPED) -> list[str]:
    """Every error parsing `text` raises, as the build prints them."""
    try:
        parse(text, path, config)
    except (SiteError, BuildErrors) as exc:
        return [str(e) for e in (exc.errors if isinstance(exc, BuildErrors) else [exc])]
    raise AssertionError("no error")


# TOML front matter, read natively


TOML_POST = """+++
title = "Bridges"
date = 2019-02-13T08:09:26-07:00
updated = 2019-03-01
tags = ["svg", "python"]
draft = false
subtitle = "In SVG"
rating = 4
+++
The body.
"""


def test_toml_front_matter_is_read_as_yaml_is() -> None:
    got = parsed(TOML_POST)
    assert (got.title, got.tags, got.draft) == ("Bridges", ("svg", "python"), False)
    assert got.date.isoformat() == "2019-02-13T08:09:26-07:00"
    assert got.updated.isoformat() == "2019-03-01T00:00:00+00:00"
    assert (got.meta["subtitle"], got.meta["rating"]) == ("In SVG", 4)
    assert "<p>The body.</p>" in got.body


def test_toml_local_datetime_takes_the_site_zone() -> None:
    got = parsed('+++\ntitle = "T"\ndate = 2025-01-02T10:00:00\n+++\nBody\n')
    assert got.date.isoformat() == "2025-01-02T10:00:00+00:00"


@pytest.mark.parametrize(("text", "message"), [
    ('+++\ntitle = "T"\ndate = 2019-02-13T8:09:26-07:00\n+++\n',
     "content/post.md:3: front matter is not valid TOML: Expected newline or end of "
     "document after a statement; date '2019-02-13T8:09:26-07:00' is not a date: the hour "
     "needs two digits; write '2019-02-13T08:09:26-07:00'"),
    ('+++\ntitle = "T"\ndate = 2025-01-02\nauthor = Ann\n+++\n',
     "content/post.md:4: front matter is not valid TOML: Invalid value; put text in quotes"),
    ('+++\ntitle = "T"\ndate = 2025-01-02\n',
     "content/post.md:1: front matter is not closed; add a line '+++' after it"),
    ('+++\ntitle = 42\ndate = 2025-01-02\n+++\n',
     """content/post.md:2: 'title' must be text, not a number: 42; put it in quotes: """
     """title = "42\""""),
    ('+++\ntitle = "T"\ndate = 10:30:00\n+++\n',
     "content/post.md:3: 'date' must be a date, not a time: 10:30:00; write e.g. "
     "'date = 2025-11-22'"),
    ('+++\ntitle = "T"\ndate = 2025-01-02\ndraft = "yes"\n+++\n',
     "content/post.md:4: 'draft' must be true or false, not the text 'yes'; write "
     "draft = true or draft = false"),
])
def test_toml_problems_name_the_line_in_the_file(text: str, message: str) -> None:
    assert any(p.startswith(message) for p in problems(text)), problems(text)


def test_a_site_in_toml_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"2019/bridges.md": TOML_POST.replace(
        'subtitle = "In SVG"\nrating = 4\n', "")})
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    assert "Built 1 posts" in run.out
    assert "Bridges" in (site / "public/2019/Feb/13/bridges/index.html").read_text()


# Posts of other generators: an error naming the importer, never a skipped file


@pytest.mark.parametrize(("name", "text", "message"), [
    ("content/hello.md", "Title: Hello\nDate: 2020-01-01 10:00\nTags: a, b\n\nBody.\n",
     "content/hello.md:1: looks like a Pelican post ('Title: …' header lines instead of "
     "front matter between '---'); convert it with 'sitegen import pelican SOURCE', or put "
     "the fields between '---' lines"),
    ("content/hello.markdown", "date: 2020-01-01\ntitle: Python FAQ: Equality\n\nBody\n",
     "content/hello.markdown:1: looks like a Pelican post"),
    ("content/hello.rst", "Hello\n#####\n\n:date: 2020-01-01\n\nBody.\n",
     "content/hello.rst:1: is reStructuredText, which sitegen does not read; convert it "
     "with 'sitegen import pelican SOURCE'"),
    ("content/hello.rest", "Hello\n=====\n", "content/hello.rest:1: is reStructuredText"),
    ("content/hello.md", '{\n  "title": "Hello",\n  "date": "2020-01-01"\n}\nBody.\n',
     "content/hello.md:1: looks like a Hugo post with JSON front matter ('{' … '}' at the "
     "top); convert it with 'sitegen import hugo SOURCE'"),
])
def test_another_generators_post_is_an_error_naming_the_importer(
        name: str, text: str, message: str) -> None:
    assert problems(text, name)[0].startswith(message)


@pytest.mark.parametrize("text", [
    "Just some notes.\n", "Note: this is not a post\n\nText\n",
    "{{ not json }}\n", "# A heading\n\nTitle: in a paragraph\n"])
def test_other_files_without_front_matter_are_still_skipped(text: str) -> None:
    assert isinstance(parse(text), content.Skipped)


def test_other_formats_are_reported_by_the_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "ok.md": post("Fine"), "old.md": "Title: Old\nDate: 2020-01-01\n\nText\n",
        "older.rst": "Older\n=====\n"})
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 1
    assert "error: content/old.md:1: looks like a Pelican post" in run.err
    assert "error: content/older.rst:1: is reStructuredText" in run.err
    assert "build failed with 2 error(s)" in run.err


def test_a_site_of_only_drafts_and_scheduled_posts_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"draft.md": post("Draft", draft="true"),
                                         "later.md": post("Later", "2999-01-01")})
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    assert (site / "public/index.html").exists()


# Suggestions only when close


@pytest.mark.parametrize(("name", "suggested"), [
    ("titel", "title"), ("tag", "tags"), ("Title", "title"), ("Tags", "tags"),
    ("tittle", "title"), ("descripton", "description"), ("update", "updated"),
    ("linkurl", "link_url"), ("subtitel", "subtitle"),
    ("seriestitle", None), ("subtitles", "subtitle"), ("layout", None), ("categories", None),
    ("date-updated", None), ("thumbnail", None), ("author", None), ("type", None),
    ("link", None), ("summary", None),
])
def test_did_you_mean_only_when_close(name: str, suggested: str | None) -> None:
    assert frontmatter.suggestion(name, (*frontmatter.FIELDS, *FIELDS)) == suggested


def test_unknown_field_messages() -> None:
    got = problems(post("T", layout="post", titel="x"))
    assert got == [
        "content/post.md:5: unknown front matter field 'layout'; remove it, or declare it "
        "in site.toml [content.fields] (known fields: " + ", ".join(frontmatter.FIELDS) + ")",
        "content/post.md:6: unknown front matter field 'titel'; did you mean 'title'?"]


# [content.fields]: declared fields, typed


def test_declared_fields_are_typed_and_kept_in_meta() -> None:
    got = parsed(post("T", subtitle="A sub", rating="4", score="4.5", featured="true",
                      published_on="2024-05-06", series="[one, 2]",
                      canonical="https://example.org/x"))
    assert got.meta == {"subtitle": "A sub", "rating": 4, "score": 4.5, "featured": True,
                        "published_on": "2024-05-06", "series": ["one", "2"],
                        "canonical": "https://example.org/x"}


def test_declared_field_left_empty_or_out_reads_as_none() -> None:
    """Templates can test `post.meta.subtitle` on every post: a declared field that a
    post leaves empty or out is None, not missing."""
    assert parsed(post("T", subtitle="")).meta["subtitle"] is None
    assert set(parsed(post("T")).meta.values()) == {None}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("subtitle", "42", """'subtitle' must be text, not a number: 42; put it in quotes"""),
    ("rating", "four", "'rating' must be a whole number, not the text 'four'; write e.g. "
                       "rating: 3"),
    ("rating", "4.5", "'rating' must be a whole number, not a number: 4.5"),
    ("score", "high", "'score' must be a number, not the text 'high'; write e.g. score: 4.5"),
    ("score", ".nan", "'score' must be a number"),
    ("featured", "'yes'", "'featured' must be true or false, not the text 'yes'"),
    ("published_on", "2024-13-01", "published_on: '2024-13-01' is not a date: month 13"),
    ("published_on", "[1]", "'published_on' must be a date, not a list"),
    ("series", "{a: b}", "'series' must be a list such as series: [a, b], not a mapping"),
    ("canonical", "javascript:alert(1)", "canonical: 'javascript:alert(1)' is not allowed"),
])
def test_declared_fields_are_checked(field: str, value: str, message: str) -> None:
    got = problems(post("T", **{field: value}))
    assert got == [f"content/post.md:5: {message}"] or got[0].startswith(
        f"content/post.md:5: {message}"), got


@pytest.mark.parametrize(("toml", "message"), [
    ('[content.fields]\nrating = "integer"\n',
     'site.toml:4: content.fields: rating = "integer" is not a type; use one of "string", '
     '"int", "float", "bool", "date", "list", "url", e.g. rating = "string"'),
    ('[content.fields]\ntitle = "string"\n',
     "site.toml:4: content.fields: 'title' is a built-in front matter field; remove it"),
    ('[content.fields]\nseries = 3\n', 'site.toml:4: content.fields: series = the number 3 '
                                       'is not a type'),
    ('[content]\nfields = "subtitle"\n', "site.toml:4: 'content.fields' must be a table"),
    ('[content]\nfeilds = {}\n', "site.toml:4: unknown setting 'content.feilds'"),
])
def test_bad_field_declarations_are_config_errors(tmp_path: Path, toml: str,
                                                   message: str) -> None:
    site = make_site(tmp_path / "site", {"a.md": post("A")}, SITE_TOML + toml)
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 1
    assert f"error: {message}" in run.err


def test_declared_fields_reach_the_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"a.md": post("A", subtitle="Sub", rating="3")},
                     SITE_TOML + '[content.fields]\nsubtitle = "string"\nrating = "int"\n')
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err


# Pages, bundles, image and nav


def test_a_file_under_pages_is_an_undated_page() -> None:
    got = parsed("---\ntitle: About\nnav: 2\n---\nMe.\n", "content/pages/about.md")
    assert (got.kind, got.slug, got.nav, got.dated) == ("page", "about", 2, False)
    assert got.date == got.updated == content.UNDATED
    assert content.UNDATED.isoformat() == "1970-01-01T00:00:00+00:00"


def test_kind_page_anywhere_and_a_dated_page() -> None:
    got = parsed("---\ntitle: Now\nkind: page\ndate: 2025-01-02\nslug: now\n---\nX\n",
                 "content/2025/2025-01-02-whatever.md")
    assert (got.kind, got.slug, got.dated) == ("page", "now", True)


def test_tags_on_a_page_are_a_warning() -> None:
    got = parsed("---\ntitle: About\ntags: [me]\n---\nMe.\n", "content/pages/about.md")
    assert got.warnings == ("line 3: a page is not listed on tag pages or in feeds, so its "
                            "'tags' are not used; remove them, or make it a post with a "
                            "'date'",)


def test_a_file_under_pages_may_say_it_is_a_post() -> None:
    got = parsed(post("Entry", kind="entry"), "content/pages/entry.md")
    assert got.kind == "entry"


@pytest.mark.parametrize(("path", "text", "message"), [
    ("content/pages/about.md", "---\nnav: 1\n---\nMe.\n",
     "content/pages/about.md:1: a page needs a 'title'; add e.g. 'title: About'"),
    ("content/post.md", post("T", nav="1"), "content/post.md:5: 'nav' places a page in the "
                                            "header navigation, and this is a entry"),
    ("content/pages/a.md", "---\ntitle: A\nnav: 0\n---\n", "content/pages/a.md:3: 'nav' must "
                                                           "be a whole number from 1"),
    ("content/pages/a.md", "---\ntitle: A\nnav: first\n---\n",
     "content/pages/a.md:3: 'nav' must be a whole number from 1 (its place in the header "
     "navigation), not first"),
    ("content/pages/a.md", "---\ntitle: A\nnav: -1\n---\n",
     "content/pages/a.md:3: 'nav' must be a whole number from 1 (its place in the header "
     "navigation), not -1; write e.g. nav: 2"),
    ("content/post.md", '+++\ntitle = "A"\ndate = 2025-01-01\ntags = true\n+++\n',
     "content/post.md:4: 'tags' must be a list such as tags = [\"svg\", \"python\"], "
     "not true/false: true"),
    ("content/post.md", "---\ntitle: T\n---\n",
     "content/post.md:1: 'date' is missing; add e.g. 'date: 2025-11-22' (or, for a page "
     "without a date, 'kind: page')"),
    ("content/post.md", post("T", image="javascript:alert(1)"),
     "content/post.md:5: image: 'javascript:alert(1)' is not allowed (scheme 'javascript:'); "
     "use an http or https URL, a path on this site such as /img/photo.png, or a file "
     "beside the post"),
    ("content/post.md", post("T", image="mailto:a@example.org"), "content/post.md:5: image:"),
    ("content/post.md", post("T", image="[a, b]"), "content/post.md:5: 'image' must be text"),
])
def test_page_and_image_problems(path: str, text: str, message: str) -> None:
    assert any(p.startswith(message) for p in problems(text, path)), problems(text, path)


@pytest.mark.parametrize("image", ["bridge.svg", "img/photo.jpg", "/img/x.png",
                                   "https://example.org/a.png", "http://example.org/b.png"])
def test_image_takes_a_path_or_a_web_url(image: str) -> None:
    assert parsed(post("T", image=image)).image == image


@pytest.mark.parametrize(("path", "bundle", "slug"), [
    ("content/2024/bridge/index.md", "content/2024/bridge", "bridge"),
    ("content/2024/2024-03-04-bridge/index.markdown", "content/2024/2024-03-04-bridge",
     "bridge"),
    ("content/pages/about/index.html", "content/pages/about", "about"),
    ("content/index.md", "", "index"),
    ("content/2024/bridge.md", "", "bridge"),
    ("content/2024/indexes.md", "", "indexes"),
])
def test_a_bundles_index_names_its_folder(path: str, bundle: str, slug: str) -> None:
    got = parsed(post("T"), path)
    assert (got.bundle, got.slug) == (bundle, slug)


def test_new_fields_survive_the_cache_and_workers() -> None:
    got = parsed(post("T", subtitle="S", series="[a, b]", published_on="2024-01-02T10:00:00Z",
                      score="1.5", image="a.png"), "content/pages/x/index.md")
    page = parsed("---\ntitle: P\nnav: 3\n---\nX\n", "content/pages/p.md")
    for one in (got, page):
        assert cache.decode_post(*cache.encode_post(one)) == one
        assert pickle.loads(pickle.dumps(one)) == one
    assert cache.decode_post(*cache.encode_post(got)).meta["series"] == ["a", "b"]
    assert cache.decode_post(*cache.encode_post(page)).nav == 3
    assert got.meta["published_on"] == "2024-01-02T10:00:00+00:00"


# Dates: which part is wrong, and the nearest valid form


DATES = [
    ("2019-09-29 T18:00:00-07:00",
     "there is a space before 'T'; write '2019-09-29T18:00:00-07:00'"),
    ("2019-09-29T 18:00:00", "there is a space after 'T'; write '2019-09-29T18:00:00'"),
    ("2019-02-13T8:09:26-07:00", "the hour needs two digits; write '2019-02-13T08:09:26-07:00'"),
    ("2019-12-01-19:48", "there is a '-' between the date and the time instead of 'T'; "
                         "write '2019-12-01T19:48'"),
    ("2025-1-5", "the month needs two digits, and the day needs two digits; write "
                 "'2025-01-05'"),
    ("2025-01-02T10:00:00 +01:00", "there is a space before the time zone offset; write "
                                   "'2025-01-02T10:00:00+01:00'"),
    ("2025-13-01", "month 13 (months run 01–12)"),
    ("2025-02-30", "February 2025 has 28 days, not 30"),
    ("2024-02-30", "February 2024 has 29 days, not 30"),
    ("2025-04-31", "April 2025 has 30 days, not 31"),
    ("2025-01-02T24:00", "hour 24 (hours run 00–23)"),
    ("2025-01-02T10:60", "minute 60 (minutes run 00–59)"),
    ("tomorrow", "write ISO 8601 such as '2025-11-22' or '2025-11-22T14:30:00+01:00'"),
    ("2025/01/02", "write ISO 8601 such as '2025-11-22' or '2025-11-22T14:30:00+01:00'"),
]


# Forms Python's ISO 8601 reader takes, so sitegen does too (explained all the same).
READ_AS_THEY_ARE = ("2019-12-01-19:48", "2025-01-02T10:00:00 +01:00")


@pytest.mark.parametrize(("text", "explained"), DATES)
def test_a_malformed_date_says_what_is_wrong(text: str, explained: str) -> None:
    assert dates.explain(text) == explained
    if text in READ_AS_THEY_ARE:
        return
    with pytest.raises(ValueError) as caught:
        dates.parse(text)
    assert str(caught.value) == explained


def test_the_date_error_in_a_post() -> None:
    assert problems(post("T", "'2019-09-29 T18:00:00-07:00'")) == [
        "content/post.md:3: date: '2019-09-29 T18:00:00-07:00' is not a date: there is a "
        "space before 'T'; write '2019-09-29T18:00:00-07:00'"]


@pytest.mark.parametrize("text", ["2025-01-02", "2025-01-02T10:00", "2025-01-02T10:00:00Z",
                                  "2025-01-02 10:00:00+01:00", "2025-01-02T10:00:00.5-07:00"])
def test_valid_dates_stay_valid(text: str) -> None:
    assert dates.parse(text).year == 2025


# Template syntax left in a body: a warning naming the line


BODY = """Intro {% include note.html %} and `{% raw %}` in code.

```jinja
{{ in_a_fence }} {% also %}
```

    {% indented code %}

See {{< zoom-img src="a.png" >}} and [the post]({filename}/2020/a.md).
"""


def test_template_syntax_outside_code_is_warned_of() -> None:
    got = parsed(post("T", body=BODY))
    assert [w for w in got.warnings] == [
        "line 6: Liquid tag '{% include note.html %}' is published as text; replace it "
        "with Markdown or HTML (sitegen import jekyll converts most tags)",
        """line 14: Hugo shortcode '{{< zoom-img src="a.png" >}}' is published as text; """
        "replace it with Markdown or HTML (sitegen import hugo converts most shortcodes)",
        "line 14: Pelican link '{filename}/2020/a.md' is published as text; replace it with "
        "the URL of what it names (sitegen import pelican converts them)"]


def test_many_template_tags_are_counted() -> None:
    body = "\n\n".join(f"{{% post_url p{n} %}}" for n in range(7))
    assert leftovers.find(body, 1, False)[-1] == (
        "line 7: and 4 more pieces of template syntax like these, published as text")


def test_html_posts_are_looked_at_outside_code() -> None:
    assert leftovers.find("<p>{{ site.url }}</p>\n<pre>{% x %}</pre><code>{{y}}</code>",
                          4, True) == (
        "line 4: Liquid output '{{ site.url }}' is published as text; replace it with "
        "Markdown or HTML (sitegen import jekyll converts most tags)",)


def test_the_build_warns_with_file_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"x.md": post("T", body="\n" * 7 + BODY)})
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    assert "warning: content/x.md:13: Liquid tag '{% include note.html %}' is published as " \
           "text; replace it with Markdown or HTML (sitegen import jekyll converts most " \
           "tags)" in run.err
    assert sitegen("build", "--source", site, "--no-cache", "--strict").code == 1


def test_the_demo_post_about_jinja_is_not_warned_of(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "golden-site", tmp_path)
    (site / "content" / "jinja.md").write_text(post(
        "Jinja", body="Why `{% block %}` can't be set conditionally, and `{{ x|safe }}`."))
    run = sitegen("build", "--source", site, "--no-cache")
    assert run.code == 0, run.err
    assert "published as text" not in run.err


def test_content_error_kinds_are_exact() -> None:
    first = problems(post("A", layout="x"))[0]
    again = problems(post("B", layout="x"), "content/b.md")[0]
    assert first.split(": ", 1)[1] == again.split(": ", 1)[1]
    with pytest.raises(ContentError) as caught:
        parse("Title: X\nDate: 2020-01-01\n")
    assert caught.value.kind == caught.value.message
