"""Inference edge cases: tests added for mutants that survived ``scripts/mutation.sh``
(docs/mutation.md). They use the peaked tiny model, whose keywords decide the label
(``tests.tiny_model.PEAKED_WORDS``), so a wrong label, threshold or weight shows."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from model.inference import ModelNotFound, StanceClassifier, _check_model_source, log_odds, quantize_int8, set_threads
from model.labels import LABELS, UNCLEAR
from tests.tiny_model import spy_batch_sizes

BAL, PRO, SKEP = LABELS


@pytest.fixture(scope="module")
def clf(peaked_classifier_dir):
    return StanceClassifier(peaked_classifier_dir)


# --- finding and loading the model -----------------------------------------------------------


@pytest.mark.parametrize("source", ["./none", "/none", "~/none", "./runs/none", "nothing", "a/b/c"])
def test_a_missing_folder_is_not_taken_for_a_hub_id(source):
    """Only ``owner/name`` can be a hub id; anything path-like that does not exist is
    reported as missing, with the command that trains a model."""
    with pytest.raises(ModelNotFound) as e:
        _check_model_source(source)
    assert str(e.value) == (f"No model at '{source}'. Create the default one with: python -m training.train "
                            "(it writes runs/c5-stance/model), or pass --model with a folder or a hub id.")


def test_hub_ids_and_folders_are_passed_on(tmp_path, peaked_classifier_dir):
    assert _check_model_source("someone/c5-stance") == "someone/c5-stance"
    assert _check_model_source(peaked_classifier_dir) == str(peaked_classifier_dir)
    with pytest.raises(ModelNotFound, match=f"^{tmp_path} exists but holds no model"):
        _check_model_source(tmp_path)


def test_only_safetensors_weights_are_loaded(tmp_path, peaked_classifier_dir):
    """A folder with pickled weights only (pytorch_model.bin) is refused, never unpickled."""
    import shutil

    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(peaked_classifier_dir, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelNotFound) as e:
        StanceClassifier(folder)
    assert str(e.value).startswith(f"Cannot load model '{folder}': ")
    assert str(e.value).endswith(". Train one with: python -m training.train")


def test_loaded_classifier_describes_itself(peaked_classifier_dir, clf):
    assert clf.source == str(peaked_classifier_dir) and clf.fast is False
    assert clf.backend == "torch-fp32" and next(clf.model.parameters()).dtype == torch.float32
    assert clf.labels == list(LABELS)
    assert clf.max_length == 64  # the tiny model's 64 positions cap the default window


def test_bf16_path_where_the_cpu_has_it(peaked_classifier_dir, clf, monkeypatch):
    monkeypatch.setattr("model.inference.cpu_has_native_bf16", lambda: True)
    fast = StanceClassifier(peaked_classifier_dir, fast=True)
    assert fast.fast is True and fast.backend == "torch-bf16"
    assert next(fast.model.parameters()).dtype == torch.bfloat16
    assert fast.predict("Инвестиции и коридор.").label == PRO


def test_window_length_can_be_chosen(peaked_classifier_dir, clf):
    text = " ".join(["мы"] * 150)
    short = StanceClassifier(peaked_classifier_dir, max_length=48)
    assert short.max_length == 48
    assert short.predict(text).chunks > clf.predict(text).chunks > 1
    assert StanceClassifier(peaked_classifier_dir, max_length=1000).max_length == 64  # never past the model


def test_a_config_without_positions_gets_a_512_token_cap(peaked_classifier_dir, monkeypatch):
    """Not every architecture's config names its maximum length (GPT-2's says n_positions):
    then 512 is assumed. BertConfig always answers, so the loaded config is wrapped."""
    from transformers import AutoModelForSequenceClassification

    class WithoutPositions:
        def __init__(self, config):
            self._config = config

        def __getattr__(self, name):
            if name == "max_position_embeddings":
                raise AttributeError(name)
            return getattr(self._config, name)

    real = AutoModelForSequenceClassification.from_pretrained

    def load(*args, **kwargs):
        model = real(*args, **kwargs)
        model.config = WithoutPositions(model.config)
        return model

    monkeypatch.setattr(AutoModelForSequenceClassification, "from_pretrained", load)
    assert not hasattr(StanceClassifier(peaked_classifier_dir).model.config, "max_position_embeddings")
    assert StanceClassifier(peaked_classifier_dir).max_length == 256
    assert StanceClassifier(peaked_classifier_dir, max_length=400).max_length == 400


# --- probabilities ---------------------------------------------------------------------------


def test_progress_is_reported_after_every_batch(clf):
    calls = []
    texts = ["Да.", "Инвестиции.", "Риск и долг.", "Нейтралитет и баланс.", "Выгода ясна, коридор открыт."]
    probs, chunks = clf.probabilities(texts, batch_size=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert probs.shape == (5, 3) and chunks == [1] * 5
    empty, no_chunks = clf.probabilities([])
    assert empty.shape == (0, 3) and no_chunks == []


# --- predict ---------------------------------------------------------------------------------


def test_score_is_the_top_probability(clf):
    for text in ("Нейтралитет и баланс.", "Инвестиции.", "Саммит состоялся в среду."):
        pred = clf.predict(text)
        assert pred.score == max(pred.probabilities.values()) == pred.probabilities[pred.label], text
        assert isinstance(pred.score, float)


def test_min_confidence_is_inclusive_and_keeps_the_probabilities(clf):
    """A text whose top probability equals the minimum keeps its label; just above it, the
    label is ``unclear`` and the probabilities are still reported."""
    text = "Саммит состоялся в среду."
    plain = clf.predict(text)
    assert plain.label != UNCLEAR and plain.score < 0.99
    assert clf.predict(text, min_confidence=plain.score).label == plain.label
    above = clf.predict(text, min_confidence=float(np.nextafter(np.float32(plain.score), np.float32(1))))
    assert above.label == UNCLEAR
    assert above.score == plain.score and above.probabilities == plain.probabilities
    # In a list, each text is judged on its own probability.
    sure, unsure = clf.predict(["Прорыва не будет, только риск и долг.", text], min_confidence=0.9)
    assert sure.label == SKEP and sure.score > 0.9 and unsure.label == UNCLEAR


def test_predict_passes_the_batch_size_on(clf, monkeypatch):
    seen = spy_batch_sizes(clf, monkeypatch)
    assert len(clf.predict(["Да.", "Инвестиции.", "Риск."], batch_size=2)) == 3
    assert seen == [2]


# --- explain ---------------------------------------------------------------------------------


def test_explanation_stops_after_max_words(clf, monkeypatch):
    """Only the first ``max_words`` words are occluded (default 120): later words weigh 0.
    The model is stubbed (every text gets the same probabilities), so that 121 words cost
    nothing: what is checked is which variants are scored."""
    scored: list[list[str]] = []

    def stub(texts, batch_size=32, progress=None):
        scored.append(list(texts))
        return np.tile(np.array([0.6, 0.3, 0.1], dtype=np.float32), (len(texts), 1)), [1] * len(texts)

    monkeypatch.setattr(clf, "probabilities", stub)
    words = [f"w{i}" for i in range(121)]
    text = " ".join(words)
    _, pairs = clf.explain(text)
    occluded = scored[-1]
    assert len(occluded) == 120
    assert occluded[0] == text.replace("w0 ", " ", 1) and occluded[-1] == text.replace("w119 ", " ")
    assert all(w == 0.0 for _, w in pairs)  # the stub's probabilities never move
    clf.explain(text, max_words=121)
    assert len(scored[-1]) == 121 and scored[-1][-1] == text[: -len(" w120")] + " "


def test_explanation_weights_only_the_first_max_words(clf):
    _, pairs = clf.explain("Нейтралитет, баланс и риск.", max_words=2)
    weights = dict(pairs)
    assert weights["Нейтралитет"] != 0 and weights["баланс"] != 0 and weights["риск"] == 0


def test_explanation_of_a_text_without_words(clf):
    pred, pairs = clf.explain("— ?!")
    assert "".join(t for t, _ in pairs) == "— ?!"
    assert all(w == 0 for _, w in pairs)
    assert pred.label in LABELS


def test_explanation_weights_are_rounded_to_four_decimals(clf):
    _, pairs = clf.explain("Нейтралитет — наш курс, но риск есть, и долг растёт, а выгода неясна.")
    weights = [w for t, w in pairs if t[0].isalnum()]
    assert all(w == round(w, 4) for w in weights)
    assert any(round(w, 3) != w for w in weights)  # four decimals kept, not fewer


# --- log_odds --------------------------------------------------------------------------------


def test_log_odds_values_and_clipping():
    eps = 1e-6
    edge = math.log((1 - eps) / eps)
    got = log_odds(np.array([0.0, 0.5, 0.8, 1.0]))
    assert got == pytest.approx([-edge, 0.0, math.log(4.0), edge], rel=1e-9, abs=1e-12)
    assert np.isfinite(got).all()
    assert log_odds(np.array([1.0]), eps=0.01)[0] == pytest.approx(math.log(99), rel=1e-9)


def test_log_odds_works_in_float64_even_for_float32_input():
    """Near 1 a float32 probability cannot hold 1 - 1e-6 exactly: the log-odds of a sure
    prediction must not depend on the input's precision."""
    p = np.array([1.0, 0.999999], dtype=np.float32)
    got = log_odds(p)
    assert got.dtype == np.float64
    assert got[0] == pytest.approx(math.log((1 - 1e-6) / 1e-6), rel=1e-9)  # float32: 13.8023, not 13.8155


