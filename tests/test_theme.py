"""The built-in theme as a reader meets it: one date format, its words from one file per
language, summaries that name their post, complete sharing metadata, feeds in the
head, and a keyboard focus that is always visible."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path

from sitegen import config as site_config
from sitegen.templates import Renderer
from tests.conftest import make_site, post, sitegen

FRENCH = """months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
continue_reading = "Lire la suite"
updated = "mis à jour le {date}"
entries = "Articles"
posts_by_kind = "Billets par genre"
post_tags = "Étiquettes"
previous = "Précédent"
next = "Suivant"
related_tags = "Étiquettes voisines"
together_with = "Avec"
posts_tagged = { one = "1 billet « {tag} »", other = "{count} billets étiquetés « {tag} »" }
posts_with_both = { one = "1 billet avec les deux", other = "{count} billets avec les deux" }
post_count = { one = "1 billet", other = "{count} billets" }
tags_intro = { one = "1 étiquette.", other = "{count} étiquettes." }
sort_order = "Triées par {by_name} ou {by_count}"
by_name = "nom"
by_count = "nombre de billets"
other_months = "Autres mois"
tags = "Étiquettes"
not_found = "Page introuvable"
search_hint = "Tapez des mots à trouver."
"""

def renderer(tmp_path: Path, toml: str = 'title = "T"\n') -> Renderer:
    site = make_site(tmp_path / "site", {}, toml)
    return Renderer(site, site_config.load(site))


def test_dates_read_day_month_year_with_time_on_request(tmp_path: Path) -> None:
    env = renderer(tmp_path, 'timezone = "Europe/London"\n').env
    when = dt.datetime(2025, 6, 14, 8, 30, tzinfo=dt.UTC)
    shown = env.from_string("{{ d|human_date }} | {{ d|human_datetime }}").render(d=when)
    assert shown == "14 June 2025 | 14 June 2025, 09:30"


def test_demo_lists_show_one_date_format_in_time_elements(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text()
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', home)
    assert times
    london = zoneinfo.ZoneInfo("Europe/London")  # the demo's time zone
    for machine, human in times:
        day = dt.datetime.fromisoformat(machine).astimezone(london)
        assert human == f"{day.day} {day:%B %Y}"


def french_site(root: Path) -> Path:
    posts = {f"{day}.md": post(f"Essai {day}", f"2025-0{day}-05", "[svg, css]", body="Mots.")
             for day in (3, 4)}
    posts["3.md"] = posts["3.md"].replace("---\nMots", "updated: 2025-03-20\n---\nMots")
    site = make_site(root, posts, 'title = "T"\nbase_url = "https://example.org/"\n'
                     'language = "fr-ca"\n[tags]\ncombine_min = 2\n')
    (site / "templates" / "text").mkdir(parents=True)
    (site / "templates" / "text" / "fr.toml").write_text(FRENCH, encoding="utf-8")
    return site


def test_site_language_file_translates_every_page_and_missing_keys_stay_english(
        tmp_path: Path) -> None:
    site = french_site(tmp_path / "site")
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "public"

    def page(path: str) -> str:
        return (out / path / "index.html").read_text(encoding="utf-8")

    home = page("")
    assert "Lire la suite" in home and "5 mars 2025" in home
    assert 'aria-label="Billets par genre"' in home and ">Articles</a>" in home
    assert "Skip to content" in home  # not in fr.toml: English
    essay = page("2025/Mar/5/3")
    assert "5 mars 2025, 00:00" in essay and "mis à jour le <time" in essay
    assert "<h2>Étiquettes</h2>" in essay and "<span>Suivant</span>" in essay
    svg = page("tags/svg")
    assert "2 billets étiquetés « svg »" in svg and "<h2>Étiquettes voisines</h2>" in svg
    assert "<h2>Avec</h2>" in svg and "2 billets avec les deux" in svg
    tags = page("tags")
    assert "2 étiquettes." in tags and '<span class="count">2 billets</span>' in tags
    assert 'Triées par <strong aria-current="page">nom</strong> ou <a href="/tags/by-count' \
        '.html">nombre de billets</a>' in tags
    year, month = page("2025"), page("2025/Apr")
    assert '<span class="count">1 billet</span>' in year
    assert 'aria-label="Autres mois"' in month and "<span>Précédent</span>" in month
    assert "<title>avril 2025 – " in month and "<h1>avril 2025</h1>" in month  # the plan's
    assert "<title>Étiquettes – " in tags and "<title>Page introuvable – " in \
        (out / "404.html").read_text(encoding="utf-8")
    words = re.search(r'<script type="application/json" id="search-words">(.*?)</script>',
                      page("search"))
    assert words and json.loads(words[1])["search_hint"] == "Tapez des mots à trouver."
    assert json.loads(words[1])["search_failed"].startswith("Search failed")  # English
    assert "<h1>Archives</h1>" in page("archives")  # not in fr.toml: English


def test_unknown_language_is_english_with_one_warning(tmp_path: Path) -> None:
    made = renderer(tmp_path, 'language = "xx"\n')
    assert len(made.warnings) == 1 and "'xx'" in made.warnings[0]
    assert made.t("continue_reading") == "Continue reading"
    assert renderer(tmp_path / "en", 'language = "en-gb"\n').warnings == []
    site = make_site(tmp_path / "site", {"p.md": post("P")},
                     'title = "T"\nbase_url = "https://e.org/"\nlanguage = "xx"\n')
    run = sitegen("build", "--source", site)
    assert run.code == 0, run.err
    assert sum("'xx'" in line for line in (run.out + run.err).splitlines()) == 1


def test_theme_text_fills_values_escaped_and_picks_plural(tmp_path: Path) -> None:
    made = renderer(tmp_path)
    assert made.t("posts_tagged", count=1, tag="<b>") == "1 post tagged “&lt;b&gt;”"
    assert made.t("posts_tagged", count=3, tag="C") == "3 posts tagged “C”"


def test_entry_summary_says_continue_reading_and_names_the_post(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text()
    assert "Read “" not in home
    assert ('Continue reading<span class="visually-hidden">: Sketching the Golden Gate in '
            'a dozen lines of SVG</span>') in home


def test_notes_and_quotes_in_lists_have_no_hidden_links(demo_site: Path) -> None:
    home = (demo_site / "index.html").read_text()
    hidden = re.findall(r'<h2 class="visually-hidden">(.*?)</h2>', home)
    assert hidden and not [h for h in hidden if "<a" in h]


def test_link_summary_shows_the_linked_domain(tmp_path: Path) -> None:
    made = renderer(tmp_path)
    page = made.env.from_string(
        '{% from "_macros.html" import link_head %}{{ link_head(p, 2, "example.com") }}')
    html = page.render(p={"link_url": "https://www.example.com/a", "link_title": "A",
                          "title": "A"})
    assert '<span class="domain">example.com</span>' in html


def meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html))


def test_post_pages_carry_complete_open_graph_and_twitter_card(demo_site: Path) -> None:
    found = meta((demo_site / "2026/Jan/24/golden-gate-in-svg/index.html").read_text())
    assert found["og:type"] == "article" and found["og:locale"] == "en"
    assert found["og:url"] == "https://example.org/2026/Jan/24/golden-gate-in-svg/"
    assert found["og:site_name"] == "Tag Soup" and found["og:description"]
    assert found["article:published_time"].startswith("2026-01-24T")
    assert found["twitter:card"] in ("summary", "summary_large_image")


def test_pages_without_description_share_the_sites(demo_site: Path) -> None:
    found = meta((demo_site / "archives/index.html").read_text())
    assert found["og:description"] == found["description"] == \
        "Links, notes and essays on static sites, Atom feeds, SVG and Python."
    assert found["og:type"] == "website" and found["twitter:card"] == "summary"


def test_a_pages_own_feed_comes_first_in_the_head(tmp_path: Path) -> None:
    made = renderer(tmp_path)
    html = made.env.get_template("404.html").render(
        page_title="Svg", canonical="tags/svg/", recent=(), nav=(),
        feeds=[("T: SVG", "tags/svg.atom"), ("T", "atom/everything.atom")])
    feeds = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)"'
                       r' href="([^"]+)">', html)
    assert feeds == [("T: SVG", "/tags/svg.atom"), ("T", "/atom/everything.atom")]


def test_a_broken_language_file_is_named_with_its_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"p.md": post("P")},
                     'title = "T"\nbase_url = "https://e.org/"\nlanguage = "fr"\n')
    (site / "templates" / "text").mkdir(parents=True)
    (site / "templates" / "text" / "fr.toml").write_text(
        'continue_reading = "Lire la suite"\nnext = "Suivant\n', encoding="utf-8")
    run = sitegen("build", "--source", site)
    assert run.code == 1 and "Traceback" not in run.err
    assert "templates/text/fr.toml:2" in run.err and "fix that line" in run.err
    assert not (site / "public").exists()
