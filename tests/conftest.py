"""Offline by construction: these must be set before huggingface_hub, transformers or
gradio are imported anywhere."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from tests.tiny_model import make_tiny_model  # noqa: E402


@pytest.fixture(scope="session")
def tiny_classifier_dir(tmp_path_factory):
    """A tiny random BERT classifier with our labels, saved once per session."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-classifier"))


@pytest.fixture(scope="session")
def peaked_classifier_dir(tmp_path_factory):
    """A tiny hand-wired classifier whose answers differ clearly from text to text and are
    driven by keywords (``tests.tiny_model.PEAKED_WORDS``): for tests of alignment, order,
    direction and agreement, which a near-uniform random model cannot fail."""
    return make_tiny_model(tmp_path_factory.mktemp("peaked-classifier"), peaked=True)


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory):
    """A tiny random bare BERT encoder (no head), to fine-tune in tests."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-encoder"), classifier=False)


@pytest.fixture(scope="session")
def embedded_encoder_dir():
    """The real converted encoder (built once; cached in $C5_STANCE_CACHE)."""
    from model.base_model import ensure_embedded_encoder

    return ensure_embedded_encoder(quiet=True)
