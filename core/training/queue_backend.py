"""Where the training queue lives: Huey on Redis or SQLite, with JSON messages, a password for
Redis and a private folder for SQLite (:mod:`core.training.jobs` runs the queue on it).

- ``$NEURAL_EXPLAINER_QUEUE_URL`` = ``redis://:PASSWORD@host:6379/0`` (or ``rediss://``): Redis, the
  password being Redis' ``requirepass`` (on Kubernetes from the Redis Secret, with compose from its
  environment file). :func:`queue_storage` pings it, so a missing or wrong password is a
  :class:`QueueConfigError` that says how to fix it, with the password masked (:func:`redact`).
- ``sqlite:///path``: that file; unset: ``<model cache>/queue/training-queue.sqlite`` in a folder
  made 0700 (:func:`private_dir`), the file 0600 — never a predictable path in ``/tmp``.
"""
from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import huey

from core.training import queue_codec

#: Environment variable: the queue's storage, ``redis://:PASSWORD@host:6379/0`` or
#: ``sqlite:///path`` (default: SQLite in a private folder of the model cache).
QUEUE_URL_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_URL"
#: Environment variable: ``external`` when ``python -m core.training.worker`` consumes the queue
#: (the web processes of ``make serve``); anything else: this process consumes it itself.
CONSUMER_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_CONSUMER"
#: The name of the queue (and of its Huey instance) in the storage.
QUEUE_NAME = "neural-explainer-training"

_log = logging.getLogger(__name__)


class QueueConfigError(ValueError):
    """The queue's storage cannot be used as configured (a Redis password, an unwritable folder)."""


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make it 0700, owned by this user.

    Raises
    ------
    QueueConfigError
        If it cannot be created, or belongs to another user (another user's folder is never used).
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if info.st_uid != os.getuid():
            raise QueueConfigError(f"the training queue's folder {path} belongs to another user; "
                                   f"set ${QUEUE_URL_ENV_VAR} to sqlite:///<a folder of yours>/queue.sqlite")
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.chmod(0o700)
    except OSError as exc:
        raise QueueConfigError(f"the training queue's folder {path} cannot be made private ({exc}); set "
                               f"$NEURAL_EXPLAINER_CACHE to a writable folder or ${QUEUE_URL_ENV_VAR}") from None
    return path


def _default_sqlite_path(shared: bool) -> Path:
    """``<model cache>/queue/training-queue.sqlite``; where that folder cannot be made and the queue
    is not ``shared`` with other processes, a fresh ``tempfile.mkdtemp`` folder (private, unpredictable)."""
    from core.training.store import default_cache_dir

    folder = default_cache_dir() / "queue"
    try:
        return private_dir(folder) / "training-queue.sqlite"
    except QueueConfigError:
        if shared:
            raise                           # web processes and the worker must share one file
        fallback = Path(tempfile.mkdtemp(prefix="neural-explainer-queue-"))
        _log.warning("training queue: %s is not usable, using the private folder %s", folder, fallback)
        return fallback / "training-queue.sqlite"


def queue_storage(url: str | None = None, *, check: bool = True, shared: bool | None = None) -> huey.Huey:
    """The Huey instance for ``url`` (default ``$NEURAL_EXPLAINER_QUEUE_URL``), with JSON messages.

    ``redis://[:PASSWORD@]host:port/db`` (or ``rediss://``, ``unix://``) gives a ``RedisHuey``;
    ``sqlite:///path`` or nothing a ``SqliteHuey`` (default file in a private 0700 folder of the
    model cache, see :func:`private_dir`; the file itself 0600).

    Parameters
    ----------
    check : bool, optional
        Ping Redis now, so a missing or wrong password is reported here, not at the first job.
    shared : bool, optional
        Other processes use this queue (the training worker; web processes, which is what
        ``$NEURAL_EXPLAINER_QUEUE_CONSUMER=external`` says when None): the default SQLite file must
        then be the model cache's, never a private temporary one (raise instead).

    Raises
    ------
    ValueError
        For any other URL scheme.
    QueueConfigError
        If Redis refuses the connection's password (or needs one), cannot be reached, or the
        SQLite folder cannot be made private.
    """
    url = (os.environ.get(QUEUE_URL_ENV_VAR, "") if url is None else url).strip()
    serializer = queue_codec.JsonSerializer()
    if url.startswith(("redis://", "rediss://", "unix://")):
        storage = huey.RedisHuey(QUEUE_NAME, url=url, results=False, serializer=serializer)
        if check:
            _check_redis(storage, url)
        return storage
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
        if not path.parent.is_dir():
            private_dir(path.parent)
    elif not url:
        if shared is None:
            shared = os.environ.get(CONSUMER_ENV_VAR, "").strip().lower() == "external"
        path = _default_sqlite_path(shared)
    else:
        raise ValueError(f"{QUEUE_URL_ENV_VAR} must be redis://... or sqlite:///path, got {redact(url)!r}")
    storage = huey.SqliteHuey(QUEUE_NAME, filename=str(path), results=False, serializer=serializer)
    if path.stat().st_uid == os.getuid():
        path.chmod(0o600)
    return storage


def _check_redis(storage: huey.Huey, url: str) -> None:
    import redis

    where = redact(url)
    try:
        storage.storage.conn.ping()
    except redis.exceptions.AuthenticationError:
        needs = not urlsplit(url).password
        raise QueueConfigError(
            f"Redis at {where} refused the training queue: "
            + ("it requires a password; put it in the URL as redis://:PASSWORD@host:6379/0 "
               if needs else "the password in the URL is wrong; use the one of Redis' requirepass ")
            + f"(${QUEUE_URL_ENV_VAR}, from the Redis Secret or the compose environment file)") from None
    except redis.exceptions.ResponseError as exc:
        raise QueueConfigError(f"Redis at {where} refused the training queue: {exc}") from None
    except redis.exceptions.ConnectionError as exc:
        raise QueueConfigError(f"cannot reach Redis at {where} ({exc}); check ${QUEUE_URL_ENV_VAR}") from None
