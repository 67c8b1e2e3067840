"""The course documents and the published references the app cites, and how a page cites them.

The course comes as five documents: two number their sections (the numbered notes on convolution and
the *Introduction to deep learning* textbook), three are slide decks whose slides carry headings. A
reader finds a passage by title and section number, or by title and slide heading, so that is how the
app cites them::

    >>> cite("intro_dl", "1.1.7")
    'Course notes, *Introduction to deep learning* §1.1.7'
    >>> cite("cnn_classics", "Padding")
    'Course notes, *CNN building blocks and classic networks*, *Padding*'

Published references (papers, library documentation) live in :data:`REFERENCES`, keyed by a short
name; :func:`reference` formats one. Pages list both in their "Sources" panel
(:func:`core.adapters.sources.sources_panel`); docstrings use the same short forms in a numpydoc
``References`` section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CourseDocument", "Reference", "DOCUMENTS", "REFERENCES", "cite", "document", "plain", "reference"]


@dataclass(frozen=True)
class CourseDocument:
    """One course document.

    Attributes
    ----------
    key : str
        Its key in :data:`DOCUMENTS`, what :func:`cite` and :func:`document` take (``"intro_dl"``).
    title : str
        The title a student reads, chosen from what the document covers.
    numbered : bool
        True if the document numbers its sections (cite ``§n``); False for a slide deck (cite a
        slide heading).
    covers : str
        One line on what it covers, shown in the Sources panel.
    """

    key: str
    title: str
    numbered: bool
    covers: str


@dataclass(frozen=True)
class Reference:
    """A published reference: a paper, a book or a library's documentation page.

    Attributes
    ----------
    key : str
        Its key in :data:`REFERENCES`, what :func:`reference` takes (``"he2016"``).
    text : str
        Authors, year and title as a reader cites them (Markdown; the title in italics).
    url : str
        Where to read it.
    """

    key: str
    text: str
    url: str


_DOCS = [
    CourseDocument(
        "ae_cnn",
        "Autoencoders and convolutional networks",
        False,
        "lecture slides: autoencoders, 1-D and 2-D convolution, pooling, Rohrer's X/O example, "
        "training, dropout, batch normalisation, MNIST CNNs in TensorFlow and Keras",
    ),
    CourseDocument(
        "keras_cnn",
        "CNNs and regularisation in Keras",
        False,
        "slides: image filters (line detectors, Sobel, Laplacian), CNN layers in Keras, the MNIST "
        "CNN, batch normalisation and spatial dropout, design practice, transfer learning",
    ),
    CourseDocument(
        "conv_notes",
        "Convolution, pooling and tensors",
        True,
        "numbered notes: convolution as a feature detector, stride, padding, max pooling, "
        "dropout, tensors, a CIFAR-10 CNN",
    ),
    CourseDocument(
        "cnn_classics",
        "CNN building blocks and classic networks",
        False,
        "slides after Andrew Ng's course: edge detectors, padding, strided and RGB convolution, "
        "one conv layer, pooling, LeNet-5, AlexNet, VGG-16, ResNet, Keras",
    ),
    CourseDocument(
        "intro_dl",
        "Introduction to deep learning",
        True,
        "textbook: neurons and Boolean functions, perceptron and Hebbian learning, Adaline, "
        "tensors, CNNs, pre-trained networks, generative models",
    ),
]

#: The five course documents by key.
DOCUMENTS: dict[str, CourseDocument] = {d.key: d for d in _DOCS}

_REFS = [
    # --- papers and books -------------------------------------------------------------------------
    Reference(
        "mcculloch_pitts1943",
        "McCulloch & Pitts (1943), *A logical calculus of the ideas immanent in nervous activity*",
        "https://doi.org/10.1007/BF02478259",
    ),
    Reference(
        "rosenblatt1958",
        "Rosenblatt (1958), *The perceptron: a probabilistic model for information "
        "storage and organization in the brain*",
        "https://doi.org/10.1037/h0042519",
    ),
    Reference(
        "widrow_hoff1960",
        "Widrow & Hoff (1960), *Adaptive switching circuits*",
        "https://www-isl.stanford.edu/~widrow/papers/c1960adaptiveswitching.pdf",
    ),
    Reference(
        "novikoff1962",
        "Novikoff (1962), *On convergence proofs on perceptrons*",
        "https://cs.uwaterloo.ca/~y328yu/classics/novikoff.pdf",
    ),
    Reference(
        "minsky_papert1969",
        "Minsky & Papert (1969), *Perceptrons*",
        "https://mitpress.mit.edu/9780262630221/perceptrons/",
    ),
    Reference(
        "cover1965",
        "Cover (1965), *Geometrical and statistical properties of systems of linear "
        "inequalities with applications in pattern recognition*",
        "https://doi.org/10.1109/PGEC.1965.264137",
    ),
    Reference(
        "baldi_hornik1989",
        "Baldi & Hornik (1989), *Neural networks and principal component "
        "analysis: learning from examples without local minima*",
        "https://doi.org/10.1016/0893-6080(89)90014-2",
    ),
    Reference(
        "lecun1998",
        "LeCun, Bottou, Bengio & Haffner (1998), *Gradient-based learning applied to document recognition*",
        "https://doi.org/10.1109/5.726791",
    ),
    Reference(
        "prechelt1998",
        "Prechelt (1998), *Early stopping — but when?*",
        "https://doi.org/10.1007/3-540-49430-8_3",
    ),
    Reference(
        "hinton2006",
        "Hinton & Salakhutdinov (2006), *Reducing the dimensionality of data with neural networks*",
        "https://doi.org/10.1126/science.1127647",
    ),
    Reference(
        "vincent2008",
        "Vincent, Larochelle, Bengio & Manzagol (2008), *Extracting and composing "
        "robust features with denoising autoencoders*",
        "https://doi.org/10.1145/1390156.1390294",
    ),
    Reference(
        "krizhevsky2012",
        "Krizhevsky, Sutskever & Hinton (2012), *ImageNet classification with deep "
        "convolutional neural networks*",
        "https://doi.org/10.1145/3065386",
    ),
    Reference(
        "kingma_welling2014",
        "Kingma & Welling (2014), *Auto-encoding variational Bayes*",
        "https://arxiv.org/abs/1312.6114",
    ),
    Reference(
        "goodfellow2014",
        "Goodfellow et al. (2014), *Generative adversarial nets*",
        "https://arxiv.org/abs/1406.2661",
    ),
    Reference(
        "srivastava2014",
        "Srivastava et al. (2014), *Dropout: a simple way to prevent neural networks from overfitting*",
        "https://jmlr.org/papers/v15/srivastava14a.html",
    ),
    Reference(
        "zeiler_fergus2014",
        "Zeiler & Fergus (2014), *Visualizing and understanding convolutional networks*",
        "https://arxiv.org/abs/1311.2901",
    ),
    Reference(
        "simonyan2014",
        "Simonyan & Zisserman (2015), *Very deep convolutional networks for large-scale image recognition*",
        "https://arxiv.org/abs/1409.1556",
    ),
    Reference(
        "tompson2015",
        "Tompson et al. (2015), *Efficient object localization using convolutional "
        "networks* (spatial dropout)",
        "https://arxiv.org/abs/1411.4280",
    ),
    Reference(
        "ioffe2015",
        "Ioffe & Szegedy (2015), *Batch normalization: accelerating deep network "
        "training by reducing internal covariate shift*",
        "https://arxiv.org/abs/1502.03167",
    ),
    Reference(
        "kingma_ba2015",
        "Kingma & Ba (2015), *Adam: a method for stochastic optimization*",
        "https://arxiv.org/abs/1412.6980",
    ),
    Reference(
        "xie_tu2015",
        "Xie & Tu (2015), *Holistically-nested edge detection*",
        "https://arxiv.org/abs/1504.06375",
    ),
    Reference(
        "radford2015",
        "Radford, Metz & Chintala (2016), *Unsupervised representation learning with "
        "deep convolutional generative adversarial networks*",
        "https://arxiv.org/abs/1511.06434",
    ),
    Reference(
        "he2016",
        "He, Zhang, Ren & Sun (2016), *Deep residual learning for image recognition*",
        "https://arxiv.org/abs/1512.03385",
    ),
    Reference(
        "he2016_identity",
        "He, Zhang, Ren & Sun (2016), *Identity mappings in deep residual networks*",
        "https://arxiv.org/abs/1603.05027",
    ),
    Reference(
        "dumoulin_visin2016",
        "Dumoulin & Visin (2016), *A guide to convolution arithmetic for deep learning*",
        "https://arxiv.org/abs/1603.07285",
    ),
    Reference(
        "luo2016",
        "Luo, Li, Urtasun & Zemel (2016), *Understanding the effective receptive field in "
        "deep convolutional neural networks*",
        "https://arxiv.org/abs/1701.04128",
    ),
    Reference(
        "metz2017",
        "Metz, Poole, Pfau & Sohl-Dickstein (2017), *Unrolled generative adversarial networks*",
        "https://arxiv.org/abs/1611.02163",
    ),
    Reference(
        "loshchilov_hutter2019",
        "Loshchilov & Hutter (2019), *Decoupled weight decay regularization*",
        "https://arxiv.org/abs/1711.05101",
    ),
    Reference(
        "araujo2019",
        "Araujo, Norris & Sim (2019), *Computing receptive fields of convolutional neural networks*, Distill",
        "https://distill.pub/2019/computing-receptive-fields/",
    ),
    Reference(
        "scharr2000",
        "Scharr (2000), *Optimale Operatoren in der digitalen Bildverarbeitung* (the Scharr kernel)",
        "https://doi.org/10.11588/heidok.00000962",
    ),
    Reference(
        "rohrer2016",
        "Rohrer (2016), *How do convolutional neural networks work?*",
        "https://brohrer.github.io/how_convolutional_neural_networks_work.html",
    ),
    Reference(
        "cs231n",
        "Stanford CS231n, *Convolutional neural networks for visual recognition* (notes)",
        "https://cs231n.github.io/convolutional-networks/",
    ),
    # --- library documentation --------------------------------------------------------------------
    Reference(
        "keras_conv2d",
        "Keras API, *Conv2D layer*",
        "https://keras.io/api/layers/convolution_layers/convolution2d/",
    ),
    Reference(
        "keras_pooling",
        "Keras API, *MaxPooling2D* and *AveragePooling2D* layers",
        "https://keras.io/api/layers/pooling_layers/",
    ),
    Reference("keras_dense", "Keras API, *Dense layer*", "https://keras.io/api/layers/core_layers/dense/"),
    Reference(
        "keras_dropout",
        "Keras API, *Dropout* and *SpatialDropout2D* layers",
        "https://keras.io/api/layers/regularization_layers/",
    ),
    Reference(
        "keras_batchnorm",
        "Keras API, *BatchNormalization layer*",
        "https://keras.io/api/layers/normalization_layers/batch_normalization/",
    ),
    Reference(
        "keras_losses",
        "Keras API, *Probabilistic losses* (cross-entropy, ``from_logits``)",
        "https://keras.io/api/losses/probabilistic_losses/",
    ),
    Reference(
        "keras_optimizers", "Keras API, *Optimizers* (SGD, Adam, AdamW)", "https://keras.io/api/optimizers/"
    ),
    Reference(
        "keras_regularizers",
        "Keras API, *Layer weight regularizers*",
        "https://keras.io/api/layers/regularizers/",
    ),
    Reference(
        "keras_augmentation",
        "Keras API, *Image augmentation layers*",
        "https://keras.io/api/layers/preprocessing_layers/image_augmentation/",
    ),
    Reference(
        "keras_vgg16", "Keras API, *VGG16* (``keras.applications``)", "https://keras.io/api/applications/vgg/"
    ),
    Reference("keras_mnist", "Keras API, *MNIST digits dataset*", "https://keras.io/api/datasets/mnist/"),
    Reference(
        "keras_autoencoder",
        "Chollet (2016), *Building autoencoders in Keras*",
        "https://blog.keras.io/building-autoencoders-in-keras.html",
    ),
    Reference(
        "keras_vae",
        "keras.io example, *Variational autoencoder*",
        "https://keras.io/examples/generative/vae/",
    ),
    Reference(
        "keras_dcgan",
        "keras.io example, *DCGAN to generate face images*",
        "https://keras.io/examples/generative/dcgan_overriding_train_step/",
    ),
    Reference(
        "keras_activations",
        "Keras API, *Layer activation functions*",
        "https://keras.io/api/layers/activations/",
    ),
    Reference(
        "tf_cnn_tutorial",
        "TensorFlow tutorial, *Convolutional Neural Network (CNN)* (CIFAR-10)",
        "https://www.tensorflow.org/tutorials/images/cnn",
    ),
    Reference(
        "tf_tensors", "TensorFlow guide, *Introduction to tensors*", "https://www.tensorflow.org/guide/tensor"
    ),
    Reference(
        "numpy_convolve",
        "NumPy, *numpy.convolve*",
        "https://numpy.org/doc/stable/reference/generated/numpy.convolve.html",
    ),
    Reference(
        "scipy_convolve2d",
        "SciPy, *scipy.signal.convolve2d*",
        "https://docs.scipy.org/doc/scipy/reference/generated/scipy.signal.convolve2d.html",
    ),
]

#: Published references by key.
REFERENCES: dict[str, Reference] = {r.key: r for r in _REFS}

_SECTION = re.compile(r"^\d+(\.\d+)*$")
# What a citation must never show a student: a course file name, a line number or range.
_FORBIDDEN = re.compile(r"\d{3}_[0-9a-f]{16}|\.txt\b|\bL\d+\s*[–-]\s*L?\d+|\bl\.\s*\d+|\bline\s+\d+", re.I)


def document(key: str) -> CourseDocument:
    """The course document called ``key``.

    Raises
    ------
    ValueError
        If ``key`` is not one of :data:`DOCUMENTS`.
    """
    try:
        return DOCUMENTS[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"document: unknown course document {key!r}; use one of {', '.join(sorted(DOCUMENTS))}"
        ) from None


def _check_sections(doc: CourseDocument, where: str) -> None:
    parts = [p.strip() for p in re.split(r",|–|-", where)]
    if not all(_SECTION.match(p) for p in parts):
        raise ValueError(
            f"cite: {doc.title!r} numbers its sections; give section numbers such as "
            f"'2.3', '1.1.5–1.1.6' or '2.2.6, 2.3.4', not {where!r}"
        )


def cite(key: str, where: str | None = None, *, markdown: bool = True) -> str:
    """How a page or docstring cites a course document.

    Parameters
    ----------
    key : str
        A key of :data:`DOCUMENTS`.
    where : str, optional
        For a document that numbers its sections: the section number(s), ``"2.3"``, ``"1.1.5–1.1.6"``
        or ``"2.2.6, 2.3.4"``. For a slide deck: the slide's heading (``"Padding"``). None cites the
        whole document.
    markdown : bool, default True
        Italicise title and heading with ``*`` (for ``st.markdown``/``st.caption``); False gives plain
        text with the title in quotes (for chart titles and widget labels).

    Returns
    -------
    str
        ``"Course notes, *Title* §2.3"``, ``"Course notes, *Title*, *Heading*"`` or
        ``"Course notes, *Title*"``.

    Raises
    ------
    ValueError
        If ``key`` is unknown, if ``where`` is not a section number for a numbered document, or if it
        is empty or names a file or line numbers.
    """
    doc = document(key)
    italic = (lambda s: f"*{s}*") if markdown else (lambda s: f"“{s}”")
    head = f"Course notes, {italic(doc.title)}"
    if where is None:
        return head
    if not isinstance(where, str) or not where.strip():
        raise ValueError(f"cite: where must be a non-empty section number or heading, not {where!r}")
    where = where.strip()
    if _FORBIDDEN.search(where):
        raise ValueError(f"cite: {where!r} names a file or line numbers; cite a section or slide heading")
    if doc.numbered:
        _check_sections(doc, where)
        return f"{head} §{where}"
    if _SECTION.match(where):
        raise ValueError(
            f"cite: {doc.title!r} is a slide deck without section numbers; give the "
            f"slide's heading, not {where!r}"
        )
    return f"{head}, {italic(where)}"


def plain(citation: str) -> str:
    """A Markdown citation as plain text, for widget labels, tables and chart titles.

    ``"Course notes, *Padding*"`` -> ``"Course notes, “Padding”"``: each ``*…*`` span becomes a quoted one.
    """
    return re.sub(r"\*([^*]+)\*", r"“\1”", citation)


def reference(key: str, *, markdown: bool = True) -> str:
    """A published reference as a reader cites it: ``"He et al. (2016), *Deep residual ...*"``.

    With ``markdown=True`` the text links to the reference's URL.

    Raises
    ------
    ValueError
        If ``key`` is not one of :data:`REFERENCES`.
    """
    try:
        ref = REFERENCES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"reference: unknown reference {key!r}; add it to core.data.course.REFERENCES "
            "or use one of its keys"
        ) from None
    if markdown:
        return f"{ref.text} — [{ref.url.split('://', 1)[1].split('/', 1)[0]}]({ref.url})"
    return ref.text.replace("*", "")
