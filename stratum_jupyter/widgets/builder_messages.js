// What the builder view shows from the kernel: the status line, the validator's issues beside
// the fields, the generated cells (handed to the frontend, or shown for copying) and the
// leaderboard. A part of the builder's one ES module (see stratum_jupyter/widgets/esm.py).

// ---- status ------------------------------------------------------------------------------
function setBusy(v, message) {
  v.nodes.status.className = "stratum-status stratum-level-info";
  fill(v.nodes.status, message);
}

function drawStatus(v) {
  const st = v.model.get("status") || {};
  const details = st.details || [];
  v.nodes.status.className = `stratum-status stratum-level-${st.level || "info"}`;
  fill(v.nodes.status, st.message || null,
    details.length ? h("ul", {}, details.map((d) => h("li", {}, d))) : null);
}

// ---- issues beside the fields ------------------------------------------------------------
function showIssues(v) {
  const root = v.nodes.root;
  const issues = v.model.get("issues") || [];
  for (const slot of root.querySelectorAll(".stratum-issue")) fill(slot);
  for (const input of root.querySelectorAll(".stratum-invalid")) {
    input.classList.remove("stratum-invalid");
    input.removeAttribute("aria-invalid");
  }
  const slots = new Map([...root.querySelectorAll("[data-issue-for]")]
    .map((s) => [s.getAttribute("data-issue-for"), s]));
  for (const issue of issues) placeIssue(root, slots, issue);
  fill(v.nodes.issuesBox, issueSummary(issues));
}

/** Show an issue in the slot of its field, or of the nearest field above it, and mark the
 * field's input invalid. */
function placeIssue(root, slots, issue) {
  let slot = null;
  for (let n = issue.path.length; n > 0 && !slot; n--) {
    slot = slots.get(formatPath(issue.path.slice(0, n))) || null;
  }
  if (!slot) return;
  slot.append(h("div", { class: "stratum-issue-msg", "data-field": issue.field }, issueText(issue)));
  const input = root.querySelector(`[data-field="${CSS.escape(issue.field)}"]`);
  if (input) {
    input.classList.add("stratum-invalid");
    input.setAttribute("aria-invalid", "true");
  }
}

function issueText(issue) {
  return issue.message + (issue.allowed ? ` (allowed: ${issue.allowed})` : "") +
    (issue.suggestions && issue.suggestions.length
      ? `; did you mean ${issue.suggestions.join(" or ")}?` : "");
}

/** Every issue in one list under the editor, or the word that the spec is valid. */
function issueSummary(issues) {
  if (!issues.length) return h("span", { class: "stratum-valid" }, "\u2713 the spec is valid");
  return h("details", {},
    h("summary", {}, `${issues.length} problem${issues.length > 1 ? "s" : ""} in the spec`),
    h("ul", {}, issues.map((i) => h("li", { "data-field": i.field },
      `${i.field}: ${i.message}` + (i.allowed ? ` (allowed: ${i.allowed})` : "")))));
}

// ---- generated cells: to the frontend, or shown for copying ------------------------------
/** The kernel's generated cells: ask the frontend to insert them with a bubbling, cancelable
 * `stratum:insert-cells` event; when nobody handles it show them to copy. */
function receiveCells(v, msg) {
  if (!msg || msg.event !== "cells") return;
  const detail = { cells: msg.cells, handled: false };
  const event = new CustomEvent(INSERT_EVENT, { bubbles: true, cancelable: true,
                                                 composed: true, detail });
  const notCancelled = v.el.dispatchEvent(event);
  if (!notCancelled && detail.handled) {
    v.nodes.fallback.hidden = true;
    v.model.send({ event: "inserted", count: detail.inserted ?? msg.cells.length });
  } else {
    showFallback(v, msg.cells, detail.error);
    v.model.send({ event: "fallback", reason: detail.error || "no frontend handler" });
  }
}

function showFallback(v, cells, error) {
  const code = cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n\n# %%\n");
  const pre = h("pre", { class: "stratum-code", "data-testid": "stratum-fallback-code" }, code);
  const copy = h("button", { "data-testid": "stratum-copy",
    onclick: () => copyCode(code, pre, copy) }, "Copy code");
  fill(v.nodes.fallback,
    h("div", { class: "stratum-fallback-note" },
      "These cells could not be inserted automatically: the stratum-jupyter JupyterLab " +
      "extension is not active in this frontend" + (error ? ` (${error})` : "") +
      ". Copy them into cells below (cells are separated by \"# %%\").", copy),
    pre);
  v.nodes.fallback.hidden = false;
}

/** To the clipboard; where that is refused, select the code for Ctrl+C. */
async function copyCode(code, pre, button) {
  try {
    await navigator.clipboard.writeText(code);
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
}

// ---- leaderboard -------------------------------------------------------------------------
function drawLeaderboard(v) {
  const board = v.nodes.board;
  const lb = v.model.get("leaderboard") || {};
  if (!lb.state) {
    board.hidden = true;
    fill(board);
    return;
  }
  board.hidden = false;
  fill(board,
    h("div", { class: "stratum-section-title" },
      lb.state === "running" ? "Leaderboard (running\u2026)" : "Leaderboard"),
    (lb.rows || []).length ? h("table", { class: "stratum-table" },
      h("thead", {}, h("tr", {}, (lb.columns || []).map((c) => h("th", {}, c)))),
      h("tbody", {}, lb.rows.map((row) => h("tr", {}, row.map((x) => h("td", {}, formatCell(x)))))))
      : h("div", { class: "stratum-hint" }, "waiting for the first results\u2026"));
}

function formatCell(value) {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (value && typeof value === "object") {
    // {"logisticregression__C": 1} -> "C=1": the step prefix adds nothing in one row.
    return Object.entries(value).map(([k, x]) => `${k.split("__").pop()}=${JSON.stringify(x)}`)
      .join(", ");
  }
  return String(value ?? "");
}
