"""Benchmark of article reading: passage extraction, speaker attribution, stance, speed.

    python -m benchmarks.articles                        # the held-out test articles
    python -m benchmarks.articles --split dev --errors   # the articles rules were written on

Scores the authored articles of ``data/articles/<split>/`` against their gold mark-up:

- extraction precision and recall: a found passage matches a gold one when their character
  overlap is at least ``--overlap`` (0.8) of the longer of the two; one to one;
- attribution accuracy: the share of matched passages given the gold speaker (names compared
  case- and ё-insensitively);
- stance macro-F1 on matched passages whose gold stance is not ``none`` (with ``--model``);
- speed: a 5,000-word article (authored articles joined) read end to end, the model included.

Results go to ``benchmarks/results/articles.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from data.articles import ARTICLES_DIR, Article, load_articles  # noqa: E402
from model.articles import StancePassage, analyse_article, find_passages  # noqa: E402
from model.inference import DEFAULT_MODEL_DIR, StanceClassifier  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "articles.json"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters over the length of the longer span."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0], 1)


def same_speaker(a: str, b: str) -> bool:
    """Names compared case-, ё- and white-space-insensitively."""
    def norm(s: str) -> str:
        return " ".join(s.lower().replace("ё", "е").split())
    return norm(a) == norm(b)


def match(gold: list[tuple[int, int]], found: list[tuple[int, int]], threshold: float = 0.8) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, found index)`` with overlap ≥ threshold, best first."""
    cands = sorted(((overlap(g, f), i, j) for i, g in enumerate(gold) for j, f in enumerate(found)), reverse=True)
    used_g, used_f, pairs = set(), set(), []
    for score, i, j in cands:
        if score < threshold:
            break
        if i not in used_g and j not in used_f:
            used_g.add(i)
            used_f.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def score_article(article: Article, found: list[StancePassage], threshold: float = 0.8) -> dict:
    """Counts for one article: gold, found, matched, right speaker, and the mistakes."""
    gold = [(p.start, p.end) for p in article.passages]
    pairs = match(gold, [(p.start, p.end) for p in found], threshold)
    right = [(i, j) for i, j in pairs if same_speaker(article.passages[i].speaker, found[j].speaker)]
    matched_g = {i for i, _ in pairs}
    matched_f = {j for _, j in pairs}
    return {
        "id": article.id, "gold": len(gold), "found": len(found), "matched": len(pairs), "speaker_right": len(right),
        "pairs": pairs,
        "missed": [i for i in range(len(gold)) if i not in matched_g],
        "spurious": [j for j in range(len(found)) if j not in matched_f],
        "wrong_speaker": [(i, j) for i, j in pairs if (i, j) not in right],
    }


def totals(scores: list[dict]) -> dict:
    """Micro-averaged precision, recall and attribution accuracy over articles."""
    g, f, m, r = (sum(s[k] for s in scores) for k in ("gold", "found", "matched", "speaker_right"))
    return {"articles": len(scores), "gold_passages": g, "found_passages": f, "matched": m,
            "precision": round(m / f, 4) if f else 0.0, "recall": round(m / g, 4) if g else 0.0,
            "attribution_accuracy": round(r / m, 4) if m else 0.0}


def print_errors(articles: list[Article], found: list[list[StancePassage]], scores: list[dict]) -> None:
    """Every miss, spurious passage and wrong speaker, to read (dev split only)."""
    for a, f, s in zip(articles, found, scores):
        if not (s["missed"] or s["spurious"] or s["wrong_speaker"]):
            continue
        print(f"== {a.id} {a.path}")
        for i in s["missed"]:
            p = a.passages[i]
            print(f"  MISSED  [{p.start}:{p.end}] {p.speaker}: {a.passage_text(p)[:150]!r}")
        for j in s["spurious"]:
            p = f[j]
            print(f"  EXTRA   [{p.start}:{p.end}] {p.speaker} ({p.kind}): {p.text[:150]!r}")
        for i, j in s["wrong_speaker"]:
            print(f"  SPEAKER [{f[j].start}:{f[j].end}] gold {a.passages[i].speaker!r} got {f[j].speaker!r}: "
                  f"{f[j].text[:80]!r}")


