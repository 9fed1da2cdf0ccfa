"""Everything a finished run writes beside the model: metrics, figures, card."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from model.labels import LABELS
from training.model_card import write_model_card
from training.plots import confusion_matrix_png, learning_curve_png


def write_run_outputs(folder: Path, metrics: dict, datasets, log_history: list[dict], model_cfg, data_cfg, args,
                      train_seconds: float, world_size: int, truncated: dict, calibration: dict | None = None) -> dict:
    """Write ``metrics.json``, ``confusion_matrix.png``, ``learning_curve.png``,
    ``training_log.json`` and ``README.md`` into ``folder``; return the metrics.

    ``metrics`` maps a split name (``validation``, ``test``, optionally ``real_press``) to the
    scores of the final saved model, from :func:`training.evaluate_model.score_rows`."""
    folder = Path(folder)
    metrics = dict(metrics)
    metrics["run"] = {
        "train_seconds": round(train_seconds, 1), "world_size": world_size,
        "train_rows": len(datasets["train"]), "validation_rows": len(datasets["validation"]),
        "test_rows": len(datasets["test"]), "epochs_run": max((h.get("epoch", 0) for h in log_history), default=0),
        "truncated_rows": truncated, "model": asdict(model_cfg), "data": asdict(data_cfg),
        "seed": args.seed, "learning_rate": args.learning_rate, "calibration": calibration,
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    (folder / "training_log.json").write_text(json.dumps(log_history, indent=1))
    confusion_matrix_png(metrics["test"]["confusion_matrix"], list(LABELS), folder / "confusion_matrix.png",
                         f"Test split (macro-F1 {metrics['test']['macro_f1']:.3f})")
    learning_curve_png(log_history, folder / "learning_curve.png")
    write_model_card(folder, metrics, model_cfg, data_cfg)
    return metrics
