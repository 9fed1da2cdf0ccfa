"""PNG figures for a run: confusion matrix and learning curves."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: CI and servers have no display
import matplotlib.pyplot as plt  # noqa: E402


def confusion_matrix_png(matrix: list[list[int]], labels: list[str], path: Path, title: str) -> None:
    """Counts with row-normalised shading (rows are the gold labels)."""
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    totals = [max(1, sum(r)) for r in matrix]
    shade = [[c / t for c in row] for row, t in zip(matrix, totals)]
    ax.imshow(shade, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(matrix):
        for j, c in enumerate(row):
            ax.text(j, i, str(c), ha="center", va="center", color="white" if shade[i][j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def learning_curve_png(log_history: list[dict], path: Path) -> None:
    """Training loss per logging step and validation loss / macro-F1 per evaluation."""
    train = [(h["epoch"], h["loss"]) for h in log_history if "loss" in h and "eval_loss" not in h]
    evals = [(h["epoch"], h["eval_loss"], h.get("eval_macro_f1")) for h in log_history if "eval_loss" in h]
    fig, ax = plt.subplots(figsize=(6.4, 4))
    if train:
        ax.plot(*zip(*train), label="train loss", color="tab:blue", alpha=0.7)
    if evals:
        ax.plot([e[0] for e in evals], [e[1] for e in evals], "o-", label="validation loss", color="tab:orange")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if evals and evals[0][2] is not None:
        ax2 = ax.twinx()
        ax2.plot([e[0] for e in evals], [e[2] for e in evals], "s--", label="validation macro-F1", color="tab:green")
        ax2.set_ylabel("macro-F1")
        ax2.set_ylim(0, 1)
        ax2.legend(loc="center right")
    ax.legend(loc="upper right")
    ax.set_title("Learning curve")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
