// The builder's state kept in the notebook (see stratum_jupyter/widgets/state.py). A part of
// the builder's one ES module (see stratum_jupyter/widgets/esm.py).
//
// The kernel composes the state (the `saved` trait); this view hands it to the frontend
// with a bubbling, cancelable DOM event `stratum:builder-state`, which the stratum-jupyter
// labextension handles by writing it into the metadata of the cell the view is in
// (detail.action "save"), or by reading it back (detail.action "load": it sets
// detail.state). Several builders in one cell are told apart by their order (detail.slot).
// Without the extension nobody handles the event and nothing is kept (the builder works
// as before).

const STATE_EVENT = "stratum:builder-state";

/** Ask the frontend for `detail`; true when it handled it. */
function stateRequest(v, detail) {
  const event = new CustomEvent(STATE_EVENT, { bubbles: true, cancelable: true,
                                               composed: true, detail });
  return !v.el.dispatchEvent(event) && !!detail.handled;
}

/** This view's position among the builders of its cell (0 for the first). */
function stateSlot(v) {
  const cell = v.el.closest(".jp-Cell") || v.el.parentElement;
  if (!cell) return 0;
  const hosts = [...cell.querySelectorAll(".stratum-builder-host")];
  return Math.max(0, hosts.indexOf(v.el));
}

/** Once the view is in the page: ask for the cell's saved state (the kernel decides whether
 * it applies), then keep the cell's copy up to date with every change of `saved`. */
function connectState(v) {
  v.el.classList.add("stratum-builder-host");
  v.stateReady = false;
  let tries = 0;
  const attempt = () => {
    if (v.closed) return;
    if (!v.el.isConnected && tries++ < 100) {  // anywidget renders before attaching
      setTimeout(attempt, 100);
      return;
    }
    if (v.model.get("restore")) {
      const detail = { action: "load", slot: stateSlot(v), state: null, handled: false };
      if (stateRequest(v, detail) && detail.state) {
        v.pressed = true;  // what the student built before: its issues are shown at once
        v.model.send({ event: "restore", state: detail.state });
      }
    }
    v.stateReady = true;
    saveState(v);
  };
  attempt();
}

function saveState(v) {
  if (!v.stateReady || v.closed) return;
  const state = v.model.get("saved");
  if (!state || !state.form) return;
  stateRequest(v, { action: "save", slot: stateSlot(v), state, handled: false });
}
