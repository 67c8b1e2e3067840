"""Fixtures shared by the queue and room tests: ``storage`` (a fresh Huey storage, SQLite and Redis)
and ``redis_server`` (a real Debian ``redis-server``, one per test module); see
:mod:`tests.core.queue_backends`. A module that defines its own fixture of the same name overrides it.
"""

from tests.core.queue_backends import redis_server, storage

__all__ = ["redis_server", "storage"]
