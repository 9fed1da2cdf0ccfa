"""Bulk prediction, option by option: tests added for mutants that survived
``scripts/mutation.sh`` (docs/mutation.md). They use the peaked tiny model
(``tests.tiny_model.PEAKED_WORDS``), whose keywords decide the label."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

import model.predict as predict
from model.inference import StanceClassifier
from model.labels import LABELS, UNCLEAR
from model.predict import load_rows, main, predict_rows, write_rows
from tests.tiny_model import spy_batch_sizes

BAL, PRO, SKEP = LABELS
TEXTS = ["Нейтралитет и баланс.", "Инвестиции и коридор.", "Прорыва не будет, только риск."]


@pytest.fixture(scope="module")
def clf(peaked_classifier_dir):
    return StanceClassifier(peaked_classifier_dir)


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def spy_classifier(monkeypatch, peaked_classifier_dir):
    """Replace ``StanceClassifier`` in model.predict by the peaked model, recording how
    ``main`` built it (``--model`` and ``--fast``) and the batch sizes it was asked for."""
    calls: dict[str, list] = {"init": [], "batch_size": []}

    class Spy(StanceClassifier):
        def __init__(self, model, **kwargs):
            calls["init"].append((model, kwargs))
            super().__init__(peaked_classifier_dir)

        def probabilities(self, texts, batch_size=32, progress=None):
            calls["batch_size"].append(batch_size)
            return super().probabilities(texts, batch_size, progress)

    monkeypatch.setattr(predict, "StanceClassifier", Spy)
    return calls


# --- load_rows -------------------------------------------------------------------------------


def test_load_rows_defaults_to_the_text_column(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", [{"text": "Один."}, {"text": "Два.", "id": 2}])
    assert load_rows(str(path)) == [{"text": "Один."}, {"text": "Два.", "id": 2}]
    assert load_rows(str(tmp_path / "in.jsonl"), "text") == load_rows(str(path))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert load_rows(str(empty), "anything") == []  # no rows: nothing to check the column against


def test_load_rows_prints_the_file_notes_to_stderr(tmp_path, capsys):
    path = tmp_path / "in.txt"
    path.write_bytes("\ufeffОдин.\nДва.\n".encode())
    assert load_rows(str(path)) == [{"text": "Один."}, {"text": "Два."}]
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"note: {path}: starts with a UTF-8 byte-order mark (BOM); it was ignored\n"


def test_load_rows_missing_column_names_the_flag(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("body,id\nпривет,1\n", encoding="utf-8")
    with pytest.raises(predict.DataValidationError) as e:
        load_rows(str(path))
    assert str(e.value) == (f"1 problem(s) in the data:\n  {path}: no column 'text'; found ['body', 'id']\n"
                            "Name the text column with --text-column.")
    assert load_rows(str(path), "body") == [{"body": "привет", "id": "1"}]


@pytest.fixture
def fake_hub(monkeypatch):
    """``datasets.load_dataset`` offline: one known id, every other id fails like the hub."""
    import datasets

    calls = []

    def load_dataset(source, split=None):
        calls.append((source, split))
        if source != "user/quotes":
            raise FileNotFoundError(f"Dataset '{source}' doesn't exist on the Hub")
        return iter([{"text": f"{split}: Инвестиции."}, {"text": f"{split}: Риск."}])

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def test_load_rows_from_a_hub_dataset_split(fake_hub):
    assert load_rows("user/quotes") == [{"text": "train: Инвестиции."}, {"text": "train: Риск."}]
    assert load_rows("user/quotes", split="test") == [{"text": "test: Инвестиции."}, {"text": "test: Риск."}]
    assert fake_hub == [("user/quotes", "train"), ("user/quotes", "test")]


def test_load_rows_unknown_source_says_what_was_tried(fake_hub):
    with pytest.raises(predict.DataValidationError) as e:
        load_rows("nobody/nothing")
    assert e.value.problems == ["'nobody/nothing' is neither a file nor a loadable hub dataset: "
                                "Dataset 'nobody/nothing' doesn't exist on the Hub"]


# --- predict_rows ----------------------------------------------------------------------------


def test_predict_rows_defaults(clf, capsys):
    """Default text column, no minimum confidence, a progress bar on stderr."""
    out, problems = predict_rows(clf, [{"text": t} for t in TEXTS])
    assert [r["label"] for r in out] == [BAL, PRO, SKEP] and problems == []
    err = capsys.readouterr().err
    assert "Classifying: 100%" in err and "3/3" in err and "stmt/s" in err


def test_predict_rows_progress_can_be_switched_off(clf, capsys):
    predict_rows(clf, [{"text": t} for t in TEXTS], show_progress=False)
    assert capsys.readouterr().err == ""


def test_predict_rows_progress_counts_the_good_rows_only(clf, capsys):
    rows = [{"text": t} for t in TEXTS] + [{"text": ""}]
    predict_rows(clf, rows, batch_size=2)
    err = capsys.readouterr().err
    assert "3/3" in err and "/4" not in err


def test_bad_rows_get_empty_results_and_a_reason(clf):
    rows = [{"id": "a", "text": "Баланс."}, {"id": "b", "text": "   "}, {"id": "c", "text": "x" * 11},
            {"id": "d", "body": "no text"}]
    out, problems = predict_rows(clf, rows, max_chars=10, show_progress=False)
    empty = {"label": "", "p_balance-seeking": None, "p_pro-engagement": None, "p_skeptical": None, "chunks": 0}
    assert out[1] == {"id": "b", "text": "   ", **empty, "error": "empty text"}
    assert out[2] == {"id": "c", "text": "x" * 11, **empty, "error": "too long (11 characters > 10)"}
    assert out[3] == {"id": "d", "body": "no text", **empty, "error": "not text (NoneType)"}
    assert problems == ["row 2: empty text", "row 3: too long (11 characters > 10)", "row 4: not text (NoneType)"]
    assert out[0]["label"] == BAL and out[0]["chunks"] == 1 and out[0]["error"] == ""


def test_predict_rows_uses_the_given_text_column_and_batch_size(clf, monkeypatch):
    sizes = spy_batch_sizes(clf, monkeypatch)
    out, _ = predict_rows(clf, [{"body": t} for t in TEXTS], text_column="body", batch_size=2, show_progress=False)
    assert [r["label"] for r in out] == [BAL, PRO, SKEP] and sizes == [2]


def test_min_confidence_is_inclusive(clf):
    rows = [{"text": t} for t in TEXTS + ["Саммит состоялся в среду."]]
    probs, _ = clf.probabilities([r["text"] for r in rows])
    top = probs.max(1)
    unsure = int(top.argmin())
    # Exactly the least sure row's top probability: every row keeps its stance.
    out, _ = predict_rows(clf, rows, min_confidence=float(top[unsure]), show_progress=False)
    assert all(r["label"] in LABELS for r in out)
    # Just above it: that row alone becomes unclear, and keeps its probabilities.
    above = float(np.nextafter(top[unsure], np.float32(1)))
    out, _ = predict_rows(clf, rows, min_confidence=above, show_progress=False)
    assert [r["label"] == UNCLEAR for r in out] == [i == unsure for i in range(len(rows))]
    assert out[unsure][f"p_{LABELS[int(probs[unsure].argmax())]}"] == round(float(top[unsure]), 5)


def test_probabilities_are_rounded_to_five_decimals(clf):
    out, _ = predict_rows(clf, [{"text": t} for t in TEXTS + ["Саммит состоялся в среду."]], show_progress=False)
    values = [r[f"p_{lab}"] for r in out for lab in LABELS]
    assert all(v == round(v, 5) for v in values)
    assert any(v != round(v, 4) for v in values)


# --- write_rows ------------------------------------------------------------------------------


class Peek:
    """A value that, when the writer turns it into text, records what is in the output
    folder at that moment (the temporary file, if there is one)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.seen: list[str] = []

    def __str__(self) -> str:
        self.seen = sorted(os.listdir(self.folder))
        return "peek"


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl"])
def test_rows_go_to_a_hidden_partial_file_next_to_the_output(tmp_path, name):
    out = tmp_path / "deep" / "er" / name  # missing folders are created
    peek = Peek(out.parent)
    write_rows([{"text": "Один.", "value": peek}], out)
    assert len(peek.seen) == 1
    assert peek.seen[0].startswith(f".{name}.") and peek.seen[0].endswith(".partial")
    assert sorted(os.listdir(out.parent)) == [name]


