"""qabot's web chat: ask the articles in data/ a question, get the best passages back.

    python app.py                                  # refresh index/ from data/, serve http://127.0.0.1:7860
    python app.py --host 0.0.0.0 --port 8080 --data my_articles --index my_index

On start the index is built, or refreshed if data/ changed (incremental: cheap
when nothing did), and the model is loaded once. Every browser session shares
that one index and model; each keeps its own conversation for follow-ups.
Scripts can call the `/ask` endpoint (see `api_ask`) with gradio_client.

Everything below the "UI" line needs gradio; the functions above it are plain
Python (rendering, uploads, examples) and are tested directly.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import threading
import time
import unicodedata
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MAX_UPLOAD_BYTES = 10 * 2**20          # per file
MAX_UPLOAD_FILES = 20                  # per update
UPLOAD_DIR = "uploads"                 # uploads go to <data>/uploads/
MODES = {"hybrid": "Hybrid", "dense": "Meaning", "lexical": "Keywords"}
DEFAULT_K = 3                          # passages per answer in the chat (the API's default is 5)
HIGH_CONFIDENCE = 0.7                  # "high" label; below the engine's relevance bar it is "low"
SEED_MARK = "南通镇"                    # the shipped seed article; its canonical examples follow
SEED_EXAMPLES = ("谁去了南通镇?", "Who went to Nantong town?")


# ---------------------------------------------------------------- rendering
# Pure functions: hits -> HTML. Every piece of article text goes through
# _esc(); highlight spans are computed on the raw text, then each segment is
# escaped on its own, so markup can only come from here.

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
    pct = f"{round(hit.confidence * 100)}%"
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
            f'<span class="qa-bar"><span style="width:{max(2, round(hit.confidence * 100))}%"></span></span>'
            f'<span class="qa-conf-text">{words}</span></div>'
            f"</div>")


def render_answer(hits, follows: str | None = None) -> str:
    """The chat reply for a list of hits, in rank order, each card saying how sure it is.
    When none is relevant it says so, and folds the closest passages away (for a
    follow-up it shows them, marked as unsure: the previous turn set the topic).
    `follows` is the earlier question a follow-up was read with.
    One line of HTML (no blank lines), so the chat's Markdown leaves it alone."""
    n = sum(h.relevant for h in hits)
    follow_up = follows is not None
    parts = ['<div class="qa-reply">']
    if follow_up:
        parts.append(f'<p class="qa-note">Follow-up: read together with the previous question '
                     f'— “{_esc(follows)}”</p>')
    if not hits:
        parts.append('<p class="qa-lead">The index has no passages to search.</p>')
    elif n:
        lead = ("The best passage:" if len(hits) == 1 else f"The {n} best passages:" if n == len(hits)
                else f"{n} of the {len(hits)} passages below answer{'s' if n == 1 else ''} this confidently:")
        parts.append(f'<p class="qa-lead">{lead}</p>')
        parts += [render_hit(h, i) for i, h in enumerate(hits, 1)]
    elif follow_up:
        # The previous turn set the topic: its closest passages are worth seeing, marked as unsure.
        parts.append('<p class="qa-lead qa-none"><strong>No passage answers this confidently.</strong> '
                     'The closest ones, read with the previous question:</p>')
        parts += [render_hit(h, i) for i, h in enumerate(hits, 1)]
    else:
        parts.append('<p class="qa-lead qa-none"><strong>Nothing in the articles answers this.</strong> '
                     'No passage is a confident match; try other words or another question.</p>')
        parts.append(f'<details class="qa-weak"><summary>Show the {len(hits)} closest '
                     f'passage{"s" if len(hits) > 1 else ""} anyway</summary>'
                     + "".join(render_hit(h, i) for i, h in enumerate(hits, 1)) + "</details>")
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
    files = sorted(info.get("files", {}))
    listing = ""
    if files:
        shown = "".join(f"<li>{_esc(f)}</li>" for f in files[:200])
        more = f"<li>… and {len(files) - 200} more</li>" if len(files) > 200 else ""
        listing = f'<details><summary>{len(files)} file{"s" if len(files) != 1 else ""}</summary><ul>{shown}{more}</ul></details>'
    skipped = info.get("skipped") or 0
    note = f'<p class="qa-muted">{skipped} item{"s" if skipped != 1 else ""} skipped in the last build</p>' if skipped else ""
    return ('<div class="qa-stats"><dl>'
            + "".join(f"<dt>{k}</dt><dd>{_esc(v)}</dd>" for k, v in rows)
            + f"</dl>{listing}{note}</div>")


