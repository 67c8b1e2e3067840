"""Benchmark: what a hostile student's input costs the server, before and after the input bounds.

Run: ``.venv/bin/python bench/bench_hostile_inputs.py [--repeats N] [--megapixels MP]``

Three inputs a crafted websocket message can send (a browser cannot: the text box stops at
``max_chars``, the canvas sends its own size, a fixed grid has no "add row"):

* **paste**: 4 MB of ``[1, 1, 1, ...]`` in the Layer arithmetic page's "Array" box. *Before*: the
  old ``parse_array`` (``ast.literal_eval`` of all of it, then the 256-value cap). *After*:
  :func:`core.maths.tensors.parse_array`, which refuses it by its length.
* **canvas**: a 30-megapixel PNG (white with one black bar: ~170 kB) as the drawing canvas' data
  URL. *Before*: what ``CanvasResult.image_data`` did (decode it all) and the page's next step
  (``preprocess_digit``). *After*: the widget's path, :func:`core.data.drawing.decode_drawing`.
* **editor**: 10,000 rows added to the typed-matrix grid (6 x 6, fixed). *Before*: ``st.data_editor``
  applying them (an AppTest rerun of a script with the old grid). *After*: the same rerun through
  :func:`core.adapters.image_input.matrix_editor`, which checks the state first.

Each case also runs a **reference** in the same run: the legitimate input of the same kind (the
page's default array, a 280 x 280 drawing, a one-cell edit). Every measurement runs in a fresh
process: the time is the median of ``--repeats`` runs (one run when it takes over 5 s); "peak MB" is the
process' peak resident
memory above its resident memory just before the call; "stall ms" is the longest gap seen by
another Python thread ticking every millisecond (the interpreter lock held: every other session on
the worker waits that long).
"""

from __future__ import annotations

import argparse
import ast
import base64
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

CASES = ("paste", "canvas", "editor")
MODES = ("reference", "before", "after")


