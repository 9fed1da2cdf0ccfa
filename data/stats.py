"""Corpus statistics: printed tables and a PNG of the label, partner, topic and length
distributions.

    python -m data.stats                       # the bundled corpus
    python -m data.stats my.csv --png stats.png
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from data.corpus import METADATA, load_stance_dataset
from data.validation import DataValidationError
from model.labels import LABELS


def corpus_stats(ds) -> dict:
    """Counts per split and label, per metadata field, and word-length summary."""
    rows = [r for split in ds for r in ds[split]]
    words = sorted(len(r["text"].split()) for r in rows)
    stats = {
        "total": len(rows),
        "splits": {s: {lab: ds[s]["label"].count(i) for i, lab in enumerate(LABELS)} for s in ds},
        "labels": {lab: sum(r["label"] == i for r in rows) for i, lab in enumerate(LABELS)},
        "words": {"min": words[0], "median": words[len(words) // 2], "mean": round(sum(words) / len(words), 1),
                  "max": words[-1]},
        "word_counts": words,
    }
    for m in METADATA:
        if m in ds["train"].column_names:
            stats[m] = dict(Counter(r[m] for r in rows).most_common())
    return stats


def format_stats(stats: dict) -> str:
    """Plain-text tables of the statistics."""
    lines = [f"total: {stats['total']} statements", "", f"{'split':<12}" + "".join(f"{lab:>17}" for lab in LABELS)]
    for s, c in stats["splits"].items():
        lines.append(f"{s:<12}" + "".join(f"{c[lab]:>17}" for lab in LABELS))
    w = stats["words"]
    lines += ["", f"words per statement: min {w['min']}, median {w['median']}, mean {w['mean']}, max {w['max']}"]
    for m in METADATA:
        if m in stats:
            lines += ["", f"{m}: " + ", ".join(f"{k} {v}" for k, v in stats[m].items())]
    return "\n".join(lines)


def plot_stats(stats: dict, path: Path) -> None:
    """Four panels: labels per split, partners, topics, length histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    ax = axes[0, 0]
    splits = list(stats["splits"])
    for k, lab in enumerate(LABELS):
        ax.bar([i + k * 0.27 for i in range(len(splits))], [stats["splits"][s][lab] for s in splits], 0.27, label=lab)
    ax.set_xticks([i + 0.27 for i in range(len(splits))], splits)
    ax.set_title("Labels per split")
    ax.legend()
    for ax, key in ((axes[0, 1], "partner"), (axes[1, 0], "topic")):
        if key in stats:
            items = list(stats[key].items())
            ax.barh([k for k, _ in items][::-1], [v for _, v in items][::-1], color="tab:gray")
            ax.set_title(f"{key.capitalize()}s")
        else:
            ax.axis("off")
    ax = axes[1, 1]
    ax.hist(stats["word_counts"], bins=30, color="tab:blue")
    ax.set_title("Words per statement")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", nargs="?", default="bundled")
    ap.add_argument("--png", type=Path, default=Path("corpus_stats.png"))
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--label-column", default="label")
    a = ap.parse_args(argv)
    try:
        ds = load_stance_dataset(a.source, a.text_column, a.label_column)
    except DataValidationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    stats = corpus_stats(ds)
    print(format_stats(stats))
    plot_stats(stats, a.png)
    print(f"\nplot written to {a.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
