"""`sitegen init`: a new site folder, ready to build, serve and publish to GitHub Pages.

The files come from `skeleton/` beside this module, with `__NAME__` markers filled in; a
leading `dot-` in a skeleton name stands for `.` (`dot-gitignore` → `.gitignore`), so the
package data holds no hidden files.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import subprocess
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from sitegen import config as site_config
from sitegen.errors import ConfigError, SiteError, printable

SKELETON = Path(__file__).resolve().parent / "skeleton"
SAMPLES = "content/"  # skeleton files written only with samples=True
MAY_STAY = re.compile(r"\.|readme|license|licence", re.IGNORECASE)  # a fresh repository's
MARKER = re.compile(r"__[A-Z0-9_]+__")
log = logging.getLogger("sitegen")


def create(folder: Path, *, title: str, base_url: str, author: str, samples: bool = True,
           settings: str = "") -> list[Path]:
    """Make a new site in `folder` (new, or holding only dot-files, README* and LICENSE*)
    and return the files written. A file already there is kept, with a warning."""
    _check_empty(folder)
    values = {"TITLE": _toml_string(title), "BASE_URL": _toml_string(base_url),
              "AUTHOR": _toml_string(author), **_install_values(), **_dates()}
    files = {name: _fill(text, values) for name, text in _skeleton(samples).items()}
    files["site.toml"] = _with_settings(files["site.toml"], settings)
    _check_config(folder, files["site.toml"])
    _make_folder(folder / "content")
    return [path for name, text in files.items() if (path := _write(folder, name, text))]


def default_title(folder: Path) -> str:
    """A title from the folder's name: my-blog → My blog."""
    words = re.sub(r"[-_.\s]+", " ", folder.resolve().name).strip()
    return words[:1].upper() + words[1:] if words else "My blog"


