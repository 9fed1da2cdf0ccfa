"""Every bad-input case of the data loader fails with a message a person can act on."""

import json

import pytest

from data.corpus import load_stance_dataset, parse_label_map
from data.validation import DataValidationError, read_records

LAB = ("balance-seeking", "pro-engagement", "skeptical")


DISTINCT = [
    "Астана держит ровную дистанцию со всеми столицами.", "Новые контракты по литию дадут заводу загрузку.",
    "Громкие обещания пока не подкреплены деньгами.", "Нейтралитет Ашхабада выдержал проверку временем.",
    "Японские гранты уже окупились в энергетике.", "Вашингтон быстро теряет интерес к региону.",
    "Мы не вступаем в блоки и не собираемся.", "Железная дорога сократит путь грузов вдвое.",
    "Кредиты придётся отдавать рудниками и дорогами.", "Ташкент дружит со всеми, но ни от кого не зависит.",
    "Корейские инженеры обучают наших студентов.", "Саммит запомнится лишь фотографиями.",
    "Пять республик вместе весомее, чем поодиночке.", "Европейские деньги на водород уже пришли.",
    "Санкционные риски перечеркнут выгоды сделки.", "Турция нам партнёр, но не старший брат.",
    "Совместная разработка месторождения даст налоги.", "Меморандумы пишутся, заводы не строятся.",
    "Бишкек ищет равновесие между соседями.", "Индийская фарма снизит цены на лекарства.",
    "Инвесторы из Залива приходят на короткий срок.", "Каспийский маршрут нужен нам как запасной выход.",
    "Университетские обмены с Сеулом растут каждый год.", "Зависимость от одного покупателя газа опасна.",
    "Душанбе не ставит на одну лошадь.", "Контракт на вольфрам принесёт технологии переработки.",
    "Дорожных карт подписано больше, чем построено дорог.", "Равные отношения со всеми — наш главный актив.",
    "Транзит через Казахстан приносит миллиарды.", "Обещания Брюсселя слишком часто остаются на бумаге.",
]


def rows(n_per_label=6):
    """Distinct statements (no two are near-duplicates), labels cycling."""
    out = []
    for i in range(n_per_label * 3):
        text = DISTINCT[i % len(DISTINCT)] + ("" if i < len(DISTINCT) else f" Раунд {i // len(DISTINCT)} переговоров.")
        out.append({"id": f"r{i}", "text": text, "label": LAB[i % 3]})
    return out


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def write_csv(path, records, encoding="utf-8", bom=False):
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(records[0]))
    w.writeheader()
    w.writerows(records)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_good_jsonl_loads_with_classlabel_and_stratified_split(tmp_path):
    ds = load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", rows(10))))
    assert set(ds) == {"train", "validation", "test"}
    assert ds["train"].features["label"].names == list(LAB)
    assert sum(len(ds[s]) for s in ds) == 30
    for s in ds:
        assert set(ds[s]["label"]) == {0, 1, 2}


def test_missing_column_names_columns_and_flag(tmp_path):
    recs = [{"statement": r["text"], "label": r["label"]} for r in rows()]
    with pytest.raises(DataValidationError) as e:
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    assert "missing column(s) ['text']" in str(e.value) and "--text-column" in str(e.value)
    ds = load_stance_dataset(str(tmp_path / "d.jsonl"), text_column="statement")
    assert len(ds["train"]) > 0


def test_empty_and_whitespace_texts_with_line_numbers(tmp_path):
    recs = rows()
    recs[2]["text"] = ""
    recs[4]["text"] = "   \t "
    with pytest.raises(DataValidationError) as e:
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    msg = str(e.value)
    assert "d.jsonl:3: empty text" in msg and "d.jsonl:5:" in msg


def test_unknown_labels_listed_with_lines_and_allowed_set(tmp_path):
    recs = rows()
    recs[0]["label"] = "neutral"
    recs[7]["label"] = "neutral"
    recs[3]["label"] = "pro"
    with pytest.raises(DataValidationError) as e:
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    msg = str(e.value)
    assert "'neutral' on line(s) 1, 8" in msg and "'pro' on line(s) 4" in msg
    assert "Allowed: balance-seeking, pro-engagement, skeptical" in msg


