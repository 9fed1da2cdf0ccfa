"""The quality gate: a real model trained in CI on a fixed slice, held to floors, and shown
to fail when the model is broken."""

from __future__ import annotations

import json
import shutil

import pytest

from training.quality_gate import FLOORS, format_table, main, measure, minimal_pair_scores, read_minimal_pairs, verdict


def test_minimal_pairs_are_pairs_with_different_labels():
    rows = read_minimal_pairs()
    groups = {r["group"] for r in rows}
    assert groups == {"negation", "concession", "last_window"}
    pairs: dict[str, list[str]] = {}
    for r in rows:
        if r["group"] != "last_window":
            pairs.setdefault(r["pair"], []).append(r["label"])
    assert all(len(v) == 2 and v[0] != v[1] for v in pairs.values())
    assert all(len(r["text"].split()) > 200 for r in rows if r["group"] == "last_window")


def test_pair_scores_need_both_members_right():
    rows = [{"group": "negation", "pair": "p1", "label": "a"}, {"group": "negation", "pair": "p1", "label": "b"},
            {"group": "negation", "pair": "p2", "label": "a"}, {"group": "negation", "pair": "p2", "label": "b"}]
    scores = minimal_pair_scores(rows, ["a", "b", "a", "a"])
    assert scores == {"negation_accuracy": 0.75, "negation_pair_accuracy": 0.5}


def test_verdict_names_each_missed_floor():
    assert verdict({"x": 0.5, "y": 0.9}, {"x": 0.6, "y": 0.8}) == ["x: 0.500 is below the floor 0.600"]
    assert "BELOW" in format_table({"x": 0.5}, {"x": 0.6})


@pytest.fixture(scope="module")
def gate_model(tmp_path_factory, embedded_encoder_dir):
    """The gate's own run: the embedded encoder fine-tuned by recipes/quality_gate.yaml."""
    out = tmp_path_factory.mktemp("quality-gate")
    assert main(["--output-dir", str(out)]) == 0, "the quality gate failed: see the table above"
    return out / "model"


@pytest.mark.e2e
def test_quality_gate_passes_on_a_freshly_trained_model(gate_model):
    result = json.loads((gate_model / "quality_gate.json").read_text(encoding="utf-8"))
    assert not result["missed"]
    assert set(FLOORS) - {"real_check_macro_f1"} <= set(result["figures"])


@pytest.mark.e2e
def test_quality_gate_fails_a_model_with_its_labels_rotated(gate_model, tmp_path):
    """The floors are not decoration: the same weights with the label names rotated (the
    planted ``--label_map`` bug) miss them."""
    broken = tmp_path / "rotated"
    shutil.copytree(gate_model, broken)
    config = json.loads((broken / "config.json").read_text(encoding="utf-8"))
    names = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    config["id2label"] = {str(i): names[(i + 1) % len(names)] for i in range(len(names))}
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (broken / "config.json").write_text(json.dumps(config), encoding="utf-8")
    missed = verdict(measure(broken))
    assert any(m.startswith("authored_test_macro_f1") for m in missed), missed
