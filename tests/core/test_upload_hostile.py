"""Uploaded ``.keras`` files are inspected before Keras builds anything: the hostile files of a
lecture hall are refused by the app's own message with no layer constructed (a spy on Keras' layer
constructor and loader), a normal model still loads and shows its activations, and refusals are
remembered by SHA-256."""

import json
import zipfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from core.models import bundles, upload  # noqa: E402
from core.models.upload import ModelLoadError, load_user_model  # noqa: E402
from core.models.upload_check import inspect_archive  # noqa: E402
from core.models.upload_limits import UploadLimits  # noqa: E402
from tests.core import hostile_models as hm  # noqa: E402


@pytest.fixture(autouse=True)
def forget_refusals():
    upload._REFUSED.clear()
    yield
    upload._REFUSED.clear()


@pytest.fixture
def keras_spy(monkeypatch):
    """Records every Keras layer constructed and every call of ``keras.saving.load_model``
    (observing only: both still run)."""
    calls = {"layers": [], "load_model": 0}
    layer_init, load_model = keras.layers.Layer.__init__, keras.saving.load_model

    def init(self, *args, **kwargs):
        calls["layers"].append(type(self).__name__)
        layer_init(self, *args, **kwargs)

    def load(*args, **kwargs):
        calls["load_model"] += 1
        return load_model(*args, **kwargs)

    monkeypatch.setattr(keras.layers.Layer, "__init__", init)
    monkeypatch.setattr(keras.saving, "load_model", load)
    return calls


def small_model() -> keras.Model:
    inputs = keras.Input((28, 28, 1), name="digit")
    x = keras.layers.Conv2D(4, 5, activation="relu", name="my_conv")(inputs)
    x = keras.layers.MaxPooling2D(3, name="my_pool")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(keras.layers.Flatten(name="flat")(x))
    return keras.Model(inputs, outputs, name="tiny")


def refused_before_keras(keras_spy, data, match: str, **kwargs) -> None:
    """``load_user_model(data, **kwargs)`` raises a ``ModelLoadError`` matching ``match``, and Keras
    neither built a layer nor loaded a model (layers built before this call are not counted)."""
    keras_spy["layers"].clear()
    with pytest.raises(ModelLoadError, match=match):
        load_user_model(data, **kwargs)
    assert keras_spy == {"layers": [], "load_model": 0}


