"""The search index alone: `python -m bench.search SITE [--edit]` makes the Pagefind
bundles of SITE's posts and prints how long that took.

Cold: every bundle, into an empty folder. With --edit: the bundles the last build
kept in SITE's .cache/search/ are copied, and the newest one is made again, as after
an edit of one of its posts (the others are checked and kept).

The site is parsed and planned first (with its .cache/, untimed), so the figure is
the index's own cost: records, Pagefind's process, the bundles written. `make bench`
runs it after sitegen's builds of the largest corpus, measured as a process tree
(the Pagefind process included)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import Run, measure


def index_seconds(site_dir: Path, edit: bool) -> float:
    from sitegen import search, site
    from sitegen.build import Options, load_config, plan_site

    options = Options(site_dir=site_dir)
    config, posts, _ = plan_site(options)
    entries = list(site.assemble(posts, config, {}).entries)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        store = Path(folder)
        if edit:
            shutil.copytree(site_dir / ".cache" / search.STORE, store, dirs_exist_ok=True)
            newest = next(iter(search.parts(entries, config)))
            (store / newest / search.DIGEST_FILE).write_text("edited", encoding="utf-8")
        started = time.perf_counter()
        search.index(entries, load_config(options), store)
        return time.perf_counter() - started


def measure_index(site_dir: Path, log: Path, edit: bool = False) -> tuple[float, Run]:
    """(the index's seconds, the whole run's measure) for the site in `site_dir`."""
    command = [sys.executable, "-m", "bench.search", str(site_dir), *(["--edit"] if edit else [])]
    run = measure(command, log)
    seconds = float(log.read_text().split()[-1])
    return seconds, run


if __name__ == "__main__":
    print(f"search index: {index_seconds(Path(sys.argv[1]), '--edit' in sys.argv):.3f}")