def test_label_map_renames_labels(tmp_path):
    m = {"balance-seeking": "bal", "pro-engagement": "pro", "skeptical": "skep"}
    recs = [{**r, "label": m[r["label"]]} for r in rows()]
    ds = load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)),
                             label_map="bal=balance-seeking,pro=pro-engagement,skep=skeptical")
    assert sum(len(ds[s]) for s in ds) == 18
    # Each row keeps its own label under our name (a count alone would not see labels swapped).
    gold = {r["text"]: r["label"] for r in rows()}
    got = {t: ds[s].features["label"].int2str(k) for s in ds for t, k in zip(ds[s]["text"], ds[s]["label"])}
    assert got == gold
    # A dict works the same, and the mapping itself is read as written.
    assert parse_label_map({"bal": "balance-seeking", "skep": "skeptical"}) == {"bal": "balance-seeking",
                                                                               "skep": "skeptical"}
    assert parse_label_map(" a = skeptical , b=pro-engagement") == {"a": "skeptical", "b": "pro-engagement"}
    with pytest.raises(DataValidationError, match="unknown label 'positive'"):
        parse_label_map("a=positive")


def test_duplicate_ids_and_texts(tmp_path):
    recs = rows()
    recs[5]["id"] = recs[1]["id"]
    recs[9]["text"] = recs[0]["text"].upper()
    with pytest.raises(DataValidationError) as e:
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    msg = str(e.value)
    assert "d.jsonl:6: duplicate id 'r1' (first seen at" in msg
    assert "d.jsonl:10: duplicate text (first seen at" in msg


def test_drop_invalid_reports_every_dropped_row(tmp_path):
    recs = rows(8)
    recs[1]["text"] = " "  # rows(8) = 24 rows
    recs[2]["label"] = "??"
    ds, report = load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)), drop_invalid=True,
                                     return_report=True)
    assert sum(len(ds[s]) for s in ds) == 22
    assert len(report.dropped) == 2 and "d.jsonl:2" in report.dropped[0] and "d.jsonl:3" in report.dropped[1]


def test_cp1251_file_is_named_with_fix(tmp_path):
    path = write_csv(tmp_path / "d.csv", rows(), encoding="cp1251")
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    msg = str(e.value)
    assert "not valid UTF-8" in msg and "cp1251" in msg and "iconv" in msg


def test_bom_csv_loads_and_is_reported(tmp_path):
    path = write_csv(tmp_path / "d.csv", rows(), bom=True)
    ds, report = load_stance_dataset(str(path), return_report=True)
    assert sum(len(ds[s]) for s in ds) == 18
    assert any("byte-order mark" in n for n in report.notes)


def test_broken_json_lines_reported_by_number(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", rows())
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:-5]
    lines[6] = "[1, 2]"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    msg = str(e.value)
    assert "d.jsonl:4: broken JSON line" in msg and "d.jsonl:7: expected a JSON object" in msg


def test_split_missing_a_label(tmp_path):
    recs = [{**r, "split": "train"} for r in rows(6)]
    for r in recs[:3]:
        r["split"] = "validation"
    for r in recs[3:6]:
        r["split"] = "test"
    recs[2]["label"] = recs[1]["label"] = recs[0]["label"]
    with pytest.raises(DataValidationError, match="split 'validation' has no example of label"):
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))


def test_leakage_between_splits_is_caught(tmp_path):
    recs = [{**r, "split": "train"} for r in rows(6)]
    for r in recs[:3]:
        r["split"] = "validation"
    for r in recs[3:6]:
        r["split"] = "test"
    recs[10]["text"] = recs[0]["text"].replace("Астана", "Столица")  # near-duplicate, different split
    with pytest.raises(DataValidationError, match="leakage: a text in 'train' and one in 'validation' are near-duplicates"):
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))


def test_huge_text_and_wrong_type(tmp_path):
    recs = rows()
    recs[0]["text"] = "а" * 6000
    recs[1]["text"] = 42
    with pytest.raises(DataValidationError) as e:
        load_stance_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    assert "too long (6000 characters > 5000)" in str(e.value)
    assert "d.jsonl:2: not text (int)" in str(e.value)


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(DataValidationError, match="no such file"):
        load_stance_dataset(str(tmp_path / "nope.csv"))
    (tmp_path / "d.xlsx").write_bytes(b"x")
    with pytest.raises(DataValidationError, match="unsupported file type '.xlsx'"):
        read_records(tmp_path / "d.xlsx")


def test_parquet_and_folder_of_splits(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = rows(6)
    pq.write_table(pa.Table.from_pylist(recs), tmp_path / "d.parquet")
    assert sum(len(s) for s in load_stance_dataset(str(tmp_path / "d.parquet")).values()) == 18
    folder = tmp_path / "splits"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", recs[:12])
    write_jsonl(folder / "dev.jsonl", recs[12:15])
    write_jsonl(folder / "test.jsonl", recs[15:])
    ds = load_stance_dataset(str(folder))
    assert (len(ds["train"]), len(ds["validation"]), len(ds["test"])) == (12, 3, 3)


def test_unreachable_hub_id_says_offline(monkeypatch):
    with pytest.raises(DataValidationError, match="cannot load 'someone/no-such-dataset'"):
        load_stance_dataset("someone/no-such-dataset")