def test_csv_and_tsv_files(tmp_path):
    rows = [{"text": "Привет, мир", "label": BAL}, {"text": "Два", "extra": 1}]
    write_rows(rows, tmp_path / "o.csv")
    assert (tmp_path / "o.csv").read_bytes().decode("utf-8") == (
        'text,label,extra\r\n"Привет, мир",balance-seeking,\r\nДва,,1\r\n')
    write_rows(rows, tmp_path / "o.tsv")
    assert (tmp_path / "o.tsv").read_bytes().decode("utf-8") == (
        "text\tlabel\textra\r\nПривет, мир\tbalance-seeking\t\r\nДва\t\t1\r\n")
    write_rows(rows, tmp_path / "O.TSV")  # the suffix in any case
    assert (tmp_path / "O.TSV").read_text(encoding="utf-8").startswith("text\tlabel\textra")


def test_jsonl_is_readable_utf8_and_writes_any_value(tmp_path):
    out = tmp_path / "o.jsonl"
    write_rows([{"text": "Привет", "path": Path("a/b")}, {"text": "Два", "n": 1.5}], out)
    assert out.read_bytes().decode("utf-8") == '{"text": "Привет", "path": "a/b"}\n{"text": "Два", "n": 1.5}\n'


def test_output_is_utf8_whatever_the_locale(tmp_path, monkeypatch):
    """On a machine whose locale is not UTF-8 (Windows with cp1252, say), the files are still UTF-8."""
    # pathlib asks io.text_encoding for the locale's encoding when none is given.
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: encoding or "cp1252")
    for name in ("o.csv", "o.tsv", "o.jsonl"):
        write_rows([{"text": "Привет"}], tmp_path / name)
        assert "Привет" in (tmp_path / name).read_bytes().decode("utf-8"), name


