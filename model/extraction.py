"""Finding the passages of an article that carry someone's view, with character offsets.

The span rules are the ones the gold articles are annotated by (``data/articles/README.md``):

- direct quotes: the text inside the quotation marks, when an attribution follows
  (``«…», — говорит он.``), a colon introduces it (``Эксперт уверен: «…»``) or the quote is a
  whole paragraph; a quote split by its attribution is one passage;
- reported speech: the whole sentence carrying a reporting cue (``по его словам``,
  ``считает, что``, ``…, уверен аналитик.``), plus the next sentences of the paragraph that go
  on without a cue of their own;
- interviews: each answer paragraph; op-eds (``Автор: …`` byline): each body paragraph.

Each passage also keeps its *attribution zone*: the stretch of text outside the quoted content
that says who speaks (``— говорит он``, ``По словам Марата Шибутова``). Who that is, is
decided by :mod:`model.attribution`. Sentences come from ``razdel``; the cues are a small
lexicon of Russian reporting verbs and phrases, because no registry library tags reported
speech.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from razdel import sentenize

# Reporting verbs, in the forms press uses (present and past, all genders and numbers).
_VERB_STEMS = (
    r"счита(?:ет|ют|л|ла|ли)|полага(?:ет|ют|л|ла|ли)|увер(?:ен|ена|ены)|убежд(?:ен|ена|ены)|"
    r"отмеча(?:ет|ют|л|ла|ли)|отмети(?:л|ла|ли)|подчерки?ва(?:ет|ют|л|ла|ли)|подчеркну(?:л|ла|ли)|"
    r"заяв(?:ил|ила|или|ляет|ляют)|сказа(?:л|ла|ли)|говори(?:т|л|ла|ли)|говорят|"
    r"добав(?:ил|ила|или|ляет|ляют)|дополни(?:л|ла|ли)|дополняет|поясн(?:ил|ила|или|яет|яют)|"
    r"объясн(?:ил|ила|или|яет|яют)|указ(?:ал|ала|али|ывает|ывают)|обраща(?:ет|ют)|обрати(?:л|ла|ли)|"
    r"напомн(?:ил|ила|или)|напомина(?:ет|ют)|призна(?:л|ла|ли|ёт|ет|ют)|предупрежда(?:ет|ют|л|ла)|"
    r"предупреди(?:л|ла|ли)|сомнева(?:ется|ются|лся|лась)|допуска(?:ет|ют|л|ла)|"
    r"не исключа(?:ет|ют|л|ла)|прогнозиру(?:ет|ют)|ожида(?:ет|ют)|дума(?:ет|ют)|"
    r"констатиру(?:ет|ют)|констатирова(?:л|ла)|резюмиру(?:ет)|резюмирова(?:л|ла)|"
    r"настаива(?:ет|ют|л|ла)|призыва(?:ет|ют|л|ла)|призва(?:л|ла)|убеждён|уверяет|"
    r"утвержда(?:ет|ют|л|ла)|рассказа(?:л|ла|ли)|рассказыва(?:ет|ют)|уточни(?:л|ла|ли)|уточняет|"
    r"размышля(?:ет|ют)|рассужда(?:ет|ют)|соглаша(?:ется|ются)|соглас(?:ен|на|ны)|"
    r"замети(?:л|ла|ли)|замеча(?:ет|ют)|подытожи(?:л|ла)|подводит итог|оценива(?:ет|ют)|"
    r"оцени(?:л|ла|ли)|назва(?:л|ла|ли)|называ(?:ет|ют)|охарактеризова(?:л|ла|ли)|"
    r"характеризу(?:ет|ют)|видит|видят|усматрива(?:ет|ют)|выража(?:ет|ют)|выразил|выразила|"
    r"высказа(?:л|ла)|опасается|опасаются|скептически|задаётся вопросом|задается вопросом|"
    r"прогнозирова(?:л|ла)|предполага(?:ет|ют|л|ла)|предположи(?:л|ла)|акцентирова(?:л|ла)|"
    r"акцентиру(?:ет|ют)|конста(?:тирует)|убеждает|предостерега(?:ет|ют)|"
    r"сообщи(?:л|ла|ли)|продолжа(?:ет|ют)|продолжил|продолжила|ответи(?:л|ла)|отвеча(?:ет|ют)|"
    r"полагаю|считаю|уверен|думаю|пиш(?:ет|ут)|написа(?:л|ла)|убежден|сход(?:ятся|ится) во мнении|"
    r"един(?:ы|о)? во мнении|солидарн(?:ы|а)?|соглас(?:ились|ился|илась)|сход(?:ятся|ится) в том|"
    r"сош(?:лись|елся|лась) во мнении|свод(?:ится|ятся) к тому|возрази(?:л|ла|ли)|возража(?:ет|ют)|"
    r"парир(?:ует|овал|овала)|подчёркива(?:ет|ют|л|ла|ли)|подчеркнул|подчеркнула"
)
_VERB = rf"(?:{_VERB_STEMS})"
# Verbs whose content is an object, not a clause: «Эксперт назвал саммит витриной.»
_OBJECT_VERB = re.compile(r"\b(?:назва(?:л|ла|ли)|называ(?:ет|ют)|охарактеризова(?:л|ла|ли)|оцени(?:л|ла|ли)|"
                          r"оценива(?:ет|ют)|видит|видят|усматрива(?:ет|ют)|сомнева(?:ется|ются|лся|лась)|"
                          r"выража(?:ет|ют)|выразил|выразила|предупрежда(?:ет|ют)|ожида(?:ет|ют)|"
                          r"призыва(?:ет|ют|л|ла)|призва(?:л|ла)|не исключа(?:ет|ют|л|ла)|допуска(?:ет|ют))\b", re.I)
_SOURCE_NOUN = r"(?:словам|мнению|оценке|оценкам|убеждению|прогнозу|прогнозам|выражению|мысли|признанию|наблюдению|наблюдениям)"
# «По словам X, …», «по его мнению», «по оценке экспертов»; «по данным» is a statistic, not a view.
_PARENTHETICAL = re.compile(rf"\b(?:по|согласно)\s+(?P<pronoun>(?:его|её|ее|их|моему|нашему)\s+)?{_SOURCE_NOUN}\b", re.I)
# «Как отмечает политолог Газиз Абишев, …»
_AS_SAYS = re.compile(rf"\b[Кк]ак\s+(?:уже\s+|ранее\s+|справедливо\s+)?{_VERB}\b[^,.;!?«»\"]{{0,120}}?(?=,|$)")
# «X считает, что …», «Эксперт уверен: …»
_VERB_THAT = re.compile(rf"(?<![\w-]){_VERB}\b[^.!?«»\"]{{0,80}}?(?:,\s*(?:что|чтобы|будто|якобы)\b|:\s)", re.I)
# «…, считает эксперт.» / «…, — уверен аналитик Ерлан Карин.»
_TRAILING = re.compile(rf",\s*(?:[—–]\s*)?(?:[А-ЯЁа-яё-]+\s+){{0,2}}?{_VERB}\b[^,;!?«»\"]{{1,140}}?[.!?…]*\s*$", re.I)
_ATTRIB_AFTER = re.compile(r"\s*[,.!?…]?\s*[—–]\s+")
_SPEECH_WORD = re.compile(rf"(?<![\w-]){_VERB}(?![\w-])", re.I)
_AUTHOR_VOICE = re.compile(r"^(?:Подробнее|Читайте также|Фото:|Напомним|Напомню|Отметим|Добавим|Ранее|Как сообщал|Как сообщалось|Как писал|"
                           r"Для справки|Справка|Согласно данным|По данным|Между тем|Тем временем|Источник:)", re.I)
_BYLINE = re.compile(r"^Автор:\s*(?P<who>.+?)\s*$")
_INTERVIEW_DASH = re.compile(r"^\s*[—–-]\s+")
_INTERVIEW_LABEL = re.compile(r"^\s*(?P<label>Вопрос|Ответ)\s*[:.—–-]\s*", re.I)
_PRONOUN_OR_ROLE_WORDS = (
    r"он|она|они|его|её|ее|их|эксперт\w*|политолог\w*|аналитик\w*|собеседни\w*|экономист\w*|"
    r"специалист\w*|дипломат\w*|востоковед\w*|историк\w*|исследовател\w*|профессор\w*|директор\w*|"
    r"руководител\w*|глав[аеуы]|депутат\w*|посол|посла|послом|учён\w*|учен\w*|социолог\w*|обозревател\w*|"
    r"наблюдател\w*|министр\w*|советник\w*|представител\w*|сенатор\w*|участник\w*|опрошенн\w*")
_SURNAME_LIKE = r"[А-ЯЁ][а-яё]+(?:ов|ев|ин|ова|ева|ина|ский|ская|улы|кызы|зода|заде)"
# A pronoun or a role noun; without NER, a surname-like word counts as a speaker too.
_PRONOUN_OR_ROLE = re.compile(rf"(?<![\w-])(?i:{_PRONOUN_OR_ROLE_WORDS})(?![\w-])")
_SPEAKER_WORD = re.compile(rf"(?<![\w-])(?:(?i:{_PRONOUN_OR_ROLE_WORDS})|{_SURNAME_LIKE})(?![\w-])")
_TONE_ONLY = re.compile(r"(?:оцени\w*|смотр\w*|настроен\w*|высказал\w*|отозвал\w*|относ\w*)\b[^,;:]{0,80}?"
                        r"(?:сдержанн|осторожн|скептичн|иначе|по-другому|прохладн|оптимистичн|пессимистичн|критичн|"
                        r"жёстче|жестче|мягче|спокойн|тревожн|трезв|позитивн|негативн|по-разному|неоднозначн)\w*(?:\s+\w+){0,3}\s*[.!]?$", re.I)
PAIRS = {"«": "»", "„": "“", "“": "”", '"': '"'}


@dataclass
class Passage:
    """A found passage: offsets into the article, its kind, and the text that says who speaks."""

    start: int
    end: int
    kind: str
    zones: list[tuple[int, int]] = field(default_factory=list)
    cue: str = ""
    speaker: str = ""
    role: str = ""

    def text(self, article: str) -> str:
        return article[self.start:self.end]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty line block; one or more newlines separate them."""
    spans = (_trim(text, m.start(), m.end()) for m in re.finditer(r"[^\n]+", text))
    return [(s, e) for s, e in spans if e > s]


