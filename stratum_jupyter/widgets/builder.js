// The pipeline builder's view (anywidget ES module). Plain DOM, no framework.
//
// The view edits `form` (the spec's shape, values as typed text) and syncs it to the kernel,
// which validates it and answers with `issues` keyed by field path; those are shown beside
// the fields. "Generate cells" asks the kernel for the cells, then asks the frontend to insert
// them with a bubbling, cancelable DOM event `stratum:insert-cells` (handled by the
// stratum-jupyter labextension); when nobody handles it the cells are shown with a copy button.
//
// This file is the entry of the module: the layout, the wiring and the exports. The other
// parts (builder_dom.js, builder_palette.js, builder_canvas.js, builder_inspector.js,
// builder_settings.js, builder_columns.js, builder_messages.js) are joined with it into one module scope by
// stratum_jupyter/widgets/esm.py, so they call each other without imports.
//
// Stable test hooks (PRODUCT.md section 7): data-testid="stratum-builder", "block-<Name>",
// "stratum-canvas", "stratum-generate", "stratum-evaluate"; the table of the data:
// "stratum-columns", its rows "stratum-column" (data-column, data-role, data-kind), their
// role selects "stratum-column-role" (data-column), "stratum-columns-message",
// "stratum-columns-refresh"; the leaderboard's rows, compare boxes and plots: see
// builder_plots.js.

/** The builder's elements, empty, appended to `el`. */
function layout(el) {
  const nodes = {
    root: h("div", { class: "stratum-builder", "data-testid": "stratum-builder" }),
    header: h("div", { class: "stratum-header" }),
    palette: h("div", { class: "stratum-palette", "data-testid": "stratum-palette" }),
    canvas: h("div", { class: "stratum-canvas", "data-testid": "stratum-canvas" }),
    inspector: h("div", { class: "stratum-inspector", "data-testid": "stratum-inspector" }),
    settings: h("div", { class: "stratum-settings", "data-testid": "stratum-evaluation" }),
    columns: h("div", { class: "stratum-columns", "data-testid": "stratum-columns" }),
    actions: h("div", { class: "stratum-actions" }),
    status: h("div", { class: "stratum-status", "data-testid": "stratum-status",
                       role: "status", "aria-live": "polite" }),
    issuesBox: h("div", { class: "stratum-issues", "data-testid": "stratum-issues" }),
    fallback: h("div", { class: "stratum-fallback", "data-testid": "stratum-fallback",
                         hidden: true }),
    board: h("div", { class: "stratum-leaderboard", "data-testid": "stratum-leaderboard",
                      hidden: true }),
    plots: h("div", { class: "stratum-plots", "data-testid": "stratum-plots", hidden: true }),
  };
  el.append(nodes.root);
  nodes.root.append(nodes.header,
    h("div", { class: "stratum-main" }, nodes.palette, nodes.canvas, nodes.inspector),
    nodes.settings, nodes.columns, nodes.actions, nodes.status, nodes.issuesBox, nodes.fallback, nodes.board,
    nodes.plots);
  return nodes;
}

/** The buttons and the data variables field (drawn once: they do not depend on the form). */
function drawActions(v) {
  const { model } = v;
  v.nodes.dataVars = h("input", { type: "text", value: model.get("data_vars"), size: 8,
    "data-testid": "stratum-data-vars", "aria-label": "data variables",
    title: "Kernel variables holding the features and the labels",
    oninput: (e) => { model.set("data_vars", e.target.value); model.save_changes(); } });
  v.nodes.actions.append(
    h("button", { class: "stratum-primary", "data-testid": "stratum-generate",
      title: "Insert the spec and the code as ordinary cells below this one",
      onclick: () => { pressed(v); setBusy(v, "Generating cells\u2026"); model.send({ event: "generate" }); } },
      "Generate cells"),
    h("button", { "data-testid": "stratum-evaluate",
      title: "Evaluate every candidate on the data and show the leaderboard",
      onclick: () => { pressed(v); setBusy(v, "Starting the evaluation\u2026"); model.send({ event: "evaluate" }); } },
      "Evaluate"),
    h("label", { class: "stratum-inline" }, "on ", v.nodes.dataVars));
}

/** A button was pressed: from now on every issue is shown beside its field. */
function pressed(v) {
  v.pressed = true;
  showIssues(v);
}

/** Any edit of a control marks its field touched (its issues are shown from then on). */
function watchTouches(v) {
  const onEdit = (e) => {
    const host = e.target && e.target.closest ? e.target.closest("[data-field]") : null;
    if (host) touch(v, host.getAttribute("data-field"));
  };
  v.nodes.root.addEventListener("input", onEdit, true);
  v.nodes.root.addEventListener("change", onEdit, true);
}

/** Redraw everything that shows the form. */
function draw(v) {
  drawHeader(v);
  drawPalette(v);
  drawCanvas(v);
  drawInspector(v);
  drawSettings(v);
  drawColumns(v);
  showIssues(v);
}

/** The kernel replaced the form (not the echo of our own edit): take it and redraw. */
function formChanged(v) {
  const incoming = v.model.get("form");
  if (JSON.stringify(incoming) === JSON.stringify(v.form)) return;
  v.form = clone(incoming);
  v.selected = null;
  draw(v);
}

function render({ model, el }) {
  const v = { model, el, form: clone(model.get("form")), selected: null,
              activeCandidate: 0, filter: "", columnsOpen: null,
              touched: new Set(), pressed: false, picked: [], plotConfigs: [] };
  v.nodes = layout(el);
  drawActions(v);
  watchTouches(v);
  const onMessage = (msg) => { receiveCells(v, msg); receivePlots(v, msg); };
  model.on("change:form", () => formChanged(v));
  model.on("change:catalog", () => draw(v));
  model.on("change:issues", () => showIssues(v));
  model.on("change:status", () => drawStatus(v));
  model.on("change:leaderboard", () => drawLeaderboard(v));
  model.on("change:columns", () => { drawColumns(v); showIssues(v); });
  model.on("change:data_vars", () => { v.nodes.dataVars.value = model.get("data_vars"); });
  model.on("msg:custom", onMessage);
  const onSaved = () => saveState(v);
  model.on("change:saved", onSaved);

  draw(v);
  drawStatus(v);
  drawLeaderboard(v);
  connectState(v);
  return () => {
    v.closed = true;
    model.off("msg:custom", onMessage);
    model.off("change:saved", onSaved);
  };
}

export { INSERT_EVENT, formatPath };
export default { render };
