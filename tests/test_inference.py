"""Inference, explanations and bulk prediction.

Most tests use the peaked tiny model (``tests.tiny_model.PEAKED_WORDS``): its keywords
decide the label, so a result in the wrong row, a flipped sign or a wrong fast path shows.
A random tiny model answers about 1/3 for everything and would let such bugs through."""

import csv
import json
import math

import numpy as np
import pytest

from model.inference import ModelNotFound, StanceClassifier
from model.labels import LABELS
from model.predict import main as predict_main

BAL, PRO, SKEP = LABELS

# Statements whose label the peaked model reads off their keywords, of different lengths so
# that sorting by length (what batching does) reorders them.
KEYED = [
    ("Инвестиции и коридор через Каспий дадут заводам работу, а выгода останется в регионе надолго.", PRO),
    ("Прорыва не будет.", SKEP),
    ("Нейтралитет — наш курс, баланс со всеми соседями.", BAL),
    ("Долг растёт, а с ним и риск.", SKEP),
    ("Инвестиции.", PRO),
    ("Многовекторность и нейтралитет остаются основой нашей внешней политики уже тридцать лет.", BAL),
    ("Зависимость от одного покупателя — это риск, и долг за газ только растёт год от года.", SKEP),
    ("Выгода ясна.", PRO),
]


@pytest.fixture(scope="module")
def clf(peaked_classifier_dir):
    return StanceClassifier(peaked_classifier_dir)


def test_peaked_model_is_not_flat(clf):
    """The premise of the tests below: the keywords decide the label with confidence, and
    texts without keywords still get distinct, non-uniform probabilities."""
    probs, _ = clf.probabilities([t for t, _ in KEYED])
    assert [LABELS[k] for k in probs.argmax(1)] == [lab for _, lab in KEYED]
    assert probs.max(1).min() > 0.8
    plain, _ = clf.probabilities(["Да.", "Мы не будем выбирать между партнёрами.", "Саммит состоялся в среду."])
    assert np.abs(plain - 1 / 3).max() > 0.1 and np.abs(plain[0] - plain[1]).max() > 0.01


def test_probabilities_sum_to_one_and_order_is_kept(clf):
    texts = [t for t, _ in KEYED] + ["Да.", "Саммит состоялся в среду, делегации обменялись подарками."]
    # Small batches: the length sort moves texts across batches, and each must come back to its row.
    preds = clf.predict(texts, batch_size=3)
    assert [p.label for p in preds[: len(KEYED)]] == [lab for _, lab in KEYED]
    for text, p in zip(texts, preds):
        assert abs(sum(p.probabilities.values()) - 1) < 1e-5
        alone = clf.predict(text)
        assert p.probabilities == pytest.approx(alone.probabilities, abs=1e-4), text


def test_long_text_is_chunked_not_cut(clf):
    """The first windows hold only balance-seeking keywords, the rest only skeptical ones:
    the label must come from the whole text, with the first windows still weighing in."""
    head = "Нейтралитет и баланс. " * 20  # 80 tokens: more than the first 64-token window
    tail = "Риск и долг. " * 60
    assert clf.predict(head).label == BAL
    only_tail = clf.predict(tail)
    pred = clf.predict(head + tail)
    assert pred.chunks > 5
    assert pred.label == SKEP  # not cut after the first window
    # Averaged over the windows: the balance-seeking windows count too (not only the last one).
    assert 0.1 < pred.probabilities[BAL] < 0.5 and pred.probabilities[BAL] > only_tail.probabilities[BAL] + 0.1


def test_explanation_covers_the_text(clf):
    text = "Нейтралитет — наш курс, но риск есть."
    pred, pairs = clf.explain(text)
    assert "".join(t for t, _ in pairs) == text
    assert pred.label == BAL
    weights = dict(pairs)
    # Direction: the balance-seeking keyword pushed toward the prediction, the skeptical one away.
    assert weights["Нейтралитет"] > 0.2 and weights["риск"] < -0.2
    assert max(pairs, key=lambda tw: tw[1])[0] == "Нейтралитет"
    # Each word's weight is the drop in the predicted label's log-odds without it.
    k = clf.labels.index(pred.label)
    words = [i for i, (t, _) in enumerate(pairs) if t[0].isalnum()]
    variants = ["".join(t for j, (t, _) in enumerate(pairs) if j != i) for i in words]
    without = clf.probabilities(variants)[0][:, k]
    p = pred.probabilities[pred.label]
    for i, q in zip(words, without):
        expected = math.log(p / (1 - p)) - math.log(q / (1 - q))
        assert pairs[i][1] == pytest.approx(expected, abs=1e-3), pairs[i][0]
    assert all(w == 0 for t, w in pairs if not t[0].isalnum())


