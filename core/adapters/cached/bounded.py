"""A shared cache bounded in bytes as well as in entries, for values too large for ``max_entries`` alone.

``st.cache_resource`` and ``st.cache_data`` bound the number of entries only; the Deep features page's
forward passes range from ~20 MB to ~150 MB each, so four entries may hold 20 MB or 600 MB.
:class:`BytesLRU` keeps the most recently used values while their total stays under ``max_bytes``,
computes each missing key once however many sessions ask for it at the same moment, and caches
nothing when the computation raises (the next request tries again), as ``st.cache_resource`` does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BytesLRU(Generic[V]):
    """A thread-safe least-recently-used cache with a byte budget and an entry cap.

    Parameters
    ----------
    max_bytes : int
        Most bytes the entries may hold together (``size_of`` of each value), > 0. A value larger than
        this on its own is returned but not kept.
    max_entries : int
        Most entries, >= 1.
    size_of : callable (value) -> int
        The bytes a value holds (for arrays, ``nbytes``).

    Raises
    ------
    ValueError
        If ``max_bytes`` or ``max_entries`` is not positive.
    """

    def __init__(self, *, max_bytes: int, max_entries: int, size_of: Callable[[V], int]):
        if max_bytes <= 0 or max_entries < 1:
            raise ValueError(
                f"max_bytes must be > 0 and max_entries >= 1, got {max_bytes!r} and {max_entries!r}"
            )
        self.max_bytes, self.max_entries, self._size_of = int(max_bytes), int(max_entries), size_of
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value cached under ``key``, else ``compute()``'s, kept within the bounds (older
        entries evicted first). Concurrent requests for one missing key run ``compute`` once;
        when it raises, the exception propagates to that caller and nothing is cached."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            try:
                with self._lock:
                    if key in self._entries:  # computed by the request we waited for
                        self._entries.move_to_end(key)
                        return self._entries[key][0]
                value = compute()
                self._store(key, value, int(self._size_of(value)))
                return value
            finally:
                with self._lock:
                    if self._computing.get(key) is key_lock:
                        del self._computing[key]

    def _store(self, key: Hashable, value: V, nbytes: int) -> None:
        if nbytes > self.max_bytes:
            return
        with self._lock:
            while self._entries and (
                self._bytes + nbytes > self.max_bytes or len(self._entries) >= self.max_entries
            ):
                _, (_, freed) = self._entries.popitem(last=False)
                self._bytes -= freed
            self._entries[key] = (value, nbytes)
            self._bytes += nbytes

    @property
    def nbytes(self) -> int:
        """Bytes held by the entries now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
