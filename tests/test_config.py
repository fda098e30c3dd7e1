"""site.toml: defaults, type checks, unknown keys with a suggestion; every key documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sitegen import config
from sitegen.cli import _parser
from sitegen.errors import ConfigError
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def load(tmp_path: Path, text: str) -> config.Config:
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return config.load(tmp_path)


def test_defaults_without_site_toml(tmp_path: Path) -> None:
    assert load(tmp_path, "") == config.Config()


def test_sub_path_base_url(tmp_path: Path) -> None:
    cfg = load(tmp_path, 'base_url = "https://user.github.io/blog"\n')
    assert cfg.url("tags/svg/") == "/blog/tags/svg/"
    assert cfg.absolute("tags/svg/") == "https://user.github.io/blog/tags/svg/"


@pytest.mark.parametrize(("text", "message"), [
    ('titel = "x"\n', "site.toml:1: unknown setting 'titel'. Did you mean 'title'?"),
    ('[feeds]\nentires = 3\n', "site.toml:2: unknown setting 'feeds.entires'. "
                               "Did you mean 'feeds.entries'?"),
    ("per_page = 'ten'\n", "site.toml:1: 'per_page' must be a whole number, not \"ten\""),
    ('timezone = "Mars/Olympus"\n', "site.toml:1: unknown timezone 'Mars/Olympus'"),
    ('base_url = "example.org"\n', "site.toml:1: base_url 'example.org' must be an absolute"),
    ('title = \n', "site.toml:1: not valid TOML"),
])
def test_bad_settings_name_the_line_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert str(caught.value).startswith(message)


def all_keys(cls: type, prefix: str = "") -> list[str]:
    keys = []
    for field in dataclasses.fields(cls):
        default = field.default_factory() if field.default is dataclasses.MISSING \
            else field.default  # type: ignore[misc]
        if dataclasses.is_dataclass(default):
            keys += [f"[{field.name}] {k}" for k in all_keys(type(default))]
        else:
            keys.append(prefix + field.name)
    return keys


def test_every_setting_is_documented() -> None:
    for key in all_keys(config.Config):
        assert f"| `{key}` |" in README, key


def test_every_command_and_option_is_documented() -> None:
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        assert f"sitegen {name}" in README, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"sitegen {name} {flag}"
