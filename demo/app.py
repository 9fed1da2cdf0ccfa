"""Gradio demo of the c5-stance classifier: one statement, a batch, and the model card.

Run ``python demo/app.py --help``. The same file is a Hugging Face Space entry point:
with no arguments it serves the model named by ``$C5_STANCE_MODEL`` (a hub id) or the
default local training output, on the host and port the Space sets.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Both must be set before gradio / huggingface_hub are imported: they read them at import time.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

ROOT = Path(__file__).resolve().parent.parent

try:
    import model.inference  # noqa: F401  (only probing whether the repo root is importable)
except ModuleNotFoundError:
    # `python demo/app.py` (and a Space) puts demo/ first on sys.path, not the repo root.
    sys.path.insert(0, str(ROOT))

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from data.validation import text_problem  # noqa: E402
from model.articles import ArticleError, analyse_article, check_article  # noqa: E402
from model.inference import DEFAULT_MODEL_DIR, TRAIN_COMMAND, ModelNotFound, StanceClassifier  # noqa: E402
from model.labels import DEFINITIONS, UNCLEAR  # noqa: E402

MODEL_ENV = "C5_STANCE_MODEL"
DEFAULT_MAX_CHARS = 2000
DEFAULT_MAX_ROWS = 500
DEFAULT_MAX_ARTICLE_CHARS = 60_000  # about 8,000 words: any press article, and a bound on one request's work
STANCE_COLOURS = {"balance-seeking": "#4c78a8", "pro-engagement": "#54a24b", "skeptical": "#e45756",
                  "unclear": "#9d9d9d"}
# Several users at once on a small CPU box: enough parallelism to overlap I/O and the
# tokenizer, not so much that torch threads thrash. Batches are heavier, so fewer run at once.
CONCURRENCY = 4
BATCH_CONCURRENCY = 2
MAX_QUEUE = 64
MAX_UPLOAD = "5mb"
RESULT_TTL_SECONDS = 3600
TABLE_TEXT_CHARS = 300  # longer statements are shortened in the table; the CSV keeps them whole

EXAMPLES: list[str] = [
    # balance-seeking
    "Узбекистан не собирается выбирать между Москвой, Пекином и Вашингтоном: мы развиваем отношения "
    "со всеми, а каждый новый партнёр лишь расширяет наше пространство для манёвра.",
    # pro-engagement
    "Совместная разработка месторождений лития с японскими компаниями даст Казахстану технологии, "
    "инвестиции и тысячи рабочих мест — этим окном возможностей нужно воспользоваться сейчас.",
    # skeptical
    "Громкие заявления о стратегическом партнёрстве с Евросоюзом пока остаются на бумаге: прорыва не "
    "будет, интерес Брюсселя ограничивается доступом к сырью.",
    # hard case: a concrete benefit and a doubt in one sentence
    "Новый транспортный коридор через Каспий действительно может удешевить экспорт, но без гарантий "
    "финансирования он рискует остаться красивой картинкой для саммитов.",
]

# Authored for the demo (every name invented): two experts, a quote split by its attribution,
# reported speech, a pronoun that refers back and a collective attribution.
ARTICLE_EXAMPLE = (
    "Итоги визита американской делегации в Астану эксперты оценивают по-разному.\n\n"
    "Политолог Айдана Серикбаева считает, что Казахстану не нужно выбирать между партнёрами. По её словам, "
    "американские компании могут стать дополнением к китайским и российским, а не заменой им.\n\n"
    "«Мы десятилетиями выстраивали многовекторный курс, — говорит она. — Новые соглашения его только "
    "укрепляют».\n\n"
    "Экономист Тимур Абенов настроен скептически. «Меморандумов подписано много, но денег за ними пока нет. "
    "Интерес Вашингтона к нашим металлам может оказаться недолгим», — отмечает он.\n\n"
    "Совместная разработка месторождений вольфрама даст региону технологии и рабочие места, считают эксперты."
)

UNKNOWN = "unknown"


# --------------------------------------------------------------------------- model info


def _front_matter(readme: Path) -> dict[str, Any]:
    """YAML front matter of a model card, or ``{}`` when absent or unreadable."""
    try:
        text = readme.read_text(encoding="utf-8")
        if not text.startswith("---"):
            return {}
        import yaml

        meta = yaml.safe_load(text.split("---", 2)[1])
        return meta if isinstance(meta, dict) else {}
    except Exception:  # a broken card must not keep the demo from starting
        return {}


def _model_files(source: str) -> tuple[Path | None, Path | None]:
    """Local paths of ``metrics.json`` and ``README.md`` for a folder or a hub id (None if absent)."""
    folder = Path(source)
    if folder.is_dir():
        found = [folder / name for name in ("metrics.json", "README.md")]
        return tuple(p if p.is_file() else None for p in found)  # type: ignore[return-value]
    out: list[Path | None] = []
    for name in ("metrics.json", "README.md"):
        try:
            from huggingface_hub import hf_hub_download

            out.append(Path(hf_hub_download(source, name)))
        except Exception:  # offline, private or simply not in the repo: the About tab says "unknown"
            out.append(None)
    return out[0], out[1]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return UNKNOWN if value in (None, "") else str(value)


def describe_model(source: str, backend: str = "torch-fp32") -> dict[str, str]:
    """What the About tab shows about a model: source, base model, training data and test
    metrics, read from the folder's ``metrics.json`` and ``README.md`` front matter.
    Anything not found is ``"unknown"``."""
    metrics_path, readme_path = _model_files(source)
    metrics: dict[str, Any] = {}
    if metrics_path is not None:
        try:
            metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metrics = {}
    meta = _front_matter(readme_path) if readme_path is not None else {}
    run = metrics.get("run", {}) if isinstance(metrics.get("run"), dict) else {}
    test = metrics.get("test", {}) if isinstance(metrics.get("test"), dict) else {}

    base = meta.get("base_model") or (run.get("model") or {}).get("base_model")
    datasets = meta.get("datasets")
    data = ", ".join(datasets) if isinstance(datasets, list) else datasets or (run.get("data") or {}).get("data")
    if data == "bundled":
        data = "c5-stance bundled corpus of expert statements"
    if data and run.get("train_rows"):
        data = f"{data} ({run['train_rows']} train / {run.get('validation_rows', '?')} validation / "
        data += f"{run.get('test_rows', '?')} test statements)"

    accuracy, macro_f1 = test.get("accuracy"), test.get("macro_f1")
    if accuracy is None or macro_f1 is None:
        # Fall back on the model-index block of a hub card (no metrics.json uploaded).
        try:
            for m in meta["model-index"][0]["results"][0]["metrics"]:
                if m.get("type") == "accuracy" and accuracy is None:
                    accuracy = m.get("value")
                if m.get("type") == "f1" and macro_f1 is None:
                    macro_f1 = m.get("value")
        except (KeyError, IndexError, TypeError):
            pass
    return {
        "source": str(source),
        "variant": backend,
        "base_model": _fmt(base),
        "training_data": _fmt(data),
        "test_accuracy": _fmt(accuracy),
        "test_macro_f1": _fmt(macro_f1),
    }


# --------------------------------------------------------------------------- batch input


class BatchInputError(ValueError):
    """A batch input the demo refuses; the message is shown to the user as is."""


def _read_upload(path: str) -> tuple[list[str], bool]:
    """Statements from an uploaded CSV (``text`` column) or TXT (one per line).

    Returns the texts and whether empty rows are kept (CSV: yes, so the output lines up
    with the uploaded rows; TXT: blank lines are dropped)."""
    file = Path(path)
    raw = file.read_bytes()
    if not raw.strip():
        raise BatchInputError("The uploaded file is empty.")
    try:
        content = raw.decode("utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as err:
        raise BatchInputError(
            f"The file is not UTF-8 text (byte {err.start} cannot be decoded). Save it as UTF-8 "
            "(in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)') and upload it again."
        ) from None
    if file.suffix.lower() not in (".csv", ".tsv"):
        return [line for line in content.splitlines() if line.strip()], False

    header = content.splitlines()[0]
    # Excel in a Russian locale writes ';'-separated "CSV": accept it when the header says so.
    sep = "\t" if file.suffix.lower() == ".tsv" else ";" if header.count(";") > header.count(",") else ","
    try:
        rows = list(csv.reader(content.splitlines(), delimiter=sep))
    except csv.Error as err:
        raise BatchInputError(f"The CSV cannot be parsed: {err}.") from None
    columns = [c.strip().lower() for c in rows[0]]
    if "text" not in columns:
        found = ", ".join(f"'{c}'" for c in rows[0][:10]) or "none"
        raise BatchInputError(f"The CSV has no 'text' column (columns found: {found}). "
                              "Name the statements' column 'text'.")
    col = columns.index("text")
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if not body:
        raise BatchInputError("The CSV has a 'text' column but no rows.")
    return [r[col] if col < len(r) else "" for r in body], True


# --------------------------------------------------------------------------- the app


def build_demo(classifier: StanceClassifier, model_info: dict, max_chars: int = DEFAULT_MAX_CHARS,
               max_rows: int = DEFAULT_MAX_ROWS, max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS) -> gr.Blocks:
    """Build the demo around a loaded classifier: Statement, Batch, Article and About tabs.

    ``model_info`` is shown on the About tab (see :func:`describe_model`). Named API
    endpoints: ``/classify`` (text -> the ``gr.Label`` value), ``/explain``,
    ``/classify_batch`` (a list of texts or newline-separated text -> a table) and
    ``/article`` (an article -> its passages, speakers and stances). The queue is
    configured here, so the returned Blocks only needs ``launch()``.
    """
    labels = list(classifier.labels)
    columns = ["text", "label", *labels]
    results_dir = Path(tempfile.mkdtemp(prefix="c5-stance-demo-"))

    def check_text(text: str | None) -> str:
        text = (text or "").strip()
        if why := text_problem(text, max_chars):
            message = ("Enter a statement to classify (the text box is empty)." if not text else
                       f"Cannot classify this statement: {why}. Shorten it, or use the Batch tab for several statements.")
            raise gr.Error(message, title="Invalid input", print_exception=False)
        return text

    def classify(text: str, min_confidence: float = 0.0) -> dict[str, Any]:
        """Probabilities of the three stances for one Russian statement. With ``min_confidence``
        (0-1) the top label is ``unclear`` when no stance reaches it; the probabilities stay."""
        pred = classifier.predict(check_text(text), min_confidence=float(min_confidence or 0.0))
        ranked = sorted(pred.probabilities.items(), key=lambda kv: -kv[1])
        # gr.Label's own value format, given as is (postprocess=False): a top label that may be
        # "unclear" while the bars still show every stance's probability.
        return {"label": pred.label, "confidences": [{"label": lab, "confidence": round(p, 4)} for lab, p in ranked]}

    def explain(text: str) -> tuple[list[tuple[str, float]], str]:
        """Word-occlusion weights in log-odds of the predicted label (positive: toward it)."""
        pred, pairs = classifier.explain(check_text(text))
        # Colours need [-1, 1]: scale to the strongest word, whose log-odds the summary states.
        peak = max((abs(w) for _, w in pairs), default=0.0)
        highlighted: list[tuple[str, float]] = []
        for tok, w in pairs:
            if highlighted and not any(ch.isalnum() for ch in tok):
                # Spaces and punctuation are never occluded: glue them to the word before, which the
                # component then draws as one chip instead of a row of empty ones.
                highlighted[-1] = (highlighted[-1][0] + tok, highlighted[-1][1])
            else:
                highlighted.append((tok, round(w / peak, 3) + 0.0 if peak else 0.0))  # +0.0: no "-0.0"
        words = sorted(((w, t) for t, w in pairs if w), reverse=True)
        up = ", ".join(f"**{t}** (+{w:.2f})" for w, t in words[:3] if w > 0) or "none"
        down = ", ".join(f"**{t}** ({w:.2f})" for w, t in sorted(words)[:3] if w < 0) or "none"
        summary = f"Predicted **{pred.label}** ({pred.score:.1%}). "
        if peak:
            summary += (f"Words that pushed toward it: {up}; against it: {down}. Weights are changes in the "
                        f"log-odds of the prediction when the word is removed (+1 multiplies its odds by 2.7). "
                        f"**Legend:** red = toward the prediction, violet = away from it; the strongest word "
                        f"({peak:.2f}) has the full colour.")
        else:
            summary += "Removing any single word does not change the prediction."
        return highlighted, summary

    def run_batch(texts: Sequence[str], keep_empty: bool, progress: Callable[[int, int], None] | None = None
                  ) -> pd.DataFrame:
        texts = [t.strip() for t in texts if keep_empty or t.strip()]
        if not texts:
            raise gr.Error("No statements: type one per line or upload a CSV/TXT file.", title="Empty input",
                           print_exception=False)
        if len(texts) > max_rows:
            raise gr.Error(f"{len(texts)} statements; the limit is {max_rows} per batch. Split the file.",
                           title="Too many rows", print_exception=False)
        # Bad rows are reported in the table instead of failing everyone else's predictions.
        status = [f"skipped: {why}" if (why := text_problem(t, max_chars)) else "" for t in texts]
        ok = [i for i, s in enumerate(status) if not s]
        probs = classifier.probabilities([texts[i] for i in ok], progress=progress)[0] if ok else []
        rows: list[list[Any]] = [[t, s, *([math.nan] * len(labels))] for t, s in zip(texts, status, strict=True)]
        for i, p in zip(ok, probs, strict=True):
            rows[i][1] = labels[int(p.argmax())]
            rows[i][2:] = [round(float(v), 4) for v in p]
        return pd.DataFrame(rows, columns=columns)

    def classify_batch(texts: list[str] | str) -> dict[str, Any]:
        """Classify many statements: a list of texts, or one string with a statement per line.
        Returns a table {"headers": [...], "data": [[text, label, p1, p2, p3], ...]}; rows that are
        empty or too long keep their place, with the reason in the label column and no probabilities."""
        items = texts.splitlines() if isinstance(texts, str) else [str(t) for t in texts]
        table = run_batch(items, keep_empty=not isinstance(texts, str))
        data = [[None if isinstance(v, float) and math.isnan(v) else v for v in row] for row in table.values.tolist()]
        return {"headers": columns, "data": data}

    def save_csv(table: pd.DataFrame) -> str:
        now = time.time()
        for old in results_dir.glob("*/*.csv"):  # results are for downloading now, not for keeping
            try:
                if now - old.stat().st_mtime > RESULT_TTL_SECONDS:
                    old.unlink()
                    old.parent.rmdir()
            except OSError:  # another request cleaned it first
                pass
        out = results_dir / uuid.uuid4().hex / "c5-stance-predictions.csv"
        out.parent.mkdir()
        table.to_csv(out, index=False, encoding="utf-8-sig")  # BOM: Excel shows Cyrillic correctly
        return str(out)

    def ui_batch(text: str | None, file: str | None, progress: gr.Progress = gr.Progress()  # noqa: B008
                 ) -> tuple[pd.DataFrame | None, str | None, str]:
        """The Batch tab: a table (long statements shortened, probabilities as percentages), the
        full CSV, and a status line. A request that fails clears the table and the download and
        says why in the status line, once, where the user looks."""
        note = ""
        try:
            if file:
                try:
                    texts, keep_empty = _read_upload(file)
                except BatchInputError as err:
                    raise gr.Error(f"Cannot read the file: {err}", print_exception=False) from None
                if (text or "").strip():
                    note = " The text box was ignored because a file was given."
            else:
                texts, keep_empty = (text or "").splitlines(), False
            table = run_batch(texts, keep_empty,
                              progress=lambda done, total: progress((done, total), desc="Classifying", unit="statements"))
        except gr.Error as err:
            return None, None, f"**Not classified.** {err.message}"
        skipped = int(table["label"].str.startswith("skipped").sum())
        done = len(table) - skipped
        summary = (f"{done} statement{'s' if done != 1 else ''} classified"
                   + (f", {skipped} skipped (see the label column)" if skipped else "") + "." + note)
        return display_table(table), save_csv(table), summary

    def display_table(table: pd.DataFrame) -> pd.DataFrame:
        """What the table shows: statements cut at TABLE_TEXT_CHARS (the CSV keeps them whole) and
        probabilities as percentages, as on the Statement tab."""
        shown = table.copy()
        shown["text"] = [shorten(t) for t in shown["text"]]
        for lab in labels:
            shown[lab] = ["" if isinstance(v, float) and math.isnan(v) else f"{v:.1%}" for v in shown[lab]]
        return shown

    def ui_statement(text: str | None, min_confidence: float = 0.0) -> tuple[dict, list, str, str]:
        """The Statement tab: probabilities, explanation, summary and a status line. A request that
        fails clears the previous statement's results and says why in the status line."""
        try:
            value = classify(text or "", min_confidence)
            highlighted, summary = explain(text or "")
        except gr.Error as err:
            return {}, [], "", f"**Not classified.** {err.message}"
        status = (f"**{UNCLEAR}**: no stance reaches the minimum confidence of {min_confidence:.0%}; "
                  "the bars show each stance's probability." if value["label"] == UNCLEAR else "")
        return {c["label"]: c["confidence"] for c in value["confidences"]}, highlighted, summary, status

    def explain_api(text: str) -> tuple[list[dict[str, Any]], str]:
        """Word-occlusion weights in log-odds of the predicted label, scaled to [-1, 1], and a summary."""
        highlighted, summary = explain(text)
        return [{"token": t, "class_or_confidence": w} for t, w in highlighted], summary

    def read_article(text: str) -> dict[str, Any]:
        """Read a Russian article: every quoted or reported passage with its character offsets,
        speaker, role and stance probabilities; each speaker's stance (probabilities weighted by
        confidence); and the article's overall stance."""
        try:
            text = check_article(text or "", max_article_chars)
        except ArticleError as err:
            message = ("Paste an article to read (the text box is empty)." if not (text or "").strip() else
                       f"Cannot read this article: {err}.")
            raise gr.Error(message, title="Invalid input", print_exception=False) from None
        analysis = analyse_article(text, classifier)
        return {
            "passages": [{"start": p.start, "end": p.end, "text": p.text, "kind": p.kind, "speaker": p.speaker,
                          "role": p.role, "label": p.label, "confidence": p.confidence,
                          "probabilities": p.probabilities} for p in analysis.passages],
            "speakers": [{"speaker": sp.speaker, "role": sp.role, "passages": sp.passages, "label": sp.label,
                          "distribution": sp.distribution} for sp in analysis.speakers],
            "overall": analysis.overall,
        }

    def ui_article(text: str | None) -> tuple[list, pd.DataFrame | None, Any, pd.DataFrame | None, str]:
        """The Article tab: the text with passages coloured by stance, a per-speaker table, a chart
        of each speaker's stance and the passages. A failed request clears them all and says why."""
        try:
            result = read_article(text or "")
        except gr.Error as err:
            return [], None, None, None, f"**Not read.** {err.message}"
        article = text or ""
        segments: list[tuple[str, str | None]] = []
        pos = 0
        for p in result["passages"]:
            if p["start"] > pos:
                segments.append((article[pos:p["start"]], None))
            segments.append((article[p["start"]:p["end"]], p["label"]))
            pos = p["end"]
        if pos < len(article):
            segments.append((article[pos:], None))
        speakers = pd.DataFrame([[s["speaker"], s["role"], s["passages"], s["label"],
                                  *(f"{s['distribution'][lab]:.0%}" for lab in labels)] for s in result["speakers"]],
                                columns=["speaker", "role", "passages", "stance", *labels])
        chart = stance_chart(result["speakers"], labels) if result["speakers"] else None
        passages = pd.DataFrame([[p["speaker"], p["label"], f"{p['confidence']:.0%}",
                                  shorten(p["text"])]
                                 for p in result["passages"]], columns=["speaker", "stance", "confidence", "passage"])
        n, k = len(result["passages"]), len(result["speakers"])
        status = (f"{n} passage{'s' if n != 1 else ''} from {k} speaker{'s' if k != 1 else ''}." if n else
                  "No quoted or reported passage found: the article quotes no one, or in a way the reader "
                  "does not know (see the README for what it looks for).")
        return segments, speakers, chart, passages, status

    definitions = "\n".join(f"| `{lab}` | {DEFINITIONS.get(lab, UNKNOWN)} |" for lab in labels)
    info = {k: _fmt(model_info.get(k)) for k in ("source", "variant", "base_model", "training_data",
                                                    "test_accuracy", "test_macro_f1")}
    about = f"""### Labels

| label | definition |
|---|---|
{definitions}

### Model in use

| field | value |
|---|---|
| source | `{info['source']}` |
| weights | {info['variant']} |
| base model | {info['base_model']} |
| training data | {info['training_data']} |
| test accuracy | {info['test_accuracy']} |
| test macro-F1 | {info['test_macro_f1']} |

Statements longer than the model's window are split into overlapping windows whose probabilities are averaged.
Limits of this demo: {max_chars} characters per statement, {max_rows} statements per batch, {max_article_chars:,}
characters per article.
The training statements were written for this project in the style of the press; the model card gives its scores
on real published passages too. Probabilities are calibrated (a temperature fitted on held-out real passages is
folded into the model). A statement with no stance still receives one of the three labels unless you set a
minimum confidence: below it the result is `{UNCLEAR}`.
"""

    with gr.Blocks(title="c5-stance demo", analytics_enabled=False) as demo:
        gr.Markdown("# c5-stance\nStance of a Russian expert statement on a country's foreign engagement: "
                    + ", ".join(f"`{lab}`" for lab in labels) + ".")
        with gr.Tab("Statement"):
            with gr.Row():
                with gr.Column():
                    text = gr.Textbox(label="Statement (Russian)", lines=5, elem_id="input-text",
                                      placeholder="Вставьте высказывание эксперта…",
                                      info=f"Up to {max_chars} characters.")
                    min_conf = gr.Slider(0.0, 0.95, value=0.0, step=0.05, label="Minimum confidence",
                                         info="Below it the statement is reported as 'unclear' instead of "
                                              "forced into a stance (0: always pick one). The README shows what each "
                                              "threshold keeps and how often it is right.", elem_id="min-confidence")
                    button = gr.Button("Classify", variant="primary", elem_id="classify-btn")
                    statement_status = gr.Markdown(elem_id="statement-status")
                    gr.Examples(examples=[[e] for e in EXAMPLES], inputs=text,
                                example_labels=["balance-seeking", "pro-engagement", "skeptical",
                                                "hard case: benefit + doubt"])
                with gr.Column():
                    label = gr.Label(label="Stance", num_top_classes=3, elem_id="output-label")
                    highlight = gr.HighlightedText(label="Why: word occlusion", elem_id="explanation",
                                                   combine_adjacent=False, show_legend=False)
                    summary = gr.Markdown(label="Explanation summary", elem_id="explanation-summary")
            button.click(ui_statement, [text, min_conf], [label, highlight, summary, statement_status],
                         api_visibility="private", concurrency_id="model")

        with gr.Tab("Batch"):
            gr.Markdown(f"One statement per line, or a UTF-8 CSV with a `text` column (`,` or `;` separated), or a "
                        f"TXT file with one statement per line. At most {max_rows} statements; statements over "
                        f"{max_chars} characters are not classified and are marked in the `label` column.")
            with gr.Row():
                batch_text = gr.Textbox(label="Statements, one per line", lines=8, elem_id="batch-text")
                batch_file = gr.File(label="…or a CSV / TXT file", file_types=[".csv", ".txt", ".tsv"],
                                     type="filepath", elem_id="batch-file")
            batch_button = gr.Button("Classify all", variant="primary", elem_id="batch-btn")
            batch_status = gr.Markdown(elem_id="batch-status")
            # Fixed widths: otherwise long statements push the label and probabilities off screen.
            table = gr.Dataframe(headers=columns, label="Predictions", interactive=False, wrap=True,
                                 column_widths=["46%", "18%"] + [f"{36 // len(labels)}%"] * len(labels),
                                 elem_id="batch-table")
            download = gr.File(label="Download CSV", interactive=False, elem_id="batch-download")
            batch_button.click(ui_batch, [batch_text, batch_file], [table, download, batch_status],
                               api_visibility="private", concurrency_limit=BATCH_CONCURRENCY,
                               concurrency_id="batch")

        with gr.Tab("Article"):
            gr.Markdown("Paste a whole article: the reader finds every quoted or reported view (direct quotes, "
                        "«по словам …», «считает, что …», interview answers, op-ed paragraphs), names its speaker "
                        f"and classifies its stance. Up to {max_article_chars:,} characters.")
            article_text = gr.Textbox(label="Article (Russian)", lines=12, elem_id="article-text",
                                      placeholder="Вставьте текст статьи…")
            article_button = gr.Button("Read the article", variant="primary", elem_id="article-btn")
            gr.Examples(examples=[[ARTICLE_EXAMPLE]], inputs=article_text, example_labels=["two experts, three stances"])
            article_status = gr.Markdown(elem_id="article-status")
            article_view = gr.HighlightedText(label="Passages by stance", color_map=STANCE_COLOURS, show_legend=True,
                                              combine_adjacent=False, elem_id="article-highlight")
            with gr.Row(equal_height=False):
                speaker_table = gr.Dataframe(label="Speakers", interactive=False, wrap=True, scale=3,
                                             elem_id="article-speakers")
                speaker_chart = gr.Plot(scale=2, label="Each speaker's stance (weighted by confidence)", elem_id="article-chart")
            passage_table = gr.Dataframe(label="Passages", interactive=False, wrap=True, elem_id="article-passages",
                                         column_widths=["18%", "14%", "10%", "58%"])
            article_button.click(ui_article, [article_text],
                                 [article_view, speaker_table, speaker_chart, passage_table, article_status],
                                 api_visibility="private", concurrency_id="model")

        with gr.Tab("About"):
            gr.Markdown(about, elem_id="about")

        # The named API: the same functions, raising errors that gradio_client reports.
        gr.api(classify, api_name="classify", concurrency_id="model")
        gr.api(explain_api, api_name="explain", concurrency_id="model")
        gr.api(classify_batch, api_name="classify_batch", concurrency_limit=BATCH_CONCURRENCY,
               concurrency_id="batch")
        gr.api(read_article, api_name="article", concurrency_id="model")

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=MAX_QUEUE)
    return demo


