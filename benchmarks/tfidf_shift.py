"""How far keywords carry: the TF-IDF baseline under shifts of writer and partner.

    python -m benchmarks.tfidf_shift --out benchmarks/results/tfidf_shift.json

Trains the TF-IDF + logistic-regression baseline (``training.baselines.tfidf_logreg``) on the
whole corpus less one group and tests on that group: each panel author in turn (a writer the
model has never read), then the three partners with the most statements (a partner it has
never read about). A high score under these shifts means the corpus's labels can be read off
its words, whoever writes and whatever they write about.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model.labels import LABEL2ID
from training.baselines import tfidf_logreg
from training.metrics import classification_metrics

MASTER = Path(__file__).resolve().parents[1] / "data" / "annotations" / "adjudicated.jsonl"


def held_out_scores(rows: list[dict], key: str, groups: list[str]) -> dict[str, float]:
    """Test macro-F1 of TF-IDF trained without each group of ``rows[key]``."""
    out = {}
    for g in groups:
        train = [r for r in rows if r.get(key) != g]
        test = [r for r in rows if r.get(key) == g]
        model = tfidf_logreg([r["text"] for r in train], [LABEL2ID[r["label"]] for r in train])
        pred = model.predict([r["text"] for r in test])
        out[g] = round(classification_metrics(pred, [LABEL2ID[r["label"]] for r in test])["macro_f1"], 4)
        print(f"{key}={g}: {len(test)} held out, TF-IDF macro-F1 {out[g]:.3f}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/tfidf_shift.json"))
    a = ap.parse_args(argv)
    rows = [json.loads(line) for line in MASTER.read_text(encoding="utf-8").splitlines() if line.strip()]
    authors = sorted({r["author"] for r in rows if r.get("author")})
    result = {"held_out_author": held_out_scores(rows, "author", authors),
              "held_out_partner": held_out_scores(rows, "partner", ["us", "china", "russia"])}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
