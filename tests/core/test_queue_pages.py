"""The training queue as the pages use it (``core.adapters.training_panel``): requests carry the
browser session, and a full queue is a short warning on the page ("the queue is full, about N min"),
never a traceback. AppTests of the two pages that submit trainings, on a private queue that nobody
consumes, so the counts are exact."""

from __future__ import annotations

import pytest

from core.models.regularisation import RegularisationConfig
from core.training import jobs, regularisation
from tests.app.apptest import open_page

pytestmark = pytest.mark.slow


def private_queue(folder, max_pending: int) -> jobs.TrainingQueue:
    """A queue on ``folder``'s storage that nobody consumes (the counts stay exact)."""
    return jobs.TrainingQueue(
        jobs.queue_storage(f"sqlite:///{folder / 'queue.sqlite'}"), consume=False, max_pending=max_pending
    )


def click_train(at, *, images: int) -> None:
    at.select_slider(key="train_f_n").set_value(images)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception, [e.message for e in at.exception]


def test_a_session_keeps_one_job_and_a_full_queue_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    queue = private_queue(tmp_path, 2)
    monkeypatch.setattr(jobs, "_default", queue)  # the queue the pages use
    at = open_page("training")
    click_train(at, images=300)
    first = at.session_state["train_job"]["config"].key
    click_train(at, images=2000)  # the same session asks again: replaced
    second = at.session_state["train_job"]["config"].key
    assert first != second and queue.status(first) is None
    assert queue.status(second).status == "queued" and queue.pending_count() == 1
    # A full queue: two other students wait (AppTest gives every AppTest the same session id).
    (tmp_path / "full").mkdir()
    full = private_queue(tmp_path / "full", 2)
    for student in ("student-1", "student-2"):
        full.submit(RegularisationConfig(student, epochs=3), regularisation.train_result_job, session=student)
    monkeypatch.setattr(jobs, "_default", full)
    other = open_page("training")
    click_train(other, images=300)
    warning = [w.value for w in other.warning if "queue is full" in w.value]
    assert warning and warning[0].startswith("The training queue is full, about 4 min")  # 2 jobs x 120 s
    assert "train_job" not in other.session_state and not other.exception
    assert full.pending_count() == 2
    other.run()  # said once, not on every rerun
    assert not [w for w in other.warning if "queue is full" in w.value]
