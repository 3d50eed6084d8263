"""Explaining a hit: the terms that matched, how sure we are (the sentence that answers:
answer_sentence.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

import numpy as np

from . import numerals

@dataclass(frozen=True)
class Evidence:
    """What the confidence in one passage is computed from (bot/evidence.py gathers it).

    The lexical parts tell "about the thing asked" from "about something like
    it": a question on another railway, town or official shares the words of
    its kind (铁路, 镇, 处长) with the passages that are there, but not its name,
    and the name is usually the question's rarest word or one the index has
    never seen."""

    cosine: float        # dense similarity of question and passage
    coverage: float      # weighted share of the question's words found in the passage (its section heading counts;
                         # the article's title too, unless the section is one person's: evidence.EvidenceReader.evidence)
    key: float           # share of the question's rarest words found in the passage
    novel: float         # weighted share of the question's words the index does not hold (English: nor as pinyin),
                         # but for the post asked of the person whose heading names it (evidence.EvidenceReader.evidence)
    latin: bool          # the question is not Chinese
    rank: int = 0        # position in the ranking (English questions' calibration uses it)
    matched: float = 0.0  # the general-use rarity of the question's words found in the passage, summed, / 10:
                          # "time" alone says little (What time is it?), a name and two rare words much
    unknown: float = 0.0  # English: weighted share of words no dictionary, index or name knows (gibberish)
    absent: float = 0.0   # 1 if the question names someone or something (a person, town, railway)
                          # the index's articles never mention: a near miss on look-alike articles
    key_span: float = 1.0  # Chinese: share of the question's key spans (key_spans) written in the passage;
                           # 1 when it has none. 颊鳞雀鲷 asked, 蓝纹高身雀鲷 there: 雀鲷 matches, the fish does not
    title_only: float = 0.0  # Chinese: weighted share of the question's other words (not its rarest) the passage holds
                             # only through its article's title: every paragraph under 鹭鸶岭水库除险加固工程通过竣工验收
                             # "holds" 加固工程; the one that answers its 总投资 writes what is asked in its text
    bare: bool = False   # the question is only words typed to try, greet or thank the bot (测试测试, test, hello,
                         # thanks), or refers back and names nothing else (之后呢? asked first: references.names_nothing):
                         # it asks nothing a passage can answer
    elsewhere: float = 0.0  # 1 if the question names someone or something the index holds, but
                            # in other articles than this passage's: another district's market, another town's team;
                            # or, in a report on several people, in another person's part than this passage's
    unit_missing: float = 0.0  # 1 if the question asks a count in a unit (多少亩, 几年, 多少钱, 多高, "how old"; or a
                               # quantity by what it is: 库容, 面积, 总投资, a phone number; a time of day, 几点) and the
                               # passage writes none in it: 石湾水厂占地多少亩? of a passage with no 亩; or asks a quantity
                               # or an attribute by a name the passage does not write (a population: people evacuated are
                               # none; 主跨 of a bridge whose 全长 it gives; 总部, 海拔)
    unwritten: float = 0.0  # 1 if the question names a particular hospital, school, road... (澜屿市第一人民医院,
                            # 汀湾第二中学: proper_names.institution_names; Yangang Middle School, Lanzhou No. 2 Middle
                            # School: english_institution_names) this passage's article does not write: a sibling
                            # of one it does (第二人民医院), every word of whose name the index holds; or a numbered
                            # one (第三批, 四标段, lot 5: proper_names.numbered_items) whose siblings it writes
    topic_elsewhere: float = 0.0  # 1 if the passage's article (in a report on several people, its person's part)
                                  # does not write a topic word of the question (evidence.EvidenceReader._topic_words,
                                  # _english_topic_words) that another hit's does: 青桠镇什么时候停水? of the drill
                                  # article on 青桠镇, the water notice beside it; "How many elevators were checked in
                                  # Zhangshu town?" of 樟树镇's part; 无痛分娩 asked of one doctor's part, another's
                                  # writing it
    number_missing: float = 0.0  # 1 if the question asks how many or how much (多少, 几, "how many") and the
                                 # passage (with its article's title) writes no number of its own: a part of the
                                 # right article that is not its answer (English weighs it)
    rarest: float = 0.0  # the general-use rarity of the question's rarest word / 10 (a name's words count as rare as
                         # the name, as for `key`): a name, or "movie"
    post_missing: float = 0.0  # 1 if the question asks who holds a post (校长是谁?, 谁是...的第一书记?) and the passage,
                               # with its heading and article's title, does not write that post (asked_for.post_missing)
    kind_missing: float = 0.0  # 1 if the question asks which one of a kind (哪所大学, 哪家公司, "Which university") and
                               # the passage writes no such kind (asked_for.kind_missing); or asks when something was
                               # founded or built (哪一年成立, "When was ... founded?") and the passage tells no beginning
                               # with a time (asked_for.founding_missing); or who did a task on a project (设计单位是哪家,
                               # "Who designed ...?") and the passage writes no such task (asked_for.task_missing): the
                               # kind of thing asked is not there
    time_missing: float = 0.0  # 1 if the question asks when (什么时候, 哪一年, "When ...?") and the passage, with its
                               # article's title, writes no time in a form time_missing knows: not weighed by the
                               # calibration; with_peers reads it
    lead: float = 0.0   # how far the passage stands out: its cosine minus the median cosine of the LEAD_NEAREST
                        # passages of the whole index nearest the question (lead_reference; whatever the scope or
                        # the number of hits asked for). Not weighed: refitted into the English calibration it moved
                        # the English frontier out but answered more at the bar ("What's your name?" 0.37);
                        # bench/separation.py measures it, bench/RESULTS.md


# Logistic calibrations of P(passage answers the question), one per script, each fitted
# by bench/calibrate.py on its script's questions of the fit part of bench/nearmiss.py's
# sets (CMRC 2018 trial with half the contexts out of the index, entity swaps,
# follow-ups, questions about what an indexed article does not say, people not in the
# seed, look-alike news articles with near misses, nonsense and off-topic). The Chinese
# one also on the same sets built from CMRC 2018 dev (`--dev`: 848 other articles, five
# times the trial's questions; fitted on the trial alone it called 0.87 of the unseen
# articles' unanswerable questions so, against 0.996 on the trial's). Chinese
# questions weigh a name the index never mentions (`absent`: on look-alike articles the
# cosine of 南屿镇医疗队... to the 江田镇医疗队 passage is a right answer's) and a name written
# whole (`key_span`: 颊鳞雀鲷 is not 蓝纹高身雀鲷 though 雀鲷 matches) and a name the index holds
# only in other articles (`elsewhere`: 鼓楼区 asked of the 台江区 renovation article; every
# district of a news archive has its markets and schools) and the question's other words held only
# through the title (`title_only`: every paragraph of a one-subject article is close to a question
# about its subject; the title's words say nothing of which paragraph answers); English
# questions, for names that read as pinyin (Lin Haiyan; Wang Lei). English questions weigh what matched by general-use
# rarity and lean less on the cosine: across languages the dense similarity says less
# (features chosen by cross-validation on the fit part: `calibrate.py --cv`). English questions
# also weigh a pinyin name held only in other articles (`elsewhere`: Jingxi town, from the flood
# article, asked about the medical team's; the old English calibration called 0 of 10 such
# questions unanswerable) and how specific the question is (`rarest`: the rarity of its rarest
# word, a name or "movie": chit-chat matches common words), refitted on the fit part with the
# news_mixed_fit archive (English rows unweighted, as before). Both languages weigh a count asked in a
# unit the passage writes no number in (`unit_missing`: 占地多少亩? of a passage with no 亩; "How old
# is Zhong Guoliang?" of one with no 岁): what an article does not say about its own subject. Refitted
# with it on the fit part and the news_civic_fit archive. Chinese questions also weigh a particular
# hospital, school or road the passage's article does not write (`unwritten`: 第一人民医院 asked of the
# 第二人民医院's article, whose every word the index holds): its weight fitted on top of the others (an
# offset fit, `bench/calibrate.py --offset unwritten`) on the fit part with the news_varied_fit archive.
# Refitting them all there too called no more near misses unanswerable on the news-like sets and
# answered fewer answerable ones (titled-fit 0.971 -> 0.914); the English one was not refitted either
# (it then answered more chit-chat, "Tell me a joke"). English questions weigh `unwritten` too (Yangang
# Middle School asked of 汀湾实验中学's article; Cuihu Road of a notice that names 翠湖小区): its weight
# fitted so on top of the English weights, on the same fit part. Chinese questions also weigh a topic word
# of theirs the passage's article does not write while another hit's article does (`topic_elsewhere`: 停水
# asked of the drill article on the town asked: a question about what another article says): an offset fit
# again, on the fit part (`bench/calibrate.py --offset topic_elsewhere`). An English question asking how many
# of a passage that writes no number (`number_missing`: mostly a part of the right article that is not its
# answer) weighs so too (offset fit on the fit part; the Chinese fit came out +0.03 and is not weighed).
# Both languages weigh a question asking who holds a post of a passage that writes no such post (`post_missing`:
# 鹤浦市第三中学的校长是谁? of the school's canteen story, which never says 校长; "Who is the director of ... Bureau?"):
# offset fits on the fit part, each script's. And so, after it, a question asking which one of a kind of a passage
# that writes no such kind (`kind_missing`: "Which university did Qiu Xuemei graduate from?" of her part, which
# names no 大学 or 学院). English questions weigh `topic_elsewhere` too (a lower-case word of theirs, no commoner
# than evidence.ENGLISH_TOPIC_ZIPF, or two words CC-CEDICT has as one sense, "school bus": 校车, that the passage's
# article does not match while another hit's article does: "elevators" asked of the first secretary's part on 樟树镇
# while another part checks 电梯): an offset fit on the English fit part, its Zipf bound (4.0, 4.5, 5.0, 5.5) chosen
# by its CV log loss there (before the pairs were added, which lowered that CV log loss again: 0.1560 -> 0.1545).
# See bench/RESULTS.md (issue 11). Valid for the default model; other models' cosines sit elsewhere.
# The Chinese one is fitted with the hand-written news-like sets (look-alike municipal articles,
# bench/data/lookalike_fit, news_fit, news_titled_fit, news_mixed_fit, news_civic_fit, news_varied_fit) weighing 10 per
# row: fitted on Wikipedia alone, its cosine outweighed a town the archive never mentions (南湖镇 at
# cosine 0.90: 0.38 sure).
CALIBRATION = {"bias": -38.318, "cosine": 40.009, "coverage": 2.689, "key": 0.738, "novel": -1.551,
               "absent": -3.209, "elsewhere": -3.216, "key_span": 0.39, "title_only": -2.861,
               "unit_missing": -2.005, "unwritten": -4.516, "topic_elsewhere": -1.471, "post_missing": -4.918,
               "kind_missing": -2.282}
LATIN_CALIBRATION = {"bias": -14.383, "cosine": 14.293, "coverage": 2.118, "key": 0.109,
                     "rank": -0.613, "matched": 0.423, "absent": -3.207, "elsewhere": -3.907,
                     "rarest": 0.639, "unit_missing": -6.54, "unwritten": -6.266, "number_missing": -4.965,
                     "post_missing": -4.405, "kind_missing": -4.135, "topic_elsewhere": -1.031}
# An English question most of whose (IDF-weighted) words are neither in the index nor in
# a dictionary nor pinyin nor numbers (xxxxxxxxxx, asdf qwer, lorem ipsum) is not a question
# about anything: the English calibration, on cosine alone, called such 70% sure.
LATIN_GIBBERISH_AT = 0.5
RELEVANT_AT = 0.35          # below this confidence a hit is not an answer (Hit.relevant)

LEAD_NEAREST = 5


def lead_reference(nearest_cosines) -> float:
    """What Evidence.lead is measured from: the median of the question's LEAD_NEAREST best cosines in the index."""
    return float(np.median(nearest_cosines[:LEAD_NEAREST])) if len(nearest_cosines) else 0.0


