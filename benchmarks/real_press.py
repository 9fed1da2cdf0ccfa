"""Real-press benchmark: the fine-tuned model and both baselines on real published passages.

    python -m benchmarks.real_press --data ../shared/real-dev/statements.jsonl \
        --model runs/c5-stance/model --out benchmarks/results/real_press

For every model: macro-F1, per-class precision/recall/F1 and the confusion matrix on all agreed
passages, on the ``tune`` and ``check`` halves and on the ``both_sure`` subset; expected
calibration error with a reliability diagram; and the coverage-versus-accuracy curve behind a
minimum confidence (``--min-confidence`` in prediction and the demo). ``check`` is the honest
figure: choices are made on ``tune``. The baselines are trained on the bundled corpus's train
split, as the fine-tuned model is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from data.real_press import DEFAULT_REAL_DEV, load_real_passages, subsets
from data.validation import DataValidationError
from model.inference import ModelNotFound, StanceClassifier
from model.labels import LABELS
from training.calibration import coverage_curve, coverage_png, reliability_png
from training.config import ConfigError
from training.evaluate_model import in_label_order, slice_metrics
from training.plots import confusion_matrix_png


def baseline_probabilities(real_texts: list[str], which: tuple[str, ...], data: str = "bundled",
                           base_model: str = "embedded", seed: int = 42, train_rounds: str = "") -> dict[str, np.ndarray]:
    """Class probabilities of the baselines, trained on the corpus's train split (only the
    ``train_rounds`` writing rounds, if given, as the fine-tuned model is)."""
    from sklearn.linear_model import LogisticRegression

    from data.corpus import load_stance_dataset
    from model.base_model import resolve_base_model
    from training.baselines import mean_pooled_embeddings, tfidf_logreg
    from training.train import select_rounds

    ds = load_stance_dataset(data, seed=seed)
    train = (select_rounds(ds, train_rounds) if train_rounds else ds)["train"]
    out = {}
    if "tfidf" in which:
        out["TF-IDF + logistic regression"] = tfidf_logreg(train["text"], train["label"], seed).predict_proba(real_texts)
    if "frozen" in which:
        base = resolve_base_model(base_model)
        lr = LogisticRegression(C=10.0, max_iter=3000, random_state=seed)
        lr.fit(mean_pooled_embeddings(base, train["text"]), train["label"])
        out[f"frozen {base_model} encoder + logistic regression"] = lr.predict_proba(mean_pooled_embeddings(base, real_texts))
    return out


def run(data: Path, model: str | None, out: Path | None, baselines: tuple[str, ...] = ("tfidf", "frozen"),
        fast: bool = False, train_rounds: str = "") -> dict:
    """Score every model on the real passages; write JSON, Markdown and figures into ``out``."""
    rows = load_real_passages(data)
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    slices = subsets(rows)
    probs: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    if model:
        t = time.perf_counter()
        clf = StanceClassifier(model, fast=fast)
        probs[f"fine-tuned ({model})"] = in_label_order(clf.probabilities(texts)[0], clf.labels)
        seconds[f"fine-tuned ({model})"] = time.perf_counter() - t
    t = time.perf_counter()
    probs.update(baseline_probabilities(texts, baselines, train_rounds=train_rounds))
    seconds["baselines"] = time.perf_counter() - t
    report = {"data": str(data), "rows": len(rows), "slices": {k: len(v) for k, v in slices.items()},
              "gold_counts": {lab: int((labels == k).sum()) for k, lab in enumerate(LABELS)},
              "models": {name: slice_metrics(p, labels, slices) for name, p in probs.items()},
              "coverage": {name: {s: coverage_curve(p[slices[s]], labels[slices[s]]) for s in ("check", "all") if s in slices}
                           for name, p in probs.items()},
              "baselines_trained_on_rounds": train_rounds or "all",
              "seconds": {k: round(v, 1) for k, v in seconds.items()}}
    if out:
        write_outputs(report, probs, rows, Path(out))
    return report


def format_report(report: dict) -> str:
    """Markdown: macro-F1 per model and slice, then per-class scores and confusion on ``check``."""
    names = list(report["models"])
    slices = list(report["slices"])
    lines = ["| model | " + " | ".join(f"{s} ({report['slices'][s]})" for s in slices) + " | ECE (check) |",
             "|---|" + "---|" * (len(slices) + 1)]
    for n in names:
        m = report["models"][n]
        ece = m.get("check", m["all"])["calibration"]["ece"]
        lines.append(f"| {n} | " + " | ".join(f"{m[s]['macro_f1']:.3f}" for s in slices) + f" | {ece:.3f} |")
    focus = "check" if "check" in slices else "all"
    for n in names:
        m = report["models"][n][focus]
        lines.append(f"\n{n}, {focus} half: accuracy {m['accuracy']:.3f}, predicted {m['predicted_counts']}")
        lines.append("| label | precision | recall | F1 | n |\n|---|---|---|---|---|")
        for lab, v in m["per_class"].items():
            lines.append(f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
        lines.append(f"confusion (rows gold, columns predicted, {', '.join(LABELS)}): {m['confusion_matrix']}")
    return "\n".join(lines)


def write_outputs(report: dict, probs: dict[str, np.ndarray], rows: list[dict], out: Path) -> None:
    """``real_press.json``, ``real_press.md``, reliability, coverage and confusion PNGs, ``mistakes.jsonl``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "real_press.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (out / "real_press.md").write_text(format_report(report) + "\n", encoding="utf-8")
    focus = "check" if "check" in report["slices"] else "all"
    fine = [n for n in probs if n.startswith("fine-tuned")]
    if fine:
        m = report["models"][fine[0]]
        reliability_png(m[focus]["calibration"], out / "reliability.png", f"Fine-tuned model, real press ({focus} half)")
        confusion_matrix_png(m[focus]["confusion_matrix"], list(LABELS), out / "confusion_matrix.png",
                             f"Real press, {focus} half (macro-F1 {m[focus]['macro_f1']:.3f})")
        # Mistakes come from the tune half only: check is for the honest figure, not for reading.
        p = probs[fine[0]]
        with (out / "mistakes_tune.jsonl").open("w", encoding="utf-8") as fh:
            for r, pr in zip(rows, p):
                if r["half"] == "tune" and pr.argmax() != r["label"]:
                    fh.write(json.dumps({"id": r["id"], "gold": LABELS[r["label"]], "predicted": LABELS[int(pr.argmax())],
                                         "probabilities": {lab: round(float(v), 3) for lab, v in zip(LABELS, pr)}},
                                        ensure_ascii=False) + "\n")
    coverage_png({n.split(" (")[0]: report["coverage"][n][focus] for n in probs}, out / "coverage.png",
                 f"Minimum confidence on real press ({focus} half)")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_REAL_DEV,
                    help="real-press JSONL (text, label, half, both_sure) (default: %(default)s)")
    ap.add_argument("--model", default="runs/c5-stance/model", help="fine-tuned model folder or hub id; '' for baselines only (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/real_press"), help="output folder (default: %(default)s)")
    ap.add_argument("--baselines", default="tfidf,frozen", help="comma list of tfidf, frozen, or 'none' (default: %(default)s)")
    ap.add_argument("--fast", action="store_true", help="the fast CPU path for the fine-tuned model (default: off)")
    ap.add_argument("--train-rounds", default=None,
                    help="writing rounds the baselines train on, as the model does; '' for all "
                         "(default: the bundled recipe's train_rounds)")
    a = ap.parse_args(argv)
    if a.train_rounds is None:
        import yaml

        from training.config import DEFAULT_RECIPE

        a.train_rounds = (yaml.safe_load(DEFAULT_RECIPE.read_text(encoding="utf-8")) or {}).get("train_rounds") or ""
    which = tuple(b for b in a.baselines.split(",") if b and b != "none")
    try:
        report = run(a.data, a.model or None, a.out, which, a.fast, a.train_rounds)
    except (DataValidationError, ModelNotFound, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(format_report(report))
    if a.out:
        print(f"\nwritten to {a.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
