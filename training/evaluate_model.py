"""Evaluate any stance model (folder or hub id) on a split of a corpus or on a file.

    python -m training.evaluate_model --model runs/c5-stance/model --split test
    python -m training.evaluate_model --model user/c5-stance --data my_labelled.csv --split all

Writes ``metrics.json``, ``confusion_matrix.png`` and ``mistakes.jsonl`` (every wrong
prediction with its probabilities, for reading) into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from data.corpus import load_stance_dataset
from data.validation import DataValidationError
from model.inference import ModelNotFound, StanceClassifier
from model.labels import LABELS
from training.metrics import classification_metrics
from training.plots import confusion_matrix_png


def score_rows(clf: StanceClassifier, texts: list[str], labels: list[int], desc: str = "Scoring",
               show_progress: bool = True) -> tuple[dict, np.ndarray]:
    """Metrics of a loaded classifier on labelled texts, and its probabilities.

    The one evaluation path of the project: training's summary, ``metrics.json``, the model card,
    this command and the benchmarks all score through it (same chunking, same precision)."""
    from tqdm.auto import tqdm

    with tqdm(total=len(texts), desc=desc, unit="stmt", disable=not show_progress) as bar:
        def progress(done: int, total: int) -> None:
            bar.n = done
            bar.refresh()

        probs, chunks = clf.probabilities(list(texts), progress=progress)
    probs = in_label_order(probs, clf.labels)
    metrics = classification_metrics(np.argmax(probs, axis=1), np.asarray(labels))
    metrics["rows"] = len(texts)
    metrics["rows_chunked"] = int(sum(c > 1 for c in chunks))
    return metrics, probs


def in_label_order(probs: np.ndarray, model_labels: list[str]) -> np.ndarray:
    """Probability columns reordered from the model's ``id2label`` order to the project's
    ``LABELS`` order, matched by name, so that a model whose ids are ordered differently (or whose
    names were mislabelled) is scored on what it says, not on where it says it."""
    if sorted(model_labels) != sorted(LABELS):
        raise ValueError(f"the model's labels {model_labels} are not this project's {list(LABELS)}; "
                         "evaluate it on data with its own labels (--label_map renames them)")
    return probs[:, [model_labels.index(lab) for lab in LABELS]]


def slice_metrics(probs: np.ndarray, labels: np.ndarray, slices: dict[str, list[int]]) -> dict:
    """Metrics and calibration (ECE) of one model's probabilities on every named slice of rows."""
    from training.calibration import reliability

    out = {}
    for name, idx in slices.items():
        p, y = probs[idx], labels[idx]
        m = classification_metrics(p.argmax(1), y)
        m["calibration"] = reliability(p, y)
        m["rows"] = len(idx)
        m["predicted_counts"] = {lab: int((p.argmax(1) == k).sum()) for k, lab in enumerate(LABELS)}
        out[name] = m
    return out


def real_press_metrics(clf: StanceClassifier, path) -> dict:
    """The classifier on a real-press file (``data.real_press``): every slice (all, tune, check, both_sure)."""
    from data.real_press import load_real_passages, subsets

    rows = load_real_passages(path)
    probs = in_label_order(clf.probabilities([r["text"] for r in rows])[0], clf.labels)
    return slice_metrics(probs, np.array([r["label"] for r in rows]), subsets(rows))


def evaluate_model(model: str, data: str = "bundled", split: str = "test", out: Path | None = None,
                   fast: bool = False, text_column: str = "text", label_column: str = "label",
                   label_map: str = "") -> dict:
    """Metrics of ``model`` on ``split`` (``train``/``validation``/``test``/``all``)."""
    ds = load_stance_dataset(data, text_column, label_column, label_map)
    rows = [r for s in ds for r in ds[s]] if split == "all" else list(ds[split])
    clf = StanceClassifier(model, fast=fast)
    if list(clf.labels) != list(LABELS):
        raise DataValidationError([f"model labels {clf.labels} differ from {list(LABELS)}"],
                                  hint="This model was not trained for the c5-stance labels.")
    gold = np.array([r["label"] for r in rows])
    metrics, probs = score_rows(clf, [r["text"] for r in rows], gold, desc=f"Scoring {split}")
    pred = np.argmax(probs, axis=1)
    metrics.update({"model": str(model), "data": data, "split": split, "fast": fast})
    if out:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
        confusion_matrix_png(metrics["confusion_matrix"], list(LABELS), out / "confusion_matrix.png",
                             f"{split} (macro-F1 {metrics['macro_f1']:.3f})")
        with (out / "mistakes.jsonl").open("w", encoding="utf-8") as fh:
            for r, p, g, pr in zip(rows, pred, gold, probs):
                if p != g:
                    fh.write(json.dumps({"id": r["id"], "text": r["text"], "gold": LABELS[g], "predicted": LABELS[p],
                                         "probabilities": {lab: round(float(v), 4) for lab, v in zip(LABELS, pr)}},
                                        ensure_ascii=False) + "\n")
    return metrics


def format_metrics(m: dict) -> str:
    """A short human-readable table of the metrics."""
    lines = [f"{m['split']}: {m['rows']} statements  accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}",
             f"{'label':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}"]
    for lab, v in m["per_class"].items():
        lines.append(f"{lab:<16} {v['precision']:>9.3f} {v['recall']:>7.3f} {v['f1']:>6.3f} {v['support']:>5}")
    lines.append("confusion matrix (rows gold, columns predicted): " + json.dumps(m["confusion_matrix"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="runs/c5-stance/model", help="model folder or hub id (default: %(default)s)")
    ap.add_argument("--data", default="bundled",
                    help="'bundled', a CSV/TSV/JSONL/JSON/Parquet file, a folder or a hub dataset id (default: %(default)s)")
    ap.add_argument("--split", default="test", choices=["train", "validation", "test", "all"],
                    help="split to score; 'all' joins every split (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for metrics.json, confusion_matrix.png, mistakes.jsonl (default: print only)")
    ap.add_argument("--fast", action="store_true",
                    help="the fast CPU path: bf16 weights where the CPU has native bf16, else int8 (default: fp32)")
    ap.add_argument("--text-column", default="text", help="column holding the statement (default: %(default)s)")
    ap.add_argument("--label-column", default="label", help="column holding the label (default: %(default)s)")
    ap.add_argument("--label-map", default="", help="rename your labels to ours: 'theirs=ours,...' (default: none)")
    a = ap.parse_args(argv)
    try:
        m = evaluate_model(a.model, a.data, a.split, a.out, a.fast, a.text_column, a.label_column, a.label_map)
    except (ModelNotFound, DataValidationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(format_metrics(m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
