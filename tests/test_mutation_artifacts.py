"""The atomic model folder, edge by edge: tests added for mutants that survived
``scripts/mutation.sh`` (docs/mutation.md). Each asserts behaviour a user relies on."""

from __future__ import annotations

import os
import stat

import pytest

from training.artifacts import atomic_folder


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_027():
    """A umask other than the usual 022, so that a hard-coded mode cannot pass by luck."""
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


def test_private_entries_at_any_depth_get_the_umask_modes(tmp_path, umask_027):
    """mkstemp-style private files (0600) and folders (0700) are opened up to what the umask
    allows, in the folder itself and in every subfolder, not only the top level."""
    with atomic_folder(tmp_path / "model") as tmp:
        (tmp / "deep" / "deeper").mkdir(parents=True)
        for f in (tmp / "weights.bin", tmp / "deep" / "tok.json", tmp / "deep" / "deeper" / "x.txt"):
            f.write_bytes(b"x")
            f.chmod(0o600)
        for d in (tmp / "deep", tmp / "deep" / "deeper"):
            d.chmod(0o700)
    final = tmp_path / "model"
    assert _mode(final) == 0o750
    for d in (final / "deep", final / "deep" / "deeper"):
        assert _mode(d) == 0o750, d
    for f in (final / "weights.bin", final / "deep" / "tok.json", final / "deep" / "deeper" / "x.txt"):
        assert _mode(f) == 0o640, f


def test_the_umask_is_read_without_being_changed(tmp_path, umask_027):
    with atomic_folder(tmp_path / "model") as tmp:
        (tmp / "a").write_bytes(b"x")
    assert os.umask(0o027) == 0o027


def test_success_replaces_the_previous_folder_and_leaves_nothing_else(tmp_path):
    final = tmp_path / "model"
    final.mkdir()
    (final / "old.txt").write_text("previous")
    with atomic_folder(final) as tmp:
        assert tmp.parent == tmp_path and tmp != final and tmp.name.startswith(".model.tmp-")
        # Until the block ends the previous folder is still whole.
        assert [p.name for p in final.iterdir()] == ["old.txt"]
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert (final / "new.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary or .old folder left


def test_a_stale_old_folder_from_a_crashed_swap_is_cleared(tmp_path):
    """A crash between the two renames of an earlier run leaves ``.model.old``; the next
    run must not fail on it (a rename onto a non-empty folder would)."""
    final = tmp_path / "model"
    final.mkdir()
    (final / "current.txt").write_text("current")
    stale = tmp_path / ".model.old"
    stale.mkdir()
    (stale / "stale.txt").write_text("stale")
    with atomic_folder(final) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_missing_parents_are_created(tmp_path):
    final = tmp_path / "runs" / "c5" / "model"
    with atomic_folder(final) as tmp:
        (tmp / "config.json").write_text("{}")
    assert (final / "config.json").read_text() == "{}"
    assert [p.name for p in final.parent.iterdir()] == ["model"]


def test_a_crash_on_a_first_run_leaves_nothing(tmp_path):
    final = tmp_path / "model"
    with pytest.raises(RuntimeError), atomic_folder(final) as tmp:
        (tmp / "half.bin").write_bytes(b"half")
        raise RuntimeError("killed")
    assert not final.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def undeletable(monkeypatch):
    """``shutil.rmtree`` as on a file system that refuses deletions (a file held open on
    Windows or NFS): it raises, or does nothing when told to ignore errors."""
    import shutil

    def rmtree(path, ignore_errors=False, **kwargs):
        if not ignore_errors:
            raise PermissionError(f"cannot delete {path}")

    monkeypatch.setattr(shutil, "rmtree", rmtree)


def test_an_old_folder_that_cannot_be_deleted_does_not_fail_the_save(tmp_path, undeletable):
    final = tmp_path / "model"
    final.mkdir()
    (final / "old.txt").write_text("previous")
    with atomic_folder(final) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in final.iterdir()] == ["new.txt"]  # the new model is in place all the same


def test_a_cleanup_failure_does_not_hide_the_crash(tmp_path, undeletable):
    with pytest.raises(RuntimeError, match="killed"), atomic_folder(tmp_path / "model") as tmp:
        (tmp / "half.bin").write_bytes(b"half")
        raise RuntimeError("killed")
    assert not (tmp_path / "model").exists()
