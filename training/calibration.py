"""Honest confidence: temperature scaling, expected calibration error, and the
coverage-versus-accuracy trade-off behind a minimum-confidence threshold.

The temperature is folded into the classifier head (weights and bias divided by T), so a
plain ``pipeline("text-classification")`` user gets the calibrated probabilities with no
custom code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

ECE_BINS = 10


def fit_temperature(log_probs: np.ndarray, labels: np.ndarray, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature T minimising the negative log-likelihood of ``softmax(log_probs / T)``.

    ``log_probs`` may be logits or log-probabilities: softmax is shift-invariant, so both give
    the same T. A one-dimensional bounded search on log T (NLL is convex in 1/T)."""
    z = torch.tensor(np.asarray(log_probs, dtype=np.float64))
    y = torch.tensor(np.asarray(labels, dtype=np.int64))

    def nll(t: float) -> float:
        return float(torch.nn.functional.cross_entropy(z / t, y))

    lo, hi = np.log(bounds[0]), np.log(bounds[1])
    golden = (np.sqrt(5) - 1) / 2
    a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
    fa, fb = nll(np.exp(a)), nll(np.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - golden * (hi - lo)
            fa = nll(np.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + golden * (hi - lo)
            fb = nll(np.exp(b))
    return float(np.exp((lo + hi) / 2))


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities re-scaled as if the logits had been divided by ``temperature``."""
    z = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fold_temperature(model: torch.nn.Module, temperature: float) -> None:
    """Divide the final classifier layer by ``temperature`` in place and record it in the config."""
    head = getattr(model, "classifier", None)
    layer = head.out_proj if hasattr(head, "out_proj") else head
    if not isinstance(layer, torch.nn.Linear):
        raise TypeError(f"{type(model).__name__}: no linear classifier head to fold a temperature into")
    with torch.no_grad():
        layer.weight.div_(temperature)
        if layer.bias is not None:
            layer.bias.div_(temperature)
    previous = float(getattr(model.config, "calibration_temperature", 1.0) or 1.0)
    model.config.calibration_temperature = round(previous * temperature, 4)


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Expected calibration error of the top label and the per-bin table behind it."""
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(1 / probs.shape[1], 1.0, bins + 1)
    table, ece = [], 0.0
    for k in range(bins):
        inside = (conf >= edges[k]) & ((conf < edges[k + 1]) if k < bins - 1 else (conf <= edges[k + 1]))
        if inside.any():
            gap = abs(conf[inside].mean() - correct[inside].mean())
            ece += inside.mean() * gap
            table.append({"from": round(float(edges[k]), 3), "to": round(float(edges[k + 1]), 3), "n": int(inside.sum()),
                          "confidence": round(float(conf[inside].mean()), 4),
                          "accuracy": round(float(correct[inside].mean()), 4)})
    return {"ece": round(float(ece), 4), "mean_confidence": round(float(conf.mean()), 4),
            "accuracy": round(float(correct.mean()), 4), "bins": table}


def coverage_curve(probs: np.ndarray, labels: np.ndarray, thresholds=None) -> list[dict]:
    """For each minimum confidence: the share of texts still given a stance (coverage),
    and their accuracy; the rest would be reported as ``unclear``."""
    thresholds = np.round(np.r_[0.0, np.arange(0.4, 1.0, 0.05)], 2) if thresholds is None else thresholds
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    out = []
    for t in thresholds:
        kept = conf >= t
        out.append({"min_confidence": float(t), "coverage": round(float(kept.mean()), 4),
                    "accuracy": round(float(correct[kept].mean()), 4) if kept.any() else None, "n": int(kept.sum())})
    return out


def reliability_png(rel: dict, path: Path, title: str) -> None:
    """Reliability diagram: accuracy against confidence per bin, bar width by count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    bins = rel["bins"]
    if bins:
        ax.bar([(b["from"] + b["to"]) / 2 for b in bins], [b["accuracy"] for b in bins],
               width=[b["to"] - b["from"] for b in bins], alpha=0.6, edgecolor="black", label="accuracy in bin")
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="tab:red",
                label="mean confidence → accuracy")
        for b in bins:
            ax.annotate(str(b["n"]), ((b["from"] + b["to"]) / 2, b["accuracy"]), ha="center", va="bottom", fontsize=7)
    ax.set_xlim(0.3, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of the top label")
    ax.set_ylabel("accuracy")
    ax.set_title(f"{title}\nECE {rel['ece']:.3f}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def coverage_png(curves: dict[str, list[dict]], path: Path, title: str) -> None:
    """Accuracy against coverage as the minimum confidence rises, one line per model/set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    for name, curve in curves.items():
        pts = [(c["coverage"], c["accuracy"], c["min_confidence"]) for c in curve if c["accuracy"] is not None]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=name, markersize=3)
        for cov, acc, t in pts[::2]:
            ax.annotate(f"{t:.2f}", (cov, acc), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("coverage (share of passages given a stance)")
    ax.set_ylabel("accuracy on covered passages")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
