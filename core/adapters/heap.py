"""Keep full garbage collections off the click path: freeze the long-lived heap once it is loaded.

Why: once TensorFlow is imported the process holds millions of tracked objects, and a full
collection walks all of them (~200 ms with the GIL held on a 2-core machine). Streamlit runs two
after every script run (``keras.backend.clear_session()`` in ``ScriptRunner`` whenever ``keras``
is imported, then ``runner.postScriptGC``). ``gc.freeze()`` moves every object alive now into a
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

No Streamlit here: ``app.py`` calls :func:`freeze_if_needed` at the end of every run, and the
cache adapter calls :func:`request_freeze` after it loads a shared model.
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

_lock = threading.Lock()
_requested = False
_heavy_seen = False
_freezes = 0
_frozen_at: float | None = None


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
    global _requested, _heavy_seen, _freezes, _frozen_at
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
        _frozen_at = time.monotonic()
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
