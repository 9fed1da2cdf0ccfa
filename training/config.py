"""Run configuration, declared once: our two dataclasses plus ``TrainingArguments``,
filled from a YAML recipe and then from command-line overrides, checked, and written
into the run folder so the run can be repeated exactly."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from transformers import HfArgumentParser, TrainingArguments

from model.hardware import cpu_has_native_bf16

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"
DEFAULT_RECIPE = RECIPES_DIR / "default.yaml"


class ConfigError(ValueError):
    """A configuration value that cannot work, with the flag that sets it."""


@dataclass
class ModelConfig:
    """Which encoder to fine-tune and how inputs are cut."""

    base_model: str = field(default="embedded", metadata={"help": "'embedded' (offline default), a hub id or a local folder."})
    max_length: int = field(default=160, metadata={"help": "Tokens per statement in training (longer ones are truncated; prediction chunks them)."})
    class_weighted_loss: bool = field(default=False, metadata={"help": "Weight the loss by inverse label frequency."})
    early_stopping_patience: int = field(default=2, metadata={"help": "Epochs without validation macro-F1 gain before stopping (0: off)."})
    freeze_fraction: float = field(default=0.0, metadata={"help": "Freeze the embeddings and this share of the encoder layers, lowest first (0.33 of 12 layers: 4; saves their backward pass; 0 trains all)."})
    cpu_bf16: str = field(default="auto", metadata={"help": "bf16 mixed precision on a CPU-only machine: 'auto' (on when the CPU has native bf16, e.g. AMX), 'true', 'false'."})


@dataclass
class DataConfig:
    """Where the statements come from and how their columns map to ours."""

    data: str = field(default="bundled", metadata={"help": "'bundled', a CSV/JSONL/Parquet file or folder, or a hub dataset id."})
    text_column: str = field(default="text", metadata={"help": "Column holding the statement."})
    label_column: str = field(default="label", metadata={"help": "Column holding the label."})
    label_map: str = field(default="", metadata={"help": "Rename labels: 'theirs=ours,...'."})
    drop_invalid: bool = field(default=False, metadata={"help": "Drop (and report) bad rows instead of failing."})
    train_rounds: str = field(default="", metadata={"help": "Comma list of writing rounds (the 'round' column, e.g. 'press,panel') to train and pick the best epoch on; the test split stays whole. Empty: every round."})
    max_train_samples: int | None = field(default=None, metadata={"help": "Use only this many training rows (smoke runs)."})
    resume: bool = field(default=False, metadata={"help": "Continue from the last checkpoint in the run folder."})
    calibration_data: str = field(default="auto", metadata={"help": "Where the temperature folded into the final model is fitted: 'auto' (the tune half of ../shared/real-dev/ where it exists, else 'validation'), 'validation', a real-press JSONL file, or 'none'."})


def _recipe_to_argv(recipe: dict) -> list[str]:
    argv = []
    for key, value in recipe.items():
        if value is None:
            continue
        if isinstance(value, list):
            # run_config.yaml writes report_to: [] for "no integrations"; the flag needs a value
            argv += [f"--{key}", *(map(str, value) if value else ["none"])]
        else:
            argv += [f"--{key}", str(value)]
    return argv


def parse_config(argv: list[str] | None = None) -> tuple[ModelConfig, DataConfig, TrainingArguments]:
    """Parse ``--recipe FILE`` (default: the bundled recipe), then the other flags,
    which override the recipe. Raises :class:`ConfigError` for values that cannot work."""
    argv = list(sys.argv[1:] if argv is None else argv)
    recipe_path = DEFAULT_RECIPE
    if "--recipe" in argv:
        i = argv.index("--recipe")
        if i + 1 >= len(argv):
            raise ConfigError("--recipe needs a YAML file")
        recipe_path = Path(argv[i + 1])
        del argv[i : i + 2]
    if not recipe_path.exists():
        raise ConfigError(f"recipe {recipe_path} not found (bundled recipes: {sorted(p.name for p in RECIPES_DIR.glob('*.yaml'))})")
    try:
        recipe = yaml.safe_load(recipe_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"recipe {recipe_path} is not valid YAML: {err}") from None
    if not isinstance(recipe, dict):
        raise ConfigError(f"recipe {recipe_path} must be a mapping of option: value")
    parser = HfArgumentParser((ModelConfig, DataConfig, TrainingArguments))
    known = {a.dest for a in parser._actions}
    unknown = sorted(set(recipe) - known)
    if unknown:
        raise ConfigError(f"recipe {recipe_path} has unknown option(s) {unknown}; run with --help for the list")
    full_argv = _recipe_to_argv(recipe) + argv
    try:
        model_cfg, data_cfg, train_args = parser.parse_args_into_dataclasses(args=full_argv)
        if model_cfg.cpu_bf16 not in ("auto", "true", "false"):
            raise ConfigError(f"--cpu_bf16 {model_cfg.cpu_bf16!r}: use auto, true or false")
        if _want_cpu_bf16(model_cfg.cpu_bf16) and not train_args.bf16:
            # bf16 autocast on the CPU needs use_cpu; the master weights stay fp32.
            model_cfg, data_cfg, train_args = parser.parse_args_into_dataclasses(
                args=full_argv + ["--bf16", "true", "--use_cpu", "true"])
    except ValueError as err:  # TrainingArguments.__post_init__ checks
        raise ConfigError(str(err)) from None
    check_config(model_cfg, data_cfg, train_args)
    return model_cfg, data_cfg, train_args


def _want_cpu_bf16(setting: str) -> bool:
    import torch

    if setting == "false" or torch.cuda.is_available():
        return False
    return setting == "true" or cpu_has_native_bf16()


def check_config(model_cfg: ModelConfig, data_cfg: DataConfig, args: TrainingArguments) -> None:
    """Reject values that would fail late or silently do nothing."""
    problems = []
    if not 8 <= model_cfg.max_length <= 512:
        problems.append(f"--max_length {model_cfg.max_length}: must be between 8 and 512 tokens")
    if not 0 <= model_cfg.freeze_fraction < 1:
        problems.append(f"--freeze_fraction {model_cfg.freeze_fraction}: must be at least 0 (train all) and below 1")
    if model_cfg.early_stopping_patience < 0:
        problems.append("--early_stopping_patience must be 0 (off) or more")
    if args.learning_rate <= 0 or args.learning_rate > 1e-2:
        problems.append(f"--learning_rate {args.learning_rate}: expected a small positive number such as 5e-5")
    if args.num_train_epochs <= 0 and args.max_steps <= 0:
        problems.append("--num_train_epochs must be positive (or set --max_steps)")
    if args.per_device_train_batch_size < 1 or args.per_device_eval_batch_size < 1:
        problems.append("batch sizes must be at least 1")
    if data_cfg.max_train_samples is not None and data_cfg.max_train_samples < 1:
        problems.append("--max_train_samples must be at least 1")
    if args.warmup_steps < 0:
        problems.append("--warmup_steps must be 0 or more (a value below 1 is a fraction of all steps)")
    if problems:
        raise ConfigError("bad configuration:\n  " + "\n  ".join(problems))


def write_config(path: Path, model_cfg: ModelConfig, data_cfg: DataConfig, args: TrainingArguments,
                 output_dir: str | Path | None = None) -> None:
    """Write the resolved configuration as a YAML recipe that repeats the run:
    ``python -m training.train --recipe <this file>``. ``output_dir`` replaces
    ``args.output_dir`` (the run folder, where training points Trainer at its checkpoints)."""
    keep = {k: v for k, v in args.to_dict().items() if k in RECIPE_TRAINING_KEYS}
    if output_dir is not None:
        keep["output_dir"] = str(output_dir)
    payload = {**asdict(model_cfg), **asdict(data_cfg), **keep}
    payload["resume"] = False
    path.write_text(yaml.safe_dump(payload, allow_unicode=True, sort_keys=False), encoding="utf-8")


# TrainingArguments fields that matter for repeating a run (the rest are defaults).
RECIPE_TRAINING_KEYS = (
    "output_dir", "seed", "learning_rate", "lr_scheduler_type", "weight_decay",
    "warmup_steps", "num_train_epochs", "max_steps", "per_device_train_batch_size", "per_device_eval_batch_size",
    "gradient_accumulation_steps", "eval_strategy", "save_strategy", "save_steps", "eval_steps",
    "save_total_limit", "load_best_model_at_end", "metric_for_best_model", "greater_is_better",
    "logging_steps", "train_sampling_strategy", "bf16", "use_cpu", "dataloader_num_workers", "report_to", "ddp_backend",
)
