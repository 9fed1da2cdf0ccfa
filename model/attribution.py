"""Who says each passage: names from natasha's NER, normalised to the nominative in context,
pronouns and role nouns carried over from the last speaker, collective attributions.

natasha (NER, morphology, span normalisation) ships its models inside the wheel and runs
offline. Word-by-word lemmatisation gets Central Asian surnames wrong («Шибутова» →
«шибутовая»), so names are normalised as spans, in context, by natasha.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from model.extraction import Passage, introduces_speaker

UNNAMED = "unnamed"
GROUP = "experts (group)"

_GROUP = re.compile(r"(?<![\w-])(?:эксперт(?:ы|ов|ам|ами)|аналитик(?:и|ов|ам)|политолог(?:и|ов|ам)|"
                    r"наблюдател(?:и|ей|ям)|специалист(?:ы|ов|ам)|собеседник(?:и|ов)|исследовател(?:и|ей)|"
                    r"экономист(?:ы|ов)|учён(?:ые|ых)|учен(?:ые|ых)|востоковед(?:ы|ов)|дипломат(?:ы|ов)|"
                    r"участник(?:и|ов)|они|их|экспертн\w+ сообществ\w*)(?![\w-])", re.I)
_ROLE_HEAD = (r"политолог|эксперт|аналитик|экономист|директор|руководител|глав|профессор|депутат|сенатор|посол|"
              r"дипломат|востоковед|историк|председател|заместител|заведующ|сотрудник|исследовател|доцент|министр|"
              r"советник|представител|журналист|обозревател|социолог|юрист|специалист|декан|ректор|член|основател|"
              r"сооснователь|партнер|партнёр|президент|вице-президент|замминистра|научн|старш|ведущ|генеральн|"
              r"исполнительн|бывш|экс-|аким|спикер|лидер|автор|доктор|кандидат|завкафедрой|преподавател|ученый|учёный")
_ROLE_BEFORE = re.compile(rf"((?:{_ROLE_HEAD})[\w-]*(?:\s+[^\s,.;:!?—–«»\"()]+){{0,9}}?)\s*$", re.I)
_ROLE_AFTER = re.compile(rf"^\s*,\s*((?:{_ROLE_HEAD})[^,.;:!?—–«»\"()]{{0,120}}?)(?=[,.;:!?—–]|$)", re.I)
_ANONYMOUS = re.compile(r"анонимн|не называть (?:его|её|ее|своего|своё|свое) имен|остаться неназванн|"
                        r"пожелавш\w+ не называть|имя которого|имя которой|источник в ", re.I)
_UNNAMED_INTRO = re.compile(r"\s*(?:[А-ЯЁ][а-яё]+(?:ий|ый|ой|ая|яя)\s+)?(?:Представител|Источник|Один из|Одна из|"
                            r"Сотрудник|Руководител|Топ-менеджер|Чиновник|Собеседник|Дипломат|Эксперт|Аналитик|"
                            r"представител|источник|сотрудник|дипломат)", re.I)
_ROLE_NOUN = re.compile(rf"(?<![\w-])(?:{_ROLE_HEAD})[\w-]*", re.I)


@dataclass
class Person:
    """A named person as found by NER: offsets in the article, the nominative name, and the
    grammatical case of the mention (``Gen`` after «по словам»), from natasha's morphology."""

    start: int
    end: int
    name: str
    case: str = ""


@lru_cache(maxsize=1)
def _natasha():
    with warnings.catch_warnings():
        # pymorphy2 (inside natasha) imports pkg_resources and warns about it on every load
        warnings.simplefilter("ignore")
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        emb = NewsEmbedding()
        return Segmenter(), NewsNERTagger(emb), NewsMorphTagger(emb), MorphVocab()