def saved(model, tmp_path, name="m.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def weights_bomb(tmp_path_factory):
    """The small model's real weights padded with zeros to 1 GiB, deflated: about 1.1 MB on disk."""
    folder = tmp_path_factory.mktemp("bomb")
    model = keras.saving.deserialize_keras_object(hm.small_config())
    model.save(folder / "small.keras")
    real = zipfile.ZipFile(folder / "small.keras").read("model.weights.h5")
    return hm.weights_bomb(folder / "bomb.keras", real).read_bytes(), real


HOSTILE = {
    "wide_dense": (hm.wide_dense, r"more than 5,000,000 parameters \(at layer 'wide': 540,900,320\)"),
    "huge_input": (hm.huge_input, r"inputs of 4096 × 4096 × 1, more than the 512 × 512 × 4"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_configs_are_refused_before_keras_builds_a_layer(name, tmp_path, keras_spy):
    make, message = HOSTILE[name]
    data = make(tmp_path / f"{name}.keras").read_bytes()
    assert len(data) < 2000  # a tiny file asking for gigabytes
    refused_before_keras(keras_spy, data, message)


def test_a_one_gib_weights_file_is_refused_before_keras_reads_it(weights_bomb, keras_spy):
    data, _ = weights_bomb
    assert len(data) < 2 * 2**20
    refused_before_keras(
        keras_spy, data, r"unpacks to 1,073,742,\d{3} bytes, more than the 52,428,800 \(50 MB\)"
    )


def test_weights_far_larger_than_the_parameters_are_refused(weights_bomb, tmp_path, keras_spy):
    """Under the archive cap, a weights file must still fit the parameter count (27,090 here)."""
    _, real = weights_bomb
    path = hm.write_keras(
        tmp_path / "padded.keras", hm.small_config(), weights=real, weights_zeros=20 * 2**20
    )
    with pytest.raises(
        ModelLoadError,
        match=r"weights file declares 21,\d{3},\d{3} bytes, far more than "
        r"27,090 parameters need",
    ):
        load_user_model(path.read_bytes())
    assert keras_spy["load_model"] == 0
    assert (
        len(
            load_user_model(
                hm.write_keras(tmp_path / "ok.keras", hm.small_config(), weights=real).read_bytes()
            ).layers
        )
        == 3
    )


def test_a_normal_model_still_loads_and_its_activations_match(tmp_path, keras_spy):
    model = small_model()
    x = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
    data = saved(model, tmp_path)
    keras_spy["layers"].clear()
    loaded = load_user_model(data, image_input=True)
    assert keras_spy["load_model"] == 1 and "Conv2D" in keras_spy["layers"]  # the spy sees Keras build
    bundle = bundles.make_bundle(loaded, key="upload:test", title="Your model", kind="user")
    outputs = bundles.layer_outputs(bundle, x)
    expected = keras.Model(model.inputs, model.get_layer("my_conv").output)(x)[0]
    np.testing.assert_allclose(outputs["my_conv"], expected, rtol=1e-5, atol=1e-6)
    assert outputs["my_pool"].shape == (8, 8, 4)
    np.testing.assert_allclose(outputs["out"], model(x)[0], rtol=1e-5, atol=1e-6)


def test_lambda_and_custom_classes_are_refused_before_keras(tmp_path, keras_spy):
    inputs = keras.Input((4,))
    lam = saved(keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0)(inputs)), tmp_path, "l.keras")

    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2.0 * x

    custom = saved(keras.Model(inputs, Doubler()(inputs)), tmp_path, "c.keras")
    refused_before_keras(keras_spy, lam, "Lambda layer")
    refused_before_keras(keras_spy, custom, "custom class 'Doubler'")


def test_refusals_are_remembered_by_content(tmp_path, monkeypatch, keras_spy):
    """A rerun with the same file raises the same message without reading it, even when the
    refusal came from Keras (here: a model whose weights file is missing)."""
    checked = []
    inspect = upload.inspect_archive
    monkeypatch.setattr(upload, "inspect_archive", lambda *a, **k: checked.append(1) or inspect(*a, **k))
    wide = hm.wide_dense(tmp_path / "w.keras").read_bytes()
    no_weights = hm.write_keras(tmp_path / "nw.keras", hm.small_config()).read_bytes()
    messages = []
    for data in (wide, no_weights, wide, no_weights, bytearray(wide)):
        with pytest.raises(ModelLoadError) as err:
            load_user_model(data)
        messages.append(str(err.value))
    assert messages[0] == messages[2] == messages[4] and messages[1] == messages[3]
    assert "model.weights.h5" in messages[1]
    assert len(checked) == 2 and keras_spy["load_model"] == 1 and upload.remembered_refusals() == 2


def test_remembered_refusals_are_bounded(monkeypatch, tmp_path):
    monkeypatch.setattr(upload, "REMEMBERED_REFUSALS", 3)
    for i in range(5):
        with pytest.raises(ModelLoadError):
            load_user_model(b"not a model %d" % i)
    assert upload.remembered_refusals() == 3


def test_more_than_one_input_and_too_many_layers_are_refused(tmp_path, keras_spy):
    a, b = keras.Input((8,), name="a"), keras.Input((8,), name="b")
    two = saved(keras.Model([a, b], keras.layers.Add()([a, b])), tmp_path, "two.keras")
    inputs = keras.Input((8,))
    x = inputs
    for i in range(65):
        x = keras.layers.Activation("relu", name=f"act{i}")(x)
    deep = saved(keras.Model(inputs, x), tmp_path, "deep.keras")
    refused_before_keras(keras_spy, two, "has 2 inputs; this app loads models with exactly one input")
    refused_before_keras(keras_spy, deep, "66 layers, more than the 64 layers this app loads")


def test_layers_the_checker_cannot_size_are_refused(tmp_path):
    inputs = keras.Input((10, 3))
    lstm = saved(keras.Model(inputs, keras.layers.LSTM(4)(inputs)), tmp_path)
    with pytest.raises(ModelLoadError, match="has a LSTM, which this app cannot size"):
        load_user_model(lstm)


def _tamper(data: bytes, tmp_path, edit) -> bytes:
    src = zipfile.ZipFile(__import__("io").BytesIO(data))
    config = json.loads(src.read("config.json"))
    edit(config)
    out = tmp_path / "tampered.keras"
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(
                info.filename, json.dumps(config) if info.filename == "config.json" else src.read(info)
            )
    return out.read_bytes()


def test_a_build_config_that_disagrees_with_the_graph_is_refused(tmp_path, keras_spy):
    """Keras builds each layer from its own saved ``build_config`` before wiring the graph: a
    Dense(3) declaring a 10**8-wide input would allocate 1.2 GB."""
    data = saved(small_model(), tmp_path)

    def widen(config):
        dense = next(lay for lay in config["config"]["layers"] if lay["name"] == "out")
        dense["build_config"]["input_shape"] = [None, 10**8]

    keras_spy["layers"].clear()
    with pytest.raises(
        ModelLoadError,
        match=r"declares an input shape \(100000000,\) that is not the shape "
        r"reaching it \(256,\)",
    ):
        load_user_model(_tamper(data, tmp_path, widen))
    assert keras_spy["load_model"] == 0


def test_a_registered_name_that_looks_up_a_custom_object_is_refused(tmp_path):
    def rename(config):
        config["config"]["layers"][1]["registered_name"] = "MyPackage>Conv2D"

    with pytest.raises(ModelLoadError, match="registered as 'MyPackage>Conv2D'"):
        load_user_model(_tamper(saved(small_model(), tmp_path), tmp_path, rename))


def test_archive_limits_are_checked_before_reading(tmp_path):
    limits = UploadLimits()
    many = tmp_path / "many.keras"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("config.json", json.dumps(hm.small_config()))
        for i in range(limits.members):
            z.writestr(f"assets/{i}.txt", "x")
    with pytest.raises(ModelLoadError, match=f"holds {limits.members + 1} files, more than the 16"):
        inspect_archive(many.read_bytes())
    big = hm.write_keras(tmp_path / "big.keras", {"class_name": "Sequential", "pad": " " * 2**20})
    with pytest.raises(ModelLoadError, match=r"config.json has 1,048,\d{3} bytes, more than the 1,048,576"):
        inspect_archive(big.read_bytes())


def test_image_input_is_checked_before_keras(tmp_path, keras_spy):
    inputs = keras.Input((784,))
    mlp = saved(keras.Model(inputs, keras.layers.Dense(10)(inputs)), tmp_path)
    refused_before_keras(keras_spy, mlp, r"only image models with an \(H, W, C\) input", image_input=True)
    assert load_user_model(mlp).count_params() == 7850


def test_a_compiled_and_trained_model_loads(tmp_path):
    """What students upload: compiled, fitted (optimizer slots in the weights file), a function
    object as an activation; Keras drops the compile config with compile=False."""
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.Conv2D(4, 3, activation=keras.activations.gelu, name="conv")(inputs)
    x = keras.layers.Activation(keras.activations.relu, name="act")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="out")(x))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    model.fit(rng.random((8, 12, 12, 1)), rng.integers(0, 2, 8), epochs=1, verbose=0)
    loaded = load_user_model(saved(model, tmp_path), image_input=True)
    x = rng.random((1, 12, 12, 1)).astype(np.float32)
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-5, atol=1e-6)


