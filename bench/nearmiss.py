"""Near-miss evaluation of the confidence: does "answered" mean answered on look-alike data?

    python bench/nearmiss.py              # bar rates of the shipped calibration, every set
    python bench/nearmiss.py --dev cmrc2018_dev.json   # and the dev-* sets (unseen articles)

It prints the bar rates of every set, then the frontier: what other bars would give, and the
ranking's ceiling (R@1, R@3) on answered and right.

Question sets (each question: its index, language, fit/held-out part, and which hits answer it):

- `cmrc-split`: CMRC 2018 trial, every other context indexed (as bench/calibrate.py
  always did); all questions asked in Chinese, and the English versions
  (`cmrc_trial_en.jsonl`; `cmrc_trial_en_holdout.jsonl` only in the held-out part;
  `cmrc_trial_en_fit.jsonl`, one more question of each fit-part context, only in the fit part).
  A question is answerable iff its context is indexed.
- `cmrc-lookalike`: the unanswerable `cmrc-split` questions whose context has a
  look-alike in the index: the held-out contexts whose nearest indexed context
  (cosine of the mean passage vectors) is closer than the median held-out
  context's. A subset of cmrc-split, reported on its own.
- `cmrc-swap`: an answerable Chinese question that names its article's title
  (罗保铭在哪一年...) with the title swapped for the title of the most similar
  context that is not indexed (马飚在哪一年...): same kind of entity, absent from
  the index. Unanswerable. Only when the new name occurs nowhere in the index.
- `cmrc-attribute`: the unanswerable follow-ups of `follow-up` asked on their own, the
  article's name written in (纽西兰鸡毛松为什么被称为笨蛋水果?): the article is there, what
  is asked of it is not. Unanswerable.
- `seed`: the seed article's 48 questions (bench/data/seed_questions.jsonl;
  right = a passage of an expected person's section), all held out.
- `seed-absent`: questions about people and places the seed article does not
  mention (bench/data/seed_absent_questions.jsonl). Unanswerable.
- `offtopic`: nonsense and off-topic questions, Chinese and English
  (bench/data/offtopic_questions.jsonl; and 30 English chit-chat questions in the fit part
  only, bench/data/offtopic_fit_questions.jsonl), asked of the seed index and of the
  CMRC half index. Unanswerable.
- `lookalike`: six short synthetic news articles about similar officials,
  towns and railways (bench/data/lookalike/) with answerable questions and
  near-miss ones about a sibling that is not there
  (bench/data/lookalike_questions.jsonl). All held out. A second such collection,
  written later for fitting (bench/data/lookalike_fit/: six articles on schools, village
  doctors, a burst water main, an intercity railway, flood duty, market checks; questions
  in bench/data/lookalike_fit_questions.jsonl), is all in the fit part.
- `lookalike-cross`: near misses whose name *is* in the index, in another article: one
  article's town or person asked about with another article's subject (潭头镇, from a
  relief team's article, asked about the expressway checkpoint of another town's
  article). What a news archive is full of: every district has its markets, schools and
  water mains. Unanswerable. Held out against the `lookalike` articles
  (bench/data/lookalike_cross_questions.jsonl), fit against `lookalike-fit`
  (bench/data/lookalike_fit_cross_questions.jsonl).

- `news`, `news-cross`, `news-attribute`: two archives of ten look-alike municipal news
  articles each, of two invented cities (bench/data/news_fit/: all in the fit part;
  bench/data/news_holdout/: all held out), questions in bench/data/news_*_questions.jsonl by
  `kind`; a third, bench/data/news_check/ (held out, written after the calibration was chosen:
  another city, .txt/.md/.html, notices, a work report, an interview, news flashes, long and
  short): answerable ones and near misses on a town, person or road no article names (`news`),
  a name of one article asked with what another reports (`news-cross`), and what an article's
  own person or town is asked that it does not say (`news-attribute`). Right: the hint in the
  passage's text or section heading (a role question's answer is the heading). Two more archives,
  bench/data/news_titled_fit/ (fit) and news_titled_holdout/ (held out), of eight articles each
  whose titles name a town, a reservoir, a school...: half are reports on several people under
  that title (only some of whom went there: the others are bystanders the title reaches), half
  are about the title's subject throughout, in parts (一、窑址保护) or paragraphs that do not name
  it again; questions of the same four kinds, some with two right passages. Two more,
  bench/data/news_mixed_fit/ (fit) and news_mixed_holdout/ (held out), of twelve articles each
  of two other invented cities, written by helpers who never ran the bot, in shapes the others
  lack: bylines and datelines, an interview, a roundup of unrelated briefs, people whose
  headings are quotes (name and post only in the text), tables and numbered lists, saved web
  pages, sibling articles on the same kind of work in other places; the held-out one was
  first measured after every constant of this stop was chosen. Two more, bench/data/news_civic_fit/
  (fit) and news_civic_holdout/ (held out), of twelve articles each of two more invented cities,
  also written by helpers who never ran the bot: a government notice, a policy Q&A, a meeting
  report with five speakers, a court brief of numbered cases, a profile, an awards list, a
  PDF's hard-wrapped text with page numbers and a running header, one file in GB18030. Two more,
  bench/data/news_varied_fit/ (fit) and news_varied_holdout/ (held out), of twelve articles each of
  two more invented cities, by helpers who never ran the bot, and not only government news: a
  factory opening, a doctor's 问/答, a school's chronology, a press conference, a WeChat post with
  its 往期推荐 and 点击关注 noise, sibling stories, a Word report with a table, a PDF notice, a
  service notice of time ranges, a feature, a saved page of briefs; one file in GBK. Two more,
  bench/data/news_fresh_holdout/ (held out) and news_fresh_fit/ (fit), of twelve articles each of two
  more invented cities by helpers who never ran the bot, their questions worded as users type them
  (多出来 for 新增, 撤出来 for 转移); the held-out one was written first, blind, and measured once
  before the fit one was asked for: a tender notice with a table, a press-conference transcript, a 会议纪要 by department,
  doctors sent to towns under 姓名 职务 headings, sibling flood drills and sibling hospital clinics, a
  WeChat post, a roundup of briefs, a profile, an outage notice; English questions with capitalised
  kinds (Fenglin No. 2 Middle School, Xiyuan District).

- `small`: small folders. The first SMALL_GROUPS x SMALL_FOLDER contexts of the CMRC trial in
  folders of SMALL_FOLDER, each indexed on its own (bench/out/small-index/gN): a user's
  first folder of a few articles, where most everyday words of a question are in no article
  (担任, 职务). Every question of a folder's contexts (answerable), and each titled one with
  the title swapped for the nearest context outside the folder (unanswerable; as cmrc-swap).
  Easier than a real first folder: five unrelated Wikipedia topics, not look-alike news of one
  city, and swaps are its only unanswerable questions. Its questions are cmrc-split's, so
  bench/calibrate.py reports it but does not fit on it.

- `follow-up`: two-turn conversations on the CMRC half index (bot/conversation.py).
  The topic is a question that names its article's title (罗保铭在哪一年...); the
  follow-up is another question that names it, the name replaced by 它
  (它担任过什么职务?). Answerable when both are about the same indexed context; a
  follow-up taken from another context (its name replaced the same way) is
  unanswerable: what it asks is not in the article the topic found.

- `dev-split`, `dev-lookalike`, `dev-swap`, `dev-follow-up`, `dev-attribute` (only with
  `--dev PATH`, the CMRC 2018 dev file, squad-style-data/cmrc2018_dev.json of the CMRC
  repository; not shipped here): the cmrc-* constructions on the dev set's 848 contexts
  (one article each, none of them in the trial), every other one indexed (bench/out/dev-half-index),
  its 3,219 Chinese questions and the 68 English ones of bench/data/cmrc_dev_en.jsonl. The
  fit/held-out parts are the trial's rule (contexts in alternating pairs), fixed before the
  dev set was first measured: the dev held-out part is articles and questions no constant
  was chosen on until then.

The fit/held-out parts are fixed before anything is measured: CMRC contexts in
pairs (contexts 0,1 fit, 2,3 held out, ...; a swapped question goes with its
source context), hand-written files in pairs of lines the same way. bench/calibrate.py
fits on the fit part only; nothing is chosen on the held-out part.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import quality  # noqa: E402
from bot import Retriever, answer, build_index, encoder as encoders, lexical  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.retriever import clean_question  # noqa: E402

DATA = quality.ROOT / "bench" / "data"
LOOKALIKE = DATA / "lookalike"
LOOKALIKE_FIT = DATA / "lookalike_fit"
NEWS = {"news-fit": (DATA / "news_fit", "fit"), "news-holdout": (DATA / "news_holdout", "held-out"),
        "news-check": (DATA / "news_check", "held-out"),
        "titled-fit": (DATA / "news_titled_fit", "fit"), "titled-holdout": (DATA / "news_titled_holdout", "held-out"),
        "mixed-fit": (DATA / "news_mixed_fit", "fit"), "mixed-holdout": (DATA / "news_mixed_holdout", "held-out"),
        "civic-fit": (DATA / "news_civic_fit", "fit"), "civic-holdout": (DATA / "news_civic_holdout", "held-out"),
        "varied-fit": (DATA / "news_varied_fit", "fit"), "varied-holdout": (DATA / "news_varied_holdout", "held-out"),
        "fresh-fit": (DATA / "news_fresh_fit", "fit"), "fresh-holdout": (DATA / "news_fresh_holdout", "held-out")}
NEWS_SETS = {"answer": "news", "absent": "news", "cross": "news-cross", "attribute": "news-attribute"}
K = 5


@dataclass
class Asked:
    set: str
    lang: str
    part: str                       # "fit" or "held-out"
    question: str
    index: str                      # which index it is asked of
    right: object = None            # hit -> bool; None: nothing in the index answers
    topic: str | None = None        # a follow-up: the question asked before it
    hits: list = field(default_factory=list)
    reported_as: str | None = None  # the index named in the tables, when not `index` (small-*)

    @property
    def answerable(self) -> bool:
        return self.right is not None

    def labels(self) -> list[bool]:
        return [bool(self.answerable and self.right(h)) for h in self.hits]


def part(i: int) -> str:
    """Pairs alternate between the fit part and the held-out part."""
    return "fit" if (i // 2) % 2 == 0 else "held-out"


def _doc_vectors(r: Retriever) -> dict[str, np.ndarray]:
    by_doc: dict[str, list[np.ndarray]] = {}
    for pid, p in enumerate(r.passages):
        by_doc.setdefault(p.doc_id, []).append(r.dense.index.reconstruct(pid))
    out = {}
    for doc, vs in by_doc.items():
        v = np.mean(vs, axis=0)
        out[doc] = v / np.linalg.norm(v)
    return out


def _title_name(title: str) -> str:
    return re.sub(r"\s*[(（].*[)）]\s*$", "", title).strip()


def cmrc_questions(prefix: str = "cmrc", path: Path = quality.CMRC, full_index: Path | None = None,
                   english=((quality.EN, None), (quality.EN_HOLDOUT, "held-out"), (quality.EN_FIT, "fit")),
                   ) -> tuple[list[Asked], Path]:
    """The `prefix`-split, -lookalike, -swap, -follow-up and -attribute sets of one CMRC file
    (every other context indexed in bench/out/`prefix`-half-index); `full_index`: an index of
    every context (for look-alike distances; built if missing); `english`: (jsonl of
    {"id", "question_en"}, part or None for the context's part)."""
    docs, questions = quality.cmrc_corpus(path)
    order = {d["id"]: i for i, d in enumerate(docs)}
    indexed = {d["id"] for i, d in enumerate(docs) if i % 2 == 0}
    index_dir = quality.OUT / f"{prefix}-half-index"
    full_index = full_index or quality.OUT / f"{prefix}-index"
    full_cache = full_index / "embeddings.sqlite"
    if full_cache.exists() and not (index_dir / "embeddings.sqlite").exists():
        index_dir.mkdir(parents=True, exist_ok=True)   # reuse vectors embedded by quality.py
        shutil.copy(full_cache, index_dir / "embeddings.sqlite")
    quality.cmrc_index(index_dir, [d for d in docs if d["id"] in indexed])
    full = Retriever.load(quality.cmrc_index(full_index, docs))   # every context: for look-alike distances
    vec = _doc_vectors(full)
    held = [d["id"] for d in docs if d["id"] not in indexed]
    kept = [d["id"] for d in docs if d["id"] in indexed]
    H, I = np.stack([vec[c] for c in held]), np.stack([vec[c] for c in kept])
    nearest = (H @ I.T).max(axis=1)
    lookalike = {c for c, s in zip(held, nearest) if s >= np.median(nearest)}
    half = f"{prefix}-half"

    def key(context_id):
        return lambda h: h.doc_id == context_id

    out = []
    for q in questions:
        c = q["context_id"]
        sets = [f"{prefix}-split"] + ([f"{prefix}-lookalike"] if c in lookalike else [])
        for s in sets:
            out.append(Asked(s, "zh", part(order[c]), q["question"], half,
                             key(c) if c in indexed else None))
    by_id = {q["id"]: q for q in questions}
    for en_path, forced in english:
        for e in quality.read_jsonl(en_path):
            c = by_id[e["id"]]["context_id"]
            sets = [f"{prefix}-split"] + ([f"{prefix}-lookalike"] if c in lookalike else [])
            for s in sets:
                out.append(Asked(s, "en", forced or part(order[c]), e["question_en"], half,
                                 key(c) if c in indexed else None))

    # Swaps: the title named in an answerable question -> the nearest held-out context's title.
    titles = {d["id"]: _title_name(d["title"]) for d in docs}
    index_text = "\n".join(d["title"] + "\n" + d["text"] for d in docs if d["id"] in indexed)
    sims = I @ H.T
    for q in questions:
        c = q["context_id"]
        name = titles[c]
        if c not in indexed or len(name) < 2 or name not in q["question"]:
            continue
        for j in np.argsort(-sims[kept.index(c)]):
            other = titles[held[j]]
            if len(other) >= 2 and other not in index_text and name not in other and other not in name:
                out.append(Asked(f"{prefix}-swap", "zh", part(order[c]), q["question"].replace(name, other), half))
                break
    texts = {d["id"]: d["title"] + d["text"] for d in docs}
    return out + follow_ups(questions, titles, texts, indexed, order, prefix), index_dir


SMALL_FOLDER, SMALL_GROUPS = 5, 20


def small_folders() -> tuple[list[Asked], dict[str, Path]]:
    """The `small` set (module docstring) and its indexes by name."""
    docs, questions = quality.cmrc_corpus()
    order = {d["id"]: i for i, d in enumerate(docs)}
    full = Retriever.load(quality.cmrc_index(quality.OUT / "cmrc-index", docs))
    vec = _doc_vectors(full)
    titles = {d["id"]: _title_name(d["title"]) for d in docs}
    out, indexes = [], {}
    for g in range(SMALL_GROUPS):
        folder = docs[g * SMALL_FOLDER:(g + 1) * SMALL_FOLDER]
        name, index_dir = f"small-g{g}", quality.OUT / "small-index" / f"g{g}"
        if not (index_dir / "embeddings.sqlite").exists():   # reuse vectors embedded by quality.py
            index_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(quality.OUT / "cmrc-index" / "embeddings.sqlite", index_dir / "embeddings.sqlite")
        indexes[name] = quality.cmrc_index(index_dir, folder)
        ids = {d["id"] for d in folder}
        text = "\n".join(d["title"] + "\n" + d["text"] for d in folder)
        outside = [d["id"] for d in docs if d["id"] not in ids]
        O = np.stack([vec[c] for c in outside])
        for q in questions:
            c = q["context_id"]
            if c not in ids:
                continue
            out.append(Asked("small", "zh", part(order[c]), q["question"], name,
                             (lambda c: lambda h: h.doc_id == c)(c), reported_as="small-*"))
            title = titles[c]
            if len(title) < 2 or title not in q["question"]:
                continue
            for j in np.argsort(-(O @ vec[c])):
                other = titles[outside[j]]
                if len(other) >= 2 and other not in text and title not in other and other not in title:
                    out.append(Asked("small", "zh", part(order[c]), q["question"].replace(title, other), name,
                                     reported_as="small-*"))
                    break
    return out, indexes


def follow_ups(questions: list[dict], titles: dict, texts: dict, indexed: set, order: dict,
               prefix: str = "cmrc") -> list[Asked]:
    """Topic + follow-up pairs: see the module docstring. Each titled question of an indexed
    context follows the context's first one; every other context's first follow-up also
    follows the next context's topic (unanswerable there). The trial's follow-up set is
    `follow-up`, another file's `prefix`-follow-up."""
    follow, half = ("follow-up" if prefix == "cmrc" else f"{prefix}-follow-up"), f"{prefix}-half"
    named: dict[str, list[dict]] = {}
    for q in questions:
        name = titles[q["context_id"]]
        if q["context_id"] in indexed and len(name) >= 2 and name in q["question"]:
            named.setdefault(q["context_id"], []).append(q)
    out = []
    contexts = [c for c, qs in named.items() if len(qs) >= 2]
    for i, c in enumerate(contexts):
        topic, *rest = named[c]
        for q in rest:
            out.append(Asked(follow, "zh", part(order[c]), q["question"].replace(titles[c], "它"),
                             half, (lambda c: lambda h: h.doc_id == c)(c), topic=topic["question"]))
        # Unanswerable: the next context's follow-up, when it asks for something this article does
        # not mention (a word of its own article absent from this one): 它位于哪里? could be
        # answered of anything, 为什么称它为笨蛋水果? only where 笨蛋水果 is written.
        other = contexts[(i + 1) % len(contexts)]
        q = named[other][1]
        asked = q["question"].replace(titles[other], "它")
        own = [w for w in lexical.words(asked) if len(w) >= 2 and w in texts[other]]
        if own and not any(w in texts[c] for w in own):
            out.append(Asked(follow, "zh", part(order[c]), asked, half, topic=topic["question"]))
            # and asked on its own, naming this article: its name is there, what it asks is not
            out.append(Asked(f"{prefix}-attribute", "zh", part(order[c]),
                             q["question"].replace(titles[other], titles[c]), half))
    return out


def _hint_in(doc: str, hint: str, section: bool = False):
    """A hit is right when it is of `doc` and holds `hint` (in its text; or its section heading)."""
    return lambda h: h.doc_id == doc and (hint in h.text or section and hint in h.section)


def hand_written() -> list[Asked]:
    out = []
    seed_right = lambda q: (lambda h: quality.seed_key(q, h))   # noqa: E731
    for q in quality.seed_questions():
        out.append(Asked("seed", q["lang"], "held-out", q["question"], "seed", seed_right(q)))
    for i, q in enumerate(quality.read_jsonl(DATA / "seed_absent_questions.jsonl")):
        out.append(Asked("seed-absent", q["lang"], part(i), q["question"], "seed"))
    for i, q in enumerate(quality.read_jsonl(DATA / "offtopic_questions.jsonl")):
        for index in ("seed", "cmrc-half"):
            out.append(Asked("offtopic", q["lang"], part(i), q["question"], index))
    for q in quality.read_jsonl(DATA / "offtopic_fit_questions.jsonl"):   # chit-chat, fit part only
        for index in ("seed", "cmrc-half"):
            out.append(Asked("offtopic", q["lang"], "fit", q["question"], index))
    for questions, index, p in (("lookalike_questions.jsonl", "lookalike", "held-out"),
                                ("lookalike_fit_questions.jsonl", "lookalike-fit", "fit")):
        for q in quality.read_jsonl(DATA / questions):
            right = _hint_in(q["doc"], q["hint"]) if q["doc"] else None
            out.append(Asked("lookalike", q["lang"], p, q["question"], index, right))
    for questions, index, p in (("lookalike_cross_questions.jsonl", "lookalike", "held-out"),
                                ("lookalike_fit_cross_questions.jsonl", "lookalike-fit", "fit")):
        for q in quality.read_jsonl(DATA / questions):
            out.append(Asked("lookalike-cross", q["lang"], p, q["question"], index))
    for index, (folder, p) in NEWS.items():
        for q in quality.read_jsonl(DATA / f"{folder.name}_questions.jsonl"):
            # the hint may be the section's heading (陈宝华 市植保站站长: what is his job?)
            right = _hint_in(q["doc"], q["hint"], section=True) if q["doc"] else None
            out.append(Asked(NEWS_SETS[q["kind"]], q["lang"], p, q["question"], index, right))
    return out


def _encode_in_batches(model, questions: list[str]) -> None:
    """Encode every question once, in batches (several times faster than one at a time
    on a busy machine), and let the retrievers' searches look their vectors up."""
    table = {}
    texts = list(dict.fromkeys(clean_question(q) for q in questions))
    for text, vec in zip(texts, encoders.encode_queries(model, texts)):
        table[text] = vec
    one_by_one = encoders.encode_queries
    encoders.encode_queries = lambda m, qs: np.stack([table[q] if q in table else one_by_one(m, [q])[0]
                                                      for q in qs])


def collect(k: int = K, dev: Path | None = None) -> list[Asked]:
    """Every question of every set, asked; hits filled in. `dev`: the CMRC 2018 dev file, for
    the dev-* sets."""
    asked, half = cmrc_questions()
    asked += hand_written()
    retrievers = {"cmrc-half": Retriever.load(half)}
    small, small_indexes = small_folders()
    asked += small
    retrievers.update({name: Retriever.load(d) for name, d in small_indexes.items()})
    if dev is not None:
        dev_asked, dev_half = cmrc_questions("dev", dev, quality.OUT / "cmrc-dev-index",
                                             english=((quality.DEV_EN, None),))
        asked += dev_asked
        retrievers["dev-half"] = Retriever.load(dev_half)
    news = [(name, folder) for name, (folder, _) in NEWS.items()]
    for name, data in [("seed", quality.ROOT / "data"), ("lookalike", LOOKALIKE), ("lookalike-fit", LOOKALIKE_FIT)] + news:
        index_dir = quality.OUT / f"{name}-index"
        print(build_index([data], index_dir=index_dir).summary(), file=sys.stderr)
        retrievers[name] = Retriever.load(index_dir)
    _encode_in_batches(retrievers["cmrc-half"].encoder, [a.question for a in asked])
    cache: dict[tuple[str, str], list] = {}
    for a in asked:
        if a.topic is not None:
            conversation = Conversation(retrievers[a.index])
            conversation.ask(a.topic, k=k)
            a.hits = conversation.ask(a.question, k=k).hits
            continue
        key = (a.index, a.question)
        if key not in cache:
            cache[key] = retrievers[a.index].search(a.question, k=k)
        a.hits = cache[key]
    return asked


def bar_rates(asked: list[Asked], relevant) -> dict:
    """`relevant(asked, i)` says whether hit i is shown as an answer.

    answerable: answered (some hit relevant) and the first relevant hit is right;
    wrong: answered but the first relevant hit is wrong; unanswerable: no hit relevant;
    astray: of all the hits shown as answers to answerable questions, the share that do not hold
    the answer (a bystander's section, a sibling part of the right article: cards a reader checks
    for nothing)."""
    ans = [a for a in asked if a.answerable]
    none = [a for a in asked if not a.answerable]

    def first(a):
        return next((i for i in range(len(a.hits)) if relevant(a, i)), None)

    right = [first(a) is not None and a.labels()[first(a)] for a in ans]
    wrong = [first(a) is not None and not a.labels()[first(a)] for a in ans]
    silent = [first(a) is None for a in none]
    shown = [label for a in ans for i, label in enumerate(a.labels()) if relevant(a, i)]
    return {"answerable": len(ans), "right": np.mean(right) if ans else None,
            "wrong": np.mean(wrong) if ans else None,
            "astray": 1 - np.mean(shown) if shown else None,
            "unanswerable": len(none), "silent": np.mean(silent) if none else None}


def groups(asked: list[Asked]):
    """(set, index as reported, language, part) -> questions, in a stable order."""
    out: dict[tuple, list[Asked]] = {}
    for a in asked:
        out.setdefault((a.set, a.reported_as or a.index, a.lang, a.part), []).append(a)
    return dict(sorted(out.items()))


def table(asked: list[Asked], relevant, parts=("held-out",)) -> str:
    fmt = lambda x: "–" if x is None else f"{x:.3f}"   # noqa: E731
    rows = ["| set | index | lang | part | answerable n | answered and right | answered wrong "
            "| answers not holding it | unanswerable n | called unanswerable |", "|---|---|---|---|---|---|---|---|---|---|"]
    for (s, index, lang, p), group in groups(asked).items():
        if p not in parts:
            continue
        r = bar_rates(group, relevant)
        rows.append(f"| {s} | {index} | {lang} | {p} | {r['answerable']} | {fmt(r['right'])} | "
                    f"{fmt(r['wrong'])} | {fmt(r['astray'])} | {r['unanswerable']} | {fmt(r['silent'])} |")
    return "\n".join(rows)


# The sets that look like the product's data: look-alike municipal news, answerable questions and near misses
NEWS_LIKE = {"lookalike", "lookalike-cross", "news", "news-cross", "news-attribute"}
FRONTIER_BARS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def frontier(asked: list[Asked], bars=FRONTIER_BARS) -> str:
    """What any bar could give: answered and right / called unanswerable at each bar, by domain, language and
    part; and the ranking's ceiling on answered and right (R@1: the top hit holds the answer; R@3)."""
    rows = ["| domain | lang | part | R@1 | R@3 | " + " | ".join(f"bar {b}" for b in bars) + " |",
            "|---|---|---|---|---|" + "---|" * len(bars)]
    for news in (True, False):
        for lang in ("zh", "en"):
            for part in ("fit", "held-out"):
                group = [a for a in asked if (a.set in NEWS_LIKE) == news and a.lang == lang and a.part == part]
                answerable = [a.labels() for a in group if a.answerable]
                if not answerable:
                    continue
                at_bar = [bar_rates(group, lambda a, i, b=b: a.hits[i].confidence >= b) for b in bars]
                rows.append(f"| {'news-like' if news else 'others'} | {lang} | {part} "
                            f"| {np.mean([bool(l) and l[0] for l in answerable]):.3f} "
                            f"| {np.mean([any(l[:3]) for l in answerable]):.3f} | "
                            + " | ".join(f"{r['right']:.2f} / {r['silent']:.2f}" for r in at_bar) + " |")
    return "\n".join(rows)


def dev_path() -> Path | None:
    """The CMRC 2018 dev file given as `--dev PATH`, if any (shared with bench/calibrate.py)."""
    if "--dev" not in sys.argv:
        return None
    at = sys.argv.index("--dev") + 1
    if at >= len(sys.argv) or not Path(sys.argv[at]).is_file():
        sys.exit("--dev needs the path of the CMRC 2018 dev file (cmrc2018_dev.json)")
    return Path(sys.argv[at])


def main() -> None:
    asked = collect(dev=dev_path())
    print(f"bar {answer.RELEVANT_AT}; shipped calibration {answer.CALIBRATION}\n")
    print(table(asked, lambda a, i: a.hits[i].relevant, parts=("fit", "held-out")))
    print("\nAnswered and right / called unanswerable at other bars; R@1, R@3: the ranking's ceiling\n")
    print(frontier(asked))
    rows = [{"set": a.set, "lang": a.lang, "part": a.part, "index": a.index, "question": a.question,
             "answerable": a.answerable, "labels": a.labels(),
             "hits": [{"section": h.section, "title": h.title, "confidence": h.confidence,
                       "text": h.text[:60]} for h in a.hits]} for a in asked]
    quality.write_jsonl(rows, quality.OUT / ("nearmiss-dev.jsonl" if dev_path() else "nearmiss.jsonl"))


if __name__ == "__main__":
    main()
