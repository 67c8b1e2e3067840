"""Where the training queue lives: Huey on Redis or SQLite, with JSON messages, a password for
Redis and a private folder for SQLite (:mod:`core.training.jobs` runs the queue on it).

- ``$NEURAL_EXPLAINER_QUEUE_URL`` = ``redis://:PASSWORD@host:6379/0`` (or ``rediss://``): Redis, the
  password being Redis' ``requirepass`` (on Kubernetes from the Redis Secret, with compose from its
  environment file). :func:`queue_storage` pings it, so a missing or wrong password is a
  :class:`QueueConfigError` that says how to fix it, with the password masked (:func:`redact`).
- ``sqlite:///path``: that file; unset: ``<model cache>/queue/training-queue.sqlite`` in a folder
  made 0700 (:func:`private_dir`), the file 0600 — never a predictable path in ``/tmp``.

The URL, the folder and the Redis connection are :mod:`core.data.shared_store`'s, which the live
sessions' rooms (:mod:`core.data.rooms`) share.
"""

from __future__ import annotations

import os

import huey

from core.data.shared_store import (  # noqa: F401
    STORE_URL_ENV_VAR,
    SharedStoreError,
    is_redis,
    make_private_file,
    private_dir,
    redact,
    redis_client,
    sqlite_path,
    store_url,
)
from core.training import queue_codec

#: Environment variable: the queue's storage, ``redis://:PASSWORD@host:6379/0`` or
#: ``sqlite:///path`` (default: SQLite in a private folder of the model cache).
QUEUE_URL_ENV_VAR = STORE_URL_ENV_VAR
#: Environment variable: ``external`` when ``python -m core.training.worker`` consumes the queue
#: (the web processes of ``make serve``); anything else: this process consumes it itself.
CONSUMER_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_CONSUMER"
#: The name of the queue (and of its Huey instance) in the storage.
QUEUE_NAME = "neural-explainer-training"


#: The queue's storage errors are the shared store's (a Redis password, an unwritable folder).
QueueConfigError = SharedStoreError


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
    url = store_url(url)
    serializer = queue_codec.JsonSerializer()
    if is_redis(url):
        client = redis_client(url, check=check, purpose="the training queue")
        return huey.RedisHuey(
            QUEUE_NAME, connection_pool=client.connection_pool, results=False, serializer=serializer
        )
    if not url and shared is None:
        shared = os.environ.get(CONSUMER_ENV_VAR, "").strip().lower() == "external"
    path = sqlite_path(url, "" if url else "training-queue.sqlite", shared=bool(shared))
    storage = huey.SqliteHuey(QUEUE_NAME, filename=str(path), results=False, serializer=serializer)
    make_private_file(path)
    return storage
