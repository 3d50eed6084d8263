"""Hits -> HTML for the chat: cards, the answer reply, index stats, status lines.

Pure functions. Every piece of article text goes through _esc(); highlight
spans are computed on the raw text, then each segment is escaped on its own,
so markup can only come from here.
"""

from __future__ import annotations

import html
import re

from ..answer import percent

HIGH_CONFIDENCE = 0.7      # "high" label; below the engine's relevance bar it is "low"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True).replace("\n", "<br>")


def term_spans(text: str, terms) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of the terms in `text`, case-insensitive, longer terms first."""
    taken: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t and t.strip()}, key=lambda t: (-len(t), t)):
        for m in re.finditer(re.escape(term), text, re.IGNORECASE):
            s, e = m.span()
            if all(e <= a or s >= b for a, b in taken):
                taken.append((s, e))
    merged: list[tuple[int, int]] = []      # 南通|镇 -> one mark for 南通镇
    for s, e in sorted(taken):
        if merged and s == merged[-1][1]:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _marked(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> str:
    out, pos = [], lo
    for s, e in spans:
        s, e = max(s, lo), min(e, hi)
        if s >= e or s < pos:
            continue
        out += [_esc(text[pos:s]), '<strong class="qa-term">', _esc(text[s:e]), "</strong>"]
        pos = e
    out.append(_esc(text[pos:hi]))
    return "".join(out)


def highlight(text: str, answer_span: tuple[int, int] | None = None, terms=()) -> str:
    """`text` as safe HTML: the answer span in <mark class="qa-ans">, matched terms in <strong class="qa-term">."""
    spans = term_spans(text, terms)
    if not answer_span:
        return _marked(text, 0, len(text), spans)
    s, e = (max(0, min(int(x), len(text))) for x in answer_span)
    if s >= e:
        return _marked(text, 0, len(text), spans)
    return (_marked(text, 0, s, spans) + '<mark class="qa-ans">' + _marked(text, s, e, spans)
            + "</mark>" + _marked(text, e, len(text), spans))


def confidence_label(hit) -> tuple[str, str]:
    """(css level, words) for a hit's confidence."""
    pct = f"{percent(hit.confidence)}%"     # rounded down: 69.59% is not "Medium · 70%"
    if hit.relevant and hit.confidence >= HIGH_CONFIDENCE:
        return "high", f"High confidence · {pct}"
    if hit.relevant:
        return "medium", f"Medium confidence · {pct}"
    return "low", f"Low confidence · {pct}"


def snippet(text: str, span: tuple[int, int], terms=(), context: int = 60) -> tuple[str, bool]:
    """(HTML, cut?) for the answer sentence with up to `context` characters either side:
    highlighted, escaped, with … where the passage goes on."""
    s, e = (max(0, min(int(x), len(text))) for x in span)
    if s >= e:
        s, e = 0, len(text)
    lo, hi = max(0, s - context), min(len(text), e + context)
    if lo > 0:                                    # don't start or stop mid-word in Latin text
        gap = text.find(" ", lo, s)
        lo = gap + 1 if 0 <= gap < lo + 20 else lo
    if hi < len(text):
        gap = text.rfind(" ", e, hi)
        hi = gap if gap > hi - 20 else hi
    body = highlight(text[lo:hi], (s - lo, e - lo), terms)
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else ""), (lo > 0 or hi < len(text))


def render_hit(hit, rank: int) -> str:
    """One passage as a card: title, section, date, source, confidence; the answer
    sentence highlighted in its context with matched terms marked; the full passage
    in an expandable block."""
    level, words = confidence_label(hit)
    title = hit.title or hit.source
    meta = [f'<span class="qa-section">{_esc(hit.section)}</span>' if hit.section else "",
            f'<span class="qa-date">{_esc(hit.date)}</span>' if hit.date else "",
            f'<span class="qa-source" title="file and paragraph">{_esc(hit.source)} · ¶{hit.position + 1}</span>']
    shown, cut = snippet(hit.text, hit.answer_span, hit.matched_terms)
    full = ""
    if cut:
        full = (f'<details class="qa-full"><summary>Full passage</summary>'
                f'<p>{highlight(hit.text, hit.answer_span, hit.matched_terms)}</p></details>')
    terms = ""
    if hit.matched_terms:
        terms = ('<div class="qa-terms">Matched: '
                 + " ".join(f'<span class="qa-chip">{_esc(t)}</span>' for t in hit.matched_terms)
                 + "</div>")
    return (f'<div class="qa-card qa-{level}">'
            f'<div class="qa-head"><span class="qa-rank">{rank}</span>'
            f'<span class="qa-title">{_esc(title)}</span></div>'
            f'<div class="qa-meta">{"".join(m for m in meta if m)}</div>'
            f'<p class="qa-answer">{shown}</p>'
            f'{full}{terms}'
            f'<div class="qa-conf" title="how likely this passage answers the question">'
            f'<span class="qa-bar"><span style="width:{max(2, percent(hit.confidence))}%"></span></span>'
            f'<span class="qa-conf-text">{words}</span></div>'
            f"</div>")


