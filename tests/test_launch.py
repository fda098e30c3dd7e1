"""The `sitegen` command answers a build with nothing to do before it imports the command
line (launch.py); every other command line goes to the command line as before, with
the same output, and a build with something to do publishes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sitegen import cli
from tests.conftest import ROOT, Run, make_site, post, tree

# The `sitegen` command's main, saying afterwards how far it went: whether the build ran,
# else whether the command line did (launch.py imports them meanwhile: see walker.py).
PROBE = ("import sys\nimport sitegen.build, sitegen.cli\nran = []\n"
         "def spy(module, name):\n    real = getattr(module, name)\n"
         "    def called(*args, **kwargs):\n        ran.append(name)\n"
         "        return real(*args, **kwargs)\n    setattr(module, name, called)\n"
         "spy(sitegen.build, 'build')\nspy(sitegen.cli, 'main')\n"
         "from sitegen.{module} import main\ncode = main()\n"
         "print('BUILD' if 'build' in ran else 'CLI' if 'main' in ran else 'LAUNCH', "
         "file=sys.stderr)\nsys.exit(code)\n")
POSTS = {"2025/first.md": post("First", body="The first words."),
         "2025/second.md": post("Second", date="2025-02-03", tags="[birds]",
                                body="The second words.")}


def run(site: Path, *args: str, module: str = "launch") -> Run:
    """`sitegen build --source site --no-search ARGS` through `module`'s main."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module), "build", "--source", str(site),
         "--no-search", *args], env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300, cwd=site.parent)
    return Run(done.returncode, done.stdout, done.stderr)


def way(done: Run) -> str:
    return done.err.strip().splitlines()[-1]


def line(done: Run) -> str:
    """The summary line, its seconds left out."""
    return re.sub(r" in \d+\.\d\d s ", " in … s ", done.out)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    made = make_site(tmp_path / "site", POSTS)
    assert way(run(made)) == "BUILD"
    return made


def test_the_installed_command_starts_at_launch() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["sitegen"] == "sitegen.launch:run"
    assert "launch import run" in (ROOT / "sitegen/__main__.py").read_text(encoding="utf-8")


def test_nothing_to_do_is_answered_before_the_command_line(site: Path) -> None:
    before = tree(site / "public")
    quick, full = run(site), run(site, module="cli")
    assert (quick.code, way(quick), way(full)) == (0, "LAUNCH", "CLI")
    assert line(quick) == line(full)
    assert "Built 2 posts" in quick.out and "(0 parsed, 0 rendered, 0 written" in quick.out
    assert tree(site / "public") == before


@pytest.mark.parametrize("args", [("--out", "elsewhere"), ("--out=elsewhere",),
                                  ("-q", "--strict", "--jobs", "1", "--out", "elsewhere"),
                                  ("--base-url=https://example.org/x/", "--drafts")])
def test_options_written_in_full_are_read_here(site: Path, args: tuple[str, ...]) -> None:
    first = run(site, *args)
    assert (first.code, way(first)) == (0, "BUILD")
    again = run(site, *args)
    assert (again.code, way(again)) == (0, "LAUNCH")
    assert line(again) == line(run(site, *args, module="cli"))


@pytest.mark.parametrize("args", [("--no-s",), ("--quie",)])
def test_other_spellings_go_to_the_command_line_and_build_nothing(
        site: Path, args: tuple[str, ...]) -> None:
    done = run(site, *args)
    assert (done.code, way(done)) == (0, "CLI")
    assert line(done) == line(run(site))


@pytest.mark.parametrize(("args", "said"), [(("--jobs", "many"), "invalid int value"),
                                            (("--out",), "expected one argument"),
                                            (("--out", "--drafts"), "expected one argument"),
                                            (("--colour",), "unrecognized arguments")])
def test_what_the_parser_refuses_is_refused_as_before(site: Path, args: tuple[str, ...],
                                                      said: str) -> None:
    done = run(site, *args)
    assert done.code == 2 and said in done.err


def test_a_build_that_warned_tells_its_warnings_again(tmp_path: Path) -> None:
    made = make_site(tmp_path / "site", {"a.md": post("A", body="```nosuchlang\nx\n```")})
    assert way(run(made)) == "BUILD"
    again = run(made)
    assert (again.code, way(again)) == (0, "CLI")
    assert "nosuchlang" in again.err and "0 parsed" in again.out


def test_an_edit_is_published_then_answered_here(site: Path) -> None:
    with open(site / "content/2025/first.md", "a", encoding="utf-8") as handle:
        handle.write("\nA sentence added later.\n")
    edited = run(site)
    assert (edited.code, way(edited)) == (0, "BUILD")
    assert "(1 parsed" in edited.out
    assert any(b"A sentence added later." in data for data in tree(site / "public").values())
    assert way(run(site)) == "LAUNCH"


def test_a_post_scheduled_later_keeps_the_answer_until_its_time(tmp_path: Path) -> None:
    made = make_site(tmp_path / "site", {**POSTS, "2025/later.md": post(
        "Later", date="2999-01-01T08:00:00Z", body="Words for later.")})
    assert way(run(made)) == "BUILD"
    again = run(made)
    assert way(again) == "LAUNCH" and "1 scheduled, next on 2999-01-01" in again.out
    assert line(again) == line(run(made, module="cli"))


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_a_command_line_parsed_with_its_command_alone_reads_and_helps_alike(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """cli.py makes the parser of the command a command line names, alone: its help,
    its errors and what it reads are those of the parser with every command."""
    outputs = []
    for parser in (cli._parser(), cli._parser(command)):
        for words in ([command, "--help"], [command, "--no-such-option"]):
            with pytest.raises(SystemExit) as exit_:
                parser.parse_args(words)
            captured = capsys.readouterr()
            outputs.append((words, exit_.value.code, captured.out, captured.err))
    assert outputs[:2] == outputs[2:]
    assert "usage: sitegen " + command in outputs[0][2]
    if command == "build":
        words = ["build", "--source", "x", "--jobs", "2", "-q", "--no-search"]
        full, alone = cli._parser().parse_args(words), cli._parser(command).parse_args(words)
        assert vars(full) == vars(alone)