def shorten(text: str) -> str:
    """A text cut at TABLE_TEXT_CHARS for a table cell (downloads keep it whole)."""
    return text if len(text) <= TABLE_TEXT_CHARS else text[:TABLE_TEXT_CHARS].rstrip() + " …"


def stance_chart(speakers: list[dict[str, Any]], labels: list[str]):
    """Stacked horizontal bars: each speaker's stance shares, in the stance colours."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [s["speaker"] for s in speakers][::-1]
    fig, ax = plt.subplots(figsize=(6, 1.0 + 0.45 * len(names)))
    left = [0.0] * len(names)
    for lab in labels:
        share = [s["distribution"][lab] for s in speakers][::-1]
        ax.barh(names, share, left=left, color=STANCE_COLOURS.get(lab), label=lab)
        left = [a + b for a, b in zip(left, share)]
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(ncol=len(labels), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


# --------------------------------------------------------------------------- command line


def _default_model() -> str:
    env = os.environ.get(MODEL_ENV, "").strip()
    if env:
        return env
    # The default is relative to the repo root; make it work from any working directory.
    if not DEFAULT_MODEL_DIR.exists() and (ROOT / DEFAULT_MODEL_DIR).exists():
        return str(ROOT / DEFAULT_MODEL_DIR)
    return str(DEFAULT_MODEL_DIR)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options of the demo."""
    ap = argparse.ArgumentParser(prog="python demo/app.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=_default_model(),
                    help=f"model folder or hub id (default: ${MODEL_ENV} if set, else {DEFAULT_MODEL_DIR}; "
                         f"create it with: {TRAIN_COMMAND})")
    ap.add_argument("--fast", action="store_true", help="the fast CPU path: bf16 weights where the CPU supports bf16 (AMX), else int8 dynamic quantization")
    # A Space sets GRADIO_SERVER_NAME=0.0.0.0 and the port: honour them, but bind to loopback otherwise.
    ap.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                    help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)), help="port (7860)")
    ap.add_argument("--share", action="store_true", help="also open a public gradio.live link (off by default)")
    ap.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="longest statement accepted (2000)")
    ap.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS, help="most statements per batch (500)")
    ap.add_argument("--max-article-chars", type=int, default=DEFAULT_MAX_ARTICLE_CHARS,
                    help=f"longest article accepted on the Article tab ({DEFAULT_MAX_ARTICLE_CHARS})")
    args = ap.parse_args(argv)
    if args.max_chars < 1 or args.max_rows < 1 or args.max_article_chars < 1:
        ap.error("--max-chars, --max-rows and --max-article-chars must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Load the model and serve the demo until interrupted. Exits with status 2 when the
    model cannot be found, after printing how to train one."""
    args = parse_args(argv)
    try:
        classifier = StanceClassifier(args.model, fast=args.fast)
    except ModelNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    demo = build_demo(classifier, describe_model(classifier.source, classifier.backend), args.max_chars, args.max_rows,
                      args.max_article_chars)
    demo.launch(server_name=args.host, server_port=args.port, share=args.share, max_file_size=MAX_UPLOAD,
                ssr_mode=False, footer_links=["api", "gradio", "settings"])


if __name__ == "__main__":
    main()
