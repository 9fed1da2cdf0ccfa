"""Publish a trained model folder (with its card) to the Hugging Face hub.

    python -m training.publish runs/c5-stance/model your-name/c5-stance [--private]

Before anything is sent, the folder is checked the way a hub user will use it: it
must load with ``AutoTokenizer``, ``AutoModelForSequenceClassification`` and
``pipeline("text-classification")``, have safetensors weights, our three labels, and
a card with hub metadata. ``--dry-run`` stops after the checks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from model.labels import LABELS

REQUIRED_CARD_KEYS = ("language", "license", "base_model", "pipeline_tag", "metrics", "model-index")


class PublishError(RuntimeError):
    """The folder is not ready to publish, or the upload failed."""


def read_card_metadata(folder: Path) -> dict:
    """The YAML front matter of ``folder/README.md``."""
    card = Path(folder) / "README.md"
    if not card.exists():
        raise PublishError(f"{card} is missing: train with python -m training.train, which writes the card")
    text = card.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise PublishError(f"{card} has no YAML front matter")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


def check_folder(folder: Path) -> dict:
    """Load the folder as a hub user would; return the card metadata."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    folder = Path(folder)
    if not (folder / "model.safetensors").exists():
        raise PublishError(f"{folder}: no model.safetensors (only safetensors weights are published)")
    meta = read_card_metadata(folder)
    missing = [k for k in REQUIRED_CARD_KEYS if k not in meta]
    if missing:
        raise PublishError(f"model card metadata lacks {missing}")
    model = AutoModelForSequenceClassification.from_pretrained(folder, use_safetensors=True)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    if labels != list(LABELS):
        raise PublishError(f"config id2label is {labels}, expected {list(LABELS)}")
    clf = pipeline("text-classification", model=model, tokenizer=AutoTokenizer.from_pretrained(folder), top_k=None)
    out = clf(["Проверка перед публикацией: партнёрство с соседями."])[0]
    if sorted(d["label"] for d in out) != sorted(LABELS):
        raise PublishError(f"pipeline returned {out}")
    return meta


def publish(folder: Path, repo_id: str, private: bool = False, token: str | None = None,
            dry_run: bool = False) -> str:
    """Check the folder, then upload it to ``repo_id``; return the repo URL."""
    check_folder(folder)
    if dry_run:
        return f"dry run: {folder} is ready to publish as {repo_id}"
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="model",
                          commit_message="Upload c5-stance model", ignore_patterns=[".*", "*.tmp-*"])
    except Exception as err:  # network, auth and offline-mode errors share no base class
        raise PublishError(
            f"upload to {repo_id} failed: {err}. Log in with `hf auth login` (or pass --token), "
            "check the network, and unset HF_HUB_OFFLINE."
        ) from err
    return f"https://huggingface.co/{repo_id}"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("repo_id", help="e.g. your-name/c5-stance")
    ap.add_argument("--private", action="store_true")
    ap.add_argument("--token", default=None)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args(argv)
    try:
        print(publish(a.folder, a.repo_id, a.private, a.token, a.dry_run))
    except (PublishError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
