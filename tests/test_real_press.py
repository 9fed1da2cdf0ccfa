"""The real-press loader and benchmark. The real passages live outside the project
(``../shared/real-dev/``); the tests that need them skip where they are absent."""

import json

import pytest

from benchmarks.real_press import main as real_press_main
from benchmarks.real_press import run
from data.real_press import DEFAULT_REAL_DEV, load_real_passages, subsets
from data.validation import DataValidationError
from model.labels import LABEL2ID

needs_real_dev = pytest.mark.skipif(not DEFAULT_REAL_DEV.is_file(),
                                    reason=f"real development set absent ({DEFAULT_REAL_DEV}); it is not part of the project")


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_loader_skips_disagreements_and_maps_labels(tmp_path):
    f = _write(tmp_path / "r.jsonl", [
        {"id": "a", "text": "Первый.", "label": "skeptical", "half": "tune", "both_sure": True},
        {"id": "b", "text": "Второй.", "label": None, "half": "check"},
        {"id": "c", "text": "Третий.", "label": "balance-seeking", "half": "check", "both_sure": False},
    ])
    rows = load_real_passages(f)
    assert [(r["id"], r["label"]) for r in rows] == [("a", LABEL2ID["skeptical"]), ("c", LABEL2ID["balance-seeking"])]
    assert subsets(rows) == {"all": [0, 1], "tune": [0], "check": [1], "both_sure": [0]}


@pytest.mark.parametrize("content, says", [
    ('{"text": "x", "label": "neutral"}\n', ":1: label 'neutral' unknown"),
    ('{"text": "x", "label": "skeptical"}\n{broken\n', ":2: broken JSON line"),
])
def test_loader_names_file_and_line(tmp_path, content, says):
    f = tmp_path / "bad.jsonl"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError, match=says):
        load_real_passages(f)


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert real_press_main(["--data", str(tmp_path / "absent.jsonl"), "--model", "", "--baselines", "none"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_training_round_is_a_clear_error(tmp_path, capsys):
    data = _write(tmp_path / "r.jsonl", [{"id": "a", "text": "Первый.", "label": "skeptical", "half": "tune"}])
    assert real_press_main(["--data", str(data), "--model", "", "--baselines", "tfidf", "--train-rounds", "nope",
                            "--out", str(tmp_path / "out")]) == 2
    assert "no round(s) ['nope']" in capsys.readouterr().err


@needs_real_dev
def test_benchmark_on_the_real_development_set(tiny_classifier_dir, tmp_path):
    report = run(DEFAULT_REAL_DEV, str(tiny_classifier_dir), tmp_path, baselines=("tfidf",))
    rows = load_real_passages(DEFAULT_REAL_DEV)
    assert report["rows"] == len(rows) and report["slices"]["check"] + report["slices"]["tune"] == len(rows)
    for m in report["models"].values():
        assert set(m) == {"all", "tune", "check", "both_sure"}
        assert sum(map(sum, m["check"]["confusion_matrix"])) == report["slices"]["check"]
        assert 0 <= m["check"]["calibration"]["ece"] <= 1
    for name in ("real_press.json", "real_press.md", "reliability.png", "coverage.png", "confusion_matrix.png"):
        assert (tmp_path / name).stat().st_size > 0
    # mistakes come from the tune half only: the check half is never read for errors
    tune_ids = {r["id"] for r in rows if r["half"] == "tune"}
    assert {json.loads(line)["id"] for line in (tmp_path / "mistakes_tune.jsonl").read_text().splitlines()} <= tune_ids
