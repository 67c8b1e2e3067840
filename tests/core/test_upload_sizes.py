"""Oracle tests of the upload checker: the parameter counts and output shapes it computes from a
saved ``config.json`` alone equal Keras' own ``count_params()`` and built shapes."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from core.models import layer_sizes  # noqa: E402
from core.models.upload_check import inspect_archive, inspect_config  # noqa: E402
from core.models.upload_limits import ModelLoadError  # noqa: E402

L = keras.layers


def residual_cnn():
    inputs = keras.Input((32, 32, 3), name="photo")
    x = L.Rescaling(1 / 255, name="scale")(inputs)
    x = L.Conv2D(16, 3, padding="same", use_bias=False, name="stem")(x)
    x = L.BatchNormalization(name="bn")(x)
    x = L.ReLU(name="relu")(x)
    y = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, name="dw")(x)
    y = L.Conv2D(16, 1, name="project")(y)
    x = L.Add(name="add")([x, y])
    z = L.SeparableConv2D(8, 3, strides=2, padding="same", name="sep")(x)
    w = L.AveragePooling2D(2, padding="same", name="avg")(x)
    x = L.Concatenate(name="cat")([z, w])
    x = L.Conv2D(12, 3, dilation_rate=2, groups=4, name="grouped")(x)
    x = L.ZeroPadding2D(((1, 2), (0, 1)), name="pad")(x)
    x = L.Cropping2D(((0, 1), (2, 0)), name="crop")(x)
    x = L.GlobalAveragePooling2D(keepdims=True, name="gap")(x)
    x = L.Flatten(name="flat")(x)
    x = L.Dropout(0.2, name="drop")(x)
    outputs = L.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="residual_cnn")


def sequential_with_augmentation():
    augment = keras.Sequential(
        [L.RandomFlip("horizontal"), L.RandomRotation(0.1), L.RandomZoom(0.1)], name="augment"
    )
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            augment,
            L.Conv2D(8, 5, strides=2, activation="relu", name="c1"),
            L.MaxPooling2D(2, strides=1, name="p1"),
            L.SpatialDropout2D(0.1, name="sd"),
            L.LayerNormalization(name="ln"),
            L.PReLU(shared_axes=[1, 2], name="prelu"),
            L.UpSampling2D((2, 3), name="up"),
            L.Conv2DTranspose(4, 3, strides=2, padding="same", name="deconv"),
            L.Conv2DTranspose(2, 4, strides=3, name="deconv_valid"),
            L.Resizing(20, 24, name="resize"),
            L.GlobalMaxPooling2D(name="gmp"),
            L.Reshape((2, -1), name="reshape"),
            L.Dense(5, name="dense_on_sequence"),
            L.Flatten(),
            L.Dense(3, name="out"),
        ],
        name="augmented",
    )


def one_dimensional():
    inputs = keras.Input((100, 2))
    x = L.Conv1D(6, 5, padding="causal", dilation_rate=2, name="causal")(inputs)
    x = L.SeparableConv1D(4, 3, name="sep1d")(x)
    x = L.MaxPooling1D(3, name="pool1d")(x)
    x = L.ZeroPadding1D(2, name="pad1d")(x)
    x = L.UpSampling1D(2, name="up1d")(x)
    x = L.Conv1DTranspose(3, 3, strides=2, output_padding=1, name="deconv1d")(x)
    x = L.BatchNormalization(center=False, name="bn1d")(x)
    x = L.GlobalAveragePooling1D(name="gap1d")(x)
    return keras.Model(inputs, L.Dense(2, name="out")(x), name="signal")


def sequential_built_without_input():
    model = keras.Sequential([L.Conv2D(4, 3, name="c"), L.Flatten(name="f"), L.Dense(2, name="d")])
    model.build((None, 12, 12, 1))
    return model


def with_ops():
    """Functional code that uses operators and ``keras.ops``: saved as op nodes, not layers."""
    inputs = keras.Input((16, 16, 3))
    x = inputs / 255.0 - 0.5
    x = L.Conv2D(8, 3, name="c")(x)
    x = keras.ops.relu(x + x) * 2
    x = keras.ops.maximum(x, L.Conv2D(8, 1, name="skip")(x))
    return keras.Model(inputs, L.Dense(2, name="out")(L.GlobalAveragePooling2D()(x)), name="with_ops")


MODELS = [
    residual_cnn,
    sequential_with_augmentation,
    one_dimensional,
    sequential_built_without_input,
    with_ops,
]


def as_saved(model) -> dict:
    """The model's config as ``model.save`` writes it into config.json (JSON: lists, not tuples)."""
    return json.loads(json.dumps(keras.saving.serialize_keras_object(model)))


def saved_config(model, tmp_path) -> bytes:
    path = tmp_path / "m.keras"
    model.save(path)
    return path.read_bytes()


