// The builder view's canvas: the candidates side by side, each a column of step cards that
// blocks are dropped into and steps are moved between. A part of the builder's one ES module
// (see stratum_jupyter/widgets/esm.py).

// ---- editing the candidates ------------------------------------------------------------
/** Append an empty candidate with a fresh name; its index. */
function newCandidate(v) {
  const names = new Set(v.form.candidates.map((cand) => cand.name));
  let i = v.form.candidates.length + 1;
  while (names.has(`candidate_${i}`)) i += 1;
  v.form.candidates.push({ name: `candidate_${i}`, steps: [] });
  return v.form.candidates.length - 1;
}

/** Insert `block` as a step of candidate `c` (a new one if there is none) at `at` (the end
 * when undefined), and select it. */
function addStep(v, c, block, at) {
  if (!v.form.candidates[c]) c = newCandidate(v);
  const steps = v.form.candidates[c].steps;
  const index = at === undefined ? steps.length : at;
  steps.splice(index, 0, { block, params: {} });
  touch(v, `candidates[${c}]`);
  v.activeCandidate = c;
  v.selected = { c, s: index };
  commit(v, true);
}

/** Move the step `from` ({c, s}) to candidate `toC`, before the step now at `toIndex`. */
function moveStep(v, from, toC, toIndex) {
  const [step] = v.form.candidates[from.c].steps.splice(from.s, 1);
  touch(v, `candidates[${from.c}]`);
  touch(v, `candidates[${toC}]`);
  if (from.c === toC && toIndex > from.s) toIndex -= 1;
  v.form.candidates[toC].steps.splice(toIndex, 0, step);
  v.selected = { c: toC, s: toIndex };
  v.activeCandidate = toC;
  commit(v, true);
}

function removeStep(v, c, s) {
  v.form.candidates[c].steps.splice(s, 1);
  touch(v, `candidates[${c}]`);
  v.selected = null;
  commit(v, true);
}

function removeCandidate(v, c) {
  v.form.candidates.splice(c, 1);
  touch(v, "candidates");
  v.selected = null;
  v.activeCandidate = Math.max(0, Math.min(v.activeCandidate, v.form.candidates.length - 1));
  commit(v, true);
}

function selectStep(v, c, s) {
  v.selected = { c, s };
  v.activeCandidate = c;
  drawCanvas(v);
  drawInspector(v);
  showIssues(v);
}

function activateCandidate(v, c) {
  if (v.activeCandidate === c) return;
  v.activeCandidate = c;
  drawCanvas(v);
  showIssues(v);
}

// ---- drawing -----------------------------------------------------------------------------
function drawCanvas(v) {
  fill(v.nodes.canvas,
    v.form.candidates.map((cand, c) => candidateColumn(v, cand, c)),
    h("button", { class: "stratum-add-candidate", "data-testid": "stratum-add-candidate",
      title: "Add a candidate pipeline",
      onclick: () => { v.activeCandidate = newCandidate(v); commit(v, true); } }, "+ candidate"),
    issueSlot("candidates"));
}

function candidateColumn(v, cand, c) {
  const list = h("div", { class: "stratum-steps" },
    cand.steps.map((step, s) => stepCard(v, cand, c, s)),
    cand.steps.length ? null : h("div", { class: "stratum-empty" }, "Drop blocks here"));
  const column = h("div", {
    class: "stratum-candidate" + (c === v.activeCandidate ? " stratum-active" : ""),
    "data-testid": `candidate-${c}`,
    onclick: () => activateCandidate(v, c),
    ondragover: (e) => { e.preventDefault(); column.classList.add("stratum-dragover"); },
    ondragleave: () => column.classList.remove("stratum-dragover"),
    ondrop: (e) => {
      e.preventDefault();
      column.classList.remove("stratum-dragover");
      dropOnCandidate(v, e, c, list);
    },
  },
    h("div", { class: "stratum-candidate-head" },
      field(v, "candidate", `candidates[${c}].name`, cand.name, (name) => { cand.name = name; }),
      iconButton("Remove candidate", "remove candidate", "\u00d7", () => removeCandidate(v, c),
                 { "data-testid": `remove-candidate-${c}` })),
    issueSlot(`candidates[${c}]`),
    list,
    issueSlot(`candidates[${c}].steps`));
  return column;
}

/** A drop on a candidate: a step moved from elsewhere, or a block from the palette. */
function dropOnCandidate(v, e, c, list) {
  const at = dropIndex(list, e.clientY);
  const moved = e.dataTransfer.getData(STEP_MIME);
  if (moved) {
    moveStep(v, JSON.parse(moved), c, at);
    return;
  }
  const block = e.dataTransfer.getData(BLOCK_MIME) || e.dataTransfer.getData("text/plain");
  if (block && blockInfo(v, block)) addStep(v, c, block, at);
}

/** Where in a candidate's list a drop at `clientY` inserts: before the first card whose middle
 * is below it. */
function dropIndex(list, clientY) {
  const cards = [...list.querySelectorAll(":scope > .stratum-step")];
  const i = cards.findIndex((card) => {
    const r = card.getBoundingClientRect();
    return clientY < r.top + r.height / 2;
  });
  return i === -1 ? cards.length : i;
}

function stepCard(v, cand, c, s) {
  const step = cand.steps[s];
  const info = blockInfo(v, step.block);
  const isSelected = v.selected && v.selected.c === c && v.selected.s === s;
  const path = `candidates[${c}].steps[${s}]`;
  const summary = paramSummary(step);
  return h("div", {
    class: `stratum-step stratum-kind-${info ? info.kind : "unknown"}` +
           (isSelected ? " stratum-selected" : ""),
    "data-testid": `step-${c}-${s}`, "data-block": step.block, draggable: "true",
    tabindex: "0", "data-field": path,
    onclick: () => selectStep(v, c, s),
    ondragstart: (e) => {
      e.dataTransfer.setData(STEP_MIME, JSON.stringify({ c, s }));
      e.dataTransfer.effectAllowed = "move";
    },
  },
    h("div", { class: "stratum-step-head" },
      h("span", { class: "stratum-step-name", title: step.block }, step.block),
      stepTools(v, c, s, cand.steps.length)),
    summary ? h("div", { class: "stratum-step-params" }, summary) : null,
    issueSlot(path));
}

function stepTools(v, c, s, count) {
  return h("span", { class: "stratum-step-tools" },
    iconButton("Move up", "move up", "\u2191", () => moveStep(v, { c, s }, c, s - 1),
               { disabled: s === 0 }),
    iconButton("Move down", "move down", "\u2193", () => moveStep(v, { c, s }, c, s + 2),
               { disabled: s === count - 1 }),
    iconButton("Remove step", "remove step", "\u00d7", () => removeStep(v, c, s),
               { "data-testid": `remove-step-${c}-${s}` }));
}

/** Rewrite a step card's parameter line in place (typing in the inspector redraws nothing
 * else, so the input keeps its focus). */
function drawStepSummary(v, c, s) {
  const card = v.nodes.canvas.querySelector(`[data-testid="step-${c}-${s}"]`);
  if (!card) return;
  const summary = paramSummary(v.form.candidates[c].steps[s]);
  let line = card.querySelector(".stratum-step-params");
  if (!summary) {
    if (line) line.remove();
    return;
  }
  if (!line) {
    line = h("div", { class: "stratum-step-params" });
    card.querySelector(".stratum-step-head").after(line);
  }
  line.textContent = summary;
}
