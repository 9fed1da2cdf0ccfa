"""Evaluation of a model on a labelled file, and the TF-IDF baseline, against hand computations."""

import json

import numpy as np
import pytest

from model.labels import LABELS

BAL, PRO, SKEP = LABELS

# (split, text, gold label). The peaked tiny model reads the label off the keywords; the gold
# labels of three statements disagree with their keywords, so the model makes mistakes and
# the metrics are not all 1.0. Every split has every gold label.
STATEMENTS = [
    ("train", "Нейтралитет Ашхабада выдержал проверку временем.", BAL),
    ("train", "Многовекторность остаётся нашим главным принципом.", PRO),
    ("train", "Инвестиции из Кореи пришли в энергетику.", PRO),
    ("train", "Новый коридор через Каспий сократит путь грузов.", PRO),
    ("train", "Прорыва на саммите ждать не стоит.", SKEP),
    ("train", "Долг перед соседом растёт с каждым годом.", SKEP),
    ("validation", "Баланс между столицами — основа политики Астаны.", BAL),
    ("validation", "Нейтралитет помогает нам торговать со всеми.", BAL),
    ("validation", "Выгода от транзита очевидна всем.", PRO),
    ("validation", "Инвестиции в литий дадут рабочие места.", PRO),
    ("validation", "Риск санкций перечеркнёт плоды сделки.", SKEP),
    ("validation", "Зависимость от одного покупателя опасна.", BAL),
    ("test", "Многовекторность и нейтралитет не раз выручали Бишкек.", BAL),
    ("test", "Баланс сил в регионе нам важен.", BAL),
    ("test", "Инвестиции японских компаний растут.", PRO),
    ("test", "Коридор Север — Юг даст заводам работу.", SKEP),
    ("test", "Прорыв объявляли уже много раз.", SKEP),
    ("test", "Риск дефолта по этому долгу велик.", SKEP),
]


def _hand_metrics(pred: np.ndarray, gold: np.ndarray) -> dict:
    cm = np.zeros((3, 3), dtype=int)
    for g, p in zip(gold, pred):
        cm[g, p] += 1
    per_class = {}
    for k, lab in enumerate(LABELS):
        precision = cm[k, k] / cm[:, k].sum() if cm[:, k].sum() else 0.0
        recall = cm[k, k] / cm[k, :].sum() if cm[k, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[lab] = {"precision": precision, "recall": recall, "f1": f1, "support": int(cm[k, :].sum())}
    return {"accuracy": np.trace(cm) / cm.sum(), "macro_f1": np.mean([v["f1"] for v in per_class.values()]),
            "per_class": per_class, "confusion_matrix": cm.tolist()}


@pytest.mark.parametrize("split", ["test", "all"])
def test_evaluate_model_matches_a_hand_computation(peaked_classifier_dir, tmp_path, split):
    from model.inference import StanceClassifier
    from training.evaluate_model import evaluate_model

    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(json.dumps({"id": f"s{i}", "text": t, "label": lab, "split": s}, ensure_ascii=False) + "\n"
                            for i, (s, t, lab) in enumerate(STATEMENTS)), encoding="utf-8")
    rows = [(f"s{i}", t, LABELS.index(lab)) for i, (s, t, lab) in enumerate(STATEMENTS) if split in ("all", s)]
    probs, _ = StanceClassifier(peaked_classifier_dir).probabilities([t for _, t, _ in rows])
    pred, gold = probs.argmax(1), np.array([g for _, _, g in rows])
    assert 0 < (pred != gold).sum() < len(rows) // 2  # some mistakes, not a wash
    expected = _hand_metrics(pred, gold)

    out = tmp_path / "eval"
    m = evaluate_model(str(peaked_classifier_dir), str(data), split, out)
    assert m["rows"] == len(rows) and m["split"] == split
    assert m["confusion_matrix"] == expected["confusion_matrix"]
    assert m["accuracy"] == pytest.approx(expected["accuracy"])
    assert m["macro_f1"] == pytest.approx(expected["macro_f1"])
    for lab in LABELS:
        for key in ("precision", "recall", "f1", "support"):
            assert m["per_class"][lab][key] == pytest.approx(expected["per_class"][lab][key]), (lab, key)
    assert json.loads((out / "metrics.json").read_text()) == json.loads(json.dumps(m))
    assert (out / "confusion_matrix.png").stat().st_size > 0
    mistakes = [json.loads(line) for line in (out / "mistakes.jsonl").read_text(encoding="utf-8").splitlines()]
    wrong = [(r[0], LABELS[g], LABELS[p]) for r, p, g in zip(rows, pred, gold) if p != g]
    assert sorted((x["id"], x["gold"], x["predicted"]) for x in mistakes) == sorted(wrong)


def test_tfidf_baseline_beats_chance_on_a_separable_toy_set():
    from training.baselines import tfidf_logreg

    cue = {0: ["нейтралитет", "равновесие", "без блоков"], 1: ["инвестиции", "заводы", "рабочие места"],
           2: ["пустые обещания", "долговая яма", "никакого прорыва"]}
    subjects = ["Казахстан", "Узбекистан", "Кыргызстан", "Таджикистан", "Туркменистан", "регион", "Астана",
                "Ташкент", "Бишкек", "Душанбе"]

    def make(subject_ids):
        texts, labels = [], []
        for s in subject_ids:
            for label, words in cue.items():
                for w in words:
                    texts.append(f"{subjects[s]}: {w} в отношениях с партнёрами")
                    labels.append(label)
        return texts, labels

    train_texts, train_labels = make(range(7))
    test_texts, test_labels = make(range(7, 10))  # subjects never seen in training
    clf = tfidf_logreg(train_texts, train_labels, seed=0)
    pred = clf.predict(test_texts)
    accuracy = float(np.mean(np.array(pred) == np.array(test_labels)))
    assert accuracy >= 0.9  # chance is 1/3
    proba = clf.predict_proba(test_texts)
    assert proba.shape == (len(test_texts), 3) and np.allclose(proba.sum(1), 1)


def test_scores_follow_label_names_not_column_positions(peaked_classifier_dir, tmp_path):
    """A model whose id2label lists the stances in another order is scored on what it says: the
    same weights with names permuted score differently, and a model with foreign labels is refused."""
    import json
    import shutil

    from model.inference import StanceClassifier
    from training.evaluate_model import in_label_order, score_rows

    texts = ["нейтралитет и баланс", "инвестиции и выгода", "риск и зависимость"]
    gold = [0, 1, 2]
    right = score_rows(StanceClassifier(peaked_classifier_dir), texts, gold, show_progress=False)[0]
    rotated = tmp_path / "rotated"
    shutil.copytree(peaked_classifier_dir, rotated)
    cfg = json.loads((rotated / "config.json").read_text(encoding="utf-8"))
    names = [cfg["id2label"][str(i)] for i in range(3)]
    cfg["id2label"] = {str(i): names[(i + 1) % 3] for i in range(3)}
    cfg["label2id"] = {v: int(k) for k, v in cfg["id2label"].items()}
    (rotated / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    wrong = score_rows(StanceClassifier(rotated), texts, gold, show_progress=False)[0]
    assert right["accuracy"] == 1.0 and wrong["accuracy"] == 0.0
    with pytest.raises(ValueError, match="not this project's"):
        in_label_order(np.zeros((1, 3)), ["a", "b", "c"])
