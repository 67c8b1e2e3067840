"""Keep full garbage collections off the click path: freeze the long-lived heap once it is loaded, and
collect the rest at most every :data:`COLLECT_EVERY_S` seconds per process, not after every run.

Why: once TensorFlow is imported the process holds millions of tracked objects, and a full
collection walks all of them (~200 ms with the GIL held on a 2-core machine). Streamlit would run two
after every script run (``keras.backend.clear_session()`` in ``ScriptRunner`` whenever ``keras``
is imported, which :mod:`core.adapters.streamlit_patches` turns off, and ``runner.postScriptGC``,
which ``.streamlit/config.toml`` turns off). ``gc.freeze()`` moves every object alive now into a
permanent generation that collections skip (Python's documented idiom: collect, then freeze, once
the heavy start-up is done), so later collections only walk what was allocated since: the
sessions' own, short-lived objects, which are still collected.

Freeze once after TensorFlow, Keras and the shared models are loaded, and again after a new
shared model is cached; never on every run (that would keep every session's cyclic garbage
forever). What a freeze pins: a model evicted from a cache after it was frozen (the caches are
bounded, so at most their ``max_entries`` models), and the state of the sessions open at that
moment (their session-state dict is frozen, so what they store later stays reachable from it).
So at most every :data:`REFREEZE_S` seconds after a freeze, the next run end thaws the heap,
collects it in full once (~200 ms) and freezes it again: sessions that ended since are freed.

Even unfrozen, what a classroom's sessions allocate is a large heap: a full collection after every
run (Streamlit's ``postScriptGC``) cost about a quarter of a follower's run with 30 sessions open
(``bench/bench_follow.py``, py-spy with ``--gil``). So the end of a run collects in full only when the
last full collection is :data:`COLLECT_EVERY_S` seconds old: cyclic garbage lives a few seconds
longer, Python's own generational collections still run as they always do, and the cost no longer
grows with the number of runs.

No Streamlit here: ``app.py`` calls :func:`after_run` at the end of every run, and the cache adapter
calls :func:`request_freeze` after it loads a shared model.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time

#: Modules whose first import makes the heap large enough to freeze.
HEAVY_MODULES = ("tensorflow", "keras")

#: Seconds after a freeze when the next run end may thaw, collect and freeze again.
REFREEZE_S = float(os.environ.get("NEURAL_EXPLAINER_REFREEZE_S", 600))
#: Seconds after a full collection when the next run end collects in full again.
COLLECT_EVERY_S = float(os.environ.get("NEURAL_EXPLAINER_COLLECT_EVERY_S", 2.0))

_lock = threading.Lock()
_requested = False
_heavy_seen = False
_freezes = 0
_frozen_at: float | None = None
_collected_at = 0.0
_collections = 0


def after_run(*, now: float | None = None) -> str | None:
    """What the end of a script run does: freeze (:func:`freeze_if_needed`), or else a full collection
    when the last one is :data:`COLLECT_EVERY_S` seconds old (one run at a time does it; the others
    go on). Returns ``"freeze"``, ``"collect"`` or None."""
    global _collected_at, _collections
    if freeze_if_needed():
        return "freeze"
    now = time.monotonic() if now is None else now
    if now - _collected_at < COLLECT_EVERY_S or not _lock.acquire(blocking=False):
        return None
    try:
        if now - _collected_at < COLLECT_EVERY_S:
            return None
        gc.collect()
        _collected_at, _collections = time.monotonic(), _collections + 1
        return "collect"
    finally:
        _lock.release()


def request_freeze() -> None:
    """Ask for a freeze at the end of the current script run (a shared model was just loaded)."""
    global _requested
    _requested = True


def freeze_if_needed() -> bool:
    """Collect and freeze if a heavy module appeared or a freeze was requested since the last one,
    or thaw, collect and refreeze when the last freeze is older than :data:`REFREEZE_S`.

    Cheap when there is nothing to do (a few flag checks). Thread-safe: concurrent script runs
    freeze at most once between them.

    Returns
    -------
    bool
        Whether this call froze the heap.
    """
    global _requested, _heavy_seen, _freezes, _frozen_at, _collected_at
    if not _due():
        return False
    with _lock:
        if not _due():
            return False
        _requested = False
        _heavy_seen = _heavy_seen or any(name in sys.modules for name in HEAVY_MODULES)
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _freezes += 1
        _frozen_at = _collected_at = time.monotonic()
    return True


def _due() -> bool:
    if _requested:
        return True
    if not _heavy_seen and any(name in sys.modules for name in HEAVY_MODULES):
        return True
    return _frozen_at is not None and time.monotonic() - _frozen_at > REFREEZE_S


def freeze_count() -> int:
    """How many times this process froze its heap (for tests and the benchmark)."""
    return _freezes


def collection_count() -> int:
    """How many full collections :func:`after_run` made in this process (for tests)."""
    return _collections
