"""The atomic model folder: complete or absent, and readable like any file the user makes."""

import os
import stat

import pytest

from training.artifacts import atomic_folder


def test_folder_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_folder(tmp_path / "model") as tmp:
            (tmp / "model.safetensors").write_bytes(b"x")
            (tmp / "sub").mkdir()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "model" / "model.safetensors").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "model" / "sub").stat().st_mode) == 0o755


def test_a_crash_leaves_the_previous_folder_untouched(tmp_path):
    final = tmp_path / "model"
    final.mkdir()
    (final / "old.txt").write_text("previous")
    with pytest.raises(RuntimeError), atomic_folder(final) as tmp:
        (tmp / "half.bin").write_bytes(b"half")
        raise RuntimeError("killed")
    assert [p.name for p in final.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
