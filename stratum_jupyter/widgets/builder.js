// The pipeline builder's view (anywidget ES module). Plain DOM, no framework.
//
// The view edits `form` (the spec's shape, values as typed text) and syncs it to the kernel,
// which validates it and answers with `issues` keyed by field path; those are shown beside
// the fields. "Generate cells" asks the kernel for the cells, then asks the frontend to insert
// them with a bubbling, cancelable DOM event `stratum:insert-cells` (handled by the
// stratum-jupyter labextension); when nobody handles it the cells are shown with a copy button.
//
// Stable test hooks (PRODUCT.md section 7): data-testid="stratum-builder", "block-<Name>",
// "stratum-canvas", "stratum-generate", "stratum-evaluate".

const KINDS = ["transformer", "classifier", "regressor", "clusterer"];
const KIND_LABEL = {
  transformer: "Transformers",
  classifier: "Classifiers",
  regressor: "Regressors",
  clusterer: "Clusterers",
};
const BLOCK_MIME = "application/x-stratum-block";
const STEP_MIME = "application/x-stratum-step";
export const INSERT_EVENT = "stratum:insert-cells";

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "value") {
      el.value = value;
    } else if (key === "checked") {
      el.checked = !!value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children, skipping empty ones (null would become the text "null"). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** ["candidates", 0, "steps", 1] -> "candidates[0].steps[1]" (as SpecIssue.field does). */
export function formatPath(path) {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : String(part);
  }
  return out || "<spec>";
}

const clone = (value) => JSON.parse(JSON.stringify(value));

