// Atelier Studio: a little script over server-rendered pages. Forms marked data-api post in the background (with the
// page's anti-forgery token) and the page shows the answer; without script the same forms post and redirect back.
// The grid is virtual: only the rows in view (and a few around them) are in the page, fetched by position as they come
// into view, so 100,000 images scroll like 100. It is worked with the keyboard (keys set in the workspace's config.json,
// studio.keys): arrows move, Home/End jump, Enter opens, and by default Space selects, A selects what is in view, Esc
// clears, T types tags, 1-4 and 0 rate, Z undoes the last change.
"use strict";
(() => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const keys = JSON.parse(document.body.dataset.keys || "{}");
  const grid = document.querySelector(".grid[aria-multiselectable]");
  const bulk = document.getElementById("bulk");
  const ratingKeys = ["general", "sensitive", "questionable", "explicit", "unrated"];
  let lastChange = null; // what undo sends back: { kind: "tags", add, remove } or { kind: "ratings", changes }

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

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const tagSummary = (a) => `${plural(a.added, "tag")} added, ${a.removed} removed on ${plural(a.images, "image")}`;

  // ---- The grid: items by position, the cells in view, the selection ----
  const items = new Map();      // index -> { id, rating, version }
  const indexOf = new Map();    // id -> index
  const cells = new Map();      // index -> li in the page
  const selectedIds = new Set();
  const CHUNK = 240;
  const fetching = new Map(); // chunk start -> its request
  const virtual = grid?.dataset.virtual === "true";
  let total = 0, columns = 1, cellWidth = 0, cellHeight = 0, focusIndex = -1;

  function remember(index, item) {
    items.set(index, item);
    indexOf.set(item.id, index);
  }

  function paint(li, item) {
    li.dataset.id = item.id;
    li.dataset.version = item.version;
    li.setAttribute("aria-selected", selectedIds.has(item.id) ? "true" : "false");
    const rating = li.querySelector(".rating");
    if (rating) rating.textContent = item.rating;
  }

  function newCell(index, item) {
    const li = document.createElement("li");
    li.dataset.index = index;
    const a = document.createElement("a");
    a.href = `/images/${item.id}`;
    const img = document.createElement("img");
    img.src = `/media/thumbs/${item.id}`;
    img.alt = `image ${item.id}`;
    img.width = 128;
    img.height = 128;
    const caption = document.createElement("span");
    caption.className = "caption";
    caption.append(`#${item.id} · `);
    const rating = document.createElement("span");
    rating.className = "rating";
    caption.append(rating);
    a.append(img, caption);
    li.append(a);
    paint(li, item);
    return li;
  }

  function place(li, index) {
    li.style.left = `${(index % columns) * cellWidth}px`;
    li.style.top = `${Math.floor(index / columns) * cellHeight}px`;
    li.style.width = `${cellWidth - gap()}px`;
  }

  const gap = () => parseFloat(getComputedStyle(grid).columnGap) || 0;
  const gridTop = () => grid.getBoundingClientRect().top + window.scrollY;

  // One request per chunk at a time; a second caller waits on the same one.
  function fetchChunk(start) {
    if (fetching.has(start)) return fetching.get(start);
    const request = (async () => {
      const response = await fetch(`/api/images?where=${encodeURIComponent(grid.dataset.where)}&offset=${start}&limit=${CHUNK}`,
        { headers: { "Accept": "application/json" }, credentials: "same-origin" });
      if (!response.ok) { notice(`The server answered ${response.status} for images ${start}+.`, true); return; }
      const answer = await response.json();
      answer.images.forEach((item, i) => remember(start + i, item));
      render();
    })().finally(() => fetching.delete(start));
    fetching.set(start, request);
    return request;
  }

  function render() {
    if (!virtual) return;
    const top = gridTop();
    const firstRow = Math.max(0, Math.floor((window.scrollY - top) / cellHeight) - 2);
    const lastRow = Math.max(0, Math.ceil((window.scrollY + window.innerHeight - top) / cellHeight) + 2);
    const from = firstRow * columns;
    const to = Math.min(total, (lastRow + 1) * columns);
    for (const [index, li] of cells) {
      if ((index < from || index >= to) && index !== focusIndex) { li.remove(); cells.delete(index); }
    }
    for (let index = from; index < to; index++) {
      const item = items.get(index);
      if (!item) { fetchChunk(Math.floor(index / CHUNK) * CHUNK); continue; }
      let li = cells.get(index);
      if (!li) {
        li = newCell(index, item);
        place(li, index);
        cells.set(index, li);
        grid.append(li);
      }
    }
  }

  function layout() {
    if (!virtual) return;
    const width = grid.clientWidth;
    const g = gap();
    columns = Math.max(1, Math.floor((width + g) / (cellWidth || 1)));
    grid.style.height = `${Math.ceil(total / columns) * cellHeight}px`;
    for (const [index, li] of cells) place(li, index);
    render();
  }

  if (grid) {
    const first = [...grid.children];
    first.forEach((li, i) => {
      remember(i, { id: Number(li.dataset.id), rating: li.querySelector(".rating")?.textContent ?? "unrated", version: Number(li.dataset.version) });
      li.dataset.index = i;
    });
    total = virtual ? Number(grid.dataset.total) : first.length;
    if (virtual && first.length) {
      const rect = first[0].getBoundingClientRect();
      cellWidth = rect.width + gap();
      cellHeight = rect.height + (parseFloat(getComputedStyle(grid).rowGap) || 0);
      first.forEach((li) => li.remove());
      grid.classList.add("virtual");
      document.querySelector(".pager")?.remove();
      layout();
      let queued = false;
      window.addEventListener("scroll", () => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => { queued = false; render(); });
      }, { passive: true });
      window.addEventListener("resize", layout);
    } else {
      first.forEach((li, i) => cells.set(i, li));
    }
    grid.addEventListener("focusin", (event) => {
      const li = event.target.closest("li");
      if (li) focusIndex = Number(li.dataset.index);
    });
  }

  function showSelection() {
    if (!bulk) return;
    bulk.elements.ids.value = [...selectedIds].join(",");
    bulk.querySelector(".selected").textContent = `${selectedIds.size} selected`;
  }

  function select(index, on) {
    const item = items.get(index);
    if (!item) return;
    if (on) selectedIds.add(item.id); else selectedIds.delete(item.id);
    cells.get(index)?.setAttribute("aria-selected", on ? "true" : "false");
    showSelection();
  }

  // Moves the focus to the image at a position, scrolling it into view and fetching it first if need be.
  async function focusAt(index) {
    if (index < 0 || index >= total) return;
    focusIndex = index;
    if (virtual) {
      const rowTop = gridTop() + Math.floor(index / columns) * cellHeight;
      if (rowTop < window.scrollY || rowTop + cellHeight > window.scrollY + window.innerHeight)
        window.scrollTo(0, Math.max(0, rowTop - (window.innerHeight - cellHeight) / 2));
      render();
      if (!items.has(index)) await fetchChunk(Math.floor(index / CHUNK) * CHUNK);
    }
    cells.get(index)?.querySelector("a")?.focus({ preventScroll: virtual });
  }

  function updateItem(id, rating, version) {
    const index = indexOf.get(id);
    if (index === undefined) return;
    const item = items.get(index);
    item.rating = rating;
    item.version = version;
    const li = cells.get(index);
    if (li) paint(li, item);
  }

  // Rates the selected images (or the focused one), each on the version the page showed.
  async function rate(rating) {
    const ids = selectedIds.size ? [...selectedIds] : focusIndex >= 0 && items.has(focusIndex) ? [items.get(focusIndex).id] : [];
    if (!ids.length) { notice("Select images first.", true); return; }
    const changes = ids.map((id) => ({ id, rating, version: items.get(indexOf.get(id)).version }));
    await applyRatings(changes, `Rated ${rating}`);
  }

  async function applyRatings(changes, what) {
    const { response, answer } = await post("/api/images/ratings", { changes });
    if (!response.ok) { notice(answer.error ?? `The server answered ${response.status}.`, true); return; }
    const refused = [];
    const undo = [];
    for (const r of answer.results) {
      if (r.version !== undefined) updateItem(r.id, r.rating, r.version);
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

  // A run's page follows its progress: one server-sent event per metrics row, until the run has ended.
  const progress = document.querySelector(".progress[data-events]");
  if (progress && window.EventSource) {
    const source = new EventSource(progress.dataset.events);
    source.addEventListener("row", (e) => {
      const row = JSON.parse(e.data);
      // A run asked for from the studio is "starting" until its first row.
      const status = document.getElementById("run-status");
      if (status && status.textContent.startsWith("starting")) status.textContent = "running";
      const part = (k, label, digits) => (typeof row[k] === "number" ? `  ${label}${row[k].toFixed(digits)}` : "");
      progress.textContent = `kimg ${row.kimg.toFixed(2)}` + part("loss/D", "D ", 3) + part("loss/G", "G ", 3) + part("cost/kwh", "", 5) + (typeof row["cost/kwh"] === "number" ? " kWh" : "");
    });
    source.addEventListener("end", (e) => {
      source.close();
      document.getElementById("run-status").textContent = JSON.parse(e.data).status;
    });
  }

  // A job's page follows its log and state while it is open; when it ends the page is read again for what it produced.
  const jobLog = document.querySelector(".job-log[data-events]");
  if (jobLog && jobLog.dataset.open === "true" && window.EventSource) {
    const source = new EventSource(jobLog.dataset.events);
    source.addEventListener("log", (e) => {
      jobLog.textContent += (jobLog.textContent ? "\n" : "") + JSON.parse(e.data);
    });
    source.addEventListener("state", (e) => {
      const s = JSON.parse(e.data);
      document.getElementById("job-state").textContent = s.state + (s.message ? `: ${s.message}` : "");
    });
    source.addEventListener("end", () => {
      source.close();
      location.reload();
    });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-api")) return;
    event.preventDefault();
    const { response, answer } = await post(form.action, new FormData(form, event.submitter), true);
    if (response.ok && form.hasAttribute("data-selection")) {
      lastChange = { kind: "tags", add: answer.removedLinks, remove: answer.addedLinks };
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
      if (event.key === "Escape") { event.preventDefault(); focusAt(focusIndex >= 0 ? focusIndex : 0); }
      return;
    }
    const inGrid = !!document.activeElement?.closest?.(".grid li");
    const handled = () => event.preventDefault();
    if (is(event, "tags") && bulk) { handled(); bulk.elements.add.focus(); return; }
    if (is(event, "selectAll")) { handled(); for (const index of cells.keys()) select(index, true); return; }
    if (is(event, "clearSelection")) {
      handled();
      selectedIds.clear();
      for (const li of cells.values()) li.setAttribute("aria-selected", "false");
      showSelection();
      return;
    }
    if (is(event, "undo") && bulk) { handled(); undoLast(); return; }
    const rating = ratingKeys.find((r) => is(event, r));
    if (rating && bulk) { handled(); rate(rating); return; }
    if (event.key === "Home" || event.key === "End") { handled(); focusAt(event.key === "Home" ? 0 : total - 1); return; }
    if (!inGrid) {
      if (event.key.startsWith("Arrow")) { handled(); focusAt(0); }
      return;
    }
    if (is(event, "select")) { handled(); select(focusIndex, !selectedIds.has(items.get(focusIndex)?.id)); return; }
    const perRow = virtual ? columns
      : Math.max(1, Math.round(grid.clientWidth / (cells.get(focusIndex)?.getBoundingClientRect().width || 1)));
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow, ArrowUp: -perRow };
    if (!(event.key in moves)) return;
    const next = focusIndex + moves[event.key];
    if (next < 0 || next >= total) return;
    handled();
    focusAt(next).then(() => { if (event.shiftKey) select(next, true); });
  });
})();