def _is_opener(s: str, i: int) -> bool:
    prev = s[i - 1] if i > 0 else " "
    nxt = s[i + 1] if i + 1 < len(s) else " "
    return (prev.isspace() or prev in "([—–:-«„\"“") and not nxt.isspace()


def top_level_quotes(s: str) -> list[tuple[int, int]]:
    """``(open, close)`` positions of the outermost quotations in ``s``; ``close`` is
    ``len(s)`` for a quote left open at the end of the paragraph (a quote running on)."""
    stack: list[tuple[str, int]] = []
    out = []
    for i, ch in enumerate(s):
        if ch in "«„":
            stack.append((ch, i))
        elif ch == "»" or ch == "”":
            want = "«" if ch == "»" else "“"
            while stack and stack[-1][0] != want and PAIRS.get(stack[-1][0]) != ch:
                stack.pop()
            if stack:
                _, o = stack.pop()
                if not stack:
                    out.append((o, i))
        elif ch == "“":
            if stack and stack[-1][0] == "„":
                _, o = stack.pop()
                if not stack:
                    out.append((o, i))
            elif _is_opener(s, i):
                stack.append((ch, i))
        elif ch == '"':
            if stack and stack[-1][0] == '"' and not _is_opener(s, i):
                _, o = stack.pop()
                if not stack:
                    out.append((o, i))
            elif _is_opener(s, i):
                stack.append((ch, i))
    if stack:
        out.append((stack[0][1], len(s)))
    return sorted(out)


