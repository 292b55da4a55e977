// The leaderboard's plots (issue 23): click a row to see its diagnostic plots; tick two rows'
// "compare" boxes and press Compare to see them side by side. The kernel draws them
// (widgets/board_plots.py: the report's Bokeh figures as JSON, from what the evaluation
// kept) and sends BokehJS with its answer when the page has no BokehJS of its version.
// A part of the builder's one ES module (see stratum_jupyter/widgets/esm.py).
//
// Test hooks: rows "stratum-leaderboard-row" (data-row, data-config, aria-selected), their
// boxes "stratum-compare-pick" (data-config), the button "stratum-compare", the plots
// "stratum-plots" (data-state: loading | shown | error; data-mode: single | compare), its
// panes "stratum-plot-pane" (data-config) and each plot "stratum-plot" (data-plot: the
// figure's name; data-rendered once BokehJS drew it), "stratum-plots-error",
// "stratum-plots-close".

/** A row was clicked: its plots. */
function showRowPlots(v, config) {
  askPlots(v, [config]);
}

/** A row's "compare" box. */
function comparePick(v, config) {
  return h("input", { type: "checkbox", "data-testid": "stratum-compare-pick",
    "data-config": config, "aria-label": `compare ${config}`,
    title: "Tick two rows, then press Compare", checked: v.picked.includes(config),
    onclick: (e) => e.stopPropagation(),  // ticking is not a click on the row
    onchange: (e) => togglePick(v, config, e.target.checked) });
}

function togglePick(v, config, on) {
  v.picked = v.picked.filter((c) => c !== config);
  if (on) v.picked.push(config);
  if (v.picked.length > 2) v.picked.shift();  // the oldest pick gives way
  for (const box of v.nodes.board.querySelectorAll('[data-testid="stratum-compare-pick"]')) {
    box.checked = v.picked.includes(box.getAttribute("data-config"));
  }
  updateCompare(v);
}

/** The hint and the Compare button under the leaderboard. */
function compareBar(v) {
  v.nodes.compare = h("button", { "data-testid": "stratum-compare",
    title: "The plots of the two ticked rows side by side",
    onclick: () => askPlots(v, v.picked.slice()) });
  updateCompare(v);
  return h("div", { class: "stratum-compare-bar" },
    h("span", { class: "stratum-hint" },
      "Click a row to see its plots; tick two rows to compare them. "), v.nodes.compare);
}

function updateCompare(v) {
  const button = v.nodes.compare;
  if (!button) return;
  const ready = v.picked.length === 2;
  button.disabled = !ready;
  button.textContent = ready ? `Compare ${v.picked[0]} and ${v.picked[1]}`
    : "Compare side by side (tick two rows)";
}

/** Mark the rows whose plots are shown. */
function markRows(v) {
  for (const tr of v.nodes.board.querySelectorAll('[data-testid="stratum-leaderboard-row"]')) {
    const on = v.plotConfigs.includes(tr.getAttribute("data-config"));
    tr.classList.toggle("stratum-selected", on);
    tr.setAttribute("aria-selected", on ? "true" : "false");
  }
}

function askPlots(v, configs) {
  v.plotConfigs = configs;
  markRows(v);
  const box = v.nodes.plots;
  box.hidden = false;
  box.setAttribute("data-state", "loading");
  fill(box, h("div", { class: "stratum-hint" },
    `drawing the plots of ${configs.join(" and ")}\u2026`));
  v.model.send({ event: "plots", configs, bokeh: bokehVersion() });
}

/** Forget the shown plots and the picks (a new leaderboard). */
function clearPlots(v) {
  v.plotConfigs = [];
  v.picked = [];
  v.nodes.plots.hidden = true;
  v.nodes.plots.removeAttribute("data-state");
  fill(v.nodes.plots);
}

/** The page's BokehJS (window.Bokeh), or undefined. */
function bokehJs() {
  return /** @type {any} */ (window).Bokeh;
}

function bokehVersion() {
  const bokeh = bokehJs();
  return bokeh && bokeh.version ? bokeh.version : null;
}

/** BokehJS (the kernel's version, inline) into the page, once. */
function loadBokeh(source) {
  const script = document.createElement("script");
  script.setAttribute("data-stratum", "bokehjs");
  script.textContent = source;
  document.head.append(script);
}

/** The kernel's answer to askPlots: panes of Bokeh figures (board_plots.plots_message). */
async function receivePlots(v, msg) {
  if (!msg || msg.event !== "plots") return;
  if (JSON.stringify(msg.configs) !== JSON.stringify(v.plotConfigs)) return;  // a later click won
  const box = v.nodes.plots;
  if (!msg.error && msg.bokehjs && bokehVersion() !== msg.bokeh_version) loadBokeh(msg.bokehjs);
  const error = msg.error || (bokehJs() ? "" : "BokehJS could not be loaded in this page");
  if (error) {
    box.setAttribute("data-state", "error");
    fill(box, h("div", { class: "stratum-warning", "data-testid": "stratum-plots-error" }, error));
    return;
  }
  const slots = [];
  const panes = msg.panes.map((pane) => h("div", { class: "stratum-plot-pane",
    "data-testid": "stratum-plot-pane", "data-config": pane.config },
    h("div", { class: "stratum-section-title" }, pane.title),
    h("ul", { class: "stratum-plot-notes" }, pane.notes.map((n) => h("li", {}, n))),
    pane.plots.map((plot) => {
      const slot = h("div", { class: "stratum-plot", "data-testid": "stratum-plot",
        "data-plot": plot.name }, plot.item ? null
        : h("div", { class: "stratum-hint stratum-plot-missing" }, `${plot.name}: ${plot.missing}`));
      if (plot.item) slots.push([slot, plot]);
      return slot;
    })));
  const compare = panes.length > 1;
  // One grid row per plot (and the title and notes): the panes' plots line up side by side.
  const rows = 2 + Math.max(0, ...msg.panes.map((pane) => pane.plots.length));
  for (const pane of panes) pane.style.gridRow = `span ${rows}`;
  box.setAttribute("data-mode", compare ? "compare" : "single");
  fill(box, h("div", { class: "stratum-plots-head" },
    h("span", { class: "stratum-section-title" }, compare
      ? `Plots: ${msg.configs.join(" vs ")}` : `Plots: ${msg.configs[0]}`),
    h("button", { "data-testid": "stratum-plots-close", title: "Hide the plots",
      onclick: () => { v.plotConfigs = []; markRows(v); box.hidden = true; } }, "Hide")),
  h("div", { class: "stratum-plot-panes",
    style: `grid-template-columns: repeat(${panes.length}, max-content)` }, panes));
  for (const [slot, plot] of slots) {
    try {
      await bokehJs().embed.embed_item(plot.item, slot);
      slot.setAttribute("data-rendered", "true");
    } catch (err) {
      fill(slot, h("div", { class: "stratum-warning" }, `${plot.name} could not be drawn: ${err}`));
    }
  }
  box.setAttribute("data-state", "shown");
}
