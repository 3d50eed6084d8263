"""Example questions for the chat, drawn from an index's passages."""

from __future__ import annotations

import re

SEED_MARK = "南通镇"                    # the shipped seed article; its canonical examples follow
SEED_EXAMPLES = ("谁去了南通镇?", "Who went to Nantong town?")

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]{2,4}$")
_LATIN_NAME = re.compile(r"^[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,2}$")


def example_questions(passages, limit: int = 6) -> list[str]:
    """Questions drawn from an index's passages: one per person-like section
    heading ("苏健 政策法规处处长" -> 苏健做了什么?), then one per article title.
    The seed article's canonical questions come first when it is indexed."""
    found: list[str] = []
    if any(SEED_MARK in p.text for p in passages):
        found += SEED_EXAMPLES
    seen_sections, titles = set(), []
    people: list[str] = []
    for p in passages:
        if p.section and p.section not in seen_sections:
            seen_sections.add(p.section)
            section = p.section.strip()
            head = re.split(r"[\s,，:：|]+", section, maxsplit=1)[0]      # 苏健 政策法规处处长
            name = re.split(r"\s*[,，:：|(–—-]\s*", section, maxsplit=1)[0]  # Jane Smith, head of ...
            if _CJK_NAME.match(head) and head != section:
                people.append(f"{head}做了什么?")
            elif _LATIN_NAME.match(name) and name != section and len(name) < 40:
                people.append(f"What did {name} do?")
        title = (p.title or "").strip()
        if title and title not in titles:
            titles.append(title)
    for title in titles:
        short = title if len(title) <= 40 else title[:38] + "…"
        people.append(f"「{short}」讲了什么?" if _CJK.search(title) else f"What is “{short}” about?")
    for q in people:
        if len(found) >= limit:
            break
        if q not in found:
            found.append(q)
    # Keep an English example in the list when the corpus offers one.
    english = [q for q in people if not _CJK.search(q) and q not in found]
    if english and all(_CJK.search(q) for q in found) and found:
        found[-1] = english[0]
    return found[:limit]
