"""The model card (``README.md`` with hub metadata), filled from a real run."""

from __future__ import annotations

from pathlib import Path

import yaml

from model.base_model import EMBEDDED, EMBEDDED_HUB_ID
from model.labels import DEFINITIONS, LABELS

BUNDLED_DATASET_ID = "c5-stance/expert-statements"


def write_model_card(folder: Path, metrics: dict, model_cfg, data_cfg, model_name: str = "c5-stance") -> str:
    """Write ``folder/README.md`` and return its text."""
    base = EMBEDDED_HUB_ID if model_cfg.base_model in ("", EMBEDDED) else model_cfg.base_model
    # A local file path means nothing on the hub: name it only by its file name.
    local = data_cfg.data not in ("", "bundled") and Path(data_cfg.data).exists()
    dataset = BUNDLED_DATASET_ID if data_cfg.data in ("", "bundled") else Path(data_cfg.data).name if local else data_cfg.data
    test, val, run = metrics["test"], metrics["validation"], metrics["run"]
    meta = {
        "language": ["ru"], "license": "mit", "library_name": "transformers",
        "pipeline_tag": "text-classification", "base_model": base, **({} if local else {"datasets": [dataset]}),
        "metrics": ["accuracy", "f1"], "tags": ["stance-detection", "central-asia", "bert"],
        "model-index": [{
            "name": model_name,
            "results": [{
                "task": {"type": "text-classification", "name": "Stance classification"},
                "dataset": {"type": dataset, "name": "c5-stance expert statements", "split": "test"},
                "metrics": [
                    {"type": "accuracy", "value": round(test["accuracy"], 4), "name": "Accuracy"},
                    {"type": "f1", "value": round(test["macro_f1"], 4), "name": "Macro F1", "args": {"average": "macro"}},
                ],
            }],
        }],
    }
    rows = "\n".join(
        f"| `{lab}` | {test['per_class'][lab]['precision']:.3f} | {test['per_class'][lab]['recall']:.3f} | "
        f"{test['per_class'][lab]['f1']:.3f} | {test['per_class'][lab]['support']} |" for lab in LABELS
    )
    defs = "\n".join(f"- `{lab}`: {DEFINITIONS[lab]}" for lab in LABELS)
    real = metrics.get("real_press")
    if real:
        focus = real.get("check", real["all"])
        real_text = (
            "Real published passages (the c5-stance real development set: passages quoted from Central Asian, Russian "
            "and international outlets, labelled blind by two annotators; not training data): "
            + ", ".join(f"{name} {m['macro_f1']:.3f} ({m['rows']})" for name, m in real.items())
            + f" macro-F1. On the `check` half, which no choice was made on: accuracy {focus['accuracy']:.3f}, "
            f"expected calibration error {focus['calibration']['ece']:.3f}.\n\n"
        )
    else:
        real_text = "Not measured on real published passages in this run (the real development set was absent).\n\n"
    temperature = metrics["run"].get("calibration") or {}
    calib_text = (f"Probabilities are calibrated: a temperature of {temperature['temperature']} fitted on "
                  f"{temperature['fitted_on']} is folded into the classifier weights, so plain `transformers` "
                  "returns the calibrated scores.\n\n" if temperature else "")
    body = f"""# {model_name}: stance of expert statements on foreign engagement (Russian)

Classifies a Russian-language expert statement about a country's foreign engagement
(typically Central Asia and its partners: the US, China, Russia, the EU, Turkey and
others) into one of three stances:

{defs}

Fine-tuned from `{base}` on {'the c5-stance corpus of authored expert statements' if dataset == BUNDLED_DATASET_ID else f'`{dataset}`'}
({run['train_rows']} training, {run['validation_rows']} validation, {run['test_rows']} test statements).

## Use

```python
from transformers import pipeline

clf = pipeline("text-classification", model="<this model id or folder>", top_k=None)
clf("Казахстан не будет выбирать между Москвой и Вашингтоном: нам нужны оба.")
```

No custom code is needed. Inputs longer than {model_cfg.max_length} tokens should be split into
chunks and their probabilities averaged (the c5-stance `predict` command does this).

## Results (this run)

{real_text}{calib_text}Authored test split: accuracy **{test['accuracy']:.3f}**, macro-F1 **{test['macro_f1']:.3f}**;
validation macro-F1 {val['macro_f1']:.3f}.

| label | precision | recall | F1 | support |
|---|---|---|---|---|
{rows}

Training: {run['epochs_run']:.1f} epochs, {run['train_seconds']:.0f} s on {run['world_size']} process(es), seed {run['seed']},
learning rate {run['learning_rate']}, max length {model_cfg.max_length}. The full configuration is in
`run_config.yaml` beside the run; figures: `confusion_matrix.png`, `learning_curve.png`.

## Limitations

The training statements were written for this project in the style of the press; the authored
test split comes from the same corpus and scores far higher than real press does (see above). A
statement with no stance still receives one of the three labels; with the c5-stance `predict`
command or demo, a minimum confidence reports such statements as `unclear`.
"""
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + body
    (Path(folder) / "README.md").write_text(text, encoding="utf-8")
    return text
