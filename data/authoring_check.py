"""Checks an author's file of statements (panel or press round) before it joins the corpus.

    python -m data.authoring_check my_slice.jsonl [--against other_slices/]

ERRORS must be fixed: bad JSON or metadata, a panel hook without exactly one statement per label
(press-round stories, ``round: press``, may hold 1-4 passages of any labels),
lengths outside 10-130 words, a near-duplicate (character 5-gram Jaccard above 0.45) of any
statement in the bundled corpus, in the ``--against`` folder or in the file itself.
ADVICE points at wording a bag-of-words model could use instead of reading: stock phrases
used too often or mostly in one label, and words that occur in one label's statements three
times out of four or more. Exit status 1 when there are errors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from data.corpus import bundled_texts
from data.near_duplicates import jaccard_matrix, normalise
from model.labels import LABELS

ALLOWED = {
    "partner": {"us", "china", "russia", "eu", "turkey", "japan", "south_korea", "india", "gulf", "iran",
                "region", "several"},
    "topic": {"oil_gas", "critical_minerals", "uranium", "transport", "investment_debt", "technology",
              "education_science", "security", "water", "migration", "climate", "agriculture", "general_policy"},
    "speaker_role": {"official", "economist", "researcher", "political_scientist", "journalist", "business", "mp",
                     "diplomat", "ngo"},
    "speaker_country": {"kazakhstan", "uzbekistan", "kyrgyzstan", "tajikistan", "turkmenistan", "russia", "outside"},
    "form": {"first_person", "direct_quote", "reported_speech", "analytic"},
    "label": set(LABELS),
}
FIELDS = ("hook", "text", "label", *ALLOWED)
PANEL_FIELDS = ("hook_text",)  # a panel's three reactions share one written news hook
STOCK = ("многовектор", "окно возможностей", "прорыв", "в одну корзину", "не вместо", "символич", "декларац",
         "баланс", "равноудал", "старший брат", "большая игра", "большой игры", "на бумаге", "громки", "взаимовыгод",
         "стратегическ", "рабочие места", "рабочих мест", "зависимост", "не выбирать", "выбирать между")
NEAR_DUPLICATE = 0.45  # stricter than the corpus-wide 0.5: panel statements share their facts by design


def is_panel(row: dict) -> bool:
    """Panel statements (the default, for files written before the press round) come in threes."""
    return row.get("round", "panel") == "panel"


def read_rows(path: Path, errors: list[str]) -> list[dict]:
    """The file's statements; format problems go to ``errors`` with their line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as err:
            errors.append(f"line {n}: not JSON ({err})")
            continue
        needed = FIELDS + (PANEL_FIELDS if is_panel(r) else ())
        missing = [f for f in needed if not str(r.get(f, "")).strip()]
        if missing:
            errors.append(f"line {n}: missing {missing}")
            continue
        errors += [f"line {n}: {f}={r[f]!r} not in {sorted(allowed)}" for f, allowed in ALLOWED.items()
                   if r[f] not in allowed]
        words = len(r["text"].split())
        if not 10 <= words <= 130:
            errors.append(f"line {n}: {words} words (allowed 10-130)")
        rows.append({**r, "_line": n})
    return rows


def check(path: Path, against: Path | None = None) -> tuple[list[str], list[str], list[dict]]:
    """``(errors, advice, rows)`` for one author's file."""
    errors: list[str] = []
    rows = read_rows(path, errors)
    hooks = defaultdict(list)
    for r in rows:
        if is_panel(r):
            hooks[r["hook"]].append(r["label"])
    errors += [f"hook {h}: labels {sorted(labs)}, need exactly one of each of {list(LABELS)}"
               for h, labs in hooks.items() if sorted(labs) != sorted(LABELS)]

    others = bundled_texts()
    for f in sorted(against.glob("*.jsonl")) if against else []:
        if f.resolve() != path.resolve():
            others += [json.loads(x)["text"] for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    mine = [r["text"] for r in rows]
    if mine:
        sim = jaccard_matrix(mine + others)[: len(mine)]
        for i, j in zip(*np.where(sim > NEAR_DUPLICATE)):
            if j <= i:
                continue
            where = f"line {rows[j]['_line']}" if j < len(mine) else "elsewhere: " + others[j - len(mine)][:60]
            errors.append(f"line {rows[i]['_line']}: near-duplicate ({sim[i, j]:.2f}) of {where}: rewrite it")

    advice = []
    texts = [normalise(t) for t in mine]
    for phrase in STOCK:
        c = Counter(r["label"] for r, t in zip(rows, texts) if phrase in t)
        total = sum(c.values())
        if total >= 6 and max(c.values()) / total > 0.7:
            advice.append(f"stock phrase '{phrase}': {dict(c)}: use it in the other labels' statements too, or less")
        if total > max(6, len(rows) // 25):
            advice.append(f"stock phrase '{phrase}' used {total} times: vary the wording")
    stems: dict[str, Counter] = defaultdict(Counter)
    for r, t in zip(rows, texts):
        for stem in {w[:6] for w in re.findall(r"[а-я]{5,}", t)}:
            stems[stem][r["label"]] += 1
    skewed = sorted(((c.most_common(1)[0][1] / sum(c.values()), sum(c.values()), stem, c.most_common(1)[0][0])
                     for stem, c in stems.items() if sum(c.values()) >= 10), reverse=True)
    advice += [f"cue word '{stem}…' is {share:.0%} {label} ({n} statements): a reader could guess the label from it"
               for share, n, stem, label in skewed[:20] if share >= 0.75]
    return errors, advice, rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--against", type=Path, help="folder of other authors' JSONL files to compare with")
    a = ap.parse_args(argv)
    errors, advice, rows = check(a.file, a.against)
    words = sorted(len(r["text"].split()) for r in rows) or [0]
    print(f"{a.file.name}: {len(rows)} statements, {len({r['hook'] for r in rows})} hooks, "
          f"labels {dict(Counter(r['label'] for r in rows))}")
    print(f"words: min {words[0]}, median {words[len(words) // 2]}, max {words[-1]}")
    for line in errors:
        print("ERROR", line)
    for line in advice:
        print("ADVICE", line)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
