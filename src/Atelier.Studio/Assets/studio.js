// Atelier Studio: a little script over server-rendered pages. Forms marked data-api post in the background (with the
// page's anti-forgery token) and the page shows the answer; without script the same forms post and redirect back.
"use strict";
(() => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

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

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-api")) return;
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRF-TOKEN": token },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
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

  // Arrow keys move between the grid's images; Enter opens one (links do that already).
  document.addEventListener("keydown", (event) => {
    const cell = document.activeElement?.closest?.(".grid li");
    if (!cell || event.altKey || event.ctrlKey || event.metaKey) return;
    const cells = [...cell.parentElement.children];
    const columns = Math.max(1, Math.round(cell.parentElement.clientWidth / cell.getBoundingClientRect().width));
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (!(event.key in moves)) return;
    const next = cells[cells.indexOf(cell) + moves[event.key]];
    if (next) { event.preventDefault(); next.querySelector("a").focus(); }
  });
})();
