"""Write a file atomically: into a temporary file in the same folder, then ``os.replace``.

A reader sees either the old file or the complete new one, never a half-written file, and an
interrupted write leaves no file under the final name. ``file_lock_for`` is the one lock between
processes (the ``filelock`` package: an ``flock`` the operating system releases when its process dies).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import filelock


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], *, suffix: str = ".tmp") -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then move it onto ``path``.

    Parameters
    ----------
    path : path
        The final file; its folder is created if missing.
    write : callable
        ``write(tmp_path)`` writes the whole content to ``tmp_path`` (e.g. Keras'
        ``model.save_weights``, which needs a path rather than bytes).
    suffix : str, optional
        Ending of the temporary name (Keras only writes weights to names ending in
        ``".weights.h5"``).

    Returns
    -------
    Path
        ``path``, readable by everyone (mode 0644).

    Raises
    ------
    OSError
        If the folder is not writable; the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, 0o644)  # mkstemp creates 0600; saved files are readable by all
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`); returns ``path``."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | os.PathLike, text: str, *, suffix: str = ".tmp") -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write`); returns ``path``."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), suffix=suffix)


def file_lock_for(path: str | os.PathLike, *, timeout_s: float = 900.0) -> filelock.BaseFileLock:
    """A lock between processes on ``path`` (its folder is created), from the ``filelock`` package.

    Use it as ``with file_lock_for(p): ...`` or ``acquire()`` / ``release()``. The operating
    system releases it when the holding process dies, so a crashed trainer never blocks the others.

    Raises
    ------
    filelock.Timeout
        (a ``TimeoutError``) from ``acquire`` when another process still holds it after ``timeout_s``.
    OSError
        If the folder cannot be created.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(path), timeout=timeout_s)
