"""The networks the seeds describe, as Keras builders: fresh, untrained functional models.

Keras is imported inside each function, so ``import core.models.builders`` stays cheap. Layers
carry explicit names (``"conv1"``, ``"pool1"``, ...). Every count quoted in a docstring is the one
``model.count_params()`` returns (pinned in ``tests/core/test_architectures.py``); the registry
that lists them for the pages is :data:`core.models.architectures.ARCHITECTURES`.
"""

from __future__ import annotations

from core.maths.layer_math import FLOAT32_BYTES, ParamExample


def param_example_model(example: ParamExample):
    """A one-layer Keras model for ``example`` (``Flatten → Dense`` or ``Conv2D``), to count.

    Raises
    ------
    ValueError
        If ``example.buildable`` is False: its weights would not fit in memory.
    """
    if not example.buildable:
        raise ValueError(
            f"`example` {example.key!r} has {example.params:,} parameters "
            f"({example.params * FLOAT32_BYTES / 1e9:.0f} GB as float32); it is not built."
        )
    import keras

    inputs = keras.Input(example.input_shape, name="image")
    if example.kind == "dense":
        x = keras.layers.Flatten(name="flatten")(inputs)
        outputs = keras.layers.Dense(example.units, name="dense")(x)
    else:
        outputs = keras.layers.Conv2D(example.units, example.kernel, name="conv")(inputs)
    return keras.Model(inputs, outputs, name=example.key)


# ---------------------------------------------------------------- Keras builders


def _keras():
    import keras

    return keras


def _dense_stack(input_shape: tuple[int, ...], input_name: str, layers, name: str):
    """A functional model of ``Dense`` layers one after the other, the last one its output.

    ``layers``: ``(units, activation, layer name)`` per layer, first to last.
    """
    keras = _keras()
    inputs = keras.Input(input_shape, name=input_name)
    x = inputs
    for units, activation, layer_name in layers:
        x = keras.layers.Dense(units, activation=activation, name=layer_name)(x)
    return keras.Model(inputs, x, name=name)


def course_mnist_cnn():
    """The course's MNIST CNN: 28×28×1 → conv16 → pool → conv32 → pool → 800 → 32 → 10; 30,762 params.

    The network the CNN pages train and load, from the same builder
    (:func:`core.models.mnist_cnn.build_mnist_cnn` with its default config), with the softmax inside the
    last Dense layer ``output`` as in the seed's ``summary()``.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)* (code and ``summary()`` table).
    """
    from core.models.mnist_cnn import MnistCnnConfig, build_mnist_cnn

    config = MnistCnnConfig()
    return build_mnist_cnn(
        filters=config.filters,
        dense_units=config.dense_units,
        dropout=config.dropout,
        batch_norm=config.batch_norm,
        softmax_in_dense=True,
        name="course_mnist_cnn",
    )


def cifar10_cnn():
    """TensorFlow's CIFAR-10 tutorial CNN from the course; 122,570 params (Dense(10) gives logits).

    References
    ----------
    Course notes, *Convolution, pooling and tensors* §2.13.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((32, 32, 3), name="image")
    x = L.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool2")(x)
    x = L.Conv2D(64, 3, activation="relu", name="conv3")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(64, activation="relu", name="dense1")(x)
    outputs = L.Dense(10, name="logits")(x)
    return keras.Model(inputs, outputs, name="cifar10_cnn")


def flowers_cnn(img_size: int = 180, num_classes: int = 5):
    """TensorFlow's flowers tutorial CNN from the course; 3,989,285 params at 180×180×3, 5 classes.

    The seed's OCR shows a fourth pooling line (``HaxPooling2D``); the tutorial has three pools.

    References
    ----------
    Course notes, *Convolution, pooling and tensors* §2.8 (img size and classes from the tutorial).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((img_size, img_size, 3), name="image")
    x = L.Rescaling(1.0 / 255, name="rescale")(inputs)
    for i, filters in enumerate((16, 32, 64), start=1):
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = L.MaxPooling2D(name=f"pool{i}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", name="dense1")(x)
    outputs = L.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="flowers_cnn")


def lenet5(pooling: str = "avg"):
    """LeNet-5 as Andrew Ng draws it: 32×32×1 → 6@28 → 14 → 16@10 → 5 → 400 → 120 → 84 → 10.

    61,706 parameters with either pooling ("~60 thousand", Course notes, *CNN building blocks and classic
    networks*, *LeNet-5*). ``pooling="avg"`` with tanh is Ng's version (course slides); ``pooling="max"`` with
    ReLU and "SAME" pools is the version coded in Course notes, *Introduction to deep learning* §5.5.1.
    """
    if pooling not in ("avg", "max"):
        raise ValueError(f"`pooling` must be 'avg' or 'max', got {pooling!r}.")
    keras = _keras()
    L = keras.layers
    act = "tanh" if pooling == "avg" else "relu"

    def pool(name):
        if pooling == "avg":
            return L.AveragePooling2D(2, name=name)
        return L.MaxPooling2D(2, padding="same", name=name)

    inputs = keras.Input((32, 32, 1), name="image")
    x = L.Conv2D(6, 5, activation=act, name="C1")(inputs)
    x = pool("S2")(x)
    x = L.Conv2D(16, 5, activation=act, name="C3")(x)
    x = pool("S4")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(120, activation=act, name="F5")(x)
    x = L.Dense(84, activation=act, name="F6")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name=f"lenet5_{pooling}")


