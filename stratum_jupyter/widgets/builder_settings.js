// The builder view's evaluation settings: folds (builder_folds.js), search, metrics and the one to
// select by, the data source. A part of the builder's one ES module (see
// stratum_jupyter/widgets/esm.py).

function drawSettings(v) {
  const ev = v.form.evaluation;
  const cat = catalog(v);
  const selectBy = h("select", { "data-field": "evaluation.select_by",
    "data-testid": "stratum-select-by", "aria-label": "select by",
    onchange: (e) => { ev.select_by = e.target.value; commit(v, false); } });
  drawSelectBy(ev, cat, selectBy);
  fill(v.nodes.settings,
    h("div", { class: "stratum-section-title" }, "Evaluation"),
    h("div", { class: "stratum-row", "data-testid": "stratum-folds" }, foldFields(v, ev, cat)),
    h("div", { class: "stratum-row" }, splitFields(v, ev, cat)),
    h("div", { class: "stratum-row" },
      // A div, not a label: a click on the title must not toggle the first checkbox.
      h("div", { class: "stratum-field" }, h("span", { class: "stratum-label" },
        `metrics (none checked: ${cat.default_metric || "the task's default"})`),
        metricChecks(v, ev, cat, selectBy), issueSlot("evaluation.metrics")),
      labelled("select by", "evaluation.select_by", selectBy)),
    cat.ensembles && cat.ensembles.length ? h("div", { class: "stratum-row" },
      ensembleFields(v, ev, cat)) : "",
    h("div", { class: "stratum-row" }, dataFields(v)),
    issueSlot("evaluation"),
    issueSlot("data"));
}

/** The seed (of shuffled folds and searches) and how the grid is searched. */
function splitFields(v, ev, cat) {
  // A new strategy redraws: each shows its own settings (searchSettings).
  const search = h("select", { "data-field": "evaluation.search", "aria-label": "search",
    "data-testid": "stratum-search-strategy",
    onchange: (e) => { ev.search = e.target.value; commit(v, true); } },
    options(cat.searches.length ? cat.searches : [ev.search], ev.search));
  return [
    field(v, "held-out test", "evaluation.test", ev.test, (x) => { ev.test = x; },
          { placeholder: "none", size: 5 }),
    field(v, "random_state", "evaluation.random_state", ev.random_state,
          (x) => { ev.random_state = x; }, { placeholder: "None", size: 6 }),
    labelled("search", "evaluation.search", search),
    ...searchSettings(v, ev, cat),
  ];
}

/** The settings of the chosen search, as the catalog lists them (widgets/palette.py
 * SEARCH_SETTINGS; docs/spec.md, "Search settings"). */
const SEARCH_FIELDS = {
  n_iter: ["n_iter", "evaluation.n_iter", "10", 4],
  halving_factor: ["factor", "evaluation.halving.factor", "3", 3],
  n_trials: ["n_trials", "evaluation.n_trials", "20", 4],
  budget: ["budget", "evaluation.budget", "none (e.g. 10m)", 8],
};

function searchSettings(v, ev, cat) {
  const shown = (cat.search_settings || {})[ev.search] || ["n_iter"];
  return shown.filter((key) => SEARCH_FIELDS[key]).map((key) => {
    const [label, path, placeholder, size] = SEARCH_FIELDS[key];
    return field(v, label, path, ev[key], (x) => { ev[key] = x; }, { placeholder, size });
  });
}

/** An ensemble of the k best, ranked beside them (evaluation.ensemble; none: off). */
function ensembleFields(v, ev, cat) {
  const method = h("select", { "data-field": "evaluation.ensemble", "aria-label": "ensemble",
    "data-testid": "stratum-ensemble",
    onchange: (e) => { ev.ensemble = e.target.value; commit(v, false); } },
    h("option", { value: "", selected: !ev.ensemble }, "none"),
    options(cat.ensembles, ev.ensemble));
  return [
    labelled("ensemble of the best", "evaluation.ensemble", method),
    field(v, "members (k)", "evaluation.ensemble.k", ev.ensemble_k,
          (x) => { ev.ensemble_k = x; }, { placeholder: "3", size: 3 }),
  ];
}

/** A checkbox per metric of the task; "select by" offers the checked ones. */
function metricChecks(v, ev, cat, selectBy) {
  return h("div", { class: "stratum-metrics", "data-field": "evaluation.metrics" },
    cat.metrics.map((m) => h("label", { class: "stratum-check" },
      h("input", { type: "checkbox", checked: ev.metrics.includes(m),
        "data-testid": `metric-${m}`,
        onchange: (e) => {
          ev.metrics = e.target.checked ? [...ev.metrics, m] : ev.metrics.filter((x) => x !== m);
          if (ev.select_by && !ev.metrics.includes(ev.select_by)) ev.select_by = "";
          commit(v, false);
          drawSelectBy(ev, cat, selectBy);
        } }), m)));
}

function drawSelectBy(ev, cat, selectBy) {
  const chosen = ev.metrics.length ? ev.metrics : [cat.default_metric];
  fill(selectBy, h("option", { value: "" }, `(first: ${chosen[0] || ""})`),
    options(chosen, ev.select_by));
}

function dataFields(v) {
  const data = v.form.data;
  return [
    field(v, "data source", "data.source", data.source, (x) => { data.source = x; },
          { placeholder: "sklearn:iris, csv:x.csv, excel:x.xlsx, json:x.jsonl (empty: X, y)",
            size: 34 }),
    field(v, "target column", "data.target", data.target,
          (x) => { data.target = x; drawColumns(v); },
          { placeholder: "label", size: 10 }),
    ...rowFields(v),
  ];
}
