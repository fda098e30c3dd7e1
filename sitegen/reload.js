// sitegen dev server: live reload and the build error overlay.
// Served at /__sitegen/reload.js and added to HTML pages as they are served; never
// written to the built site. News arrives as Server-Sent Events from /__sitegen/events:
// {version, css_from, errors: [{path, line, message}]} after every build; css_from
// lists the versions from which only stylesheets changed.
(() => {
  "use strict";
  const OVERLAY = "sitegen-overlay";
  const SCROLL = "sitegen-scroll";
  let version = document.currentScript ? document.currentScript.dataset.version : "";

  function restoreScroll() {
    const saved = sessionStorage.getItem(SCROLL);
    sessionStorage.removeItem(SCROLL);
    if (!saved) return;
    const [href, x, y] = JSON.parse(saved);
    if (href === location.href) window.scrollTo(x, y);
  }

  function reload() {
    sessionStorage.setItem(SCROLL, JSON.stringify([location.href, scrollX, scrollY]));
    location.reload();
  }

  function swapStylesheets(next) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("sitegen", next);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  function hideErrors() {
    const overlay = document.getElementById(OVERLAY);
    if (overlay) overlay.remove();
  }

  function showErrors(errors) {
    hideErrors();
    const overlay = document.createElement("div");
    overlay.id = OVERLAY;
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,18,16,.93);color:#f4f1ea;padding:2rem;" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
    const title = document.createElement("h2");
    title.textContent = errors.length === 1 ? "The build failed" : `The build failed (${errors.length} errors)`;
    title.style.cssText = "margin:0 0 .5rem;color:#ff8a70;font-size:1.3rem";
    const note = document.createElement("p");
    note.textContent = "Showing the last good site. Fix the file and save: this page updates by itself.";
    note.style.cssText = "margin:0 0 1.5rem;color:#cfc8bb";
    const list = document.createElement("ul");
    list.style.cssText = "list-style:none;margin:0;padding:0";
    for (const error of errors) {
      const item = document.createElement("li");
      item.style.cssText = "margin:0 0 1rem;white-space:pre-wrap";
      const place = document.createElement("strong");
      place.className = "sitegen-error-place";
      place.textContent = error.line ? `${error.path}, line ${error.line}` : error.path;
      place.style.color = "#ffd479";
      item.append(place, document.createElement("br"), error.message);
      list.append(item);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "position:absolute;top:1rem;right:1rem;font:inherit";
    close.addEventListener("click", hideErrors);
    overlay.append(close, title, note, list);
    document.body.append(overlay);
  }

  function update(status) {
    if (status.version !== version && !status.css_from.includes(version)) {
      reload();  // the overlay, if any, comes back with the fresh page
      return;
    }
    if (status.version !== version) {
      swapStylesheets(status.version);
      version = status.version;
    }
    if (status.errors.length) showErrors(status.errors);
    else hideErrors();
  }

  restoreScroll();
  // EventSource reconnects by itself when the server restarts; a restarted server
  // reports another version, and the page reloads.
  const events = new EventSource("/__sitegen/events");
  events.onmessage = (event) => update(JSON.parse(event.data));
})();
