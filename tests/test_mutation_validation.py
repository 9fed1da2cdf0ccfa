"""Data validation, message by message and boundary by boundary: tests added for mutants
that survived ``scripts/mutation.sh`` (docs/mutation.md).

The messages are asserted whole: they are the interface of this module (a person reads
them to fix a file), so a changed word, line number or limit is a regression."""

from __future__ import annotations

import json

import pytest

from data.validation import (
    MAX_TEXT_CHARS,
    DataValidationError,
    Record,
    Report,
    check_splits,
    read_records,
    text_problem,
    validate_records,
)
from model.labels import LABELS

BAL, PRO, SKEP = LABELS


def recs(*rows: dict, source: str = "f.jsonl") -> list[Record]:
    return [Record(dict(r), source, i + 1) for i, r in enumerate(rows)]


def problems_of(excinfo) -> list[str]:
    return excinfo.value.problems


# --- DataValidationError, Report, Record -----------------------------------------------------


def test_error_message_lists_the_problems_then_the_hint():
    assert str(DataValidationError(["a: bad"])) == "1 problem(s) in the data:\n  a: bad"
    err = DataValidationError(("a: bad", "b: worse"), hint="Fix it.")
    assert str(err) == "2 problem(s) in the data:\n  a: bad\n  b: worse\nFix it."
    assert err.problems == ["a: bad", "b: worse"] and isinstance(err, ValueError)


@pytest.mark.parametrize("n, shown, more", [(50, 50, ""), (51, 50, "\n  ... and 1 more"), (53, 50, "\n  ... and 3 more")])
def test_error_message_shows_at_most_fifty_problems(n, shown, more):
    problems = [f"p{i}" for i in range(n)]
    text = str(DataValidationError(problems, hint="H"))
    assert text == f"{n} problem(s) in the data:\n  " + "\n  ".join(problems[:shown]) + more + "\nH"
    assert len(DataValidationError(problems).problems) == n  # the exception keeps all of them


def test_report_text():
    assert str(Report()) == "no problems"
    assert str(Report(notes=["n1", "n2"], dropped=["d1"])) == "note: n1\nnote: n2\ndropped: d1"
    assert str(Report(dropped=["d1", "d2"])) == "dropped: d1\ndropped: d2"


def test_record_says_where_it_is():
    assert Record({"text": "x"}, "data/a.csv", 7).where == "data/a.csv:7"


# --- decoding --------------------------------------------------------------------------------


def test_bom_is_dropped_and_noted(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"\xef\xbb\xbfone\ntwo\n")
    records, report = read_records(path)
    assert [r.values["text"] for r in records] == ["one", "two"]
    assert report.notes == [f"{path}: starts with a UTF-8 byte-order mark (BOM); it was ignored"]
    _, report = read_records(_write(tmp_path / "plain.txt", "one\n"))
    assert report.notes == []


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_utf8_names_line_byte_offset_and_cp1251(tmp_path):
    path = tmp_path / "d.csv"
    raw = b"text,label\nok,skeptical\n" + "Нейтралитет и баланс,x\n".encode("cp1251")
    path.write_bytes(raw)
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    offset = len(b"text,label\nok,skeptical\n")
    assert problems_of(e) == [f"{path}:3: not valid UTF-8 (byte 0x{raw[offset]:02x} at offset {offset}). "
                              "It looks like Windows-1251 (cp1251)."]
    assert str(e.value).endswith(f"\nSave the file as UTF-8, e.g.: iconv -f cp1251 -t utf-8 '{path}' > fixed.csv")


def test_invalid_utf8_without_cyrillic_gets_no_cp1251_guess(tmp_path):
    latin = tmp_path / "d.txt"
    latin.write_bytes(b"plain latin text, mostly\nand one \xe9 byte\n")
    with pytest.raises(DataValidationError) as e:
        read_records(latin)
    assert problems_of(e) == [f"{latin}:2: not valid UTF-8 (byte 0xe9 at offset 33)."]
    # 0x98 is not a character in cp1251 either: still no guess, and no crash.
    junk = tmp_path / "j.jsonl"
    junk.write_bytes(b"\x98\x98")
    with pytest.raises(DataValidationError) as e:
        read_records(junk)
    assert problems_of(e) == [f"{junk}:1: not valid UTF-8 (byte 0x98 at offset 0)."]
    assert "> fixed.jsonl" in str(e.value)


