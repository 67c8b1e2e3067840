"""A trained generative model (autoencoder, VAE or DCGAN) shared by every visitor, and the calls
the pages make on it: encode, decode, reconstruct, generate, score.

A bundle is loaded once per process (``core.adapters.cached.generative_model``) and used from many
script threads at once, so every method that calls one of its Keras models holds the bundle's
``lock`` around that call, and only around it: the rule "every call on a shared Keras model takes
its bundle's lock" is applied here, once, and callers (the caches) never take the lock themselves.
Arguments are computed by the caller before a method runs, so no method waits on another cache
while it holds the lock.

Keras is imported by the model modules when a method first runs, not with this module.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from core.maths import interpolation


@dataclass(eq=False)
class GenerativeBundle:
    """A loaded generative model with what the pages show about it.

    Attributes
    ----------
    name : str
        Key of ``core.models.registry.GENERATIVE``.
    model : keras.Model
        Autoencoder, ``core.models.autoencoder.VAE`` or ``core.models.gan.DCGAN``.
    manifest : dict
        The model store's manifest (config, metrics, per-epoch history, data, time, device).
    status : str
        "shipped", "cache" or "trained".
    warnings : tuple of str
        Files the model store found damaged and replaced.
    timelapse : ndarray (epochs + 1, 64, 28, 28), uint8, or None
        DCGAN only: the fixed noise grid after every epoch.
    lock : threading.Lock
        Held by every method below around its model call.
    """

    name: str
    model: object
    manifest: dict
    status: str
    warnings: tuple = ()
    timelapse: np.ndarray | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- autoencoders and the VAE -----------------------------------------------------------------

    def encode(self, images) -> np.ndarray:
        """``core.models.autoencoder.encode``: images ``(N, 28, 28)`` in [0, 1] → codes
        ``(N, latent_dim)`` float32 (a VAE's: the mean). Raises ``ValueError`` for another shape."""
        from core.models import autoencoder as ae

        with self.lock:
            return ae.encode(self.model, images)

    def decode(self, codes) -> np.ndarray:
        """``core.models.autoencoder.decode``: codes ``(N, latent_dim)`` or one ``(latent_dim,)`` →
        images ``(N, 28, 28)`` float32 in [0, 1]. Raises ``ValueError`` for codes of another size."""
        from core.models import autoencoder as ae

        with self.lock:
            return ae.decode(self.model, codes)

    def reconstruct(self, images) -> np.ndarray:
        """``core.models.autoencoder.reconstruct``: ``(N, 28, 28)`` in [0, 1] → ``(N, 28, 28)`` float32."""
        from core.models import autoencoder as ae

        with self.lock:
            return ae.reconstruct(self.model, images)

    def reconstruction_error(self, images) -> np.ndarray:
        """``core.models.autoencoder.reconstruction_error``: per-image MSE ``(N,)`` float32."""
        from core.models import autoencoder as ae

        with self.lock:
            return ae.reconstruction_error(self.model, images)

    def decode_manifold(
        self, x_range: tuple[float, float], y_range: tuple[float, float], n: int
    ) -> np.ndarray:
        """``core.models.autoencoder.decode_manifold``: the ``n x n`` grid of 2-D codes over
        ``x_range`` x ``y_range``, decoded into one mosaic ``(28 n, 28 n)`` float32 in [0, 1]."""
        from core.models import autoencoder as ae

        with self.lock:
            return ae.decode_manifold(self.model, x_range=x_range, y_range=y_range, n=n)

    def decode_line(self, start, end, frames: int) -> tuple[np.ndarray, np.ndarray]:
        """Equal steps on the straight line from code ``start`` to code ``end`` and their images.

        Returns
        -------
        path : ndarray (frames, latent_dim), float32
            ``core.maths.interpolation.lerp(start, end, frames)``.
        images : ndarray (frames, 28, 28), float32 in [0, 1]

        Raises
        ------
        ValueError
            If ``frames`` < 2 or the codes do not have the model's size.
        """
        path = interpolation.lerp(start, end, frames)
        return path, self.decode(path)

    def project(self, digit) -> dict:
        """One digit through the autoencoder, under one hold of the lock.

        Parameters
        ----------
        digit : ndarray (28, 28) (or 784 values), float in [0, 1]

        Returns
        -------
        dict
            ``"code"`` ``(latent_dim,)`` float32, ``"reconstruction"`` ``(28, 28)`` float32 in [0, 1],
            ``"error"`` float, the reconstruction MSE.

        Raises
        ------
        ValueError
            If ``digit`` does not hold 28 x 28 pixels.
        """
        from core.models import autoencoder as ae

        x = np.asarray(digit, dtype=np.float32)
        if x.size != 28 * 28:
            raise ValueError(f"`digit` must be a 28 x 28 image, got shape {np.shape(digit)}.")
        x = x.reshape(1, 28, 28)
        with self.lock:
            return {
                "code": ae.encode(self.model, x)[0],
                "reconstruction": ae.reconstruct(self.model, x)[0],
                "error": float(ae.reconstruction_error(self.model, x)[0]),
            }

    def denoise(self, clean, *, noise_factor: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Digits ``clean`` ``(N, 28, 28)`` in [0, 1], corrupted by
        ``core.models.autoencoder.add_noise(noise_factor, seed)`` and restored by the model.

        Returns ``(clean, noisy, restored)``, each ``(N, 28, 28)`` float32 in [0, 1].
        Raises ``ValueError`` if ``noise_factor`` < 0.
        """
        from core.models import autoencoder as ae

        clean = np.asarray(clean, np.float32)
        noisy = ae.add_noise(clean, noise_factor=noise_factor, seed=seed)
        return clean, noisy, self.reconstruct(noisy)

    # --- the DCGAN --------------------------------------------------------------------------------

    def gan_sizes(self) -> dict:
        """``{"latent_dim", "generator_params", "discriminator_params"}`` (ints) of the DCGAN."""
        with self.lock:
            return {
                "latent_dim": int(self.model.latent_dim),
                "generator_params": int(self.model.generator.count_params()),
                "discriminator_params": int(self.model.discriminator.count_params()),
            }

    def latent(self, n: int, *, seed: int) -> np.ndarray:
        """``core.models.gan.sample_latent(n, latent_dim=..., seed=seed)``: noise ``(n, latent_dim)``
        float32; row ``i`` is the same for every ``n`` > ``i``."""
        from core.models import gan

        return gan.sample_latent(n, latent_dim=int(self.model.latent_dim), seed=int(seed))

    def generate(self, z) -> np.ndarray:
        """``core.models.gan.generate``: noise ``(N, latent_dim)`` → images ``(N, 28, 28)`` float32
        in [0, 1]. Raises ``ValueError`` for noise of another size."""
        from core.models import gan

        with self.lock:
            return gan.generate(self.model.generator, z)

    def score(self, images) -> np.ndarray:
        """``core.models.gan.discriminator_score``: the discriminator's P(real) of each image
        ``(N, 28, 28)`` in [0, 1], ``(N,)`` float32."""
        from core.models import gan

        with self.lock:
            return gan.discriminator_score(self.model.discriminator, images)

    def samples(self, n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` digits generated from noise seed ``seed`` and their scores: images
        ``(n, 28, 28)`` float32 in [0, 1], scores ``(n,)`` float32 in [0, 1]."""
        images = self.generate(self.latent(n, seed=seed))
        return images, self.score(images)

    def vary_dimension(self, z, *, dim: int, values) -> np.ndarray:
        """Code ``z`` ``(latent_dim,)`` with coordinate ``dim`` set to each of ``values``, generated:
        ``(len(values), 28, 28)`` float32 in [0, 1]. Raises ``ValueError`` for ``dim`` outside
        ``0..latent_dim - 1``."""
        from core.models import gan

        return self.generate(gan.vary_dimension(z, dim=dim, values=list(values)))

    def interpolate(self, z_a, z_b, frames: int) -> dict:
        """Both paths from noise ``z_a`` to ``z_b`` and their images, in one generator call.

        Returns
        -------
        dict
            ``{"lerp": (path, images), "slerp": (path, images)}``: ``core.maths.interpolation.lerp``
            (straight line) and ``slerp`` (great circle), each path ``(frames, latent_dim)`` float32 and
            its images ``(frames, 28, 28)`` float32 in [0, 1].

        Raises
        ------
        ValueError
            If ``frames`` < 2.
        """
        paths = {"lerp": interpolation.lerp(z_a, z_b, frames), "slerp": interpolation.slerp(z_a, z_b, frames)}
        images = self.generate(np.concatenate(list(paths.values())))
        return {
            method: (path, images[i * frames : (i + 1) * frames])
            for i, (method, path) in enumerate(paths.items())
        }