def render_status(lines: list[tuple[str, str]]) -> str:
    """Upload/rebuild outcome: (kind, text) lines, kind in ok | warn | error | info."""
    icons = {"ok": "✓", "warn": "!", "error": "✗", "info": "·"}
    return '<div class="qa-status">' + "".join(
        f'<p class="qa-{kind}"><span>{icons.get(kind, "·")}</span> {_esc(text)}</p>'
        for kind, text in lines) + "</div>"


# ---------------------------------------------------------------- examples

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


# ---------------------------------------------------------------- uploads

_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]（）【】]+")


def safe_upload_name(name: str) -> str:
    """A plain file name for an upload: the basename, unsafe characters replaced,
    an allowed suffix. Raises ValueError when nothing usable is left."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" ")
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in UPLOAD_SUFFIXES:
        raise ValueError(f"{base or name}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
    stem = stem.strip(" ._")[:120]
    if not stem:
        raise ValueError(f"{name!r} is not a usable file name")
    return stem + suffix.lower()


def add_uploads(paths, data_dir: Path, allowed_root: Path | None = None,
                max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[list[str], list[tuple[str, str]]]:
    """Check uploaded files and copy the good ones into <data_dir>/uploads/.

    `paths` are files the web server received (under `allowed_root`). A file is
    refused for a wrong type, a size over `max_bytes`, or content qabot cannot
    read (binary, no article text, no valid .jsonl line); it then never reaches
    data/. Returns (names added relative to data_dir, [(kind, message)])."""
    from bot import documents

    added, notes = [], []
    paths = [Path(p) for p in (paths or [])]
    if len(paths) > MAX_UPLOAD_FILES:
        notes.append(("error", f"{len(paths)} files chosen; at most {MAX_UPLOAD_FILES} at a time"))
        return added, notes
    target_dir = (Path(data_dir) / UPLOAD_DIR).resolve()
    for src in paths:
        shown = src.name
        try:
            name = safe_upload_name(src.name)
            real = src.resolve()
            if allowed_root is not None and not real.is_relative_to(Path(allowed_root).resolve()):
                raise ValueError(f"{shown}: not an uploaded file")
            if not real.is_file():
                raise ValueError(f"{shown}: not a file")
            size = real.stat().st_size
            if size > max_bytes:
                raise ValueError(f"{shown}: {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
            if size == 0:
                raise ValueError(f"{shown}: the file is empty")
            rel = f"{UPLOAD_DIR}/{name}"
            docs, problems = documents.read(real, rel, max_bytes)
            if not docs:
                why = "; ".join((f"line {p.line}: " if p.line else "") + p.reason
                                for p in problems[:3]) or "no article text"
                raise ValueError(f"{shown}: not added — {why}")
            target = target_dir / name
            if target.parent != target_dir:       # belt and braces: never outside uploads/
                raise ValueError(f"{shown}: unsafe file name")
            target_dir.mkdir(parents=True, exist_ok=True)
            existed = target.exists()
            tmp = target_dir / f".{name}.part"     # dot files are not indexed while half-written
            shutil.copyfile(real, tmp)
            os.replace(tmp, target)
            added.append(rel)
            n = len(docs)
            notes.append(("ok", f"{'Replaced' if existed else 'Added'} {rel} "
                                f"({n} article{'s' if n != 1 else ''})"))
            notes += [("warn", str(p)) for p in problems[:5]]
            if len(problems) > 5:
                notes.append(("warn", f"{rel}: {len(problems) - 5} more problems"))
        except (ValueError, OSError) as e:
            notes.append(("error", str(e) if isinstance(e, ValueError) else f"{shown}: {e.strerror or e}"))
    return added, notes


# ---------------------------------------------------------------- the shared engine

class Engine:
    """The one index and model every session shares.

    `retriever` is swapped in one assignment after a rebuild, so a question
    always meets a complete index; rebuilds take `build_lock` and the old
    retriever keeps answering while they run."""

    def __init__(self, data_dir: Path, index_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self.index_dir = Path(index_dir).resolve()
        self.retriever = None
        self.error = ""
        self.examples: list[str] = []
        self.build_lock = threading.Lock()

    def build(self, progress: bool = False):
        """Refresh the index from data/ (incremental), then serve the new one. Raises on failure,
        leaving the current index serving."""
        from bot import build_index

        with self.build_lock:
            report = build_index([self.data_dir], index_dir=self.index_dir, progress=progress)
            if not report.up_to_date or self.retriever is None:
                self.load()
            return report

    def load(self) -> None:
        from bot import Retriever
        from bot.store import IndexError_

        try:
            new = Retriever.load(self.index_dir)
        except IndexError_ as e:
            if self.retriever is None:
                self.error = str(e)
            raise
        new.encoder        # the model, loaded once per process: now, not on the first question
        self.examples = example_questions(new.passages)
        self.retriever, self.error = new, ""

    def info(self) -> dict | None:
        r = self.retriever
        return r.info() if r is not None else None


def answer_html(engine: Engine, memory, question: str, k: int, mode: str):
    """(reply HTML, new memory) for one chat turn.

    A session remembers only its last question and hits (`memory`), not a
    Conversation: each turn talks to the index being served now, and a session
    left open never keeps an old index alive after a rebuild."""
    from bot import QuestionError
    from bot.conversation import Conversation
    from bot.store import IndexError_

    retriever = engine.retriever
    if retriever is None:
        return render_notice("There is no index yet. Add articles in the Index panel and press "
                             "Update index." + (f" ({engine.error})" if engine.error else ""), "warn"), memory
    conv = Conversation(retriever)
    if memory:
        conv.topic, conv.last_hits = memory
    try:
        turn = conv.ask(question, k=int(k), mode=mode if mode in MODES else "hybrid")
    except QuestionError as e:
        return render_notice(f"I can't search for that: {e}.", "warn"), memory
    except IndexError_ as e:
        return render_notice(f"The index cannot be searched: {e}", "error"), memory
    return render_answer(turn.hits, turn.follows), (conv.topic, list(conv.last_hits))


# ---------------------------------------------------------------- UI (needs gradio)

CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
#qa-header { padding: 4px 2px 0; }
#qa-header h1 { font-size: 1.45rem; margin: 0; font-weight: 650; }
#qa-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: .92rem; }
.qa-reply { font-size: .95rem; line-height: 1.6; }
.qa-reply p { margin: 0; }
.qa-lead { margin: 0 0 8px !important; color: var(--body-text-color-subdued); }
.qa-none { color: var(--body-text-color) !important; }
.qa-note { margin: 0 0 8px !important; font-size: .85rem; color: var(--body-text-color-subdued); font-style: italic; }
.qa-card { border: 1px solid var(--border-color-primary); border-left: 4px solid #16a34a; border-radius: 10px;
           padding: 10px 14px 10px 12px; margin: 0 0 10px; background: var(--background-fill-primary); }
.qa-card.qa-medium { border-left-color: #d97706; }
.qa-card.qa-low { border-left-color: #9ca3af; }
.qa-head { display: flex; align-items: baseline; gap: 8px; }
.qa-rank { flex: none; display: inline-block; min-width: 1.5em; height: 1.5em; line-height: 1.5em; text-align: center;
           border-radius: 999px; background: var(--background-fill-secondary); font-size: .78rem; font-weight: 600; }
.qa-title { font-weight: 600; overflow-wrap: anywhere; }
.qa-meta { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 2px 0 6px 2px; font-size: .8rem;
           color: var(--body-text-color-subdued); }
.qa-section { font-weight: 600; color: var(--body-text-color); }
.qa-source { overflow-wrap: anywhere; }
.qa-answer { margin: 4px 0 !important; overflow-wrap: anywhere; }
.qa-answer, .qa-full p { white-space: normal; }
mark.qa-ans { background: rgba(250, 204, 21, .28); color: inherit; padding: 1px 0; border-radius: 3px; }
.qa-term { font-weight: 650; color: inherit; text-decoration: underline; text-decoration-color: #f59e0b;
           text-decoration-thickness: 2px; text-underline-offset: 3px; }
.qa-full, .qa-weak { margin: 4px 0; }
.qa-full summary, .qa-weak summary, .qa-stats summary { cursor: pointer; font-size: .85rem;
           color: var(--link-text-color, #2563eb); }
.qa-full p { margin: 6px 0 0 !important; padding: 8px 10px; border-radius: 8px; background: var(--background-fill-secondary);
           font-size: .9rem; overflow-wrap: anywhere; }
.qa-weak > .qa-card { margin-top: 8px; }
.qa-card.qa-low { opacity: .78; }
.qa-terms { margin: 4px 0 0; font-size: .78rem; color: var(--body-text-color-subdued); }
.qa-chip { display: inline-block; padding: 0 6px; margin: 0 2px 2px 0; border-radius: 6px;
           background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.qa-conf { display: flex; align-items: center; gap: 8px; margin-top: 6px; font-size: .78rem;
           color: var(--body-text-color-subdued); }
.qa-bar { flex: 0 0 90px; height: 6px; border-radius: 3px; background: var(--background-fill-secondary); overflow: hidden;
          border: 1px solid var(--border-color-primary); }
.qa-bar > span { display: block; height: 100%; background: #16a34a; }
.qa-medium .qa-bar > span { background: #d97706; }
.qa-low .qa-bar > span { background: #9ca3af; }
.qa-notice { padding: 2px 0; }
.qa-notice.qa-warn { color: #b45309; }
.qa-notice.qa-error { color: #b91c1c; }
.qa-stats dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; font-size: .88rem; }
.qa-stats dt { color: var(--body-text-color-subdued); }
.qa-stats dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.qa-stats ul { margin: 4px 0 0 1.1em; padding: 0; font-size: .8rem; max-height: 9em; overflow: auto; }
.qa-stats details { margin-top: 6px; }
.qa-muted { color: var(--body-text-color-subdued); font-size: .8rem; margin: 4px 0 0; }
.qa-busy { min-height: 64px; }
.qa-status p { margin: 2px 0; font-size: .85rem; overflow-wrap: anywhere; }
.qa-status span { display: inline-block; width: 1em; font-weight: 700; }
.qa-status .qa-ok span { color: #16a34a; } .qa-status .qa-warn span { color: #d97706; }
.qa-status .qa-error { color: #b91c1c; }
#qa-chat .message-row .message { max-width: 100%; }
#qa-help { font-size: .8rem; color: var(--body-text-color-subdued); }
#qa-help p { margin: 2px 0; }
@media (max-width: 640px) {
  #qa-header h1 { font-size: 1.2rem; }
  .qa-card { padding: 8px 10px 8px 9px; }
  .qa-bar { flex-basis: 60px; }
}
"""

