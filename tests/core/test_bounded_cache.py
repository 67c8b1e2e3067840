"""core.adapters.cached.bounded.BytesLRU: a byte budget, an entry cap, one computation per key."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from core.adapters.cached.bounded import BytesLRU


def _cache(max_bytes=100, max_entries=10):
    return BytesLRU(max_bytes=max_bytes, max_entries=max_entries, size_of=lambda a: a.nbytes)


def test_the_byte_budget_evicts_the_least_recently_used():
    cache = _cache(max_bytes=100)
    for key in "abc":
        cache.get_or_compute(key, lambda: np.zeros(30, np.uint8))
    assert cache.nbytes == 90 and len(cache) == 3
    cache.get_or_compute("a", lambda: pytest.fail("a is cached"))  # a becomes the newest
    cache.get_or_compute("d", lambda: np.zeros(40, np.uint8))  # 130 > 100: the oldest, b, goes
    assert [k for k in "abcd" if k in cache] == ["a", "c", "d"]
    assert cache.nbytes == 100
    cache.get_or_compute("e", lambda: np.zeros(100, np.uint8))  # fills the budget alone
    assert [k for k in "abcde" if k in cache] == ["e"] and cache.nbytes == 100


def test_the_entry_cap_and_a_value_over_the_budget():
    cache = _cache(max_bytes=1000, max_entries=2)
    for key in "abc":
        cache.get_or_compute(key, lambda: np.zeros(1, np.uint8))
    assert [k for k in "abc" if k in cache] == ["b", "c"]
    big = cache.get_or_compute("big", lambda: np.zeros(1001, np.uint8))
    assert big.nbytes == 1001 and "big" not in cache and [k for k in "abc" if k in cache] == ["b", "c"]
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0
    with pytest.raises(ValueError, match="max_bytes must be > 0"):
        BytesLRU(max_bytes=0, max_entries=1, size_of=len)


def test_a_failure_is_not_cached():
    cache = _cache()
    with pytest.raises(ValueError, match="too small"):
        cache.get_or_compute("x", lambda: (_ for _ in ()).throw(ValueError("too small")))
    assert "x" not in cache
    assert cache.get_or_compute("x", lambda: np.ones(3, np.uint8)).sum() == 3


def test_concurrent_requests_compute_once():
    cache, calls, results = _cache(), [], []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return np.full(4, 7, np.uint8)

    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 8 and all(r is results[0] for r in results)
