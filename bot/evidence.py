"""What a hit's confidence is computed from: answer.Evidence for a passage of an index, read from
its passages and lexical statistics (bot/answer.py weighs it). The retriever ranks; this module
says, passage by passage, whether the names a question asks about are the article's, how much of
the question the passage holds, and what it does not say (a count's unit, a numbered sibling)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from . import (answer, asked_for, cedict, english, implied_words, lexical, pinyin, proper_names, references, segment,
               short_forms, word_rarity)
from .passages import Passage, embedding_text

ARTICLE_SCAN = 200             # an English question's names are looked for in this many passages of a hit's article,
                               # and people's parts (EvidenceReader._person_parts) in this many
# A city's own paper writes 全市, 我市, 本市 where a question names the city (澄川市今年计划建成几个供水工程?):
# such an article means the city when it names no other and the index's articles are mostly that city's,
# its name (澄川, in 澄川市, 澄川日报 or 美丽澄川) written in at least CITY_SHARE of them. In the hand-written
# archives their city is named so in 2 to 10 articles of 8 to 12 (0.25-0.83; one archive of ten, 0.1:
# not taken so).
CITY_SHARE = 0.25
_OWN_CITY = re.compile("全市|我市|本市")
# A question's topic words (EvidenceReader._topic_words): jieba's nouns and verbs, not what follows or goes
# before the words that ask (什么著作, 性格有什么特点, 封地是哪里; 多少 and 几 ask a count of the topic)
_TOPIC_TAGS = frozenset({"n", "nz", "vn", "v", "an"})
_ASKED_AFTER = frozenset({"什么", "什么样", "哪个", "哪些", "哪种", "哪类", "哪家", "哪位", "哪", "哪一", "哪几", "哪几个",
                          "哪两", "何", "啥", "怎样", "怎么样"})
_ASKED_BEFORE = _ASKED_AFTER | {"谁", "哪里", "哪儿", "如何"}
_LINKS = frozenset({"是", "有", "为", "叫", "在", "位于"})     # 封地在哪里, 性格有什么特点: the noun before is asked
_ASKING = re.compile(f"[{segment.ASKING_CHARACTERS}]")        # 多长, 多久, 什么样: words that ask
_ASKING_VERBS = frozenset({"才能", "能否", "是否", "可否", "有没有", "能不能", "会不会", "需不需要", "要不要"})
# An English question's topic words (EvidenceReader._english_topic_words): written in lower case (a capitalised
# word is a name's), no commoner in general English than this Zipf value (elevator 3.95, drill 4.09, flood 4.34;
# not bus 4.83, school 5.71, people 6.25). Chosen of 4.0, 4.5, 5.0, 5.5 by the CV log loss of the English offset
# fit of topic_elsewhere on the fit part (bench/calibrate.py --offset topic_elsewhere --latin).
ENGLISH_TOPIC_ZIPF = 4.5
# Two lower-case words in a row that CC-CEDICT has as one sense of at most this many Chinese words of two characters
# or more (school bus: 校车; night market: 夜市; not "last year": 上年, 去岁, 去年, 年来, 旧年), one of them no
# commoner than TOPIC_PAIR_ZIPF (last 6.1, year 6.0), are a topic word too. Both bounds set by hand, not tuned.
TOPIC_PAIR_WORDS = 3
TOPIC_PAIR_ZIPF = 5.5
_LOWER_CASE_WORD = re.compile(r"(?<![A-Za-z'’])[a-z]+(?![A-Za-z])")
_LOWER_CASE_PAIR = re.compile(r"(?<![A-Za-z'’])(?=([a-z]+) ([a-z]+)(?![A-Za-z]))")


@dataclass
class Question:
    """What one question asks, read once for all its hits (EvidenceReader.read)."""

    text: str
    cjk: bool
    terms: list[str]
    absent: float               # answer.Evidence.absent: the same for every hit
    bare: bool                  # answer.Evidence.bare
    held: list                  # the names it asks about that the index holds (_names_held)
    institutions: tuple         # the hospitals, schools... it names (proper_names.institution_names)
    writes: object              # whether an article writes one: proper_names.writes_institution, English's
    numbered: tuple             # proper_names.numbered_items
    topic_words: list[str] = field(default_factory=list)   # what it is about beside its names (_topic_words)
    ids: list[int] = field(default_factory=list)    # the passages found for it
    elsewhere: dict = field(default_factory=dict)    # by article: the same for an article's passages
    topic_held: dict = field(default_factory=dict)   # by unit of its hits (_topic_unit): the topic words it writes
    unwritten: dict = field(default_factory=dict)    # and so is unwritten
    texts: dict = field(default_factory=dict)        # the articles' texts both read
    parts: dict = field(default_factory=dict)        # by article: its people's parts (_person_parts)
    reference: float | None = None   # answer.lead_reference of its nearest passages; None: lead is not read


def _english_pairs(question: str) -> list[str]:
    """Two lower-case words in a row of an English question (dictionary forms, joined by a space) that CC-CEDICT has
    as a sense of a few Chinese words (TOPIC_PAIR_WORDS), one of them no commoner than TOPIC_PAIR_ZIPF: "school
    buses" -> "school bus" (校车)."""
    out = []
    for m in _LOWER_CASE_PAIR.finditer(segment.without_ordinals(question)):
        terms = [segment.english_terms(w) for w in m.groups()]
        if not all(len(t) == 1 and t[0].isalpha() for t in terms):
            continue    # a stopword: no sense of two content words
        for forms in ([t[0] for t in terms], [english.base_form(t[0]) for t in terms]):   # fixed assets, school buses
            pair = " ".join(forms)
            words = _pair_words(pair)
            if words:
                if len(words) <= TOPIC_PAIR_WORDS and min(word_rarity.english_zipf(f) for f in forms) <= TOPIC_PAIR_ZIPF:
                    out.append(pair)
                break
    return out