# Page-level rules: gradio scopes `css` to the app's inner container, so rules
# about the page frame and the chat rows go in <head> as they are.
HEAD = """<style>
.qa-conf-text { white-space: nowrap; }
#qa-chat .message-row.bubble.bot-row { max-width: calc(100% - 24px) !important; }
@media (max-width: 640px) {
  .gradio-container .main.fillable { padding: 8px 6px !important; }
  #qa-chat .message-row.bubble { margin: 10px 6px 4px !important; }
  #qa-chat .message-row.bubble.user-row { margin-right: 34px !important; }
  #qa-chat .message-row.bubble.bot-row { max-width: calc(100% - 12px) !important; }
  #qa-chat .message-row .message.bot { padding: 4px 6px !important; }
}
</style>"""

# After a question and after its answer: scroll the chat so that the latest question is
# at the top, and the answer reads from its first card down.
SCROLL_TO_QUESTION = """() => { setTimeout(() => {
  const wrap = document.querySelector('#qa-chat .bubble-wrap');
  const rows = wrap ? wrap.querySelectorAll('.message-row.user-row') : [];
  if (!rows.length) return;
  const last = rows[rows.length - 1];
  wrap.scrollTop += last.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
}, 120); }"""

PLACEHOLDER = (
    "<div style='text-align:center;opacity:.8'><p><strong>Ask a question about the articles</strong>"
    " — in Chinese or English.</p><p>Answers are passages quoted from the articles, best first, "
    "with the answering sentence highlighted.</p><p>Follow-ups such as <em>她后来去了哪里?</em> or "
    "<em>where did she go after that?</em> continue from your previous question.</p></div>")


