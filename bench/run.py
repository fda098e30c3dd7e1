"""`make bench`: build generated corpora with sitegen, Hugo and Pelican; print a table.

For each corpus size and generator, one after another (never two builds at once):

- cold: no cache, no output folder;
- edit: a fresh process after appending a line to the newest post (caches warm);
- none: a fresh process with nothing changed.

A build that takes under 5 s is timed three times (each time set up alike: caches
cleared, or one more line appended) and the median is shown; a longer cold build is
timed twice and the faster shown (`--large`: once). A sitegen rebuild that
found its cache invalid, because sitegen's code changed since the build before (as
it may while others work on it), does not count and is run again.

Then sitegen's targets, met or not, the feed documents and the files written after one
new post, and the dev server's save → reload time.
`--large` (make bench-large) builds 100,000 posts (or `--posts N`) with sitegen only:
cold, one edit, no change and the dev server's figures (unless `--no-serve`), and
compares the cold time with a cold build of 10,000.
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

from bench import convert, corpus, generators, heavy, latency, trash
from bench import search as search_bench
from bench.generators import Generator, Workspace
from bench.measure import Run, measure
from sitegen import atom

SCENARIOS = ("cold", "edit", "none")
REPEATS, REPEAT_UNDER_S = 3, 5.0  # builds shorter than this are timed thrice
COLD_RUNS = 2  # make bench times a longer cold build twice (bench-large: once)
RETRIES = 3  # rebuilds that found their cache invalid, at most, before one counts
SIZES = (1000, 10_000)
CORPORA = ("standard", "heavy")
LARGE, LARGE_BASE = 100_000, 10_000
SITEGEN_CODE = Path(__file__).resolve().parent.parent / "sitegen"


@dataclass(frozen=True, slots=True)
class Result:
    corpus: str  # "standard" (bench/corpus.py) or "heavy" (bench/heavy.py)
    generator: str
    posts: int
    scenario: str
    run: Run
    files: int
    note: str
    warm: bool  # a rebuild found the generator's cache valid


def corpus_folder(posts: int, kind: str = "standard") -> Path:
    """The generated corpus of `posts` posts, made now unless already made alike."""
    module = heavy if kind == "heavy" else corpus
    folder = generators.CORPORA / f"{'heavy' if kind == 'heavy' else 'posts'}-{posts}"
    stamp = folder / ".generated"
    wanted = f"{posts} {hashlib.sha256(Path(str(module.__file__)).read_bytes()).hexdigest()}"
    if not (stamp.exists() and stamp.read_text() == wanted):
        generators.clear([folder])
        print(f"generating {posts:,} {kind} posts into {folder} …", flush=True)
        module.generate(folder, posts)
        stamp.write_text(wanted)
    return folder


def build_once(gen: Generator, ws: Workspace, posts: int, scenario: str, kind: str) -> Result:
    log = ws.logs / f"{ws.out.name}-{scenario}.log"
    run = measure(gen.command(ws), log)
    text = log.read_text(errors="replace")
    result = Result(kind, gen.name, posts, scenario, run, generators.count_files(ws.out),
                    gen.note(text), gen.warm(text))
    print(f"  {kind:8} {gen.name:10} {posts:>7,} {scenario:5} {run.wall:8.2f} s", flush=True)
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
                  scenario: str, kind: str, long_runs: int = 1) -> Result:
    """One build; a short one is run `REPEATS` times and the median kept, a longer one
    `long_runs` times and the fastest kept (other work on the machine only slows a
    build: between two runs 20 minutes apart, one cold build took 16.7 and 23.9 s)."""
    runs = [warm_build(gen, ws, content, posts, scenario, kind)]
    short = runs[0].run.wall < REPEAT_UNDER_S
    while len(runs) < (REPEATS if short else long_runs):
        runs.append(warm_build(gen, ws, content, posts, scenario, kind))
    ordered = sorted(runs, key=lambda r: r.run.wall)
    return ordered[len(ordered) // 2] if short else ordered[0]


def warm_build(gen: Generator, ws: Workspace, content: Path, posts: int,
               scenario: str, kind: str) -> Result:
    """One build of `scenario`; a rebuild that found its cache invalid (sitegen's code
    changed since the build before) does not count and is run again, up to `RETRIES`."""
    for _ in range(RETRIES):
        prepare(gen, ws, content, scenario)
        result = build_once(gen, ws, posts, scenario, kind)
        if scenario == "cold" or result.warm:
            break
        print("    its cache did not apply (the code changed since?): once more", flush=True)
    return result


def bench_generator(gen: Generator, source: Path, posts: int,
                    scenarios: tuple[str, ...] = SCENARIOS, kind: str = "standard",
                    cold_runs: int = 1) -> list[Result]:
    """Lay out the corpus for `gen` (not timed), then time each scenario in turn; a
    cold build of REPEAT_UNDER_S or more `cold_runs` times."""
    ws = generators.workspace(gen.name, posts, kind)
    content = gen.lay_out(source, ws.site)
    return [time_scenario(gen, ws, content, posts, s, kind, cold_runs if s == "cold" else 1)
            for s in scenarios]


def code_digest() -> str:
    """sitegen's code: when someone edits it mid-run, its cache no longer applies."""
    digest = hashlib.sha256()
    for path in sorted(SITEGEN_CODE.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ratio(results: list[Result], posts: int, scenario: str, peer: str,
          kind: str = "standard", ours: str = "sitegen") -> float | None:
    """sitegen's wall time (`ours`: with or without search) ÷ the peer's, for one
    corpus and scenario."""
    walls = {r.generator: r.run.wall for r in results
             if r.posts == posts and r.scenario == scenario and r.corpus == kind}
    if ours not in walls or peer not in walls:
        return None
    return walls[ours] / walls[peer]


# (heading, width): right-aligned, or left-aligned when the width is negative
COLUMNS = (("corpus", -8), ("posts", 6), ("generator", -10), ("scenario", -8), ("wall s", 6),
           ("CPU s", 6), ("sys s", 5), ("peak MB", 7), ("main MB", 7), ("workers", 7),
           ("files", 6), ("÷hugo", 5), ("÷pelican", 8), ("load", 4), ("note", 0))


def _row(cells: list[str]) -> str:
    return " ".join(c.rjust(w) if w > 0 else c.ljust(-w)
                    for c, (_, w) in zip(cells, COLUMNS, strict=True)).rstrip()


def _cells(r: Result, results: list[Result]) -> list[str]:
    ours = r.generator.startswith("sitegen")
    hugo = ratio(results, r.posts, r.scenario, "hugo", r.corpus, r.generator) if ours else None
    pelican = (ratio(results, r.posts, r.scenario, "pelican", r.corpus, r.generator)
               if ours else None)
    return [r.corpus, str(r.posts), r.generator, r.scenario, f"{r.run.wall:.2f}",
            f"{r.run.cpu:.2f}", f"{r.run.system:.2f}",
            f"{r.run.peak_mb:.0f}", f"{r.run.main_mb:.0f}", f"{r.run.workers_mb:.0f}",
            str(r.files), _ratio(hugo), _ratio(pelican), f"{r.run.load:.1f}", r.note]


def format_table(results: list[Result]) -> str:
    head = _row([name for name, _ in COLUMNS])
    return "\n".join([head, "-" * len(head), *(_row(_cells(r, results)) for r in results)])


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _mark(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "NOT MET")


def _wall(results: list[Result], generator: str, posts: int, scenario: str,
          kind: str = "standard") -> float | None:
    return next((r.run.wall for r in results if r.generator == generator and r.corpus == kind
                 and r.posts == posts and r.scenario == scenario), None)


@dataclass(frozen=True, slots=True)
class Limits:
    """Issue 16's targets at one size (seconds, MB)."""

    edit: float
    none: float
    peak_cold: float
    peak_edit: float
    reload: float
    ready: float
    gone: float


LIMITS_10K = Limits(0.3, 0.1, 500.0, 150.0, 0.05, 2.0, 0.5)
LIMITS_100K = Limits(0.6, 0.3, 1500.0, 300.0, 0.1, 5.0, 1.0)
NO_SERVE = latency.Serve(None, None, None)


def _sitegen(results: list[Result], kind: str, posts: int) -> str:
    """The sitegen run the targets read: without search when it ran (as issue 16 asks)."""
    ran = {r.generator for r in results if r.corpus == kind and r.posts == posts}
    return "sitegen-ns" if "sitegen-ns" in ran or "sitegen" not in ran else "sitegen"


def _peak(results: list[Result], name: str, kind: str, posts: int,
          scenario: str) -> float | None:
    return next((r.run.peak_mb for r in results if r.generator == name and r.corpus == kind
                 and r.posts == posts and r.scenario == scenario), None)


def format_targets(results: list[Result], kind: str, posts: int,
                   serve: latency.Serve = NO_SERVE) -> list[str]:
    """Issue 16's targets on one corpus and size, each met or NOT MET with its figure
    (and issue 12's Pelican target, still in force)."""
    limit = LIMITS_10K if posts <= 10_000 else LIMITS_100K
    name = _sitegen(results, kind, posts)
    hugo = ratio(results, posts, "cold", "hugo", kind, name)
    pelican = ratio(results, posts, "cold", "pelican", kind, name)
    faster = None if pelican is None else 1 / pelican
    rows = [
        ("cold build ÷ Hugo's, same run", "≤ 1.00", _ratio(hugo) or "-", _le(hugo, 1.0)),
        ("cold build faster than Pelican (issue 12)", "≥ 4×", _times(faster),
         None if faster is None else faster >= 4.0),
        *_time_rows(results, name, kind, posts, limit),
        ("dev server save → reload event", _secs(limit.reload), _secs(serve.reload),
         _le(serve.reload, limit.reload)),
        ("`sitegen serve` ready (first page), cache warm", _secs(limit.ready),
         _secs(serve.ready), _le(serve.ready, limit.ready)),
        ("`sitegen serve` gone after Ctrl-C", _secs(limit.gone), _secs(serve.gone),
         _le(serve.gone, limit.gone)),
    ]
    flag = " --no-search" if name == "sitegen-ns" else " (with search: no sitegen-ns run)"
    return [f"issue 16 targets, {kind} corpus, {posts:,} posts (sitegen{flag}):",
            *(f"  {what:48} {_bound(lim):>8} {fig:>14}  {_mark(ok)}"
              for what, lim, fig, ok in rows)]


def _bound(limit: str) -> str:
    return limit if limit[:1] in "≤≥" else f"≤ {limit}"


def _time_rows(results: list[Result], name: str, kind: str, posts: int,
               limit: Limits) -> list[tuple[str, str, str, bool | None]]:
    edit, none = (_wall(results, name, posts, s, kind) for s in ("edit", "none"))
    cold_mb, edit_mb = (_peak(results, name, kind, posts, s) for s in ("cold", "edit"))
    return [
        ("one-edit rebuild (fresh process)", _secs(limit.edit), _secs(edit),
         _le(edit, limit.edit)),
        ("no-change build (fresh process)", _secs(limit.none), _secs(none),
         _le(none, limit.none)),
        ("peak memory, cold (process tree)", _mb(limit.peak_cold), _mb(cold_mb),
         _le(cold_mb, limit.peak_cold)),
        ("peak memory, one-edit rebuild (process tree)", _mb(limit.peak_edit), _mb(edit_mb),
         _le(edit_mb, limit.peak_edit)),
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
                and r.corpus == "standard" and r.posts == posts), default=None)
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