def rounded_down(confidence: float, places: int) -> Decimal:
    """`confidence` to `places` decimals, rounded down: a confidence just under a bar (RELEVANT_AT,
    the chat's "high") is then never shown at the bar, so the number cannot contradict what it is
    called (0.3463 read "35%" on a passage that is not an answer). Each bar has at most `places`
    decimals, so `rounded_down(c) >= bar` exactly when `c >= bar`."""
    # from the float's shortest repr: 0.29 is 0.29, where 0.29 * 100 is 28.999999999999996
    return Decimal(repr(float(confidence))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)


def percent(confidence: float) -> int:
    """`confidence` as a whole percentage, rounded down (see rounded_down)."""
    return int(rounded_down(confidence, 2).scaleb(2))


def confidence(evidence: Evidence) -> float:
    """Calibrated probability that the passage answers the question."""
    if evidence.latin and evidence.unknown >= LATIN_GIBBERISH_AT:
        return 0.0      # mostly words of no language we know: nothing can answer it
    if evidence.bare:
        return 0.0      # a word typed to try the bot, not a question: its passages are shown, none as an answer
    weights = LATIN_CALIBRATION if evidence.latin else CALIBRATION
    z = weights["bias"] + sum(w * float(getattr(evidence, f)) for f, w in weights.items() if f != "bias")
    return 1.0 / (1.0 + math.exp(-z))


