"""`make screenshots`: full-page PNGs of every page type of the demo site, at 1280 px and
390 px wide, light and dark, to look at a theme change the way readers will meet it.

It builds the demo into a temporary folder, serves it on 127.0.0.1 and drives Debian's
Chromium through Playwright (the browser the tests use). The PNGs go to bench/out/
screenshots/ (git-ignored) or --out, named `{page type}-{width}-{scheme}.png`; the
folder is printed at the end."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import demo

DEFAULT_OUT = demo.ROOT / "bench" / "out" / "screenshots"


def shoot(site: str, out: Path) -> list[Path]:
    """Every page type × viewport × scheme, one context per viewport and scheme."""
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(demo.CHROMIUM),
                                             args=demo.LAUNCH_ARGS)
        try:
            for viewport, size in demo.VIEWPORTS.items():
                for scheme in demo.SCHEMES:
                    context = browser.new_context(viewport=size, color_scheme=scheme)
                    page = context.new_page()
                    for name, path in demo.page_types().items():
                        demo.open_page(page, site, name, path)
                        target = out / f"{name}-{viewport}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        saved.append(target)
                    context.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the PNGs (default {DEFAULT_OUT})")
    options = parser.parse_args(argv)
    if not demo.CHROMIUM.exists():
        print(f"{demo.CHROMIUM} is not installed", file=sys.stderr)
        return 2
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sitegen-shots-") as folder, \
            demo.serving(Path(folder)) as origin:
        demo.build(Path(folder) / "public", origin + "/public/")
        saved = shoot(origin + "/public/", options.out)
    print(f"{len(saved)} screenshots in {options.out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
