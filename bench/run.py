"""`make bench`: build generated corpora with sitegen, Hugo and Pelican; print a table.

For each corpus size and generator, one after another (never two builds at once):

- cold: no cache, no output folder;
- edit: a fresh process after appending a line to the newest post (caches warm);
- none: a fresh process with nothing changed.

A build that takes under 5 s is timed three times (each time set up alike: caches
cleared, or one more line appended) and the median is shown. A sitegen rebuild that
found its cache invalid, because sitegen's code changed since the build before (as
it may while others work on it), does not count and is run again.

Then sitegen's targets, met or not, the feed documents and the files written after one
new post, and the dev server's save → reload time.
`--large` (make bench-large) builds 100,000 posts (or `--posts N`) with sitegen only,
cold, and compares the time with a cold build of 10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench import convert, corpus, generators, latency
from bench import search as search_bench
from bench.generators import Generator, Workspace
from bench.measure import Run, measure
from sitegen import atom

SCENARIOS = ("cold", "edit", "none")
REPEATS, REPEAT_UNDER_S = 3, 5.0  # builds shorter than this are timed thrice
RETRIES = 3  # rebuilds that found their cache invalid, at most, before one counts
SIZES = (1000, 10_000)
LARGE, LARGE_BASE = 100_000, 10_000
SITEGEN_CODE = Path(__file__).resolve().parent.parent / "sitegen"


@dataclass(frozen=True, slots=True)
class Result:
    generator: str
    posts: int
    scenario: str
    run: Run
    files: int
    note: str
    warm: bool  # a rebuild found the generator's cache valid


def corpus_folder(posts: int) -> Path:
    """The generated corpus of `posts` posts, made now unless already made alike."""
    folder = generators.CORPORA / f"posts-{posts}"
    stamp = folder / ".generated"
    wanted = f"{posts} {hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest()}"
    if not (stamp.exists() and stamp.read_text() == wanted):
        generators.clear([folder])
        print(f"generating {posts:,} posts into {folder} …", flush=True)
        corpus.generate(folder, posts)
        stamp.write_text(wanted)
    return folder


def build_once(gen: Generator, ws: Workspace, posts: int, scenario: str) -> Result:
    log = ws.logs / f"{gen.name}-{posts}-{scenario}.log"
    run = measure(gen.command(ws), log)
    text = log.read_text(errors="replace")
    result = Result(gen.name, posts, scenario, run, generators.count_files(ws.out),
                    gen.note(text), gen.warm(text))
    print(f"  {gen.name:8} {posts:>7,} {scenario:5} {run.wall:8.2f} s", flush=True)
    return result


def prepare(gen: Generator, ws: Workspace, content: Path, scenario: str) -> None:
    """Set the scene: no caches for a cold build, one more line in the newest post for
    an edit, nothing for a no-change build."""
    if scenario == "cold":
        generators.clear(gen.caches(ws))
    elif scenario == "edit":
        with convert.newest_post(content).open("a", encoding="utf-8") as out:
            out.write("\nOne more line, added by the benchmark.\n")


def time_scenario(gen: Generator, ws: Workspace, content: Path, posts: int,
                  scenario: str) -> Result:
    """One build; a short one is run `REPEATS` times and the median kept."""
    runs: list[Result] = []
    while not runs or (len(runs) < REPEATS and runs[0].run.wall < REPEAT_UNDER_S):
        runs.append(warm_build(gen, ws, content, posts, scenario))
    return sorted(runs, key=lambda r: r.run.wall)[len(runs) // 2]


def warm_build(gen: Generator, ws: Workspace, content: Path, posts: int,
               scenario: str) -> Result:
    """One build of `scenario`; a rebuild that found its cache invalid (sitegen's code
    changed since the build before) does not count and is run again, up to `RETRIES`."""
    for _ in range(RETRIES):
        prepare(gen, ws, content, scenario)
        result = build_once(gen, ws, posts, scenario)
        if scenario == "cold" or result.warm:
            break
        print("    its cache did not apply (the code changed since?): once more", flush=True)
    return result


def bench_generator(gen: Generator, source: Path, posts: int,
                    scenarios: tuple[str, ...] = SCENARIOS) -> list[Result]:
    """Lay out the corpus for `gen` (not timed), then time each scenario in turn."""
    ws = generators.workspace(gen.name, posts)
    content = gen.lay_out(source, ws.site)
    return [time_scenario(gen, ws, content, posts, s) for s in scenarios]


def code_digest() -> str:
    """sitegen's code: when someone edits it mid-run, its cache no longer applies."""
    digest = hashlib.sha256()
    for path in sorted(SITEGEN_CODE.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ratio(results: list[Result], posts: int, scenario: str, peer: str) -> float | None:
    """sitegen's wall time ÷ the peer's, for one corpus and scenario."""
    walls = {r.generator: r.run.wall for r in results
             if r.posts == posts and r.scenario == scenario}
    if "sitegen" not in walls or peer not in walls:
        return None
    return walls["sitegen"] / walls[peer]


# (heading, width): right-aligned, or left-aligned when the width is negative
COLUMNS = (("corpus", 6), ("generator", -9), ("scenario", -8), ("wall s", 6), ("CPU s", 6),
           ("peak MB", 7), ("main MB", 7), ("workers", 7), ("files", 6), ("÷hugo", 5),
           ("÷pelican", 8), ("load", 4), ("note", 0))


def _row(cells: list[str]) -> str:
    return " ".join(c.rjust(w) if w > 0 else c.ljust(-w)
                    for c, (_, w) in zip(cells, COLUMNS, strict=True)).rstrip()


def _cells(r: Result, results: list[Result]) -> list[str]:
    ours = r.generator == "sitegen"
    hugo = ratio(results, r.posts, r.scenario, "hugo") if ours else None
    pelican = ratio(results, r.posts, r.scenario, "pelican") if ours else None
    return [str(r.posts), r.generator, r.scenario, f"{r.run.wall:.2f}", f"{r.run.cpu:.2f}",
            f"{r.run.peak_mb:.0f}", f"{r.run.main_mb:.0f}", f"{r.run.workers_mb:.0f}",
            str(r.files), _ratio(hugo), _ratio(pelican), f"{r.run.load:.1f}", r.note]


def format_table(results: list[Result]) -> str:
    head = _row([name for name, _ in COLUMNS])
    return "\n".join([head, "-" * len(head), *(_row(_cells(r, results)) for r in results)])


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _mark(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "NOT MET")


def _wall(results: list[Result], generator: str, posts: int, scenario: str) -> float | None:
    return next((r.run.wall for r in results if r.generator == generator
                 and r.posts == posts and r.scenario == scenario), None)


def format_targets(results: list[Result], posts: int) -> list[str]:
    """sitegen's targets on the `posts` corpus, each met or not."""
    hugo = ratio(results, posts, "cold", "hugo")
    pelican = ratio(results, posts, "cold", "pelican")
    edit, none = _wall(results, "sitegen", posts, "edit"), _wall(results, "sitegen", posts, "none")
    peak = max((r.run.peak_mb for r in results if r.generator == "sitegen"
                and r.posts == posts), default=None)
    faster = None if pelican is None else 1 / pelican
    return [
        f"sitegen targets on {posts:,} posts:",
        f"  cold build ≤ Hugo's (ratio ≤ 1.00): {_ratio(hugo) or '-'} — "
        f"{_mark(_le(hugo, 1.0))}",
        f"  cold build ≥ 4× faster than Pelican: {_times(faster)} — "
        f"{_mark(None if faster is None else faster >= 4.0)}",
        f"  one-edit rebuild ≤ 1 s: {_secs(edit)} — {_mark(_le(edit, 1.0))}",
        f"  no-change rebuild ≤ 0.5 s: {_secs(none)} — {_mark(_le(none, 0.5))}",
        f"  peak memory ≤ 700 MB (process tree): {_mb(peak)} — {_mark(_le(peak, 700.0))}",
    ]


def search_lines(results: list[Result], posts: int) -> list[str]:
    """The search index's targets: its own time and memory (made again, alone, after the
    builds: every bundle, then the newest one as after an edit), the whole build's
    peak memory with Pagefind, and a one-post edit's build with its search update."""
    print(f"  search index alone on {posts:,} posts …", flush=True)
    ws = generators.workspace("sitegen", posts)
    seconds, alone = search_bench.measure_index(ws.site, ws.logs / f"search-{posts}.log")
    again, edited = search_bench.measure_index(ws.site, ws.logs / f"search-edit-{posts}.log",
                                               edit=True)
    cold, edit = _wall(results, "sitegen", posts, "cold"), _wall(results, "sitegen", posts, "edit")
    share = None if not cold else seconds / cold
    peak = max((r.run.peak_mb for r in results if r.generator == "sitegen"
                and r.posts == posts), default=None)
    return [
        f"search index on {posts:,} posts (one Pagefind bundle per year, or part of a busy year):",
        f"  cold index {seconds:.2f} s (its process tree {alone.peak_mb:.0f} MB) ≤ 50% of "
        f"the cold build: {'-' if share is None else f'{share:.0%}'} — "
        f"{_mark(_le(share, 0.5))}",
        f"  index after a one-post edit {again:.2f} s (its process tree "
        f"{edited.peak_mb:.0f} MB; it runs beside the build's rendering)",
        f"  whole build's peak memory with Pagefind ≤ 700 MB: {_mb(peak)} — "
        f"{_mark(_le(peak, 700.0))}",
        f"  one-post edit including the search update ≤ 3 s: {_secs(edit)} — "
        f"{_mark(_le(edit, 3.0))}",
    ]


def combination_line(posts: int) -> str:
    """How many tag combination pages (/tags/a+b/, their later pages, their feeds) the
    last sitegen build of the `posts` corpus made."""
    tags = generators.workspace("sitegen", posts).out / "tags"
    pairs = [p for p in tags.iterdir() if p.is_dir() and "+" in p.name] if tags.is_dir() else []
    pages = sum(len(list(p.rglob("index.html"))) for p in pairs)
    return (f"tag combinations on {posts:,} posts: {len(pairs)} pairs, {pages} pages and "
            f"{len(pairs)} feeds ({pages + len(pairs)} files)")


def new_post_lines(ws: Workspace, posts: int) -> list[str]:
    """The feed documents (subscription documents, their RFC 5005 archives and copies)
    of the last sitegen build, and the files a build writes after one new post, newer
    than every other, tagged as the newest. Built with the options of the builds before
    it (with --no-search, every page would be made again: the settings differ)."""
    files = [p for p in ws.out.rglob("*") if p.is_file()]
    feeds = [p for p in files if p.suffix in (".atom", ".xml") and atom.is_feed(p.read_bytes())]
    archives = sum(1 for p in feeds if "archive" in p.parent.parts[-1:])
    json_feeds = sum(1 for p in files if p.suffix == ".json"
                     and p.with_suffix(".atom").is_file())  # JSON Feed twins
    added = ws.site / "content" / "zz-bench-new-post.md"
    added.write_text(_new_post(convert.newest_post(ws.site / "content")), encoding="utf-8")
    try:
        log = ws.logs / f"sitegen-{posts}-new-post.log"
        run = measure(generators.sitegen_command(ws), log)  # as the builds before it
        found = re.search(r"(\d+) written", log.read_text(errors="replace"))
    finally:
        added.unlink()
    written = found[1] if found else "?"
    return [f"feeds on {posts:,} posts: {len(feeds) + json_feeds} feed documents "
            f"({len(feeds)} Atom, {archives} of them archives; {json_feeds} JSON Feed)",
            f"  one new post (newest): {written} files written in {run.wall:.2f} s"]


def _new_post(newest: Path) -> str:
    """A post a minute newer than `newest`, with its tags: a new post as an author writes
    one (not the first of a year, nor of a new tag, which would change every page)."""
    text = newest.read_text(encoding="utf-8")
    found = re.search(r'^date: "?([^"\n]+)"?$', text, re.MULTILINE)
    tags = re.search(r"^tags: .*$", text, re.MULTILINE)
    date = dt.datetime.fromisoformat(found[1]) + dt.timedelta(minutes=1) if found else None
    return (f"---\ntitle: A new post\ndate: {date.isoformat() if date else ''}\n"
            f"{tags[0] if tags else ''}\n---\nA new post, added by the benchmark.\n")


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


def _le(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def serve_line(posts: int) -> str:
    site = generators.workspace("sitegen", posts).site
    print(f"  dev server on {posts:,} posts …", flush=True)
    seconds = latency.measure_serve_latency(site)
    shown = "not measured" if seconds is None else f"{seconds:.2f} s (median of {latency.SAVES})"
    return f"dev server save → reload on {posts:,} posts: {shown}"


def describe_setup() -> str:
    """What ran: versions and the machine, for the record."""
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=SITEGEN_CODE, check=False).stdout.strip()
    return (f"sitegen {version('sitegen')} ({commit or 'no git'}), {generators.versions()}, "
            f"Python {platform.python_version()}, {os.cpu_count()} cores")


def run_standard(sizes: list[int], names: list[str], serve: bool) -> None:
    print(describe_setup(), flush=True)
    before = code_digest()
    results: list[Result] = []
    for posts in sizes:
        source = corpus_folder(posts)
        for name in names:
            results.extend(bench_generator(generators.ALL[name], source, posts))
    lines = ["", format_table(results), "", *format_targets(results, max(sizes))]
    if "sitegen" in names:
        lines.extend(search_lines(results, max(sizes)))
        lines.append(combination_line(max(sizes)))
        lines.extend(new_post_lines(generators.workspace("sitegen", max(sizes)), max(sizes)))
    if serve and "sitegen" in names:
        lines.append(serve_line(max(sizes)))
    print("\n".join(lines))
    _warn_if_code_changed(before)


def run_large(posts: int) -> None:
    print(describe_setup(), flush=True)
    before = code_digest()
    results = [r for size in (LARGE_BASE, posts) for r in
               bench_generator(generators.SITEGEN, corpus_folder(size), size, ("cold",))]
    base, large = results[0].run, results[1].run
    times = large.wall / base.wall
    limit = 12.0 * posts / LARGE
    print("\n".join(["", format_table(results), "",
                     f"{posts:,} posts: cold {large.wall:.1f} s, peak {large.peak_mb:.0f} MB "
                     f"(process tree; main {large.main_mb:.0f} MB, workers "
                     f"{large.workers_mb:.0f} MB each at most)",
                     f"  ÷ cold {LARGE_BASE:,}: {times:.1f}× (target ≤ {limit:.1f}×) — "
                     f"{_mark(times <= limit)}"]))
    _warn_if_code_changed(before)


def _warn_if_code_changed(before: str) -> None:
    if code_digest() != before:
        print("warning: sitegen's code changed during the run; its warm builds may have "
              "found their cache invalid. Run again for clean figures.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true",
                        help=f"sitegen alone, cold, on {LARGE:,} posts")
    parser.add_argument("--posts", type=int, default=LARGE,
                        help="with --large: posts in the large corpus (a smoke test)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="corpus sizes (default: 1000 10000)")
    parser.add_argument("--generators", nargs="+", choices=sorted(generators.ALL),
                        default=list(generators.ALL), help="default: all three")
    parser.add_argument("--no-serve", action="store_true",
                        help="skip the dev server save → reload measure")
    args = parser.parse_args()
    if args.large:
        run_large(args.posts)
    else:
        run_standard(sorted(args.sizes), args.generators, not args.no_serve)


if __name__ == "__main__":
    main()