def _clause_end(s: str, i: int) -> int:
    """End (exclusive) of the sentence that runs on from ``i``: after the first ``.!?…`` that
    ends a sentence, skipping initials (``А. Бекова``)."""
    for m in re.finditer(r"[.!?…]+", s[i:]):
        j = i + m.end()
        word = re.search(r"(\S+)$", s[i:i + m.start()])
        if word and re.fullmatch(r"[А-ЯЁA-Z]", word.group(1)):
            continue  # an initial, not the end of the sentence
        rest = s[j:]
        if not rest.strip() or re.match(r"\s+[—–]?\s*[А-ЯЁA-Z«„\"“0-9]", rest):
            return j
    return len(s)


def _sentence_start(s: str, i: int) -> int:
    best = 0
    for m in re.finditer(r"[.!?…]+\s+", s[:i]):
        word = re.search(r"(\S+)$", s[:m.start()])
        if word and re.fullmatch(r"[А-ЯЁA-Z]", word.group(1)):
            continue
        best = m.end()
    return best


def _has_speaker(s: str) -> bool:
    return bool(_SPEAKER_WORD.search(s))


def direct_quotes(s: str) -> list[tuple[int, int, list[tuple[int, int]], int]]:
    """Attributed quotations in a paragraph: ``(start, end, zones, covered_to)`` with offsets
    in ``s``. ``covered_to`` is where the quotation and its attribution end, so that the
    same sentence is not read again as reported speech."""
    quotes = top_level_quotes(s)
    found = []
    k = 0
    while k < len(quotes):
        o, c = quotes[k]
        start, end = o + 1, c
        zones: list[tuple[int, int]] = []
        before = s[:o]
        after = s[c + 1:] if c < len(s) else ""
        covered = min(c + 1, len(s))
        attrib = _ATTRIB_AFTER.match(after)
        inner = s[start:end]
        # A quote split inside its own marks: «Первая часть, — говорит он. — Вторая часть».
        split = re.search(r"[,.!?…]\s*[—–]\s+([^—–«»\"]{2,140}?)[.,:]\s*[—–]\s+", inner)
        if split and _SPEECH_WORD.search(split.group(1)):
            zones.append((start + split.start(1), start + split.end(1)))
        if attrib and c < len(s):
            tail_start = c + 1 + attrib.end()
            tail_end = _clause_end(s, tail_start)
            tail = s[tail_start:tail_end]
            # «Первая часть», — говорит он. — «Вторая часть».
            nxt = quotes[k + 1] if k + 1 < len(quotes) else None
            cont = re.match(r"([^«»\"„“]{2,140}?)[.,:]\s*[—–]\s*$", s[tail_start:nxt[0]]) if nxt else None
            if cont and _SPEECH_WORD.search(cont.group(1)):
                zones.append((tail_start, tail_start + cont.end(1)))
                end = nxt[1]
                covered = min(nxt[1] + 1, len(s))
                k += 1
                after2 = s[covered:]
                a2 = _ATTRIB_AFTER.match(after2)
                if a2:
                    t2 = covered + a2.end()
                    e2 = _clause_end(s, t2)
                    zones.append((t2, e2))
                    covered = e2
                else:
                    covered = _clause_end(s, covered) if after2.strip()[:1] in (".", "") else covered
            elif _SPEECH_WORD.search(tail) or _has_speaker(tail):
                zones.append((tail_start, tail_end))
                covered = tail_end
            else:
                k += 1
                continue
            found.append((start, end, zones, covered))
            k += 1
            continue
        colon = re.search(r":\s*$", before)
        lead_start = _sentence_start(s, o)
        lead = s[lead_start:colon.start()] if colon else ""
        starts_sentence = not before.strip(" —–") or re.search(r"[.!?…]\s*$", before)
        ends_paragraph = re.fullmatch(r"[\s.,!?…]*", after or "")
        if colon and (_SPEECH_WORD.search(lead) or _has_speaker(lead)):
            zones.append((lead_start, colon.start()))
            found.append((start, end, zones, _clause_end(s, min(c + 1, len(s)))))
        elif starts_sentence and (ends_paragraph or zones):
            # a quotation standing as its own sentence to the end of the paragraph, or one
            # split by its attribution inside the marks
            found.append((start, end, zones, _clause_end(s, min(c + 1, len(s)))))
        k += 1
    return found


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def reported_cue(sentence: str, named: Callable[[int, int], bool] | None = None) -> tuple[str, tuple[int, int]] | None:
    """The reporting cue of a sentence, if it has one: its kind and the zone (offsets in the
    sentence) that names the speaker. ``named(start, end)`` says whether a person's name
    (from NER) lies in that stretch of the sentence; without it only pronouns, role nouns
    and surname-like words count as a speaker."""
    def has_speaker(a: int, b: int) -> bool:
        if named is None:
            return _has_speaker(sentence[a:b])
        # with NER, names come from it; the surname-like pattern would take «Американская» for one
        return bool(_PRONOUN_OR_ROLE.search(sentence[a:b])) or named(a, b)

    m = _PARENTHETICAL.search(sentence)
    if m:
        if m.group("pronoun"):
            return "according-to", (m.start(), m.end())
        # «по словам заместителя министра труда, миграции и занятости Шахло Рахимовой, …»: the
        # name may follow a long role with commas in it; model.attribution picks the name in
        # the genitive that follows the cue.
        return "according-to", (m.start(), min(len(sentence), m.end() + 160))
    m = _AS_SAYS.search(sentence)
    if m:
        return "as-says", (m.start(), m.end())
    m = _TRAILING.search(sentence)
    if m and has_speaker(m.start(), m.end()):
        return "trailing", (m.start(), m.end())
    m = _VERB_THAT.search(sentence)
    if m:
        zone_start = _sentence_start(sentence, m.start())
        if has_speaker(zone_start, m.end()):
            return "verb-that", (zone_start, m.end())
    m = _OBJECT_VERB.search(sentence)
    if m and _TONE_ONLY.search(sentence):
        return None  # «…, оценил итоги саммита более сдержанно.»: a tone, not the view itself
    if m and has_speaker(max(0, m.start() - 80), m.start()):
        return "verb-object", (max(0, m.start() - 80), m.end())
    return None


