"""Authored articles with gold passages: reading, validating and checking the mark-up.

The format is described in ``data/articles/README.md``: a ``# key: value`` header, a blank
line, then the body with passages wrapped in ``<p speaker=… role=… stance=… kind=…>…</p>``.
Loading removes the marks and keeps each passage's character offsets in the clean body.

    python -m data.articles check data/articles/dev data/articles/test
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from model.labels import LABELS

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
STANCES = (*LABELS, "none")
KINDS = ("direct", "reported", "interview", "opinion")
GENRES = ("news", "interview", "op-ed", "round-up")
UNNAMED = "unnamed"
GROUP = "experts (group)"

_OPEN = re.compile(r"<p\s+([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_REQUIRED_ATTRS = ("speaker", "role", "stance", "kind")


class ArticleFormatError(ValueError):
    """Raised with every problem found in an article file, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
                         + "\nThe format is described in data/articles/README.md.")


@dataclass
class GoldPassage:
    """One marked passage: where it is in the clean text and who says what."""

    start: int
    end: int
    speaker: str
    role: str
    stance: str
    kind: str


@dataclass
class Article:
    """An article's clean body, its header and its gold passages."""

    id: str
    text: str
    header: dict[str, str]
    passages: list[GoldPassage] = field(default_factory=list)
    path: str = ""

    def passage_text(self, p: GoldPassage) -> str:
        return self.text[p.start:p.end]


def _line_of(raw: str, pos: int) -> int:
    return raw.count("\n", 0, pos) + 1


def parse_article(raw: str, source: str = "<text>") -> Article:
    """Parse one marked-up article; raise :class:`ArticleFormatError` listing every problem."""
    problems: list[str] = []
    head, sep, body_raw = raw.partition("\n\n")
    if not sep:
        raise ArticleFormatError([f"{source}: no blank line between the header and the body"])
    header: dict[str, str] = {}
    for k, line in enumerate(head.splitlines(), 1):
        m = re.match(r"#\s*(\w+):\s*(.*)$", line)
        if not m:
            problems.append(f"{source}:{k}: header lines look like '# key: value', got {line[:60]!r}")
            continue
        header[m.group(1)] = m.group(2).strip()
    for key in ("id", "genre"):
        if key not in header:
            problems.append(f"{source}: header has no '# {key}:' line")
    if header.get("genre") and header["genre"] not in GENRES:
        problems.append(f"{source}: genre {header['genre']!r} is not one of {', '.join(GENRES)}")
    offset_lines = head.count("\n") + 2

    clean: list[str] = []
    passages: list[GoldPassage] = []
    pos, out_len = 0, 0
    open_at: tuple[int, dict[str, str], int] | None = None
    for m in re.finditer(r"<p\s[^>]*>|</p>", body_raw):
        chunk = body_raw[pos:m.start()]
        clean.append(chunk)
        out_len += len(chunk)
        line = _line_of(body_raw, m.start()) + offset_lines
        where = f"{source}:{line}"
        if m.group(0) == "</p>":
            if open_at is None:
                problems.append(f"{where}: '</p>' without an opening mark")
            else:
                start, attrs, _ = open_at
                if "\n\n" in "".join(clean)[start:out_len]:
                    problems.append(f"{where}: a passage crosses a paragraph break; close it before the blank line")
                passages.append(GoldPassage(start, out_len, attrs.get("speaker", ""), attrs.get("role", ""),
                                            attrs.get("stance", ""), attrs.get("kind", "")))
                open_at = None
        else:
            if open_at is not None:
                problems.append(f"{where}: a passage opens inside another (marks never nest)")
            attrs = dict(_ATTR.findall(_OPEN.match(m.group(0)).group(1)))
            for key in _REQUIRED_ATTRS:
                if key not in attrs:
                    problems.append(f'{where}: the mark has no {key}="…"')
            if attrs.get("stance", "none") not in STANCES:
                problems.append(f"{where}: stance {attrs['stance']!r} is not one of {', '.join(STANCES)}")
            if attrs.get("kind", "direct") not in KINDS:
                problems.append(f"{where}: kind {attrs['kind']!r} is not one of {', '.join(KINDS)}")
            if "speaker" in attrs and not attrs["speaker"].strip():
                problems.append(f"{where}: empty speaker (use '{UNNAMED}' or '{GROUP}')")
            open_at = (out_len, attrs, line)
        pos = m.end()
    clean.append(body_raw[pos:])
    if open_at is not None:
        problems.append(f"{source}:{open_at[2]}: a passage is opened and never closed")
    text = "".join(clean).rstrip("\n")
    for p in passages:
        span = text[p.start:p.end]
        if not span.strip():
            problems.append(f"{source}: an empty passage at character {p.start}")
        elif span != span.strip():
            problems.append(f"{source}: passage {span[:40]!r} starts or ends with white space; move the mark")
    if "<p" in text or "</p" in text:
        problems.append(f"{source}: a broken mark is left in the text (look for '<p' or '</p')")
    if problems:
        raise ArticleFormatError(problems)
    return Article(id=header["id"], text=text, header=header, passages=passages, path=source)


def load_article(path: str | Path) -> Article:
    """Read one article file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleFormatError([f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})"]) from None
    return parse_article(raw.replace("\r\n", "\n"), str(path))


def load_articles(*folders: str | Path) -> list[Article]:
    """Every ``*.txt`` article in the folders, sorted by file name; all problems raised at once."""
    articles, problems = [], []
    for folder in folders or (ARTICLES_DIR / "test",):
        files = sorted(Path(folder).glob("*.txt")) if Path(folder).is_dir() else [Path(folder)]
        for f in files:
            try:
                articles.append(load_article(f))
            except ArticleFormatError as exc:
                problems += exc.problems
    ids = Counter(a.id for a in articles)
    problems += [f"article id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    if problems:
        raise ArticleFormatError(problems)
    return articles


def summary(articles: list[Article]) -> str:
    """Counts a reviewer wants to see: articles, passages, kinds, stances, speakers, words."""
    passages = [p for a in articles for p in a.passages]
    words = sum(len(a.text.split()) for a in articles)
    lines = [f"{len(articles)} articles, {len(passages)} passages, {words} words",
             "genres:   " + ", ".join(f"{k} {v}" for k, v in Counter(a.header.get("genre") for a in articles).most_common()),
             "kinds:    " + ", ".join(f"{k} {v}" for k, v in Counter(p.kind for p in passages).most_common()),
             "stances:  " + ", ".join(f"{k} {v}" for k, v in Counter(p.stance for p in passages).most_common()),
             "speakers: " + ", ".join(f"{k} {v}" for k, v in Counter(
                 p.speaker if p.speaker in (UNNAMED, GROUP) else "named" for p in passages).most_common())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.articles", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate article files and print their passages")
    check.add_argument("paths", nargs="+", help="article files or folders of them")
    check.add_argument("--show", action="store_true", help="print every passage with its speaker and stance")
    args = parser.parse_args(argv)
    try:
        articles = load_articles(*args.paths)
    except ArticleFormatError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.show:
        for a in articles:
            print(f"== {a.id} ({a.path})")
            for p in a.passages:
                print(f"  [{p.start}:{p.end}] {p.speaker} | {p.role} | {p.stance} | {p.kind}: "
                      f"{a.passage_text(p)[:110]}")
    print(summary(articles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