def find_people(text: str) -> list[Person]:
    """PER spans of natasha's NER, each normalised to the nominative in context."""
    from natasha import Doc

    segmenter, ner, morph, vocab = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(ner)
    if not any(s.type == "PER" for s in doc.spans):
        return []
    doc.tag_morph(morph)
    people = []
    for span in doc.spans:
        if span.type != "PER":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            span.normalize(vocab)
        feats = [t.feats or {} for t in span.tokens]
        start, raw_text, normal = span.start, span.text, span.normal or span.text
        given = _given_name_before(text, start)
        if given and len(span.text.split()) == 1:
            # NER took only the surname of «Сухроб Рахимзода»: a first name it does not know
            start, raw_text, normal = start - len(given) - 1, f"{given} {span.text}", f"{given} {normal}"
        first = raw_text.split()[0]
        feminine = any(f.get("Gender") == "Fem" for f in feats) or _is_female_name(first)
        name = _tidy_name(normal)
        raw = _tidy_name(raw_text)
        if _FEMININE_OBLIQUE.search(raw.split()[-1]) or (feminine and _FEMININE_SURNAME.search(raw.split()[-1])):
            # natasha sometimes gives a woman's name a masculine or oblique form
            # («Малики Турсуновой» → «Малик Турсунов»): rebuild it from the words as written.
            name = _nominative(raw, feminine=True)
        name = _drop_role_words(name)
        if name:
            people.append(Person(start, span.stop, name, feats[0].get("Case", "") if feats else ""))
    return people


def _morph():
    import pymorphy2

    return pymorphy2.MorphAnalyzer, _natasha()[3]


def _is_female_name(word: str) -> bool:
    """pymorphy's dictionary of first names: «Малика» is feminine, «Марата» is not."""
    analyzer, vocab = _morph()
    names = [p for p in analyzer.parse(vocab, word) if "Name" in p.tag]
    return bool(names) and names[0].tag.gender == "femn"


def _given_name_before(text: str, start: int) -> str:
    """A capitalised word right before a one-word name that pymorphy does not know (a Central
    Asian first name NER missed) or knows as a first name; not a role or an ordinary word."""
    m = re.search(r"(?:^|(?<=[\s«\"(]))([А-ЯЁ][а-яё]{2,})\s$", text[max(0, start - 30):start])
    if not m or _ROLE_NOUN.fullmatch(m.group(1)):
        return ""
    analyzer, vocab = _morph()
    word = m.group(1)
    if any("Name" in p.tag for p in analyzer.parse(vocab, word)[:2]) or not analyzer.word_is_known(vocab, word.lower()):
        return word
    return ""


def _drop_role_words(name: str) -> str:
    """«Американист Павел Ростовцев» → «Павел Ростовцев»: NER sometimes takes in a capitalised role."""
    words = name.split()
    while len(words) > 2 and (_ROLE_NOUN.fullmatch(words[0]) or re.fullmatch(r"[А-ЯЁ][а-яё]+(?:ист|лог|вед)", words[0])):
        words = words[1:]
    return " ".join(words)


def _tidy_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.-—–")
    return " ".join(w[:1].upper() + w[1:] if w[:1].islower() else w for w in name.split())


_FEMININE_OBLIQUE = re.compile(r"(?:ов|ев|ёв|ин|ын)ой$|(?:ск|цк)ой$")
_FEMININE_SURNAME = re.compile(r"(?:ова|ева|ёва|ина|ына|ская|цкая)$")


def _nominative(name: str, feminine: bool = False) -> str:
    """Put a woman's name in the nominative: -овой → -ова, -ской → -ская, -ы → -а, -ии → -ия,
    -ой → -а. Used where natasha leaves a feminine name in an oblique case («Нодиры Хакимовой»)
    or gives it a masculine form; ``feminine`` says the morphology tagged the mention Fem."""
    words = name.split()
    if len(words) < 2 or not (_FEMININE_OBLIQUE.search(words[-1]) or (feminine and _FEMININE_SURNAME.search(words[-1]))):
        return name
    surname = re.sub(r"(ск|цк)ой$", r"\1ая", words[-1])
    surname = re.sub(r"(ов|ев|ёв|ин|ын)ой$", r"\1а", surname)
    first = []
    for w in words[:-1]:
        if re.fullmatch(r"[А-ЯЁ]\.?", w):
            first.append(w)  # an initial
        elif w.endswith("ии"):
            first.append(w[:-1] + "я")
        elif re.search(r"[гкхжчшщ]и$", w):
            first.append(w[:-1] + "а")  # Ольги → Ольга
        elif re.search(r"[^аеёиоуыэюя](?:ы|ой|е)$", w):
            first.append(re.sub(r"(?:ы|ой|е)$", "а", w))
        else:  # Айгерим, Айпери: names that do not decline
            first.append(w)
    return " ".join([*first, surname])


