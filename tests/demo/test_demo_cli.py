"""The demo's command line: a missing model is a clear message and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.app import main, parse_args
from model.inference import TRAIN_COMMAND

ROOT = Path(__file__).resolve().parents[2]


def test_missing_model_exits_2_naming_the_training_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--model", "/nonexistent"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "python -m training.train" in err and TRAIN_COMMAND in err
    assert "Traceback" not in err


def test_script_entry_point_runs_from_another_directory(tmp_path):
    """`python demo/app.py` is how a Space starts it: the repo root must become importable by itself."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, str(ROOT / "demo" / "app.py"), "--model", str(tmp_path / "none")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "python -m training.train" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_defaults_and_space_variable(monkeypatch):
    monkeypatch.delenv("C5_STANCE_MODEL", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    args = parse_args([])
    assert (args.host, args.port, args.share, args.fast) == ("127.0.0.1", 7860, False, False)
    assert (args.max_chars, args.max_rows) == (2000, 500)
    assert args.model.endswith("runs/c5-stance/model")
    monkeypatch.setenv("C5_STANCE_MODEL", "someone/c5-stance")
    assert parse_args([]).model == "someone/c5-stance"
    assert parse_args(["--model", "x/y"]).model == "x/y"
