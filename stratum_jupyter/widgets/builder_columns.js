// The builder view's table of the data: each column with its role (a kind of data, the
// target, or dropped), its dtype, its missing values and a few example values, as the kernel
// read them from a sample (`columns`, see stratum_jupyter/widgets/columns.py). Changing a
// role edits the form's data: the target -> data.target, dropped -> data.drop, a kind other
// than the inferred one -> data.roles[column]. A part of the builder's one ES module (see
// stratum_jupyter/widgets/esm.py).

// The two roles that are not kinds of data (columns.py's TARGET and DROPPED); the kinds come
// from the kernel (`roles` of the payload).
const TARGET_ROLE = "target";
const DROPPED_ROLE = "dropped";

function drawColumns(v) {
  const table = v.model.get("columns") || {};
  const ready = table.state === "ready";
  // Open unless it shows the kernel's X (read-only), until the user opens or closes it.
  const open = v.columnsOpen ?? (!ready || !!table.editable);
  const summary = h("summary", { class: "stratum-section-title",
    onclick: () => { v.columnsOpen = !details.open; } }, "Columns",
    ready ? h("span", { class: "stratum-module" }, ` ${tableCaption(table)}`) : null,
    table.state && table.state !== "idle" ? refreshButton(v) : null);
  const details = h("details", { open }, summary,
    ready ? null : h("div", { class: `stratum-hint stratum-columns-${table.state || "idle"}`,
      "data-testid": "stratum-columns-message" }, table.message || ""),
    ready && !table.editable ? h("div", { class: "stratum-hint" },
      "A spec records roles for a data source: name one above to change them.") : null,
    ready ? columnsTable(v, table) : null);
  fill(v.nodes.columns, details, issueSlot("data.roles"), issueSlot("data.drop"));
  v.nodes.columns.dataset.state = table.state || "idle";
}

/** Read the table again (a button in the summary: its click must not open or close it). */
function refreshButton(v) {
  return h("button", { class: "stratum-icon", "data-testid": "stratum-columns-refresh",
    title: "Read the table again", "aria-label": "read the table again",
    onclick: (e) => { e.preventDefault(); e.stopPropagation(); v.model.send({ event: "columns" }); } },
    "\u21bb");
}

/** "csv:x.csv: 8 columns, first 1000 rows" (or "all 344 rows"). */
function tableCaption(table) {
  const rows = table.sampled ? `first ${table.rows} rows` : `all ${table.rows} rows`;
  return `of ${table.origin}: ${table.columns.length} columns, ${rows}`;
}

function columnsTable(v, table) {
  return h("table", { class: "stratum-table stratum-columns-table" },
    h("thead", {}, h("tr", {}, ["column", "role", "dtype", "holds", "missing", "examples"]
      .map((title) => h("th", {}, title)))),
    h("tbody", {}, table.columns.map((col) => columnRow(v, table, col))));
}

// What the evaluation makes of a column (columns.py's `holds`, from catalog/column_kinds.py);
// the note behind each is the cell's tooltip.
const HOLDS = { text: "free text (TF-IDF)", identifier: "identifier (left out)",
  high_cardinality: "many categories" };

function columnRow(v, table, col) {
  const role = columnRole(v.form.data, table, col);
  const select = h("select", { "data-testid": "stratum-column-role", "data-column": col.name,
    "aria-label": `role of ${col.name}`, disabled: !table.editable,
    "data-field": `data.roles.${col.name}`,
    onchange: (e) => setColumnRole(v, col, e.target.value) },
    table.roles.map((r) => h("option", { value: r, selected: r === role },
      r === col.kind ? `${r} (inferred)` : r)));
  return h("tr", { class: `stratum-column stratum-role-${role}`, "data-testid": "stratum-column",
    "data-column": col.name, "data-role": role, "data-kind": col.kind,
    "data-holds": col.holds || "" },
    h("td", {}, col.name), h("td", {}, select), h("td", {}, col.dtype),
    h("td", { class: `stratum-holds stratum-holds-${col.holds || "none"}`,
      title: col.holds_note || "" }, HOLDS[col.holds] ?? (col.holds || "")),
    h("td", { class: col.missing ? "stratum-missing" : "" }, String(col.missing)),
    h("td", { class: "stratum-examples" }, col.examples.join(", ")));
}

/** What the form says a column is: the target, dropped, a declared kind, else its kind as
 * inferred from its dtype. */
function columnRole(data, table, col) {
  const target = data.target || table.default_target;
  if (target === col.name) return TARGET_ROLE;
  if ((data.drop || []).includes(col.name)) return DROPPED_ROLE;
  return (data.roles || {})[col.name] || col.kind;
}

/** Record a column's new role in the form's data (one place per column) and redraw. */
function setColumnRole(v, col, role) {
  const data = v.form.data;
  const roles = { ...(data.roles || {}) };
  delete roles[col.name];
  data.drop = (data.drop || []).filter((name) => name !== col.name);
  if (data.target === col.name) data.target = "";
  if (role === TARGET_ROLE) data.target = col.name;
  else if (role === DROPPED_ROLE) data.drop.push(col.name);
  else if (role !== col.kind) roles[col.name] = role;
  data.roles = roles;
  commit(v, true);
}
