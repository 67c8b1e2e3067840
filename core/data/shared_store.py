"""Where the state that processes share lives: the cache folder, and Redis or SQLite for the
training queue (:mod:`core.training.queue_backend`) and the live sessions' rooms (:mod:`core.data.rooms`).

- ``$NEURAL_EXPLAINER_QUEUE_URL`` = ``redis://:PASSWORD@host:6379/0`` (or ``rediss://``, ``unix://``):
  Redis, the password being Redis' ``requirepass`` (on Kubernetes from the Redis Secret, with compose
  from its environment file). :func:`redis_client` pings it, so a missing or wrong password is a
  :class:`SharedStoreError` that says how to fix it, with the password masked (:func:`redact`).
- ``sqlite:///path``: that file for the queue, and files beside it for the rooms; unset: the folder
  ``<cache>/queue`` made 0700 (:func:`private_dir`), each file 0600 — never a predictable path in ``/tmp``.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

#: Environment variable that overrides the per-user cache directory (models, the queue, the rooms).
CACHE_ENV_VAR = "NEURAL_EXPLAINER_CACHE"
#: Environment variable: the shared storage, ``redis://:PASSWORD@host:6379/0`` or ``sqlite:///path``
#: (default: SQLite in a private folder of the cache).
STORE_URL_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_URL"
#: URL schemes that mean Redis.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

_log = logging.getLogger(__name__)


class SharedStoreError(ValueError):
    """The shared storage cannot be used as configured (a Redis password, an unwritable folder)."""


def default_cache_dir() -> Path:
    """``$NEURAL_EXPLAINER_CACHE``, else ``$XDG_CACHE_HOME/neural-explainer``, else
    ``~/.cache/neural-explainer``."""
    override = os.environ.get(CACHE_ENV_VAR)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "neural-explainer"


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def store_url(url: str | None = None) -> str:
    """``url``, else ``$NEURAL_EXPLAINER_QUEUE_URL`` (stripped; ``""`` when unset).

    Raises
    ------
    ValueError
        For a scheme other than Redis' or ``sqlite:///``.
    """
    url = (os.environ.get(STORE_URL_ENV_VAR, "") if url is None else url).strip()
    if url and not url.startswith(REDIS_SCHEMES + ("sqlite:///",)):
        raise ValueError(f"{STORE_URL_ENV_VAR} must be redis://... or sqlite:///path, got {redact(url)!r}")
    return url


def is_redis(url: str) -> bool:
    """Whether ``url`` names Redis (``redis://``, ``rediss://``, ``unix://``)."""
    return url.startswith(REDIS_SCHEMES)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make it 0700, owned by this user.

    Raises
    ------
    SharedStoreError
        If it cannot be created, or belongs to another user (another user's folder is never used).
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if info.st_uid != os.getuid():
            raise SharedStoreError(
                f"the folder {path} of the training queue and the live sessions belongs to another user; "
                f"set ${STORE_URL_ENV_VAR} to sqlite:///<a folder of yours>/queue.sqlite"
            )
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.chmod(0o700)
    except OSError as exc:
        raise SharedStoreError(
            f"the folder {path} of the training queue and the live sessions cannot be made private "
            f"({exc}); set "
            f"${CACHE_ENV_VAR} to a writable folder or ${STORE_URL_ENV_VAR}"
        ) from None
    return path


def sqlite_path(url: str, filename: str, *, shared: bool) -> Path:
    """The SQLite file ``filename`` for ``url`` (``sqlite:///<folder>/<file>`` or ``""``).

    ``sqlite:///path``: for the queue's own file (``filename=""``) that path, else ``filename`` in its
    folder; ``""``: ``<cache>/queue/<filename>`` in a folder made private (:func:`private_dir`). Where
    that folder cannot be made and the file is not ``shared`` with other processes, a fresh
    ``tempfile.mkdtemp`` folder (private, unpredictable).

    Raises
    ------
    SharedStoreError
        If the folder cannot be made private (and ``shared``).
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
        if not path.parent.is_dir():
            private_dir(path.parent)
        return path.with_name(filename) if filename else path
    folder = default_cache_dir() / "queue"
    try:
        return private_dir(folder) / filename
    except SharedStoreError:
        if shared:
            raise  # web processes and the worker must share one file
        fallback = Path(tempfile.mkdtemp(prefix="neural-explainer-queue-"))
        _log.warning("shared store: %s is not usable, using the private folder %s", folder, fallback)
        return fallback / filename


def make_private_file(path: Path) -> None:
    """Make ``path`` 0600 when this user owns it (the SQLite files)."""
    if path.exists() and path.stat().st_uid == os.getuid():
        path.chmod(0o600)


def redis_client(url: str, *, check: bool = True, purpose: str = "the training queue"):
    """A ``redis.Redis`` for ``url``, pinged now when ``check`` (bytes replies, no decoding).

    Raises
    ------
    SharedStoreError
        If Redis refuses the password (or needs one), answers an error, or cannot be reached; the
        message names ``purpose`` and masks the password.
    """
    import redis

    client = redis.Redis.from_url(url)
    if not check:
        return client
    where = redact(url)
    try:
        client.ping()
    except redis.exceptions.AuthenticationError:
        needs = not urlsplit(url).password
        raise SharedStoreError(
            f"Redis at {where} refused {purpose}: "
            + (
                "it requires a password; put it in the URL as redis://:PASSWORD@host:6379/0 "
                if needs
                else "the password in the URL is wrong; use the one of Redis' requirepass "
            )
            + f"(${STORE_URL_ENV_VAR}, from the Redis Secret or the compose environment file)"
        ) from None
    except redis.exceptions.ResponseError as exc:
        raise SharedStoreError(f"Redis at {where} refused {purpose}: {exc}") from None
    except redis.exceptions.ConnectionError as exc:
        raise SharedStoreError(f"cannot reach Redis at {where} ({exc}); check ${STORE_URL_ENV_VAR}") from None
    return client
