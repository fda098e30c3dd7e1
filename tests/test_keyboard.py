"""A keyboard reader's walk: Tab through the demo's home page and a post page, at 1280 px
and 390 px, light and dark, and check every element that takes focus. Each must show
(a size, not clipped away by the visually-hidden pattern or an overflow, not covered),
sit inside the viewport once focus has scrolled to it, and carry a focus indicator of
at least 2 px (outline, or box-shadow) contrasting at least 3:1 with what is behind it
(WCAG 2.4.7 and 2.4.11–2.4.13). axe-core checks none of this.

The checker itself is tested on a small page of known good and bad links, so that it
cannot pass by seeing nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench import demo
from tests.test_accessibility import browser, demo_served, new_view

__all__ = ["browser", "demo_served"]  # fixtures, used by name

MAX_PRESSES = 300  # more than any demo page has focusable elements
PAGES = {"home": demo.PAGE_TYPES["home"], "entry": demo.PAGE_TYPES["entry"]}

# Runs once the browser has scrolled to the focused element: returns its problems, or
# null when focus is back on the page or on an element already seen (the walk is over).
PROBE = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const el = document.activeElement;
  if (!el || el === document.body || el.hasAttribute("data-keyboard-seen")) return null;
  el.setAttribute("data-keyboard-seen", "");
  const ink = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
  const rgba = (colour) => {
    ink.clearRect(0, 0, 1, 1);
    ink.fillStyle = "#000"; ink.fillStyle = colour; ink.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ink.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = ([r, g, b, a], [R, G, B]) =>
    [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const canvasColour = () => {
    const dark = getComputedStyle(document.documentElement).colorScheme.includes("dark")
      && matchMedia("(prefers-color-scheme: dark)").matches;
    return dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
  };
  const backdrop = (start) => {
    const layers = [];
    for (let n = start; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, c) => over(c, below), canvasColour());
  };
  const cut = (box, l, t, r, b) => ({l: Math.max(box.l, l), t: Math.max(box.t, t),
                                     r: Math.min(box.r, r), b: Math.min(box.b, b)});
  const length = (v, whole) => v.endsWith("%") ? parseFloat(v) / 100 * whole : parseFloat(v);
  const clipBy = (box, n, cs) => {
    const own = n.getBoundingClientRect();
    if (cs.clip && cs.clip.startsWith("rect(") && /absolute|fixed/.test(cs.position)) {
      const [t, r, b, l] = cs.clip.slice(5, -1).split(/[ ,]+/);
      box = cut(box, own.left + (l === "auto" ? 0 : parseFloat(l)),
                own.top + (t === "auto" ? 0 : parseFloat(t)),
                r === "auto" ? own.right : own.left + parseFloat(r),
                b === "auto" ? own.bottom : own.top + parseFloat(b));
    }
    if (cs.clipPath.startsWith("inset(")) {
      const v = cs.clipPath.slice(6, -1).split(" round")[0].trim().split(/\\s+/);
      const [t, r = t, b = t, l = r] = v;
      box = cut(box, own.left + length(l, own.width), own.top + length(t, own.height),
                own.right - length(r, own.width), own.bottom - length(b, own.height));
    }
    return box;
  };
  const visibleBox = () => {
    const r = el.getBoundingClientRect();
    let box = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    let escaping = null;  // "absolute" or "fixed": ancestors' overflow that does not clip
    for (let n = el; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (n !== el && cs.position !== "static" && escaping === "absolute") escaping = null;
      const scrolls = cs.overflowX !== "visible" || cs.overflowY !== "visible";
      if (n !== el && scrolls && !escaping && n !== document.documentElement
          && n !== document.body) {
        const o = n.getBoundingClientRect();
        box = cut(box, o.left + n.clientLeft, o.top + n.clientTop,
                  o.left + n.clientLeft + n.clientWidth, o.top + n.clientTop + n.clientHeight);
      }
      box = clipBy(box, n, cs);
      if (cs.position === "fixed") escaping = "fixed";
      else if (cs.position === "absolute" && escaping !== "fixed") escaping = "absolute";
    }
    return box;
  };
  const indicator = () => {
    const cs = getComputedStyle(el);
    const found = [];
    if (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) {
      const inside = parseFloat(cs.outlineOffset) < 0;
      found.push({kind: "outline", width: parseFloat(cs.outlineWidth),
                  colour: cs.outlineColor, inside});
    }
    if (cs.boxShadow !== "none") {
      for (const shadow of cs.boxShadow.split(/,(?![^(]*\\))/)) {
        const colour = (shadow.match(/(rgba?|color|oklch|oklab|lab|lch|hsla?)\\([^)]*\\)/)
                        || ["transparent"])[0];
        const [x = 0, y = 0, blur = 0, spread = 0] = shadow.replace(colour, "")
          .match(/-?[\\d.]+px/g)?.map(parseFloat) ?? [];
        const width = Math.max(spread, Math.abs(x), Math.abs(y));
        found.push({kind: "box-shadow", width, colour, inside: shadow.includes("inset")});
      }
    }
    return found.map((f) => {
      const behind = backdrop(f.inside ? el : el.parentElement || el);
      const ring = over(rgba(f.colour), behind);
      return {...f, ratio: contrast(ring, behind)};
    });
  };
  const problems = [];
  const box = visibleBox();
  const [w, h] = [box.r - box.l, box.b - box.t];
  const style = getComputedStyle(el);
  if (w < 2 || h < 2) {
    problems.push(`clipped away or empty (visible ${Math.max(w, 0).toFixed(0)}×` +
                  `${Math.max(h, 0).toFixed(0)} px)`);
  } else {
    const [vw, vh] = [innerWidth, innerHeight];
    const fitsX = w > vw ? box.r > 0 && box.l < vw : box.l >= -1 && box.r <= vw + 1;
    const fitsY = h > vh ? box.b > 0 && box.t < vh : box.t >= -1 && box.b <= vh + 1;
    if (!fitsX || !fitsY) {
      problems.push(`outside the viewport (${box.l.toFixed(0)},${box.t.toFixed(0)} to ` +
                    `${box.r.toFixed(0)},${box.b.toFixed(0)} in ${vw}×${vh})`);
    } else {
      const part = [...el.getClientRects()].map((r) => cut(box, r.left, r.top, r.right, r.bottom))
        .find((r) => r.r - r.l >= 1 && r.b - r.t >= 1) || box;
      const x = Math.min(Math.max((part.l + part.r) / 2, 0), vw - 1);
      const y = Math.min(Math.max((part.t + part.b) / 2, 0), vh - 1);
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === el || el.contains(hit))) {
        problems.push(`covered by ${hit ? hit.tagName.toLowerCase() + (hit.className ?
          "." + String(hit.className).split(" ")[0] : "") : "nothing"}`);
      }
    }
  }
  if (style.visibility !== "visible" || parseFloat(style.opacity) < 0.1) {
    problems.push(`invisible (visibility ${style.visibility}, opacity ${style.opacity})`);
  }
  const rings = indicator();
  const good = rings.filter((f) => f.width >= 2 && f.ratio >= 3);
  if (!good.length) {
    problems.push(rings.length ? "focus indicator too weak: " + rings.map((f) =>
      `${f.kind} ${f.width}px ${f.colour} at ${f.ratio.toFixed(2)}:1`).join("; ")
      : "no focus indicator (no outline, no box-shadow)");
  }
  const text = (el.innerText || el.getAttribute("aria-label") || el.value || "").trim();
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "");
  return {name, text: text.replace(/\\s+/g, " ").slice(0, 50), problems};
}"""