UPLOAD_HELP = ("<div id='qa-help'><p>New files go to the data folder's <code>uploads/</code>. Only "
               "what changed is re-indexed; the current index keeps answering until the new one "
               "is ready.</p></div>")


BUSY = "<div class='qa-status qa-busy'></div>"   # room for the progress bar while updating


def make_theme():
    import gradio as gr

    # System fonts only: an offline app must not fetch web fonts.
    return gr.themes.Default(
        primary_hue="emerald", neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans CJK SC", "PingFang SC",
              "Microsoft YaHei", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def build_ui(engine: Engine):
    import gradio as gr

    from bot import QuestionError
    from bot.store import BuildLocked, IndexError_

    def examples_update():
        return gr.Dataset(samples=[[q] for q in engine.examples], visible=bool(engine.examples))

    def show_question(question, history):
        question = (question or "").strip()
        history = list(history or [])
        if question:
            history.append({"role": "user", "content": render_question(question)})
        return "", history, question

    def answer(question, history, memory, k, mode):
        history = list(history or [])
        if not question:
            return history, memory
        reply, memory = answer_html(engine, memory, question, k, mode)
        history.append({"role": "assistant", "content": reply})
        return history, memory

    def pick_example(sample):
        return (sample[0] if isinstance(sample, (list, tuple)) else sample) or ""

    def refresh_panel():
        return render_stats(engine.info(), engine.error), examples_update()

    def update_index(files, progress=gr.Progress(track_tqdm=True)):
        lines: list[tuple[str, str]] = []
        paths = [getattr(f, "name", f) for f in (files or [])]
        if engine.build_lock.locked():
            lines.append(("warn", "An index update is already running; try again when it finishes."))
            return render_status(lines), *refresh_panel(), gr.update()
        progress(0, desc="Checking files")
        if paths:
            added, notes = add_uploads(paths, engine.data_dir, allowed_root=gr.utils.get_upload_folder())
            lines += notes
            if not added:
                lines.append(("info", "Nothing new to index; the current index keeps serving."))
                return render_status(lines), *refresh_panel(), None
        progress(0.05, desc="Updating the index")
        try:
            report = engine.build(progress=True)
        except BuildLocked:
            lines.append(("error", "Another build of this index is running (perhaps `qabot build`); "
                                   "try again in a minute. The current index keeps serving."))
        except (ValueError, IndexError_, OSError, RuntimeError) as e:
            lines.append(("error", f"The index was not updated: {e}. The current index keeps serving."))
        else:
            if report.up_to_date:
                lines.append(("ok", f"The index is up to date ({report.passages} passages)."))
            else:
                changes = ", ".join(f"{n} {w}" for n, w in ((len(report.added), "added"),
                                    (len(report.changed), "changed"), (len(report.removed), "removed")) if n)
                lines.append(("ok", f"Index updated in {report.seconds:.1f} s: {report.documents} articles, "
                                    f"{report.passages} passages" + (f" ({changes} files)" if changes else "") + "."))
            lines += [("warn", str(p)) for p in report.skipped[:8]]
            if len(report.skipped) > 8:
                lines.append(("warn", f"… and {len(report.skipped) - 8} more skipped"))
        return render_status(lines), *refresh_panel(), None

    def api_ask(question: str, k: int = 5, mode: str = "hybrid") -> dict:
        """The best passages for one question (no conversation memory).

        Returns {"question", "answered": bool, "hits": [{title, section, text, answer,
        answer_span, confidence, relevant, source, date, matched_terms, ...}]}."""
        retriever = engine.retriever
        if retriever is None:
            raise gr.Error("There is no index yet.")
        if mode not in MODES:
            raise gr.Error(f"mode must be one of {', '.join(MODES)}")
        try:
            hits = retriever.search(question, k=int(k), mode=mode)
        except QuestionError as e:
            raise gr.Error(str(e))
        return {"question": question, "answered": any(h.relevant for h in hits),
                "hits": [h.to_dict() for h in hits]}

    with gr.Blocks(title="qabot", analytics_enabled=False) as demo:
        conv = gr.State(None)          # this session's last question and hits, for follow-ups
        pending = gr.State("")
        gr.HTML("<div id='qa-header'><h1>qabot</h1><p>Answers from your articles, quoted as passages "
                "— offline, no generated text.</p></div>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(elem_id="qa-chat", show_label=False, height="min(68vh, 720px)",
                                     placeholder=PLACEHOLDER, buttons=[], feedback_options=None,
                                     latex_delimiters=[], layout="bubble", autoscroll=False)
                box = gr.Textbox(elem_id="qa-input", show_label=False, lines=1, max_lines=4,
                                 placeholder="Ask a question… 例如：谁去了南通镇?", submit_btn="Ask",
                                 autofocus=True)
                examples = gr.Dataset(label="Examples from the articles", components=[box],
                                      samples=[[q] for q in engine.examples], elem_id="qa-examples",
                                      visible=bool(engine.examples), samples_per_page=8)
            with gr.Column(scale=1, min_width=270):
                with gr.Accordion("Answer settings", open=True):
                    k = gr.Slider(1, 10, value=DEFAULT_K, step=1, label="Passages",
                                  elem_id="qa-k")
                    mode = gr.Radio([(label, key) for key, label in MODES.items()], value="hybrid",
                                    label="Retrieval", elem_id="qa-mode",
                                    info="Hybrid combines meaning (the model) and keywords (BM25).")
                with gr.Accordion("Index", open=True):
                    stats = gr.HTML(render_stats(engine.info(), engine.error), elem_id="qa-stats")
                    upload = gr.File(label="Add articles (.txt .md .html .jsonl, ≤ 10 MB each)",
                                     file_count="multiple", file_types=list(UPLOAD_SUFFIXES),
                                     type="filepath", elem_id="qa-upload", height=120)
                    update_btn = gr.Button("Update index", variant="primary", size="sm",
                                           elem_id="qa-update")
                    status = gr.HTML(UPLOAD_HELP, elem_id="qa-status")

        ask_args = dict(fn=answer, inputs=[pending, chatbot, conv, k, mode], outputs=[chatbot, conv],
                        concurrency_limit=4, concurrency_id="ask", api_visibility="private")
        show_args = dict(fn=show_question, inputs=[box, chatbot], outputs=[box, chatbot, pending],
                         queue=False, api_visibility="private")
        scroll = dict(fn=None, js=SCROLL_TO_QUESTION, api_visibility="private")
        box.submit(**show_args).then(**scroll).then(**ask_args).then(**scroll)
        examples.click(pick_example, examples, box, queue=False, api_visibility="private") \
            .then(**show_args).then(**scroll).then(**ask_args).then(**scroll)
        chatbot.clear(lambda: None, None, conv, queue=False, api_visibility="private")
        # Clear the status box for the progress bar and bring it into view, then update.
        update_btn.click(lambda: BUSY, None, status, queue=False, api_visibility="private",
                         js="() => { document.querySelector('#qa-status')"
                            ".scrollIntoView({block: 'nearest', behavior: 'smooth'}); }") \
            .then(update_index, [upload], [status, stats, examples, upload], show_progress_on=status,
                  concurrency_limit=1, concurrency_id="build", api_visibility="private")
        demo.load(refresh_panel, None, [stats, examples], queue=False, api_visibility="private")
        gr.api(api_ask, api_name="ask", concurrency_limit=4, concurrency_id="ask")
    return demo


# ---------------------------------------------------------------- command line

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="qabot web chat: ask questions of a folder of articles.")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    p.add_argument("--data", default=os.environ.get("QABOT_DATA", str(APP_DIR / "data")),
                   help="articles folder (default: $QABOT_DATA or data/)")
    p.add_argument("--index", default=os.environ.get("QABOT_INDEX", str(APP_DIR / "index")),
                   help="index folder (default: $QABOT_INDEX or index/)")
    p.add_argument("--share", action="store_true", help="also open a public gradio.live link (off by default)")
    return p.parse_args(argv)


