"""Fixtures for the demo tests: one tiny model and one running demo per session, offline."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import socket  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.tiny_model import make_tiny_model  # noqa: E402

# Small limits so the limit paths are cheap to exercise.
MAX_CHARS = 300
MAX_ROWS = 20
ARTIFACTS = Path(__file__).resolve().parent.parent / "_artifacts"


@dataclass
class RunningDemo:
    """A launched demo and what the tests need to reach it."""

    url: str
    demo: object
    classifier: object
    max_chars: int
    max_rows: int


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random classifier with the project's labels (seconds to build, no download).

    BERT's initialisation (std 0.02) makes a random model answer ~1/3 for everything, so no
    word would ever matter; wider random weights give distinct probabilities and non-zero
    occlusion weights, which the explanation tests and the screenshot need."""
    import torch
    from transformers import AutoModelForSequenceClassification

    folder = make_tiny_model(tmp_path_factory.mktemp("demo-tiny-model"))
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() == 2:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def running_demo(demo_model_dir: Path) -> Iterator[RunningDemo]:
    """The demo on 127.0.0.1 at a free port, for the whole session; closed at the end."""
    from demo.app import build_demo, describe_model
    from model.inference import StanceClassifier

    classifier = StanceClassifier(demo_model_dir)
    demo = build_demo(classifier, describe_model(classifier.source), max_chars=MAX_CHARS, max_rows=MAX_ROWS)
    port = free_port()
    # ssr_mode=False: with SSR a Node process would outlive close().
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, share=False, quiet=True,
                ssr_mode=False)
    try:
        yield RunningDemo(f"http://127.0.0.1:{port}/", demo, classifier, MAX_CHARS, MAX_ROWS)
    finally:
        demo.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """tests/_artifacts (git-ignored): screenshots for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
