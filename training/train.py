"""Fine-tune a BERT encoder on stance data with ``Trainer``.

    python -m training.train                       # embedded encoder, bundled corpus
    python -m training.train --base_model cointegrated/rubert-tiny2 --data my.csv
    python -m training.train --resume              # continue a killed run
    torchrun --nproc_per_node 2 -m training.train --ddp_backend gloo   # distributed

The run folder (``--output_dir``) gets ``checkpoints/``, ``run_config.yaml`` and, at
the end, ``model/``: the final model with tokenizer, metrics, figures and model card,
written atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

from data.corpus import load_stance_dataset
from data.validation import DataValidationError
from model.base_model import BaseModelUnavailable, resolve_base_model
from model.labels import ID2LABEL, LABEL2ID, LABELS
from training.config import ConfigError, DataConfig, ModelConfig, parse_config, write_config


def tokenize_dataset(ds, tokenizer, max_length: int):
    """Tokenize every split (truncating to ``max_length``) and count truncated rows."""

    def encode(batch):
        enc = tokenizer(batch["text"], truncation=True, max_length=max_length)
        full = tokenizer(batch["text"], truncation=False)["input_ids"]
        enc["truncated"] = [len(ids) > max_length for ids in full]
        return enc

    keep = {"input_ids", "attention_mask", "token_type_ids", "label"}
    out = ds.map(encode, batched=True, desc="Tokenizing")
    truncated = {split: int(sum(out[split]["truncated"])) for split in out}
    out = out.remove_columns([c for c in out["train"].column_names if c not in keep])
    return out, truncated


def class_weighted_loss(train_labels: list[int]):
    """A ``compute_loss_func`` for ``Trainer`` with inverse-frequency class weights."""
    counts = np.bincount(train_labels, minlength=len(LABELS)).astype(np.float32)
    weights = torch.tensor(counts.sum() / (len(LABELS) * np.maximum(counts, 1)))

    def loss(outputs, labels, num_items_in_batch=None):
        return torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weights.to(outputs.logits.device))

    return loss


def score_final_model(folder: Path, ds) -> dict:
    """The saved model scored as ``evaluate_model`` scores it (chunked, fp32), on the whole
    validation and test splits and, where the real development set exists, on real press."""
    from data.real_press import DEFAULT_REAL_DEV
    from model.inference import StanceClassifier
    from training.evaluate_model import real_press_metrics, score_rows

    clf = StanceClassifier(folder)
    metrics = {split: score_rows(clf, ds[split]["text"], ds[split]["label"], desc=f"Scoring {split}")[0]
               for split in ("validation", "test")}
    if DEFAULT_REAL_DEV.is_file():
        metrics["real_press"] = real_press_metrics(clf, DEFAULT_REAL_DEV)
    return metrics


def latest_complete_checkpoint(folder: Path) -> Path:
    """The newest checkpoint whose files are whole. A run killed during a save leaves the newest
    checkpoint cut short; resuming from the one before loses an epoch, not the run."""
    from safetensors import safe_open

    checkpoints = sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    if not checkpoints:
        raise ConfigError(f"--resume: no checkpoint in {folder}; start the run without --resume")
    for ckpt in reversed(checkpoints):
        try:
            json.loads((ckpt / "trainer_state.json").read_text(encoding="utf-8"))
            weights = list(ckpt.glob("*.safetensors"))
            if not weights:
                raise OSError("no weights")
            for file in weights:
                with safe_open(str(file), framework="pt") as f:
                    for key in f.keys():
                        f.get_slice(key)
            return ckpt
        except Exception as err:  # any unreadable piece makes the checkpoint unusable
            print(f"note: skipping incomplete checkpoint {ckpt} ({type(err).__name__}: {err})")
    raise ConfigError(f"--resume: every checkpoint in {folder} is incomplete; start the run without --resume")


def select_rounds(ds, rounds: str):
    """Keep only the given writing rounds in the train and validation splits.

    Why not test too: the test split stays the same whatever the recipe, so figures of
    different recipes on it can be compared."""
    from datasets import DatasetDict

    wanted = {r.strip() for r in rounds.split(",") if r.strip()}
    if "round" not in ds["train"].column_names:
        # The bundled recipe names rounds of the bundled corpus; a user's own file has none.
        print(f"note: --train_rounds {rounds!r} ignored: this dataset has no 'round' column")
        return DatasetDict(ds)
    present = set(ds["train"]["round"])
    if unknown := sorted(wanted - present):
        raise ConfigError(f"--train_rounds: no round(s) {unknown} in the data; rounds present: {sorted(present)}")
    out = DatasetDict(ds)
    for split in ("train", "validation"):
        out[split] = ds[split].filter(lambda r: r["round"] in wanted, desc=f"Rounds {sorted(wanted)} ({split})")
    return out


def load_model_and_tokenizer(base: str):
    """Base encoder with a fresh 3-way head, our label names in its config."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True,
    )
    return model, tokenizer


