// Atelier Studio: a little script over server-rendered pages. Forms marked data-api post in the background (with the
// page's anti-forgery token) and the page shows the answer; without script the same forms post and redirect back.
// The grid is worked with the keyboard (keys set in the workspace's config.json, studio.keys): arrows move, Enter opens,
// and by default Space selects, A selects the page, Esc clears, T types tags, 1-4 and 0 rate, Z undoes the last change.
"use strict";
(() => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const keys = JSON.parse(document.body.dataset.keys || "{}");
  const grid = document.querySelector(".grid[aria-multiselectable]");
  const bulk = document.getElementById("bulk");
  const ratingKeys = ["general", "sensitive", "questionable", "explicit", "unrated"];
  let lastChange = null; // { kind: "tags", links } or { kind: "ratings", changes }: what undo sends back

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

  async function post(url, body, isForm) {
    const response = await fetch(url, {
      method: "POST",
      body: isForm ? body : JSON.stringify(body),
      headers: isForm ? { "Accept": "application/json", "X-CSRF-TOKEN": token }
                      : { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-TOKEN": token },
      credentials: "same-origin",
    });
    return { response, answer: await response.json().catch(() => ({})) };
  }

  const cells = () => grid ? [...grid.children] : [];
  const selected = () => cells().filter((c) => c.getAttribute("aria-selected") === "true");
  const cellOf = (id) => cells().find((c) => c.dataset.id === String(id));

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

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const tagSummary = (a) => `${plural(a.added, "tag")} added, ${a.removed} removed on ${plural(a.images, "image")}`;

  function rememberTags(answer) {
    lastChange = { kind: "tags", add: answer.removedLinks, remove: answer.addedLinks };
  }

  // Rates the selected images (or the focused one), each on the version the page showed.
  async function rate(rating, focused) {
    const targets = selected().length ? selected() : focused ? [focused] : [];
    if (!targets.length) { notice("Select images first.", true); return; }
    const changes = targets.map((c) => ({ id: Number(c.dataset.id), rating, version: Number(c.dataset.version) }));
    await applyRatings(changes, `Rated ${rating}`);
  }

  async function applyRatings(changes, what) {
    const { response, answer } = await post("/api/images/ratings", { changes });
    if (!response.ok) { notice(answer.error ?? `The server answered ${response.status}.`, true); return; }
    const refused = [];
    const undo = [];
    for (const r of answer.results) {
      const cell = cellOf(r.id);
      if (cell && r.version !== undefined) {
        cell.dataset.version = r.version;
        cell.querySelector(".rating").textContent = r.rating;
      }
      if (r.applied) undo.push({ id: r.id, rating: r.previous, version: r.version });
      else if (r.error) refused.push(`#${r.id}: ${r.error}`);
    }
    if (undo.length) lastChange = { kind: "ratings", changes: undo };
    notice(`${what}: ${plural(undo.length, "image")} changed` + (refused.length ? `; refused ${refused.join("; ")}` : ""), refused.length > 0);
  }

  async function undoLast() {
    if (!lastChange) { notice("Nothing to undo.", true); return; }
    const change = lastChange;
    lastChange = null;
    if (change.kind === "ratings") { await applyRatings(change.changes, "Undone"); lastChange = null; return; }
    const { response, answer } = await post("/api/images/tag-links", { add: change.add, remove: change.remove });
    notice(response.ok ? `Undone: ${tagSummary(answer)}` : answer.error ?? `The server answered ${response.status}.`, !response.ok);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-api")) return;
    event.preventDefault();
    const { response, answer } = await post(form.action, new FormData(form, event.submitter), true);
    if (response.ok && form.hasAttribute("data-selection")) {
      rememberTags(answer);
      notice(tagSummary(answer));
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

  const is = (event, action) => {
    const key = keys[action];
    return key !== undefined && (key.length === 1 ? event.key.toLowerCase() === key.toLowerCase() : event.key === key);
  };

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || !grid) return;
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (typing) {
      if (event.key === "Escape") { event.preventDefault(); (selected()[0] ?? cells()[0])?.querySelector("a")?.focus(); }
      return;
    }
    const cell = document.activeElement?.closest?.(".grid li") ?? null;
    const handled = () => event.preventDefault();
    if (is(event, "tags") && bulk) { handled(); bulk.elements.add.focus(); return; }
    if (is(event, "selectAll")) { handled(); cells().forEach((c) => select(c, true)); return; }
    if (is(event, "clearSelection")) { handled(); cells().forEach((c) => select(c, false)); return; }
    if (is(event, "undo") && bulk) { handled(); undoLast(); return; }
    const rating = ratingKeys.find((r) => is(event, r));
    if (rating && bulk) { handled(); rate(rating, cell); return; }
    if (!cell) {
      if (event.key.startsWith("Arrow")) { handled(); cells()[0]?.querySelector("a")?.focus(); }
      return;
    }
    if (is(event, "select")) { handled(); select(cell, cell.getAttribute("aria-selected") !== "true"); return; }
    const all = cells();
    const columns = Math.max(1, Math.round(cell.parentElement.clientWidth / cell.getBoundingClientRect().width));
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (!(event.key in moves)) return;
    const next = all[all.indexOf(cell) + moves[event.key]];
    if (next) {
      handled();
      next.querySelector("a").focus();
      if (event.shiftKey) select(next, true);
    }
  });
})();
