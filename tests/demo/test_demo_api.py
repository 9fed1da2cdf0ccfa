"""The demo's named API endpoints through gradio_client, and its input handling."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from demo.app import EXAMPLES, BatchInputError, _read_upload, describe_model
from model.labels import LABELS


@pytest.fixture(scope="module")
def client(running_demo):
    from gradio_client import Client

    # analytics_enabled=False: the client otherwise phones home whatever GRADIO_ANALYTICS_ENABLED says.
    return Client(running_demo.url, analytics_enabled=False, verbose=False, download_files=False)


def _probabilities(label_value: dict) -> dict[str, float]:
    return {c["label"]: c["confidence"] for c in label_value["confidences"]}


def test_classify_returns_three_probabilities(client):
    out = client.predict("Казахстан не будет выбирать между Россией и Китаем.", api_name="/classify")
    probs = _probabilities(out)
    assert set(probs) == set(LABELS)
    assert math.isclose(sum(probs.values()), 1.0, abs_tol=1e-3)
    assert out["label"] == max(probs, key=probs.get)


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_are_classified(client, text):
    assert _probabilities(client.predict(text, api_name="/classify")).keys() == set(LABELS)


def test_empty_input_is_an_error_not_a_crash(client):
    from gradio_client.exceptions import AppError

    for empty in ("", "   \n\t "):
        with pytest.raises(AppError, match="empty"):
            client.predict(empty, api_name="/classify")
    # The server is still serving afterwards.
    assert _probabilities(client.predict("нефть и газ", api_name="/classify"))


def test_over_long_input_names_the_limit(client, running_demo):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=rf"too long \(\d+ characters > {running_demo.max_chars}\)"):
        client.predict("а" * (running_demo.max_chars + 1), api_name="/classify")


def test_explain_covers_the_text(client, running_demo):
    text = "Инвестиции из Японии дадут технологии, но риск зависимости велик."
    tokens, summary = client.predict(text, api_name="/explain")
    assert "".join(t["token"] for t in tokens) == text
    weights = [t["class_or_confidence"] for t in tokens]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert max(abs(w) for w in weights) == 1.0  # scaled to the strongest word
    assert "Predicted" in summary
    # Each chip is a word (plus the spaces and punctuation after it); its weight is, up to the
    # scaling, how much the predicted label's log-odds drop when that word is removed,
    # computed here straight from the model: the sign says toward (+) or away from (-) it.
    clf = running_demo.classifier
    probs, _ = clf.probabilities([text])
    k = int(probs[0].argmax())
    chips = [t["token"] for t in tokens]
    words = [re.match(r"\w[\w\-’']*", c).group() for c in chips]
    variants = ["".join(c[len(w):] if j == i else c for j, (c, w) in enumerate(zip(chips, words)))
                for i, w in enumerate(words)]
    def logit(p):
        return np.log(p) - np.log1p(-p)

    drops = logit(probs[0, k]) - logit(clf.probabilities(variants)[0][:, k])
    assert (drops > 0).any() and (drops < 0).any()  # the demo model has words on both sides
    assert weights == pytest.approx(list(drops / abs(drops).max()), abs=2e-3)
    toward = words[int(drops.argmax())]
    assert f"Predicted **{clf.labels[k]}**" in summary and f"toward it: **{toward}**" in summary


def test_classify_batch_list_keeps_rows_and_reports_bad_ones(client, running_demo):
    texts = ["Многовекторность — наш курс.", "", "б" * (running_demo.max_chars + 1), "Прорыва не будет."]
    table = client.predict(texts, api_name="/classify_batch")
    assert table["headers"] == ["text", "label", *LABELS]
    rows = table["data"]
    assert len(rows) == 4
    assert rows[1][1] == "skipped: empty text" and rows[1][2:] == [None, None, None]
    assert rows[2][1].startswith("skipped: too long (")
    for row in (rows[0], rows[3]):
        assert row[1] in LABELS
        assert math.isclose(sum(row[2:]), 1.0, abs_tol=1e-3)


def test_classify_batch_newline_text_drops_blank_lines(client):
    rows = client.predict("первый\n\nвторой\nтретий\n", api_name="/classify_batch")["data"]
    assert [r[0] for r in rows] == ["первый", "второй", "третий"]


def test_classify_batch_rejects_too_many_rows(client, running_demo):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=f"limit is {running_demo.max_rows}"):
        client.predict(["текст"] * (running_demo.max_rows + 1), api_name="/classify_batch")


# --------------------------------------------------------------------------- uploads


def test_csv_upload_comma_semicolon_and_bom(tmp_path):
    comma = tmp_path / "a.csv"
    comma.write_text('id,text\n1,"Первый, с запятой"\n2,\n3,Третий\n', encoding="utf-8")
    assert _read_upload(str(comma)) == (["Первый, с запятой", "", "Третий"], True)
    semi = tmp_path / "b.csv"
    semi.write_bytes("Text;source\nОдин;x\nДва;y\n".encode("utf-8-sig"))
    assert _read_upload(str(semi))[0] == ["Один", "Два"]


def test_txt_upload_one_per_line(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("один\n\nдва\r\nтри\n", encoding="utf-8")
    assert _read_upload(str(txt)) == (["один", "два", "три"], False)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "statement,id\nтекст,1\n".encode(), "no 'text' column"),
        ("a.csv", "text\nтекст\n".encode("cp1251"), "not UTF-8"),
        ("a.csv", b"", "empty"),
        ("a.txt", b"  \n\n", "empty"),
        ("a.csv", b"text\n", "no rows"),
    ],
)
def test_bad_uploads_have_clear_messages(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BatchInputError, match=message):
        _read_upload(str(path))


# --------------------------------------------------------------------------- about tab


def test_describe_model_reads_metrics_and_card(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({
        "test": {"accuracy": 0.8123, "macro_f1": 0.7956},
        "run": {"model": {"base_model": "embedded"}, "data": {"data": "bundled"},
                "train_rows": 800, "validation_rows": 100, "test_rows": 100},
    }))
    (tmp_path / "README.md").write_text("---\nbase_model: intfloat/multilingual-e5-small\n---\n\n# card\n")
    info = describe_model(str(tmp_path))
    assert info["base_model"] == "intfloat/multilingual-e5-small"
    assert info["test_accuracy"] == "0.812" and info["test_macro_f1"] == "0.796"
    assert "800 train" in info["training_data"]


def test_describe_model_unknown_without_files(demo_model_dir):
    info = describe_model(str(demo_model_dir))
    assert info["source"] == str(demo_model_dir)
    assert {info[k] for k in ("base_model", "training_data", "test_accuracy", "test_macro_f1")} == {"unknown"}


def test_minimum_confidence_gives_unclear_and_keeps_the_probabilities(client):
    text = "Казахстан не будет выбирать между Россией и Китаем."
    plain = client.predict(text, 0.0, api_name="/classify")
    strict = client.predict(text, 0.95, api_name="/classify")
    assert plain["label"] in LABELS and max(_probabilities(plain).values()) < 0.95  # the test model is unsure here
    assert strict["label"] == "unclear"
    assert _probabilities(strict) == _probabilities(plain)


ARTICLE = ("Политолог Бахтияр Ержанов считает, что курс останется многовекторным.\n\n"
           "«Прорыва не будет, — говорит он. — Но и риск невелик».\n\n"
           "По мнению экономиста Дильнозы Рахимовой, инвестиции в коридор окупятся.\n\n"
           "Новые соглашения принесут выгоду, считают эксперты.")


def test_article_endpoint_gives_passages_speakers_and_offsets(client):
    out = client.predict(ARTICLE, api_name="/article")
    passages = out["passages"]
    assert len(passages) == 4
    for p in passages:
        assert ARTICLE[p["start"]:p["end"]] == p["text"]
        assert p["label"] == max(p["probabilities"], key=p["probabilities"].get)
    assert [p["speaker"] for p in passages] == ["Бахтияр Ержанов", "Бахтияр Ержанов", "Дильноза Рахимова",
                                                "experts (group)"]
    speakers = {s["speaker"]: s for s in out["speakers"]}
    assert speakers["Бахтияр Ержанов"]["passages"] == 2 and speakers["Бахтияр Ержанов"]["role"] == "политолог"
    assert math.isclose(sum(out["overall"].values()), 1.0, abs_tol=1e-3)


def test_article_endpoint_rejects_empty_and_huge_articles(client, running_demo):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("  ", api_name="/article")
    from demo.app import DEFAULT_MAX_ARTICLE_CHARS

    with pytest.raises(AppError, match="limit"):
        client.predict("а" * (DEFAULT_MAX_ARTICLE_CHARS + 1), api_name="/article")


def test_article_example_reads_as_written(client):
    from demo.app import ARTICLE_EXAMPLE

    out = client.predict(ARTICLE_EXAMPLE, api_name="/article")
    assert [p["speaker"] for p in out["passages"]] == ["Айдана Серикбаева"] * 3 + ["Тимур Абенов", "experts (group)"]
    assert [s["speaker"] for s in out["speakers"]] == ["Айдана Серикбаева", "Тимур Абенов", "experts (group)"]