function render({ model, el }) {
  let form = clone(model.get("form"));
  let selected = null; // {c, s}: the step whose parameters the inspector shows
  let activeCandidate = 0;
  let filter = "";

  const root = h("div", { class: "stratum-builder", "data-testid": "stratum-builder" });
  el.append(root);

  const commit = (redraw) => {
    model.set("form", clone(form));
    model.save_changes();
    if (redraw) draw();
  };

  const catalog = () => model.get("catalog") || { blocks: [], metrics: [] };
  const blockInfo = (name) => catalog().blocks.find((b) => b.name === name);

  // ---- layout --------------------------------------------------------------------------
  const header = h("div", { class: "stratum-header" });
  const palette = h("div", { class: "stratum-palette", "data-testid": "stratum-palette" });
  const canvas = h("div", { class: "stratum-canvas", "data-testid": "stratum-canvas" });
  const inspector = h("div", { class: "stratum-inspector", "data-testid": "stratum-inspector" });
  const settings = h("div", { class: "stratum-settings", "data-testid": "stratum-evaluation" });
  const actions = h("div", { class: "stratum-actions" });
  const status = h("div", { class: "stratum-status", "data-testid": "stratum-status",
                            role: "status", "aria-live": "polite" });
  const issuesBox = h("div", { class: "stratum-issues", "data-testid": "stratum-issues" });
  const fallback = h("div", { class: "stratum-fallback", "data-testid": "stratum-fallback",
                              hidden: true });
  const board = h("div", { class: "stratum-leaderboard", "data-testid": "stratum-leaderboard",
                           hidden: true });
  root.append(header,
    h("div", { class: "stratum-main" }, palette, canvas, inspector),
    settings, actions, status, issuesBox, fallback, board);

  // A text field bound to a form setter, with its issue slot.
  function field(label, fieldPath, value, onValue, attrs = {}) {
    const input = h("input", { type: "text", value: value ?? "", "data-field": fieldPath,
                               "aria-label": label, ...attrs,
                               oninput: (e) => { onValue(e.target.value); commit(false); } });
    return h("label", { class: "stratum-field" },
      h("span", { class: "stratum-label" }, label), input,
      h("div", { class: "stratum-issue", "data-issue-for": fieldPath }));
  }

  // ---- header: name and task -----------------------------------------------------------
  function drawHeader() {
    const taskSelect = h("select", { "data-field": "task", "data-testid": "stratum-task",
      "aria-label": "task",
      onchange: (e) => {
        form.task = e.target.value;
        form.evaluation.metrics = [];
        form.evaluation.select_by = "";
        selected = null;
        commit(true);
      } },
      (catalog().tasks || [form.task]).map((t) =>
        h("option", { value: t, selected: t === form.task }, t)));
    fill(header,
      h("span", { class: "stratum-title" }, "Pipeline builder"),
      field("name", "name", form.name, (v) => { form.name = v; },
            { placeholder: "experiment name (optional)" }),
      h("label", { class: "stratum-field" }, h("span", { class: "stratum-label" }, "task"),
        taskSelect, h("div", { class: "stratum-issue", "data-issue-for": "task" })),
    );
  }

  // ---- palette -------------------------------------------------------------------------
  function drawPalette() {
    const search = h("input", { type: "search", class: "stratum-search",
      "data-testid": "stratum-search", placeholder: "Search blocks", value: filter,
      "aria-label": "search blocks",
      oninput: (e) => { filter = e.target.value; drawPaletteGroups(groups); } });
    const groups = h("div", { class: "stratum-groups" });
    fill(palette, search, groups);
    drawPaletteGroups(groups);
  }

  function drawPaletteGroups(groups) {
    const needle = filter.trim().toLowerCase();
    const blocks = catalog().blocks.filter((b) => !needle ||
      b.name.toLowerCase().includes(needle) || (b.doc || "").toLowerCase().includes(needle));
    fill(groups, ...KINDS.map((kind) => {
      const members = blocks.filter((b) => b.kind === kind);
      if (!members.length) return null;
      return h("details", { class: "stratum-group", open: true, "data-kind": kind },
        h("summary", {}, `${KIND_LABEL[kind]} (${members.length})`),
        members.map((b) => h("div", {
          class: `stratum-block stratum-kind-${b.kind}`, draggable: "true", tabindex: "0",
          role: "button", "data-testid": `block-${b.name}`, "data-block": b.name,
          title: `${b.name} (${b.module})\n${b.doc || ""}\nDrag onto a candidate, or click ` +
                 "to add it to the selected candidate.",
          ondragstart: (e) => {
            e.dataTransfer.setData(BLOCK_MIME, b.name);
            e.dataTransfer.setData("text/plain", b.name);
            e.dataTransfer.effectAllowed = "copy";
          },
          onclick: () => addStep(activeCandidate, b.name),
          onkeydown: (e) => { if (e.key === "Enter") addStep(activeCandidate, b.name); },
        }, h("span", { class: "stratum-block-name" }, b.name))));
    }).filter(Boolean));
  }

  // ---- canvas: candidates side by side ---------------------------------------------------
  function addStep(c, block, at) {
    if (!form.candidates[c]) {
      form.candidates.push({ name: uniqueName(), steps: [] });
      c = form.candidates.length - 1;
    }
    const steps = form.candidates[c].steps;
    const index = at === undefined ? steps.length : at;
    steps.splice(index, 0, { block, params: {} });
    activeCandidate = c;
    selected = { c, s: index };
    commit(true);
  }

  function moveStep(from, toC, toIndex) {
    const [step] = form.candidates[from.c].steps.splice(from.s, 1);
    if (from.c === toC && toIndex > from.s) toIndex -= 1;
    form.candidates[toC].steps.splice(toIndex, 0, step);
    selected = { c: toC, s: toIndex };
    activeCandidate = toC;
    commit(true);
  }

  function uniqueName() {
    const names = new Set(form.candidates.map((c) => c.name));
    let i = form.candidates.length + 1;
    while (names.has(`candidate_${i}`)) i += 1;
    return `candidate_${i}`;
  }

  function dropIndex(list, clientY) {
    const cards = [...list.querySelectorAll(":scope > .stratum-step")];
    const i = cards.findIndex((card) => {
      const r = card.getBoundingClientRect();
      return clientY < r.top + r.height / 2;
    });
    return i === -1 ? cards.length : i;
  }

  function drawCanvas() {
    const columns = form.candidates.map((cand, c) => {
      const list = h("div", { class: "stratum-steps" });
      cand.steps.forEach((step, s) => {
        const info = blockInfo(step.block);
        const set = Object.entries(step.params || {}).filter(([, v]) => String(v).trim());
        const isSel = selected && selected.c === c && selected.s === s;
        const path = `candidates[${c}].steps[${s}]`;
        list.append(h("div", {
          class: `stratum-step stratum-kind-${info ? info.kind : "unknown"}` +
                 (isSel ? " stratum-selected" : ""),
          "data-testid": `step-${c}-${s}`, "data-block": step.block, draggable: "true",
          tabindex: "0", "data-field": path,
          onclick: () => { selected = { c, s }; activeCandidate = c; drawCanvas(); drawInspector(); showIssues(); },
          ondragstart: (e) => {
            e.dataTransfer.setData(STEP_MIME, JSON.stringify({ c, s }));
            e.dataTransfer.effectAllowed = "move";
          },
        },
          h("div", { class: "stratum-step-head" },
            h("span", { class: "stratum-step-name", title: step.block }, step.block),
            h("span", { class: "stratum-step-tools" },
              h("button", { class: "stratum-icon", title: "Move up", "aria-label": "move up",
                disabled: s === 0,
                onclick: (e) => { e.stopPropagation(); moveStep({ c, s }, c, s - 1); } }, "\u2191"),
              h("button", { class: "stratum-icon", title: "Move down", "aria-label": "move down",
                disabled: s === cand.steps.length - 1,
                onclick: (e) => { e.stopPropagation(); moveStep({ c, s }, c, s + 2); } }, "\u2193"),
              h("button", { class: "stratum-icon", title: "Remove step", "aria-label": "remove step",
                "data-testid": `remove-step-${c}-${s}`,
                onclick: (e) => {
                  e.stopPropagation();
                  cand.steps.splice(s, 1);
                  selected = null;
                  commit(true);
                } }, "\u00d7"))),
          set.length ? h("div", { class: "stratum-step-params" },
            set.map(([k, v]) => `${k}=${v}`).join("; ")) : null,
          h("div", { class: "stratum-issue", "data-issue-for": path })));
      });
      if (!cand.steps.length) {
        list.append(h("div", { class: "stratum-empty" }, "Drop blocks here"));
      }
      const column = h("div", {
        class: "stratum-candidate" + (c === activeCandidate ? " stratum-active" : ""),
        "data-testid": `candidate-${c}`,
        onclick: () => { if (activeCandidate !== c) { activeCandidate = c; drawCanvas(); showIssues(); } },
        ondragover: (e) => { e.preventDefault(); column.classList.add("stratum-dragover"); },
        ondragleave: () => column.classList.remove("stratum-dragover"),
        ondrop: (e) => {
          e.preventDefault();
          column.classList.remove("stratum-dragover");
          const at = dropIndex(list, e.clientY);
          const moved = e.dataTransfer.getData(STEP_MIME);
          if (moved) { moveStep(JSON.parse(moved), c, at); return; }
          const block = e.dataTransfer.getData(BLOCK_MIME) || e.dataTransfer.getData("text/plain");
          if (block && blockInfo(block)) addStep(c, block, at);
        },
      },
        h("div", { class: "stratum-candidate-head" },
          field("candidate", `candidates[${c}].name`, cand.name, (v) => { cand.name = v; }),
          h("button", { class: "stratum-icon", title: "Remove candidate",
            "aria-label": "remove candidate", "data-testid": `remove-candidate-${c}`,
            onclick: (e) => {
              e.stopPropagation();
              form.candidates.splice(c, 1);
              selected = null;
              activeCandidate = Math.max(0, Math.min(activeCandidate, form.candidates.length - 1));
              commit(true);
            } }, "\u00d7")),
        h("div", { class: "stratum-issue", "data-issue-for": `candidates[${c}]` }),
        list,
        h("div", { class: "stratum-issue", "data-issue-for": `candidates[${c}].steps` }));
      return column;
    });
    fill(canvas, ...columns,
      h("button", { class: "stratum-add-candidate", "data-testid": "stratum-add-candidate",
        title: "Add a candidate pipeline",
        onclick: () => {
          form.candidates.push({ name: uniqueName(), steps: [] });
          activeCandidate = form.candidates.length - 1;
          commit(true);
        } }, "+ candidate"),
      h("div", { class: "stratum-issue", "data-issue-for": "candidates" }));
  }

  // ---- inspector: the selected step's parameters -----------------------------------------
  function drawInspector() {
    const step = selected && form.candidates[selected.c] &&
      form.candidates[selected.c].steps[selected.s];
    if (!step) {
      selected = null;
      fill(inspector, h("div", { class: "stratum-hint" },
        "Select a step to set its parameters. Several comma-separated values " +
        "(0.1, 1, 10) make a grid axis."));
      return;
    }
    const info = blockInfo(step.block);
    const base = `candidates[${selected.c}].steps[${selected.s}].${step.block}`;
    if (!info) {
      fill(inspector, h("div", { class: "stratum-hint" },
        `${step.block} is not in the catalog for this task.`));
      return;
    }
    step.params = step.params || {};
    const rows = info.params.map((p) => {
      const listId = `stratum-dl-${Math.random().toString(36).slice(2)}`;
      const options = [...(p.choices || []).map(String)];
      if (p.types.includes("bool")) options.push("True", "False");
      if (p.types.includes("none")) options.push("None");
      const path = `${base}.${p.name}`;
      return h("div", { class: "stratum-param", "data-param": p.name },
        h("label", { class: "stratum-param-name", title: p.doc || "" }, p.name),
        h("input", { type: "text", "data-testid": `param-${p.name}`, "data-field": path,
          value: step.params[p.name] ?? "", placeholder: p.default_repr,
          list: options.length ? listId : null, "aria-label": p.name,
          oninput: (e) => {
            const v = e.target.value;
            if (v.trim()) step.params[p.name] = v; else delete step.params[p.name];
            commit(false);
            drawStepSummary(selected.c, selected.s);
          } }),
        options.length ? h("datalist", { id: listId }, options.map((o) => h("option", { value: o }))) : null,
        h("div", { class: "stratum-param-help" },
          p.types.length && p.types.every((t) => t === "array")
            ? h("span", { class: "stratum-allowed" },
                "one list: 64, 32 \u2014 several lists make a grid axis: [64, 32], [128]; ")
            : null,
          p.allowed ? h("span", { class: "stratum-allowed" }, p.allowed) : null,
          p.doc ? h("span", { class: "stratum-doc" }, ` \u2014 ${p.doc}`) : null),
        h("div", { class: "stratum-issue", "data-issue-for": path }));
    });
    fill(inspector,
      h("div", { class: "stratum-inspector-head" },
        h("strong", {}, step.block), h("span", { class: "stratum-module" }, ` ${info.module}`)),
      info.doc ? h("div", { class: "stratum-doc" }, info.doc) : null,
      h("div", { class: "stratum-hint" }, "Empty: the default. Comma-separated values make a grid axis."),
      h("div", { class: "stratum-issue", "data-issue-for": base }),
      ...rows);
  }

  function drawStepSummary(c, s) {
    const card = canvas.querySelector(`[data-testid="step-${c}-${s}"]`);
    if (!card) return;
    const step = form.candidates[c].steps[s];
    const set = Object.entries(step.params || {}).filter(([, v]) => String(v).trim());
    let line = card.querySelector(".stratum-step-params");
    if (!set.length) { if (line) line.remove(); return; }
    if (!line) {
      line = h("div", { class: "stratum-step-params" });
      card.querySelector(".stratum-step-head").after(line);
    }
    line.textContent = set.map(([k, v]) => `${k}=${v}`).join("; ");
  }

  // ---- evaluation settings ---------------------------------------------------------------
  function drawSettings() {
    const ev = form.evaluation;
    const cat = catalog();
    const metrics = h("div", { class: "stratum-metrics", "data-field": "evaluation.metrics" },
      (cat.metrics || []).map((m) => h("label", { class: "stratum-check" },
        h("input", { type: "checkbox", checked: ev.metrics.includes(m),
          "data-testid": `metric-${m}`,
          onchange: (e) => {
            ev.metrics = e.target.checked ? [...ev.metrics, m] : ev.metrics.filter((x) => x !== m);
            if (ev.select_by && !ev.metrics.includes(ev.select_by)) ev.select_by = "";
            commit(false);
            drawSelectBy();
          } }), m)));
    const selectBy = h("select", { "data-field": "evaluation.select_by",
      "data-testid": "stratum-select-by", "aria-label": "select by",
      onchange: (e) => { ev.select_by = e.target.value; commit(false); } });
    function drawSelectBy() {
      const chosen = ev.metrics.length ? ev.metrics : [cat.default_metric];
      fill(selectBy, h("option", { value: "" }, `(first: ${chosen[0] || ""})`),
        ...chosen.map((m) => h("option", { value: m, selected: m === ev.select_by }, m)));
    }
    drawSelectBy();
    const search = h("select", { "data-field": "evaluation.search", "aria-label": "search",
      onchange: (e) => { ev.search = e.target.value; commit(false); } },
      ["grid", "random"].map((s) => h("option", { value: s, selected: s === ev.search }, s)));
    fill(settings,
      h("div", { class: "stratum-section-title" }, "Evaluation"),
      h("div", { class: "stratum-row" },
        field("cv folds", "evaluation.cv", ev.cv, (v) => { ev.cv = v; }, { placeholder: "5", size: 4 }),
        field("or holdout", "evaluation.holdout", ev.holdout, (v) => { ev.holdout = v; },
              { placeholder: "0.2", size: 5 }),
        field("random_state", "evaluation.random_state", ev.random_state,
              (v) => { ev.random_state = v; }, { placeholder: "None", size: 6 }),
        h("label", { class: "stratum-field" }, h("span", { class: "stratum-label" }, "search"),
          search, h("div", { class: "stratum-issue", "data-issue-for": "evaluation.search" })),
        field("n_iter", "evaluation.n_iter", ev.n_iter, (v) => { ev.n_iter = v; },
              { placeholder: "10", size: 4 })),
      h("div", { class: "stratum-row" },
        h("div", { class: "stratum-field" }, h("span", { class: "stratum-label" },
          `metrics (none checked: ${cat.default_metric || "the task's default"})`), metrics,
          h("div", { class: "stratum-issue", "data-issue-for": "evaluation.metrics" })),
        h("label", { class: "stratum-field" }, h("span", { class: "stratum-label" }, "select by"),
          selectBy, h("div", { class: "stratum-issue", "data-issue-for": "evaluation.select_by" }))),
      h("div", { class: "stratum-row" },
        field("data source", "data.source", form.data.source, (v) => { form.data.source = v; },
              { placeholder: "sklearn:iris, csv:path.csv (empty: X, y of the notebook)", size: 34 }),
        field("target column", "data.target", form.data.target, (v) => { form.data.target = v; },
              { placeholder: "label", size: 10 })),
      h("div", { class: "stratum-issue", "data-issue-for": "evaluation" }),
      h("div", { class: "stratum-issue", "data-issue-for": "data" }));
  }

  // ---- actions ---------------------------------------------------------------------------
  const dataVars = h("input", { type: "text", value: model.get("data_vars"), size: 8,
    "data-testid": "stratum-data-vars", "aria-label": "data variables",
    title: "Kernel variables holding the features and the labels",
    oninput: (e) => { model.set("data_vars", e.target.value); model.save_changes(); } });
  actions.append(
    h("button", { class: "stratum-primary", "data-testid": "stratum-generate",
      title: "Insert the spec and the code as ordinary cells below this one",
      onclick: () => { setBusy("Generating cells\u2026"); model.send({ event: "generate" }); } },
      "Generate cells"),
    h("button", { "data-testid": "stratum-evaluate",
      title: "Evaluate every candidate on the data and show the leaderboard",
      onclick: () => { setBusy("Starting the evaluation\u2026"); model.send({ event: "evaluate" }); } },
      "Evaluate"),
    h("label", { class: "stratum-inline" }, "on ", dataVars));

  function setBusy(message) {
    status.className = "stratum-status stratum-level-info";
    fill(status, message);
  }

  function drawStatus() {
    const st = model.get("status") || {};
    status.className = `stratum-status stratum-level-${st.level || "info"}`;
    fill(status, ...[st.message || "",
      (st.details || []).length ? h("ul", {}, st.details.map((d) => h("li", {}, d))) : null]
      .filter(Boolean));
  }

  // ---- issues beside the fields ---------------------------------------------------------
  function showIssues() {
    const issues = model.get("issues") || [];
    for (const slot of root.querySelectorAll(".stratum-issue")) fill(slot);
    for (const input of root.querySelectorAll(".stratum-invalid")) {
      input.classList.remove("stratum-invalid");
      input.removeAttribute("aria-invalid");
    }
    const slots = new Map([...root.querySelectorAll("[data-issue-for]")]
      .map((s) => [s.getAttribute("data-issue-for"), s]));
    for (const issue of issues) {
      const text = issue.message + (issue.allowed ? ` (allowed: ${issue.allowed})` : "") +
        (issue.suggestions && issue.suggestions.length
          ? `; did you mean ${issue.suggestions.join(" or ")}?` : "");
      let slot = null;
      for (let n = issue.path.length; n > 0 && !slot; n--) {
        slot = slots.get(formatPath(issue.path.slice(0, n))) || null;
      }
      if (slot) {
        slot.append(h("div", { class: "stratum-issue-msg", "data-field": issue.field }, text));
        const input = root.querySelector(`[data-field="${CSS.escape(issue.field)}"]`);
        if (input) { input.classList.add("stratum-invalid"); input.setAttribute("aria-invalid", "true"); }
      }
    }
    fill(issuesBox, issues.length
      ? h("details", {}, h("summary", {}, `${issues.length} problem${issues.length > 1 ? "s" : ""} in the spec`),
          h("ul", {}, issues.map((i) => h("li", { "data-field": i.field },
            `${i.field}: ${i.message}` + (i.allowed ? ` (allowed: ${i.allowed})` : "")))))
      : h("span", { class: "stratum-valid" }, "\u2713 the spec is valid"));
  }

  // ---- generated cells: to the frontend, or shown for copying ----------------------------
  function onMessage(msg) {
    if (!msg || msg.event !== "cells") return;
    const detail = { cells: msg.cells, handled: false };
    const event = new CustomEvent(INSERT_EVENT, { bubbles: true, cancelable: true,
                                                   composed: true, detail });
    const notCancelled = el.dispatchEvent(event);
    if (!notCancelled && detail.handled) {
      fallback.hidden = true;
      model.send({ event: "inserted", count: detail.inserted ?? msg.cells.length });
    } else {
      showFallback(msg.cells, detail.error);
      model.send({ event: "fallback", reason: detail.error || "no frontend handler" });
    }
  }

  function showFallback(cells, error) {
    const code = cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
      .join("\n\n# %%\n");
    const pre = h("pre", { class: "stratum-code", "data-testid": "stratum-fallback-code" }, code);
    const copy = h("button", { "data-testid": "stratum-copy",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(code);
          copy.textContent = "Copied";
        } catch {
          const range = document.createRange();
          range.selectNodeContents(pre);
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          copy.textContent = "Selected: press Ctrl+C";
        }
      } }, "Copy code");
    fill(fallback,
      h("div", { class: "stratum-fallback-note" },
        "These cells could not be inserted automatically: the stratum-jupyter JupyterLab " +
        "extension is not active in this frontend" + (error ? ` (${error})` : "") +
        ". Copy them into cells below (cells are separated by \"# %%\").", copy),
      pre);
    fallback.hidden = false;
  }

  // ---- leaderboard -------------------------------------------------------------------------
  function drawLeaderboard() {
    const lb = model.get("leaderboard") || {};
    if (!lb.state) { board.hidden = true; fill(board); return; }
    board.hidden = false;
    const fmt = (v) => {
      if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
      if (v && typeof v === "object") {
        // {"logisticregression__C": 1} -> "C=1": the step prefix adds nothing in one row.
        return Object.entries(v).map(([k, x]) => `${k.split("__").pop()}=${JSON.stringify(x)}`)
          .join(", ");
      }
      return String(v ?? "");
    };
    fill(board,
      h("div", { class: "stratum-section-title" },
        lb.state === "running" ? "Leaderboard (running\u2026)" : "Leaderboard"),
      (lb.rows || []).length ? h("table", { class: "stratum-table" },
        h("thead", {}, h("tr", {}, (lb.columns || []).map((c) => h("th", {}, c)))),
        h("tbody", {}, lb.rows.map((row) => h("tr", {}, row.map((v) => h("td", {}, fmt(v)))))))
        : h("div", { class: "stratum-hint" }, "waiting for the first results\u2026"));
  }

  // ---- wiring ----------------------------------------------------------------------------
  function draw() {
    drawHeader();
    drawPalette();
    drawCanvas();
    drawInspector();
    drawSettings();
    showIssues();
  }

  model.on("change:form", () => {
    const incoming = model.get("form");
    if (JSON.stringify(incoming) !== JSON.stringify(form)) {
      form = clone(incoming);
      selected = null;
      draw();
    }
  });
  model.on("change:catalog", draw);
  model.on("change:issues", showIssues);
  model.on("change:status", drawStatus);
  model.on("change:leaderboard", drawLeaderboard);
  model.on("change:data_vars", () => { dataVars.value = model.get("data_vars"); });
  model.on("msg:custom", onMessage);

  draw();
  drawStatus();
  drawLeaderboard();
  return () => {
    model.off("msg:custom", onMessage);
  };
}

export default { render };
