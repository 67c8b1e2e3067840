"""Deep features page: the cost of one VGG16 / HED forward pass, first and cached, at 320 and 512 px.

Prints a table; nothing is asserted (timings are noisy). "first" is ``core.models.hed.forward`` on a new
photo (every layer's output copied to the host as float16); "cached" is a second request for the same
(photo, size) through the page's cache (``core.adapters.cached.hed_pass``, ``st.cache_resource``: a
lookup). The reference in the same run is the package's own call ``HED(x)`` (fused map only), so the
ratio says what keeping all 13 layers' maps costs.

Run: ``.venv/bin/python bench/bench_deep_features.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from skimage import data

    from core.adapters.cached import deep_features as cached
    from core.models import hed, runtime

    runtime.configure_devices()
    start = time.perf_counter()
    model = hed.load_hed()
    print(f"model load: {time.perf_counter() - start:.2f} s on {runtime.device_name()}")
    photo = data.rocket().astype(np.float32)  # 640 x 427 RGB
    print(
        f"{'size':>5} {'input':>10} {'first pass':>11} {'HED(x) ref':>11} {'ratio':>6} {'cached':>9} "
        f"{'float16 maps':>13}"
    )
    for size in (320, 512):
        prep = hed.preprocess(photo, max_side=size)
        hed.forward(model, prep.batch)  # trace/allocate once for this shape
        first = best_of(lambda prep=prep: hed.forward(model, prep.batch))
        reference = best_of(lambda prep=prep: model(prep.batch, training=False).numpy())
        cached.hed_pass.clear()
        t0 = time.perf_counter()
        _, out = cached.hed_pass(f"bench:rocket:{size}", size, photo)
        cold = time.perf_counter() - t0
        warm = best_of(lambda size=size: cached.hed_pass(f"bench:rocket:{size}", size, photo), repeat=20)
        h, w = prep.rgb.shape[:2]
        print(
            f"{size:>5} {w:>4} x {h:<4} {first:>9.3f} s {reference:>9.3f} s {first / reference:>6.2f} "
            f"{warm * 1e3:>6.2f} ms {out.nbytes / 2**20:>10.1f} MB   (first through the cache: {cold:.3f} s)"
        )


if __name__ == "__main__":
    main()
