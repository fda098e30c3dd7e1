"""JSON Feed 1.1 beside every Atom feed: valid against the spec's schema, the Atom twin's
entries and ids, link posts' external_url, copies at old paths, head links, hubs."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import jsonschema
import pytest
from lxml import etree

from sitegen import check, links
from sitegen.config import Config
from tests.conftest import SITE_TOML, make_site, post, sitegen

SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ATOM = {"a": "http://www.w3.org/2005/Atom"}
JSON_LINK = re.compile(r'<link rel="alternate" type="application/feed\+json" title="[^"]*" '
                       r'href="([^"]+)">')
ALTERNATES = re.compile(r'<link rel="alternate" type="application/([a-z+]+)"')
LINK_POST = post("A guide to paths", "2025-03-01", "[svg]", body="Worth reading.",
                 link_url="https://example.com/paths", via_url="https://example.net/",
                 via_title="A friend")


def build(site: Path, *args: str) -> Path:
    out = site / "public"
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return out


def json_feeds(out: Path) -> dict[str, Any]:
    """Every JSON feed of an output folder (the .json beside an .atom), parsed."""
    return {p.relative_to(out).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(out.rglob("*.json")) if p.with_suffix(".atom").is_file()}


def atom_ids(path: Path) -> list[str]:
    return etree.parse(str(path)).xpath("//a:entry/a:id/text()", namespaces=ATOM)


def small_site(root: Path, toml: str = SITE_TOML) -> Path:
    return make_site(root, {
        "link.md": LINK_POST,
        "essay.md": post("An essay", "2025-03-02", "[svg, python]", body="Some *words*."),
        "note.md": post("A note", "2025-03-03", "[python]", kind="note", body="Short.")},
        toml)


def test_every_json_feed_of_the_demo_validates_and_twins_its_atom_feed(demo_site: Path) \
        -> None:
    feeds = json_feeds(demo_site)
    assert {"atom/everything.json", "atom/links.json", "atom/notes.json",
            "tags/svg.json"} <= feeds.keys()
    assert len(feeds) == len([p for p in demo_site.rglob("*.atom") if "/archive/" not in
                              p.relative_to(demo_site).as_posix()])
    for name, feed in feeds.items():
        errors = [e.message for e in VALIDATOR.iter_errors(feed)]
        assert not errors, (name, errors)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        atom = demo_site / name.replace(".json", ".atom")
        assert [item["id"] for item in feed["items"]] == atom_ids(atom), name
        assert unquote(feed["feed_url"]) == f"https://example.org/{name}"


def test_link_posts_have_external_url_and_atom_a_related_link(demo_site: Path) -> None:
    links = json_feeds(demo_site)["atom/links.json"]["items"]
    parsed = feedparser.parse((demo_site / "atom/links.atom").read_bytes())
    assert links and len(links) == len(parsed.entries)
    for item, entry in zip(links, parsed.entries, strict=True):
        related = [link.href for link in entry.links if link.rel == "related"]
        assert related == [item["external_url"]], item["id"]
        assert item["content_html"].startswith(
            f'<p><strong><a href="{item["external_url"]}">')
    everything = json_feeds(demo_site)["atom/everything.json"]["items"]
    others = [i for i in everything if i["id"] not in {link["id"] for link in links}]
    assert others and not any("external_url" in item for item in others)


def test_items_as_the_atom_entries_show_them(tmp_path: Path) -> None:
    out = build(small_site(tmp_path / "site"))
    feed = json.loads((out / "tags/svg.json").read_text(encoding="utf-8"))
    atom = feedparser.parse((out / "tags/svg.atom").read_bytes())
    assert feed["title"] == "Test Site: svg" == atom.feed.title
    assert feed["home_page_url"] == "https://example.org/tags/svg/"
    assert feed["feed_url"] == "https://example.org/tags/svg.json"
    assert feed["authors"] == [{"name": "Anonymous"}] and feed["language"] == "en-us"
    assert feed["favicon"] == "https://example.org/static/favicon.svg"
    assert "hubs" not in feed and "description" not in feed
    essay, link = feed["items"]
    assert link["external_url"] == "https://example.com/paths"
    assert link["url"] == link["id"] == "https://example.org/2025/Mar/1/link/"
    assert [x.href for x in atom.entries[1].links if x.rel == "related"] == [
        "https://example.com/paths"]
    assert '<p>Via <a href="https://example.net/">A friend</a></p>' in link["content_html"]
    assert essay["title"] == "An essay" and essay["summary"] == "Some words."
    assert essay["content_html"] == atom.entries[0].summary
    assert essay["tags"] == ["svg", "python"]
    assert essay["date_published"] == essay["date_modified"] == "2025-03-02T00:00:00+00:00"
    assert "external_url" not in essay


def test_copies_at_old_paths_get_json_twins_but_xml_copies_do_not(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", SITE_TOML + '[feeds]\ncopies = ["/feeds/all.atom", '
                                                    '"/feed.xml", "/feed/"]\n')
    (site / "content/tags.toml").write_text('[svg]\nold_names = ["vector"]\n')
    out = build(site)
    everything = json.loads((out / "atom/everything.json").read_text(encoding="utf-8"))
    for path in ("feeds/all.json", "tags/vector.json"):
        copy_feed = json.loads((out / path).read_text(encoding="utf-8"))
        assert copy_feed["feed_url"] == f"https://example.org/{path}"
        twin = out / path.replace(".json", ".atom")
        assert [i["id"] for i in copy_feed["items"]] == atom_ids(twin), path
    assert json.loads((out / "feeds/all.json").read_text())["items"] == everything["items"]
    assert not (out / "feed.json").exists() and not (out / "feed/index.json").exists()
    run = sitegen("check", "--source", site, "--out", out)
    assert run.code == 0, run.out + run.err


def test_head_links_follow_each_atom_link_and_resolve(demo_site: Path) -> None:
    tag_page = (demo_site / "tags/svg/index.html").read_text(encoding="utf-8")
    assert ALTERNATES.findall(tag_page) == ["atom+xml", "feed+json", "atom+xml", "feed+json"]
    assert JSON_LINK.findall(tag_page) == ["/tags/svg.json", "/atom/everything.json"]
    for page in demo_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        kinds = ALTERNATES.findall(text)
        assert not kinds or kinds[0] == "atom+xml", page
        for href in JSON_LINK.findall(text):
            assert (demo_site / unquote(href).lstrip("/")).is_file(), (page, href)
    tags_index = (demo_site / "tags/index.html").read_text(encoding="utf-8")
    assert 'class="json-link" href="/tags/svg.json"' in tags_index
    assert 'class="json-link" href="/tags/svg.json"' in tag_page
    assert 'class="json-link" href="/atom/everything.json"' in tag_page  # the sidebar


def test_hubs_when_a_hub_is_set(tmp_path: Path) -> None:
    toml = SITE_TOML + '[feeds]\nhub = "https://hub.example.net/"\n'
    out = build(small_site(tmp_path / "site", toml))
    for name, feed in json_feeds(out).items():
        assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}], name
        assert not list(VALIDATOR.iter_errors(feed))


def test_a_base_url_with_a_sub_path_is_honoured(tmp_path: Path) -> None:
    toml = 'title = "Sub"\nbase_url = "https://example.org/blog/"\ndescription = "About."\n'
    out = build(small_site(tmp_path / "site", toml))
    feed = json.loads((out / "atom/everything.json").read_text(encoding="utf-8"))
    assert feed["feed_url"] == "https://example.org/blog/atom/everything.json"
    assert feed["home_page_url"] == "https://example.org/blog/"
    assert feed["description"] == "About."
    assert all(i["url"].startswith("https://example.org/blog/") for i in feed["items"])
    assert 'href="https://example.org/blog/tags/svg/"' in feed["items"][1]["content_html"]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert JSON_LINK.findall(home) == ["/blog/atom/everything.json"]


def test_link_fragments_as_in_atom(tmp_path: Path) -> None:
    out = build(small_site(tmp_path / "site", SITE_TOML + "[feeds]\nlink_fragments = true\n"))
    item = json.loads((out / "tags/svg.json").read_text(encoding="utf-8"))["items"][0]
    assert item["url"] == item["id"] + "#atom-tag"


def test_the_schema_is_strict_enough_to_fail() -> None:
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
            "items": [{"id": "https://example.org/a/", "content_html": "<p>a</p>"}]}
    assert not list(VALIDATOR.iter_errors(good))
    no_version = {k: v for k, v in good.items() if k != "version"}
    no_id = copy.deepcopy(good)
    del no_id["items"][0]["id"]
    no_content = copy.deepcopy(good)
    del no_content["items"][0]["content_html"]
    bad_date = copy.deepcopy(good)
    bad_date["items"][0]["date_published"] = "2025-03-02 10:00"
    relative = copy.deepcopy(good)
    relative["items"][0]["url"] = "/a/"
    for bad in (no_version, no_id, no_content, bad_date, relative, {**good, "version": "1.1"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_check_counts_json_feeds_and_reports_a_broken_one(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    run = sitegen("check", "--source", site)
    assert run.code == 0, run.err
    assert "14 feeds" in run.out  # five of the site's and two tags' (svg, python), twice
    (site / "public/tags/python.json").write_text('{"version": "1.1", "items": [{}]}')
    (site / "public/tags/svg.json").write_text("{")
    run = sitegen("check", "--source", site)
    assert run.code == 1
    assert "tags/svg.json: not a JSON document" in run.err
    assert "tags/python.json: item 1 has no 'id'" in run.err
    assert "tags/python.json: 'version' is '1.1', not 'https://jsonfeed.org/version/1.1'" \
        in run.err


def test_json_feed_links_that_lead_nowhere_are_reported(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    out = build(site)
    feed = json.loads((out / "tags/svg.json").read_text(encoding="utf-8"))
    feed["items"][0]["url"] = "https://example.org/2025/Mar/9/gone/"
    found = check.check_json_feeds({"tags/svg.json": json.dumps(feed).encode()},
                                   links.read_output(out), Config(base_url="https://example.org/"))
    assert found == ["tags/svg.json: link https://example.org/2025/Mar/9/gone/ leads nowhere: "
                     "there is no 2025/Mar/9/gone/index.html in the output"]


def test_an_edit_rewrites_only_the_json_feeds_that_show_the_post(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    out = build(site)
    before = {out / p: ((out / p).read_bytes(), (out / p).stat().st_mtime_ns)
              for p in json_feeds(out)}
    (site / "content/note.md").write_text(
        post("A note", "2025-03-03", "[python]", kind="note", body="Shorter."))
    build(site)
    changed = {p.relative_to(out).as_posix() for p, (data, _) in before.items()
               if p.read_bytes() != data}
    assert changed == {"tags/python.json", "atom/everything.json", "atom/notes.json"}
    for path in ("tags/svg.json", "atom/links.json", "atom/entries.json"):
        assert (out / path).stat().st_mtime_ns == before[out / path][1], path