def test_cp1251_guess_needs_more_than_a_fifth_of_the_text_cyrillic(tmp_path):
    """A few Cyrillic letters among Latin text are not enough to call it cp1251. The letters
    used are the ends of the alphabet in both cases, so that each one counts."""
    cyrillic = "аяАЯж".encode("cp1251")
    path = tmp_path / "d.txt"
    path.write_bytes(b"a" * 20 + cyrillic)  # 5 of 25 characters: 20 %, not more
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [f"{path}:1: not valid UTF-8 (byte 0xe0 at offset 20)."]
    path.write_bytes(b"a" * 19 + cyrillic)  # 5 of 24: above 20 %
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [f"{path}:1: not valid UTF-8 (byte 0xe0 at offset 19). It looks like Windows-1251 (cp1251)."]


# --- reading each format ---------------------------------------------------------------------


def test_missing_file_and_unsupported_type_messages(tmp_path):
    with pytest.raises(DataValidationError) as e:
        read_records(tmp_path / "nope.csv")
    assert str(e.value) == (f"1 problem(s) in the data:\n  {tmp_path / 'nope.csv'}: no such file\n"
                            "Check the path (relative paths start from the current folder).")
    (tmp_path / "d.xlsx").write_bytes(b"x")
    with pytest.raises(DataValidationError) as e:
        read_records(tmp_path / "d.xlsx")
    assert str(e.value) == (f"1 problem(s) in the data:\n  {tmp_path / 'd.xlsx'}: unsupported file type '.xlsx'\n"
                            "Use one of: .jsonl, .json, .csv, .tsv, .parquet, .txt.")


def test_suffix_case_does_not_matter(tmp_path):
    records, _ = read_records(_write(tmp_path / "D.CSV", "text,label\nпривет,skeptical\n"))
    assert [(r.values, r.line) for r in records] == [({"text": "привет", "label": "skeptical"}, 2)]
    records, _ = read_records(_write(tmp_path / "D.TXT", "привет\n"))
    assert [r.values for r in records] == [{"text": "привет"}]


def test_jsonl_lines_keep_their_numbers_across_blank_lines(tmp_path):
    path = _write(tmp_path / "d.jsonl", '{"text": "a"}\n\n   \n{"text": "b"}\n')
    records, report = read_records(path)
    assert [(r.values, r.source, r.line) for r in records] == [({"text": "a"}, str(path), 1),
                                                               ({"text": "b"}, str(path), 4)]
    assert str(report) == "no problems"


def test_jsonl_problems_are_all_listed_with_the_hint(tmp_path):
    path = _write(tmp_path / "d.jsonl", '{"text": "a"}\n{"text": \n"just a string"\n{"text": "b"}\n[1]\n')
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [
        f"{path}:2: broken JSON line (Expecting value at column 10)",
        f"{path}:3: expected a JSON object, got str",
        f"{path}:5: expected a JSON object, got list",
    ]
    assert str(e.value).endswith("\nEach line of a JSONL file must be one complete JSON object.")


def test_a_json_file_may_hold_lines_or_an_array(tmp_path):
    lines = _write(tmp_path / "lines.json", '{"text": "a"}\n{"text": "b"}\n')
    assert [(r.values["text"], r.line) for r in read_records(lines)[0]] == [("a", 1), ("b", 2)]
    array = _write(tmp_path / "array.json", '  \n [{"text": "a"}, 5, {"text": "b"}]')
    records, _ = read_records(array)
    # Non-objects are skipped; the others keep their position in the array.
    assert [(r.values["text"], r.line, r.source) for r in records] == [("a", 1, str(array)), ("b", 3, str(array))]


def test_a_broken_json_array_names_its_line(tmp_path):
    path = _write(tmp_path / "d.json", '[{"text": "a"},\n {"text": }]')
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [f"{path}:2: broken JSON (Expecting value)"]