def test_fast_path_agrees_with_fp32(peaked_classifier_dir, clf):
    fast = StanceClassifier(peaked_classifier_dir, fast=True)
    texts = [t for t, _ in KEYED] + ["Мы не будем выбирать.", "Китай даёт кредиты, но долги растут."]
    a, _ = clf.probabilities(texts)
    b, _ = fast.probabilities(texts)
    assert (a.argmax(1) == b.argmax(1)).all()
    assert abs(a - b).max() < 0.02


def test_int8_fallback_agrees_with_fp32(peaked_classifier_dir, clf, monkeypatch):
    """On a CPU without native bf16 the fast path quantizes the linear layers to int8."""
    monkeypatch.setattr("model.inference.cpu_has_native_bf16", lambda: False)
    fast = StanceClassifier(peaked_classifier_dir, fast=True)
    assert fast.backend == "torch-int8-dynamic"
    texts = [t for t, _ in KEYED] + ["Мы не будем выбирать.", "Китай даёт кредиты, но долги растут."]
    a, _ = clf.probabilities(texts)
    b, _ = fast.probabilities(texts)
    assert (a.argmax(1) == b.argmax(1)).all()
    assert abs(a - b).max() < 0.1


def test_missing_model_names_the_training_command(tmp_path):
    with pytest.raises(ModelNotFound, match="python -m training.train"):
        StanceClassifier(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match="no config.json"):
        StanceClassifier(tmp_path / "empty")


def test_bulk_prediction_reports_bad_rows_and_writes_atomically(peaked_classifier_dir, clf, tmp_path, capsys,
                                                                 monkeypatch):
    rows = [{"id": i, "text": f"{KEYED[i % len(KEYED)][0]} Заявление {i}."} for i in range(200)]
    rows[3]["text"] = ""
    rows[7]["text"] = 12345
    rows[9]["text"] = "я" * 6000
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old results\n", encoding="utf-8")
    # Atomic: while the rows are being written, --out still holds the previous file.
    seen_while_writing = []
    real_writer = csv.DictWriter

    class WatchingWriter(real_writer):
        def writerows(self, rowdicts):
            seen_while_writing.append(out.read_text(encoding="utf-8"))
            return super().writerows(rowdicts)

    monkeypatch.setattr("model.predict.csv.DictWriter", WatchingWriter)
    assert predict_main([str(src), "--out", str(out), "--model", str(peaked_classifier_dir), "--batch-size", "16"]) == 0
    assert seen_while_writing == ["old results\n"]
    printed = capsys.readouterr().out
    assert "197 classified, 3 skipped" in printed and "row 4: empty text" in printed

    got = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(got) == 200 and got[7]["error"] == "not text (int)" and got[9]["error"].startswith("too long")
    assert got[3]["label"] == got[7]["label"] == got[9]["label"] == ""
    # Every result is in its own row: the keyword's label, and the probabilities of that very text.
    good = [i for i in range(200) if i not in (3, 7, 9)]
    expected, chunks = clf.probabilities([rows[i]["text"] for i in good])
    assert set(chunks) == {1, 2}  # some rows are long enough for two windows
    for i, p, c in zip(good, expected, chunks):
        assert got[i]["id"] == str(i) and got[i]["label"] == KEYED[i % len(KEYED)][1], i
        assert [float(got[i][f"p_{lab}"]) for lab in LABELS] == pytest.approx(p, abs=1e-4), i
        assert got[i]["error"] == "" and got[i]["chunks"] == str(c), i
    assert not list(tmp_path.glob(".out.csv.*"))


def test_bulk_prediction_crash_leaves_no_output(peaked_classifier_dir, tmp_path, monkeypatch):
    """A crash in the middle of writing (after two rows) leaves the previous output as it
    was and no temporary file behind."""
    src = tmp_path / "in.txt"
    src.write_text("".join(f"{t}\n" for t, _ in KEYED), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text('{"old": true}\n', encoding="utf-8")

    class CrashingJson:
        """Stands in for ``json`` inside model.predict only (transformers keeps the real one)."""

        calls = 0

        @classmethod
        def dumps(cls, *a, **k):
            cls.calls += 1
            if cls.calls > 2:
                raise RuntimeError("killed")
            return json.dumps(*a, **k)

    monkeypatch.setattr("model.predict.json", CrashingJson)
    with pytest.raises(RuntimeError, match="killed"):
        predict_main([str(src), "--out", str(out), "--model", str(peaked_classifier_dir)])
    assert CrashingJson.calls == 3  # it did crash while writing rows
    assert out.read_text(encoding="utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.jsonl"]


def test_bulk_prediction_missing_text_column(peaked_classifier_dir, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("body\nпривет\n", encoding="utf-8")
    assert predict_main([str(src), "--out", str(tmp_path / "o.csv"), "--model", str(peaked_classifier_dir)]) == 2
    assert "no column 'text'" in capsys.readouterr().err