def keras_shapes(model) -> dict:
    """Output shape (batch axis dropped) of every layer, nested models' layers included."""
    shapes = {}
    for layer in getattr(model, "operations", model.layers):  # layers and keras.ops nodes
        if isinstance(layer, L.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            shapes.update(keras_shapes(layer))
        shapes[layer.name] = tuple(layer._inbound_nodes[-1].output_tensors[0].shape[1:])
    return shapes


@pytest.mark.parametrize("build", MODELS, ids=lambda f: f.__name__)
def test_parameters_and_shapes_match_keras(build, tmp_path):
    model = build()
    size = inspect_archive(saved_config(model, tmp_path))
    assert size.parameters == model.count_params()
    assert size.input_shape == tuple(model.inputs[0].shape[1:])
    expected = keras_shapes(model)
    for name, _cls, shape, _params in size.layers:
        assert shape == expected[name], name
    weights = {layer.name: layer.count_params() for layer in model.layers}
    assert set(expected) <= {name for name, *_ in size.layers} | {
        layer.name for layer in model.layers if isinstance(layer, keras.Model)
    }
    for name, _cls, _shape, params in size.layers:
        if name in weights:
            assert params == weights[name], name


#: The course's own architectures (core.models.builders): what students rebuild and upload.
COURSE = [
    "birth_weight_network",
    "bn_mnist_cnn",
    "cifar10_cnn",
    "cifar10_cnn_dropout",
    "dcgan_discriminator",
    "dcgan_generator",
    "flowers_cnn",
    "iris_network",
    "lenet5",
    "course_mnist_cnn",
    "mnist_cnn_keras_example",
    "ng_sample_net",
    "tf1_mnist_cnn",
    "tf_guide_dense",
]


@pytest.mark.parametrize("name", COURSE)
def test_the_course_models_pass_with_keras_parameter_counts(name):
    from core.models import builders

    model = getattr(builders, name)()
    size = inspect_config(as_saved(model))
    assert size.parameters == model.count_params()
    assert size.layers[-1][2] == tuple(model.outputs[0].shape[1:])


@pytest.mark.parametrize(
    "name, parameters, message",
    [
        ("alexnet", "62,378,344", r"more than 5,000,000 parameters \(at layer 'fc6': 41,500,032\)"),
        (
            "vgg16",
            "138,357,544",
            r"more than 2,000,000,000 multiply-adds per picture",
        ),  # its convs come first
    ],
)
def test_the_course_large_models_are_refused(name, parameters, message):
    from core.models import builders

    model = getattr(builders, name)()
    assert f"{model.count_params():,}" == parameters
    with pytest.raises(ModelLoadError, match=message):
        inspect_config(as_saved(model))


CONV = st.fixed_dictionaries(
    {
        "kernel": st.integers(1, 5),
        "stride": st.integers(1, 3),
        "dilation": st.integers(1, 2),
        "padding": st.sampled_from(["valid", "same"]),
        "size": st.integers(9, 20),
        "channels": st.integers(1, 4),
        "filters": st.integers(1, 6),
    }
)


def _check(layer, shape):
    cfg = json.loads(json.dumps(layer.get_config()))  # as saved: lists, not tuples
    out, params, _ = layer_sizes.layer_size(type(layer).__name__, cfg, [shape])
    layer.build((None, *shape))
    assert out == tuple(layer.compute_output_shape((None, *shape))[1:])
    assert params == layer.count_params()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONV)
def test_window_layers_match_keras(c):
    shape = (c["size"], c["size"] + 3, c["channels"])
    strided = c["stride"] if c["dilation"] == 1 else 1  # Keras refuses both > 1
    _check(
        L.Conv2D(
            c["filters"], c["kernel"], strides=strided, dilation_rate=c["dilation"], padding=c["padding"]
        ),
        shape,
    )
    _check(
        L.Conv2DTranspose(
            c["filters"], c["kernel"], strides=strided, dilation_rate=c["dilation"], padding=c["padding"]
        ),
        shape,
    )
    _check(
        L.DepthwiseConv2D(
            c["kernel"],
            strides=strided,
            dilation_rate=c["dilation"],
            padding=c["padding"],
            depth_multiplier=c["filters"],
        ),
        shape,
    )
    _check(L.SeparableConv2D(c["filters"], c["kernel"], strides=strided, padding=c["padding"]), shape)
    _check(L.MaxPooling2D(c["kernel"], strides=c["stride"], padding=c["padding"]), shape)
    _check(
        L.Conv1D(
            c["filters"], c["kernel"], strides=strided, dilation_rate=c["dilation"], padding=c["padding"]
        ),
        shape[1:],
    )


def test_a_window_larger_than_its_input_is_refused():
    with pytest.raises(layer_sizes.SizeError, match="does not fit an input of length 4"):
        layer_sizes.layer_size("Conv2D", {"filters": 1, "kernel_size": [5, 5]}, [(4, 4, 1)])


def test_sizes_need_no_keras():
    """The checker is plain Python: it sizes a hand-written config without any Keras object."""
    config = {
        "class_name": "Sequential",
        "module": "keras",
        "config": {
            "name": "s",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 28, 28, 1]},
                },
                {
                    "module": "keras.layers",
                    "class_name": "Conv2D",
                    "config": {"name": "c", "filters": 32, "kernel_size": 3},
                },
                {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "f"}},
                {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 10}},
            ],
        },
    }
    size = inspect_config(config)
    assert size.parameters == (9 * 32 + 32) + (26 * 26 * 32 * 10 + 10)
    assert [shape for *_, shape, _p in size.layers] == [(26, 26, 32), (21632,), (10,)]
    assert size.multiply_adds == 26 * 26 * 9 * 32 + 21632 * 10
