// The builder view's inspector: the parameter form of the selected step. A part of the
// builder's one ES module (see stratum_jupyter/widgets/esm.py).

/** The selected step of the form, or null. */
function selectedStep(v) {
  const sel = v.selected;
  const cand = sel && v.form.candidates[sel.c];
  return (cand && cand.steps[sel.s]) || null;
}

function drawInspector(v) {
  const step = selectedStep(v);
  if (!step) {
    v.selected = null;
    fill(v.nodes.inspector, h("div", { class: "stratum-hint" },
      "Select a step to set its parameters. Several comma-separated values " +
      "(0.1, 1, 10) make a grid axis."));
    return;
  }
  const info = blockInfo(v, step.block);
  if (!info) {
    fill(v.nodes.inspector, h("div", { class: "stratum-hint" },
      `${step.block} is not in the catalog for this task.`));
    return;
  }
  step.params = step.params || {};
  const base = `candidates[${v.selected.c}].steps[${v.selected.s}].${step.block}`;
  fill(v.nodes.inspector,
    h("div", { class: "stratum-inspector-head" },
      h("strong", {}, step.block), h("span", { class: "stratum-module" }, ` ${info.module}`)),
    info.doc ? h("div", { class: "stratum-doc" }, info.doc) : null,
    h("div", { class: "stratum-hint" }, "Empty: the default. Comma-separated values make a " +
      "grid axis; {low: 0.01, high: 10, log: true} a range to draw from (search: random, " +
      "halving or bayes)."),
    issueSlot(base),
    info.params.map((p) => paramRow(v, step, p, `${base}.${p.name}`)));
}

/** One parameter: its text field (with the choices it knows as suggestions), what is
 * allowed, its doc and its issue slot. */
function paramRow(v, step, p, path) {
  const listId = `stratum-dl-${Math.random().toString(36).slice(2)}`;
  const suggestions = paramSuggestions(p);
  return h("div", { class: "stratum-param", "data-param": p.name },
    h("label", { class: "stratum-param-name", title: p.doc ? `${p.name}: ${p.doc}` : p.name },
      breakable(p.name)),
    h("input", { type: "text", "data-testid": `param-${p.name}`, "data-field": path,
      value: step.params[p.name] ?? "", placeholder: p.default_repr, title: p.default_repr,
      list: suggestions.length ? listId : null, "aria-label": p.name,
      oninput: (e) => setParam(v, step, p.name, e.target.value) }),
    suggestions.length
      ? h("datalist", { id: listId }, suggestions.map((o) => h("option", { value: o })))
      : null,
    paramHelp(p),
    issueSlot(path));
}

function paramSuggestions(p) {
  const values = (p.choices || []).map(String);
  if (p.types.includes("bool")) values.push("True", "False");
  if (p.types.includes("none")) values.push("None");
  return values;
}

/** The help line of a parameter that takes only lists or tuples (or None), as the spec's
 * grid-axis rule reads it (spec/model.py is_grid_axis): a flat list is one value. */
function listHelp(p) {
  const listOnly = p.types.includes("array") &&
    p.types.every((t) => t === "array" || t === "none");
  if (!listOnly) return null;
  const tuple = p.as_tuple && Array.isArray(p.default) ? p.default : null;
  const text = tuple
    ? `one list: ${tuple.join(", ")} \u2014 several lists make a grid axis: ` +
      `[${tuple.join(", ")}], [...] (passed as tuples); `
    : "one list: 64, 32 \u2014 several lists make a grid axis: [64, 32], [128]; ";
  return h("span", { class: "stratum-allowed" }, text);
}

function paramHelp(p) {
  return h("div", { class: "stratum-param-help" },
    listHelp(p),
    p.allowed ? h("span", { class: "stratum-allowed" }, p.allowed) : null,
    p.doc ? h("span", { class: "stratum-doc" }, ` \u2014 ${p.doc}`) : null);
}

/** Typing in a parameter: an empty field means the default (the parameter is left out). */
function setParam(v, step, name, value) {
  if (value.trim()) step.params[name] = value;
  else delete step.params[name];
  commit(v, false);
  drawStepSummary(v, v.selected.c, v.selected.s);
}

/** "min_samples_split" with line-break chances after its underscores (<wbr>). */
function breakable(name) {
  const parts = String(name).split("_");
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}_`, h("wbr")] : [part]));
}
