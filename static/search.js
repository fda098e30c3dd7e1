// The search page: Pagefind's bundles (one per year, or part of a busy year, merged in the
// browser), searched with tag, kind and year facets. The query and filters live in the URL:
// search/?q=atom&tag=svg&tag=python&kind=link&year=2024

const PAGE_SIZE = 20;
const TAGS_SHOWN = 30;
const DELAY = 150; // ms of quiet typing before a search
const FACETS = ["tag", "kind", "year"];
const KINDS = ["entry", "link", "quote", "note"];
const OPTIONS = { baseUrl: "/", excerptLength: 24 }; // result URLs already hold the base path

const root = document.getElementById("search");
const base = root.dataset.base; // the site's base path: '/' or '/sub/path/'
const form = root.querySelector("form");
const input = form.elements.q;
const notice = document.getElementById("search-notice");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
// The theme's words in the site's language (templates/text/<language>.toml), from the page.
const WORDS = JSON.parse(document.getElementById("search-words").textContent);

const chosen = { tag: [], kind: [], year: [] };
let pagefind = null;
let byYear = null; // one Pagefind instance per bundle, made when first needed
let info = null;
let found = []; // the current search's results, not yet loaded
let latest = 0; // the newest search; older ones finish silently
let allTags = false;
let timer = 0;

// A text of the page's words with its {name}s filled; a plural text picks one or other.
function say(key, values = {}) {
  let text = WORDS[key];
  if (typeof text === "object") text = values.count === 1 ? text.one : text.other;
  return text.replace(/\{(\w+)\}/g, (all, name) => String(values[name] ?? all));
}

// The same with {name}s that are elements (links), as a list of nodes and strings.
function sayWith(key, nodes) {
  return WORDS[key].split(/\{(\w+)\}/).map((part, i) => (i % 2 ? nodes[part] ?? part : part));
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") ?? "";
  for (const facet of FACETS) chosen[facet] = params.getAll(facet);
}

