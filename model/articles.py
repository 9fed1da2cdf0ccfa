"""Articles in, experts' stances out: passages, speakers, stance per passage and per speaker.

    python -m model.articles article.txt [more.txt | a_folder ...] --out statements.csv
    python -m model.articles folder/ --out statements.jsonl --fast --min-confidence 0.5

One output row per passage: article, speaker, role, kind, passage, start, end (character
offsets in the article file), label, confidence and one ``p_<label>`` column per label. A
per-speaker summary is printed at the end. An unreadable or empty file is reported and
skipped. Passages come from :mod:`model.extraction`, speakers from
:mod:`model.attribution`, stances from the trained model (long passages are chunked by
:class:`model.inference.StanceClassifier`).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from model.attribution import GROUP, UNNAMED, attribute, find_people
from model.extraction import extract_passages
from model.inference import DEFAULT_MODEL_DIR, ModelNotFound, StanceClassifier
from model.labels import UNCLEAR

MAX_ARTICLE_CHARS = 200_000  # about 30,000 words: far above any press article


class ArticleError(ValueError):
    """An article that cannot be read: empty, too long, not text."""


@dataclass
class StancePassage:
    """One passage of an article with its speaker and stance."""

    start: int
    end: int
    text: str
    kind: str
    speaker: str
    role: str
    label: str = ""
    confidence: float = 0.0
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class SpeakerStance:
    """A speaker's passages in an article and their stance, weighted by confidence."""

    speaker: str
    role: str
    passages: int
    label: str
    distribution: dict[str, float]
    passage_ids: list[int]


@dataclass
class ArticleAnalysis:
    """Everything found in one article."""

    text: str
    passages: list[StancePassage]
    speakers: list[SpeakerStance]
    overall: dict[str, float]


def check_article(text: object, max_chars: int = MAX_ARTICLE_CHARS) -> str:
    """The article text, or :class:`ArticleError` saying what is wrong with it."""
    if not isinstance(text, str):
        raise ArticleError(f"an article must be text, got {type(text).__name__}")
    if not text.strip():
        raise ArticleError("the article is empty")
    if len(text) > max_chars:
        raise ArticleError(f"the article has {len(text):,} characters; the limit is {max_chars:,} "
                           "(split it, or raise --max-chars)")
    if "\x00" in text:
        raise ArticleError("the article contains NUL bytes: is it a binary file?")
    return text


def find_passages(text: str) -> list[StancePassage]:
    """Passages and speakers, no stance yet (no model needed)."""
    people = find_people(text)
    found = attribute(text, extract_passages(text, [(p.start, p.end) for p in people]), people)
    return [StancePassage(p.start, p.end, text[p.start:p.end], p.kind, p.speaker, p.role) for p in found]


def weighted_distribution(probabilities: list[dict[str, float]], labels: list[str]) -> dict[str, float]:
    """Mean of the passages' probability vectors, each weighted by its confidence (top
    probability), so that a passage the model is unsure of counts less."""
    if not probabilities:
        return {lab: 0.0 for lab in labels}
    p = np.array([[d[lab] for lab in labels] for d in probabilities], dtype=np.float64)
    w = p.max(axis=1)
    mean = (p * w[:, None]).sum(axis=0) / w.sum()
    return {lab: round(float(v), 4) for lab, v in zip(labels, mean)}


