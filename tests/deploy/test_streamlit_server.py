"""The one Streamlit starter (``deploy/local/streamlit_server.py``) that ``make serve``, the browser
tests and the classroom benchmark share: a real ``streamlit run`` of the benchmark's bare page."""

from __future__ import annotations

import socket
import sys
import urllib.request

import pytest

from deploy.local import streamlit_server
from deploy.local.streamlit_server import ROOT

BARE_PAGE = ROOT / "bench" / "bare_page.py"


def bound(port: int) -> bool:
    """Whether something listens on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_running_serves_the_page_then_stops_the_whole_process_group(tmp_path):
    log = tmp_path / "bare.log"
    with streamlit_server.running(BARE_PAGE, log=log, timeout=60) as url:
        port = int(url.rsplit(":", 1)[1])
        assert url == f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as response:
            assert response.read() == b"ok"
        assert streamlit_server.is_healthy(port)
    assert not bound(port) and not streamlit_server.is_healthy(port)
    assert f"127.0.0.1:{port}" in log.read_text()  # Streamlit's own start-up line went to the log


def test_a_server_that_exits_raises_with_the_tail_of_its_log(tmp_path):
    log = tmp_path / "broken.log"
    script = "print('no such page: broken.py'); raise SystemExit(3)"
    proc = streamlit_server.start([sys.executable, "-c", script], log=log)
    with pytest.raises(RuntimeError, match=r"(?s)exited with code 3:\nno such page: broken.py"):
        streamlit_server.wait_healthy(proc, streamlit_server.free_port(), timeout=30, log=log)


def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path):
    proc = streamlit_server.start([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(RuntimeError, match="not healthy after 1 s"):
            streamlit_server.wait_healthy(proc, streamlit_server.free_port(), timeout=1.0)
    finally:
        streamlit_server.stop([proc], timeout=5)
    assert proc.returncode == -15  # SIGTERM to its process group was enough


def test_free_ports_skips_a_bound_port_and_refuses_nonsense():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = streamlit_server.free_ports(2, port)
    assert port not in ports and ports[0] > port and ports[1] > ports[0]
    with pytest.raises(ValueError, match="count >= 1"):
        streamlit_server.free_ports(0, 8500)
    with pytest.raises(ValueError, match="start <= 65535"):
        streamlit_server.free_ports(1, 70000)


def test_the_command_is_streamlit_run_on_localhost_with_the_extra_options():
    cmd = streamlit_server.streamlit_command("app.py", 8501, "--server.runOnSave", "false")
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", "app.py"]
    options = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert options == {
        "--server.address": "127.0.0.1",
        "--server.port": "8501",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--server.runOnSave": "false",
    }
