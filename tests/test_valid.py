"""The demo site's HTML passes the Nu HTML checker with no error and no warning; its
internal links resolve. Without Java or the checker (npm vnu-jar) the checker's tests
skip, except under CI=true, where they fail."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import FIXTURES, ROOT, sitegen
from tests.test_accessibility import require

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_messages(folder: Path) -> list[str]:
    """Run the Nu HTML checker (npm vnu-jar) on every HTML file; return its errors and
    warnings, each as `file:line: error|warning: message`."""
    require(None if VNU.exists() else "the Nu HTML checker is missing: run `npm ci` "
            "(make test does)")
    require(None if shutil.which("java") else "the Nu HTML checker needs Java "
            "(.ci/run installs it)")
    done = subprocess.run(["java", "-jar", str(VNU), "--skip-non-html", "--format", "json",
                           str(folder)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [f"{where(m, folder)}: {kind}: {m['message']}" for m in messages
            if (kind := severity(m))]


def nu_errors(folder: Path) -> list[str]:
    """The checker's errors alone, for tests of pages outside the demo site."""
    return [m for m in nu_messages(folder) if ": error: " in m]


def severity(message: dict[str, str]) -> str | None:
    """'error' or 'warning'; None for the checker's plain information."""
    if message["type"] == "info":
        return "warning" if message.get("subType") == "warning" else None
    return "error"  # "error" and "non-document-error" (a file it could not read)


def where(message: dict[str, str], folder: Path) -> str:
    name = unquote(urlsplit(message.get("url", "")).path)
    if name.startswith(str(folder)):
        name = name[len(str(folder)):].lstrip("/")
    return f"{name}:{message.get('lastLine', '')}"


def assert_no_messages(folder: Path) -> None:
    messages = nu_messages(folder)
    if messages:
        pytest.fail(f"the Nu HTML checker: {len(messages)} error(s) and warning(s)\n  "
                    + "\n  ".join(messages), pytrace=False)


def test_demo_site_passes_nu_html_checker(demo_site: Path) -> None:
    assert len(list(demo_site.rglob("*.html"))) > 100
    assert_no_messages(demo_site)


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
    assert_no_messages(FIXTURES / "golden-output")