# A passage much less sure than another passage of its own article is that answer's neighbour:
# on a one-subject news article every paragraph is close to a question about the subject
# (宁川河特大桥 asked: the paragraph on when it closed 0.86, the one on how long the road is 0.62),
# and of such neighbours under 0.7 of their article's best hit only about one in twenty holds
# the answer (CMRC 2018 trial and dev, the fit archives; bench/RESULTS.md). Its confidence is
# scaled by (its share of the article's best / SIBLING_RATIO) ** SIBLING_POWER when under that
# share: continuous, and nothing changes above it (two people who both went somewhere, 0.64 and
# 0.51; a follow-up's answer at 0.75 of the topic's passage). 0.8 took the seed's follow-up answer.
SIBLING_RATIO = 0.7
SIBLING_POWER = 12


def with_peers(evidences: list[Evidence], articles: list[Hashable] | None = None,
               ratio: float = SIBLING_RATIO, power: int = SIBLING_POWER,
               people: list[str | None] | None = None) -> list[float]:
    """Confidences for one question's hits (in any order): several passages can answer.

    The calibration is fitted on one-answer questions, so of two passages holding the
    question's words equally (two people who both went to 南通镇), it calls the one the
    model finds a little less similar "probably another answer's neighbour". A passage
    whose lexical evidence (coverage and key words) is at least that of the most confident
    answer is judged with that answer's cosine (and so its lead) and rank: on the question's own words
    it answers as fully, and the dense similarity (and the order it makes) between such passages differs
    by what else they say.
    Passages without that evidence keep their own confidence, but for one much less sure
    than another passage of its article (`articles`: which article each hit is from): that answer's
    neighbour, scaled by (its share of the article's best / `ratio`) ** `power` under that share.
    `people`: the person whose section each passage is in (proper_names.person_heading), or None.
    With `articles` and `people` given, only a passage of another article or another person's
    section is judged so: another paragraph of the answer's own article that holds the words as
    fully is more often its neighbour (on the news-like fit archives, of k such paragraphs tied at
    the top of one article about one held the answer; bench/RESULTS.md). Asked when, a passage that writes
    no time (Evidence.time_missing) and is less sure than its article's best is scaled at any share
    (`ratio` 1)."""
    own = [confidence(e) for e in evidences]
    if not evidences or max(own) < RELEVANT_AT:
        return own
    top_one = own.index(max(own))
    best = evidences[top_one]
    apart = [True] * len(evidences) if articles is None or people is None else \
        [(a, p) != (articles[top_one], people[top_one]) for a, p in zip(articles, people)]
    peer = [best.coverage > 0 and e.coverage >= best.coverage and e.key >= best.key for e in evidences]
    lifted = [max(c, confidence(replace(e, cosine=best.cosine, lead=best.lead, rank=min(e.rank, best.rank))))
              if p and a else c
              for c, e, p, a in zip(own, evidences, peer, apart)]
    if articles is None:
        return lifted
    top: dict[Hashable, float] = {}
    for c, article in zip(lifted, articles):
        top[article] = max(top.get(article, 0.0), c)
    # A peer holding the question's words in its own text as fully as the best is another answer,
    # however far down the ranking it sits (English weighs the rank); one that holds them through
    # the article's title (every paragraph under 青溪大桥主桥顺利合龙 does) is not. Asked when, a passage
    # that writes no time is its article's best answer's neighbour at any share (of the news-like fit
    # archives' answer cards to "when", none that held the answer lacked a time).
    other = [p and e.title_only <= best.title_only for p, e in zip(peer, evidences)]
    share = [1.0 if e.time_missing else ratio for e in evidences]
    return [c if o or not top[a] else c * min(1.0, c / (r * top[a])) ** power
            for c, a, o, r in zip(lifted, articles, other, share)]


