"""Follow-up questions: 她后来去了哪里? means nothing without the turn before it.

A question that refers back (a personal pronoun, or an opening such as 后来 /
"what about") is searched together with the topic of the conversation (the
last question that stood on its own) when both are in the same script, and
the passages from the sections that answered the previous turn come first.
A question that stands on its own starts a new topic and is searched as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexical import is_cjk_question
from .retriever import Hit, Retriever

_ZH_BACKREF = re.compile(r"[他她它]们?|这位|那位|此人|这个人|那个人|^该|^那|^还有|^然后|^之后|^后来")
_EN_BACKREF = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|this person|that one)\b"
                         r"|^(and|what about|how about|then|after that)\b", re.I)
FOLLOW_UP_POOL = 50   # a follow-up looks this deep for the previous answer's sections


def refers_back(question: str) -> bool:
    return bool(_ZH_BACKREF.search(question) or _EN_BACKREF.search(question.strip()))


@dataclass
class Conversation:
    """One user's chat: the current topic and what answered the last turn."""

    retriever: Retriever
    topic: str | None = None                 # the last question that stood on its own
    last_hits: list[Hit] = field(default_factory=list)

    def ask(self, question: str, k: int = 5, mode: str = "hybrid") -> tuple[list[Hit], str]:
        """Hits for `question`, and the query actually searched."""
        if self.topic is None or not refers_back(question):
            hits = self.retriever.search(question, k=k, mode=mode)
            self.topic, self.last_hits = question, hits
            return hits, question
        # Mixing scripts in one query would confuse the lexical side; the
        # section boost below carries the context across languages instead.
        same_script = is_cjk_question(self.topic) == is_cjk_question(question)
        query = f"{self.topic} {question}" if same_script else question
        before = {(h.doc_id, h.section) for h in self.last_hits if h.relevant} \
            or {(h.doc_id, h.section) for h in self.last_hits[:1]}
        pool = self.retriever.search(query, k=max(k, FOLLOW_UP_POOL), mode=mode)
        # Stable sort: the previous answer's sections first, each group in rank order.
        hits = sorted(pool, key=lambda h: (h.doc_id, h.section) not in before)[:k]
        self.last_hits = hits
        return hits, query
