"""Articles -> passages: the chunking rules.

A passage is a paragraph, or a run of whole sentences of a long paragraph that
fits the model's token limit. Tiny fragments are merged into a neighbour of the
same section. What gets embedded carries the title and section so that a
paragraph that only says 他/她 still knows whom it is about; what is shown is
the passage alone.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Callable

from .article import Article, normalize
from .documents import Document

CHUNKER_VERSION = "14"     # bump when these rules change: it invalidates built indexes
MAX_PASSAGE_TOKENS = 256   # below the model limit; shorter passages rank and highlight better
MIN_PASSAGE_CHARS = 24     # shorter fragments are merged into a neighbour
HEAD_MAX_CHARS = 80        # a longer title or section is cut in what the model sees
MAX_TOKEN_CHARS = 16       # no token of the default model spans more characters (another
                           # model's longer ones would only make passages shorter)

# Sentence ends: CJK terminal marks (and the closing quotes that follow them),
# Latin terminal marks followed by a space; semicolons end sentences too.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』\")）]*|\.(?=\s)[”’\")]*|\n")
_CLAUSE_END = re.compile(r"[，,、：:]")
# 记者：...？ then 答：... (also **记者：**, 【记者】, 记者问：, 本报记者 龚立群：, a press conference's
# 澜屿日报记者：, 新华社记者 王涛：)
_INTERVIEWER = re.compile(r"^[*【\[]*(?:(?![^：:]{0,14}?(?:向|据|各位)[^：:]{0,10}?记者|[^：:]{0,14}?记者(?:了解|朋友))"
                          r"[\u4e00-\u9fffA-Za-z ]{0,14}记者|问|主持人|Q)(?:问|\s*[\u4e00-\u9fff]{2,3})?[*】\]]*\s*[：:]")
# A full stop that ends an initial or a common abbreviation ends no sentence: "Thomas R. Holtz",
# "H. F. Verwoerd", "St. John", "Dr. Apgar".
_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:[A-Za-z]|Mr|Mrs|Ms|Dr|St|Mt|Prof|Jr|Sr|Gen|Col|Lt|Capt|Rev"
                           r"|Co|Inc|Ltd|No|Vol|Fig|pp|vs|etc)\.$")


@dataclass
class Passage:
    doc_id: str
    title: str
    section: str
    text: str
    position: int                       # order of the passage in its document
    start: int                          # offsets into the document's text
    end: int
    source: str
    date: str = ""
    sentences: tuple[tuple[int, int], ...] = ()   # sentence spans within `text`

    @property
    def article(self) -> tuple[str, str]:
        """Which article the passage is from: its file and doc_id (lines of two .jsonl files may share an id)."""
        return self.source, self.doc_id

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sentences"] = [list(s) for s in self.sentences]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Passage":
        d = dict(d)
        d["sentences"] = tuple(tuple(s) for s in d.get("sentences", ()))
        return cls(**d)


def embedding_text(passage: Passage) -> str:
    """What the model sees for a passage: title and section give it context."""
    head = " · ".join(part[:HEAD_MAX_CHARS] for part in (passage.title, passage.section) if part)
    return f"{head}\n{passage.text}" if head else passage.text


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) covering `text` apart from surrounding spaces."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group()[0] == "." and _ABBREVIATION.search(text, max(start, m.start() - 5), m.start() + 1):
            continue
        _add_span(spans, text, start, m.end())
        start = m.end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def chunk(doc: Document, article: Article, count_tokens: Callable[[str], int],
          max_tokens: int = MAX_PASSAGE_TOKENS,
          token_ends: Callable[[str], list[int]] | None = None) -> list[Passage]:
    """Cut the paragraphs of `article` (parsed from `doc`) into passages.

    `count_tokens` measures an embedding text with the model's own tokenizer;
    `token_ends(text)` gives the end offset of each of the text's tokens, where a
    run too long for one passage can be cut (without it, any character is a cut
    point). Time is linear in the text's length: no text longer than a passage
    is tokenized more than once.
    """
    doc_text = article.text or doc.text      # hard wraps zero-width: offsets are the document's
    pieces: list[tuple[int, int, str]] = []   # (start, end, section) in document offsets
    for para in article.paragraphs:
        pieces.extend((s, e, para.section) for s, e in
                      _fit(para.start, para.end, doc_text, para.section, article.title,
                           count_tokens, max_tokens, token_ends))
    def fits(start: int, end: int, section: str) -> bool:
        piece = normalize(doc_text[start:end])
        return count_tokens(embedding_text(
            Passage("", article.title, section, piece, 0, 0, 0, ""))) <= max_tokens

    pieces = _merge_short(pieces, doc_text, fits)
    passages = []
    for position, (start, end, section) in enumerate(pieces):
        text = normalize(doc_text[start:end])
        passages.append(Passage(
            doc_id=doc.doc_id, title=article.title, section=section, text=text,
            position=position, start=start, end=end, source=doc.source, date=article.date,
            sentences=tuple(split_sentences(text))))
    return passages


def _fit(start: int, end: int, doc_text: str, section: str, title: str,
         count_tokens: Callable[[str], int], max_tokens: int,
         token_ends: Callable[[str], list[int]] | None) -> list[tuple[int, int]]:
    """Document spans of the paragraph at [start, end) that fit the token limit."""
    def tokens(a: int, b: int) -> int:
        piece = normalize(doc_text[a:b])
        return count_tokens(embedding_text(Passage("", title, section, piece, 0, 0, 0, "")))

    def fits(a: int, b: int) -> bool:
        # A text of more characters than any limit's worth of tokens can hold does not
        # fit: known without tokenizing it (a tokenizer's time grows faster than a long
        # unbroken run of text).
        return len(normalize(doc_text[a:b])) <= max_tokens * MAX_TOKEN_CHARS and tokens(a, b) <= max_tokens

    def longest_fit(a: int, cut: int) -> int:
        """The end of the longest run of whole tokens from `a` (to `cut` at most) that fits.
        Tokenizes a window about twice a passage long, not the rest of the text."""
        window = 2 * max_tokens
        while a + window < cut:
            text = doc_text[a:a + window]
            ends = token_ends(text) if token_ends else range(1, len(text) + 1)
            # the window's last token may be cut by its edge: it is no cut point
            ends = [e for e in ends if 0 < e < len(text)][:-1]
            if len(ends) > max_tokens:
                break
            window *= 2
        else:
            if tokens(a, cut) <= max_tokens:
                return cut
            text = doc_text[a:cut]
            ends = token_ends(text) if token_ends else range(1, len(text) + 1)
            ends = [e for e in ends if 0 < e < len(text)] + [len(text)]
        # 90% of the room: a short neighbour (a clause before it) can still join the piece
        j = min(len(ends), max(1, (max_tokens - title_tokens) * 9 // 10))
        while j > 1 and (over := tokens(a, a + ends[j - 1]) - max_tokens) > 0:
            j = max(1, j - over)
        return a + ends[j - 1]

    if fits(start, end):
        return [(start, end)]
    title_tokens = tokens(start, start)      # prompt, title and section: the rest is the budget
    # Whole sentences; a sentence too long alone is cut at clauses, a clause between tokens.
    units: list[tuple[int, int]] = []
    for s, e in split_sentences(doc_text[start:end]):
        s, e = start + s, start + e
        if fits(s, e):
            units.append((s, e))
            continue
        a = s
        for cut in [m.end() for m in _CLAUSE_END.finditer(doc_text, s, e)] + [e]:
            while a < cut:
                b = longest_fit(a, cut)
                units.append((a, b))
                a = b
    # A cut inside a run of spaces leaves a piece with no text: it is no passage.
    return _pack([(a, b) for a, b in units if normalize(doc_text[a:b])], tokens, max_tokens)


def _pack(units: list[tuple[int, int]], tokens, max_tokens: int) -> list[tuple[int, int]]:
    """Greedily join consecutive spans while the joined span fits."""
    spans: list[tuple[int, int]] = []
    cur_s, cur_e = units[0]
    for s, e in units[1:]:
        if tokens(cur_s, e) <= max_tokens:
            cur_e = e
        else:
            spans.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    spans.append((cur_s, cur_e))
    return spans


def _merge_short(pieces: list[tuple[int, int, str]], doc_text: str,
                 fits: Callable[[int, int, str], bool]) -> list[tuple[int, int, str]]:
    """Merge an interviewer's question into its answer (记者：为什么一定要建这座桥？ / 答：...: the
    answer alone does not say what it answers), then a fragment under MIN_PASSAGE_CHARS into the
    piece before it (the first piece: the one after it).

    Only pieces of one section with nothing but whitespace between them merge,
    so a dropped line (a caption, say) never comes back inside a passage."""
    def joinable(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
        return a[2] == b[2] and not normalize(doc_text[a[1]:b[0]]) and fits(a[0], b[1], a[2])

    def short(piece: tuple[int, int, str]) -> bool:
        return len(normalize(doc_text[piece[0]:piece[1]])) < MIN_PASSAGE_CHARS

    def asks(piece: tuple[int, int, str]) -> bool:
        text = normalize(doc_text[piece[0]:piece[1]])
        return bool(_INTERVIEWER.match(text)) and text[-1] in "？?"

    answered: list[tuple[int, int, str]] = []
    for piece in pieces:
        if answered and asks(answered[-1]) and joinable(answered[-1], piece):
            answered[-1] = (answered[-1][0], piece[1], piece[2])
        else:
            answered.append(piece)
    out: list[tuple[int, int, str]] = []
    for piece in answered:
        if out and joinable(out[-1], piece) and (short(out[-1]) or short(piece)):
            out[-1] = (out[-1][0], piece[1], piece[2])
        else:
            out.append(piece)
    return out