def test_parquet_round_trip(tmp_path):
    import pyarrow.parquet as pq

    rows = [{"text": "Привет", "p": 0.5}, {"text": "Два", "p": None}]
    write_rows(rows, tmp_path / "o.parquet")
    assert pq.read_table(tmp_path / "o.parquet").to_pylist() == rows
    write_rows(rows, tmp_path / "O.PARQUET")
    assert pq.read_table(tmp_path / "O.PARQUET").to_pylist() == rows


def test_unknown_output_type_is_refused_and_leaves_nothing(tmp_path):
    with pytest.raises(predict.DataValidationError) as e:
        write_rows([{"text": "x"}], tmp_path / "o.xlsx")
    assert str(e.value) == ("1 problem(s) in the data:\n  cannot write '.xlsx' files\n"
                            "Use .csv, .tsv, .jsonl or .parquet.")
    assert list(tmp_path.iterdir()) == []


# --- main ------------------------------------------------------------------------------------


def test_help_documents_every_option(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # no wrapping: each help text stays on one line
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    # The module docstring, with its own line breaks (the examples stay one per line).
    assert "\n    python -m model.predict archive.csv --out archive.stance.csv [--fast] [--model DIR_OR_HUB_ID]\n" in text
    assert "\n    python -m model.predict statements.txt --out out.jsonl            # one statement per line\n" in text
    flat = " ".join(text.split())
    for line in ("source CSV/TSV/JSONL/JSON/Parquet/TXT file or hub dataset id",
                 "--out OUT output .csv/.tsv/.jsonl/.parquet",
                 "--model MODEL model folder or hub id",
                 "--fast the fast CPU path (bf16 where the CPU supports it, else int8)",
                 "--split SPLIT split of a hub dataset",
                 "--min-confidence MIN_CONFIDENCE label a row 'unclear' when its top probability is below this "
                 "(0-1; see the coverage curve in the README for the trade-off)"):
        assert line in flat, line
    assert "--batch-size BATCH_SIZE" in text and "--max-chars MAX_CHARS" in text and "--text-column" in text


def test_out_is_required(tmp_path, capsys):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": "x"}])
    with pytest.raises(SystemExit) as e:
        main([str(src)])
    assert e.value.code == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err


def test_default_model_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "in.jsonl", [{"text": "x"}])
    assert main(["in.jsonl", "--out", "o.csv"]) == 2
    assert "No model at 'runs/c5-stance/model'" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_options_reach_the_classifier_and_the_rows(tmp_path, spy_classifier, capsys):
    src = _jsonl(tmp_path / "in.jsonl", [{"body": t} for t in TEXTS] + [{"body": "x" * 40}])
    out = tmp_path / "o.jsonl"
    assert main([str(src), "--out", str(out), "--model", "some/model", "--text-column", "body",
                 "--batch-size", "3", "--max-chars", "35", "--min-confidence", "0.5"]) == 0
    assert spy_classifier["init"] == [("some/model", {"fast": False})]
    assert spy_classifier["batch_size"] == [3]
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in got] == [BAL, PRO, SKEP, ""]
    assert got[3]["error"] == "too long (40 characters > 35)"
    assert "wrote 4 rows" in capsys.readouterr().out