def test_csv_line_numbers_follow_the_file_even_with_multiline_texts(tmp_path):
    path = _write(tmp_path / "d.csv", 'text,label\n"two\nlines",skeptical\nthird,pro-engagement\n')
    records, _ = read_records(path)
    assert [(r.values, r.line, r.source) for r in records] == [
        ({"text": "two\nlines", "label": "skeptical"}, 3, str(path)),
        ({"text": "third", "label": "pro-engagement"}, 4, str(path)),
    ]


def test_tsv_is_split_on_tabs_only(tmp_path):
    path = _write(tmp_path / "d.tsv", "text\tlabel\nда, конечно\tskeptical\n")
    assert [r.values for r in read_records(path)[0]] == [{"text": "да, конечно", "label": "skeptical"}]


def test_csv_row_with_too_many_fields(tmp_path):
    path = _write(tmp_path / "d.csv", "text,label\nfine,skeptical\nда, нет,skeptical\n")
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [f"{path}:3: more fields than the header has (an unquoted ',' in a text?)"]
    assert str(e.value).endswith('\nQuote texts that contain the delimiter: "like, this".')
    tsv = _write(tmp_path / "d.tsv", "text\tlabel\nда\tнет\tskeptical\n")
    with pytest.raises(DataValidationError) as e:
        read_records(tsv)
    assert problems_of(e) == [f"{tsv}:2: more fields than the header has (an unquoted '\t' in a text?)"]


def test_csv_parser_errors_are_reported_with_the_line(tmp_path):
    path = _write(tmp_path / "d.csv", "text,label\nok,skeptical\n" + "x" * 200_000 + ",skeptical\n")
    with pytest.raises(DataValidationError) as e:
        read_records(path)
    assert problems_of(e) == [f"{path}:3: broken CSV (field larger than field limit (131072))"]


def test_txt_lines_are_stripped_and_blank_ones_skipped(tmp_path):
    path = _write(tmp_path / "d.txt", "  первая  \n\n \t\nвторая\n")
    records, _ = read_records(path)
    assert [(r.values, r.line, r.source) for r in records] == [({"text": "первая"}, 1, str(path)),
                                                               ({"text": "вторая"}, 4, str(path))]


def test_parquet_rows_are_numbered_like_lines_after_a_header(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist([{"text": "a"}, {"text": "b"}]), path)
    records, report = read_records(path)
    assert [(r.values, r.line, r.source) for r in records] == [({"text": "a"}, 2, str(path)),
                                                               ({"text": "b"}, 3, str(path))]
    assert report.notes == []
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(DataValidationError) as e:
        read_records(bad)
    assert len(problems_of(e)) == 1 and problems_of(e)[0].startswith(f"{bad}: cannot read as Parquet: ")


# --- text_problem ----------------------------------------------------------------------------


def test_text_problem_reasons_and_the_length_limit():
    assert text_problem("Текст.") == ""
    assert text_problem(None) == "not text (NoneType)"
    assert text_problem(3.5) == "not text (float)"
    assert text_problem("") == "empty text"
    assert text_problem(" \t\n") == "empty text"
    assert text_problem("я" * MAX_TEXT_CHARS) == ""
    assert text_problem("я" * (MAX_TEXT_CHARS + 1)) == f"too long ({MAX_TEXT_CHARS + 1} characters > {MAX_TEXT_CHARS})"
    assert text_problem("abcd", max_chars=4) == ""
    assert text_problem("abcde", max_chars=4) == "too long (5 characters > 4)"


# --- validate_records ------------------------------------------------------------------------


def test_no_rows():
    with pytest.raises(DataValidationError) as e:
        validate_records([])
    assert str(e.value) == "1 problem(s) in the data:\n  no rows found\nIs the file empty, or is every line blank?"


def test_missing_columns_name_the_file_and_what_was_found():
    rows = recs({"body": "a", "stance": BAL}, {"body": "b", "extra": 1}, source="in.csv")
    with pytest.raises(DataValidationError) as e:
        validate_records(rows)
    assert problems_of(e) == ["in.csv: missing column(s) ['text', 'label']; found ['body', 'extra', 'stance']"]
    assert str(e.value).endswith(
        "\nMap your columns with --text-column / --label-column (or text_column=, label_column=).")
    with pytest.raises(DataValidationError) as e:
        validate_records(rows, text_column="body")
    assert problems_of(e) == ["in.csv: missing column(s) ['label']; found ['body', 'extra', 'stance']"]
    with pytest.raises(DataValidationError) as e:
        validate_records(recs({"text": "Один."}, source="one.csv"))
    assert problems_of(e) == ["one.csv: missing column(s) ['label']; found ['text']"]


