"""Near-duplicate detection: character 5-gram Jaccard similarity between texts.

Why this measure: templated statements ("X will not choose between Y and Z" with the
names swapped) share most of their 5-grams even when every name differs, while two
independently written sentences on the same topic rarely share more than a third.
A pair above 0.5 is flagged.
"""

from __future__ import annotations

import re

import numpy as np

DEFAULT_THRESHOLD = 0.5
NGRAM = 5


def normalise(text: str) -> str:
    """Lower case, ``ё``→``е``, whitespace collapsed: differences that are not wording."""
    return re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()


def jaccard_matrix(texts: list[str]):
    """Dense matrix of pairwise character 5-gram Jaccard similarities."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer="char", ngram_range=(NGRAM, NGRAM), binary=True,
                          preprocessor=normalise, dtype=np.float32)
    x = vec.fit_transform(texts)
    inter = (x @ x.T).toarray()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    union = sizes[:, None] + sizes[None, :] - inter
    return inter / np.maximum(union, 1)


def near_duplicate_pairs(texts: list[str], threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, int, float]]:
    """All pairs ``(i, j, similarity)`` with ``i < j`` and similarity above ``threshold``."""
    if len(texts) < 2:
        return []
    sim = jaccard_matrix(texts)
    i, j = np.where(np.triu(sim, k=1) > threshold)
    return sorted(((int(a), int(b), float(sim[a, b])) for a, b in zip(i, j)), key=lambda p: -p[2])


def max_similarity(texts: list[str]) -> tuple[float, int, int]:
    """The most similar pair: ``(similarity, i, j)``."""
    sim = np.triu(jaccard_matrix(texts), k=1)
    i, j = np.unravel_index(np.argmax(sim), sim.shape)
    return float(sim[i, j]), int(i), int(j)
