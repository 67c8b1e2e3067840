"""``make serve``: two real Streamlit workers behind Debian's HAProxy (deploy/local/serve.py).

Checks that both workers get sessions, that one session stays on one worker (a photo uploaded
through the proxy in a real browser is used on another page of that session), that a killed
worker's students are sent to the live one while the supervisor restarts it, and that stopping
stops every process. Skipped where ``haproxy`` is not installed (``make test`` installs it with
apt-get where it can).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.server import ROOT, free_port

SERVE = ROOT / "deploy" / "local" / "serve.py"
sys.path.insert(0, str(SERVE.parent))
import serve  # noqa: E402  (deploy/local/serve.py)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="Debian's haproxy is not installed"),
]


def get(url: str, cookie: str = "", timeout: float = 10.0) -> tuple[int, str, str, bytes]:
    """(status, X-Served-By, the stickiness cookie set or "", body)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        sticky = next(
            (
                c.split(";")[0]
                for c in response.headers.get_all("Set-Cookie") or []
                if c.startswith("NESERVER=")
            ),
            "",
        )
        return response.status, response.headers.get("X-Served-By", ""), sticky, response.read()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of the supervisor is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    """``serve.py --workers 2`` on a free port; yields (url, run_dir); stopped with ``--stop``."""
    run_dir = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = dict(os.environ, NEURAL_EXPLAINER_CACHE=str(run_dir / "cache"), NEURAL_EXPLAINER_WARMUP="1")
    proc = subprocess.Popen(
        [sys.executable, str(SERVE), "--workers", "2", "--port", str(port), "--run-dir", str(run_dir)],
        cwd=ROOT,
        env=env,
        stdout=open(run_dir / "serve.out", "w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy():
            state = (
                json.loads((run_dir / "serve.json").read_text())
                if (run_dir / "serve.json").exists()
                else None
            )
            if state is None:
                return False
            ok = set()
            for _ in range(8):
                try:
                    status, served_by, _, body = get(url + "/_stcore/health", timeout=3)
                except OSError:
                    return False
                if status == 200 and body.strip() == b"ok":
                    ok.add(served_by)
            return ok == {"w1", "w2"}

        wait_for(healthy, 120, "both workers healthy behind HAProxy")
        yield url, run_dir, proc
    finally:
        if proc.poll() is None:
            subprocess.run(
                [sys.executable, str(SERVE), "--stop", "--run-dir", str(run_dir)], cwd=ROOT, timeout=60
            )
            proc.wait(30)


def state(run_dir: Path) -> dict:
    return json.loads((run_dir / "serve.json").read_text())


def test_the_proxy_config_is_valid_and_sticky(tmp_path):
    text = serve.haproxy_config("127.0.0.1", 8500, [8501, 8502])
    assert "cookie NESERVER insert indirect nocache" in text  # cookie stickiness, not source IP
    assert "balance source" not in text and "timeout tunnel 1h" in text
    assert "option httpchk GET /_stcore/health" in text and "option redispatch" in text
    assert "timeout check 5s" in text and "shutdown-sessions" not in text  # a busy worker keeps its sessions
    assert "server w1 127.0.0.1:8501 check cookie w1" in text and "server w2 127.0.0.1:8502" in text
    (tmp_path / "haproxy.cfg").write_text(text)
    check = subprocess.run(
        ["haproxy", "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    (tmp_path / "bad.cfg").write_text(text.replace("timeout tunnel 1h", "timeout tunnel soon"))
    assert (
        subprocess.run(["haproxy", "-c", "-f", str(tmp_path / "bad.cfg")], capture_output=True).returncode
        != 0
    )


def test_both_workers_serve_sessions_and_a_session_stays_on_one(lecture):
    url, run_dir, _ = lecture
    first = {}
    for _ in range(6):  # new browsers, no cookie yet
        status, served_by, sticky, body = get(url + "/")
        assert status == 200 and b'<div id="root">' in body
        assert sticky == f"NESERVER={served_by}"
        first[served_by] = sticky
    assert set(first) == {"w1", "w2"}
    for worker, cookie in first.items():  # a returning browser: always its worker
        seen = {get(url + path, cookie)[1] for path in ("/", "/convolution", "/_stcore/health") * 3}
        assert seen == {worker}
    workers = state(run_dir)["workers"]
    assert set(workers) == {"w1", "w2"} and all(alive(w["pid"]) for w in workers.values())
    assert state(run_dir)["training_worker"] and alive(state(run_dir)["training_worker"])


def test_an_upload_through_the_proxy_is_used_on_another_page(lecture, chromium):
    """A Streamlit upload only works on the worker that holds the session: it goes through."""
    from PIL import Image
    from skimage import data

    url, run_dir, _ = lecture
    photo = run_dir / "rocket.jpg"
    Image.fromarray(data.rocket()).save(photo, quality=90)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    served = []
    page.on(
        "response",
        lambda r: (
            served.append(r.headers.get("x-served-by"))
            if "/_stcore/" in r.url or "/media/" in r.url
            else None
        ),
    )
    page.goto(url + "/convolution")
    page.wait_for_selector("text=Output size", timeout=90_000)
    page.get_by_text("Your photo", exact=True).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(photo))
    page.wait_for_selector("text=Your photo: rocket.jpg (512×342)", timeout=60_000)
    page.get_by_role("link", name="Pooling").first.click()
    page.wait_for_url("**/pooling**", timeout=60_000)
    page.wait_for_selector("text=Translation invariance", timeout=60_000)
    page.get_by_text("Image", exact=True).first.click()  # the pooling page's image mode
    page.get_by_text("Your photo", exact=True).first.click()
    page.wait_for_selector("text=Your photo: rocket.jpg (512×342)", timeout=60_000)
    body, final_url = page.inner_text("body"), page.url
    page.close()
    assert "Traceback" not in body, body[body.find("Traceback") - 300 : body.find("Traceback") + 1200]
    assert "/pooling" in final_url
    workers = {s for s in served if s}
    assert len(workers) == 1 and workers <= {"w1", "w2"}, served  # upload and every request: one worker


def test_a_student_on_the_other_worker_follows_the_lecturer_to_another_page(lecture, chromium):
    """A live session across workers: the lecturer's browser on w1, the student's phone on w2 (HAProxy's
    cookie), the room in the shared store; the student follows the lecturer to Convolution."""
    import re

    from tests.browser.conftest import wait_idle

    url, _, _ = lecture
    served = {"w1": set(), "w2": set()}
    contexts = []
    try:
        pages = {}
        for worker, viewport in (
            ("w1", {"width": 1920, "height": 1080}),
            ("w2", {"width": 390, "height": 844}),
        ):
            context = chromium.new_context(viewport=viewport)
            contexts.append(context)
            context.add_cookies([{"name": "NESERVER", "value": worker, "url": url}])
            page = context.new_page()
            page.set_default_timeout(90_000)
            page.on(
                "response",
                lambda r, w=worker: (
                    served[w].add(r.headers.get("x-served-by")) if "/_stcore/" in r.url else None
                ),
            )
            pages[worker] = page
        lecturer, student = pages["w1"], pages["w2"]
        lecturer.goto(url + "/?lecture=1")
        wait_idle(lecturer, 300)
        lecturer.locator('[data-testid="stExpandSidebarButton"]').click()
        lecturer.get_by_role("button", name="Start a live session").click()
        lecturer.get_by_role("dialog").get_by_role("button", name="I have noted the PIN").click()
        code = lecturer.get_by_text(re.compile(r"^Join: [A-Z0-9]{6}$")).inner_text().split(": ")[1]

        student.goto(f"{url}/?room={code}")
        student.get_by_text("Following the lecturer").wait_for()
        lecturer.locator('[data-testid="stSidebarNav"]').get_by_text("Convolution and kernels").click()
        lecturer.wait_for_url(re.compile(r"/convolution\?"))
        student.wait_for_url(re.compile(r"/convolution\?.*room="), timeout=30_000)
        student.get_by_text("Following the lecturer").wait_for()
        body = student.inner_text("body")
    finally:
        for context in contexts:
            context.close()
    assert "Traceback" not in body
    assert served == {"w1": {"w1"}, "w2": {"w2"}}, served  # each on its own worker throughout


def test_a_killed_worker_is_restarted_and_no_request_fails(lecture):
    url, run_dir, _ = lecture
    before = state(run_dir)["workers"]
    cookie = "NESERVER=w1"
    assert get(url + "/", cookie)[1] == "w1"
    os.kill(before["w1"]["pid"], signal.SIGKILL)
    answers = []
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        try:
            status, served_by, _, _ = get(url + "/_stcore/health", cookie)
            answers.append((status, served_by))
        except OSError as exc:
            answers.append((getattr(exc, "code", 0), str(exc)))
        time.sleep(0.2)
    assert answers and all(status == 200 for status, _ in answers), answers  # retried: no error page
    after = wait_for(
        lambda: (s := state(run_dir)["workers"])["w1"]["restarts"] == 1 and s,
        30,
        "the supervisor to restart the worker",
    )
    assert after["w1"]["pid"] != before["w1"]["pid"] and alive(after["w1"]["pid"])
    wait_for(
        lambda: get(url + "/_stcore/health", cookie)[1] == "w1", 120, "the restarted worker back in HAProxy"
    )


def test_a_hung_worker_is_taken_out_and_its_students_go_to_the_live_one(lecture):
    """A worker that stops answering (SIGSTOP) fails HAProxy's health check; requests carrying its
    cookie are then redispatched to the live worker, and it comes back when it answers again."""
    url, run_dir, _ = lecture
    pid = state(run_dir)["workers"]["w2"]["pid"]
    cookie = "NESERVER=w2"
    assert get(url + "/_stcore/health", cookie)[1] == "w2"
    os.kill(pid, signal.SIGSTOP)
    try:

        def redispatched():
            try:
                return get(url + "/_stcore/health", cookie, timeout=3)[1] == "w1"
            except OSError:
                return False

        wait_for(redispatched, 60, "HAProxy to take the hung worker out")
        answers = [get(url + path, cookie)[:2] for path in ("/", "/convolution", "/_stcore/health")]
        assert answers == [(200, "w1")] * 3
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: get(url + "/_stcore/health", cookie)[1] == "w2", 60, "the worker back in HAProxy")
    assert state(run_dir)["workers"]["w2"]["restarts"] == 0


def test_stop_stops_everything_it_started(lecture):
    url, run_dir, proc = lecture
    pids = [w["pid"] for w in state(run_dir)["workers"].values()]
    pids += [state(run_dir)["haproxy"], state(run_dir)["training_worker"]]
    assert all(alive(pid) for pid in pids)
    out = subprocess.run(
        [sys.executable, str(SERVE), "--stop", "--run-dir", str(run_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "stopped" in out.stdout
    assert proc.wait(30) == 0
    assert not any(alive(pid) for pid in pids)
    assert not (run_dir / "serve.json").exists()
    with pytest.raises(OSError):
        get(url + "/_stcore/health", timeout=2)