def _byline(text: str, paras: list[tuple[int, int]]) -> tuple[int, tuple[int, int]] | None:
    for k, (s, e) in enumerate(paras[:2]):
        m = _BYLINE.match(text[s:e])
        if m:
            return k, (s + m.start("who"), s + m.end("who"))
    return None


def _is_interview(text: str, paras: list[tuple[int, int]]) -> bool:
    dashed = [text[s:e] for s, e in paras if _INTERVIEW_DASH.match(text[s:e])]
    labels = [text[s:e] for s, e in paras if _INTERVIEW_LABEL.match(text[s:e])]
    questions = [p for p in dashed if p.rstrip().endswith("?")]
    return (len(dashed) >= 4 and len(questions) >= 2) or len(labels) >= 4


def _interview(text: str, paras: list[tuple[int, int]]) -> tuple[list[Passage], list[tuple[int, int]]]:
    """Answers of a Q&A, and the lead paragraphs before the first question (read as news).

    Dash-style interviews alternate: after an answer the next dash paragraph is a question
    when it asks something (a «?» anywhere, or «Расскажите…»); a question need not end the
    paragraph («Что даёт этот курс? Разговоры о нём идут давно.»)."""
    answers, lead = [], []
    seen_question, expect_question = False, True
    for s, e in paras:
        p = text[s:e]
        label = _INTERVIEW_LABEL.match(p)
        dash = _INTERVIEW_DASH.match(p)
        if label:
            is_question = label.group("label").lower() == "вопрос"
            body = s + label.end()
        elif dash:
            asks = "?" in p or re.match(r"[—–-]\s+(?:Расскажите|Поясните|Объясните|Давайте|Опишите)", p)
            is_question = bool(asks) and (expect_question or p.rstrip().endswith("?"))
            body = s + dash.end()
        else:
            is_question, body = False, s
        if is_question:
            seen_question, expect_question = True, False
        elif seen_question:
            # an answer, or a further paragraph of the same answer
            answers.append(Passage(*_trim(text, body, e), kind="interview", cue="interview"))
            expect_question = True
        else:
            lead.append((s, e))
    return answers, lead


