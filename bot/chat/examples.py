"""Example questions for the chat, drawn from across an index's articles."""

from __future__ import annotations

import random
import re

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]{2,4}$")
_LATIN_NAME = re.compile(r"^[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,2}$")


def article_question(title: str, section: str) -> str | None:
    """A question one article (or one of its sections) answers: about the person a section
    heading names ("苏健 政策法规处处长" -> 苏健做了什么?), else about the article's title."""
    section, title = (section or "").strip(), (title or "").strip()
    head = re.split(r"[\s,，:：|]+", section, maxsplit=1)[0]          # 苏健 政策法规处处长
    name = re.split(r"\s*[,，:：|(–—-]\s*", section, maxsplit=1)[0]     # Jane Smith, head of ...
    if section and _CJK_NAME.match(head) and head != section:
        return f"{head}做了什么?"
    if section and _LATIN_NAME.match(name) and name != section and len(name) < 40:
        return f"What did {name} do?"
    if not title:
        return None
    short = title if len(title) <= 40 else title[:38] + "…"
    return f"「{short}」讲了什么?" if _CJK.search(title) else f"What is “{short}” about?"


def example_questions(passages, limit: int = 6, seed: str = "") -> list[str]:
    """Up to `limit` questions drawn at random across the whole collection, from as many
    articles as there are (`seed`, e.g. the index's build time, picks the draw: a rebuilt
    index shows new ones). An English question is kept when the collection offers one."""
    by_article: dict[tuple[str, str], list[str]] = {}
    for p in passages:
        q = article_question(p.title, p.section)
        if q:
            options = by_article.setdefault((getattr(p, "source", ""), getattr(p, "doc_id", p.title)), [])
            if q not in options:
                options.append(q)
    draw = random.Random(seed)
    articles = [draw.sample(options, len(options)) for options in by_article.values()]
    draw.shuffle(articles)
    # A person's section says more than a title: an article offers one first when it has one.
    for options in articles:
        options.sort(key=lambda q: not (q.endswith("做了什么?") or q.startswith("What did ")))
    found: list[str] = []
    for turn in range(max((len(o) for o in articles), default=0)):   # a second round for small collections
        for options in articles:
            if len(found) == limit:
                break
            if turn < len(options) and options[turn] not in found:
                found.append(options[turn])
    if found and all(_CJK.search(q) for q in found):
        english = [q for options in articles for q in options if not _CJK.search(q)]
        if english:
            found[-1] = english[0]
    return found