def freeze_lower_layers(model, fraction: float) -> int:
    """Freeze the embeddings and the lowest ``fraction`` of the encoder layers; returns how many layers.

    The lower layers of a pretrained encoder change least in fine-tuning, and skipping their
    backward pass buys epochs on a CPU. A fraction, not a count, so one recipe suits a 3-layer
    and a 12-layer base alike; the top layer always trains."""
    if not fraction:
        return 0
    encoder = getattr(model.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    embeddings = getattr(model.base_model, "embeddings", None)
    if layers is None or embeddings is None:
        raise ConfigError(f"--freeze_fraction: {type(model).__name__} has no embeddings/encoder.layer to freeze; use 0")
    n = min(round(fraction * len(layers)), len(layers) - 1)
    for module in (embeddings, *layers[:n]):
        module.requires_grad_(False)
    return n


def train(model_cfg: ModelConfig, data_cfg: DataConfig, args) -> Path:
    """Run one fine-tuning job and return the final model folder."""
    from datasets import DatasetDict
    from transformers import DataCollatorWithPadding, EarlyStoppingCallback, Trainer, set_seed

    from training.artifacts import atomic_folder
    from training.metrics import trainer_metrics
    from training.report import write_run_outputs

    run_dir = Path(args.output_dir)
    args.output_dir = str(run_dir / "checkpoints")
    set_seed(args.seed)
    base = resolve_base_model(model_cfg.base_model)
    ds, data_report = load_stance_dataset(
        data_cfg.data, data_cfg.text_column, data_cfg.label_column, data_cfg.label_map,
        drop_invalid=data_cfg.drop_invalid, seed=args.seed, return_report=True,
    )
    # What training sees; ``ds`` stays whole, so the final scores are those evaluate_model gives.
    train_ds = select_rounds(ds, data_cfg.train_rounds) if data_cfg.train_rounds else DatasetDict(ds)
    if data_cfg.max_train_samples:
        n = min(data_cfg.max_train_samples, len(train_ds["train"]))
        train_ds["train"] = train_ds["train"].shuffle(seed=args.seed).select(range(n))
    model, tokenizer = load_model_and_tokenizer(base)
    frozen = freeze_lower_layers(model, model_cfg.freeze_fraction)
    encoded, truncated = tokenize_dataset(DatasetDict({s: train_ds[s] for s in ("train", "validation")}), tokenizer,
                                          model_cfg.max_length)
    if args.process_index == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_config(run_dir / "run_config.yaml", model_cfg, data_cfg, args, output_dir=run_dir)
        print(f"data: {', '.join(f'{s}={len(train_ds[s])}' for s in train_ds)}; {data_report}")
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        print(f"model: {base}, {trainable / 1e6:.1f}M trainable parameters"
              + (f" (embeddings and lowest {frozen} encoder layers frozen)" if frozen else ""))
        if any(truncated.values()):
            print(f"note: statements longer than {model_cfg.max_length} tokens were truncated for training: {truncated}")

    callbacks = []
    if model_cfg.early_stopping_patience and args.load_best_model_at_end:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=model_cfg.early_stopping_patience))
    trainer = Trainer(
        model=model, args=args, train_dataset=encoded["train"], eval_dataset=encoded["validation"],
        processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=trainer_metrics, callbacks=callbacks,
        compute_loss_func=class_weighted_loss(train_ds["train"]["label"]) if model_cfg.class_weighted_loss else None,
    )
    resume = None
    if data_cfg.resume:
        resume = str(latest_complete_checkpoint(Path(args.output_dir)))
        print(f"resuming from {resume}")
    start = time.perf_counter()
    trainer.train(resume_from_checkpoint=resume)
    train_seconds = time.perf_counter() - start
    final = run_dir / "model"
    if trainer.is_world_process_zero():
        with atomic_folder(final) as tmp:
            trainer.save_model(str(tmp))
            tokenizer.save_pretrained(tmp)
            # A pickle has no place in a folder people download; run_config.yaml repeats the run.
            (tmp / "training_args.bin").unlink(missing_ok=True)
            shutil.copy(run_dir / "run_config.yaml", tmp / "run_config.yaml")
            calibration = None
            if data_cfg.calibration_data != "none":
                from training.calibrate import calibrate_folder

                calibration = calibrate_folder(tmp, data_cfg.calibration_data, ds["validation"])
                print(f"calibration: temperature {calibration['temperature']} fitted on {calibration['fitted_on']} "
                      f"(ECE {calibration['ece_before']:.3f} → {calibration['ece_after']:.3f})")
            metrics = score_final_model(tmp, ds)
            write_run_outputs(
                tmp, metrics=metrics, datasets=train_ds, log_history=trainer.state.log_history,
                model_cfg=model_cfg, data_cfg=data_cfg, args=args, train_seconds=train_seconds,
                world_size=args.world_size, truncated=truncated, calibration=calibration,
            )
        print(f"model saved to {final}")
        from training.evaluate_model import format_metrics

        for split in ("validation", "test"):
            print(format_metrics({**metrics[split], "split": split}))
        if "real_press" in metrics:
            m = metrics["real_press"]
            print("real press (" + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in m.items()) + " macro-F1; "
                  f"ECE on check {m.get('check', m['all'])['calibration']['ece']:.3f})")
    return final


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        model_cfg, data_cfg, args = parse_config(argv)
        train(model_cfg, data_cfg, args)
    except (ConfigError, DataValidationError, BaseModelUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