def extract_passages(text: str, people: list[tuple[int, int]] = ()) -> list[Passage]:
    """Every quoted or reported passage of an article, in reading order, plus zero-length
    markers (kinds ``byline``, ``lead``, ``context``) for text that names a speaker without
    giving a view. Speakers are resolved by :func:`model.attribution.attribute`."""
    paras = paragraphs(text)
    byline = _byline(text, paras)
    if byline is not None:
        k, who = byline
        return [Passage(who[0], who[0], "byline", [who], cue="byline")] + [
            Passage(s, e, "opinion", [], cue="op-ed") for s, e in paras[k + 1:]]
    if _is_interview(text, paras):
        answers, lead = _interview(text, paras)
        markers = [Passage(s, s, "lead", [(s, e)], cue="lead") for s, e in lead]
        # the lead's «…, рассказал в интервью нашему изданию политолог N» introduces, it is no view
        lead_passages = [p for p in _news(text, lead, people)
                         if p.kind == "context" or not re.search(r"интервью|беседе с", p.text(text), re.I)]
        return sorted(markers + lead_passages, key=lambda p: (p.start, p.kind != "lead")) + answers
    return _news(text, paras, people)


def _news(text: str, paras: list[tuple[int, int]], people: list[tuple[int, int]] = ()) -> list[Passage]:
    out: list[Passage] = []
    for ps, pe in paras:
        s = text[ps:pe]
        in_para = [(a - ps, b - ps) for a, b in people if a >= ps and b <= pe]
        covered: list[tuple[int, int]] = []
        found: list[Passage] = []
        for qs, qe, zones, cov in direct_quotes(s):
            lead_s = min([z[0] for z in zones if z[0] < qs] + [qs - 1])
            covered.append((lead_s, cov))
            a, b = _trim(text, ps + qs, ps + qe)
            found.append(Passage(a, b, "direct", [(ps + z0, ps + z1) for z0, z1 in zones], cue="quote"))
        current: Passage | None = None
        for sent in sentenize(s):
            ss, se = sent.start, sent.stop
            if any(ss < c1 and se > c0 for c0, c1 in covered):
                current = None
                continue
            sentence = s[ss:se]
            cue = reported_cue(sentence, lambda a, b, ss=ss, names=in_para: any(ss + a <= x and y <= ss + b for x, y in names))
            if cue:
                kind, (z0, z1) = cue
                current = Passage(ps + ss, ps + se, "reported", [(ps + ss + z0, ps + ss + z1)], cue=kind)
                found.append(current)
            elif (current is not None and current.cue != "trailing" and not _AUTHOR_VOICE.match(sentence)
                  and not _new_speaker(sentence)):
                # «По его словам, X. Y.»: Y goes on with his view. After «X, считает эксперт.» the
                # attribution closes the sentence, and the next one is the reporter's again.
                current.end = ps + se
            else:
                current = None
                # may name who speaks next («Схожую позицию высказывает политолог …»)
                found.append(Passage(ps + ss, ps + ss, "context", [(ps + ss, ps + se)], cue="context"))
        out += sorted(found, key=lambda p: p.start)
    return out


def _new_speaker(sentence: str) -> bool:
    return bool(re.search(r"(?:^|\s)(?:В свою очередь|Другой|Иначе|Противоположн|Не согласен|Не согласна)", sentence))


def introduces_speaker(sentence: str) -> bool:
    """«Схожую позицию высказывает и политолог Газиз Абишев.»: says who speaks next, not what."""
    return bool(re.search(r"\b(?:позици\w*|мнени\w*|взгляд\w*|оценк\w*|комментари\w*|точк\w* зрения|"
                          r"поделил\w*|высказ\w*|придерживается|прокомментирова\w*|разделя\w*|согласен|"
                          r"согласна|спор\w*|возража\w*|иначе смотрит|по-другому|настроен\w*|смотрит|оценивает|оценил\w*)\b", sentence, re.I))
