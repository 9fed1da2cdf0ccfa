"""Writing a finished model folder so that a crash never leaves half of one behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _ordinary_permissions(folder: Path) -> None:
    """mkdtemp and mkstemp create private (0700/0600) entries; a model folder is for sharing,
    so give it what the user's umask gives any new file."""
    mask = _umask()
    folder.chmod(0o777 & ~mask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


@contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success swap it in for ``final``.

    The previous ``final`` (if any) stays in place until the new one is complete, and
    is only removed after the rename. On an exception the temporary folder is deleted
    and ``final`` is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        yield tmp
        _ordinary_permissions(tmp)
        old = None
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            if old.exists():
                shutil.rmtree(old)
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