def test_functions_saved_by_name_must_be_keras_ones():
    from core.models.upload_check import inspect_config

    config = hm.sequential(
        (4,),
        hm.layer(
            "Activation",
            "act",
            activation={
                "module": "builtins",
                "class_name": "function",
                "config": "relu",
                "registered_name": "function",
            },
        ),
    )
    assert inspect_config(config).parameters == 0
    config["config"]["layers"][1]["config"]["activation"]["module"] = "os"
    with pytest.raises(ModelLoadError, match="custom class 'function'"):
        inspect_config(config)


def test_a_nested_model_compiled_on_its_own_is_refused():
    from core.models.upload_check import inspect_config

    inner = hm.sequential((4,), hm.layer("Dense", "d", units=2), name="inner")
    inner["compile_config"] = {"optimizer": "adam", "loss": "mse"}
    with pytest.raises(ModelLoadError, match="nested model 'inner' was compiled"):
        inspect_config(hm.sequential((4,), inner, name="outer"))


def test_the_model_class_must_come_from_keras_models():
    from core.models.upload_check import inspect_config

    config = hm.small_config()
    assert inspect_config(config).parameters == 27_090
    config["module"] = "keras.src.saving.saving_lib"
    with pytest.raises(ModelLoadError, match="not a Keras Sequential or functional model"):
        inspect_config(config)
