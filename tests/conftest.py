"""Shared pytest set-up: the repository root on sys.path, quiet TensorFlow logs, no warm-up thread."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# AppTests run app.py in this process: no background model loading there (the browser tests'
# servers and the benchmark start their own processes and set it themselves).
os.environ.setdefault("NEURAL_EXPLAINER_WARMUP", "0")


@pytest.fixture
def literal_eval_calls(monkeypatch):
    """Lengths of the texts that reach ``ast.literal_eval`` (it still runs: a spy, not a stub), for the
    tests that check a long paste is refused before the parser."""
    import ast

    calls, real = [], ast.literal_eval

    def spy(text, *args, **kwargs):
        calls.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(ast, "literal_eval", spy)
    return calls


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium through Playwright, one per test session (Playwright's sync API
    allows one running instance per thread). Skipped where it is missing, except in CI."""
    from tests.browser.server import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium and Playwright are required in CI (make test installs them).")
        pytest.skip(
            "Debian's chromium (or Playwright) is not installed: `make test` installs it with apt-get."
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
