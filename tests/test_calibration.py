"""Temperature scaling, calibration error, the coverage curve and the 'unclear' threshold."""

import json

import numpy as np
import pytest
import torch

from model.inference import StanceClassifier
from model.labels import UNCLEAR
from model.predict import main as predict_main
from training.calibration import (
    apply_temperature,
    coverage_curve,
    fit_temperature,
    fold_temperature,
    reliability,
)


def _sampled(temperature: float, n: int = 6000, seed: int = 0):
    """Logits and labels drawn from softmax(logits / temperature): T is the right answer."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, size=(n, 3))
    p = apply_temperature(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), temperature)
    labels = np.array([rng.choice(3, p=row) for row in p])
    return logits, labels


@pytest.mark.parametrize("true_t", [0.7, 2.5])
def test_fit_temperature_recovers_the_generating_temperature(true_t):
    logits, labels = _sampled(true_t)
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.1)


def test_calibration_error_separates_calibrated_from_overconfident():
    logits, labels = _sampled(3.0)
    raw = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    fixed = apply_temperature(raw, fit_temperature(logits, labels))
    over, good = reliability(raw, labels), reliability(fixed, labels)
    assert over["ece"] > 0.15 and good["ece"] < 0.03
    assert over["mean_confidence"] > over["accuracy"] + 0.15
    assert sum(b["n"] for b in good["bins"]) == len(labels)


def test_folding_divides_the_logits_exactly(tiny_classifier_dir):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_classifier_dir)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir).eval()
    batch = tok(["Китай даст кредит.", "Мы не будем выбирать."], return_tensors="pt", padding=True)
    with torch.no_grad():
        before = model(**batch).logits
        fold_temperature(model, 4.0)
        after = model(**batch).logits
    assert torch.allclose(after, before / 4.0, atol=1e-6)
    assert model.config.calibration_temperature == 4.0


def test_coverage_rises_as_the_threshold_falls():
    logits, labels = _sampled(1.0)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    curve = coverage_curve(probs, labels)
    cov = [c["coverage"] for c in curve]
    acc = [c["accuracy"] for c in curve if c["accuracy"] is not None]
    assert cov == sorted(cov, reverse=True) and cov[0] == 1.0
    assert acc[-1] > acc[0] + 0.1  # confident predictions are more often right on calibrated data


def test_min_confidence_reports_unclear_and_keeps_probabilities(tiny_classifier_dir):
    clf = StanceClassifier(tiny_classifier_dir)
    texts = ["Казахстан не будет выбирать.", "Нефть и газ."]
    plain = clf.predict(texts)
    strict = clf.predict(texts, min_confidence=1.0)
    assert all(p.label != UNCLEAR for p in plain)
    assert all(p.label == UNCLEAR for p in strict)
    assert [p.probabilities for p in strict] == [p.probabilities for p in plain]
    cut = sorted(p.score for p in plain)[0] + 1e-6  # between the two scores: only the weaker is unclear
    mixed = clf.predict(texts, min_confidence=cut)
    assert [p.label == UNCLEAR for p in mixed] == [p.score < cut for p in plain]


def test_predict_cli_min_confidence(tiny_classifier_dir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("Казахстан не будет выбирать.\nНефть и газ.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert predict_main([str(src), "--out", str(out), "--model", str(tiny_classifier_dir), "--min-confidence", "1"]) == 0
    assert {json.loads(line)["label"] for line in out.read_text(encoding="utf-8").splitlines()} == {UNCLEAR}
    assert predict_main([str(src), "--out", str(out), "--model", str(tiny_classifier_dir), "--min-confidence", "2"]) == 2