def prepare(engine: Engine) -> None:
    """Build or refresh the index (console progress), then load it and the model once."""
    from bot.store import BuildLocked, IndexError_

    print(f"qabot: indexing {engine.data_dir} -> {engine.index_dir} (only changes are re-read) …", flush=True)
    try:
        report = engine.build(progress=True)
        print("qabot: " + report.summary(), flush=True)
    except BuildLocked:
        print("qabot: another build of this index is running; serving the current index", flush=True)
    except (ValueError, OSError) as e:
        print(f"qabot: the index was not built: {e}", flush=True)
    except IndexError_ as e:
        print(f"qabot: {e}", flush=True)
    if engine.retriever is None:
        try:
            print("qabot: loading the index and the model …", flush=True)
            engine.load()
        except IndexError_ as e:
            print(f"qabot: no index to serve yet ({e}); add articles in the web page", flush=True)
    if engine.retriever is not None:
        counts = engine.retriever.info()["counts"]
        print(f"qabot: serving {counts['documents']} articles, {counts['passages']} passages "
              f"with model {engine.retriever.model}", flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    engine = Engine(Path(args.data), Path(args.index))
    engine.data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    prepare(engine)
    demo = build_ui(engine)
    print(f"qabot: ready in {time.perf_counter() - t0:.1f}s", flush=True)
    demo.queue(default_concurrency_limit=2, max_size=256)
    demo.launch(server_name=args.host, server_port=args.port, share=args.share,
                max_file_size=MAX_UPLOAD_BYTES, theme=make_theme(), css=CSS, head=HEAD,
                footer_links=["api"], ssr_mode=False, show_error=True)


if __name__ == "__main__":
    main(sys.argv[1:])