def _pair_words(pair: str) -> tuple[str, ...]:
    """The Chinese words of two characters or more that have `pair` as a sense (cedict.words_for): 校车 for "school
    bus"; not the 庭 of "law court", which 家庭 writes too."""
    return tuple(w for w in cedict.words_for(pair) if len(w) >= 2)


class EvidenceReader:
    """answer.Evidence for passages of one index generation: `read` a question once, then
    `evidence` for each passage found for it. Keeps what it learns of the index (a city's share
    of the articles) for the generation's life."""

    def __init__(self, passages: list[Passage], lexical_index: lexical.LexicalIndex,
                 word_spans: lexical.WordSpans | None = None):
        self.passages = passages          # or milvus.MilvusPassages
        self.lexical = lexical_index      # or milvus.MilvusLexical
        self.word_spans = word_spans      # each passage's segment.word_spans; None: cut when asked
        self._city_shares: dict = {}      # _city_share's, by name
        self._city_spellings: dict = {}   # _city_spelled's, by spellings
        self._parts: dict = {}            # _person_parts', by article

    def read(self, question: str, cjk: bool, ids: list[int], terms: list[str],
             reference: float | None = None, alone: bool = True) -> Question:
        """What `question` asks, for its hits `ids` (their passages may hold a name the index cuts otherwise);
        `reference`: what each hit's Evidence.lead is measured from (answer.lead_reference); `alone`: asked on its own,
        not judged as a follow-up in the sections of its topic (then what it refers back to is known)."""
        institutions, writes = (proper_names.institution_names(question), proper_names.writes_institution) if cjk \
            else (proper_names.english_institution_names(question), english.writes_institution)
        bare = asks_nothing(question) or alone and references.names_nothing(question)
        return Question(question, cjk, terms, self._names_absent(question, cjk, ids, terms), bare,
                        self._names_held(question, cjk), institutions, writes, proper_names.numbered_items(question),
                        self._topic_words(question, terms) if cjk else self._english_topic_words(question), list(ids),
                        reference=reference)

    def evidence(self, asked: Question, pid: int, cosine: float, rank: int
                 ) -> tuple[answer.Evidence, dict[str, float]]:
        """answer.Evidence for passage `pid` as an answer to `asked` (its dense similarity `cosine`, its
        place `rank`), and {word of the passage that matches the question: its weight} (highlights)."""
        question, terms, cjk, held = asked.text, asked.terms, asked.cjk, asked.held
        p = self.passages[pid]
        # The evidence counts the title only where it says what the passage is about: a title over
        # sections on several people (江边镇防汛一线见闻) names what they share, not what each is
        # about; only the part on who went to 江边镇 writes it. Under 一、古民居修缮 the title's town is
        # the subject. Highlights are the matches that also occur in the text shown.
        # One pass: matching is the slow part.
        # A heading over one person's part names their post (苏健 政策法规处处长): it answers
        # 苏健担任什么职务? (not 他担任什么职务?: a follow-up has the name written in by then).
        # A digest's title (乡镇快讯｜沙埠工业园签约新材料项目；柘口老街夜市开市) names the other stories: a story holds
        # only what it writes.
        body = f"{p.section}\n{p.text}"
        person = proper_names.person_heading(p.section)
        digest = bool(_SEVERAL_HEADLINES.search(p.title))
        own = body if person or digest else None
        asked_post = cjk and person is not None and person[0] in question and implied_words.names_a_post(person[1])
        implied = implied_words.role_words(question, terms) if asked_post else frozenset()
        # 全市 in a city's own paper says the city a question names: its words are the passage's too
        cities = [name for name in held if _OWN_CITY.search(p.text) and (not cjk or name not in p.text)
                  and self._means_city(name, p.text)]
        if cjk:
            implied |= {t for t in terms if any(t in city for city in cities)} \
                | implied_words.went_words(question, terms, body) | implied_words.relative_time_words(terms)
            # how a count is asked, its verb and unit, where the passage gives a count in that unit (投了多少钱
            # of 总投资4.37亿元): the asking, not the topic
            frame = implied_words.quantity_words(question, terms, body)
            if frame:
                terms = [t for t in terms if t not in frame]
        else:
            implied |= {t for t in segment.english_terms(question) if any(t in n.words for n in cities)}
        weights, lexical_evidence = self.matches(question, terms, embedding_text(p), cjk, self._word_spans(pid),
                                                 own, body, implied)
        elsewhere = self._elsewhere(pid, held, question, cjk, asked.elsewhere, asked.texts)
        if not elsewhere:
            elsewhere = self._another_persons(pid, asked)
        unwritten = self._unwritten(pid, asked.institutions, asked.writes, asked.unwritten, asked.texts,
                                    asked.numbered)
        titled = body if digest else f"{p.title}\n{body}"   # what it does not say, its article's title included
        return answer.Evidence(cosine=cosine, latin=not cjk, rank=rank, absent=asked.absent, elsewhere=elsewhere,
                               bare=asked.bare, unit_missing=asked_for.unit_missing(question, body),
                               unwritten=unwritten, topic_elsewhere=self._topic_elsewhere(pid, asked),
                               lead=0.0 if asked.reference is None else cosine - asked.reference,
                               number_missing=asked_for.number_missing(question, titled),
                               time_missing=asked_for.time_missing(question, titled),
                               post_missing=asked_for.post_missing(question, titled),
                               kind_missing=max(asked_for.kind_missing(question, titled),
                                                asked_for.founding_missing(question, titled),
                                                asked_for.task_missing(question, titled)),
                               **lexical_evidence), weights

    def _topic_words(self, question: str, terms: list[str]) -> list[str]:
        """The words of a Chinese question that say what it is about, beside its names: nouns and verbs
        of jieba's precise cut that its dictionary holds and search mode also gives (`terms`: not 镇有 of
        西坪镇有), at least answer.SPAN_RARITY rare in general use (停水, 夜市, 校车; not 作用, 成立), held by
        the index; not a name's (proper_names.chinese_names: `absent` and `elsewhere` weigh those), not a
        word that asks (多长, 能否), nor what is asked of the subject (性格 of 性格有什么特点, 著作 of
        写过什么著作, 封地 of 封地在哪里: an answer says it without the word)."""
        names = proper_names.chinese_names(question)
        tagged = list(proper_names.tagged_words(question))
        asked = {word for (word, _), (before, _) in zip(tagged[1:], tagged) if before in _ASKED_AFTER}
        asked |= {word for (word, flag), (after, _), (then, _) in zip(tagged, tagged[1:], tagged[2:] + [("", "")])
                  if flag.startswith("n") and (after in _ASKED_BEFORE or (after in _LINKS and then in _ASKED_BEFORE))}
        df, searched = self.lexical.df["words"], set(terms)
        return [word for word, flag in dict.fromkeys(tagged) if flag in _TOPIC_TAGS and len(word) >= 2
                and segment.CJK.fullmatch(word) and word in searched and word in df and segment.dictionary_count(word)
                and word not in asked and word not in _ASKING_VERBS and not _ASKING.search(word)
                and not any(word in n or n in word for n in names) and word_rarity.rarity(word) >= answer.SPAN_RARITY]

    def _english_topic_words(self, question: str) -> list[str]:
        """The terms of an English question (segment.english_terms) that say what it is about beside its
        names: written in lower case (a name is capitalised: Gaobu, Civil Affairs Bureau), not a kind of place
        (town of "Gaobu town"), English that the index's glosses hold, no commoner than ENGLISH_TOPIC_ZIPF
        ("elevators", "drill"; not "people", "year"); then its pairs of words that are one sense (_english_pairs:
        "school bus", "night market")."""
        words = [t for w in _LOWER_CASE_WORD.findall(segment.without_ordinals(segment.without_clitics(question)))
                 for t in segment.english_terms(w)]
        base = {t: english.base_form(t) for t in dict.fromkeys(words) if t.isalpha()}
        single = [t for t, form in base.items() if not proper_names.english_place_kind(form)
                  and form in self.lexical.df["gloss"] and english.is_english_word(form)
                  and word_rarity.english_zipf(form) <= ENGLISH_TOPIC_ZIPF]
        return single + list(dict.fromkeys(_english_pairs(question)))

    def _topic_elsewhere(self, pid: int, asked: Question) -> float:
        """answer.Evidence.topic_elsewhere: 1.0 if passage `pid`'s unit (_topic_unit: its article, or its person's
        part of a report on several people) does not write one of the question's topic words (_topic_words,
        _english_topic_words) that the unit of another of its hits (`asked.ids`) does (_topic_held); in a report on
        several people, only if it writes none of them that no other does (a question's words spread over the parts)."""
        if not asked.topic_words:
            return 0.0
        if not asked.topic_held:    # by unit, the topic words each of the hits' units writes
            for i in asked.ids:
                unit = self._topic_unit(i)
                if unit not in asked.topic_held:
                    asked.topic_held[unit] = self._topic_held(i, asked)
        unit = self._topic_unit(pid)
        here = asked.topic_held.get(unit, set())
        others = set().union(*(held for other, held in asked.topic_held.items() if other != unit))
        if len(self._person_parts(pid)) >= 2 and here - others:
            return 0.0     # a part of a report on several people writing a topic word no other hit's unit does is asked of
        return float(bool(others - here))

    def _topic_unit(self, pid: int) -> tuple:
        """(article, section) of passage `pid` in a person's part of an article on several people (_person_parts):
        宁川县人民医院开展了多少例无痛分娩? of 邓卫东's part at 宁川县人民医院, where 蒋丽's part writes 无痛分娩 of another
        hospital; (article, None) for any other passage (what its unit holds: _unit_ids)."""
        p = self.passages[pid]
        parts = self._person_parts(pid)
        return (p.article, p.section if len(parts) >= 2 and p.section in parts else None)

    def _unit_ids(self, pid: int) -> list[int] | None:
        """The passages of passage `pid`'s unit (_topic_unit), `pid` first, in an article on several people: in a
        person's part, that part and what is outside all parts (what the opening and the title say of them all is each
        one's); outside the parts, the opening and the rest without any part. None in any other article: all of it."""
        parts = self._person_parts(pid)
        if len(parts) < 2:
            return None
        section = self._topic_unit(pid)[1]
        others = {i for other, part in parts.items() if other != section for i in part}
        return [i for i in itertools.islice(self._article(pid), ARTICLE_SCAN) if i not in others]

    def _topic_held(self, pid: int, asked: Question) -> set[str]:
        """The topic words of `asked` (_topic_words, _english_topic_words) that passage `pid`'s unit (_unit_ids)
        writes (English: a word matched by english.latin_matches in one of its passages, titles included,
        read only where the lexical index holds the word or its dictionary form; a pair, a Chinese word of its sense
        written in the unit)."""
        unit = self._unit_ids(pid)
        text = self._article_text(pid, asked.texts) if unit is None \
            else "\n".join(embedding_text(self.passages[i]) for i in unit)
        if asked.cjk:
            return {t for t in asked.topic_words if t in text}
        ids = list(itertools.islice(self._article(pid), ARTICLE_SCAN)) if unit is None else unit
        # a pair is held where the unit writes a Chinese word of that sense (校车 for "school bus")
        held = {t for t in asked.topic_words if " " in t and any(word in text for word in _pair_words(t))}
        # a word, where english.latin_matches finds it in one of the unit's passages that holds it
        # or its dictionary form as a gloss, a pinyin spelling or a word (no other passage matches it)
        ids = np.array(ids, np.int64)
        for t in asked.topic_words:
            if " " in t:
                continue
            forms = list(dict.fromkeys((t, english.base_form(t))))
            found = {i for channel in lexical.CHANNELS
                     for i in self.lexical.search(channel, forms, len(ids), allowed=ids).ids.tolist()}
            if any(t in english.latin_matches(asked.text, embedding_text(self.passages[i]), self._word_spans(i))
                   for i in sorted(found)):
                held.add(t)
        return held

    def _names_absent(self, question: str, cjk: bool, ids: list[int], terms: list[str]) -> float:
        """answer.Evidence.absent: 1.0 if the question names someone or something (a person,
        a town, a railway) the articles never mention. A name is there when the index holds it
        (Chinese: its words; English: a pinyin spelling) or a passage found for the question
        (`ids`) holds it: the tagger and the index may cut a rare name differently (琯 头镇 /
        琯 头 镇), and an English name may match only where jieba left it in characters."""
        if cjk:
            if all(t in self.lexical.df["words"] for t in terms):
                return 0.0      # every word is the index's: no name is missing (and no tagger to run)
            missing = [n for n in proper_names.chinese_names(question) if not self.lexical.holds_chinese_name(n)]
            return float(any(not any(n in embedding_text(self.passages[pid]) for pid in ids) for n in missing))
        missing = [n for n in proper_names.pinyin_names(question) if not self.lexical.holds_pinyin_name(n.spellings)]
        if not missing:
            return 0.0
        found = [set(english.latin_matches(question, embedding_text(self.passages[pid]), self._word_spans(pid)))
                 for pid in ids]
        # found in a passage (PinyinName.spelled_by), not one word here and one there
        return float(any(not any(n.spelled_by(f) for f in found) for n in missing))

    def _names_held(self, question: str, cjk: bool = True) -> list:
        """The names a question asks about that the index holds: Chinese, as it holds them
        (lexical.TermStats.chinese_name_as_held), the narrowest places only; English, the
        pinyin names (proper_names.pinyin_names) it holds in some spelling, the narrowest places only."""
        if not cjk:
            held = [n for n in proper_names.pinyin_names(question) if self.lexical.holds_pinyin_name(n.spellings)]
            return proper_names.without_enclosing_pinyin_places(question, held)
        held = [self.lexical.chinese_name_as_held(name) for name in proper_names.chinese_names(question)]
        return proper_names.without_enclosing_places([name for name in held if name])

    def _elsewhere(self, pid: int, held: list, question: str, cjk: bool, seen: dict | None = None,
                   texts: dict | None = None) -> float:
        """answer.Evidence.elsewhere: 1.0 if a name the question asks about (`held`, by
        _names_held) is in the index but not written in passage `pid`'s article (an English
        name: spelled by none of its words, as _names_absent reads them), nor meant by its 全市
        (_means_city). `seen`: by article,
        for one question's hits; `texts`: _article_text's."""
        if not held:
            return 0.0
        p = self.passages[pid]
        if seen is not None and p.article in seen:
            return seen[p.article]
        if cjk:
            text = self._article_text(pid, {} if texts is None else texts)
            out = float(any(name not in text and not self._means_city(name, text) for name in held))
        else:   # passage by passage (the word spans the build stored), until each name is found
            missing, ids = list(held), list(self._article(pid))
            for i in ids[:ARTICLE_SCAN]:
                found = set(english.latin_matches(question, embedding_text(self.passages[i]), self._word_spans(i)))
                missing = [n for n in missing if not n.spelled_by(found)]
                if not missing:
                    break
            if missing and len(ids) <= ARTICLE_SCAN:   # a longer article: not read to the end
                text = self._article_text(pid, {} if texts is None else texts)
                missing = [n for n in missing if not self._means_city(n, text)]
            out = float(bool(missing) and len(ids) <= ARTICLE_SCAN)
        if seen is not None:
            seen[p.article] = out
        return out

    def _another_persons(self, pid: int, asked: Question) -> float:
        """answer.Evidence.elsewhere of a passage of an article on several people, each one's part headed by
        their name (proper_names.person_heading): 1.0 if a name or institution the question asks about is
        written in another person's part and not in this passage's (a passage outside the parts: not in
        its own text), and no other it asks about is this part's alone. 宁川县人民医院 asked of 蒋丽's part
        (梅江县人民医院) while 方建国's writes it; 苏健担任什么职务? of 蔡敏's part, or of the report's opening.
        Not 苏健和蔡敏去了哪里? (each part writes one of them), nor 谁去了南通镇? (both write it)."""
        names = list(asked.held) + list(asked.institutions)
        if not names:
            return 0.0
        p = self.passages[pid]
        parts = asked.parts.get(p.article)
        if parts is None:   # by section: which names each person's part writes
            parts = asked.parts[p.article] = {
                section: self._written(asked, ids, names) for section, ids in self._person_parts(pid).items()}
        if len(parts) < 2:
            return 0.0
        asked_of = range(len(names))
        if p.section in parts:
            here = parts[p.section]
        else:   # what the opening says of them all (为期半年) answers a question naming one of them
            here = self._written(asked, [pid], names)
            people = {proper_names.person_heading(section)[0] for section in parts}
            spelled = {spelling for person in people for spelling, _ in pinyin.word_spellings(person)}
            asked_of = [i for i in asked_of if names[i] not in people
                        and not (isinstance(names[i], proper_names.PinyinName) and spelled & set(names[i].spellings))]
        others = [written for section, written in parts.items() if section != p.section]
        elsewhere = any(not here[i] and any(o[i] for o in others) for i in asked_of)
        own = any(here[i] and not any(o[i] for o in others) for i in asked_of)
        return float(elsewhere and not own)

    def _written(self, asked: Question, ids: list[int], names: list) -> list[bool]:
        """For each of `names` (a question's held names, then its institutions), whether passages `ids`
        write it, as _elsewhere and _unwritten read them (an English name: spelled in one passage)."""
        text = "\n".join(f"{self.passages[i].section}\n{self.passages[i].text}" for i in ids)
        found = None
        written = []
        for name in names:
            if isinstance(name, proper_names.PinyinName):
                if found is None:   # in the section or text, not the title every part shares
                    found = [self._latin_written(asked.text, i) for i in ids]
                written.append(any(name.spelled_by(f) for f in found))
            elif isinstance(name, str) and name in asked.held:
                written.append(name in text)
            else:
                written.append(asked.writes(text, name))
        return written

    def _latin_written(self, question: str, pid: int) -> set[str]:
        """The terms of an English `question` that passage `pid`'s section or text writes (english.latin_matches
        over what the model saw, with the word spans the build stored; not a match in the title only)."""
        p = self.passages[pid]
        body = f"{p.section}\n{p.text}"
        return {term for term, word in english.latin_matches(question, embedding_text(p), self._word_spans(pid)).items()
                if word in body}

    def _person_parts(self, pid: int) -> dict[str, list[int]]:
        """{section heading: its passages} of the people's parts of passage `pid`'s article (sections headed
        by a person's name: proper_names.person_heading), among ARTICLE_SCAN of its passages (around the first
        asked of); read once an article for the generation's life."""
        p = self.passages[pid]
        if p.article not in self._parts:
            parts: dict[str, list[int]] = {}
            for i in sorted(itertools.islice(self._article(pid), ARTICLE_SCAN)):
                section = self.passages[i].section
                if section and proper_names.person_heading(section):
                    parts.setdefault(section, []).append(i)
            self._parts[p.article] = parts
        return self._parts[p.article]

    def _means_city(self, name, text: str) -> bool:
        """Whether an article or passage `text` that does not write `name` (a Chinese question's: 澄川市 or
        澄川; an English question's PinyinName: Chengchuan) means it as its own city: it writes 全市, 我市 or
        本市, names no other city, and the index's articles are mostly that city's (CITY_SHARE)."""
        if not _OWN_CITY.search(text):
            return False
        if isinstance(name, proper_names.PinyinName):
            city = self._city_spelled(name)
        elif name.endswith("市"):
            city = name
        else:   # 澄川 for 澄川市, when the index writes that city (not 石湾镇; a person jieba knows is none)
            city = None if name.endswith(proper_names.PLACE_SUFFIXES) or segment.dictionary_tag(name).startswith("nr") \
                or not self._city_share(name + "市") else name + "市"
        if city is None or self._city_share(city[:-1]) < CITY_SHARE:
            return False
        return not any(other != city for other in proper_names.cities(text))

    def _city_share(self, name: str) -> float:
        """The share of the index's articles that write `name`; read once a generation (a pass over
        every passage: with the Milvus backend, a read of the collection)."""
        if name not in self._city_shares:
            articles, writing = set(), set()
            for p in self.passages:
                articles.add(p.article)
                if name in p.text or name in p.title:
                    writing.add(p.article)
            self._city_shares[name] = len(writing) / max(1, len(articles))
        return self._city_shares[name]

    def _city_spelled(self, name) -> str | None:
        """The city (…市) an English question's pinyin name spells (Chengchuan: 澄川市), as a passage that
        holds the spelling writes it (the two or three characters before a 市); None if none does. Read
        once a generation."""
        if name.spellings not in self._city_spellings:
            city = None
            for pid in self.lexical.search("pinyin", list(name.spellings), 5).ids.tolist():
                text = embedding_text(self.passages[int(pid)])
                stems = [text[max(0, m.start() - n):m.start()] for m in re.finditer("市", text) for n in (2, 3)]
                city = next((stem + "市" for stem in stems if set(name.spellings)
                             & {spelling for spelling, _ in pinyin.word_spellings(stem)}), None)
                if city:
                    break
            self._city_spellings[name.spellings] = city
        return self._city_spellings[name.spellings]

    def _unwritten(self, pid: int, institutions: tuple, writes, seen: dict, texts: dict,
                   numbered: tuple = ()) -> float:
        """answer.Evidence.unwritten: 1.0 if passage `pid`'s article does not write one of the
        `institutions` the question names (proper_names.institution_names; an English question's,
        english_institution_names), as `writes(text, name)` reads it, or writes siblings of a numbered
        thing it names but not it (`numbered`: proper_names.numbered_items; 第二批 for 第三批, lots 1-3
        for lot 5). `seen`: by article; `texts`: _article_text's."""
        if not institutions and not numbered:
            return 0.0
        p = self.passages[pid]
        if p.article not in seen:
            text = self._article_text(pid, texts)
            seen[p.article] = float(not all(writes(text, name) for name in institutions)
                                               or any(proper_names.writes_numbered(text, item) is False
                                                      for item in numbered))
        return seen[p.article]

    def _article_text(self, pid: int, texts: dict) -> str:
        """What the model saw of passage `pid`'s article, passage by passage (their titles and sections
        too), joined by line breaks; `texts`: by article, for one question's hits."""
        p = self.passages[pid]
        if p.article not in texts:
            texts[p.article] = "\n".join(embedding_text(self.passages[i]) for i in self._article(pid))
        return texts[p.article]

    def _article(self, pid: int):
        """The ids of passage `pid`'s article's passages, `pid` first and then outward: a build
        writes an article's passages one after another."""
        p = self.passages[pid]
        yield pid
        for step in (-1, 1):
            i = pid + step
            while 0 <= i < len(self.passages):
                q = self.passages[i]
                if q.article != p.article:
                    break
                yield i
                i += step

    def _word_spans(self, pid: int) -> np.ndarray | None:
        """Passage `pid`'s stored segment.word_spans; None where the index has none (cut at search time)."""
        return self.word_spans.of(pid) if self.word_spans is not None else None

    def matches(self, question: str, terms: list[str], text: str, cjk: bool,
                 spans: np.ndarray | None = None, own: str | None = None,
                 body: str | None = None, implied: frozenset[str] = frozenset()) -> tuple[dict[str, float], dict]:
        """{word of `text` that matches the question: its share of the question's IDF}, and the
        lexical evidence of answer.Evidence (coverage, key, key_span, title_only, novel, matched, unknown)
        from the matches in `own`, the part of `text` the passage holds as its own (default: all of
        it); `body`: its section and text, without the article's title; `implied`: the question's
        words the passage answers though it does not write them (a post asked, 职务, that its section
        heading names; the city its 全市 means)."""
        shortened: set[str] = set()   # words this passage writes in full (三中: 第三中学): not novel here
        if cjk:   # a lone Latin letter (the x of "x光") is no match
            terms = [t for t in terms if len(t) > 1 or not t.isascii()]
            found = answer.matched_words(terms, text)
            channel = "words"
            # A word no article writes may be a short form of what this one does (三中: 第三中学; 支书),
            # unless it is (in) a person's name: 刘强 is no short form of 刘桂芳强调
            named = [n for n in proper_names.chinese_names(question) if proper_names.may_be_person(n)]
            for t in terms:
                if t not in found and t not in self.lexical.df[channel] and not any(t in n for n in named):
                    stretch = short_forms.short_form(t, text)
                    if stretch:
                        found[t] = stretch
                        shortened.add(t)
        else:   # English words match Chinese text through pinyin and glosses
            found = english.latin_matches(question, text, spans)
            channel, terms = "gloss", segment.english_terms(question)
        total = sum(self.lexical.idf(channel, t) for t in terms)
        weights: dict[str, float] = {}
        for term, word in found.items():
            weights[word] = weights.get(word, 0.0) + (self.lexical.idf(channel, term) / total if total else 0.0)
        held = (set(found) if own is None else self._held(found, own, cjk)) | implied
        in_body = held if body is None else self._held(found, body, cjk) | implied
        own = text if own is None else own
        rarity = self._rarity(question, terms, cjk)
        evidence = self._evidence(question, terms, held, channel, cjk, rarity, in_body, implied, shortened)
        if cjk:
            spans = answer.key_spans(question, rarity)
            evidence["key_span"] = sum(bool(answer.matched_words([s], own)) or (s in found and found[s] in own)
                                       for s in spans) / len(spans) if spans else 1.0
        return weights, evidence

    @staticmethod
    def _held(found: dict[str, str], part: str, cjk: bool) -> set[str]:
        """The terms of `found` ({term: the word of the passage it matched}) that `part` of the
        passage holds (numbers in any script: the title's 46 is the text's 四十六)."""
        low = part.lower()
        held = {t for t, word in found.items() if word.lower() in low}
        numbers = [t for t in found if t not in held and any(ch.isdigit() for ch in t)] if cjk else []
        return held | set(answer.matched_words(numbers, part)) if numbers else held

    def _evidence(self, question: str, terms: list[str], covered: set[str], channel: str, cjk: bool,
                  rarity: dict[str, float], in_body: set[str] | None = None,
                  implied: frozenset[str] = frozenset(), shortened: frozenset[str] | set[str] = frozenset()) -> dict:
        """coverage, key, title_only, novel, matched and unknown of answer.Evidence for the question's
        `terms` (`rarity`: _rarity's), `covered` of them held by the passage (`in_body` of them in its
        section or text; `implied` of them answered though not written (matches), whether the index writes them or not;
        `shortened` of them a short form of what the passage writes, 三中 of 第三中学: neither is novel)."""
        terms = list(dict.fromkeys(terms))
        indexed = {t for t in terms if t in self.lexical.df[channel]
                   or (not cjk and t in self.lexical.df["pinyin"])} | (implied & set(terms)) | shortened
        # English words mean something when the index or a dictionary knows them, or they are names.
        names = set() if cjk else proper_names.english_names(question)
        meaningful = set(terms) if cjk else \
            indexed | {t for t in terms if t in names or english.is_english_word(t)}
        # How much each word says about what is asked: how rare it is in general use (a name
        # is rare, 去 and "went" are not), whatever the index holds. English coverage keeps the
        # index's IDF: glosses reach the text only through Chinese words (`rarity`).
        # Which words are the key ones: a name's words are as rare as the name ("su" alone is
        # common, Su Jian is not). `matched` keeps each word's own rarity, so that a name of
        # two words does not count its rarity twice.
        key_rarity = dict(rarity)
        if not cjk:
            for name in proper_names.pinyin_names(question):
                name_rarity = word_rarity.english_rarity(name.spellings[0])
                if name_rarity < word_rarity.english_rarity(""):
                    continue   # English writes it joined (hongkong): "Hong Kong" is as common as its words
                for w in name.words:
                    if w in key_rarity:
                        key_rarity[w] = max(key_rarity[w], name_rarity)
        weight = rarity if cjk else {t: self.lexical.idf(channel, t) for t in terms}

        def share(ws: dict[str, float], which) -> float:
            total = sum(ws.values())
            return sum(w for t, w in ws.items() if which(t)) / total if total else 0.0

        rarest = max(key_rarity.values(), default=0.0)
        key_terms = [t for t in terms if key_rarity[t] >= rarest - 1e-9]
        return {
            "coverage": share(weight, lambda t: t in covered),
            "key": sum(t in covered for t in key_terms) / len(key_terms) if key_terms else 0.0,
            # the other words held only through the article's title: about its subject, not what is asked
            "title_only": share({t: w for t, w in weight.items() if t not in key_terms},
                                lambda t: t in covered and in_body is not None and t not in in_body),
            "rarest": rarest / 10,
            "novel": share(rarity, lambda t: t not in indexed),
            "matched": sum(rarity[t] for t in terms if t in covered and t in rarity) / 10,   # in the question's order:
            # a sum over the set would differ in the last bit from one process (hash seed) to another
            "unknown": share(weight, lambda t: t not in meaningful)}

    def _rarity(self, question: str, terms: list[str], cjk: bool) -> dict[str, float]:
        """{term: how rare it is in general use}. A Chinese word the index does not hold, and no name,
        is read by its parts (word_rarity.parts_rarity): jieba's leftovers (能供 of 一天能供多少水) are
        not what the question is about; a town the index lacks (南湖镇) is."""
        if not cjk:
            return {t: word_rarity.english_rarity(t) for t in terms}
        named = proper_names.chinese_names(question)
        df = self.lexical.df["words"]
        return {t: word_rarity.rarity(t) if t in df or any(t in n for n in named) else word_rarity.parts_rarity(t)
                for t in terms}



