"""`make profile`: where a sitegen build spends its time, by pyinstrument.

`python -m bench.profile [--posts N] [--scenario edit|cold|serve]` lays out the
generated corpus of N posts (10,000 by default) as `make bench` does, brings it to the
scenario's starting point without profiling, then profiles one build in this process
and prints pyinstrument's call tree (frames under 2% of the time left out):

- edit: a build after appending a line to the newest post (caches warm);
- cold: a build with no cache and no output, in one process (`--jobs 1`), so that
  parsing and rendering, which workers do in a normal build, show in the tree;
- serve: the dev server's rebuild after the same save, its cache in memory.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pyinstrument import Profiler

from bench import convert, generators, trash
from bench.run import corpus_folder
from sitegen.cli import main as sitegen
from sitegen.watch import Watcher

SCENARIOS = ("edit", "cold", "serve")
SHOWN = 0.02  # the smallest share of the time a frame needs to be printed


def save(site: Path) -> Path:
    """Append a line to the newest post, as the benchmark's edit does."""
    post = convert.newest_post(site / "content")
    with post.open("a", encoding="utf-8") as out:
        out.write("\nOne more line, added by the profiler.\n")
    return post


def profile(scenario: str, posts: int) -> Profiler:
    ws = generators.workspace("sitegen", posts)
    if not (ws.site / "site.toml").exists():
        generators.SITEGEN.lay_out(corpus_folder(posts), ws.site)
    build = ["build", "--source", str(ws.site), "--out", str(ws.out)]
    profiler = Profiler()
    if scenario == "serve":
        with Watcher(ws.site, ws.out.with_name("profile-serve")) as watcher:
            changed = {save(ws.site).relative_to(ws.site).as_posix()}
            with profiler:
                watcher.rebuild("", changed)
        return profiler
    if scenario == "cold":
        generators.clear([ws.site / ".cache", ws.out])
        build.extend(["--no-cache", "--jobs", "1"])
    else:
        sitegen(build)  # caches warm, whatever ran before
        save(ws.site)
    with profiler:
        sitegen(build)
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--scenario", choices=SCENARIOS, default="edit")
    args = parser.parse_args()
    trash.settle()
    try:
        profiler = profile(args.scenario, args.posts)
    finally:
        trash.empty()
    print(profiler.output_text(unicode=True, show_all=False, time="seconds",
                               processor_options={"filter_threshold": SHOWN}))
    shutil.rmtree(generators.workspace("sitegen", args.posts).out.with_name("profile-serve"),
                  ignore_errors=True)


if __name__ == "__main__":
    main()
