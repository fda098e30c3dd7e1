"""The demo site's HTML passes the Nu HTML checker; its internal links resolve."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import FIXTURES, ROOT, sitegen

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_errors(folder: Path) -> list[str]:
    """Run the Nu HTML checker (npm vnu-jar) on every HTML file; return its errors."""
    assert VNU.exists(), "run `npm ci` (make test does) to get the Nu HTML checker"
    assert shutil.which("java"), "the Nu HTML checker needs Java (.ci/run installs it)"
    done = subprocess.run(["java", "-jar", str(VNU), "--skip-non-html", "--format", "json",
                           "--errors-only", str(folder)], capture_output=True, text=True,
                          timeout=600)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]


def test_demo_site_passes_nu_html_checker(demo_site: Path) -> None:
    assert len(list(demo_site.rglob("*.html"))) > 100
    assert nu_errors(demo_site) == []


def internal_links(folder: Path, base_path: str) -> list[tuple[str, str]]:
    """(page, link) for every href/src that stays on the site."""
    links = []
    for page in sorted(folder.rglob("*.html")):
        for link in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if not parts.scheme and not link.startswith("#"):
                links.append((page.relative_to(folder).as_posix(), link))
    assert links
    return links


def resolve(folder: Path, page: str, link: str, base_path: str) -> Path | None:
    path = unquote(urlsplit(link).path)
    if not path.startswith("/"):
        path = "/" + str(Path(page).parent / path)
    if not path.startswith(base_path):
        return None
    target = folder / path[len(base_path):]
    return target / "index.html" if path.endswith("/") else target


@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/sub/path/"])
def test_every_internal_link_resolves(base: str, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert sitegen("build", "--source", ROOT, "--out", out, "--base-url", base).code == 0
    base_path = urlsplit(base).path
    broken = [(page, link) for page, link in internal_links(out, base_path)
              if not ((target := resolve(out, page, link, base_path)) and target.is_file())]
    assert broken == []


def test_golden_site_under_sub_path_passes_nu_html_checker() -> None:
    assert nu_errors(FIXTURES / "golden-output") == []
