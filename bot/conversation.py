"""Follow-up questions: 她后来去了哪里? means nothing without the turn before it.

A question that refers back (a pronoun or a "what about" opening, and no
name of its own) is searched together with the previous question, and
passages from the sections that answered the previous turn come first. A
question that stands on its own is searched as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .retriever import Hit, Retriever

_ZH_BACKREF = re.compile(r"[他她它]们?|这位|那位|此人|该|这个人|那个人|^那|^还有|^然后|^之后|^后来")
_EN_BACKREF = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|it|its|there|that one|this person)\b"
                         r"|^(and|what about|how about|then|after that)\b", re.I)


def refers_back(question: str) -> bool:
    return bool(_ZH_BACKREF.search(question) or _EN_BACKREF.search(question))


@dataclass
class Conversation:
    """One user's chat: remembers the last question and what answered it."""

    retriever: Retriever
    last_question: str | None = None
    last_hits: list[Hit] = field(default_factory=list)

    def ask(self, question: str, k: int = 5, mode: str = "hybrid") -> tuple[list[Hit], str]:
        """Hits for `question`, and the query actually searched."""
        query = question
        follow_up = self.last_question is not None and refers_back(question)
        if follow_up:
            query = f"{self.last_question} {question}"
        hits = self.retriever.search(query, k=k * 2 if follow_up else k, mode=mode)
        if follow_up:
            before = {(h.doc_id, h.section) for h in self.last_hits if h.relevant}
            # Stable sort: the previous answer's sections first, each group in rank order.
            hits = sorted(hits, key=lambda h: (h.doc_id, h.section) not in before)[:k]
        self.last_question, self.last_hits = question if not follow_up else query, hits
        return hits, query
