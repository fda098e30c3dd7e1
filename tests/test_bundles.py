"""Page bundles: a post that is a folder with its files, published beside its page; the
post's relative links work on its page, in lists and in feeds; its `image` is og:image."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import Options
from sitegen.build import build as build_in_process
from sitegen.cache import Cache
from sitegen.watch import Watcher
from tests.conftest import make_site, post, sitegen, tree
from tests.test_valid import nu_errors

SUB_PATH = 'title = "T"\nbase_url = "https://example.org/blog/"\n'
BODY = ('A bridge ![photo](photo.jpg) and <img src="bridge.svg" alt="plan">, '
        "[the notes](files/notes.pdf), [home](/x/), [elsewhere](https://example.com/a.png), "
        "[up](#top) and [mail](mailto:a@example.org).")
POST_DIR = Path("2024") / "Mar" / "2" / "bridge"


def bundle_site(root: Path, toml: str = SUB_PATH, **fields: str) -> Path:
    site = make_site(root, {
        "2024/bridge/index.md": post("The bridge", date="2024-03-02", tags="[svg]",
                                     body=BODY, **fields),
        "2024/sketch/index.md": post("", date="2024-03-03", tags="[svg]", kind="note",
                                     body="Sketched: ![sketch](sketch.png)"),
        "2024/plain.md": post("Plain", date="2024-03-01", kind="note",
                              body="![not a bundle](plain.png)"),
    }, toml)
    folder = site / "content" / "2024"
    (folder / "bridge" / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    (folder / "bridge" / "bridge.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (folder / "bridge" / "files").mkdir()
    (folder / "bridge" / "files" / "notes.pdf").write_bytes(b"%PDF-1.4 notes")
    (folder / "sketch" / "sketch.png").write_bytes(b"\x89PNG sketch")
    return site


def build(site: Path, out: Path, *args: str) -> str:
    run = sitegen("build", "--source", site, "--out", out, *args)
    assert run.code == 0, run.err
    return run.out + run.err


def test_files_beside_the_post_are_published_beside_its_page(tmp_path: Path) -> None:
    out = tmp_path / "public"
    err = build(bundle_site(tmp_path / "blog"), out)
    assert "0 warning(s)" in err and "not a post" not in err
    assert (out / POST_DIR / "photo.jpg").read_bytes() == b"\xff\xd8 photo"
    assert (out / POST_DIR / "files" / "notes.pdf").read_bytes() == b"%PDF-1.4 notes"
    assert (out / "2024" / "Mar" / "3" / "sketch" / "sketch.png").exists()
    page = (out / POST_DIR / "index.html").read_text()
    assert '<img src="photo.jpg" alt="photo" />' in page  # relative: it works here
    manifest = (out / ".sitegen-manifest").read_text()
    assert "2024/Mar/2/bridge/files/notes.pdf" in manifest


def test_lists_show_bundle_links_as_site_paths(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(bundle_site(tmp_path / "blog"), out)
    for page in ("index.html", "tags/svg/index.html", "2024/Mar/index.html",
                 "2024/Mar/3/index.html"):
        text = (out / page).read_text()
        assert '<img src="/blog/2024/Mar/3/sketch/sketch.png" alt="sketch">' in text, page
        assert '<img src="plain.png"' in text or "plain" not in text, page  # not a bundle


def test_relative_links_stay_relative_on_the_page_and_only_those_move(tmp_path: Path) -> None:
    toml = SUB_PATH
    site = make_site(tmp_path / "blog", {"2024/bridge/index.md": post(
        "The bridge", date="2024-03-02", kind="note", body=BODY)}, toml)
    (site / "content" / "2024" / "bridge" / "photo.jpg").write_bytes(b"jpg")
    out = tmp_path / "public"
    build(site, out)
    home = (out / "index.html").read_text()
    assert 'src="/blog/2024/Mar/2/bridge/photo.jpg"' in home
    assert 'src="/blog/2024/Mar/2/bridge/bridge.svg"' in home
    assert 'href="/blog/2024/Mar/2/bridge/files/notes.pdf"' in home
    for kept in ('href="/x/"', 'href="https://example.com/a.png"', 'href="#top"',
                 'href="mailto:a@example.org"'):
        assert kept in home


def test_feeds_make_bundle_links_absolute(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(bundle_site(tmp_path / "blog"), out)
    feed = (out / "tags" / "svg.atom").read_text()
    assert 'src="https://example.org/blog/2024/Mar/2/bridge/photo.jpg"' in feed
    assert 'href="https://example.org/blog/2024/Mar/2/bridge/files/notes.pdf"' in feed
    assert 'src="https://example.org/blog/2024/Mar/3/sketch/sketch.png"' in feed


@pytest.mark.parametrize(("image", "expected"), [
    ("photo.jpg", "https://example.org/blog/2024/Mar/2/bridge/photo.jpg"),
    ("files/../photo.jpg", "https://example.org/blog/2024/Mar/2/bridge/photo.jpg"),
    ("/img/cover.png", "https://example.org/blog/img/cover.png"),
    ("https://cdn.example.net/a.png?w=2", "https://cdn.example.net/a.png?w=2"),
])
def test_image_is_the_open_graph_image(image: str, expected: str, tmp_path: Path) -> None:
    out = tmp_path / "public"
    site = bundle_site(tmp_path / "blog", image=f"'{image}'")
    (site / "root" / "img").mkdir(parents=True)
    (site / "root" / "img" / "cover.png").write_bytes(b"png")
    build(site, out)
    page = (out / POST_DIR / "index.html").read_text()
    assert f'<meta property="og:image" content="{expected}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert "og:image" not in (out / "index.html").read_text()


def test_a_changed_file_is_copied_again_and_a_removed_one_goes(tmp_path: Path) -> None:
    site, out = bundle_site(tmp_path / "blog"), tmp_path / "public"
    build(site, out)
    (site / "content" / POST_DIR.parts[0] / "bridge" / "photo.jpg").write_bytes(b"new photo")
    (site / "content" / "2024" / "bridge" / "files" / "notes.pdf").unlink()
    err = build(site, out)
    assert "0 parsed, 0 rendered, 0 written" not in err
    assert (out / POST_DIR / "photo.jpg").read_bytes() == b"new photo"
    assert not (out / POST_DIR / "files").exists()


def test_the_dev_server_copies_a_changed_file(tmp_path: Path) -> None:
    site, out = bundle_site(tmp_path / "blog"), tmp_path / "out"
    watcher = Watcher(site, out)
    watcher.rebuild()
    photo = site / "content" / "2024" / "bridge" / "photo.jpg"
    photo.write_bytes(b"edited in the dev server")
    watcher.rebuild(edited={"content/2024/bridge/photo.jpg"})
    assert (out / POST_DIR / "photo.jpg").read_bytes() == b"edited in the dev server"


def test_a_draft_bundle_publishes_no_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"2024/wip/index.md": post("WIP", draft="true")})
    (site / "content" / "2024" / "wip" / "photo.jpg").write_bytes(b"jpg")
    out = tmp_path / "public"
    err = build(site, out)
    assert "not a post" not in err
    assert not any("photo" in path for path in tree(out))
    build(site, tmp_path / "drafts", "--drafts")
    assert (tmp_path / "drafts" / "2025" / "Jan" / "2" / "wip" / "photo.jpg").exists()


def test_a_file_beside_a_post_that_is_not_in_a_bundle_is_warned_of(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"2024/plain.md": post("Plain")})
    (site / "content" / "2024" / "photo.jpg").write_bytes(b"jpg")
    err = build(site, tmp_path / "public")
    assert "content/2024/photo.jpg: not a post" in err and "page bundle" in err


def test_two_bundles_claiming_one_file_name_both(tmp_path: Path) -> None:
    toml = SUB_PATH + '[permalinks]\npost = "/{year}/{slug}.html"\n'
    site = make_site(tmp_path / "blog", {
        "2024/a/index.md": post("A", date="2024-01-01"),
        "2024/b/index.md": post("B", date="2024-02-01")}, toml)
    for name in ("a", "b"):
        (site / "content" / "2024" / name / "photo.jpg").write_bytes(b"jpg")
    run = sitegen("build", "--source", site, "--out", tmp_path / "public")
    assert run.code == 1
    assert "content/2024/b/photo.jpg: /2024/photo.jpg is also the file " \
           "content/2024/a/photo.jpg; rename or move the file" in run.err


def test_html_permalinks_put_files_in_the_post_folder(tmp_path: Path) -> None:
    toml = SUB_PATH + '[permalinks]\npost = "/{year}/{month_num}/{slug}.html"\n'
    site = make_site(tmp_path / "blog", {
        "2024/a/index.md": post("A", date="2024-01-01", kind="note", body="![p](photo.jpg)")},
        toml)
    (site / "content" / "2024" / "a" / "photo.jpg").write_bytes(b"jpg")
    out = tmp_path / "public"
    build(site, out)
    assert (out / "2024" / "01" / "photo.jpg").exists()
    assert '<img src="photo.jpg"' in (out / "2024" / "01" / "a.html").read_text()
    assert 'src="/blog/2024/01/photo.jpg"' in (out / "index.html").read_text()


@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/blog/"])
def test_a_site_with_bundles_checks_clean(base: str, tmp_path: Path) -> None:
    site = bundle_site(tmp_path / "blog", image="photo.jpg")
    (site / "content" / "2024" / "bridge" / "index.md").write_text(
        post("The bridge", date="2024-03-02", tags="[svg]", image="photo.jpg",
             body=BODY.replace("[home](/x/), ", "")))
    (site / "content" / "2024" / "plain.md").unlink()
    run = sitegen("check", "--source", site, "--out", tmp_path / "public", "--base-url", base)
    assert run.code == 0, run.out + run.err


def test_bundle_pages_are_valid_html(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(bundle_site(tmp_path / "blog", image="photo.jpg"), out)
    assert nu_errors(out / "2024") == []
    assert nu_errors(out / "tags") == []


def test_in_process_build_with_a_kept_plan_matches_a_cold_one(tmp_path: Path) -> None:
    """The dev server's path: a body edit patches the kept plan; lists still relink."""
    site = bundle_site(tmp_path / "blog")
    cache = Cache(keep_plan=True)
    options = Options(site, tmp_path / "served", use_cache=False, jobs=1)
    build_in_process(options, cache)
    index = site / "content" / "2024" / "sketch" / "index.md"
    index.write_text(index.read_text().replace("Sketched:", "Sketched again:"))
    build_in_process(options, cache)
    build(site, tmp_path / "cold", "--no-cache")
    served = {k: v for k, v in tree(tmp_path / "served").items() if k != ".sitegen-manifest"}
    cold = {k: v for k, v in tree(tmp_path / "cold").items() if k != ".sitegen-manifest"}
    assert served == cold
    assert b"Sketched again" in served["index.html"]
