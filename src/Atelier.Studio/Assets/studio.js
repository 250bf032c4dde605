// Atelier Studio: a little script over server-rendered pages. Forms marked data-api post in the background (with the
// page's anti-forgery token) and the page shows the answer; without script the same forms post and redirect back.
// The grid is worked with the keyboard: arrows move, Space selects, A selects the page, Esc clears, T types tags.
"use strict";
(() => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const grid = document.querySelector(".grid[aria-multiselectable]");
  const bulk = document.getElementById("bulk");

  function notice(text, isError) {
    let box = document.querySelector(".notice");
    if (!box) {
      box = document.createElement("p");
      box.className = "notice";
      box.setAttribute("role", "status");
      document.querySelector("main").before(box);
    }
    box.textContent = text;
    box.classList.toggle("error", !!isError);
  }

  const cells = () => grid ? [...grid.children] : [];
  const selected = () => cells().filter((c) => c.getAttribute("aria-selected") === "true");

  function showSelection() {
    if (!bulk) return;
    const ids = selected().map((c) => c.dataset.id);
    bulk.elements.ids.value = ids.join(",");
    bulk.querySelector(".selected").textContent = `${ids.length} selected`;
  }

  function select(cell, on) {
    cell.setAttribute("aria-selected", on ? "true" : "false");
    showSelection();
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-api")) return;
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form, event.submitter),
      headers: { "Accept": "application/json", "X-CSRF-TOKEN": token },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok && form.hasAttribute("data-selection")) {
      notice(`${answer.added} tag${answer.added === 1 ? "" : "s"} added, ${answer.removed} removed on ${answer.images} image${answer.images === 1 ? "" : "s"}`);
      form.elements.add.value = "";
      return;
    }
    if (response.ok) {
      location.reload();
      return;
    }
    if (response.status === 409 && form.elements.version) {
      // Someone else changed the rating: show theirs, and let this person decide again on the current version.
      form.elements.version.value = answer.version;
      if (form.elements.rating) form.elements.rating.value = answer.rating;
    }
    notice(answer.error ?? `The server answered ${response.status}.`, true);
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (typing) {
      if (event.key === "Escape" && grid) { event.preventDefault(); (selected()[0] ?? cells()[0])?.querySelector("a")?.focus(); }
      return;
    }
    const cell = document.activeElement?.closest?.(".grid li");
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === "t" && bulk) { event.preventDefault(); bulk.elements.add.focus(); return; }
    if (key === "a" && grid) { event.preventDefault(); cells().forEach((c) => select(c, true)); return; }
    if (key === "Escape" && grid) { event.preventDefault(); cells().forEach((c) => select(c, false)); return; }
    if (!cell) {
      if (key.startsWith("Arrow") && grid) { event.preventDefault(); cells()[0]?.querySelector("a")?.focus(); }
      return;
    }
    if (key === " ") { event.preventDefault(); select(cell, cell.getAttribute("aria-selected") !== "true"); return; }
    const all = cells();
    const columns = Math.max(1, Math.round(cell.parentElement.clientWidth / cell.getBoundingClientRect().width));
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (!(key in moves)) return;
    const next = all[all.indexOf(cell) + moves[key]];
    if (next) {
      event.preventDefault();
      next.querySelector("a").focus();
      if (event.shiftKey) select(next, true);
    }
  });
})();
