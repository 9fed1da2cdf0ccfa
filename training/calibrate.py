"""Fit a temperature on held-out labelled passages and fold it into a model folder.

    python -m training.calibrate --model runs/c5-stance/model --data ../shared/real-dev/statements.jsonl
    python -m training.calibrate --model runs/c5-stance/model --data validation

A real-press file (``text``, ``label``, ``half``) is used through its ``tune`` half only, so
its ``check`` half stays an honest measurement; ``validation`` uses the corpus's validation
split. The folder is rewritten atomically; ``config.json`` records the temperature, and plain
``transformers`` users get the calibrated probabilities.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

from data.real_press import DEFAULT_REAL_DEV, load_real_passages
from data.validation import DataValidationError
from model.inference import ModelNotFound, StanceClassifier
from training.calibration import apply_temperature, fit_temperature, fold_temperature, reliability

AUTO = "auto"


def calibration_rows(source: str, validation=None) -> tuple[list[str], list[int], str]:
    """Texts, labels and a description of the calibration set named by ``source``:
    ``auto`` (the real development set's ``tune`` half where it exists, else ``validation``),
    ``validation`` (the given validation split, or the bundled corpus's), or a real-press JSONL
    file (its ``tune`` half where it has halves)."""
    if source == AUTO:
        source = str(DEFAULT_REAL_DEV) if DEFAULT_REAL_DEV.is_file() else "validation"
    if source == "validation":
        if validation is None:
            from data.corpus import load_stance_dataset

            validation = load_stance_dataset("bundled")["validation"]
        return list(validation["text"]), list(validation["label"]), "validation split"
    rows = load_real_passages(source)
    tune = [r for r in rows if r["half"] == "tune"] or rows
    # Named by its folder and file only: the model card travels, absolute paths mean nothing elsewhere.
    name = f"{Path(source).parent.name}/{Path(source).name}"
    where = f"{name}, tune half" if len(tune) < len(rows) else name
    return [r["text"] for r in tune], [r["label"] for r in tune], where


def calibrate_folder(model_dir: str | Path, source: str = AUTO, validation=None) -> dict:
    """Fit the temperature of the model in ``model_dir`` on ``source`` and fold it in, in place.
    Returns the temperature, the set it was fitted on and the ECE before and after on that set."""
    from transformers import AutoModelForSequenceClassification

    model_dir = Path(model_dir)
    texts, labels, where = calibration_rows(source, validation)
    probs = StanceClassifier(model_dir).probabilities(texts)[0]
    y = np.array(labels)
    t = fit_temperature(np.log(np.clip(probs, 1e-12, 1)), y)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, use_safetensors=True)
    fold_temperature(model, t)
    model.save_pretrained(model_dir)

    return {"temperature": round(t, 4), "fitted_on": where, "rows": len(texts),
            "ece_before": reliability(probs, y)["ece"], "ece_after": reliability(apply_temperature(probs, t), y)["ece"]}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="runs/c5-stance/model", help="model folder to calibrate in place (default: %(default)s)")
    ap.add_argument("--data", default=AUTO, help="'auto', 'validation' or a real-press JSONL file (default: %(default)s)")
    a = ap.parse_args(argv)
    from training.artifacts import atomic_folder

    try:
        src = Path(a.model)
        if not (src / "config.json").exists():
            raise ModelNotFound(f"{src}: no model folder (config.json missing); train one with python -m training.train")
        with atomic_folder(src) as tmp:
            shutil.copytree(src, tmp, dirs_exist_ok=True)
            info = calibrate_folder(tmp, a.data)
    except (DataValidationError, ModelNotFound) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"temperature {info['temperature']} fitted on {info['fitted_on']} ({info['rows']} rows): "
          f"ECE {info['ece_before']:.3f} → {info['ece_after']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
