"""Shared pytest set-up: the repository root on sys.path, quiet TensorFlow logs, no warm-up thread."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# AppTests run app.py in this process: no background model loading there (the browser tests'
# servers and the benchmark start their own processes and set it themselves).
os.environ.setdefault("NEURAL_EXPLAINER_WARMUP", "0")
