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
forever). A model evicted from a cache after it was frozen is not freed: the caches are bounded,
so this costs at most their ``max_entries`` models.

No Streamlit here: ``app.py`` calls :func:`freeze_if_needed` at the end of every run, and the
cache adapter calls :func:`request_freeze` after it loads a shared model.
"""
from __future__ import annotations

import gc
import sys
import threading

#: Modules whose first import makes the heap large enough to freeze.
HEAVY_MODULES = ("tensorflow", "keras")

_lock = threading.Lock()
_requested = False
_heavy_seen = False
_freezes = 0


def request_freeze() -> None:
    """Ask for a freeze at the end of the current script run (a shared model was just loaded)."""
    global _requested
    _requested = True


def freeze_if_needed() -> bool:
    """Collect and freeze once if a heavy module appeared or a freeze was requested since the last.

    Cheap when there is nothing to do (two flag checks). Thread-safe: concurrent script runs
    freeze at most once between them.

    Returns
    -------
    bool
        Whether this call froze the heap.
    """
    global _requested, _heavy_seen, _freezes
    heavy_now = any(name in sys.modules for name in HEAVY_MODULES)
    if not _requested and (_heavy_seen or not heavy_now):
        return False
    with _lock:
        if not _requested and (_heavy_seen or not heavy_now):
            return False
        _requested, _heavy_seen = False, _heavy_seen or heavy_now
        gc.collect()
        gc.freeze()
        _freezes += 1
    return True


def freeze_count() -> int:
    """How many times this process froze its heap (for tests and the benchmark)."""
    return _freezes