SPAN_RARITY = 10.0   # words at least this rare in general use (海域, 俗名; not 分布, 铁路, 镇) join a key span


def key_spans(question: str, rarity: dict[str, float]) -> list[str]:
    """The stretches of `question` that hold its rarest word: adjacent words each at least
    SPAN_RARITY rare, as the question writes them (颊 鳞 雀 鲷 -> 颊鳞雀鲷). A name jieba cuts
    into parts matches a look-alike by its common part (雀鲷); the whole span does not."""
    plain = numerals.normalize(question)[0].lower()
    level = [0.0] * len(plain)
    for term, r in rarity.items():
        term = term.lower()
        at = plain.find(term) if r >= SPAN_RARITY and term else -1
        while at >= 0:
            level[at:at + len(term)] = [max(v, r) for v in level[at:at + len(term)]]
            at = plain.find(term, at + 1)
    runs, start = [], None
    for i, v in enumerate(level + [0.0]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((plain[start:i], max(level[start:i])))
            start = None
    top = max((r for _, r in runs), default=0.0)
    return [text for text, r in runs if r >= top]


def matched_words(terms: list[str], text: str) -> dict[str, str]:
    """{query term: the word of `text` it matches}, case-insensitive, in query order.

    Numbers match across scripts: the terms are in Arabic digits (segment.words) and
    a 23 found in the text's 二十三 is shown as 二十三. A number matches a whole number only:
    the 5 of 第五中学 is not in 15 or 1500 (第三中学's article has both)."""
    plain, spans = numerals.normalize(text)
    low = plain.lower()
    found = {}
    for t in terms:
        if t and t[0].isdigit():     # 5 is not in 15, 1500 or 5.6; 5% is not in 15%
            # not followed by a digit, nor by a decimal part (4.2万), but 2024 of 2024.8.22 is a year
            tail = r"(?![0-9])(?!\.[0-9]+(?![.0-9]))" if t[-1].isdigit() else ""
            whole = re.search(rf"(?<![0-9.]){re.escape(t)}{tail}", low)
            at = whole.start() if whole else -1
        else:
            at = low.find(t.lower()) if t else -1
        if at >= 0:
            s, e = numerals.original_span(spans, at, at + len(t))
            found[t] = text[s:e]
    return found


def tags(words, text: str) -> list[str]:
    """The matched words worth marking in `text`, as it writes them: each once, none that is
    part of another (龙江 inside 黑龙江), no lone Chinese character (镇, 到: too common)."""
    words = list(dict.fromkeys(w for w in words if w and w.lower() in text.lower()))
    return [w for w in words if (len(w) > 1 or w.isascii())
            and not any(w != o and w.lower() in o.lower() for o in words)]