# What people type to try a chat before asking anything, or to greet or thank it: no passage
# answers these, even one that happens to hold the word (an article on the Apgar test says 测试;
# the seed's 核酸检测 is a "test"; "Good evening" and "Thanks a lot" matched CMRC passages' words).
# English ones are whole words; Chinese ones are looked for in the characters.
PROBE_WORDS = ("testing", "test", "hello", "hey", "hi", "ping", "ok", "okay", "good morning", "good afternoon",
               "good evening", "good night", "thank you", "thank you so much", "thank you very much", "thanks",
               "thanks a lot", "many thanks", "thx", "bye", "goodbye",
               "测试", "试试", "试一下", "你好", "您好", "哈喽", "在吗", "谢谢", "谢谢你", "多谢", "感谢", "好的",
               "再见", "拜拜", "早上好", "下午好", "晚上好", "晚安")
_PROBE_PHRASES = sorted((tuple(w.split()) for w in PROBE_WORDS if w.isascii()), key=len, reverse=True)
_PROBE_CHINESE = sorted((w for w in PROBE_WORDS if not w.isascii()), key=len, reverse=True)   # longest first


# A title over several stories: headlines joined by a semicolon (not 暴雨过后：路通了；电来了, one story's).
_SEVERAL_HEADLINES = re.compile(r"[^；;：:]{6}[；;]\s*[^；;\s]{6}")


def section_person(section: str) -> str | None:
    """The person whose part of a report a section heading opens (苏健 政策法规处处长 -> 苏健), or None."""
    person = proper_names.person_heading(section)
    return person[0] if person else None


def asks_nothing(question: str) -> bool:
    """Whether the question is only words typed to try, greet or thank the bot (测试测试, "test",
    "hello hello", "Thank you so much"; not "thanksgiving", nor "a lot of rain")."""
    low = question.lower()
    latin = re.findall(r"[a-z0-9]+", low)
    chinese = "".join(re.findall(r"[^\W\da-z_]+", low))
    i = 0
    while i < len(latin):
        step = next((len(p) for p in _PROBE_PHRASES if tuple(latin[i:i + len(p)]) == p), 0)
        if not step:
            return False
        i += step
    for word in _PROBE_CHINESE:
        chinese = chinese.replace(word, "")
    return not chinese and any(ch.isalnum() for ch in question)
