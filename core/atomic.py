"""Write a file atomically: into a temporary file in the same folder, then ``os.replace``.

A reader sees either the old file or the complete new one, never a half-written file, and an
interrupted write leaves no file under the final name. Standard library only.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], *,
                 suffix: str = ".tmp") -> Path:
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
