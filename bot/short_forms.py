"""Chinese short forms: 支书 stands for 党支部书记, 危改 for 危房改造, 三中 for 第三中学. A question may write one where
the article writes the words in full (bot/evidence.py counts them found; bot/asked_for.py reads a post so)."""

from __future__ import annotations

import re

from . import numerals, segment

# A Chinese short form keeps a character or two of each word it stands for: 支书 (支部书记), 村支书
# (村党支部书记), 医保 (医疗保险), 危改 (危房改造), 高铁 (高速铁路), 三中 (第三中学). Its
# characters stand in the text in order, each at most SHORT_FORM_GAP Chinese character after the one
# before (two would take 医院确保 for 医保, 市场增长 for 市长); a leading numeral is the text's number
# right before the rest (三中 is 第3中学's 3中 once numbers are normalized, not 第13中学's nor 3月中旬's).
# Not for words that ask (多长, 哪条), names (刘强 is not 刘桂芳强调: the caller's) or one character.
SHORT_FORM_GAP = 1
_ASKING = re.compile(f"[{segment.ASKING_CHARACTERS}那这]")   # and words that point: 那段, 这次
_LEADING_NUMERAL = re.compile("^[一二三四五六七八九十两]+")


def short_form(term: str, text: str) -> str | None:
    """The stretch of `text` that `term`, read as a Chinese short form, stands for; None if none."""
    if not 2 <= len(term) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in term) or _ASKING.search(term):
        return None
    numeral = _LEADING_NUMERAL.match(term)
    number = numerals.value(numeral.group()) if numeral and numeral.end() < len(term) else None
    if number is not None:
        head, rest = rf"(?<![0-9.]){number}{re.escape(term[numeral.end()])}", term[numeral.end() + 1:]
    else:
        head, rest = re.escape(term[0]), term[1:]
    pattern = head + "".join(f"[\u4e00-\u9fff]{{0,{SHORT_FORM_GAP}}}{re.escape(ch)}" for ch in rest)
    plain, spans = numerals.normalize(text)
    found = re.search(pattern, plain)
    if not found:
        return None
    s, e = numerals.original_span(spans, found.start(), found.end())
    return text[s:e]
