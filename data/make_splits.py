"""Build the bundled splits from the adjudicated master file.

    python -m data.make_splits data/annotations/adjudicated.jsonl

Keeps every record whose final label is set (``label``), drops and lists the rest,
checks near-duplicates (none above the threshold may exist anywhere in the corpus),
then writes a stratified 80/10/10 split (seed 42) to ``data/corpus/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from datasets import Dataset

from data.corpus import CORPUS_DIR, METADATA, SPLITS, _stratified_three_way, features
from data.near_duplicates import DEFAULT_THRESHOLD, near_duplicate_pairs
from model.labels import LABELS

FIELDS = ("id", "text", "label", *METADATA)


def make_splits(master: Path, out_dir: Path = CORPUS_DIR, seed: int = 42) -> dict[str, int]:
    """Write ``train/validation/test.jsonl``; return the row count of each split."""
    records = [json.loads(line) for line in master.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [r for r in records if r.get("label") in LABELS]
    for r in records:
        if r.get("label") not in LABELS:
            print(f"dropped {r['id']}: {r.get('label')!r} ({r.get('note', 'no note')})")
    pairs = near_duplicate_pairs([r["text"] for r in kept], DEFAULT_THRESHOLD)
    if pairs:
        raise SystemExit("near-duplicates in the corpus: " + "; ".join(f"{kept[i]['id']}~{kept[j]['id']} {s:.2f}"
                                                                   for i, j, s in pairs[:20]))
    pool = Dataset.from_list([{k: r[k] for k in FIELDS} for r in kept], features=features(True))
    ds = _stratified_three_way(pool, 0.1, 0.1, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        rows = sorted(ds[split], key=lambda r: r["id"])
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({**r, "label": LABELS[r["label"]], "split": split}, ensure_ascii=False) + "\n")
        counts[split] = len(rows)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("master", type=Path)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args(argv)
    print(make_splits(a.master, seed=a.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
