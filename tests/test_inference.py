"""Inference, explanations and bulk prediction on a tiny random model."""

import json

import pytest

from model.inference import ModelNotFound, StanceClassifier
from model.labels import LABELS
from model.predict import main as predict_main


@pytest.fixture(scope="module")
def clf(tiny_classifier_dir):
    return StanceClassifier(tiny_classifier_dir)


def test_probabilities_sum_to_one_and_order_is_kept(clf):
    texts = ["Мы не будем выбирать между партнёрами.", "Да.", "Инвестиции и нефть дадут рабочие места " * 3]
    preds = clf.predict(texts)
    assert [p.label in LABELS for p in preds] == [True] * 3
    for p in preds:
        assert abs(sum(p.probabilities.values()) - 1) < 1e-5
    # batching in length order must not reorder results
    assert clf.predict(texts[2]).probabilities == pytest.approx(preds[2].probabilities, abs=1e-5)


def test_long_text_is_chunked_not_cut(clf):
    long = "Казахстан и Китай подписали соглашение о нефти и газе. " * 80
    pred = clf.predict(long)
    assert pred.chunks > 1


def test_explanation_covers_the_text(clf):
    text = "Саммит в Вашингтоне ничего не изменит, прорыва не будет."
    pred, pairs = clf.explain(text)
    assert "".join(t for t, _ in pairs) == text
    assert pred.label in LABELS
    # each word's weight is the drop in the predicted label's probability without it
    k = clf.labels.index(pred.label)
    words = [i for i, (t, _) in enumerate(pairs) if t[0].isalnum()]
    for i in words[:3]:
        without = "".join(t for j, (t, _) in enumerate(pairs) if j != i)
        expected = pred.probabilities[pred.label] - clf.probabilities([without])[0][0, k]
        assert pairs[i][1] == pytest.approx(expected, abs=1e-4)


def test_fast_path_agrees_with_fp32(tiny_classifier_dir, clf):
    fast = StanceClassifier(tiny_classifier_dir, fast=True)
    texts = ["Мы не будем выбирать.", "Китай даёт кредиты, но долги растут."]
    a, _ = clf.probabilities(texts)
    b, _ = fast.probabilities(texts)
    assert abs(a - b).max() < 0.05


def test_missing_model_names_the_training_command(tmp_path):
    with pytest.raises(ModelNotFound, match="python -m training.train"):
        StanceClassifier(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match="no config.json"):
        StanceClassifier(tmp_path / "empty")


def test_bulk_prediction_reports_bad_rows_and_writes_atomically(tiny_classifier_dir, tmp_path, capsys):
    rows = [{"id": i, "text": f"Заявление эксперта номер {i} о партнёрстве."} for i in range(200)]
    rows[3]["text"] = ""
    rows[7]["text"] = 12345
    rows[9]["text"] = "я" * 6000
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert predict_main([str(src), "--out", str(out), "--model", str(tiny_classifier_dir)]) == 0
    printed = capsys.readouterr().out
    assert "197 classified, 3 skipped" in printed and "row 4: empty text" in printed
    import csv

    got = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(got) == 200 and got[7]["error"] == "not text (int)" and got[9]["error"].startswith("too long")
    assert got[0]["label"] in LABELS and float(got[0]["p_skeptical"]) >= 0
    assert not list(tmp_path.glob(".out.csv.*"))


def test_bulk_prediction_crash_leaves_no_output(tiny_classifier_dir, tmp_path, monkeypatch):
    src = tmp_path / "in.txt"
    src.write_text("Первое заявление.\nВторое заявление.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    def boom(*a, **k):
        raise RuntimeError("killed")

    monkeypatch.setattr("model.predict.json.dumps", boom)
    with pytest.raises(RuntimeError):
        predict_main([str(src), "--out", str(out), "--model", str(tiny_classifier_dir)])
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))


def test_bulk_prediction_missing_text_column(tiny_classifier_dir, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("body\nпривет\n", encoding="utf-8")
    assert predict_main([str(src), "--out", str(tmp_path / "o.csv"), "--model", str(tiny_classifier_dir)]) == 2
    assert "no column 'text'" in capsys.readouterr().err
