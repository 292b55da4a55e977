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
// An issue is shown beside its field once the student touched that field (or the area it
// is in: v.touched holds field paths) or pressed Generate / Evaluate (v.pressed); until
// then the summary under the editor lists what is left to do, without alarm. The kernel
// sends the issues in the student's words (widgets/messages.py): message, todo.

/** Note that the student edited `path` (a field path, or an area such as "candidates"). */
function touch(v, path) {
  if (path) v.touched.add(path);
}

function isShown(v, issue) {
  if (v.pressed) return true;
  for (const t of v.touched) {
    if (issue.field === t || issue.field.startsWith(`${t}.`) || issue.field.startsWith(`${t}[`) ||
        t.startsWith(`${issue.field}.`) || t.startsWith(`${issue.field}[`)) return true;
  }
  return false;
}

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
  for (const issue of issues) if (isShown(v, issue)) placeIssue(root, slots, issue);
  fill(v.nodes.issuesBox, issueSummary(v, issues));
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
  return issue.message +
    (issue.todo ? `: ${issue.todo}` : issue.allowed ? ` (allowed: ${issue.allowed})` : "") +
    (issue.suggestions && issue.suggestions.length
      ? `; did you mean ${issue.suggestions.join(" or ")}?` : "");
}

/** "candidates[0].steps[1].SVC.C" -> "candidate “logreg” › SVC › C": where, in words. */
function placeName(v, field) {
  const cand = /^candidates\[(\d+)\](.*)$/.exec(field);
  if (cand) {
    const c = Number(cand[1]);
    const name = ((v.form.candidates || [])[c] || {}).name || `#${c + 1}`;
    const rest = cand[2].replace(/^\.steps(\[\d+\])?\.?/, "").replace(/^steps$/, "")
      .split(".").filter(Boolean);
    return [`candidate \u201c${name}\u201d`, ...rest].join(" \u203a ");
  }
  const named = { "data.source": "data source", "data.target": "target column",
                  "evaluation.cv": "folds", "evaluation.select_by": "select by",
                  "evaluation.metrics": "metrics", candidates: "candidates" };
  return named[field] || field.replace(/^evaluation\./, "evaluation \u203a ")
    .replace(/^data\./, "data \u203a ");
}

/** Every issue in one list under the editor, or the word that the spec is valid. Before a
 * button is pressed it reads as a to-do list, not as errors. */
function issueSummary(v, issues) {
  if (!issues.length) return h("span", { class: "stratum-valid" }, "\u2713 the spec is valid");
  const n = issues.length;
  const head = v.pressed
    ? `${n} problem${n > 1 ? "s" : ""} to fix before generating or evaluating`
    : `To do: ${n} problem${n > 1 ? "s" : ""} left before you can generate or evaluate`;
  return h("details", { class: v.pressed ? "stratum-issues-error" : "stratum-issues-todo" },
    h("summary", {}, head),
    h("ul", {}, issues.map((i) => h("li", { "data-field": i.field },
      `${placeName(v, i.field)}: ${issueText(i)}`))));
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
// The kernel's `leaderboard` (widgets/board.py): columns and rows (a steps column, parameters
// by their short names), ranked_by, best_row, and when done best, model_dir, unsaved, next.
function drawLeaderboard(v) {
  const board = v.nodes.board;
  const lb = v.model.get("leaderboard") || {};
  if (!lb.state) {
    board.hidden = true;
    fill(board);
    return;
  }
  board.hidden = false;
  const running = lb.state === "running";
  const title = (running ? "Leaderboard (running\u2026)" : "Leaderboard") +
    (lb.ranked_by ? ` \u2014 ranked by ${lb.ranked_by}, mean over the folds (higher is better)` : "") +
    (lb.restored ? " \u2014 from before this builder was displayed again" : "");
  const configs = running ? [] : (lb.configs || []);
  const clickable = configs.length > 0 && configs.length === (lb.rows || []).length;
  if (JSON.stringify(configs) !== JSON.stringify(v.boardConfigs || [])) clearPlots(v);
  v.boardConfigs = configs;
  fill(board,
    h("div", { class: "stratum-section-title", "data-testid": "stratum-leaderboard-title" }, title),
    (lb.rows || []).length ? boardTable(v, lb, clickable ? configs : null)
      : h("div", { class: "stratum-hint" }, "waiting for the first results\u2026"),
    clickable ? compareBar(v) : null,
    running ? null : bestLine(lb),
    running ? null : nextSteps(v, lb));
  if (clickable) markRows(v);
}

/** The leaderboard's table; with `configs` (each row's configuration label) a click on a
 * row shows its plots and a last column of boxes picks two rows to compare
 * (builder_plots.js). */
function boardTable(v, lb, configs) {
  const columns = lb.columns || [];
  return h("div", { class: "stratum-table-scroll" }, h("table", {
    class: configs ? "stratum-table stratum-clickable" : "stratum-table" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)),
      configs ? h("th", { title: "Tick two rows to compare their plots" }, "compare") : null)),
    h("tbody", {}, lb.rows.map((row, i) => {
      const best = i === lb.best_row;
      const config = configs ? configs[i] : null;
      return h("tr", { class: best ? "stratum-best" : null, "data-best": best ? "true" : null,
        "data-testid": "stratum-leaderboard-row", "data-row": i, "data-config": config,
        title: config ? `Show the plots of ${config}` : null,
        onclick: config ? () => showRowPlots(v, config) : null },
        row.map((x, j) => h("td", {}, best && columns[j] === "rank"
          ? `${formatCell(x)} \u2605 best` : formatCell(x))),
        config ? h("td", { class: "stratum-compare-cell" }, comparePick(v, config)) : null);
    }))));
}

