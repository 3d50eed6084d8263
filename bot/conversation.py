"""Follow-up questions: 她后来去了哪里? means nothing without the turn before it.

A question that refers back (a personal pronoun, or an opening such as 后来 /
"what about") is answered from the sections (heading, or article when it has
none) that answered the topic, the last question that stood on its own: their
passages come first, then the rest. Every hit is judged as an answer to the
follow-up with the name of what it refers to written in (`resolve`).
Across scripts too: an English follow-up to a Chinese question works the same
way. A question that stands on its own starts a new topic and is searched as
it is; so does one that refers back to a turn that found nothing (no relevant
hit): there is nothing to refer back to, and if it names nothing else (之后呢?,
她后来去了哪里?: references.names_nothing) no passage is its answer.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from . import answer, chinese_script, pinyin, proper_names, segment
from .references import COMMON_RARITY, EN_PRONOUN, NOT_A_SURNAME, NOT_OTHER, ZH_PRONOUN, refers_back, says_little
from .retriever import Hit, Retriever, check_k

FOLLOW_UP_POOL = 50   # a follow-up looks this deep for the previous answer's sections


@dataclass
class Turn:
    """One answered question: its hits, and the earlier question it was read with
    (None when it stood on its own)."""

    hits: list[Hit]
    follows: str | None = None


@dataclass
class Conversation:
    """One user's chat: the current topic and what answered the last turn."""

    retriever: Retriever
    topic: str | None = None                 # the last question that stood on its own
    last_hits: list[Hit] = field(default_factory=list)

    def ask(self, question: str, k: int = 5, mode: str = "hybrid", **scope) -> Turn:
        """The answer to `question`, read with the topic when it refers back to an answer.

        `scope` (since, until, sources) is passed to every search, as `Retriever.search` takes it."""
        k = check_k(k)     # a follow-up's pool is sized by it before any search would check it
        if self.topic is None or not any(h.relevant for h in self.last_hits) or not refers_back(question):
            hits = self.retriever.search(question, k=k, mode=mode, **scope)
            self.topic, self.last_hits = question, hits
            return Turn(hits)
        before = [h for h in self.last_hits if h.relevant]   # the answers: Hit.relevant, the one rule
        # The follow-up's own words find the passages ("where did she go *after*
        # that" wants what is new, not the passage already shown); the previous
        # answer's sections come first. Their headings (or titles) join a second
        # query only to find those passages when the question alone misses them.
        own = self.retriever.search(question, k=max(k, FOLLOW_UP_POOL), mode=mode, **scope)
        labels = " ".join(dict.fromkeys(h.section or h.title for h in before))
        ids = {h.passage_id for h in own}
        found = own + [h for h in self.retriever.search(f"{labels} {question}", k=FOLLOW_UP_POOL,
                                                        mode=mode, **scope)
                       if h.passage_id not in ids]
        before = _same_person(question, before, found)
        sections = {(h.article, h.section) for h in before}
        inside = [h for h in found if (h.article, h.section) in sections]
        pool = inside + [h for h in own if (h.article, h.section) not in sections]
        hits = pool[:k]
        later = bool(_ASKS_LATER.search(chinese_script.for_reading(question)))
        if later:   # the paragraph after a shown answer is judged too, however few passages are asked for
            after = {(h.article, h.section, h.position + 1) for h in before}
            hits += [h for h in pool[k:] if (h.article, h.section, h.position) in after]
        # The hits are judged as answers to the follow-up with the name of what it refers to
        # written in for the back-reference (她后来去了哪里? -> 蔡敏后来去了哪里?): the confidence
        # that question gets on its own. A passage of a section that answered the topic is judged
        # with that section's name; any other with each name, the likeliest kept. (The whole
        # heading would not do: its words match its section by construction.)
        names = {key: resolve(question, proper_names.name_of(section, title)) for key, section, title in
                 dict.fromkeys(((h.article, h.section), h.section, h.title) for h in before)}
        judged = {name: dict(zip((h.passage_id for h in hits), self.retriever.judge(name, hits)))
                  for name in dict.fromkeys(names.values())}
        hits = [judged[names[(h.article, h.section)]][h.passage_id] if (h.article, h.section) in names
                else max((j[h.passage_id] for j in judged.values()), key=lambda x: x.confidence)
                for h in hits]
        if later:
            hits = _sequel_for_later(question, hits, before)
        ranked = sorted((h for h in hits if (h.article, h.section) in sections), key=lambda h: -h.confidence)
        hits = (ranked + [h for h in hits if (h.article, h.section) not in sections])[:k]   # the sections' passages first
        self.last_hits = hits
        return Turn(hits, follows=self.topic)


# A follow-up asking what came later (她后来去了哪里?, 之后呢?, "Where did she go afterwards?") asks past the answer
# shown. News tells a person's doings in order, a paragraph going on from the one before (支援闽侯归来,她马不停蹄,
# 继续转战...): where the answer shown in a person's part tells no sequel from its answer sentence on, and the next
# paragraph of that part opens with one, that paragraph is the answer "later" asks for. Only where the question's
# words are found alike in both, or the sequel misses only common ones (蔡敏后来去了哪里?; 她之后做了什么?, 做 missed;
# not 她后来在洲头村还做了什么?, which the shown one answers): the
# two are then told apart by the dense side alone, which prefers the passage nearer the topic, and the sequel takes
# the confidence the shown one had, which takes the sequel's. A passage that goes on itself (完成支援南通镇任务后,
# 他立即转战...) still answers. Not 以后 of what is to come (她以后还会去吗?), "next to", "next year", "later than".
_ASKS_LATER = re.compile(r"后来|^\s*(?:然后|接着|随后|此后|之后|以后)|(?:[他她它]们?|这位|那位|此人)(?:之后|随后|接着|然后)"
                         r"|(?:回来|归来|返回|回去)(?:之后|以后|后)(?!\s*(?:会(?!议)|要(?![求点])|将(?!近)|还会|还要|打算|准备)"   # not what is to come
                         r"|[^?？]*?(?:还会|将会|会不会|还要|打算|准备))"
                         r"|\b(?:afterwards?|after that)\b|\blater\b(?!\s+than)|\bnext\s*[?？.!]*\s*$"
                         r"|\bafter (?:(?:coming|getting|going) back|returning|(?:he|she|they) (?:came|got|went) back|"
                         r"(?:he|she|they) returned)\b", re.I)
