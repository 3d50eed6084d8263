"""Follow-up questions: 她后来去了哪里? means nothing without the turn before it.

A question that refers back (a personal pronoun, or an opening such as 后来 /
"what about") is answered from the sections (heading, or article when it has
none) that answered the topic, the last question that stood on its own: their
passages come first, ranked by the follow-up's own words, then the rest.
Across scripts too: an English follow-up to a Chinese question works the same
way. A question that stands on its own starts a new topic and is searched as
it is; so does one that refers back to a turn that found nothing (no relevant
hit): there is nothing to refer back to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .retriever import Hit, Retriever

_ZH_BACKREF = re.compile(r"[他她它]们?|这位|那位|此人|这个人|那个人|^该|^那|^还有|^然后|^之后|^后来")
_EN_BACKREF = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|this person|that one)\b"
                         r"|^(and|what about|how about|then|after that)\b", re.I)
FOLLOW_UP_POOL = 50   # a follow-up looks this deep for the previous answer's sections


def refers_back(question: str) -> bool:
    return bool(_ZH_BACKREF.search(question) or _EN_BACKREF.search(question.strip()))


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
        if self.topic is None or not any(h.relevant for h in self.last_hits) or not refers_back(question):
            hits = self.retriever.search(question, k=k, mode=mode, **scope)
            self.topic, self.last_hits = question, hits
            return Turn(hits)
        before = [h for h in self.last_hits if h.relevant]   # the answers: Hit.relevant, the one rule
        sections = {(h.doc_id, h.section) for h in before}
        # The follow-up's own words rank the passages ("where did she go *after*
        # that" wants what is new, not the passage already shown); the previous
        # answer's sections come first. Their headings (or titles) join a second
        # query only to find those passages when the question alone misses them.
        own = self.retriever.search(question, k=max(k, FOLLOW_UP_POOL), mode=mode, **scope)
        labels = " ".join(dict.fromkeys(h.section or h.title for h in before))
        ids = {h.passage_id for h in own}
        found = own + [h for h in self.retriever.search(f"{labels} {question}", k=FOLLOW_UP_POOL,
                                                        mode=mode, **scope)
                       if h.passage_id not in ids]
        inside = [h for h in found if (h.doc_id, h.section) in sections]
        hits = (inside + [h for h in own if (h.doc_id, h.section) not in sections])[:k]
        self.last_hits = hits
        return Turn(hits, follows=self.topic)
