"""AppTest: a hostile ``.keras`` upload on the CNN activations page is refused with the app's own
message naming the limit, before Keras builds a layer, and the page keeps working."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

from tests.app.apptest import open_page  # noqa: E402
from tests.core import hostile_models as hm  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # imports TensorFlow and loads trained models
    pytest.mark.usefixtures("offline_keras"),
]  # the bundled MNIST subset, no downloads


def test_a_hostile_model_upload_is_refused_by_the_page_before_keras(tmp_path, monkeypatch):
    import keras

    built = []
    layer_init = keras.layers.Layer.__init__

    def init(self, *args, **kwargs):
        built.append(kwargs.get("name"))
        layer_init(self, *args, **kwargs)

    page = open_page("cnn_activations")
    page.selectbox(key="act_model").set_value("upload").run()
    assert "512 × 512 × 4" in page.get("file_uploader")[0].help
    monkeypatch.setattr(keras.layers.Layer, "__init__", init)
    data = hm.wide_dense(tmp_path / "wide.keras").read_bytes()
    page.file_uploader(key="act_model_file").set_value(("wide.keras", data, "application/octet-stream")).run()
    assert not page.exception
    errors = [e.value for e in page.error]
    assert any("more than 5,000,000 parameters (at layer 'wide': 540,900,320)" in e for e in errors), errors
    assert "wide" not in built and "conv" not in built  # the file's layers were never constructed
