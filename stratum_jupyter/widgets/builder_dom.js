// The builder view's DOM and state helpers. A part of the builder's one ES module (see
// stratum_jupyter/widgets/esm.py): no import or export here, the parts share one scope.
//
// `v`, passed to every function of the view, is one rendered view's state:
//   model, el: what anywidget gives render(); nodes: the layout's elements (builder.js);
//   form: the form being edited (synced to the kernel by commit);
//   selected: {c, s}, the step whose parameters the inspector shows, or null;
//   activeCandidate: where a clicked palette block goes; filter: the palette's search text;
//   columnsOpen: whether the user opened (true) or closed (false) the table, null: neither.

const BLOCK_MIME = "application/x-stratum-block";
const STEP_MIME = "application/x-stratum-step";
const INSERT_EVENT = "stratum:insert-cells";
// What the kernel sends in `catalog` (widgets/palette.py): kinds, tasks and searches come
// from Python, never typed here.
const EMPTY_CATALOG = { blocks: [], metrics: [], kinds: [], tasks: [], searches: [] };

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
function formatPath(path) {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : String(part);
  }
  return out || "<spec>";
}

const clone = (value) => JSON.parse(JSON.stringify(value));

/** The empty slot where the validator's messages about `fieldPath` are shown. */
function issueSlot(fieldPath) {
  return h("div", { class: "stratum-issue", "data-issue-for": fieldPath });
}

/** A control with its label and the issue slot of its field. */
function labelled(label, fieldPath, control) {
  return h("label", { class: "stratum-field" },
    h("span", { class: "stratum-label" }, label), control, issueSlot(fieldPath));
}

/** A text field bound to a form setter, with its issue slot. */
function field(v, label, fieldPath, value, onValue, attrs = {}) {
  // The placeholder is also the tooltip: a narrow field still tells what it takes.
  const input = h("input", { type: "text", value: value ?? "", "data-field": fieldPath,
                             "aria-label": label, title: attrs.placeholder, ...attrs,
                             oninput: (e) => { onValue(e.target.value); commit(v, false); } });
  return labelled(label, fieldPath, input);
}

/** The <option>s of a <select>, `current` selected. */
function options(values, current) {
  return values.map((value) => h("option", { value, selected: value === current }, value));
}

/** An icon button whose click does not also select what it sits on. */
function iconButton(title, label, icon, onClick, attrs = {}) {
  return h("button", { class: "stratum-icon", title, "aria-label": label, ...attrs,
    onclick: (e) => { e.stopPropagation(); onClick(); } }, icon);
}

/** Send the form to the kernel (which validates it); redraw the editor when asked. */
function commit(v, redraw) {
  v.model.set("form", clone(v.form));
  v.model.save_changes();
  if (redraw) draw(v);
}

function catalog(v) {
  return { ...EMPTY_CATALOG, ...(v.model.get("catalog") || {}) };
}

function blockInfo(v, name) {
  return catalog(v).blocks.find((b) => b.name === name);
}

/** A palette group's title: transformer -> Transformers. */
function kindLabel(kind) {
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)}s`;
}

/** "C=0.1, 1; max_iter=1000": the parameters a step sets ("" when none), for its card. */
function paramSummary(step) {
  return Object.entries(step.params || {}).filter(([, value]) => String(value).trim())
    .map(([name, value]) => `${name}=${value}`).join("; ");
}
