"""core.data.files: a file is replaced whole or not at all."""

import os

import pytest

from core.data.files import atomic_write, atomic_write_bytes, atomic_write_text


def test_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "manifest.json"
    atomic_write_text(target, "old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"
    assert [p.name for p in target.parent.iterdir()] == ["manifest.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "weights.bin"
    atomic_write_bytes(target, b"good")

    def half_write(tmp):
        tmp.write_bytes(b"ha")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_write)
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.bin"]