def _key(name: str) -> str:
    return name.split()[-1].lower().replace("ё", "е") if name.split() else ""


def lemma(word: str) -> str:
    """Dictionary form of one word (role nouns: «политолога» → «политолог»)."""
    vocab = _natasha()[3]
    parses = vocab.parse(word)
    return parses[0].normal_form if parses else word.lower()


def _role_near(text: str, person: Person) -> str:
    before = text[max(0, person.start - 120):person.start]
    before = re.split(r"[.!?;:«»\"“”„—–]|\s,\s|(?<=\w),\s(?=[а-яё])", before)[-1]
    m = _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(text[person.end:person.end + 160])
    words = m.group(1).split() if m else []
    return " ".join([lemma(words[0])] + words[1:]).lower() if words else ""


class SpeakerTracker:
    """Reads passages in order and keeps who is speaking: the last named or introduced person,
    every name seen (so that a surname alone finds its full name) and each one's role."""

    def __init__(self, text: str, people: list[Person]):
        self.text = text
        self.people = people
        self.names: dict[str, str] = {}  # surname key -> fullest name
        self.roles: dict[str, str] = {}  # full name -> role
        self.history: list[str] = []
        self.current = ""

    def canonical(self, name: str) -> str:
        key = _key(name)
        for k, full in self.names.items():
            if k == key or (len(key) > 3 and len(k) > 3 and (k.startswith(key[:-1]) or key.startswith(k[:-1]))
                            and abs(len(k) - len(key)) <= 2):
                feminine_form = key == k + "а" and len(name.split()) >= len(full.split())
                if len(name.split()) > len(full.split()) or feminine_form:
                    # fuller, or the feminine form of the same name: natasha's normalisation gives
                    # women masculine surnames at times, never men feminine ones
                    self.names[k] = name
                    self.roles[name] = self.roles.pop(full, "")
                    self.history = [name if h == full else h for h in self.history]
                    return name
                return full
        self.names[key] = name
        return name

    def people_in(self, start: int, end: int) -> list[Person]:
        return [p for p in self.people if p.start >= start and p.end <= end]

    def set_speaker(self, name: str, role: str = "") -> str:
        """Make ``name`` (in its fullest known form) the current speaker; keep its first role."""
        name = self.canonical(name)
        if role and not self.roles.get(name):
            self.roles[name] = role
        self.current = name
        self.history.append(name)
        return name

    def set_unnamed(self) -> None:
        """A new speaker the article never names (an anonymous source)."""
        self.current = UNNAMED
        self.history.append(UNNAMED)

    def by_role(self, zone_text: str) -> str:
        """A role noun that fits an earlier speaker better than the last one
        («— говорит экономист» after a political scientist spoke)."""
        for m in _ROLE_NOUN.finditer(zone_text):
            role = lemma(m.group(0))
            if role in ("эксперт", "собеседник", "специалист", "аналитик"):
                continue  # fits anyone
            if self.current and role in self.roles.get(self.current, ""):
                return self.current
            for name in reversed(self.history):
                if role in self.roles.get(name, ""):
                    return name
        return self.current

    def resolve(self, zones: list[tuple[int, int]], sentence_start: int | None = None,
                cue: str = "") -> tuple[str, str]:
        """Speaker and role for a passage whose attribution is in ``zones``. A name earlier
        in the same sentence («Политолог Эмиль Джумабеков настроен осторожнее: по его
        словам, …») is the one a pronoun in the zone refers to."""
        if sentence_start is not None and zones and zones[0][0] > sentence_start:
            self.notice((sentence_start, zones[0][0]), strict=False)
        for z0, z1 in zones:
            found = self.people_in(z0, z1)
            if cue == "according-to" and found:
                # «по словам [role, commas and all] Шахло Рахимовой, …»: the speaker's name closes the
                # cue phrase (a comma or a dash follows it) or is tagged genitive; a name further on
                # belongs to the content («По словам политолога, Трамп хочет …»)
                found = [p for p in found if p.case == "Gen" or re.match(r"\s*[,—–]", self.text[p.end:p.end + 3])]
            if found:
                person = found[0]
                name = self.set_speaker(person.name, _role_near(self.text, person))
                return name, self.roles.get(name, "")
        zone_text = " ".join(self.text[z0:z1] for z0, z1 in zones)
        if cue == "according-to" and len(zones) == 1:
            zone_text = re.split(r",", zone_text, maxsplit=1)[0]
        if _ANONYMOUS.search(zone_text) or _ANONYMOUS.search(self.text[sentence_start or zones[0][0]:zones[0][1]] if zones else ""):
            self.current = UNNAMED
            return UNNAMED, ""
        if _GROUP.search(zone_text):
            return GROUP, ""
        name = self.by_role(zone_text)
        if name:
            self.current = name
            return name, self.roles.get(name, "")
        return UNNAMED, ""

    def notice(self, zone: tuple[int, int], strict: bool) -> None:
        """A sentence with no view of its own may introduce the next speaker: a named person
        with a role, a label line («Ерлан Жаксыбеков, геолог:»), or an anonymous source."""
        found = self.people_in(*zone)
        sentence = self.text[zone[0]:zone[1]]
        if _ANONYMOUS.search(sentence) and not found:
            self.set_unnamed()
            m = _ROLE_NOUN.search(sentence)
            self.roles.setdefault(UNNAMED, lemma(m.group(0)) if m else "")
            return
        if not found and _UNNAMED_INTRO.match(sentence) and introduces_speaker(sentence):
            self.set_unnamed()  # «Представитель одной из компаний настроен менее оптимистично.»
            return
        strict = strict and not sentence.rstrip().endswith(":")
        for person in found:
            role = _role_near(self.text, person)
            if role or not strict or introduces_speaker(sentence):
                self.set_speaker(person.name, role)
                return