function writeUrl() {
  const params = new URLSearchParams();
  const q = input.value.trim();
  if (q) params.set("q", q);
  for (const facet of FACETS) for (const value of chosen[facet]) params.append(facet, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function filtersWithout(skip) {
  const filters = {};
  if (skip !== "tag" && chosen.tag.length) filters.tag = { all: chosen.tag };
  for (const facet of ["kind", "year"]) {
    if (facet !== skip && chosen[facet].length) filters[facet] = { any: chosen[facet] };
  }
  return filters;
}

async function find(term, skip) {
  const filters = filtersWithout(skip);
  if (term) return pagefind.search(term, { filters });
  // Merged bundles order results by score, even sorted ones: to list posts by date,
  // search each bundle (newest first) by date and join the lists.
  const each = await Promise.all((await yearly()).map((one) => one.search(null, { filters, sort: { date: "desc" } })));
  return { results: each.flatMap((s) => s.results), filters: summed(each.map((s) => s.filters)) };
}

// Pagefind gives counts only for the filters it has loaded: filters() loads them all.
async function yearly() {
  byYear ??= Promise.all(info.bundles.map(async (bundle) => {
    const one = pagefind.createInstance({ basePath: `${base}${bundle}` });
    await one.options(OPTIONS);
    await one.filters();
    return one;
  }));
  return byYear;
}

function summed(counts) {
  const total = {};
  for (const count of counts) {
    for (const [facet, values] of Object.entries(count)) {
      total[facet] ??= {};
      for (const [value, n] of Object.entries(values)) total[facet][value] = (total[facet][value] ?? 0) + n;
    }
  }
  return total;
}

// Counts beside each value: tags narrow the results (all of them), so their counts are
// the current results'; kind and year widen them (any of them), so theirs come from a
// search without that facet's own choice.
async function counts(term, search) {
  const result = { tag: search.filters.tag ?? {} };
  for (const facet of ["kind", "year"]) {
    const source = chosen[facet].length ? await find(term, facet) : search;
    result[facet] = source.filters[facet] ?? {};
  }
  return result;
}

async function run() {
  const id = ++latest;
  writeUrl();
  const term = input.value.trim();
  const filtering = FACETS.some((facet) => chosen[facet].length);
  if (!term && !filtering) {
    const all = await pagefind.filters();
    if (id !== latest) return;
    found = [];
    showFacets(all);
    list.replaceChildren();
    more.hidden = true;
    status.textContent = say("search_hint");
    return;
  }
  const search = await find(term, null);
  const facetCounts = await counts(term, search);
  if (id !== latest) return;
  found = search.results;
  showFacets(facetCounts);
  list.replaceChildren();
  await showMore(id);
  status.textContent = describe(found.length, term);
}

async function showMore(id) {
  const start = list.children.length;
  const batch = await Promise.all(found.slice(start, start + PAGE_SIZE).map((r) => r.data()));
  if (id !== latest) return null;
  const items = batch.map(showResult);
  list.append(...items);
  more.hidden = list.children.length >= found.length;
  return items[0] ?? null;
}

function describe(count, term) {
  const words = [say("search_found", { count })];
  if (term) words.push(say("search_matching", { term }));
  const and = say("search_and"), or = say("search_or");
  if (chosen.tag.length) words.push(say("search_tagged", { tags: chosen.tag.map(tagName).join(and) }));
  if (chosen.kind.length) words.push(say("search_of_kind", { kinds: chosen.kind.map(kindName).join(or) }));
  if (chosen.year.length) words.push(say("search_from", { years: chosen.year.join(or) }));
  return `${words.join(", ")}.`;
}

function tagName(slug) {
  return info.tags[slug] ?? slug;
}

function kindName(kind) {
  return WORDS[`kind_${kind}`] ?? kind;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function showResult(data) {
  const meta = data.meta;
  const draft = meta.draft === "true";
  const scheduled = meta.scheduled_text;
  const item = element("li", { class: draft || scheduled ? "result draft" : "result" });
  if (draft) item.append(element("p", { class: "draft-mark" }, say("draft")));
  if (scheduled) item.append(element("p", { class: "draft-mark scheduled-mark" },
                                     say("scheduled", { date: scheduled })));
  item.append(element("h2", {}, element("a", { href: data.url }, meta.title || data.url)));
  const line = element("p", { class: "meta" });
  if (meta.date) line.append(element("time", { datetime: meta.date }, meta.date_text || meta.date));
  if (meta.kind) line.append(element("span", { class: "kind" }, kindName(meta.kind)));
  item.append(line, element("p", { class: "excerpt" }, ...marked(data.excerpt)));
  const slugs = (meta.tag_slugs || "").split(" ").filter(Boolean);
  if (slugs.length) item.append(tagList(slugs));
  return item;
}

// Pagefind's excerpt is HTML with <mark> around matched words: keep its text and marks,
// nothing else. A <template> parses it without running or loading anything.
function marked(html) {
  const holder = document.createElement("template");
  holder.innerHTML = html || "";
  const parts = [];
  for (const node of holder.content.childNodes) {
    parts.push(node.nodeName === "MARK" ? element("mark", {}, node.textContent) : node.textContent);
  }
  return parts;
}

function tagList(slugs) {
  const tags = element("ul", { class: "tags", "aria-label": say("post_tags") });
  for (const slug of slugs) {
    tags.append(element("li", {}, element("a", { href: `${base}tags/${slug}/` }, tagName(slug))));
  }
  return tags;
}

function showFacets(facetCounts) {
  const focused = document.activeElement;
  const refocus = focused?.type === "checkbox" && form.contains(focused)
    ? `[name="${focused.name}"][value="${CSS.escape(focused.value)}"]` : null;
  for (const facet of FACETS) {
    const fieldset = form.querySelector(`[data-facet="${facet}"]`);
    const values = ordered(facet, facetCounts[facet] ?? {});
    fieldset.hidden = values.length === 0;
    fieldset.querySelector("ul").replaceChildren(...values.map(([v, n]) => choice(facet, v, n)));
  }
  showAllTagsButton(facetCounts.tag ?? {});
  if (refocus) form.querySelector(refocus)?.focus(); // the list was rebuilt under it
}

function ordered(facet, count) {
  const values = Object.entries(count).filter(([v, n]) => n > 0 || chosen[facet].includes(v));
  for (const v of chosen[facet]) if (!(v in count)) values.push([v, 0]);
  if (facet === "kind") return values.sort(([a], [b]) => KINDS.indexOf(a) - KINDS.indexOf(b));
  if (facet === "year") return values.sort(([a], [b]) => b.localeCompare(a));
  values.sort(([a, m], [b, n]) => n - m || tagName(a).localeCompare(tagName(b)));
  if (allTags) return values;
  return values.filter(([v], i) => i < TAGS_SHOWN || chosen.tag.includes(v));
}

function choice(facet, value, count) {
  const box = element("input", { type: "checkbox", name: facet, value });
  box.checked = chosen[facet].includes(value);
  const label = facet === "tag" ? tagName(value) : facet === "kind" ? kindName(value) : value;
  const number = element("span", { class: "count" }, String(count),
    element("span", { class: "visually-hidden" }, count === 1 ? " post" : " posts"));
  return element("li", {}, element("label", {}, box, ` ${label} `, number));
}

function showAllTagsButton(tagCounts) {
  const fieldset = form.querySelector('[data-facet="tag"]');
  const total = Object.values(tagCounts).filter((n) => n > 0).length;
  if (allTags || total <= TAGS_SHOWN) return;
  const button = element("button", { type: "button", id: "search-all-tags" }, `All ${total} tags`);
  button.addEventListener("click", () => {
    allTags = true;
    fieldset.querySelector("input")?.focus();
    schedule(0);
  });
  fieldset.querySelector("ul").append(element("li", {}, button));
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => run().catch(failed), delay);
}

function failed(error) {
  status.textContent = say("search_failed");
  console.error(error);
}

function showNotices() {
  const lines = [];
  if (info.behind) lines.push(say("search_behind"));
  if (info.drafts) lines.push(say("search_drafts"));
  notice.textContent = lines.join(" ");
  notice.hidden = lines.length === 0;
}

async function load() {
  const answer = await fetch(`${base}search/indexes.json`, { cache: "no-cache" });
  if (!answer.ok) throw new Error(`search/indexes.json: HTTP ${answer.status}`);
  info = await answer.json();
  const [first, ...rest] = info.bundles;
  if (!first) throw new Error("search/indexes.json lists no bundles");
  pagefind = await import(`${base}${first}pagefind.js`);
  await pagefind.options(OPTIONS);
  // All at once: a busy site has dozens of bundles, each two small files to fetch.
  await Promise.all(rest.map((bundle) => pagefind.mergeIndex(`${base}${bundle}`, OPTIONS)));
  await pagefind.filters();
}

function listen() {
  input.addEventListener("input", () => schedule(DELAY));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    schedule(0);
  });
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!FACETS.includes(box.name)) return;
    chosen[box.name] = box.checked
      ? [...chosen[box.name], box.value]
      : chosen[box.name].filter((v) => v !== box.value);
    schedule(0);
  });
  more.addEventListener("click", async () => {
    const first = await showMore(latest);
    first?.querySelector("a")?.focus();
  });
}

try {
  await load();
  readUrl();
  form.hidden = false;
  showNotices();
  listen();
  await run();
} catch (error) {
  notice.replaceChildren(...sayWith("search_missing", {
    tag: element("a", { href: `${base}tags/` }, say("search_by_tag")),
    archives: element("a", { href: `${base}archives/` }, say("search_in_archives")),
  }));
  notice.hidden = false;
  console.error(error);
}
