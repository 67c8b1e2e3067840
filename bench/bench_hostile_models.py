"""Benchmark the hostile ``.keras`` uploads of a lecture hall, before and after the upload checker.

Run: ``.venv/bin/python bench/bench_hostile_models.py [--limit-gb 6] [--timeout 180]``

For each file (three hostile ones from ``tests/core/hostile_models.py``, a model at the limits
(512 × 512 × 4 input, 4.95 M parameters: the costliest file the checker accepts) and, as the
reference, a normal small CNN saved by Keras) and each loader, a fresh child process capped with
``RLIMIT_AS`` (so a hostile file cannot take the machine down) imports Keras, then loads the file:

- **before**: ``keras.saving.load_model(path, compile=False, safe_mode=True)``, what the app called
  until the checker existed;
- **after**: ``core.models.upload.load_user_model(data)``, twice (the second call is a rerun of the
  same file: a refusal is remembered by SHA-256).

It prints wall time and the peak resident memory added by the load (``VmHWM``, reset once Keras
is imported and the file read, minus the RSS at that moment), and the ratios against the reference
file loaded the same way in the same run. Timings are this machine's; compare ratios, not seconds.
Under the cap an allocation larger than the cap fails before it touches memory, so a file that
asks for more than ``--limit-gb`` shows a small peak and an error: that is the cap, not the file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _status_mb(field: str) -> float:
    """``VmRSS`` / ``VmHWM`` (peak) of this process in MiB, from Linux's /proc/self/status."""
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start the peak (VmHWM) over from the current RSS (Linux >= 4.0), so the import is not counted."""
    with open("/proc/self/clear_refs", "w", encoding="utf-8") as f:
        f.write("5")


def child(mode: str, path: str, limit_gb: float) -> dict:
    """Load ``path`` once (twice for "after") in this process, capped at ``limit_gb`` of address space."""
    limit = int(limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import keras  # noqa: F401 - the import is not what is measured

    from core.models import upload

    data = Path(path).read_bytes()
    _reset_peak()
    base = _status_mb("VmRSS")
    times, outcome = [], "loaded"
    for _ in range(2 if mode == "after" else 1):
        start = time.perf_counter()
        try:
            if mode == "before":
                keras.saving.load_model(path, compile=False, safe_mode=True)
            else:
                upload.load_user_model(data)
        except upload.ModelLoadError as exc:
            outcome = f"refused: {exc}"
        except BaseException as exc:  # noqa: BLE001 - MemoryError, ResourceExhaustedError, ...
            outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        times.append(time.perf_counter() - start)
    return {"seconds": times, "peak_mb": _status_mb("VmHWM") - base, "outcome": outcome}


def run_child(mode: str, path: Path, limit_gb: float, timeout: float) -> dict:
    cmd = [
        "nice",
        "-n",
        "15",
        sys.executable,
        __file__,
        "--child",
        mode,
        str(path),
        "--limit-gb",
        str(limit_gb),
    ]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        )
    except subprocess.TimeoutExpired:
        return {"seconds": [timeout], "peak_mb": float("nan"), "outcome": f"killed after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    tail = (proc.stderr.strip().splitlines() or ["?"])[-1][:120]
    return {
        "seconds": [time.perf_counter() - start],
        "peak_mb": float("nan"),
        "outcome": f"child died (exit {proc.returncode}): {tail}",
    }


def make_files(folder: Path) -> dict[str, Path]:
    import keras

    from tests.core import hostile_models as hm

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(16, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = keras.layers.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    reference = keras.Model(inputs, keras.layers.Dense(10, name="out")(x), name="reference_cnn")
    reference.save(folder / "reference.keras")
    inputs = keras.Input((512, 512, 4))  # at the limits: the costliest accepted file
    x = keras.layers.Conv2D(16, 3, strides=2, activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(4, name="pool")(x)
    largest = keras.Model(inputs, keras.layers.Dense(78, name="out")(keras.layers.Flatten(name="flat")(x)))
    largest.save(folder / "largest.keras")
    small = keras.saving.deserialize_keras_object(hm.small_config())
    small.save(folder / "small.keras")
    real = zipfile.ZipFile(folder / "small.keras").read("model.weights.h5")
    return {
        "reference (small CNN)": folder / "reference.keras",
        "Dense(100000) after conv": hm.wide_dense(folder / "wide_dense.keras"),
        "4096x4096x1 input": hm.huge_input(folder / "huge_input.keras"),
        "1 GiB weights file": hm.weights_bomb(folder / "weights_bomb.keras", real),
        f"largest accepted ({largest.count_params() / 1e6:.2f} M)": folder / "largest.keras",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-gb", type=float, default=6.0, help="address-space cap of each child (GiB)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a child is killed")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, args.limit_gb)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        files = make_files(Path(tmp))
        results = {
            (name, mode): run_child(mode, path, args.limit_gb, args.timeout)
            for name, path in files.items()
            for mode in ("before", "after")
        }
        sizes = {name: path.stat().st_size for name, path in files.items()}
    ref = {mode: results["reference (small CNN)", mode] for mode in ("before", "after")}
    print(
        f"Hostile .keras uploads, each load in a fresh child capped at {args.limit_gb:g} GiB of address "
        f"space (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n"
    )
    print(
        f"{'file':26} {'on disk':>10} | {'loader':6} {'time':>9} {'x ref':>7} {'peak +MB':>9} "
        f"{'x ref':>7} {'rerun':>9} | outcome"
    )
    for name in files:
        for mode in ("before", "after"):
            r = results[name, mode]
            t, rerun = r["seconds"][0], (f"{r['seconds'][1] * 1e3:7.2f}ms" if len(r["seconds"]) > 1 else "")
            rt = t / ref[mode]["seconds"][0]
            rm = r["peak_mb"] / ref[mode]["peak_mb"] if ref[mode]["peak_mb"] > 0 else float("nan")
            print(
                f"{name:26} {sizes[name]:>10,} | {mode:6} {t * 1e3:7.1f}ms {rt:7.2f} {r['peak_mb']:9.1f} "
                f"{rm:7.2f} {rerun:>9} | {r['outcome'][:110]}"
            )
    print(
        "\n'x ref': ratio to the reference file loaded by the same loader in the same run; 'peak +MB': "
        "peak RSS during the load minus the RSS before it (Keras imported); 'rerun': the same file again "
        "(after only: remembered refusals are not read again)."
    )


if __name__ == "__main__":
    main()
