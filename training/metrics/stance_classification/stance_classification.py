"""Classification metrics for c5-stance, as an `evaluate` module that loads offline
from this folder: accuracy, macro-F1, per-class precision/recall/F1 and the confusion
matrix, in one pass. (`evaluate` reads this file's imports line by line: one a line.)"""

import datasets
import evaluate
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

_DESCRIPTION = "Accuracy, macro-F1, per-class precision/recall/F1 and confusion matrix."
_CITATION = ""
_KWARGS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): gold class ids.
    num_labels (int): number of classes, so absent classes still get a row.
Returns:
    accuracy, macro_f1, macro_precision, macro_recall (float);
    precision, recall, f1, support (list, one per class); confusion_matrix (list of lists).
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class StanceClassification(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}),
        )

    def _compute(self, predictions, references, num_labels=3):
        labels = list(range(num_labels))
        p, r, f, s = precision_recall_fscore_support(references, predictions, labels=labels, zero_division=0)
        return {
            "accuracy": float(accuracy_score(references, predictions)),
            "macro_f1": float(f.mean()),
            "macro_precision": float(p.mean()),
            "macro_recall": float(r.mean()),
            "precision": [float(x) for x in p],
            "recall": [float(x) for x in r],
            "f1": [float(x) for x in f],
            "support": [int(x) for x in s],
            "confusion_matrix": confusion_matrix(references, predictions, labels=labels).tolist(),
        }
