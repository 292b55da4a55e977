// The live monitor panel: BokehJS (inline, from the kernel: no CDN) renders the figure the
// kernel built; the kernel then sends small "ops" (stream rows with a rollover, replace a
// bar chart's data, set its factors) over the widget's comm, applied to the same models.

function loadBokeh(model) {
  const version = model.get("_bokeh_version");
  if (window.Bokeh && window.Bokeh.version === version) return Promise.resolve(window.Bokeh);
  const key = "__stratumBokeh_" + version;
  if (!window[key]) {
    window[key] = new Promise((resolve, reject) => {
      try {
        // A classic script, so BokehJS's bundle defines window.Bokeh as it expects.
        for (const code of model.get("_bokeh_js")) {
          const script = document.createElement("script");
          script.textContent = code;
          document.head.appendChild(script);
        }
        if (!window.Bokeh) throw new Error("BokehJS did not load");
        resolve(window.Bokeh);
      } catch (err) {
        reject(err);
      }
    });
  }
  return window[key];
}

function applyOps(doc, ops) {
  for (const op of ops) {
    const target = doc.get_model_by_name(op.target);
    if (!target) continue;
    if (op.kind === "stream") target.stream(op.data, op.rollover ?? undefined);
    else if (op.kind === "replace") target.data = op.data;
    else if (op.kind === "factors") target.factors = op.factors;
  }
}

function countPoints(doc) {
  for (const m of doc.all_models) {
    if (m.name && m.name.startsWith("ts-")) return m.get_length() ?? 0;
  }
  return 0;
}

async function render({ model, el }) {
  el.classList.add("stratum-monitor");
  el.setAttribute("data-testid", "stratum-monitor");
  const status = document.createElement("div");
  status.className = "stratum-monitor-status";
  status.style.cssText = "font: 12px sans-serif; color: #555; margin: 2px 0";
  const target = document.createElement("div");
  el.append(status, target);

  let Bokeh;
  try {
    Bokeh = await loadBokeh(model);
  } catch (err) {
    status.textContent = "stratum monitor: could not load BokehJS: " + err;
    return;
  }
  const views = await Bokeh.embed.embed_item(JSON.parse(model.get("_doc")), target);
  const doc = views.roots[0].model.document;
  const show = () => {
    const points = countPoints(doc);
    el.dataset.points = String(points);
    status.textContent = model.get("_status") + (model.get("running") ? "" : " (stopped)");
  };
  show();
  const onMessage = (msg) => {
    if (msg && msg.type === "ops") {
      applyOps(doc, msg.ops);
      show();
    }
  };
  model.on("msg:custom", onMessage);
  model.on("change:running", show);
  model.on("change:_status", show);
  // A view made after the monitor started (a reloaded page, a second view) asks the
  // kernel for the current data; the kernel answers with "replace" ops.
  model.send({ type: "hello" });
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:running", show);
    model.off("change:_status", show);
    for (const view of views.roots) view.remove();
  };
}

export default { render };
