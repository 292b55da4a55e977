// The builder view's header (name, task) and its palette of blocks, grouped by kind.
// A part of the builder's one ES module (see stratum_jupyter/widgets/esm.py).

function drawHeader(v) {
  const tasks = catalog(v).tasks;
  const taskSelect = h("select", { "data-field": "task", "data-testid": "stratum-task",
    "aria-label": "task", onchange: (e) => changeTask(v, e.target.value) },
    options(tasks.length ? tasks : [v.form.task], v.form.task));
  fill(v.nodes.header,
    h("span", { class: "stratum-title" }, "Pipeline builder"),
    field(v, "name", "name", v.form.name, (value) => { v.form.name = value; },
          { placeholder: "experiment name (optional)" }),
    labelled("task", "task", taskSelect),
  );
}

/** Another task: the metrics chosen for the old one no longer apply. */
function changeTask(v, task) {
  v.form.task = task;
  v.form.evaluation.metrics = [];
  v.form.evaluation.select_by = "";
  v.selected = null;
  commit(v, true);
}

function drawPalette(v) {
  const groups = h("div", { class: "stratum-groups" });
  const search = h("input", { type: "search", class: "stratum-search",
    "data-testid": "stratum-search", placeholder: "Search blocks", value: v.filter,
    "aria-label": "search blocks",
    oninput: (e) => { v.filter = e.target.value; drawPaletteGroups(v, groups); } });
  fill(v.nodes.palette, search, groups);
  drawPaletteGroups(v, groups);
}

function drawPaletteGroups(v, groups) {
  const { blocks, kinds } = catalog(v);
  const needle = v.filter.trim().toLowerCase();
  const shown = blocks.filter((b) => !needle ||
    b.name.toLowerCase().includes(needle) || (b.doc || "").toLowerCase().includes(needle));
  fill(groups, kinds.map((kind) => {
    const members = shown.filter((b) => b.kind === kind);
    if (!members.length) return null;
    return h("details", { class: "stratum-group", open: true, "data-kind": kind },
      h("summary", {}, `${kindLabel(kind)} (${members.length})`),
      members.map((b) => paletteBlock(v, b)));
  }));
}

/** A block of the palette: drag it onto a candidate, or click it (or Enter) to add it to the
 * active candidate. */
function paletteBlock(v, b) {
  return h("div", {
    class: `stratum-block stratum-kind-${b.kind}`, draggable: "true", tabindex: "0",
    role: "button", "data-testid": `block-${b.name}`, "data-block": b.name,
    title: `${b.name} (${b.module})\n${b.doc || ""}\nDrag onto a candidate, or click ` +
           "to add it to the selected candidate.",
    ondragstart: (e) => {
      e.dataTransfer.setData(BLOCK_MIME, b.name);
      e.dataTransfer.setData("text/plain", b.name);
      e.dataTransfer.effectAllowed = "copy";
    },
    onclick: () => addStep(v, v.activeCandidate, b.name),
    onkeydown: (e) => { if (e.key === "Enter") addStep(v, v.activeCandidate, b.name); },
  }, h("span", { class: "stratum-block-name" }, b.name));
}
