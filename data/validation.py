"""Reading and validating stance data files, with errors a person can act on.

Every problem names the file, the line (1-based, as an editor shows it) and how to fix
it. Nothing is dropped silently: either the load fails with the full list, or (with
``drop_invalid``) the offending rows are dropped and listed in the report.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from model.labels import LABELS

MAX_TEXT_CHARS = 5000  # far above any quote; stops pasted articles and binary junk
SUPPORTED_SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".txt")


class DataValidationError(ValueError):
    """Raised with every problem found, one per line of the message."""

    def __init__(self, problems: Sequence[str], hint: str = ""):
        self.problems = list(problems)
        shown = self.problems[:50]
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        text = f"{len(self.problems)} problem(s) in the data:\n  " + "\n  ".join(shown) + more
        if hint:
            text += f"\n{hint}"
        super().__init__(text)


@dataclass
class Record:
    """One row as read from a file, with where it came from."""

    values: dict
    source: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass
class Report:
    """What validation did: notes (harmless fixes) and dropped rows with reasons."""

    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"note: {n}" for n in self.notes]
        lines += [f"dropped: {d}" for d in self.dropped]
        return "\n".join(lines) if lines else "no problems"


def _decode(path: Path, report: Report) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        report.notes.append(f"{path}: starts with a UTF-8 byte-order mark (BOM); it was ignored")
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        guess = ""
        try:
            sample = raw.decode("cp1251")
            if sum("а" <= c.lower() <= "я" for c in sample) > len(sample) * 0.2:
                guess = " It looks like Windows-1251 (cp1251)."
        except UnicodeDecodeError:
            pass
        raise DataValidationError(
            [f"{path}:{line}: not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start}).{guess}"],
            hint=f"Save the file as UTF-8, e.g.: iconv -f cp1251 -t utf-8 '{path}' > fixed{path.suffix}",
        ) from None


def read_records(path: str | Path) -> tuple[list[Record], Report]:
    """Read a JSONL/JSON/CSV/TSV/Parquet/TXT file into records with line numbers.

    TXT files hold one text per line and no labels (for prediction). Broken JSON lines
    are all collected and reported together with their line numbers.
    """
    path = Path(path)
    report = Report()
    if not path.exists():
        raise DataValidationError([f"{path}: no such file"], hint="Check the path (relative paths start from the current folder).")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataValidationError(
            [f"{path}: unsupported file type '{suffix}'"], hint=f"Use one of: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    src = str(path)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as err:  # pyarrow raises several types for broken files
            raise DataValidationError([f"{path}: cannot read as Parquet: {err}"]) from None
        # Parquet has no lines: number rows as a data line after a header would be.
        return [Record(r, src, i + 2) for i, r in enumerate(rows)], report
    text = _decode(path, report)
    records: list[Record] = []
    if suffix in (".jsonl", ".json") and not text.lstrip().startswith("["):
        problems = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(f"{src}:{n}: broken JSON line ({err.msg} at column {err.colno})")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{src}:{n}: expected a JSON object, got {type(obj).__name__}")
                continue
            records.append(Record(obj, src, n))
        if problems:
            raise DataValidationError(problems, hint="Each line of a JSONL file must be one complete JSON object.")
    elif suffix == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataValidationError([f"{src}:{err.lineno}: broken JSON ({err.msg})"]) from None
        records = [Record(r, src, i + 1) for i, r in enumerate(rows) if isinstance(r, dict)]
    elif suffix in (".csv", ".tsv"):
        delim = "\t" if suffix == ".tsv" else ","
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim)
            for row in reader:
                if None in row:
                    raise DataValidationError(
                        [f"{src}:{reader.line_num}: more fields than the header has (an unquoted '{delim}' in a text?)"],
                        hint='Quote texts that contain the delimiter: "like, this".',
                    )
                records.append(Record(dict(row), src, reader.line_num))
        except csv.Error as err:
            # DictReader.line_num is only updated once a row parses, so it still names the line
            # before the broken one; the underlying reader has counted the broken line too.
            raise DataValidationError([f"{src}:{reader.reader.line_num}: broken CSV ({err})"]) from None
    else:  # .txt: one statement per line
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                records.append(Record({"text": line.strip()}, src, n))
    return records, report


def text_problem(value: object, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Why ``value`` cannot be classified as a statement (``""`` if it can).

    The one definition of a classifiable text, shared by training-data validation, bulk
    prediction and the demo, so the three never disagree about what they accept.
    """
    if not isinstance(value, str):
        return f"not text ({type(value).__name__})"
    if not value.strip():
        return "empty text"
    if len(value) > max_chars:
        return f"too long ({len(value)} characters > {max_chars})"
    return ""


