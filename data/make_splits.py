"""Build the bundled splits from the adjudicated master file.

    python -m data.make_splits data/annotations/adjudicated.jsonl

Keeps every record whose final label is set (``label``), drops and lists the rest,
checks near-duplicates (none above the threshold may exist anywhere in the corpus),
then writes an 80/10/10 split (seed 42) to ``data/corpus/``: single statements are split
stratified by label; panel statements (several experts reacting to one news ``hook``) are
split by hook, so the reactions to one event never straddle train and test; press-round passages
cut from one invented article share a ``hook`` too, and are split the same way.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from datasets import Dataset

from data.corpus import CORPUS_DIR, GROUP, METADATA, SPLITS, _stratified_three_way, features
from data.near_duplicates import DEFAULT_THRESHOLD, near_duplicate_pairs
from model.labels import LABELS

FIELDS = ("id", "text", "label", *METADATA, GROUP)


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
    single = [r for r in kept if not r.get(GROUP)]
    pool = Dataset.from_list([{k: r.get(k, "") for k in FIELDS} for r in single], features=features(True))
    ds = _stratified_three_way(pool, 0.1, 0.1, seed)
    by_split = {split: [{**r, "label": LABELS[r["label"]]} for r in ds[split]] for split in SPLITS}
    # Hooks are split round by round, so a new round never moves an earlier round's statements.
    for rnd in sorted({r["round"] for r in kept if r.get(GROUP)}):
        for split, rows in split_by_hook([r for r in kept if r.get(GROUP) and r["round"] == rnd], seed).items():
            by_split[split] += [{k: r.get(k, "") for k in FIELDS} for r in rows]
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        rows = sorted(by_split[split], key=lambda r: r["id"])
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({**r, "split": split}, ensure_ascii=False) + "\n")
        counts[split] = len(rows)
    return counts


def split_by_hook(records: list[dict], seed: int, held_out: float = 0.1) -> dict[str, list[dict]]:
    """Assign whole hooks to splits: ``held_out`` of the hooks each to validation and test."""
    hooks = sorted({r[GROUP] for r in records})
    random.Random(seed).shuffle(hooks)
    n = round(len(hooks) * held_out)
    where = {h: "test" if k < n else "validation" if k < 2 * n else "train" for k, h in enumerate(hooks)}
    out: dict[str, list[dict]] = {split: [] for split in SPLITS}
    for r in records:
        out[where[r[GROUP]]].append(r)
    return out


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
