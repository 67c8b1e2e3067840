"""The Deep features page's "compute another map" section in AppTest: a student asks for a map that is
not shipped; it waits on the shared training queue (this session's one waiting job), a consumer
computes it with the real HED network, and the page then shows it to everyone from the model cache."""

import pytest

from core.models.feature_vis_config import FeatureVisConfig
from core.training import jobs
from tests.app.apptest import open_page

pytestmark = pytest.mark.slow  # imports TensorFlow and runs VGG16


def test_a_student_asks_for_another_map_and_sees_it_once_the_queue_has_computed_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    queue = jobs.TrainingQueue(jobs.queue_storage(url), consume=False)
    monkeypatch.setattr(jobs, "_default", queue)  # the queue the pages use
    at = open_page(
        "deep_features",
        query={"src": "Sample photo", "sample": "rocket", "size": 224, "layer": "block1_conv2"},
    )
    assert not at.exception and not at.error
    at.number_input(key="dfv_channel_block1_conv2").set_value(9)
    at.select_slider(key="dfv_steps").set_value(48)
    next(b for b in at.button if b.label == "Compute").click().run()
    assert not at.exception and not at.error
    config = at.session_state["dfv_job"]
    assert config == FeatureVisConfig("block1_conv2", 9, steps=48)
    assert queue.status(config.key).status == "queued" and queue.pending_count() == 1
    assert any("place 1 in the queue" in i.value for i in at.info)

    consumer = jobs.TrainingQueue(jobs.queue_storage(url), consume=True)  # the server's training slot
    try:
        view = consumer.wait(config.key, timeout=240)
    finally:
        consumer.shutdown(wait=True)
    assert view.status == "done", view.error
    at.run()
    assert not at.exception and not at.error
    assert "dfv_job" not in at.session_state
    done = [s.value for s in at.success]
    assert done and done[0].startswith("Map 9 of block1_conv2 is ready (48 steps, ")
    images = [i for i in at.get("image") if any("map 9, 48 steps" in str(p.caption) for p in i.proto.imgs)]
    assert len(images) == 1  # the computed picture, with its caption
