"""Benchmark: NumPy ``cross_correlate2d`` vs ``tf.nn.conv2d`` and ``scipy.ndimage.correlate``.

Run: ``.venv/bin/python bench/bench_convolution.py [--repeats N]``

1024×1024 float32 images, grayscale and RGB, 3×3 and 7×7 kernels, one output feature map,
'same' zero padding, stride 1. Times are the median of N runs after a warm-up; ratios are
against ``tf.nn.conv2d`` measured in the same run (goal: ≤ 2× for 3×3 RGB).
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
import scipy.ndimage as ndi  # noqa: E402

from core.maths.convolution import cross_correlate2d  # noqa: E402


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()

    import tensorflow as tf

    rng = np.random.default_rng(0)
    rows = []
    for channels in (1, 3):
        image = rng.random((args.size, args.size, channels), dtype=np.float32)
        for k in (3, 7):
            kernel = rng.standard_normal((k, k, channels)).astype(np.float32)
            x_tf = tf.constant(image[None])
            k_tf = tf.constant(kernel[:, :, :, None])
            ours = cross_correlate2d(image, kernel, padding="same")
            ref = tf.nn.conv2d(x_tf, k_tf, strides=1, padding="SAME").numpy()[0, :, :, 0]
            sp = ndi.correlate(image, kernel, mode="constant", cval=0.0)[:, :, channels // 2]
            assert np.allclose(ours, ref, atol=1e-3), "NumPy and TensorFlow disagree"
            assert np.allclose(ours, sp, atol=1e-3), "NumPy and SciPy disagree"
            t_np = median_time(
                lambda image=image, kernel=kernel: cross_correlate2d(image, kernel, padding="same"),
                args.repeats,
            )
            t_tf = median_time(
                lambda x_tf=x_tf, k_tf=k_tf: tf.nn.conv2d(x_tf, k_tf, strides=1, padding="SAME").numpy(),
                args.repeats,
            )
            t_sp = median_time(
                lambda image=image, kernel=kernel: ndi.correlate(image, kernel, mode="constant", cval=0.0),
                args.repeats,
            )
            rows.append((f"{'RGB' if channels == 3 else 'gray'} {k}x{k}", t_np, t_tf, t_sp))

    print(
        f"cross_correlate2d vs references, {args.size}x{args.size} float32, 'same', median of {args.repeats}"
    )
    print(f"{'case':<10} {'numpy ms':>9} {'tf.nn ms':>9} {'scipy ms':>9} {'numpy/tf':>9} {'numpy/scipy':>12}")
    for name, t_np, t_tf, t_sp in rows:
        print(
            f"{name:<10} {t_np * 1e3:9.1f} {t_tf * 1e3:9.1f} {t_sp * 1e3:9.1f} "
            f"{t_np / t_tf:9.2f} {t_np / t_sp:12.2f}"
        )


if __name__ == "__main__":
    main()
