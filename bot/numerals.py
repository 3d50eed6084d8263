"""Numbers written one way: 二十三岁 -> 23岁, 一九九九年 -> 1999年, 百分之五 -> 5%, １９９９ -> 1999.

So that a question's "23" matches a text's 二十三 (and the other way round) on the
lexical side and in highlighting. Only Chinese numerals that are clearly numbers
are rewritten: followed by a unit (年 月 日 岁 届 ...), after 第, or in 百分之...;
一心一意, 统一, 十分重要, 三国 and 哪一年 stay as they are (rewriting them would break the words).
`normalize` also returns where each character came from, so a match found in the
rewritten text can be shown as the text writes it.
"""

from __future__ import annotations

import re

_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
_DIGITS = "".join(_DIGIT)
_UNITS = "十百千"
_NUM = f"[{_DIGITS}{_UNITS}]+"
# After a number: calendar, age and counting units, and 万/亿, which stay as written (三百万 -> 300万).
_AFTER = "年月日号岁届次倍人名位元块米里吨万亿世周多余"
_NUMBER = re.compile(rf"百分之(?P<pct>{_NUM})|(?<=第)(?P<nth>{_NUM})|(?P<num>{_NUM})(?=[{_AFTER}])")
# 一 after these is "which / each / this / that" (哪一年 which year, 这一天 that day), not one;
# not before 万/亿 (那一万元 is 10,000 yuan). 同 and 逐 end ordinary words (合同一年, 驱逐一名).
_DETERMINERS = "哪每这那另某"
_WIDE = str.maketrans("０１２３４５６７８９％", "0123456789%")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _kept(m: re.Match) -> bool:
    """Whether match `m` of _NUMBER is no number: a unit alone (千万不要, 百年大计) or 一 after a
    determiner (哪一年)."""
    numeral = m.group("num")
    if numeral is None:
        return False
    return numeral in ("百", "千") or (numeral == "一" and m.start() > 0
                                        and m.string[m.start() - 1] in _DETERMINERS
                                        and m.string[m.end()] not in "万亿")


def value(numeral: str) -> int | None:
    """The value of a Chinese numeral (二十三 -> 23, 一九九九 -> 1999, 两百 -> 200), None if malformed."""
    digits = [_DIGIT[ch] for ch in numeral if ch in _DIGIT]
    if not any(ch in _UNITS for ch in numeral):          # digit by digit: 一九九九, 二〇〇八
        return int("".join(map(str, digits))) if digits else None
    total, pending = 0, None
    for ch in numeral:
        if ch in _UNITS:
            scale = 10 ** (_UNITS.index(ch) + 1)
            total += (1 if pending is None else pending) * scale
            pending = None
        elif pending is not None and pending != 0:       # 二三十 (two or three tens): not a number
            return None
        else:
            pending = _DIGIT[ch]
    return total + (pending or 0)


def normalize(text: str) -> tuple[str, list[tuple[int, int]]]:
    """(text with numbers in Arabic digits, for each of its characters the span of `text` it came from).

    Characters of a rewritten number all come from the whole numeral (二十三 -> 2, 3: both (0, 3))."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        group = next(g for g in ("pct", "nth", "num") if m.group(g))
        numeral = m.group(group)
        n = value(numeral)
        if n is None or _kept(m):
            continue
        new = f"{n}%" if group == "pct" else str(n)
        out.append(text[pos:m.start()])
        spans.extend((i, i + 1) for i in range(pos, m.start()))
        out.append(new)
        spans.extend([m.span()] * len(new))
        pos = m.end()
    out.append(text[pos:])
    spans.extend((i, i + 1) for i in range(pos, len(text)))
    plain = "".join(out).translate(_WIDE)                 # one character for one: spans stay
    drop = {m.start() for m in _THOUSANDS.finditer(plain)}
    if drop:
        plain = "".join(ch for i, ch in enumerate(plain) if i not in drop)
        spans = [sp for i, sp in enumerate(spans) if i not in drop]
    return plain, spans


def arabic(text: str) -> str:
    """`text` with its numbers in Arabic digits: `normalize`'s text, without the spans (faster)."""
    return _THOUSANDS.sub("", _NUMBER.sub(_rewrite, text).translate(_WIDE))


def chinese(n: int) -> str:
    """1..99 in Chinese numerals, as news writes a school's or hospital's number (一, 十一, 二十)."""
    digits = "一二三四五六七八九"
    tens, units = divmod(n, 10)
    return ((digits[tens - 1] if tens > 1 else "") + "十" if tens else "") + (digits[units - 1] if units else "")


def _rewrite(m: re.Match) -> str:
    group = next(g for g in ("pct", "nth", "num") if m.group(g))
    numeral = m.group(group)
    n = value(numeral)
    if n is None or _kept(m):
        return m.group()
    return f"{n}%" if group == "pct" else str(n)


def original_span(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that characters [start, end) of the normalized text came from."""
    return spans[start][0], spans[end - 1][1]


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_NUMBER = r"\d{1,2}|[０-９]{1,2}|十[一二]?|[一二三四五六七八九]"
# A month as Chinese writes it: 9月, 五月, 十二月份, 5月底; the first of a range too (5至9月, 5—9月). Not a count of
# months (两月, 2个月), an age (6月龄), a list of two (一二月份), nor 19月.
_MONTH = re.compile(rf"(?<![\d０-９{_DIGITS}十])({_MONTH_NUMBER})(?:\s*[至到~～—–-]\s*({_MONTH_NUMBER}))?月(?!龄)")


def _month_number(written: str) -> int:
    written = written.translate(_WIDE)
    if written.isdigit():
        return int(written)
    return 10 + (_DIGIT[written[1]] if len(written) > 1 else 0) if written[0] == "十" else _DIGIT[written]


def months(text: str) -> list[tuple[str, int, int]]:
    """The months `text` writes, as (English name, start, end): "September" asked finds 9月开展."""
    numbered = ((_month_number(m.group(g)), m.start(g), m.end()) for m in _MONTH.finditer(text) for g in (1, 2)
                if m.group(g))
    return [(MONTHS[n - 1], start, end) for n, start, end in numbered if 1 <= n <= 12]