def test_clean_rows_use_our_column_and_label_names():
    rows = recs({"id": 1, "body": "  Первый текст. ", "stance": " pos "}, {"id": 2, "body": "Второй.", "stance": SKEP})
    clean, report = validate_records(rows, text_column="body", label_column="stance", label_map={"pos": PRO})
    assert [r.values for r in clean] == [
        {"id": 1, "body": "  Первый текст. ", "stance": " pos ", "text": "Первый текст.", "label": PRO},
        {"id": 2, "body": "Второй.", "stance": SKEP, "text": "Второй.", "label": SKEP},
    ]
    assert [(r.source, r.line) for r in clean] == [("f.jsonl", 1), ("f.jsonl", 2)]
    assert str(report) == "no problems"


def test_without_a_label_column_no_label_is_needed_or_added():
    clean, _ = validate_records(recs({"text": "Один."}, {"text": "Два.", "label": "anything"}), label_column=None)
    assert [r.values for r in clean] == [{"text": "Один."}, {"text": "Два.", "label": "anything"}]


def test_row_problems_are_listed_in_order_with_where():
    rows = recs({"text": "", "label": BAL}, {"text": 5, "label": "pro"}, {"text": "ok", "label": None},
                {"text": "x" * 11, "label": SKEP}, {"text": "Хорошо.", "label": SKEP})
    with pytest.raises(DataValidationError) as e:
        validate_records(rows, max_chars=10)
    assert problems_of(e) == [
        "f.jsonl:1: empty text",
        "f.jsonl:2: not text (int)",
        "f.jsonl:2: unknown label 'pro'",
        "f.jsonl:3: unknown label ''",
        "f.jsonl:4: too long (11 characters > 10)",
        f"unknown labels: 'pro' on line(s) 2; '' on line(s) 3. Allowed: {BAL}, {PRO}, {SKEP}",
    ]
    assert str(e.value).endswith(
        "\nFix these rows, map label names with --label-map 'yours=ours,...', "
        "or pass --drop-invalid to drop them (each dropped row is reported).")


def test_unknown_label_lines_are_cut_after_ten():
    rows = recs(*({"text": f"Текст {i}.", "label": "neutral"} for i in range(11)),
                *({"text": f"Другой {i}.", "label": "x"} for i in range(10)))
    with pytest.raises(DataValidationError) as e:
        validate_records(rows)
    assert problems_of(e)[-1] == ("unknown labels: 'neutral' on line(s) 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ...; "
                                  "'x' on line(s) 12, 13, 14, 15, 16, 17, 18, 19, 20, 21. "
                                  f"Allowed: {BAL}, {PRO}, {SKEP}")


def test_duplicates_ignore_case_and_spacing_and_count_only_valid_rows():
    rows = recs({"id": "a", "text": "Один  и ДВА.", "label": "bad"},   # invalid: not remembered
                {"id": "a", "text": "один и два.", "label": BAL},      # so this is the first
                {"id": "b", "text": " ОДИН и два. ", "label": PRO},    # duplicate text of line 2
                {"id": "a", "text": "Три.", "label": SKEP},            # duplicate id of line 2
                {"id": "", "text": "Четыре.", "label": SKEP},          # empty ids are not compared
                {"id": "", "text": "Пять.", "label": SKEP},
                {"id": None, "text": "Шесть.", "label": SKEP},
                {"id": None, "text": "Семь.", "label": SKEP},
                {"text": "Восемь.", "label": SKEP})
    with pytest.raises(DataValidationError) as e:
        validate_records(rows)
    assert problems_of(e) == [
        "f.jsonl:1: unknown label 'bad'",
        "f.jsonl:3: duplicate text (first seen at f.jsonl:2)",
        "f.jsonl:4: duplicate id 'a' (first seen at f.jsonl:2)",
        "unknown labels: 'bad' on line(s) 1. Allowed: balance-seeking, pro-engagement, skeptical",
    ]


