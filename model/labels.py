"""The three stance labels: names, ids and one-line definitions, declared once."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("balance-seeking", "pro-engagement", "skeptical")
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
# Reported instead of a stance when the top probability is below the caller's minimum confidence.
UNCLEAR = "unclear"

DEFINITIONS: dict[str, str] = {
    "balance-seeking": (
        "Neutrality, a multi-vector course, not joining blocs or taking sides; keeping Russia and "
        "China while adding the US or EU; a new partner as an alternative, not a replacement; "
        "regional unity to widen the room for manoeuvre."
    ),
    "pro-engagement": (
        "Deeper cooperation with a partner brings gains: investment, technology, joint development "
        "of deposits, education and science, trade corridors, a window of opportunity to use."
    ),
    "skeptical": (
        "The engagement is doubted or downplayed: no breakthrough, symbolic only, the partner's "
        "interest is narrow, self-serving or fleeting, promises are unreliable, a price to pay or "
        "a dependence to fear."
    ),
}
