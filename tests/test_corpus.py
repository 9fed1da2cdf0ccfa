"""The bundled corpus: size, balance, variety, no near-duplicates, clean splits, card."""

import json
from collections import Counter

import numpy as np
import pytest
import yaml

from data.corpus import CORPUS_DIR, GROUP, METADATA, SPLITS, load_stance_dataset
from data.near_duplicates import DEFAULT_THRESHOLD, max_similarity, near_duplicate_pairs
from model.labels import LABELS


@pytest.fixture(scope="module")
def records():
    out = []
    for split in SPLITS:
        for line in (CORPUS_DIR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line))
    return out


def test_size_and_label_balance(records):
    counts = Counter(r["label"] for r in records)
    assert len(records) >= 1800
    assert set(counts) == set(LABELS) and min(counts.values()) >= 450


def test_records_have_metadata_for_slicing(records):
    for r in records:
        assert r["id"] and r["text"].strip() and r["split"] in SPLITS
        for m in METADATA:
            assert r[m], (r["id"], m)
    assert len({r["partner"] for r in records}) >= 10
    assert len({r["topic"] for r in records}) >= 10
    assert {"kazakhstan", "uzbekistan", "kyrgyzstan", "tajikistan", "turkmenistan", "russia", "outside"} <= {
        r["speaker_country"] for r in records}
    assert len({r["form"] for r in records}) == 4


def test_lengths_vary_like_press(records):
    words = [len(r["text"].split()) for r in records]
    assert min(words) >= 6 and max(words) <= 130
    assert sum(w <= 15 for w in words) > 0.1 * len(words)
    assert sum(w >= 40 for w in words) > 0.1 * len(words)


def test_no_near_duplicates_anywhere(records):
    """Character 5-gram Jaccard above 0.5 flags a pair: no templates in the corpus."""
    texts = [r["text"] for r in records]
    assert near_duplicate_pairs(texts, DEFAULT_THRESHOLD) == []
    sim, _, _ = max_similarity(texts)
    assert sim <= DEFAULT_THRESHOLD


def test_panel_hooks_stay_in_one_split(records):
    """Reactions to one news hook share their facts: a hook split across train and test would leak."""
    where = {}
    for r in records:
        if r[GROUP]:
            where.setdefault(r[GROUP], set()).add(r["split"])
    assert len(where) >= 900
    assert all(len(splits) == 1 for splits in where.values())
    assert {s for splits in where.values() for s in splits} == set(SPLITS)


def test_loader_gives_stratified_classlabel_splits(records):
    """Every split has the label mix of the whole corpus (which follows real press since the press round)."""
    ds = load_stance_dataset()
    assert sum(len(ds[s]) for s in SPLITS) == len(records)
    assert ds["train"].features["label"].names == list(LABELS)
    whole = Counter(r["label"] for r in records)
    for s in SPLITS:
        shares = Counter(ds[s]["label"])
        for k, lab in enumerate(LABELS):
            assert abs(shares[k] / len(ds[s]) - whole[lab] / len(records)) < 0.03, (s, lab)


def test_no_near_copy_of_any_real_passage(records):
    """Real published passages are for measuring only: no authored statement may be a near-copy of one."""
    from data.near_duplicates import jaccard_matrix
    from data.real_press import DEFAULT_REAL_DEV

    if not DEFAULT_REAL_DEV.is_file():
        pytest.skip(f"real development set absent ({DEFAULT_REAL_DEV}); nothing to compare with")
    real = [json.loads(line)["text"] for line in DEFAULT_REAL_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours = [r["text"] for r in records]
    sim = jaccard_matrix(ours + real)[: len(ours), len(ours):]
    worst = np.unravel_index(np.argmax(sim), sim.shape)
    assert sim.max() <= DEFAULT_THRESHOLD, (records[worst[0]]["id"], float(sim.max()))


def test_data_card_metadata_and_numbers(records):
    text = (CORPUS_DIR.parent / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---")[1])
    for key in ("language", "license", "task_categories", "size_categories", "annotations_creators",
                "pretty_name", "configs"):
        assert key in meta, key
    paths = {f["split"]: f["path"] for f in meta["configs"][0]["data_files"]}
    assert all((CORPUS_DIR.parent / p).exists() for p in paths.values())
    import re

    total_row = re.search(r"^\| total \|.*\| (\d+) \|$", text, re.M)
    assert total_row and int(total_row.group(1)) == len(records)
    for split in (*SPLITS, "total"):
        row = re.search(rf"^\| {split} \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
        mine = [r for r in records if split == "total" or r["split"] == split]
        assert row, split
        assert [int(x) for x in row.groups()] == [sum(r["label"] == lab for r in mine) for lab in LABELS] + [len(mine)]


def test_data_card_agreement_matches_the_annotation_files(records):
    """The press round's agreement figures in the card are recomputed from the second-pass file."""
    import re

    from sklearn.metrics import cohen_kappa_score

    text = (CORPUS_DIR.parent / "README.md").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in (CORPUS_DIR.parent / "annotations" / "second_pass.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    press = [r for r in rows if r["round"] == "press"]
    agreed = sum(r["first_label"] == r["second_label"] for r in press)
    kappa = cohen_kappa_score([r["first_label"] for r in press], [r["second_label"] for r in press])
    m = re.search(r"press round: (\d[\d,]*)\s+of\s+(\d[\d,]*)\s+agreed\s+\(Cohen's kappa (0\.\d+)\)", text)
    assert m, "the card states the press round's agreement"
    assert int(m.group(1).replace(",", "")) == agreed and int(m.group(2).replace(",", "")) == len(press)
    assert float(m.group(3)) == round(kappa, 3)
    assert sum(r["round"] == "press" for r in records) == sum(r["final_label"] is not None for r in press)


def test_hub_style_load_of_the_data_folder():
    """`load_dataset(<data folder>)` reads the card's configs, as the hub would."""
    from datasets import load_dataset

    ds = load_dataset(str(CORPUS_DIR.parent))
    assert set(ds) == set(SPLITS)
