// sitegen dev server: the compose page's behaviour (/__sitegen/new). Served at
// /__sitegen/compose.js, never written to the built site. Shows the fields the chosen
// kind uses, and moves the prefilled selection between the shapes it takes: quoted
// (`> …`) in a link's commentary, the quotation itself in a quote.
(() => {
  "use strict";
  const form = document.getElementById("compose");
  if (!form) return;
  const field = (name) => form.elements.namedItem(name);
  const selection = form.dataset.selection || "";
  const quoted = (text) => text.split(/\r?\n/)
    .map((line) => (line.trim() ? `> ${line}` : ">")).join("\n") + "\n\n";
  let kind = form.elements.namedItem("kind").value;

  function show(chosen) {
    for (const block of form.querySelectorAll("[data-kinds]")) {
      block.hidden = !block.dataset.kinds.split(" ").includes(chosen);
    }
  }

  function move(from, to) {
    const title = field("title"), source = field("source"), body = field("body");
    if (to === "quote" && from !== "quote" && !source.value) {
      source.value = title.value;
    } else if (from === "quote" && to !== "quote" && !title.value) {
      title.value = source.value;
    }
    if (!selection) return;
    if (to === "quote" && body.value === quoted(selection)) body.value = selection;
    if (to !== "quote" && body.value === selection) body.value = quoted(selection);
  }

  form.addEventListener("change", (event) => {
    if (event.target.name !== "kind") return;
    move(kind, event.target.value);
    kind = event.target.value;
    show(kind);
  });
  show(kind);
})();