# A clause that starts a sequel: 随后, 此后; 支援闽侯归来, 结束石门镇的驻守任务后, 完成支援南通镇任务后 (not 继续加强, a
# quote's 以后)
_SEQUEL = r"(?:随后|此后|其后|之后|后来|接着|然后|[^，,。；;]{0,20}?(?:归来|回来|结束后|(?:完成|结束)[^，,。；;]{0,16}后))[，,]"
_OPENS_SEQUEL = re.compile(rf"^\s*{_SEQUEL}")
_GOES_ON = re.compile(rf"(?<=[，,。；;])\s*{_SEQUEL}")


def _sequel_for_later(question: str, hits: list[Hit], shown: list[Hit]) -> list[Hit]:
    """`hits` of a follow-up asking what came later, each person's part's last `shown` passage trading confidence
    with the next paragraph of that part when that one opens a sequel, the shown one tells none from its answer on,
    and the follow-up's words are found alike in both (_ASKS_LATER)."""
    last: dict[tuple, Hit] = {}
    for h in shown:
        key = (h.article, h.section)
        if proper_names.person_heading(h.section) and (key not in last or h.position > last[key].position):
            last[key] = h
    at = {(h.article, h.section, h.position): i for i, h in enumerate(hits)}
    out = list(hits)
    for (article, section), told in last.items():
        i, n = at.get((article, section, told.position)), at.get((article, section, told.position + 1))
        if i is None or n is None or _GOES_ON.search(told.text[told.answer_span[0]:]):
            continue
        before, sequel = hits[i], hits[n]
        if _OPENS_SEQUEL.search(sequel.text) and _alike(question, before, sequel) \
                and sequel.confidence < before.confidence:
            out[i], out[n] = (dataclasses.replace(before, confidence=sequel.confidence,
                                                  relevant=sequel.confidence >= answer.RELEVANT_AT),
                              dataclasses.replace(sequel, confidence=before.confidence,
                                                  relevant=before.confidence >= answer.RELEVANT_AT))
    return out


def _alike(question: str, before: Hit, sequel: Hit) -> bool:
    """Whether follow-up `question`'s words are found alike in the `before` and `sequel` passages: as fully, or
    (Chinese) with only words common in general use (COMMON_RARITY) written in the first alone (做 of 她之后做了什么?,
    in 做法; not 洲头村 of 她后来在洲头村还做了什么?, nor 社区 of 她后来在社区还做了什么?)."""
    if sequel.coverage >= before.coverage - 1e-9:
        return True
    if not segment.is_cjk_question(question):
        return False
    missed = [w for w in segment.words(question)
              if w in f"{before.section}\n{before.text}" and w not in f"{sequel.section}\n{sequel.text}"]
    return all(says_little(w, COMMON_RARITY) for w in missed)


# Who a pronoun can mean: 她 and "she" a woman, 他 and "he" a man (not 他们, which Chinese writes of
# any group). News writes each person's part with their own pronoun (苏健: 他; 蔡敏: 她), so a
# section's pronouns say which one it is about.
_SHE = re.compile(r"她(?!们)|\b(?:she|her|hers)\b" + NOT_A_SURNAME, re.I)
_HE = re.compile(NOT_OTHER + r"他(?!们)|\b(?:he|him|his)\b" + NOT_A_SURNAME, re.I)


def _same_person(question: str, answers: list[Hit], passages: list[Hit]) -> list[Hit]:
    """The `answers` whose section (article, heading) a follow-up's 她 or 他 can mean: not a section whose
    `passages` write only the other pronoun (她后来去了哪里? after 苏健 and 蔡敏 both answered: 蔡敏's).
    All of them when the question has no such pronoun, or none would be left."""
    she, he = bool(_SHE.search(question)), bool(_HE.search(question))
    if she == he:
        return answers
    text: dict[tuple[str, str], str] = {}
    for h in passages + answers:
        key = (h.article, h.section)
        text[key] = text.get(key, "") + h.text
    own, other = (_SHE, _HE) if she else (_HE, _SHE)

    def fits(h: Hit) -> bool:
        written = text.get((h.article, h.section), "")
        return bool(own.search(written)) or not other.search(written)

    kept = [h for h in answers if fits(h)]
    return kept or answers


def resolve(question: str, name: str) -> str:
    """The follow-up with `name` (what it refers to: proper_names.name_of) written in: the first
    back-reference replaced (她后来去了哪里? -> 蔡敏后来去了哪里?; "where did she go" -> "where
    did Caimin go"), or the name put in front when the question only opens like a follow-up
    (后来呢?). Without a name, the question as it is."""
    if not name:
        return question
    latin = not segment.is_cjk_question(question)
    if latin:
        name = pinyin.romanized(name)
    pronoun = (EN_PRONOUN if latin else ZH_PRONOUN).search(question)
    if pronoun:
        return question[:pronoun.start()] + name + question[pronoun.end():]
    return f"{name} {question}" if latin else name + question