def test_fast_flag_reaches_the_classifier(tmp_path, spy_classifier):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0]}])
    assert main([str(src), "--out", str(tmp_path / "o.csv"), "--fast"]) == 0
    assert spy_classifier["init"] == [(str(predict.DEFAULT_MODEL_DIR), {"fast": True})]


def test_min_confidence_option(tmp_path, spy_classifier, capsys):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": "Саммит состоялся в среду."}, {"text": TEXTS[2]}])
    out = tmp_path / "o.csv"
    assert main([str(src), "--out", str(out), "--min-confidence", "1"]) == 0  # 1 is allowed: all unclear
    assert [r["label"] for r in csv.DictReader(out.open(encoding="utf-8"))] == [UNCLEAR, UNCLEAR]
    for bad in ("1.5", "-0.1"):
        assert main([str(src), "--out", str(out), "--min-confidence", bad]) == 2
        assert f"--min-confidence {float(bad)}: must be between 0 and 1" in capsys.readouterr().err


def test_hub_split_option(tmp_path, spy_classifier, fake_hub):
    out = tmp_path / "o.jsonl"
    assert main(["user/quotes", "--out", str(out)]) == 0
    assert main(["user/quotes", "--out", str(out), "--split", "test"]) == 0
    assert fake_hub == [("user/quotes", "train"), ("user/quotes", "test")]
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["text"] == "test: Инвестиции."


@pytest.mark.parametrize("bad, more", [(50, None), (51, "  ... and 1 more (see the 'error' column)"),
                                       (53, "  ... and 3 more (see the 'error' column)")])
def test_skipped_rows_are_listed_up_to_fifty(tmp_path, spy_classifier, capsys, bad, more):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0]}] + [{"text": ""}] * bad)
    assert main([str(src), "--out", str(tmp_path / "o.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"wrote {bad + 1} rows to {tmp_path / 'o.csv'} (1 classified, {bad} skipped)"
    assert lines[1:51] == [f"  skipped row {i + 2}: empty text" for i in range(50)]
    assert lines[51:] == ([more] if more else [])
