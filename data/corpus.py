"""Loading stance corpora as ``datasets.DatasetDict`` with a ``ClassLabel`` label.

One entry point, :func:`load_stance_dataset`, takes the bundled corpus (default), a
user's CSV/TSV/JSONL/JSON/Parquet file, a folder with ``train``/``validation``/``test``
files, or a Hugging Face hub dataset id, maps its columns and label names, validates
it and returns fixed splits.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

from data.validation import (
    SUPPORTED_SUFFIXES,
    DataValidationError,
    Record,
    Report,
    check_splits,
    read_records,
    validate_records,
)
from model.labels import LABELS

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
SPLITS = ("train", "validation", "test")
SPLIT_ALIASES = {"train": "train", "training": "train", "validation": "validation", "valid": "validation",
                 "val": "validation", "dev": "validation", "test": "test", "testing": "test"}
METADATA = ("partner", "topic", "speaker_role", "speaker_country", "form", "round")
# Panel statements share a news hook with two other statements; empty for single statements.
GROUP = "hook"
BUNDLED = "bundled"


def features(with_metadata: bool) -> Features:
    """The dataset schema: ``label`` is a ``ClassLabel`` over the three stances."""
    cols = {"id": Value("string"), "text": Value("string"), "label": ClassLabel(names=list(LABELS))}
    if with_metadata:
        cols.update({m: Value("string") for m in (*METADATA, GROUP)})
    return Features(cols)


def bundled_files() -> dict[str, Path]:
    """The bundled corpus files, one per split."""
    files = {s: CORPUS_DIR / f"{s}.jsonl" for s in SPLITS}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"bundled corpus files missing: {missing} (is this a full clone?)")
    return files


def bundled_texts() -> list[str]:
    """Every text of the bundled corpus (used to prune the embedded vocabulary)."""
    texts = []
    for path in bundled_files().values():
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def parse_label_map(spec: str | dict | None) -> dict[str, str]:
    """``"pos=pro-engagement,neu=balance-seeking"`` (or a dict) to a dict, checked."""
    if not spec:
        return {}
    if isinstance(spec, dict):
        mapping = {str(k): str(v) for k, v in spec.items()}
    else:
        mapping = {}
        for part in spec.split(","):
            if "=" not in part:
                raise DataValidationError([f"label map entry {part!r} has no '='"], hint="Write it as 'theirs=ours,...'.")
            k, v = part.split("=", 1)
            mapping[k.strip()] = v.strip()
    bad = {k: v for k, v in mapping.items() if v not in LABELS}
    if bad:
        raise DataValidationError([f"label map sends {k!r} to unknown label {v!r}" for k, v in bad.items()],
                                  hint=f"Allowed targets: {', '.join(LABELS)}.")
    return mapping


def _records_from_source(source: str) -> tuple[dict[str, list[Record]] | list[Record], Report]:
    path = Path(source).expanduser()
    if path.is_file():
        return read_records(path)
    if path.is_dir():
        by_split: dict[str, list[Record]] = {}
        report = Report()
        for f in sorted(path.iterdir()):
            split = SPLIT_ALIASES.get(f.stem.lower())
            if split and f.suffix.lower() in SUPPORTED_SUFFIXES:
                recs, rep = read_records(f)
                by_split.setdefault(split, []).extend(recs)
                report.notes += rep.notes
        if "train" not in by_split:
            raise DataValidationError([f"{path}: no train.* file found"],
                                      hint="Name the files train.jsonl / validation.jsonl / test.jsonl (or .csv, .parquet).")
        return by_split, report
    if path.suffix.lower() in SUPPORTED_SUFFIXES or source.startswith((".", "/", "~")):
        raise DataValidationError([f"{source}: no such file or folder"])
    from datasets import load_dataset

    try:
        hub = load_dataset(source)
    except Exception as err:  # datasets raises many types for a missing/offline id
        raise DataValidationError(
            [f"cannot load '{source}' as a file, folder or hub dataset: {err}"],
            hint="Offline (HF_HUB_OFFLINE=1) only local files work; the bundled corpus needs no network.",
        ) from None
    by_split = {}
    for name, ds in hub.items():
        split = SPLIT_ALIASES.get(name, name)
        names = ds.features.get("label").names if isinstance(ds.features.get("label"), ClassLabel) else None
        recs = []
        for i, row in enumerate(ds):
            if names is not None and isinstance(row.get("label"), int):
                row = {**row, "label": names[row["label"]]}
            recs.append(Record(row, f"{source}[{name}]", i + 1))
        by_split[split] = recs
    return by_split, Report()


def load_stance_dataset(
    source: str | None = None,
    text_column: str = "text",
    label_column: str = "label",
    label_map: str | dict | None = None,
    drop_invalid: bool = False,
    validation_size: float = 0.1,
    test_size: float = 0.1,
    seed: int = 42,
    return_report: bool = False,
):
    """Load a stance corpus as a ``DatasetDict`` with ``train``/``validation``/``test``.

    ``source`` is ``None``/``"bundled"`` for the bundled corpus, a file, a folder of
    split files, or a hub dataset id. Rows carry a ``split`` column, come in per-split
    files, or are split here (stratified by label, seeded). Problems raise
    :class:`DataValidationError`; with ``drop_invalid`` bad rows are dropped and listed
    in the report (returned when ``return_report`` is set).
    """
    bundled = source in (None, "", BUNDLED)
    if bundled:
        by_split, report = {}, Report()
        for split, path in bundled_files().items():
            recs, rep = read_records(path)
            by_split[split] = recs
            report.notes += rep.notes
        loaded: dict[str, list[Record]] | list[Record] = by_split
    else:
        loaded, report = _records_from_source(source)
    mapping = parse_label_map(label_map)
    flat = [r for recs in loaded.values() for r in recs] if isinstance(loaded, dict) else loaded
    clean, report = validate_records(flat, text_column, label_column, mapping, drop_invalid=drop_invalid, report=report)

    with_meta = bundled or all(m in r.values for r in clean for m in METADATA)
    feats = features(with_meta)

    def row(rec: Record, k: int) -> dict:
        out = {"id": str(rec.values.get("id") or f"row-{k}"), "text": rec.values["text"], "label": rec.values["label"]}
        if with_meta:
            out.update({m: str(rec.values.get(m) or "") for m in (*METADATA, GROUP)})
        return out

    if isinstance(loaded, dict):
        # validate_records returns new Record objects; (source, line) still names each row.
        keys = {(r.source, r.line): s for s, recs in loaded.items() for r in recs}
        groups: dict[str, list[dict]] = {}
        for k, rec in enumerate(clean):
            groups.setdefault(keys[(rec.source, rec.line)], []).append(row(rec, k))
    elif all(str(r.values.get("split", "")).lower() in SPLIT_ALIASES for r in clean):
        groups = {}
        for k, rec in enumerate(clean):
            groups.setdefault(SPLIT_ALIASES[str(rec.values["split"]).lower()], []).append(row(rec, k))
    else:
        groups = {"all": [row(rec, k) for k, rec in enumerate(clean)]}

    if "all" in groups or not {"validation", "test"} <= groups.keys():
        pool = Dataset.from_list([r for rows in groups.values() for r in rows], features=feats)
        ds = _stratified_three_way(pool, validation_size, test_size, seed)
        report.notes.append(
            f"no complete train/validation/test split given: made a stratified {1 - validation_size - test_size:.0%}/"
            f"{validation_size:.0%}/{test_size:.0%} split with seed {seed}"
        )
    else:
        ds = DatasetDict({s: Dataset.from_list(groups[s], features=feats) for s in SPLITS})
    problems = check_splits({s: ds[s]["text"] for s in SPLITS},
                            {s: [LABELS[i] for i in ds[s]["label"]] for s in SPLITS})
    if problems:
        raise DataValidationError(problems, hint="Move or remove the leaking rows; every split needs every label.")
    return (ds, report) if return_report else ds


def _stratified_three_way(pool: Dataset, validation_size: float, test_size: float, seed: int) -> DatasetDict:
    counts = {lab: pool["label"].count(i) for i, lab in enumerate(LABELS)}
    too_few = {lab: n for lab, n in counts.items() if n < 3}
    if too_few or not 0 < validation_size < 1 or not 0 < test_size < 1 or validation_size + test_size >= 1:
        raise DataValidationError(
            [f"cannot make a stratified split: label counts {counts}, validation_size={validation_size}, test_size={test_size}"],
            hint="Every label needs at least 3 rows, and the two sizes must be fractions that sum below 1.",
        )
    # Whole-number sizes, at least one row per label, so small files split too.
    n = len(pool)
    n_test = max(len(LABELS), round(n * test_size))
    n_val = max(len(LABELS), round(n * validation_size))
    if n - n_test - n_val < len(LABELS):
        raise DataValidationError([f"only {n} rows: too few for train/validation/test splits"],
                                  hint="Provide at least about 10 rows per label, or your own split files.")
    first = pool.train_test_split(test_size=n_test, stratify_by_column="label", seed=seed)
    rest = first["train"].train_test_split(test_size=n_val, stratify_by_column="label", seed=seed)
    return DatasetDict({"train": rest["train"], "validation": rest["test"], "test": first["test"]})
