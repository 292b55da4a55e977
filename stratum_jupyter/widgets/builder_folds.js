// The builder view's folds: a fold count (or a holdout fraction), or one of scikit-learn's
// splitters with its parameters (evaluation.cv: {TimeSeriesSplit: {n_splits: 5, gap: 7}}),
// and the data's group column (data.groups) and order (data.order_by). The splitters and
// their parameters come from the kernel (catalog.splitters: widgets/palette.py). A part of
// the builder's one ES module (see stratum_jupyter/widgets/esm.py).

/** The splitter <select> and, for a splitter, its parameters; else the fold count. */
function foldFields(v, ev, cat) {
  const splitters = cat.splitters || [];
  const chosen = splitters.find((s) => s.name === ev.splitter);
  const select = h("select", { "data-field": "evaluation.cv.splitter",
    "data-testid": "stratum-splitter", "aria-label": "folds",
    onchange: (e) => {
      ev.splitter = e.target.value;
      ev.splitter_params = {};
      if (ev.splitter) ev.cv = "";
      commit(v, true);
    } },
    h("option", { value: "", selected: !ev.splitter }, "k folds"),
    options(splitters.map((s) => s.name), ev.splitter || ""));
  if (ev.splitter && !chosen) {  // a name the catalog does not offer: kept, and flagged
    select.append(h("option", { value: ev.splitter, selected: true }, ev.splitter));
  }
  const fields = [labelled("folds", `evaluation.cv.${ev.splitter || "splitter"}`, select)];
  if (!ev.splitter) {
    fields.push(field(v, "cv folds", "evaluation.cv", ev.cv, (x) => { ev.cv = x; },
                      { placeholder: "5", size: 4 }),
                field(v, "or holdout", "evaluation.holdout", ev.holdout,
                      (x) => { ev.holdout = x; }, { placeholder: "0.2", size: 5 }));
  }
  for (const param of (chosen ? chosen.params : [])) {
    const params = ev.splitter_params || (ev.splitter_params = {});
    fields.push(field(v, param.name, `evaluation.cv.${ev.splitter}.${param.name}`,
      params[param.name], (x) => { params[param.name] = x; },
      { placeholder: param.default, size: 5, "data-testid": `splitter-${param.name}` }));
  }
  if (chosen && chosen.groups && !String(v.form.data.groups || "").trim()) {
    fields.push(h("span", { class: "stratum-hint", "data-testid": "stratum-groups-hint" },
      `${chosen.name} needs the group column (below)`));
  }
  return fields;
}

/** The data's group column and the column its rows are sorted by. */
function rowFields(v) {
  const data = v.form.data;
  return [
    field(v, "group column", "data.groups", data.groups, (x) => { data.groups = x; },
          { placeholder: "(group splitters)", size: 12, "data-testid": "stratum-groups" }),
    field(v, "order rows by", "data.order_by", data.order_by, (x) => { data.order_by = x; },
          { placeholder: "(e.g. a date)", size: 12, "data-testid": "stratum-order-by" }),
  ];
}
