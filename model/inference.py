"""Prediction with a fine-tuned stance model: batches, long texts, explanations.

Long statements are not cut silently: a text longer than the model's window is split
into overlapping windows (the tokenizer's own overflow mechanism) and the window
probabilities are averaged, weighted by their token counts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from model.hardware import cpu_has_native_bf16
from model.labels import UNCLEAR

DEFAULT_MODEL_DIR = Path("runs/c5-stance/model")
TRAIN_COMMAND = "python -m training.train"


class ModelNotFound(FileNotFoundError):
    """The model folder or hub id cannot be loaded; the message says how to get one."""


@dataclass
class Prediction:
    """One statement's result: the top label and every label's probability."""

    label: str
    score: float
    probabilities: dict[str, float]
    chunks: int = 1


def _check_model_source(model: str | Path) -> str:
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelNotFound(f"{path} exists but holds no model (no config.json). Train one with: {TRAIN_COMMAND}")
        return str(path)
    if str(model).startswith((".", "/", "~")) or str(model).count("/") != 1:
        raise ModelNotFound(
            f"No model at '{model}'. Create the default one with: {TRAIN_COMMAND} "
            f"(it writes {DEFAULT_MODEL_DIR}), or pass --model with a folder or a hub id."
        )
    return str(model)


class StanceClassifier:
    """A fine-tuned model plus tokenizer, loaded from a folder or the hub.

    ``fast=True`` picks the fastest CPU path measured on this project's machines: bf16
    weights where the CPU has native bf16 (AMX / AVX512-BF16: 3.3x fp32, same
    predictions on our test split), otherwise int8 dynamic quantization of the linear
    layers. ``benchmarks/inference.py`` measures speed and macro-F1 of both paths.
    """

    def __init__(self, model: str | Path = DEFAULT_MODEL_DIR, fast: bool = False, max_length: int | None = None,
                 stride: int = 32):
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        source = _check_model_source(model)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source)
            self.model = AutoModelForSequenceClassification.from_pretrained(source, use_safetensors=True).eval()
        except OSError as err:
            raise ModelNotFound(f"Cannot load model '{model}': {err}. Train one with: {TRAIN_COMMAND}") from err
        self.backend = "torch-fp32"
        if fast and cpu_has_native_bf16():
            self.model = self.model.to(torch.bfloat16)
            self.backend = "torch-bf16"
        elif fast:
            self.model = quantize_int8(self.model)
            self.backend = "torch-int8-dynamic"
        self.source = source
        self.fast = fast
        self.labels = [self.model.config.id2label[i] for i in range(self.model.config.num_labels)]
        model_max = getattr(self.model.config, "max_position_embeddings", 512)
        self.max_length = min(max_length or 256, model_max)
        self.stride = stride

    @torch.inference_mode()
    def probabilities(self, texts: list[str], batch_size: int = 32, progress=None) -> tuple[np.ndarray, list[int]]:
        """Class probabilities ``[len(texts), num_labels]`` and the number of windows
        used for each text. Texts are processed shortest first, to pad little."""
        n = len(texts)
        probs = np.zeros((n, len(self.labels)), dtype=np.float32)
        weights = np.zeros(n, dtype=np.float32)
        chunks = [0] * n
        order = sorted(range(n), key=lambda i: len(texts[i]))
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            enc = self.tokenizer(
                [texts[i] for i in idx], truncation=True, max_length=self.max_length, stride=self.stride,
                return_overflowing_tokens=True, padding=True, return_tensors="pt",
            )
            owner = enc.pop("overflow_to_sample_mapping").tolist()
            logits = self.model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}).logits
            p = torch.softmax(logits.float(), dim=-1).numpy()
            lengths = enc["attention_mask"].sum(dim=1).numpy().astype(np.float32)
            for row, o in enumerate(owner):
                i = idx[o]
                probs[i] += p[row] * lengths[row]
                weights[i] += lengths[row]
                chunks[i] += 1
            if progress is not None:
                progress(min(start + batch_size, n), n)
        return probs / np.maximum(weights, 1e-9)[:, None], chunks

    def predict(self, texts: list[str] | str, batch_size: int = 32,
                min_confidence: float = 0.0) -> list[Prediction] | Prediction:
        """Predict one text (returns one :class:`Prediction`) or a list of texts.

        With ``min_confidence`` a text whose top probability is below it gets the label
        ``unclear`` (its probabilities are kept): better no stance than a forced one."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        probs, chunks = self.probabilities(items, batch_size)
        out = []
        for p, c in zip(probs, chunks):
            k = int(np.argmax(p))
            label = self.labels[k] if p[k] >= min_confidence else UNCLEAR
            out.append(Prediction(label, float(p[k]), {lab: float(v) for lab, v in zip(self.labels, p)}, c))
        return out[0] if single else out

    def explain(self, text: str, max_words: int = 120) -> tuple[Prediction, list[tuple[str, float]]]:
        """Word occlusion in log-odds: how much the log-odds of the predicted label,
        ``log(p / (1 - p))``, fall when each word is removed. Positive weights pushed toward
        the prediction, negative ones away from it; +1.0 means the word multiplies the odds of
        the prediction by e (2.7). Log-odds, not probability, so that a word still shows its
        weight when the model is sure (at p = 0.994 a probability moves by thousandths).
        Returns the prediction and ``(token, weight)`` pairs covering the whole text (spaces
        included, weight 0), ready for ``gr.HighlightedText``."""
        pred = self.predict(text)
        parts = re.findall(r"\w[\w\-’']*|\s+|[^\w\s]", text)
        words = [i for i, p in enumerate(parts) if re.match(r"\w", p)][:max_words]
        variants = ["".join(p for j, p in enumerate(parts) if j != i) for i in words]
        k = self.labels.index(pred.label)
        base = log_odds(np.array([pred.probabilities[pred.label]]))[0]
        occluded = log_odds(self.probabilities(variants)[0][:, k]) if variants else np.zeros(0)
        weight = {i: float(base - q) for i, q in zip(words, occluded)}
        return pred, [(p, round(weight.get(i, 0.0), 4)) for i, p in enumerate(parts)]


def log_odds(p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``log(p / (1 - p))``, clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.log(p) - np.log1p(-p)


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """int8 dynamic quantization of every ``nn.Linear`` (weights int8, activations
    quantized on the fly). CPU only; the embeddings and layer norms stay fp32."""
    torch.backends.quantized.engine = "x86" if "x86" in torch.backends.quantized.supported_engines else "qnnpack"
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def set_threads(n: int | None = None) -> None:
    """Use ``n`` CPU threads (default: all cores) for inference."""
    torch.set_num_threads(n or os.cpu_count() or 1)