def render_answer(hits, follows: str | None = None) -> str:
    """The chat reply for a list of hits.

    The answers (hits that clear the confidence bar, `relevant`) come first, most likely
    first; the other passages fold behind one "show N more". When none is relevant it says
    so and folds them all (for a follow-up it shows them, marked as unsure: the previous
    turn set the topic). `follows` is the earlier question a follow-up was read with.
    One line of HTML (no blank lines), so the chat's Markdown leaves it alone."""
    by_confidence = lambda hs: sorted(hs, key=lambda h: -h.confidence)   # noqa: E731 (stable: ties keep rank)
    answers = by_confidence([h for h in hits if h.relevant])
    others = by_confidence([h for h in hits if not h.relevant])
    n, m = len(answers), len(others)
    follow_up = follows is not None
    parts = ['<div class="qa-reply">']
    if follow_up:
        parts.append(f'<p class="qa-note">Follow-up: read together with the previous question '
                     f'— “{_esc(follows)}”</p>')
    if not hits:
        parts.append('<p class="qa-lead">The index has no passages to search.</p>')
    elif n:
        lead = ("This passage answers it:" if n == 1 else f"These {n} passages answer it, most likely first:")
        parts.append(f'<p class="qa-lead">{lead}</p>')
        parts += [render_hit(h, i) for i, h in enumerate(answers, 1)]
        if m:
            parts.append(f'<details class="qa-more"><summary>Show {m} more passage{"s" if m > 1 else ""} '
                         f'(below the confidence bar)</summary>'
                         + "".join(render_hit(h, i) for i, h in enumerate(others, n + 1)) + "</details>")
    elif follow_up:
        # The previous turn set the topic: its closest passages are worth seeing, marked as unsure.
        parts.append('<p class="qa-lead qa-none"><strong>No passage answers this confidently.</strong> '
                     'The closest ones, read with the previous question:</p>')
        parts += [render_hit(h, i) for i, h in enumerate(others, 1)]
    else:
        parts.append('<p class="qa-lead qa-none"><strong>Nothing in the articles answers this.</strong> '
                     'No passage is a confident match; try other words or another question.</p>')
        parts.append(f'<details class="qa-weak"><summary>Show the {m} closest '
                     f'passage{"s" if m > 1 else ""} anyway</summary>'
                     + "".join(render_hit(h, i) for i, h in enumerate(others, 1)) + "</details>")
    parts.append("</div>")
    return "".join(parts)


def render_notice(text: str, kind: str = "info") -> str:
    return f'<div class="qa-reply"><p class="qa-notice qa-{kind}">{_esc(text)}</p></div>'


def render_question(text: str) -> str:
    """A user's question as shown in the chat (escaped; the chat renders Markdown)."""
    return html.escape(text, quote=False)


def render_stats(info: dict | None, error: str = "") -> str:
    """Index statistics for the side panel."""
    if not info:
        return (f'<div class="qa-stats"><p><strong>No index yet.</strong> {_esc(error)}</p>'
                f'<p>Add articles below and press <em>Update index</em>.</p></div>')
    counts = info.get("counts", {})
    built = str(info.get("built_at", ""))
    m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)", built)
    built = f"{m[1]} {m[2]}" if m else built
    rows = [("Articles", counts.get("documents", 0)), ("Passages", counts.get("passages", 0)),
            ("Files", counts.get("files", 0)), ("Model", info.get("model", "?")), ("Built", built)]
    skipped = info.get("skipped") or 0
    note = f'<p class="qa-muted">{skipped} item{"s" if skipped != 1 else ""} skipped in the last build</p>' if skipped else ""
    return ('<div class="qa-stats"><dl>'
            + "".join(f"<dt>{k}</dt><dd>{_esc(v)}</dd>" for k, v in rows)
            + f"</dl>{note}</div>")


FILES_SHOWN = 50     # rows of the file list; the search box finds the others


def find_files(files: dict, query: str = "") -> list[tuple[str, dict]]:
    """(name, record) of the indexed files whose name or title contains every word of
    `query` (case-insensitive), newest first (the time a file was first indexed), then by name."""
    words = (query or "").lower().split()
    found = [(name, meta) for name, meta in files.items()
             if all(w in f"{name}\n{meta.get('title', '')}".lower() for w in words)]
    found.sort(key=lambda item: item[0])
    found.sort(key=lambda item: item[1].get("added", ""), reverse=True)
    return found


def render_files(info: dict | None, query: str = "", limit: int = FILES_SHOWN) -> str:
    """The index's files as a table (name, title, when first indexed), newest first; with
    `query`, only the files whose name or title holds it."""
    files = (info or {}).get("files", {})
    found = find_files(files, query)
    total = len(files)
    if not total:
        return '<div class="qa-files"><p class="qa-muted">No files indexed yet.</p></div>'
    if query.strip():
        head = f'{len(found)} of {total} file{"s" if total != 1 else ""} match “{_esc(query.strip())}”'
    else:
        head = f'{total} file{"s" if total != 1 else ""}, newest first'
    if len(found) > limit:
        head += f"; the first {limit} shown, search to find the others"
    rows = "".join(
        f'<tr><td class="qa-file-name">{_esc(name)}</td><td class="qa-file-title">{_esc(meta.get("title", ""))}</td>'
        f'<td class="qa-file-added">{_esc(_short_time(meta.get("added", "")))}</td></tr>'
        for name, meta in found[:limit])
    table = (f'<table><thead><tr><th>File</th><th>Title</th><th>Added</th></tr></thead><tbody>{rows}</tbody></table>'
             if rows else "")
    return f'<div class="qa-files"><p class="qa-muted qa-files-count">{head}</p>{table}</div>'


def _short_time(stamp: str) -> str:
    m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)", str(stamp))
    return f"{m[1]} {m[2]}" if m else str(stamp)


def render_status(lines: list[tuple[str, str]]) -> str:
    """Upload/rebuild outcome: (kind, text) lines, kind in ok | warn | error | info."""
    icons = {"ok": "✓", "warn": "!", "error": "✗", "info": "·"}
    return '<div class="qa-status">' + "".join(
        f'<p class="qa-{kind}"><span>{icons.get(kind, "·")}</span> {_esc(text)}</p>'
        for kind, text in lines) + "</div>"
