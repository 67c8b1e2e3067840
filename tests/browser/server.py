"""Start and stop a real ``streamlit run app.py`` on 127.0.0.1 for browser tests and screenshots
(with the project's one starter, ``deploy/local/streamlit_server.py``), and find Debian's Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.streamlit_server import ROOT, free_port, running

__all__ = ["CHROMIUM_ARGS", "ROOT", "chromium_path", "free_port", "streamlit_server"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


@contextmanager
def streamlit_server(timeout: float = 90.0) -> Iterator[str]:
    """Yield the base URL of a fresh ``streamlit run app.py`` server; stop it afterwards. Its log is
    ``artifacts/streamlit-<port>.log`` where ``artifacts/`` exists."""
    port = free_port()
    log = ROOT / "artifacts" / f"streamlit-{port}.log" if (ROOT / "artifacts").is_dir() else None
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", "NEURAL_EXPLAINER_WARMUP": "1"}
    with running(ROOT / "app.py", port=port, env=env, log=log, timeout=timeout) as url:
        yield url