def validate_records(
    records: list[Record],
    text_column: str = "text",
    label_column: str | None = "label",
    label_map: dict[str, str] | None = None,
    id_column: str | None = "id",
    drop_invalid: bool = False,
    report: Report | None = None,
    max_chars: int = MAX_TEXT_CHARS,
) -> tuple[list[Record], Report]:
    """Check columns, texts, labels and duplicates.

    Returns the clean records (with ``text`` and ``label`` normalised to our column
    names and label names). Raises :class:`DataValidationError` listing every problem
    unless ``drop_invalid`` is set, in which case bad rows are dropped and reported.
    Missing columns are always fatal: no row could be used.
    """
    report = report or Report()
    if not records:
        raise DataValidationError(["no rows found"], hint="Is the file empty, or is every line blank?")
    columns = set().union(*(r.values.keys() for r in records))
    needed = [c for c in (text_column, label_column) if c]
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataValidationError(
            [f"{records[0].source}: missing column(s) {missing}; found {sorted(columns)}"],
            hint="Map your columns with --text-column / --label-column (or text_column=, label_column=).",
        )
    label_map = label_map or {}
    problems: list[str] = []
    unknown: dict[str, list[int]] = defaultdict(list)
    clean: list[Record] = []
    seen_text: dict[str, str] = {}
    seen_id: dict[str, str] = {}
    for rec in records:
        errs = []
        text = rec.values.get(text_column)
        if why := text_problem(text, max_chars):
            errs.append(f"{rec.where}: {why}")
        label = None
        if label_column:
            raw = rec.values.get(label_column)
            raw = str(raw).strip() if raw is not None else ""
            label = label_map.get(raw, raw)
            if label not in LABELS:
                unknown[raw].append(rec.line)
                errs.append(f"{rec.where}: unknown label {raw!r}")
        if not errs:
            key = " ".join(text.lower().split())
            if key in seen_text:
                errs.append(f"{rec.where}: duplicate text (first seen at {seen_text[key]})")
            else:
                seen_text[key] = rec.where
            if id_column and id_column in rec.values and rec.values[id_column] not in (None, ""):
                rid = str(rec.values[id_column])
                if rid in seen_id:
                    errs.append(f"{rec.where}: duplicate id {rid!r} (first seen at {seen_id[rid]})")
                else:
                    seen_id[rid] = rec.where
        if errs:
            problems.extend(errs)
            continue
        values = dict(rec.values)
        values["text"] = text.strip()
        if label_column:
            values["label"] = label
        clean.append(Record(values, rec.source, rec.line))
    if unknown:
        summary = "; ".join(f"{lab!r} on line(s) {', '.join(map(str, lines[:10]))}{' ...' if len(lines) > 10 else ''}"
                            for lab, lines in unknown.items())
        problems.append(f"unknown labels: {summary}. Allowed: {', '.join(LABELS)}")
    if problems:
        if not drop_invalid:
            raise DataValidationError(
                problems,
                hint="Fix these rows, map label names with --label-map 'yours=ours,...', "
                "or pass --drop-invalid to drop them (each dropped row is reported).",
            )
        report.dropped.extend(p for p in problems if not p.startswith("unknown labels:"))
    return clean, report


def check_splits(splits: dict[str, list[str]], labels: dict[str, list[str]], threshold: float = 0.5) -> list[str]:
    """Problems with a set of splits: a label missing from a split, or the same or a
    near-duplicate text (character 5-gram Jaccard above ``threshold``) in two splits."""
    from data.near_duplicates import near_duplicate_pairs

    problems = []
    for name, labs in labels.items():
        absent = [lab for lab in LABELS if lab not in Counter(labs)]
        if absent:
            problems.append(f"split '{name}' has no example of label(s) {absent}")
    texts, owner = [], []
    for name, ts in splits.items():
        texts.extend(ts)
        owner.extend([name] * len(ts))
    for i, j, sim in near_duplicate_pairs(texts, threshold):
        if owner[i] != owner[j]:
            problems.append(
                f"leakage: a text in '{owner[i]}' and one in '{owner[j]}' are near-duplicates "
                f"(Jaccard {sim:.2f}): {texts[i][:60]!r} / {texts[j][:60]!r}"
            )
    return problems
