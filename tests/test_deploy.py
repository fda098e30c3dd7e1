"""Publishing: the CI workflows, `make deploy`, the README's deploy steps, and a site built
for a sub-path served from one, every link crawled."""

from __future__ import annotations

import functools
import html.parser
import http.server
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, copy_site, make_site, post, serving, sitegen

WORKFLOWS = ROOT / ".github" / "workflows"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Oldest major version of each action that the workflows may use.
ACTIONS = {"actions/checkout": 4, "actions/setup-python": 5, "actions/configure-pages": 5,
           "actions/upload-pages-artifact": 3, "actions/deploy-pages": 4}


def workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps(flow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in flow["jobs"].values() for step in job.get("steps", [])]


def uses(flow: dict[Any, Any]) -> dict[str, int]:
    """Action → major version, for every `uses: owner/name@vN`."""
    found = (re.fullmatch(r"([\w.-]+/[\w.-]+)@v(\d+)", s.get("uses", "")) for s in steps(flow))
    return {m[1]: int(m[2]) for m in found if m}


def test_actionlint_passes_on_every_workflow() -> None:
    actionlint = shutil.which("actionlint") or str(ROOT / ".venv" / "bin" / "actionlint")
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"deploy.yml", "test.yml"}
    done = subprocess.run([actionlint, "-no-color", *map(str, files)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_deploy_workflow_builds_checks_and_publishes_to_pages() -> None:
    flow = workflow("deploy.yml")
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    for action, oldest in ACTIONS.items():
        assert uses(flow).get(action, 0) >= oldest, action
    python = next(s for s in steps(flow) if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["cache"] == "pip"
    commands = "\n".join(s.get("run", "") for s in steps(flow))
    assert "make build" in README and "make build" in commands
    assert re.search(r"sitegen check .*", commands)
    assert "steps.pages.outputs.base_url" in (WORKFLOWS / "deploy.yml").read_text()
    upload = next(s for s in steps(flow) if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].rstrip("/") == "public"
    assert flow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_both_deploy_workflows_also_run_on_a_schedule_for_scheduled_posts(
        tmp_path: Path) -> None:
    """This repository's and the one `sitegen init` writes: a post dated in the future goes
    out within hours of its date without a push."""
    assert sitegen("init", tmp_path / "blog").code == 0
    for path in (WORKFLOWS / "deploy.yml", tmp_path / "blog/.github/workflows/deploy.yml"):
        triggers = yaml.safe_load(path.read_text(encoding="utf-8"))[True]
        crons = [entry["cron"] for entry in triggers["schedule"]]
        assert crons and all(cron.split()[0] not in ("0", "*") for cron in crons), path
        assert "push" in triggers and "workflow_dispatch" in triggers, path
        assert "60 days" in path.read_text(encoding="utf-8"), path


def test_test_workflow_runs_make_test_on_pull_requests() -> None:
    flow = workflow("test.yml")
    assert "pull_request" in flow[True]
    assert "bash .ci/run" in "\n".join(s.get("run", "") for s in steps(flow))
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_walks_through_deploying() -> None:
    deploying = README.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    for needed in ("Settings → Pages", "GitHub Actions", "Custom domain", "base URL",
                   "https://USER.github.io/REPO/", "Netlify", "Cloudflare Pages",
                   "aws s3 sync public/ s3://", "--delete", "rsync", "make deploy",
                   "DEPLOY_CMD", "sitegen check"):
        assert needed in deploying, needed


def test_readme_describes_sitegen_check() -> None:
    commands = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for needed in ("sitegen check [--source DIR] [--out DIR] [--base-url URL]", "--external",
                   "#fragment", "draft", "RFC 4287", "sitemap", "planned", "exit"):
        assert needed.lower() in commands.lower(), needed


def make(*args: str) -> subprocess.CompletedProcess[str]:
    """`make` in the repository, never reinstalling .venv (-o: take it as up to date)."""
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.runtime-installed",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_make_deploy_refuses_when_the_check_fails(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "check-broken", tmp_path)
    marker = tmp_path / "deployed"
    done = make("deploy", f"SOURCE={site}", f"DEPLOY_CMD=touch {marker}")
    assert done.returncode != 0
    assert "leads nowhere" in done.stderr
    assert not marker.exists()


def test_make_deploy_runs_the_command_when_the_check_passes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "blog", {"a.md": post("A", tags="[svg]")})
    marker = tmp_path / "deployed"
    done = make("deploy", f"SOURCE={site}", f"DEPLOY_CMD=touch {marker}")
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_make_deploy_without_a_command_explains_itself(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "golden-site", tmp_path)
    done = make("-o", "check-site", "deploy", f"SOURCE={site}")
    assert done.returncode == 2 and "set DEPLOY_CMD" in done.stdout


# A static host that serves the output folder under a sub-path, and a crawler.

SUB_PATH = "/sub/path/"
CRAWL_LIMIT = 3000


class SubPathHost(http.server.SimpleHTTPRequestHandler):
    """Serves the folder under SUB_PATH only, as GitHub Pages serves a project site."""

    def translate_path(self, path: str) -> str:
        url_path = urlsplit(path).path
        if not (url_path + "/").startswith(SUB_PATH):
            return str(Path(self.directory) / "no such file outside the sub-path")
        return super().translate_path("/" + path[len(SUB_PATH):])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo built for https://example.org/sub/path/, served at 127.0.0.1 under it."""
    out = tmp_path_factory.mktemp("hosted") / "public"
    run = sitegen("build", "--source", ROOT, "--out", out, "--no-cache",
                  "--base-url", f"https://example.org{SUB_PATH}")
    assert run.code == 0, run.err
    handler = functools.partial(SubPathHost, directory=str(out))
    with serving(handler) as address:
        yield f"{address}{SUB_PATH}"


class LinkParser(html.parser.HTMLParser):
    """The href and src of every element (HTML pages and Atom feeds alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links.extend(value for name, value in attrs if name in ("href", "src") and value)


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def crawl(home: str, site_base: str) -> dict[str, int]:
    """Status of every URL on the host reachable from `home`; the site's own full URLs
    (canonical, feeds) are mapped to the local host."""
    local = urlsplit(home)
    statuses: dict[str, int] = {}
    queue = [home]
    while queue and len(statuses) < CRAWL_LIMIT:
        url = queue.pop()
        if url in statuses:
            continue
        statuses[url], kind, body = fetch(url)
        if kind in ("text/html", "application/atom+xml"):
            parser = LinkParser()
            parser.feed(body.decode("utf-8"))
            for link in parser.links:
                target = urljoin(url, link.replace(site_base, home)).split("#", 1)[0]
                if urlsplit(target).netloc == local.netloc and target not in statuses:
                    queue.append(target)
    assert len(statuses) < CRAWL_LIMIT, "the crawl did not finish"
    return statuses


def test_every_link_works_on_a_static_host_under_a_sub_path(hosted: str) -> None:
    statuses = crawl(hosted, f"https://example.org{SUB_PATH}")
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert broken == {}
    listed = re.findall(r"<loc>https://example\.org/sub/path/([^<]*)</loc>",
                        fetch(hosted + "sitemap.xml")[2].decode())
    assert len(listed) > 100
    # Every post and tag page is reached. (Day archives and /links/, /quotes/, /entries/
    # are in the sitemap but no page links to them yet.)
    wanted = {hosted + path for path in listed
              if re.fullmatch(r"\d+/\w+/\d+/[^/]+/|tags/.+/", path)}
    assert len(wanted) > 50 and wanted <= set(statuses)
    assert f"{hosted}tags/svg/" in statuses and f"{hosted}atom/everything.atom" in statuses


def test_the_host_really_serves_only_the_sub_path(hosted: str) -> None:
    outside = hosted.replace(SUB_PATH, "/tags/")
    assert fetch(outside)[0] == 404
    assert fetch(hosted + "tags")[0] == 200  # a folder without '/' redirects, as Pages does