def alexnet():
    """AlexNet as one tower (Ng's drawing): 227×227×3 → ... → 6×6×256 = 9216 → 4096 → 4096 → 1000.

    62,378,344 parameters ("~60 millions", Course notes, *CNN building blocks and classic networks*,
    *AlexNet*). The original two-GPU network has grouped convolutions and local response normalization; both
    are left out.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((227, 227, 3), name="image")
    x = L.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = L.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = L.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = L.Conv2D(384, 3, padding="same", activation="relu", name="conv4")(x)
    x = L.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(4096, activation="relu", name="fc6")(x)
    x = L.Dense(4096, activation="relu", name="fc7")(x)
    outputs = L.Dense(1000, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="alexnet")


def vgg16():
    """VGG-16 from ``keras.applications`` without weights (no download): 138,357,544 parameters.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *VGG-16* ("~138 million", 16 weight layers);
    Course notes, *CNNs and regularisation in Keras*, *CNNs: transfer learning (II)* (figure).
    """
    keras = _keras()
    return keras.applications.VGG16(weights=None, include_top=True)


def tf_guide_dense():
    """The TensorFlow-guide model of the course: 32 → 64 → 64 → 10 (softmax); 6,922 parameters.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *Pipeline to build a network*.
    """
    return _dense_stack(
        (32,),
        "data",
        ((64, "relu", "dense1"), (64, "relu", "dense2"), (10, "softmax", "output")),
        "tf_guide_dense",
    )


def tf1_mnist_cnn():
    """The course's low-level TensorFlow 1 MNIST CNN, rebuilt with Keras layers: 3,274,634 params.

    28×28×1 → conv 5×5×32 'same' (832) → 2×2 max pool 'same' → 14×14×32 → conv 5×5×64 'same' (51,264) → pool →
    7×7×64 = 3,136 → dense 1024 ReLU (3,212,288, 98 % of all) → dropout → dense 10 logits (10,250). From
    Course notes, *Autoencoders and convolutional networks*, *Convolution NN on MNIST dataset (TensorFlow)*
    (``W_conv1 = [5, 5, 1, 32]``, ``W_conv2 = [5, 5, 32, 64]``, ``W_fc1 = [7 * 7 * 64, 1024]``,
    ``W_fc2 = [1024, 10]``, ``padding='SAME'``; OCR-garbled, read as in the seed notes).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(32, 5, padding="same", activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(2, padding="same", name="pool1")(x)
    x = L.Conv2D(64, 5, padding="same", activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, padding="same", name="pool2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(1024, activation="relu", name="fc1")(x)
    x = L.Dropout(0.5, name="dropout")(x)
    outputs = L.Dense(10, name="logits")(x)
    return keras.Model(inputs, outputs, name="tf1_mnist_cnn")


def birth_weight_network():
    """The textbook's birth-weight regressor: 7 → 25 → 10 → 3 → 1, ReLU on every layer: 497 params.

    (7+1)·25 + (25+1)·10 + (10+1)·3 + (3+1)·1 = 200 + 260 + 33 + 4 = 497. The seed wraps raw
    ``tf.Variable`` s in ``Lambda`` layers (Keras 3 would count 0); ``Dense`` layers give the 497.

    References
    ----------
    Course notes, *Introduction to deep learning* §4.3.2 (weights ``[7,25]``, ``[25,10]``, ``[10,3]``,
    ``[3,1]``, ReLU also on the output as printed).
    """
    layers = (
        (25, "relu", "hidden1"),
        (10, "relu", "hidden2"),
        (3, "relu", "hidden3"),
        (1, "relu", "birth_weight"),
    )
    return _dense_stack((7,), "mother", layers, "birth_weight")


def iris_network():
    """The textbook's iris network, 3 → 5 → 1 with ReLU on both layers: "26 total variables".

    The seed wraps raw variables in ``Lambda`` layers, which Keras 3 counts as 0 parameters;
    ``Dense`` layers give the 26.
    From Course notes, *Introduction to deep learning* §4.3–4.3.1.
    """
    return _dense_stack((3,), "sepal_petal", ((5, "relu", "hidden"), (1, "relu", "petal_width")), "iris")


def cifar10_cnn_dropout():
    """The textbook's VGG-style CIFAR-10 CNN with dropout: conv 32-32-64-64-128-128; 550,570 params.

    References
    ----------
    Course notes, *Introduction to deep learning* §5.5.2.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((32, 32, 3), name="image")
    x = inputs
    for block, filters in enumerate((32, 64, 128), start=1):
        for j in (1, 2):
            x = L.Conv2D(
                filters,
                3,
                padding="same",
                activation="relu",
                kernel_initializer="he_uniform",
                name=f"conv{block}_{j}",
            )(x)
        x = L.MaxPooling2D(2, name=f"pool{block}")(x)
        x = L.Dropout(0.2, name=f"dropout{block}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", kernel_initializer="he_uniform", name="dense1")(x)
    x = L.Dropout(0.2, name="dropout4")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="cifar10_cnn_dropout")


def ng_sample_net():
    """Ng's sample ConvNet: 39×39×3 → 37×37×10 → 17×17×20 → 7×7×40 → 1,960 → 1 (logistic).

    Convolutions: f=3 s=1 (280 params), f=5 s=2 (5,020), f=5 s=2 (20,040); with the logistic
    output unit (1,961) the total is 27,301.
    From Course notes, *CNN building blocks and classic networks*, *Sample complete network* (Ng's
    figure, external).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((39, 39, 3), name="image")
    x = L.Conv2D(10, 3, strides=1, activation="relu", name="conv1")(inputs)
    x = L.Conv2D(20, 5, strides=2, activation="relu", name="conv2")(x)
    x = L.Conv2D(40, 5, strides=2, activation="relu", name="conv3")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(inputs, outputs, name="ng_sample_net")


def mnist_cnn_keras_example():
    """Keras' ``mnist_cnn.py`` (the course's last link and its Fashion-MNIST CNN): 1,199,882 params.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *Example code 2* (first lines only); Course
    notes, *Autoencoders and convolutional networks*, *CNN on Fashion-MNIST dataset* (the same network on
    Fashion-MNIST).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = L.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Dropout(0.25, name="dropout1")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", name="dense1")(x)
    x = L.Dropout(0.5, name="dropout2")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_keras_example")


def bn_mnist_cnn():
    """The course's Keras MNIST CNN with batch normalization: 597,738 params (1,408 not trained).

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *Convolution NN on MNIST dataset with Keras*.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for i, filters in enumerate((32, 32, 64, 64), start=1):
        x = L.Conv2D(filters, 3, name=f"conv{i}")(x)
        x = L.BatchNormalization(axis=-1, name=f"bn{i}")(x)
        x = L.Activation("relu", name=f"relu{i}")(x)
        if i % 2 == 0:
            x = L.MaxPooling2D(2, name=f"pool{i // 2}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(512, name="dense1")(x)
    x = L.BatchNormalization(name="bn5")(x)
    x = L.Activation("relu", name="relu5")(x)
    x = L.Dropout(0.2, name="dropout")(x)
    x = L.Dense(10, name="dense2")(x)
    outputs = L.Activation("softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="bn_mnist_cnn")


def dcgan_generator(seed_size: int = 200, channels: int = 3, gen_res: int = 3):
    """The textbook's DCGAN generator: 200-d noise → 4×4×256 → 8 → 16 → 32 → 96×96×3 (tanh).

    2,452,611 parameters (1,536 of them batch-norm moving statistics) with the seed's settings.

    References
    ----------
    Course notes, *Introduction to deep learning* §7.2.2.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((seed_size,), name="noise")
    x = L.Dense(4 * 4 * 256, activation="relu", name="dense")(inputs)
    x = L.Reshape((4, 4, 256), name="reshape")(x)
    stages = [(2, 256), (2, 256), (2, 128)] + ([(gen_res, 128)] if gen_res > 1 else [])
    for i, (up, filters) in enumerate(stages, start=1):
        x = L.UpSampling2D(up, name=f"up{i}")(x)
        x = L.Conv2D(filters, 3, padding="same", name=f"conv{i}")(x)
        x = L.BatchNormalization(momentum=0.8, name=f"bn{i}")(x)
        x = L.Activation("relu", name=f"relu{i}")(x)
    x = L.Conv2D(channels, 3, padding="same", name="conv_out")(x)
    outputs = L.Activation("tanh", name="image")(x)
    return keras.Model(inputs, outputs, name="dcgan_generator")


def dcgan_discriminator(image_shape: tuple[int, int, int] = (96, 96, 3)):
    """The textbook's DCGAN discriminator: 96×96×3 → 48 → 24 → 25 → 13 → 13 → 13 → P(real).

    1,658,945 parameters (1,920 not trained).
    From Course notes, *Introduction to deep learning* §7.2.2.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input(image_shape, name="image")
    x = inputs
    for i, (filters, stride) in enumerate(((32, 2), (64, 2), (128, 2), (256, 1), (512, 1)), start=1):
        x = L.Conv2D(filters, 3, strides=stride, padding="same", name=f"conv{i}")(x)
        if i == 2:
            x = L.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(x)
        if i > 1:
            x = L.BatchNormalization(momentum=0.8, name=f"bn{i}")(x)
        x = L.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
        x = L.Dropout(0.25, name=f"dropout{i}")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, activation="sigmoid", name="p_real")(x)
    return keras.Model(inputs, outputs, name="dcgan_discriminator")
