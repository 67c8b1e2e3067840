// A live session's follower waits in the browser (Streamlit components v2, no iframe, nothing fetched
// from outside): it asks the app's route data.url for the room's version, naming the one this page
// shows (data.version; the server answers when it is another, or after its wait), and sends the
// trigger "check" (Python reruns the follower's page once: it reads the room and shows the lecturer's
// view) only when the version differs or, while the route does not answer, every data.fallback_ms.
// Nothing runs in Python between changes but the follower's heartbeat (a timed fragment of its own).
// A hidden tab stops asking and asks at once when it is shown again.
export default function ({ data, setTriggerValue, parentElement }) {
  const host = parentElement && (parentElement.host || parentElement);
  const own = host && host.closest && host.closest('[data-testid="stElementContainer"]');
  if (own) own.style.display = "none";
  // One loop per mounted element: a new render with new data only updates what the loop reads.
  const loop = (host && host.__neFollow) || { timer: null, asked: performance.now(), errors: 0 };
  if (host) host.__neFollow = loop;
  loop.data = data;
  loop.trigger = setTriggerValue;
  loop.pending = false;                      // a new render answered the last check

  const ask = (why) => {
    loop.asked = performance.now();
    loop.pending = true;
    loop.trigger("check", `${why}:${Date.now()}`);
  };
  const tick = async () => {
    loop.timer = null;
    const d = loop.data;
    let delay = d.poll_ms;
    if (!document.hidden) {
      const sent = performance.now(), shows = loop.data.version;
      try {
        // the server holds the request until the version is not the one this page shows (long poll)
        const response = await fetch(`${d.url}?v=${encodeURIComponent(shows ?? "")}`,
                                     { cache: "no-store", credentials: "same-origin" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = await response.json();
        loop.errors = 0;
        // a check asked for and not yet answered by a new render is not asked again for a while
        const waiting = loop.pending && performance.now() - loop.asked < Math.max(4 * d.poll_ms, 10000);
        if (body.v !== loop.data.version && !waiting) ask("changed");
        else if (body.v === loop.data.version && performance.now() - sent > d.poll_ms) delay = 0;
      } catch (err) {
        loop.errors += 1;                    // no route on this worker, or the network: back off
        delay = Math.min(d.poll_ms * 2 ** loop.errors, d.fallback_ms);
        if (performance.now() - loop.asked >= d.fallback_ms) ask("fallback");
      }
    }
    if (host && host.__neFollow === loop) loop.timer = setTimeout(tick, delay);
  };
  const shown = () => {
    if (!document.hidden && loop.timer !== null) {
      clearTimeout(loop.timer);
      loop.timer = setTimeout(tick, 0);
    }
  };
  if (loop.timer === null && !loop.started) {
    loop.started = true;
    loop.timer = setTimeout(tick, Math.random() * data.poll_ms);   // followers spread over the interval
    document.addEventListener("visibilitychange", shown);
    loop.shown = shown;
  }
  return () => {
    if (loop.timer !== null) clearTimeout(loop.timer);
    loop.timer = null;
    document.removeEventListener("visibilitychange", loop.shown);
    if (host && host.__neFollow === loop) delete host.__neFollow;
  };
}