def serve_figures(results: list[Result], kind: str, posts: int) -> latency.Serve:
    """The dev server on the corpus sitegen last built: save → reload (in-process, a
    first build of its own), then `sitegen serve` ready and stopped, its cache warm."""
    name = _sitegen(results, kind, posts)
    ws = generators.workspace(name, posts, kind)
    search = name != "sitegen-ns"  # the dev server as that generator built the site
    print(f"  dev server on {posts:,} {kind} posts …", flush=True)
    reload = latency.measure_serve_latency(ws.site, search)
    ready, gone = latency.measure_serve_start(ws.site, ws.cache, search)
    return latency.Serve(reload, ready, gone)


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


def run_standard(sizes: list[int], names: list[str], serve: bool, kinds: list[str]) -> None:
    """Each corpus at its sizes (the heavy one at the largest only), every generator."""
    print(describe_setup(), flush=True)
    trash.settle()
    before = code_digest()
    results: list[Result] = []
    for kind in kinds:
        for posts in sizes if kind == "standard" else sizes[-1:]:
            source = corpus_folder(posts, kind)
            for name in names:
                results.extend(bench_generator(generators.ALL[name], source, posts,
                                               SCENARIOS, kind, COLD_RUNS))
    largest = max(sizes)
    lines = ["", format_table(results)]
    for kind in kinds:
        figures = serve_figures(results, kind, largest) if serve else NO_SERVE
        lines.extend(["", *format_targets(results, kind, largest, figures)])
    if "sitegen" in names and "standard" in kinds:
        lines.extend(search_lines(results, largest))
        lines.append(combination_line(largest))
        lines.extend(new_post_lines(generators.workspace("sitegen", largest), largest))
    print("\n".join(lines))
    _warn_if_code_changed(before)