def _check_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise SiteError(str(folder), None, "is a file, not a folder; name a new folder for "
                        "the site")
    try:
        found = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    except OSError as exc:
        raise SiteError(str(folder), None, f"cannot be read ({exc.strerror or exc})") from None
    others = [name for name in found if not MAY_STAY.match(name)]
    if others:
        shown = ", ".join(printable(name) for name in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        raise SiteError(str(folder), None, f"is not empty: it holds {shown}{more}. sitegen "
                        "init starts a site in a new folder, or one holding only dot-files "
                        "(.git), README and LICENSE files; name a new folder")


def _skeleton(samples: bool) -> dict[str, str]:
    """Site-relative name → text of every file the new site gets."""
    files = {}
    for path in sorted(SKELETON.rglob("*")):
        name = path.relative_to(SKELETON).as_posix()
        if path.is_file() and (samples or not name.startswith(SAMPLES)):
            files[re.sub(r"(^|/)dot-", r"\1.", name)] = path.read_text(encoding="utf-8")
    return files


def _fill(text: str, values: dict[str, str]) -> str:
    filled = MARKER.sub(lambda m: values.get(m[0][2:-2], m[0]), text)
    if left := MARKER.search(filled):
        raise AssertionError(f"skeleton marker {left[0]} has no value")
    return filled


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML escapes."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _dates() -> dict[str, str]:
    """The sample posts' dates: one a day, the newest today."""
    today = dt.date.today()
    return {f"DATE_{n}": (today - dt.timedelta(days=n)).isoformat() for n in range(4)}


def _with_settings(text: str, settings: str) -> str:
    """site.toml with `settings` at its end; a top-level key they set is commented out
    above. (The skeleton's tables are all comments, so theirs can follow.)"""
    if not settings.strip():
        return text
    try:
        keys = [k for k, v in tomllib.loads(settings).items() if not isinstance(v, dict)]
    except tomllib.TOMLDecodeError:
        keys = []  # _check_config says what is wrong
    for key in keys:
        text = re.sub(rf"^({re.escape(key)} = )", r"# \1", text, flags=re.MULTILINE)
    return f"{text}\n{settings.strip()}\n"


def _check_config(folder: Path, text: str) -> None:
    """site.toml as it will be written must load: a bad --base-url stops init before it
    writes anything."""
    with tempfile.TemporaryDirectory(prefix="sitegen-init-") as scratch:
        (Path(scratch) / site_config.CONFIG_FILE).write_text(text, encoding="utf-8")
        try:
            site_config.load(Path(scratch))
        except ConfigError as exc:
            raise ConfigError(str(folder / site_config.CONFIG_FILE), None,
                              f"{exc.message}; nothing was written") from None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(str(folder), None, f"cannot be made ({exc.strerror or exc})") from None


def _write(folder: Path, name: str, text: str) -> Path | None:
    """Write one new file; a file (or a link) already at its place is kept as it is."""
    path = folder / name
    if any(p.is_symlink() or (p.exists() and not p.is_dir())
           for p in list(path.parents)[: name.count("/")]):
        log.warning("warning: kept %s as it was: a file or link stands where a folder goes",
                    printable(name))
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        log.warning("warning: kept %s as it was; compare it with sitegen's own", name)
        return None
    except OSError as exc:
        raise SiteError(str(path), None, f"cannot be written ({exc.strerror or exc})") from None
    return path


# Where the deploy workflow installs sitegen from.

KNOWN = ("  # Where pip installs sitegen from: {source}, at the commit this site was made\n"
         "  # with (sitegen was installed from there). Write another commit, a tag or a branch\n"
         "  # to upgrade.")
UNKNOWN = ("  # Where pip installs sitegen from. `sitegen init` could not tell (it was installed\n"
           "  # from a file, or a folder with no public git remote): write it in place of ''\n"
           "  # below, e.g. 'git+https://github.com/OWNER/sitegen@main'. Until then the build\n"
           "  # stops and says so.")


def _install_values() -> dict[str, str]:
    source = install_source()
    comment = KNOWN.format(source=source.rsplit("@", 1)[0]) if source else UNKNOWN
    return {"SITEGEN_INSTALL": source.replace("'", "''"), "INSTALL_COMMENT": comment}


def install_source() -> str:
    """What `pip install` needs to install this very sitegen elsewhere (a CI runner):
    `git+URL@commit` when it came from a git URL, or from a clone with a public remote
    (PEP 610's direct_url.json says which); "" when nothing public is known."""
    try:
        record = json.loads(metadata.distribution("sitegen").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return ""
    url = record.get("url", "") if isinstance(record, dict) else ""
    vcs = record.get("vcs_info", {}) if isinstance(record, dict) else {}
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return _git_spec(url, str(vcs["commit_id"]))
    if url.startswith("file://") and "dir_info" in record:
        return _clone_spec(Path(urlsplit(url).path))
    return ""


def _clone_spec(clone: Path) -> str:
    """`git+REMOTE@HEAD` for a local clone whose `origin` is a public URL."""
    remote, commit = _git(clone, "remote", "get-url", "origin"), _git(clone, "rev-parse", "HEAD")
    return _git_spec(remote, commit) if remote and commit else ""


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _git_spec(url: str, commit: str) -> str:
    """`git+https://host/path@commit`; an ssh remote becomes https (a CI runner has no
    keys), and a user name or token is left out."""
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?!//)(.+)", url)
    parts = urlsplit(f"ssh://{scp[1]}/{scp[2]}" if scp else url.removeprefix("git+"))
    try:
        port = f":{parts.port}" if parts.port and parts.scheme != "ssh" else ""
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http", "ssh") or not parts.hostname \
            or not re.fullmatch(r"[\w./~-]+", parts.path) or not re.fullmatch(r"\w+", commit):
        return ""
    scheme = "https" if parts.scheme == "ssh" else parts.scheme
    return f"git+{scheme}://{parts.hostname}{port}{parts.path}@{commit}"
