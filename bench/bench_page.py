"""Benchmark: how long the Convolution page takes to rerun after a control change.

Run: ``.venv/bin/python bench/bench_page.py [--repeats N]``

Drives the real page with Streamlit's AppTest on the 512×512 RGB Astronaut sample (RGB mode) and
times whole reruns — the Python side of what a user waits for after moving a control (browser
rendering not included). Reference in the same run: a rerun with no change. Goal: a kernel or
stride change in well under 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

KERNELS = ["sobel_vertical", "laplacian_8", "log_5x5", "gaussian_5x5", "sharpen"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/convolution.py").run()
    at.selectbox(key="conv_sample").set_value("astronaut").run()
    at.radio(key="conv_color").set_value("RGB").run()
    assert not at.exception

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    rows = {"no change (reference)": [], "kernel change": [], "stride change": []}
    for i in range(args.repeats):
        rows["no change (reference)"].append(timed(lambda: at.run()))
        rows["kernel change"].append(
            timed(lambda i=i: at.selectbox(key="conv_kernel").set_value(KERNELS[i % len(KERNELS)]).run())
        )
        rows["stride change"].append(
            timed(lambda i=i: at.slider(key="conv_stride").set_value(1 + i % 3).run())
        )
        assert not at.exception
    ref = statistics.median(rows["no change (reference)"])
    print(f"Convolution page rerun, 512x512x3 Astronaut, RGB mode, median of {args.repeats}")
    print(f"{'action':<24} {'median ms':>10} {'max ms':>8} {'ratio':>7}")
    for name, values in rows.items():
        med = statistics.median(values)
        print(f"{name:<24} {med * 1e3:10.1f} {max(values) * 1e3:8.1f} {med / ref:7.2f}")


if __name__ == "__main__":
    main()
