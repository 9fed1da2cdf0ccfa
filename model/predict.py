"""Bulk prediction: classify every statement of a file and write the results.

    python -m model.predict archive.csv --out archive.stance.csv [--fast] [--model DIR_OR_HUB_ID]
    python -m model.predict statements.txt --out out.jsonl            # one statement per line
    python -m model.predict user/press-quotes --split train --out q.parquet   # a hub dataset

The output has every input column plus ``label``, one ``p_<label>`` column per label,
``chunks`` (windows used for long texts) and ``error``. Bad rows (empty, not text,
longer than ``--max-chars``) are kept in the output with the reason in ``error`` and
listed at the end; they never stop the run. The output file appears only when it is
complete: it is written to a temporary file and renamed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

from tqdm.auto import tqdm

from data.validation import MAX_TEXT_CHARS, DataValidationError, read_records, text_problem
from model.inference import DEFAULT_MODEL_DIR, ModelNotFound, StanceClassifier
from model.labels import UNCLEAR


def load_rows(source: str, text_column: str = "text", split: str = "train") -> list[dict]:
    """Rows of a CSV/TSV/JSONL/JSON/Parquet/TXT file, or of a hub dataset split."""
    path = Path(source)
    if path.exists():
        records, report = read_records(path)
        if report.notes:
            print("\n".join(f"note: {n}" for n in report.notes), file=sys.stderr)
        rows = [r.values for r in records]
    else:
        from datasets import load_dataset

        try:
            rows = list(load_dataset(source, split=split))
        except Exception as err:  # datasets raises many types for missing/offline ids
            raise DataValidationError([f"'{source}' is neither a file nor a loadable hub dataset: {err}"]) from None
    if rows and text_column not in set().union(*(r.keys() for r in rows)):
        raise DataValidationError([f"{source}: no column '{text_column}'; found {sorted(rows[0])}"],
                                  hint="Name the text column with --text-column.")
    return rows


def predict_rows(clf: StanceClassifier, rows: list[dict], text_column: str = "text", batch_size: int = 64,
                 max_chars: int = MAX_TEXT_CHARS, show_progress: bool = True,
                 min_confidence: float = 0.0) -> tuple[list[dict], list[str]]:
    """Add label, probabilities, chunks and error to every row; return rows and problems.

    Rows whose top probability is below ``min_confidence`` get the label ``unclear``."""
    reasons = [text_problem(r.get(text_column), max_chars) for r in rows]
    problems = [f"row {i + 1}: {why}" for i, why in enumerate(reasons) if why]
    good = [i for i, why in enumerate(reasons) if not why]
    bar = tqdm(total=len(good), desc="Classifying", unit="stmt", disable=not show_progress)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    probs, chunks = clf.probabilities([rows[i][text_column] for i in good], batch_size, progress=progress)
    bar.close()
    out = [{**r, "label": "", **{f"p_{lab}": None for lab in clf.labels}, "chunks": 0,
            "error": why} for r, why in zip(rows, reasons)]
    for k, i in enumerate(good):
        p = probs[k]
        out[i]["label"] = clf.labels[int(p.argmax())] if p.max() >= min_confidence else UNCLEAR
        out[i].update({f"p_{lab}": round(float(v), 5) for lab, v in zip(clf.labels, p)})
        out[i]["chunks"] = chunks[k]
    return out, problems


def write_rows(rows: list[dict], out: Path) -> None:
    """Write CSV/TSV/JSONL/Parquet by suffix, atomically (temp file + rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        suffix = out.suffix.lower()
        if suffix in (".csv", ".tsv"):
            fields = list(dict.fromkeys(k for r in rows for k in r))
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t" if suffix == ".tsv" else ",")
                w.writeheader()
                w.writerows(rows)
        elif suffix == ".jsonl":
            with tmp.open("w", encoding="utf-8") as fh:
                for r in rows:
                    fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
        elif suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(rows), tmp)
        else:
            raise DataValidationError([f"cannot write '{suffix}' files"], hint="Use .csv, .tsv, .jsonl or .parquet.")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", help="CSV/TSV/JSONL/JSON/Parquet/TXT file or hub dataset id")
    ap.add_argument("--out", type=Path, required=True, help="output .csv/.tsv/.jsonl/.parquet")
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model folder or hub id")
    ap.add_argument("--fast", action="store_true", help="the fast CPU path (bf16 where the CPU supports it, else int8)")
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--split", default="train", help="split of a hub dataset")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-chars", type=int, default=MAX_TEXT_CHARS)
    ap.add_argument("--min-confidence", type=float, default=0.0,
                    help="label a row 'unclear' when its top probability is below this (0-1; see the coverage curve "
                         "in the README for the trade-off)")
    a = ap.parse_args(argv)
    try:
        rows = load_rows(a.source, a.text_column, a.split)
        clf = StanceClassifier(a.model, fast=a.fast)
        if not 0 <= a.min_confidence <= 1:
            raise DataValidationError([f"--min-confidence {a.min_confidence}: must be between 0 and 1"])
        out, problems = predict_rows(clf, rows, a.text_column, a.batch_size, a.max_chars,
                                     min_confidence=a.min_confidence)
        write_rows(out, a.out)
    except (DataValidationError, ModelNotFound) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(out)} rows to {a.out} ({len(out) - len(problems)} classified, {len(problems)} skipped)")
    for p in problems[:50]:
        print(f"  skipped {p}")
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more (see the 'error' column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
