"""Fine-tuning on a tiny random BERT: train, save, reload, predict, resume, distribute."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from training.train import main

ROOT = Path(__file__).resolve().parents[1]


def base_args(encoder, out, *extra):
    return ["--base_model", str(encoder), "--output_dir", str(out), "--max_length", "64",
            "--per_device_train_batch_size", "8", "--logging_steps", "2", "--seed", "7", *extra]


@pytest.fixture(scope="module")
def trained_run(tiny_encoder_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(base_args(tiny_encoder_dir, out, "--max_train_samples", "64", "--num_train_epochs", "2")) == 0
    return out


def test_training_writes_a_complete_model_folder(trained_run):
    model = trained_run / "model"
    for name in ("model.safetensors", "config.json", "tokenizer.json", "metrics.json", "README.md",
                 "confusion_matrix.png", "learning_curve.png", "run_config.yaml"):
        assert (model / name).exists(), name
    assert not (model / "training_args.bin").exists()
    metrics = json.loads((model / "metrics.json").read_text())
    assert set(metrics["test"]["per_class"]) == {"balance-seeking", "pro-engagement", "skeptical"}
    assert metrics["run"]["train_rows"] == 64 and metrics["run"]["epochs_run"] == 2
    assert (trained_run / "run_config.yaml").exists()
    assert not list(trained_run.glob(".model.tmp-*"))


def test_saved_model_loads_with_plain_pipeline(trained_run):
    from transformers import pipeline

    clf = pipeline("text-classification", model=str(trained_run / "model"), top_k=None)
    out = clf(["Казахстан не будет выбирать между партнёрами."])[0]
    assert sorted(d["label"] for d in out) == ["balance-seeking", "pro-engagement", "skeptical"]
    assert abs(sum(d["score"] for d in out) - 1) < 1e-4


def test_model_card_has_hub_metadata_from_the_run(trained_run):
    from training.publish import check_folder

    meta = check_folder(trained_run / "model")
    metrics = json.loads((trained_run / "model" / "metrics.json").read_text())
    results = meta["model-index"][0]["results"][0]["metrics"]
    f1 = next(m["value"] for m in results if m["type"] == "f1")
    assert f1 == round(metrics["test"]["macro_f1"], 4)
    assert meta["pipeline_tag"] == "text-classification" and meta["language"] == ["ru"]


def test_publish_dry_run_and_offline_upload_error(trained_run, capsys):
    from training.publish import main as publish_main

    assert publish_main([str(trained_run / "model"), "someone/c5-stance", "--dry-run"]) == 0
    assert "ready to publish" in capsys.readouterr().out
    assert publish_main([str(trained_run / "model"), "someone/c5-stance"]) == 2
    assert "upload to someone/c5-stance failed" in capsys.readouterr().err


def test_run_config_repeats_the_run(trained_run):
    import yaml

    cfg = yaml.safe_load((trained_run / "run_config.yaml").read_text())
    assert cfg["max_train_samples"] == 64 and cfg["seed"] == 7 and cfg["resume"] is False
    assert cfg["output_dir"] == str(trained_run)


def _final_weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model" / "model.safetensors"))


def test_resume_after_crash_matches_uninterrupted(tiny_encoder_dir, tmp_path, monkeypatch):
    from transformers import Trainer

    common = ["--max_train_samples", "48", "--max_steps", "6", "--save_strategy", "steps", "--save_steps", "2",
              "--eval_strategy", "no", "--load_best_model_at_end", "false", "--save_total_limit", "5"]
    assert main(base_args(tiny_encoder_dir, tmp_path / "full", *common)) == 0

    original = Trainer.training_step
    calls = {"n": 0}

    def crashing_step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt("simulated kill")
        return original(self, *a, **k)

    monkeypatch.setattr(Trainer, "training_step", crashing_step)
    with pytest.raises(KeyboardInterrupt):
        main(base_args(tiny_encoder_dir, tmp_path / "crash", *common))
    assert not (tmp_path / "crash" / "model").exists()  # nothing half-written presented as a model
    monkeypatch.setattr(Trainer, "training_step", original)
    assert main(base_args(tiny_encoder_dir, tmp_path / "crash", *common, "--resume")) == 0
    a, b = _final_weights(tmp_path / "full"), _final_weights(tmp_path / "crash")
    assert a.keys() == b.keys()
    for k in a:
        assert torch.allclose(a[k], b[k], atol=1e-6), k


@pytest.mark.parametrize("flags, message", [
    (["--max_length", "4"], "--max_length 4: must be between 8 and 512"),
    (["--learning_rate", "-1"], "--learning_rate -1.0"),
    (["--per_device_train_batch_size", "0"], "batch sizes must be at least 1"),
    (["--max_train_samples", "0"], "--max_train_samples must be at least 1"),
    (["--resume"], "--resume: no checkpoint in"),
    (["--base_model", "nobody/does-not-exist"], "Offline, use the embedded encoder: --base-model embedded"),
    (["--data", "/no/such/file.csv"], "no such file"),
    (["--freeze_fraction", "-0.1"], "--freeze_fraction -0.1: must be at least 0"),
    (["--freeze_fraction", "1"], "--freeze_fraction 1.0: must be at least 0 (train all) and below 1"),
])
def test_bad_configuration_gets_a_clear_error(flags, message, tiny_encoder_dir, tmp_path, capsys):
    args = base_args(tiny_encoder_dir, tmp_path / "bad", *flags)
    if "--base_model" in flags:
        args = args[2:]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_frozen_layers_do_not_change(tiny_encoder_dir, tmp_path):
    """--freeze_fraction 0.5 of 2 layers trains the top layer and the head only: the embeddings and layer 0 stay as loaded."""
    from safetensors.torch import load_file

    assert main(base_args(tiny_encoder_dir, tmp_path / "frozen", "--freeze_fraction", "0.5", "--max_train_samples", "32",
                          "--num_train_epochs", "1")) == 0
    before = load_file(str(tiny_encoder_dir / "model.safetensors"))
    after = load_file(str(tmp_path / "frozen" / "model" / "model.safetensors"))

    def pick(state, part):
        return {k.split(part, 1)[1]: v for k, v in state.items() if part in k}

    for part in ("embeddings.word_embeddings", "encoder.layer.0.", "encoder.layer.1."):
        b, a = pick(before, part), pick(after, part)
        assert b and b.keys() == a.keys(), part
        same = all(torch.equal(b[k], a[k]) for k in b)
        assert same == (part != "encoder.layer.1."), part


def test_bad_recipe(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("learning_rat: 0.1\n")
    assert main(["--recipe", str(recipe)]) == 2
    assert "unknown option(s) ['learning_rat']" in capsys.readouterr().err


LAUNCHERS = {
    "torchrun": [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533"],
    "accelerate": [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                   "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port",
                   "29534"],
}


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_two_processes_train_together(launcher, tiny_encoder_dir, tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [*LAUNCHERS[launcher], "-m", "training.train", *base_args(tiny_encoder_dir, out, "--max_train_samples", "32",
                                              "--per_device_train_batch_size", "4", "--num_train_epochs", "1",
                                              "--ddp_backend", "gloo")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "model" / "metrics.json").read_text())
    assert metrics["run"]["world_size"] == 2
    # 32 rows, 4 per device, 2 devices: 4 optimizer steps, not the 8 a single process takes.
    state = json.loads(next((out / "checkpoints").glob("checkpoint-*/trainer_state.json")).read_text())
    assert state["global_step"] == 4


@pytest.mark.e2e
def test_real_encoder_trains_on_a_small_slice_of_the_corpus(embedded_encoder_dir, tmp_path):
    """The default path end to end: embedded encoder, bundled corpus, a few steps."""
    out = tmp_path / "e2e"
    assert main(["--output_dir", str(out), "--max_train_samples", "48", "--max_steps", "6",
                 "--eval_strategy", "no", "--save_strategy", "no", "--load_best_model_at_end", "false",
                 "--per_device_eval_batch_size", "64"]) == 0
    from transformers import pipeline

    clf = pipeline("text-classification", model=str(out / "model"), top_k=None)
    scores = clf(["Мы дружим со всеми и не вступаем ни в какие блоки."])[0]
    assert {d["label"] for d in scores} == {"balance-seeking", "pro-engagement", "skeptical"}
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["model_type"] == "bert" and config["id2label"]["0"] == "balance-seeking"