def test_texts_that_only_look_alike_in_capitals_are_not_duplicates():
    """Case is ignored by lower-casing: «Straße» and «STRASSE» differ (upper-casing would merge them)."""
    clean, _ = validate_records(recs({"text": "Die Straße.", "label": BAL}, {"text": "DIE STRASSE.", "label": BAL}))
    assert len(clean) == 2


def test_duplicate_ids_of_different_types_and_no_id_column():
    rows = recs({"id": 7, "text": "Один.", "label": BAL}, {"id": "7", "text": "Два.", "label": BAL})
    with pytest.raises(DataValidationError) as e:
        validate_records(rows)
    assert problems_of(e) == ["f.jsonl:2: duplicate id '7' (first seen at f.jsonl:1)"]
    assert len(validate_records(rows, id_column=None)[0]) == 2
    assert len(validate_records(rows, id_column="key")[0]) == 2


def test_drop_invalid_keeps_the_good_rows_and_reports_the_others():
    rows = recs({"text": "Хорошо.", "label": BAL}, {"text": "", "label": BAL}, {"text": "Плохо.", "label": "?"},
                {"text": "хорошо.", "label": PRO})
    report = Report(notes=["earlier note"])
    clean, got = validate_records(rows, drop_invalid=True, report=report)
    assert got is report
    assert [r.values["text"] for r in clean] == ["Хорошо."]
    assert report.notes == ["earlier note"]
    # The summary of unknown labels is not a row, so it is not listed as dropped.
    assert report.dropped == ["f.jsonl:2: empty text", "f.jsonl:3: unknown label '?'",
                              "f.jsonl:4: duplicate text (first seen at f.jsonl:1)"]
    _, fresh = validate_records(rows, drop_invalid=True)
    assert fresh.dropped == report.dropped and fresh.notes == []


# --- check_splits ----------------------------------------------------------------------------


def test_check_splits_names_missing_labels_and_leaks():
    long_a = "Казахстан держит ровную дистанцию со всеми столицами региона и не собирается менять курс."
    long_b = "Казахстан держит ровную дистанцию со всеми столицами региона и не собирается менять курс!"
    splits = {"train": [long_a, "Совсем другой текст о кредитах."], "test": [long_b, "Ещё один текст."]}
    labels = {"train": [BAL, PRO, SKEP], "test": [BAL, BAL]}
    problems = check_splits(splits, labels)
    assert problems[0] == f"split 'test' has no example of label(s) ['{PRO}', '{SKEP}']"
    assert len(problems) == 2
    assert problems[1].startswith("leakage: a text in 'train' and one in 'test' are near-duplicates (Jaccard 0.")
    assert problems[1].endswith(f"): {long_a[:60]!r} / {long_b[:60]!r}")
    # The same pair inside one split is not leakage; a threshold above their similarity is not either.
    assert check_splits({"train": [long_a, long_b]}, {"train": list(LABELS)}) == []
    assert check_splits(splits, {"train": list(LABELS), "test": list(LABELS)}, threshold=0.999) == []


def test_check_splits_reports_the_similarity_to_two_decimals():
    a = "один два три четыре пять шесть семь восемь девять десять"
    splits = {"train": [a], "validation": [a]}
    problems = check_splits(splits, {"train": list(LABELS), "validation": list(LABELS)})
    assert problems == [f"leakage: a text in 'train' and one in 'validation' are near-duplicates (Jaccard 1.00): "
                        f"{a[:60]!r} / {a[:60]!r}"]


def test_jsonl_round_trip_through_validation(tmp_path):
    """Reading and validating together: the line numbers in messages are the file's."""
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in
                              [{"text": "Один.", "label": BAL}, {}, {"text": "Два.", "label": "??"}]),
                    encoding="utf-8")
    records, report = read_records(path)
    with pytest.raises(DataValidationError) as e:
        validate_records(records, report=report)
    assert problems_of(e)[:3] == [f"{path}:2: not text (NoneType)", f"{path}:2: unknown label ''",
                                  f"{path}:3: unknown label '??'"]