def summarise_speakers(passages: list[StancePassage], labels: list[str]) -> list[SpeakerStance]:
    """One row per speaker in order of first appearance; groups and unnamed speakers last."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(passages):
        by[p.speaker].append(i)
    order = sorted(by, key=lambda s: (s in (UNNAMED, GROUP), by[s][0]))
    out = []
    for s in order:
        ids = by[s]
        dist = weighted_distribution([passages[i].probabilities for i in ids], labels)
        role = next((passages[i].role for i in ids if passages[i].role), "")
        out.append(SpeakerStance(s, role, len(ids), max(dist, key=dist.get), dist, ids))
    return out


def analyse_article(text: str, classifier: StanceClassifier, min_confidence: float = 0.0,
                    batch_size: int = 32) -> ArticleAnalysis:
    """Find the passages of one article, their speakers and stances, and sum them up."""
    text = check_article(text)
    passages = find_passages(text)
    if passages:
        probs, _ = classifier.probabilities([p.text for p in passages], batch_size)
        for p, row in zip(passages, probs):
            k = int(row.argmax())
            p.probabilities = {lab: round(float(v), 5) for lab, v in zip(classifier.labels, row)}
            p.confidence = round(float(row[k]), 5)
            p.label = classifier.labels[k] if row[k] >= min_confidence else UNCLEAR
    speakers = summarise_speakers(passages, classifier.labels)
    overall = weighted_distribution([p.probabilities for p in passages], classifier.labels)
    return ArticleAnalysis(text, passages, speakers, overall)


def article_files(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """``.txt``/``.md`` files named or inside the folders named; problems for missing paths."""
    files, problems = [], []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".md") and p.is_file())
            if not inside:
                problems.append(f"{path}: a folder with no .txt or .md files")
            files += inside
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    return files, problems


def read_article(path: Path, max_chars: int = MAX_ARTICLE_CHARS) -> str:
    """An article file's text (UTF-8, or UTF-8 with BOM), checked by :func:`check_article`."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ArticleError(f"cannot read it: {err.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ArticleError(f"not UTF-8 text (byte {err.start}); re-save it as UTF-8") from None
    return check_article(text.replace("\r\n", "\n"), max_chars)


def rows_of(article: str, analysis: ArticleAnalysis, labels: list[str]) -> list[dict]:
    """Output rows for one article: one per passage."""
    return [{"article": article, "passage_id": i, "speaker": p.speaker, "role": p.role, "kind": p.kind,
             "passage": p.text, "start": p.start, "end": p.end, "label": p.label, "confidence": p.confidence,
             **{f"p_{lab}": p.probabilities.get(lab) for lab in labels}}
            for i, p in enumerate(analysis.passages)]


def format_speakers(summary: list[tuple[str, SpeakerStance]], labels: list[str]) -> str:
    """A plain-text table: article, speaker, passages, stance and its weighted share."""
    head = ["article", "speaker", "role", "passages", "stance", *labels]
    rows = [[a, s.speaker, s.role[:30], str(s.passages), s.label, *(f"{s.distribution[lab]:.0%}" for lab in labels)]
            for a, s in summary]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head, *rows])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    from model.predict import write_rows

    ap = argparse.ArgumentParser(prog="python -m model.articles", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="article files (.txt, UTF-8) or folders of them")
    ap.add_argument("--out", type=Path, required=True, help="output .csv, .tsv, .jsonl or .parquet")
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model folder or hub id (default: %(default)s)")
    ap.add_argument("--fast", action="store_true", help="the fast CPU path (bf16 where supported, else int8)")
    ap.add_argument("--min-confidence", type=float, default=0.0,
                    help="label a passage 'unclear' below this top probability (0-1, default: %(default)s)")
    ap.add_argument("--max-chars", type=int, default=MAX_ARTICLE_CHARS,
                    help="skip articles longer than this (default: %(default)s)")
    a = ap.parse_args(argv)
    if not 0 <= a.min_confidence <= 1:
        print(f"error: --min-confidence {a.min_confidence}: must be between 0 and 1", file=sys.stderr)
        return 2
    files, problems = article_files(a.paths)
    if not files:
        print("error: no article to read:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    try:
        clf = StanceClassifier(a.model, fast=a.fast)
    except ModelNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows: list[dict] = []
    summary: list[tuple[str, SpeakerStance]] = []
    notes: list[str] = []
    read = 0
    for path in tqdm(files, desc="Articles", unit="article", disable=len(files) < 2):
        try:
            analysis = analyse_article(read_article(path, a.max_chars), clf, a.min_confidence)
        except ArticleError as err:
            problems.append(f"{path}: {err}")
            continue
        read += 1
        if not analysis.passages:
            notes.append(f"{path}: no quoted or reported passage found")
        rows += rows_of(str(path), analysis, clf.labels)
        summary += [(path.name, s) for s in analysis.speakers]
    if not rows:
        print("error: no passage found in any article:\n  " + "\n  ".join(problems + notes), file=sys.stderr)
        return 2
    write_rows(rows, a.out)
    print(format_speakers(summary, clf.labels))
    print(f"\nwrote {len(rows)} passages from {read} article(s) to {a.out}")
    for n in notes:
        print(f"  note: {n}")
    for p in problems:
        print(f"  skipped {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
