"""Which passages a question may be answered from: a date range and source files.

One job: turn `since`, `until` and `sources` into the set of passage ids that
ranking then works within (the best passages *inside* the scope, not the
global best filtered afterwards). Dates are the articles' own (their date line,
or the date a JSONL record or HTML page gives); sources are file names as the
index knows them ("uploads/report.pdf"), a bare file name, or a glob.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from dataclasses import dataclass

import numpy as np

_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")
_BOUND = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?\s*$")


class ScopeError(ValueError):
    """A scope that cannot be read (a date that is no date)."""


class EmptyScope(ScopeError):
    """The scope leaves no passage to answer from (the message says why)."""


def day_number(text: str) -> int:
    """An article's date as yyyymmdd (a month without a day counts as its first day); 0 if none."""
    found = _DAY.search(text or "")
    if not found:
        return 0
    year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
    return year * 10000 + month * 100 + day if 1 <= month <= 12 and 1 <= day <= 31 else 0


def bound(value, end: bool) -> int:
    """`since`/`until` as yyyymmdd. "2023" and "2023-05" cover the whole year or month:
    as `until` they mean its last day. Accepts a `datetime.date` too."""
    if isinstance(value, datetime.date):
        return value.year * 10000 + value.month * 100 + value.day
    found = _BOUND.match(str(value))
    if not found:
        raise ScopeError(f"{value!r} is not a date: write it as 2023-05-17, 2023-05 or 2023")
    year, month, day = int(found.group(1)), found.group(2), found.group(3)
    if month is None:
        return year * 10000 + (1231 if end else 101)
    month = int(month)
    if not 1 <= month <= 12:
        raise ScopeError(f"{value!r} is not a date: the month must be 1 to 12")
    if day is None:
        last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
        return year * 10000 + month * 100 + (last if end else 1)
    try:
        datetime.date(year, month, int(day))
    except ValueError as e:
        raise ScopeError(f"{value!r} is not a date: {e}") from None
    return year * 10000 + month * 100 + int(day)


def _patterns(sources) -> list:
    return [sources] if isinstance(sources, str) else [s for s in (sources or []) if str(s).strip()]


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def given(since=None, until=None, sources=None) -> bool:
    """Whether anything is scoped at all (blank dates and no patterns scope nothing)."""
    return not (blank(since) and blank(until) and not _patterns(sources))


@dataclass
class Catalog:
    """Each passage's date and source, kept once per index for quick scoping."""

    days: np.ndarray                    # yyyymmdd per passage, 0 when the article has no date
    sources: dict[str, np.ndarray]      # source file -> ids of its passages

    @classmethod
    def of(cls, passages) -> "Catalog":
        days = np.fromiter((day_number(p.date) for p in passages), dtype=np.int64, count=len(passages))
        by_source: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            by_source.setdefault(p.source, []).append(i)
        return cls(days, {s: np.asarray(ids, dtype=np.int64) for s, ids in by_source.items()})

    def select(self, since=None, until=None, sources=None) -> np.ndarray | None:
        """Ids of the passages in scope, ascending; None when nothing is scoped.

        Raises ScopeError for a bad date, EmptyScope (saying why) when nothing is left."""
        if not given(since, until, sources):
            return None
        patterns = _patterns(sources)
        keep = np.ones(len(self.days), dtype=bool)
        said = []
        if patterns:
            names = [s for s in self.sources if any(_matches(s, str(p).strip()) for p in patterns)]
            if not names:
                shown = ", ".join(sorted(self.sources)[:5]) + (", ..." if len(self.sources) > 5 else "")
                raise EmptyScope(f"no indexed file matches {', '.join(map(str, patterns))} "
                                 f"(the index holds {len(self.sources)} files: {shown})")
            keep[:] = False
            keep[np.concatenate([self.sources[n] for n in names])] = True
            said.append(f"from {', '.join(map(str, patterns))}")
        if not (blank(since) and blank(until)):
            low = bound(since, end=False) if not blank(since) else 0
            high = bound(until, end=True) if not blank(until) else 99991231
            if low > high:
                raise EmptyScope(f"the date range is empty: {since} is after {until}")
            dated = self.days > 0
            keep &= dated & (self.days >= low) & (self.days <= high)
            said.append(" ".join(x for x in (f"since {since}" if not blank(since) else "",
                                             f"until {until}" if not blank(until) else "") if x))
            undated = int(np.count_nonzero(~dated))
        ids = np.flatnonzero(keep)
        if len(ids) == 0:
            why = f"no passage in the index is {' and '.join(said)}"
            if not (blank(since) and blank(until)) and undated:
                why += f" ({undated} passages have no date and are left out of any date range)"
            raise EmptyScope(why)
        return ids


def _matches(source: str, pattern: str) -> bool:
    """A source file matches its full name, its bare file name, or a glob of either."""
    base = source.rsplit("/", 1)[-1]
    return source == pattern or base == pattern or fnmatch.fnmatchcase(source, pattern) \
        or fnmatch.fnmatchcase(base, pattern)
