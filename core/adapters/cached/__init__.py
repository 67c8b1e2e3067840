"""Streamlit caches around core calls, keyed on small hashable things.

Loaded images and computed numbers are ``st.cache_data`` (every caller gets a copy); models are
``st.cache_resource``, shared by every visitor and read-only. Entries are bounded with
``max_entries``. Importing this package imports no TensorFlow: the Keras checks and model loaders
import it on their first call. The wrappers compute nothing themselves: each calls ``core`` (model
calls are methods or functions of the shared bundles, which take the bundle's lock; pixels are
scaled by ``core.data.images.to_unit_range``), caches the result and marks shared arrays read-only.
What a cache is keyed on is in its arguments (those starting with "_" are not hashed: a key argument
names them) and said in its docstring ("Key: ...").

One module per topic, every public name re-exported here (``cached.feature_map(...)``):

* :mod:`~core.adapters.cached.sharing`: shared resources (with the heap-freeze request), shared
  views, read-only arrays;
* :mod:`~core.adapters.cached.warmup`: loading the shipped models in the background at start-up;
* :mod:`~core.adapters.cached.images`: uploads, sample photos, grayscale copies, feature maps;
* :mod:`~core.adapters.cached.layer_checks`: the Keras checks of the pooling and layer-arithmetic pages;
* :mod:`~core.adapters.cached.digit_models`: MNIST, the trained CNNs, uploaded and ImageNet models,
  the CNN activations page's clicks;
* :mod:`~core.adapters.cached.generative`: the digits and the trained autoencoders and DCGAN;
* :mod:`~core.adapters.cached.autoencoder` and :mod:`~core.adapters.cached.gan`: what those pages'
  views ask of the shared models.
"""

from core.adapters.cached.autoencoder import (
    ae_decoded_point,
    ae_denoise,
    ae_interpolation,
    ae_manifold,
    ae_project,
    ae_reconstructions,
    ae_vs_pca_rows,
    ae_vs_pca_table,
    noise_digit,
    pca_basis,
    preset_table,
    test_codes,
    test_errors,
)
from core.adapters.cached.deep_features import (
    hed_facts,
    hed_first_filters,
    hed_hand_made_edges,
    hed_layer_view,
    hed_load_error,
    hed_model,
    hed_pass,
    kernel_chance_rate,
)
from core.adapters.cached.digit_models import (
    cnn_activations,
    cnn_feature_maps,
    cnn_kernel_matches,
    cnn_model_input,
    cnn_photo_trunk,
    digit_model,
    imagenet_model,
    imagenet_top,
    mnist,
    shipped_digit_model,
    user_model,
)
from core.adapters.cached.gan import (
    GAN_SAMPLES,
    course_dcgan_tables,
    gan_codes,
    gan_interpolation,
    gan_nearest,
    gan_real_scores,
    gan_samples,
    gan_summary,
    gan_vary_dimension,
    real_nearest_distance,
    toy_gan_state,
)
from core.adapters.cached.generative import digits, generative_model
from core.adapters.cached.images import decode_upload, feature_map, grayscale, sample_image, sample_pixels
from core.adapters.cached.layer_checks import (
    architecture_table,
    architectures,
    conv_output_shape,
    custom_layer_counts,
    example_count,
    former_architecture_keys,
    keras_pool,
)
from core.adapters.cached.regularisation import (
    augmented_digits,
    keras_batch_norm,
    keras_code,
    keras_dropout,
    regularisation_grid,
    sevens,
    tape_gradient,
    training_results,
)
from core.adapters.cached.sharing import read_only, shared_resource, shared_view
from core.adapters.cached.warmup import WARMUP_ENV, start_warmup

__all__ = [
    "read_only",
    "shared_resource",
    "shared_view",
    "WARMUP_ENV",
    "start_warmup",
    "decode_upload",
    "feature_map",
    "grayscale",
    "sample_image",
    "sample_pixels",
    "architecture_table",
    "conv_output_shape",
    "custom_layer_counts",
    "example_count",
    "keras_pool",
    "cnn_activations",
    "cnn_feature_maps",
    "cnn_kernel_matches",
    "cnn_model_input",
    "cnn_photo_trunk",
    "digit_model",
    "imagenet_model",
    "imagenet_top",
    "mnist",
    "shipped_digit_model",
    "user_model",
    "digits",
    "generative_model",
    "augmented_digits",
    "keras_batch_norm",
    "keras_code",
    "keras_dropout",
    "regularisation_grid",
    "sevens",
    "tape_gradient",
    "training_results",
    "hed_facts",
    "hed_first_filters",
    "kernel_chance_rate",
    "hed_hand_made_edges",
    "hed_layer_view",
    "hed_load_error",
    "hed_model",
    "hed_pass",
    "architectures",
    "former_architecture_keys",
    "ae_decoded_point",
    "ae_denoise",
    "ae_interpolation",
    "ae_manifold",
    "ae_project",
    "ae_reconstructions",
    "ae_vs_pca_rows",
    "ae_vs_pca_table",
    "noise_digit",
    "pca_basis",
    "preset_table",
    "test_codes",
    "test_errors",
    "GAN_SAMPLES",
    "gan_codes",
    "gan_interpolation",
    "gan_nearest",
    "gan_real_scores",
    "gan_samples",
    "gan_summary",
    "gan_vary_dimension",
    "real_nearest_distance",
    "course_dcgan_tables",
    "toy_gan_state",
]
