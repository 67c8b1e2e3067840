"""The app's pages: one record per page script, used by ``app.py`` (navigation) and the home page.

Plain data, no Streamlit: ``url_path`` is the script's file stem, so ``/convolution`` opens
``pages/convolution.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTIONS = ("Building blocks", "Learning rules", "Trained networks", "Generative models")


@dataclass(frozen=True)
class PageInfo:
    """One page of the app.

    Attributes
    ----------
    script : str
        Path relative to the repository root, e.g. ``"pages/convolution.py"``.
    title : str
        Navigation label.
    icon : str
        Material icon, e.g. ``":material/filter:"``.
    section : str
        One of :data:`SECTIONS`.
    blurb : str
        One sentence for the home page card.
    needs_tensorflow : bool
        Whether the page imports TensorFlow (the first visit then takes a few seconds longer).
    """

    script: str
    title: str
    icon: str
    section: str
    blurb: str
    needs_tensorflow: bool = False

    @property
    def url_path(self) -> str:
        return self.script.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "pages/convolution.py",
        "Convolution and kernels",
        ":material/blur_on:",
        "Building blocks",
        "Slide a kernel over your own photo: stride, padding, dilation, and the numbers behind "
        "every output pixel.",
    ),
    PageInfo(
        "pages/pooling.py",
        "Pooling",
        ":material/grid_view:",
        "Building blocks",
        "Max and average pooling on the course's matrices and on your photo; why pooling makes a "
        "CNN tolerate small shifts.",
    ),
    PageInfo(
        "pages/layer_arithmetic.py",
        "Layer arithmetic",
        ":material/calculate:",
        "Building blocks",
        "Output sizes, parameter counts and the course's architectures, checked against real Keras layers.",
        needs_tensorflow=True,
    ),
    PageInfo(
        "pages/boolean_neurons.py",
        "Boolean neurons",
        ":material/toggle_on:",
        "Learning rules",
        "Threshold units as logic gates: weights, bias, the decision line, and why one neuron "
        "cannot compute XOR.",
    ),
    PageInfo(
        "pages/perceptron.py",
        "Perceptron learning",
        ":material/model_training:",
        "Learning rules",
        "The perceptron, Hebb and delta rules, one update at a time, with a timeline to scrub.",
    ),
    PageInfo(
        "pages/cnn_activations.py",
        "CNN activations",
        ":material/layers:",
        "Trained networks",
        "What a trained CNN sees in a digit, in your drawing and in your photo: every feature map.",
        needs_tensorflow=True,
    ),
    PageInfo(
        "pages/deep_features.py",
        "Deep features",
        ":material/deblur:",
        "Trained networks",
        "Your photo through a real VGG16, offline: every layer's feature maps, where a unit looks, and "
        "learned edges (HED) beside Sobel and Canny.",
        needs_tensorflow=True,
    ),
    PageInfo(
        "pages/training.py",
        "Training a CNN",
        ":material/trending_down:",
        "Trained networks",
        "The loss, one gradient step with the numbers, a network overfitting 500 images, and dropout, "
        "batch norm, L2, AdamW and augmentation compared over three seeds.",
        needs_tensorflow=True,
    ),
    PageInfo(
        "pages/autoencoder.py",
        "Autoencoder latent space",
        ":material/scatter_plot:",
        "Generative models",
        "Click anywhere in a 2-D latent space and see what it decodes to: a plain autoencoder compresses "
        "and has nothing to sample from; the VAE beside it adds the prior that makes it generative.",
        needs_tensorflow=True,
    ),
    PageInfo(
        "pages/gan.py",
        "GAN sampling",
        ":material/auto_awesome:",
        "Generative models",
        "Digits from noise: sample grids, latent walks, and a toy GAN trained step by step.",
        needs_tensorflow=True,
    ),
)