def walk(page: Any) -> list[str]:
    """Tab until focus returns to the page or the first element: one line per problem."""
    problems: list[str] = []
    seen = 0
    for press in range(1, MAX_PRESSES + 1):
        page.keyboard.press("Tab")
        found = page.evaluate(PROBE)
        if found is None:
            break
        seen += 1
        problems.extend(f"Tab {press}: {found['name']} “{found['text']}”: {problem}"
                        for problem in found["problems"])
    else:
        problems.append(f"focus did not come back after {MAX_PRESSES} Tab presses")
    if seen == 0:
        problems.append("no element took focus")
    return problems


@pytest.fixture(scope="module", params=[(v, s) for v in demo.VIEWPORTS for s in demo.SCHEMES],
                ids=lambda p: f"{p[0]}-{p[1]}")
def view(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, str, Any]]:
    viewport, scheme = request.param
    page = new_view(browser, viewport, scheme)
    try:
        yield viewport, scheme, page
    finally:
        page.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_focused_element_shows_its_focus(name: str, view: tuple[str, str, Any],
                                               demo_served: str) -> None:
    viewport, scheme, page = view
    page.goto(demo_served + PAGES[name])
    problems = walk(page)
    if problems:
        pytest.fail(f"{name} (/{PAGES[name]}) at {viewport}, {scheme}: "
                    f"{len(problems)} problem(s)\n  " + "\n  ".join(problems), pytrace=False)


KNOWN = """<!doctype html><html lang="en"><title>t</title>
<style>
  body { background: #fff; color: #222; margin: 2rem; }
  a:focus-visible { outline: 3px solid #1a56c4; outline-offset: 2px; }
  .hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
            clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
  #bare:focus-visible { outline: none; }
  #faint:focus-visible { outline: 3px solid #eee; }
  #thin:focus-visible { outline: 1px solid #000; }
  #shadow:focus-visible { outline: none; box-shadow: 0 0 0 3px #000; }
  #far { position: absolute; left: -9999px; }
</style>
<p><a id="good" href="#1">good</a></p>
<h2 class="hidden"><a id="hidden" href="#2">hidden</a></h2>
<p><a id="bare" href="#3">bare</a> <a id="faint" href="#4">faint</a>
   <a id="thin" href="#5">thin</a> <a id="shadow" href="#6">shadow</a>
   <a id="far" href="#7">far</a></p>
"""


def test_the_checker_tells_good_focus_from_bad(browser: Any) -> None:
    page = new_view(browser, "390px", "light")
    try:
        page.set_content(KNOWN)
        problems = walk(page)
    finally:
        page.context.close()
    flagged = {line.split(": ")[1].split(" ")[0] for line in problems}
    assert flagged == {"a#hidden[href=\"#2\"]", "a#bare[href=\"#3\"]", "a#faint[href=\"#4\"]",
                       "a#thin[href=\"#5\"]", "a#far[href=\"#7\"]"}, problems
    assert any("Tab 2:" in line and "clipped away" in line for line in problems), problems
    assert any("#far" in line and "outside the viewport" in line for line in problems)