/** "Best: logreg (StandardScaler → LogisticRegression; C=1), f1_macro 0.9533. Saved to ...". */
function bestLine(lb) {
  if (!lb.best && !lb.unsaved) return null;
  const parts = [];
  if (lb.best) {
    const b = lb.best;
    parts.push(h("strong", {}, `Best: ${b.candidate}`),
      ` (${b.steps}${b.params && b.params !== "-" ? `; ${b.params}` : ""}), ` +
      `${b.metric} ${formatCell(b.score)}. `);
  }
  if (lb.model_dir) {
    parts.push("Saved to ", h("code", { "data-testid": "stratum-model-dir" }, lb.model_dir),
      " (model.skops, profile.json, requirements.txt, leaderboard.csv).");
  } else if (lb.unsaved) {
    parts.push(h("span", { class: "stratum-warning" }, `No model saved: ${lb.unsaved}`));
  }
  return h("div", { class: "stratum-best-line", "data-testid": "stratum-best" }, parts);
}

/** The next steps as cells: insert below the builder (through the labextension) or copy. */
function nextSteps(v, lb) {
  const steps = lb.next || [];
  if (!steps.length) return null;
  const generate = h("button", { "data-testid": "stratum-next-generate",
    title: "Insert the spec and the code as ordinary cells below this one",
    onclick: () => { setBusy(v, "Generating cells\u2026"); v.model.send({ event: "generate" }); } },
    "Generate cells");
  return h("div", { class: "stratum-next", "data-testid": "stratum-next" },
    h("div", { class: "stratum-section-title" }, "Next steps"),
    h("div", { class: "stratum-next-step" },
      h("span", {}, "Turn this pipeline into notebook cells you can read and run"), generate),
    steps.map((step) => {
      const code = h("pre", { class: "stratum-code", "data-testid": `stratum-next-code-${step.id}` },
        step.code);
      const copy = h("button", { title: "Copy the code", onclick: () => copyCode(step.code, code, copy) },
        "Copy");
      return h("div", { class: "stratum-next-step", "data-next": step.id },
        h("span", {}, step.label),
        h("button", { "data-testid": `stratum-next-${step.id}`, title: "Insert this cell below the builder",
          onclick: () => receiveCells(v, { event: "cells", cells: [
            { cell_type: "code", source: step.code, metadata: {} }] }) }, "Insert cell"),
        copy, code);
    }));
}

function formatCell(value) {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    return Object.entries(value).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(", ");
  }
  return String(value);
}
