"""The authoring checker catches what must be rewritten before a slice joins the corpus."""

import json

from data.authoring_check import check, main

META = {"partner": "us", "topic": "critical_minerals", "speaker_role": "economist", "speaker_country": "kazakhstan",
        "form": "analytic", "hook_text": "США и Казахстан подписали меморандум о вольфраме"}
PANEL = [
    ("pro-engagement", "Экономист уверен, что вольфрамовый меморандум приведёт на Караганду заказчиков, а с ними "
                       "и обогатительную фабрику, которой области давно не хватает."),
    ("skeptical", "Третий меморандум о редких металлах за пять лет; прежние два так и остались в папке министерства, "
                  "и ни одной тонны по ним никто не добыл."),
    ("balance-seeking", "Американский покупатель вольфрама встанет в очередь рядом с китайским, а не вместо него: "
                        "продавать тем, кто больше заплатит, никто в Астане не запрещал."),
]


def write(tmp_path, rows):
    path = tmp_path / "author_9.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_clean_panel_passes(tmp_path, capsys):
    path = write(tmp_path, [{"hook": "p9-001", "text": t, "label": lab, **META} for lab, t in PANEL])
    errors, _, rows = check(path)
    assert errors == [] and len(rows) == 3
    assert main([str(path)]) == 0 and "OK" in capsys.readouterr().out


def test_errors_name_the_line_and_the_fix(tmp_path):
    rows = [{"hook": "p9-001", "text": t, "label": lab, **META} for lab, t in PANEL]
    rows.append({**rows[0], "hook": "p9-002", "label": "neutral"})       # unknown label, duplicate text
    rows.append({**rows[1], "hook": "p9-003", "text": "Слишком коротко."})  # too short, lone label
    path = write(tmp_path, rows)
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    errors, _, _ = check(path)
    text = "\n".join(errors)
    assert "line 4: label='neutral'" in text
    assert "line 5: 2 words" in text
    assert "line 6: not JSON" in text
    assert "hook p9-003: labels ['skeptical'], need exactly one of each" in text
    assert "line 1: near-duplicate (1.00) of line 4: rewrite it" in text
    assert main([str(path)]) == 1


def test_press_stories_may_mix_labels_and_need_no_hook_text(tmp_path):
    meta = {k: v for k, v in META.items() if k != "hook_text"}
    story = [{"hook": "p9-s001", "round": "press", "text": t, "label": "skeptical", **meta} for _, t in PANEL[:2]]
    errors, _, rows = check(write(tmp_path, story))
    assert errors == [] and len(rows) == 2
    errors, _, _ = check(write(tmp_path, [{**story[0], "round": "panel"}]))
    assert any("missing ['hook_text']" in e for e in errors)
    errors, _, _ = check(write(tmp_path, [{**story[0], "round": "panel", "hook_text": "Новость"}]))
    assert any("hook p9-s001: labels ['skeptical'], need exactly one of each" in e for e in errors)
