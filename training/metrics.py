"""Metrics through ``evaluate``, from the module shipped in ``training/metrics`` (no hub)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from model.labels import LABELS

METRIC_DIR = Path(__file__).resolve().parent / "metrics" / "stance_classification"


@lru_cache(maxsize=1)
def stance_metric():
    """The offline ``evaluate`` module computing accuracy, macro-F1, per-class scores."""
    import evaluate

    return evaluate.load(str(METRIC_DIR))


def classification_metrics(predictions, references) -> dict:
    """All metrics for class-id predictions, with per-class scores keyed by label name."""
    raw = stance_metric().compute(predictions=list(map(int, predictions)), references=list(map(int, references)),
                                  num_labels=len(LABELS))
    out = {k: raw[k] for k in ("accuracy", "macro_f1", "macro_precision", "macro_recall")}
    out["per_class"] = {
        lab: {"precision": raw["precision"][i], "recall": raw["recall"][i], "f1": raw["f1"][i], "support": raw["support"][i]}
        for i, lab in enumerate(LABELS)
    }
    out["confusion_matrix"] = raw["confusion_matrix"]
    return out


def trainer_metrics(eval_pred) -> dict:
    """``compute_metrics`` for ``Trainer``: flat scalars only (it logs them)."""
    logits, labels = eval_pred
    m = classification_metrics(np.argmax(logits, axis=-1), labels)
    flat = {k: m[k] for k in ("accuracy", "macro_f1", "macro_precision", "macro_recall")}
    flat.update({f"f1_{lab}": v["f1"] for lab, v in m["per_class"].items()})
    return flat