def run_large(posts: int, kinds: list[str], serve: bool) -> None:
    """sitegen without search on `posts` posts of each corpus: cold, one edit, no
    change; and the standard corpus's cold build against 10,000 posts."""
    print(describe_setup(), flush=True)
    trash.settle()
    before = code_digest()
    gen = generators.SITEGEN_NO_SEARCH
    results = [*bench_generator(gen, corpus_folder(LARGE_BASE), LARGE_BASE, ("cold",))]
    for kind in kinds:
        results.extend(bench_generator(gen, corpus_folder(posts, kind), posts, SCENARIOS, kind))
    lines = ["", format_table(results)]
    for kind in kinds:
        figures = serve_figures(results, kind, posts) if serve else NO_SERVE
        lines.extend(["", *format_targets(results, kind, posts, figures)])
    print("\n".join([*lines, "", *_large_lines(results, posts)]))
    _warn_if_code_changed(before)


def _large_lines(results: list[Result], posts: int) -> list[str]:
    """Issue 12's line: the standard corpus's cold build against 10,000 posts'."""
    base, large = (next(r.run for r in results if r.corpus == "standard" and r.posts == n
                        and r.scenario == "cold") for n in (LARGE_BASE, posts))
    times, limit = large.wall / base.wall, 12.0 * posts / LARGE
    return [f"{posts:,} posts: cold {large.wall:.1f} s, peak {large.peak_mb:.0f} MB "
            f"(process tree; main {large.main_mb:.0f} MB, workers "
            f"{large.workers_mb:.0f} MB each at most)",
            f"  ÷ cold {LARGE_BASE:,}: {times:.1f}× (target ≤ {limit:.1f}×) — "
            f"{_mark(times <= limit)}"]


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
                        default=list(generators.ALL),
                        help="default: all (sitegen with and without search, Hugo, Pelican)")
    parser.add_argument("--corpus", nargs="+", choices=CORPORA, default=list(CORPORA),
                        help="standard (bench/corpus.py), heavy (bench/heavy.py): both")
    parser.add_argument("--no-serve", action="store_true",
                        help="skip the dev server measures (save → reload, ready, Ctrl-C)")
    args = parser.parse_args()
    try:
        if args.large:
            run_large(args.posts, args.corpus, serve=not args.no_serve)
        else:
            run_standard(sorted(args.sizes), args.generators, not args.no_serve, args.corpus)
    finally:
        trash.empty()


if __name__ == "__main__":
    main()