def status_mb(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in MB (Linux)."""
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def reset_peak() -> None:
    """Start a new peak-resident count (``VmHWM``) at the current resident size (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def measure(action) -> dict:
    """Seconds, peak resident MB above the start, and the longest stall of another thread."""
    ticks, stop = [], threading.Event()

    def ticker():
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            ticks.append(now - last)
            last = now

    thread = threading.Thread(target=ticker, daemon=True)
    reset_peak()
    before = status_mb("VmRSS")
    thread.start()
    time.sleep(0.01)
    start = time.perf_counter()
    outcome = action()
    seconds = time.perf_counter() - start
    stop.set()
    thread.join()
    peak = status_mb("VmHWM") - before
    return {
        "seconds": seconds,
        "peak_mb": max(peak, 0.0),
        "stall_ms": 1000 * max(ticks, default=0),
        "outcome": outcome,
    }


def refused(fn) -> str:
    try:
        fn()
    except ValueError as exc:
        return f"refused: {str(exc)[:70]}"
    return "accepted"


# --- paste -----------------------------------------------------------------------------------------

PASTE = "[" + "1, " * (4 * 2**20 // 3) + "1]"


def old_parse_array(text: str) -> np.ndarray:
    """``core.maths.tensors.parse_array`` before the length check (its body, verbatim)."""
    try:
        value = ast.literal_eval(str(text).strip().replace("−", "-"))
        arr = np.array(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError("not an array") from None
    if arr.size > 256:
        raise ValueError(f"At most 256 values here, got {arr.size}.")
    return arr


def paste_case(mode: str):
    from core.maths.tensors import parse_array

    return {
        "reference": lambda: refused(lambda: parse_array("[[1], [2], [3]]")),
        "before": lambda: refused(lambda: old_parse_array(PASTE)),
        "after": lambda: refused(lambda: parse_array(PASTE)),
    }[mode]


# --- canvas ----------------------------------------------------------------------------------------


def png_bytes(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def canvas_case(mode: str, megapixels: float):
    from PIL import Image

    from core.adapters.widgets.canvas import drawn_pixels
    from core.data.digit_input import preprocess_digit
    from core.data.drawing import decode_drawing

    if mode == "reference":
        pixels = np.full((280, 280, 4), 255, np.uint8)
        pixels[60:220, 130:150, :3] = 0
        data = png_bytes(Image.fromarray(pixels))
    else:
        side = int(round((megapixels * 1e6) ** 0.5))
        img = Image.new("RGBA", (side, side), (255, 255, 255, 255))  # RGBA, as the canvas sends
        img.paste(
            (0, 0, 0, 255), (side // 2 - side // 28, side // 6, side // 2 + side // 28, 5 * side // 6)
        )  # a "1"
        data = png_bytes(img)
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    print(json.dumps({"note": f"canvas {mode}: PNG of {len(data):,} bytes"}), file=sys.stderr)

    def old_path():  # CanvasResult.image_data, then the page's next step
        _, encoded = url.split(";base64,", 1)
        pixels = drawn_pixels(np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded)))))
        return preprocess_digit(pixels)[-1][1].shape

    def new_path():  # core.adapters.widgets.canvas.digit_canvas's path
        _, encoded = url.split(";base64,", 1)
        pixels = drawn_pixels(decode_drawing(base64.b64decode(encoded), width=280, height=280))
        return preprocess_digit(pixels)[-1][1].shape

    return {
        "reference": lambda: refused(new_path),
        "before": lambda: refused(old_path),
        "after": lambda: refused(new_path),
    }[mode]


# --- editor ----------------------------------------------------------------------------------------


def old_grid_script():
    import numpy as np
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame(np.zeros((6, 6), np.float32), columns=[str(c) for c in range(6)])
    edited = st.data_editor(frame, key="b_matrix", hide_index=False, width="content")
    st.session_state["shape"] = edited.shape


def new_grid_script():
    import streamlit as st

    from core.adapters import image_input

    st.session_state["shape"] = image_input.matrix_editor("b_matrix", None).shape


def editor_case(mode: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetStates
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(
        old_grid_script if mode == "before" else new_grid_script, default_timeout=600
    ).run()
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    state = states.widgets.add()
    state.id = next(
        e.proto.id
        for e in at._tree[0].children.values()
        if getattr(getattr(e, "proto", None), "id", "").endswith("-b_matrix")
    )
    added = [] if mode == "reference" else [{"0": 1.0, "1": 2.0}] * 10_000
    edits = {"2": {"3": 7.0}} if mode == "reference" else {}
    state.string_value = json.dumps({"edited_rows": edits, "added_rows": added, "deleted_rows": []})

    def rerun():
        at._run(states)
        return f"grid {at.session_state['shape']}" + (", refused" if at.warning else "")

    return rerun


# --- driver ----------------------------------------------------------------------------------------


def child(case: str, mode: str, megapixels: float) -> None:
    action = {
        "paste": lambda: paste_case(mode),
        "canvas": lambda: canvas_case(mode, megapixels),
        "editor": lambda: editor_case(mode),
    }[case]()
    print(json.dumps(measure(action)))


def run_child(case: str, mode: str, megapixels: float) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, mode, "--megapixels", str(megapixels)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--megapixels", type=float, default=30.0)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--child", nargs=2, metavar=("CASE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.megapixels)
        return
    print(
        f"{'case':8s} {'mode':10s} {'median s':>9s} {'x ref':>8s} {'peak MB':>8s} {'stall ms':>9s}  outcome"
    )
    for case in args.cases:
        ref = None
        for mode in MODES:
            runs = [run_child(case, mode, args.megapixels)]
            while len(runs) < args.repeats and runs[0]["seconds"] < 5:  # a run over 5 s is not repeated
                runs.append(run_child(case, mode, args.megapixels))
            seconds = statistics.median(r["seconds"] for r in runs)
            ref = seconds if mode == "reference" else ref
            print(
                f"{case:8s} {mode:10s} {seconds:9.4f} {seconds / ref:8.1f} "
                f"{max(r['peak_mb'] for r in runs):8.1f} "
                f"{max(r['stall_ms'] for r in runs):9.1f}  {runs[0]['outcome']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