def agreement(gold: list[Article], second: list[Article], threshold: float = 0.8) -> dict:
    """A blind second annotation against the gold: the same matching as the benchmark (spans
    overlapping ≥ threshold), speakers compared on matched spans, and stance agreement (Cohen's
    kappa over the three stances and ``none``)."""
    from sklearn.metrics import cohen_kappa_score

    by_id = {a.id: a for a in second}
    missing = [a.id for a in gold if a.id not in by_id]
    if missing:
        raise ValueError(f"the second annotation has no article {', '.join(missing)}")
    scores, stances = [], ([], [])
    for a in gold:
        b = by_id[a.id]
        if b.text != a.text:
            raise ValueError(f"{a.id}: the second annotation changed the article's text")
        found = [StancePassage(p.start, p.end, b.text[p.start:p.end], p.kind, p.speaker, p.role) for p in b.passages]
        s = score_article(a, found, threshold)
        scores.append(s)
        for i, j in s["pairs"]:
            stances[0].append(a.passages[i].stance)
            stances[1].append(b.passages[j].stance)
    out = totals(scores)
    out["stance_agreement"] = round(sum(x == y for x, y in zip(*stances)) / max(len(stances[0]), 1), 4)
    out["stance_kappa"] = round(float(cohen_kappa_score(*stances)), 4)
    return out


def long_article(articles: list[Article], words: int = 5000) -> str:
    """Authored articles joined into one text of at least ``words`` words."""
    if not any(a.text.split() for a in articles):
        raise ValueError("no article text to build a long article from")
    parts, n = [], 0
    while n < words:
        for a in articles:
            parts.append(a.text)
            n += len(a.text.split())
            if n >= words:
                break
    return "\n\n".join(parts)


def time_long_article(text: str, clf: StanceClassifier, repeats: int = 3) -> dict:
    """Seconds to read a long article end to end (best and median of ``repeats``)."""
    analyse_article(text, clf)  # warm-up: natasha's models and the first forward pass
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = analyse_article(text, clf)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    find_passages(text)
    extraction = time.perf_counter() - t
    return {"words": len(text.split()), "passages": len(out.passages), "seconds_best": round(min(times), 3),
            "seconds_median": round(sorted(times)[len(times) // 2], 3), "extraction_seconds": round(extraction, 3),
            "backend": clf.backend}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.articles", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="test", choices=["dev", "test"], help="which authored articles (default: test)")
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="trained model for stance and speed")
    ap.add_argument("--no-model", action="store_true", help="extraction and attribution only")
    ap.add_argument("--overlap", type=float, default=0.8, help="overlap needed to count a passage as found")
    ap.add_argument("--errors", action="store_true", help="print every mistake (use on dev, not on test)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--second-annotation", type=Path,
                    help="a folder with a blind second mark-up of the split's articles: report agreement and exit")
    a = ap.parse_args(argv)
    if a.second_annotation:
        result = agreement(load_articles(ARTICLES_DIR / a.split), load_articles(a.second_annotation), a.overlap)
        print(json.dumps(result, indent=2))
        return 0

    articles = load_articles(ARTICLES_DIR / a.split)
    found = [find_passages(art.text) for art in articles]
    scores = [score_article(art, f, a.overlap) for art, f in zip(articles, found)]
    result = {"split": a.split, "overlap_threshold": a.overlap, **totals(scores)}
    by_genre: dict[str, list[dict]] = {}
    for art, s in zip(articles, scores):
        by_genre.setdefault(art.header.get("genre", "?"), []).append(s)
    result["by_genre"] = {g: totals(s) for g, s in sorted(by_genre.items())}
    if a.errors:
        print_errors(articles, found, scores)

    if not a.no_model:
        from sklearn.metrics import f1_score

        clf = StanceClassifier(a.model)
        gold, pred = [], []
        for art, s in zip(articles, scores):
            analysis = analyse_article(art.text, clf)
            for i, j in s["pairs"]:
                if art.passages[i].stance != "none":
                    gold.append(art.passages[i].stance)
                    pred.append(analysis.passages[j].label)
        result["stance"] = {"passages": len(gold), "macro_f1": round(f1_score(gold, pred, average="macro"), 4),
                            "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / max(len(gold), 1), 4)}
        all_articles = load_articles(ARTICLES_DIR / "dev", ARTICLES_DIR / "test")
        text = long_article(all_articles)
        result["speed"] = {"fp32": time_long_article(text, clf),
                           "fast": time_long_article(text, StanceClassifier(a.model, fast=True))}
        result["machine"] = {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}

    print(json.dumps(result, ensure_ascii=False, indent=2))
    if a.split == "test":
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
