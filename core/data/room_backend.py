"""The live sessions' storage primitives on SQLite or Redis: bytes under keys, nothing decoded here.

:mod:`core.data.rooms` keeps the rules and the JSON; a backend only stores bytes, with a time to
live that collects what nobody ends (the rules check idleness themselves, with their own clock):

- ``get`` / ``put`` / ``touch`` (a new time to live, if present) / ``create`` (only if absent) / ``update``
(read, change, write atomically: a
  ``BEGIN IMMEDIATE`` transaction in SQLite, ``WATCH``/``MULTI`` in Redis) / ``delete_prefix``;
- fields of a key: ``add_once`` keeps a field's first value only (a check and an insert under the primary key
in one
  ``BEGIN IMMEDIATE`` transaction in SQLite,
  a Lua ``HLEN`` + ``HSETNX`` in Redis: one answer per session, counted once across processes), with a
  cap on the number of fields; ``scores`` (a Redis sorted set, a SQLite table): a member's last
  heartbeat, counted since a time.

:func:`open_backend` picks the one for ``$NEURAL_EXPLAINER_QUEUE_URL`` (:mod:`core.data.shared_store`):
Redis, else ``rooms.sqlite`` in the training queue's private folder (0700, the file 0600).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.data.shared_store import is_redis, make_private_file, redis_client, sqlite_path, store_url

#: The SQLite file's name, beside the training queue's.
SQLITE_NAME = "rooms.sqlite"
#: Every Redis key of the rooms starts so (the training queue's keys start ``huey.``).
REDIS_PREFIX = "neural-explainer:rooms:"
#: Idle SQLite connections kept for reuse. Streamlit runs every script run in a new thread, so a
#: connection per thread was opened anew on every poll (~0.25 ms, against ~0.01 ms for the read);
#: a pool lends one to whichever thread asks and keeps at most this many when they come back.
MAX_IDLE_CONNECTIONS = 8


class SqliteRoomBackend:
    """Rooms in one SQLite file (WAL; several processes share the file).

    Connections come from a small pool: a thread borrows one for one call and gives it back, so
    threads that live for one script run do not each open a connection. At most
    :data:`MAX_IDLE_CONNECTIONS` are kept; one opened while all were lent is closed when given back.
    ``opened`` counts the connections opened so far.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._local = threading.local()  # the connection this thread holds now, if any
        self.opened = 0
        with self._conn() as conn:  # creates the file and tables
            conn.executescript(
                "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL "
                "NOT NULL);"
                "CREATE TABLE IF NOT EXISTS fields (key TEXT NOT NULL, field TEXT NOT NULL, value BLOB,"
                " score REAL, expires REAL NOT NULL, PRIMARY KEY (key, field));"
            )
        make_private_file(self.path)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        """A connection of the pool (or a new one) for this call only; given back afterwards. A call
        made inside another on the same thread (a write's change that stores a record) gets the same
        connection, and so the same transaction."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._pool_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            with self._pool_lock:
                self.opened += 1
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            if conn.in_transaction:  # an error between BEGIN and COMMIT: never lent half done
                conn.close()
                conn = None
            with self._pool_lock:
                if conn is not None and len(self._idle) < MAX_IDLE_CONNECTIONS:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def idle_connections(self) -> int:
        """How many connections wait in the pool."""
        with self._pool_lock:
            return len(self._idle)

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        with self._conn() as conn:
            return conn.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple) -> int:
        """One statement outside a transaction (autocommit); its row count."""
        with self._conn() as conn:
            return conn.execute(sql, args).rowcount

    def _write(self, body: Callable[[sqlite3.Connection], object]):
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = body(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

    def get(self, key: str) -> bytes | None:
        rows = self._read("SELECT value FROM kv WHERE key = ? AND expires > ?", (key, time.time()))
        return bytes(rows[0][0]) if rows else None

    def put(self, key: str, value: bytes, ttl_s: float) -> None:
        self._run("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (key, value, time.time() + ttl_s))

    def touch(self, key: str, ttl_s: float) -> bool:
        now = time.time()
        return (
            self._run("UPDATE kv SET expires = ? WHERE key = ? AND expires > ?", (now + ttl_s, key, now)) == 1
        )

    def create(self, key: str, value: bytes, ttl_s: float) -> bool:
        def body(conn):
            now = time.time()
            conn.execute("DELETE FROM kv WHERE expires <= ?", (now,))  # collect the idle
            conn.execute("DELETE FROM fields WHERE expires <= ?", (now,))
            return (
                conn.execute("INSERT OR IGNORE INTO kv VALUES (?, ?, ?)", (key, value, now + ttl_s)).rowcount
                == 1
            )

        return self._write(body)

    def update(self, key: str, change: Callable[[bytes | None], bytes], ttl_s: float) -> bytes:
        def body(conn):
            row = conn.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchone()
            new = change(None if row is None else bytes(row[0]))
            conn.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (key, new, time.time() + ttl_s))
            return new

        return self._write(body)

    def delete_prefix(self, prefix: str) -> None:
        span = (prefix, prefix + "\U0010ffff")  # every key that starts with prefix
        self._write(
            lambda conn: (
                conn.execute("DELETE FROM kv WHERE key >= ? AND key < ?", span),
                conn.execute("DELETE FROM fields WHERE key >= ? AND key < ?", span),
            )
        )

    def add_once(self, key: str, field: str, value: bytes, *, cap: int, ttl_s: float) -> bool | None:
        def body(conn):
            if conn.execute("SELECT 1 FROM fields WHERE key = ? AND field = ?", (key, field)).fetchone():
                return False
            if conn.execute("SELECT COUNT(*) FROM fields WHERE key = ?", (key,)).fetchone()[0] >= cap:
                return None
            conn.execute(
                "INSERT INTO fields VALUES (?, ?, ?, NULL, ?)", (key, field, value, time.time() + ttl_s)
            )
            return True

        return self._write(body)

    def values(self, key: str) -> list[bytes]:
        rows = self._read("SELECT value FROM fields WHERE key = ? AND expires > ?", (key, time.time()))
        return [bytes(v) for (v,) in rows]

    def set_score(self, key: str, member: str, score: float, *, cap: int, ttl_s: float) -> bool:
        def body(conn):
            exists = conn.execute(
                "SELECT 1 FROM fields WHERE key = ? AND field = ?", (key, member)
            ).fetchone()
            if (
                not exists
                and conn.execute("SELECT COUNT(*) FROM fields WHERE key = ?", (key,)).fetchone()[0] >= cap
            ):
                return False
            conn.execute(
                "INSERT OR REPLACE INTO fields VALUES (?, ?, NULL, ?, ?)",
                (key, member, score, time.time() + ttl_s),
            )
            return True

        return self._write(body)

    def remove_member(self, key: str, member: str) -> None:
        self._run("DELETE FROM fields WHERE key = ? AND field = ?", (key, member))

    def count_since(self, key: str, since: float) -> int:
        def body(conn):
            conn.execute("DELETE FROM fields WHERE key = ? AND score < ?", (key, since))
            return conn.execute("SELECT COUNT(*) FROM fields WHERE key = ?", (key,)).fetchone()[0]

        return self._write(body)


#: ``KEYS[1]`` the hash, ``ARGV`` field, value, cap, ttl: 1 stored, 0 already there, -1 full.
_ADD_ONCE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""
#: ``KEYS[1]`` the sorted set, ``ARGV`` member, score, cap, ttl: 1 stored, 0 full.
_SET_SCORE = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


class RedisRoomBackend:
    """Rooms in Redis, under :data:`REDIS_PREFIX` (the connection of
    :func:`core.data.shared_store.redis_client`)."""

    def __init__(self, client) -> None:
        self.conn = client
        self._add_once = client.register_script(_ADD_ONCE)
        self._set_score = client.register_script(_SET_SCORE)

    @staticmethod
    def _ttl(ttl_s: float) -> int:
        return max(1, int(ttl_s))

    def get(self, key: str) -> bytes | None:
        return self.conn.get(REDIS_PREFIX + key)

    def put(self, key: str, value: bytes, ttl_s: float) -> None:
        self.conn.set(REDIS_PREFIX + key, value, ex=self._ttl(ttl_s))

    def touch(self, key: str, ttl_s: float) -> bool:
        return bool(self.conn.expire(REDIS_PREFIX + key, self._ttl(ttl_s)))

    def create(self, key: str, value: bytes, ttl_s: float) -> bool:
        return bool(self.conn.set(REDIS_PREFIX + key, value, ex=self._ttl(ttl_s), nx=True))

    def update(self, key: str, change: Callable[[bytes | None], bytes], ttl_s: float) -> bytes:
        import redis

        name = REDIS_PREFIX + key
        with self.conn.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)
                    new = change(pipe.get(name))
                    pipe.multi()
                    pipe.set(name, new, ex=self._ttl(ttl_s))
                    pipe.execute()
                    return new
                except redis.WatchError:
                    continue

    def delete_prefix(self, prefix: str) -> None:
        names = list(self.conn.scan_iter(match=_glob_escape(REDIS_PREFIX + prefix) + "*", count=500))
        if names:
            self.conn.unlink(*names)

    def add_once(self, key: str, field: str, value: bytes, *, cap: int, ttl_s: float) -> bool | None:
        done = self._add_once(keys=[REDIS_PREFIX + key], args=[field, value, cap, self._ttl(ttl_s)])
        return None if done == -1 else bool(done)

    def values(self, key: str) -> list[bytes]:
        return self.conn.hvals(REDIS_PREFIX + key)

    def set_score(self, key: str, member: str, score: float, *, cap: int, ttl_s: float) -> bool:
        return bool(self._set_score(keys=[REDIS_PREFIX + key], args=[member, score, cap, self._ttl(ttl_s)]))

    def remove_member(self, key: str, member: str) -> None:
        self.conn.zrem(REDIS_PREFIX + key, member)

    def count_since(self, key: str, since: float) -> int:
        with self.conn.pipeline() as pipe:
            pipe.zremrangebyscore(REDIS_PREFIX + key, "-inf", f"({since!r}")
            pipe.zcard(REDIS_PREFIX + key)
            return int(pipe.execute()[1])


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def open_backend(url: str | None = None, *, check: bool = True) -> SqliteRoomBackend | RedisRoomBackend:
    """The rooms' storage for ``url`` (default ``$NEURAL_EXPLAINER_QUEUE_URL``).

    Redis for ``redis://``; else ``rooms.sqlite`` beside the queue's SQLite file (``sqlite:///<folder>/...``)
    or in its default private folder ``<cache>/queue`` (shared by the web processes of one machine).

    Raises
    ------
    ValueError
        For another URL scheme.
    core.data.shared_store.SharedStoreError
        If Redis refuses or cannot be reached, or the folder cannot be made private.
    """
    url = store_url(url)
    if is_redis(url):
        return RedisRoomBackend(redis_client(url, check=check, purpose="the live sessions"))
    return SqliteRoomBackend(sqlite_path(url, SQLITE_NAME, shared=True))
