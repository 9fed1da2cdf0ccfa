"""Real published passages with blind double labels (``../shared/real-dev/``), for measuring only.

The file is never part of the project: code that reads it takes its path as an argument,
and tests that use it skip where it is absent. Rows whose annotators disagreed (or both said
the passage takes no stance) carry ``label: null`` and are left out of every score.
"""

from __future__ import annotations

from pathlib import Path

from data.validation import DataValidationError, read_records
from model.labels import LABEL2ID

# Where the steering side keeps the real development set, beside the project folder.
DEFAULT_REAL_DEV = Path(__file__).resolve().parents[2] / "shared" / "real-dev" / "statements.jsonl"
HALVES = ("tune", "check")


def load_real_passages(path: str | Path = DEFAULT_REAL_DEV) -> list[dict]:
    """The agreed passages of a real-press file: ``id``, ``text``, ``label`` (class id),
    ``half``, ``both_sure``, ``partner``. Raises :class:`DataValidationError` naming the file
    and line for a missing file, broken JSON or an unknown label."""
    records, _ = read_records(path)  # missing file, encoding and broken lines: named with file and line
    rows, problems = [], []
    for rec in records:
        r = rec.values
        label = r.get("label")
        if label is None:
            continue
        if label not in LABEL2ID or not isinstance(r.get("text"), str) or not r["text"].strip():
            problems.append(f"{rec.where}: label {label!r} unknown or text missing")
            continue
        rows.append({"id": r.get("id", f"line{rec.line}"), "text": r["text"], "label": LABEL2ID[label],
                     "half": r.get("half", ""), "both_sure": bool(r.get("both_sure")), "partner": r.get("partner", "")})
    if problems:
        raise DataValidationError(problems, hint="Each line needs 'text' and 'label' (a stance or null).")
    if not rows:
        raise DataValidationError([f"{path}: no labelled passage"], hint="Give at least one row a stance label.")
    return rows


def subsets(rows: list[dict]) -> dict[str, list[int]]:
    """Row indices of the slices every real-press report shows: all agreed rows, each half,
    and the rows both annotators were sure of."""
    out = {"all": list(range(len(rows)))}
    for half in HALVES:
        idx = [i for i, r in enumerate(rows) if r["half"] == half]
        if idx:
            out[half] = idx
    out["both_sure"] = [i for i, r in enumerate(rows) if r["both_sure"]]
    return out