# --- fast paths and threads ------------------------------------------------------------------


@pytest.fixture
def restore_qengine():
    engine = torch.backends.quantized.engine
    yield
    torch.backends.quantized.engine = engine


def test_int8_quantizes_linear_layers_only(restore_qengine):
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LSTM(4, 4), torch.nn.LayerNorm(4))
    q = quantize_int8(model)
    assert type(q[0]).__module__.startswith("torch.ao.nn.quantized.dynamic")
    assert q[0].weight().dtype == torch.qint8
    assert type(q[1]) is torch.nn.LSTM and type(q[2]) is torch.nn.LayerNorm


def test_int8_picks_x86_where_available_else_qnnpack(restore_qengine, monkeypatch):
    supported = torch.backends.quantized.supported_engines
    if "x86" not in supported or "qnnpack" not in supported:
        pytest.skip("needs a torch build with both the x86 and qnnpack engines")
    quantize_int8(torch.nn.Sequential(torch.nn.Linear(4, 4)))
    assert torch.backends.quantized.engine == "x86"
    monkeypatch.setattr(type(torch.backends.quantized), "supported_engines", ["qnnpack", "none"])
    q = quantize_int8(torch.nn.Sequential(torch.nn.Linear(4, 4)))
    assert torch.backends.quantized.engine == "qnnpack"
    assert q(torch.ones(1, 4)).shape == (1, 4)


@pytest.fixture
def restore_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def test_set_threads(restore_threads, monkeypatch):
    set_threads(1)
    assert torch.get_num_threads() == 1
    monkeypatch.setattr("model.inference.os.cpu_count", lambda: 3)
    set_threads()
    assert torch.get_num_threads() == 3
    set_threads(2)
    assert torch.get_num_threads() == 2
    monkeypatch.setattr("model.inference.os.cpu_count", lambda: None)
    set_threads()
    assert torch.get_num_threads() == 1
