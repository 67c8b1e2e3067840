// Forward a touch tap on a Plotly chart of the page to Python (Streamlit components v2, no iframe).
// st.plotly_chart forwards only selections, and a tap never selects: this listens to the chart whose
// Streamlit key is data.chart and sends the tap as the point of its "pick" trace nearest to the finger
// ({x, y, point_index, curve_number, customdata}), or the tap's own data coordinates if it has none.
// Mouse clicks are left to the chart's selection, so a click is never counted twice, except where
// data.mouse is set (a picture with no pick trace, which has no selection): there a click is sent too.
export default function ({ data, setTriggerValue, parentElement }) {
  // Nothing to see: take this element's container out of the layout (no empty gap under the chart).
  const host = parentElement && (parentElement.host || parentElement);
  const own = host && host.closest && host.closest('[data-testid="stElementContainer"]');
  if (own) own.style.display = "none";
  const MAX_MOVE = 12, MAX_MS = 700;       // a tap, not a scroll or a long press
  let start = null;
  let gd = null;

  const nearestPick = (fl, xa, ya, px, py) => {
    let best = null;
    for (const t of gd._fullData) {
      if (t.name !== "pick" || t.visible !== true || !t.x) continue;
      const txa = fl[t.xaxis.replace("x", "xaxis")], tya = fl[t.yaxis.replace("y", "yaxis")];
      if (txa !== xa || tya !== ya) continue;
      for (let i = 0; i < t.x.length; i++) {
        const dx = xa.l2p(t.x[i]) - px, dy = ya.l2p(t.y[i]) - py, d = dx * dx + dy * dy;
        if (!best || d < best.d) best = { d, trace: t, i };
      }
    }
    if (!best) return null;
    const { trace, i } = best;
    const point = { x: Number(trace.x[i]), y: Number(trace.y[i]), point_index: i, point_number: i,
                    curve_number: trace.index };
    const custom = trace.customdata ? trace.customdata[i] : undefined;   // a row of a 2-D array may be a typed array
    if (custom !== undefined && custom !== null) point.customdata = typeof custom === "object" && "length" in custom
      ? Array.from(custom, Number) : [Number(custom)];
    return point;
  };

  const ours = (e) => e.pointerType === "touch" || (data.mouse && e.button === 0);
  const onDown = (e) => {
    start = ours(e) ? { x: e.clientX, y: e.clientY, t: e.timeStamp } : null;
  };
  const onUp = (e) => {
    if (!ours(e) || !start || !gd || !gd._fullLayout) return;
    const moved = Math.hypot(e.clientX - start.x, e.clientY - start.y), ms = e.timeStamp - start.t;
    start = null;
    if (moved > MAX_MOVE || ms > MAX_MS) return;
    const fl = gd._fullLayout, r = gd.getBoundingClientRect();
    const sub = fl._plots && Object.values(fl._plots).find(p => {
      const px = e.clientX - r.left - p.xaxis._offset, py = e.clientY - r.top - p.yaxis._offset;
      return px >= 0 && px <= p.xaxis._length && py >= 0 && py <= p.yaxis._length;
    });
    if (!sub) return;                                           // outside every plot area
    const xa = sub.xaxis, ya = sub.yaxis;
    const px = e.clientX - r.left - xa._offset, py = e.clientY - r.top - ya._offset;
    const point = nearestPick(fl, xa, ya, px, py) || { x: xa.p2l(px), y: ya.p2l(py) };
    point.tap = e.timeStamp;                                    // two taps on one cell are two events
    setTriggerValue("tap", point);
  };

  // pointerup is heard on the window: for a mouse, Plotly covers the page with its drag layer on
  // pointerdown, so the button comes up outside the chart (a touch's pointerup stays on the chart).
  const attach = () => {
    const box = document.querySelector(`.st-key-${CSS.escape(data.chart)}`);
    const found = box && box.querySelector(".js-plotly-plot");
    if (found === gd) return;
    if (gd) gd.removeEventListener("pointerdown", onDown, true);
    gd = found;
    if (gd) gd.addEventListener("pointerdown", onDown, true);
  };
  attach();
  window.addEventListener("pointerup", onUp, true);
  const timer = setInterval(attach, 400);       // the chart mounts after this element, and is redrawn on reruns
  return () => {
    clearInterval(timer);
    window.removeEventListener("pointerup", onUp, true);
    if (gd) gd.removeEventListener("pointerdown", onDown, true);
  };
}