def attribute(text: str, passages: list[Passage], people: list[Person] | None = None) -> list[Passage]:
    """Fill ``speaker`` and ``role`` of each passage; drop the marker passages."""
    tracker = SpeakerTracker(text, find_people(text) if people is None else people)
    out: list[Passage] = []
    interviewee = ""
    for p in passages:
        if p.kind == "byline":
            who = text[p.zones[0][0]:p.zones[0][1]]
            name, _, role = who.partition(",")
            found = tracker.people_in(*p.zones[0])
            speaker = tracker.set_speaker(found[0].name if found else _tidy_name(name), role.strip(" .").lower())
            interviewee = speaker
        elif p.kind == "lead":
            if not interviewee:
                candidates = tracker.people_in(*p.zones[0])
                with_role = [c for c in candidates if _role_near(text, c)]
                if with_role or candidates:
                    person = (with_role or candidates)[0]
                    interviewee = tracker.set_speaker(person.name, _role_near(text, person))
        elif p.kind == "context":
            tracker.notice(p.zones[0], strict=True)
        elif p.kind in ("interview", "opinion"):
            p.speaker = interviewee or UNNAMED
            p.role = tracker.roles.get(p.speaker, "")
            out.append(p)
        else:
            p.speaker, p.role = tracker.resolve(p.zones, p.start if p.kind == "reported" else None, p.cue)
            out.append(p)
    # a surname met first and a full name later: give every passage the fullest form
    for person in tracker.people:
        tracker.canonical(person.name)
    for p in out:
        if p.speaker not in (UNNAMED, GROUP):
            full = tracker.canonical(p.speaker)
            if full != p.speaker:
                p.speaker, p.role = full, p.role or tracker.roles.get(full, "")
    return out
