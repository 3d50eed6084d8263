"""The names a question asks about: in a Chinese question by jieba's part-of-speech
tagger, in an English one the capitalised words and those that read as pinyin; and the
name a section or title stands for (what a follow-up refers to)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from . import numerals, pinyin, segment, word_rarity
from .article import without_numbering


def english_names(text: str) -> set[str]:
    """The capitalised words of a question, as english_terms writes them: names (Howard
    Webb, Verwoerd) that no dictionary holds but that mean something."""
    return {t for word in re.findall(r"\b[A-Z][A-Za-z'-]*", text) for t in segment.english_terms(word)}


# Question words jieba took for (part of) names: 因何, 哪件, 多少, 几个; 何 opening a name is a
# surname (何建明), 多 and 几 in one a syllable (多伦多, 几内亚): narrower than segment.ASKING_CHARACTERS
_QUESTION_WORD = re.compile(r"[哪什谁怎吗呢么]|多少|多[大长久高远重宽深]|几[个年月日天次位种人名座条家所本]"
                            r"|何(?:时|地|处|种|以|故|在)|(?<=.)何")
_COUNT = re.compile(r"多少|几|[\d一二三四五六七八九十百千万两]+")
_MEASURE_WORDS = frozenset("张条家座所台辆名位个只头匹本件间套处项次")
PLACE_SUFFIXES = ("省", "市", "县", "区", "镇", "乡", "村", "街道", "社区")   # what a place name ends with
_NOT_A_PLACE = frozenset("mqrpcudxy")   # numerals, measure words, pronouns, prepositions, particles...
# The character is a word of its own there: 于, 和, 曾 "once", 这张, 任 / 南平 "served as", 戴 / 口罩 "wear"
_NOT_A_SURNAME = frozenset({"p", "c", "d", "q", "m", "r", "v"})


@lru_cache(maxsize=4096)   # a question is tagged for its names, its institutions and its topic words (bot/evidence.py)
def tagged_words(question: str) -> tuple[tuple[str, str], ...]:
    """jieba's part-of-speech tagging of a Chinese question: (word, flag) pairs (ns a place, nr a person)."""
    import jieba.posseg   # 0.6 s the first time (its tag table): only Chinese questions need it

    segment.jieba()
    return tuple((w.word, w.flag) for w in jieba.posseg.cut(question))


@lru_cache(maxsize=4096)   # asked for `absent` and `elsewhere` of one question, and per hit (evidence.EvidenceReader.evidence)
def chinese_names(question: str) -> tuple[str, ...]:
    """The names a Chinese question asks about (南屿镇 in 南屿镇医疗队发放了多少药包?, 杨昊,
    泰国), by jieba's part-of-speech tagger, which also guesses names its dictionary lacks."""
    tagged = list(tagged_words(question))
    # 多少 / 张床 (nz): after a count, a measure word (张 "sheet", 条, 家) starts what is counted, not a
    # name; not a word jieba's dictionary holds (1895年 / 台湾), nor a person it tags (今年1月 / 张伟)
    names = [word for (word, flag), (before, _) in zip(tagged, [("", "")] + tagged)
             if flag in pinyin.NAME_TAGS and len(word) >= 2
             and not (_COUNT.fullmatch(before) and word[0] in _MEASURE_WORDS and not flag.startswith("nr")
                      and not segment.dictionary_count(word))
             and not (flag == "nr" and len(word) == 2 and word[0] not in pinyin.SURNAMES and _ordinary_word(word))
             and not (flag == "ns" and _a_verb(word))]
    # A town's name is often an ordinary word before 镇 (建新 "to build anew" + 镇): the
    # tagger calls it a verb; the word and its suffix are the name.
    names += [before + word for (before, flag), (word, _) in zip(tagged, tagged[1:])
              if word in PLACE_SUFFIXES and len(before) >= 2 and segment.CJK.match(before)
              and before not in segment.STOPWORDS and flag[0] not in _NOT_A_PLACE]
    names += place_names(question)
    people, given = _people(tagged)
    names = [n for n in names if n not in given and not _QUESTION_WORD.search(n)]
    return tuple(dict.fromkeys(names + people))


def may_be_person(name: str) -> bool:
    """Whether a name could be a person's: two to four characters from a common surname (刘强, 欧阳丽君),
    or tagged a person by jieba (傅强, 聂辉); not 三中, which it tags a place."""
    import jieba.posseg

    if not 2 <= len(name) <= 4:
        return False
    if name[0] in pinyin.SURNAMES or name[:2] in _COMPOUND_SURNAMES:
        return True
    segment.jieba()
    tagged = list(jieba.posseg.cut(name))
    return len(tagged) == 1 and tagged[0].flag in ("nr", "nrfg")   # not nrt: 二中, 华为


def _ordinary_word(word: str) -> bool:
    """Whether a word the tagger calls a person is one the dictionary (CC-CEDICT) translates and
    never spells out as a name: 卡住 (jam, choke). Asked only of two characters tagged nr (not a
    transliteration: 多伦多 is Toronto) that do not open with a common surname (高峰, 黎明 are people)."""
    from . import cedict
    senses = cedict.word_senses(word)
    spelled = pinyin.to_pinyin(word)
    return bool(senses) and not any(spelled in "".join(sense) for sense in senses)


def _a_verb(word: str) -> bool:
    """Whether a word the tagger calls a place is first a verb in CC-CEDICT, and never a name there
    (安顿 "to find a place for", 上市, 加盟): a question asking where villagers were 安顿 names no
    place the archive lacks. (Not nouns: many places are also common nouns, 江边 "river bank".)"""
    from . import cedict
    return cedict.a_verb(word)


def _people(tagged: list[tuple[str, str]]) -> tuple[list[str], set[str]]:
    """The people a tagged question names that jieba cut after the surname, and the given names
    that are no one alone. 林 / 志强: it tags the given name alone, as a name. 罗 / 建军, 杜 / 建新,
    陈 / 宝华, 邹 / 立新: the given name is a word of its own, and the person is the name, not
    the word (a surname jieba left alone starts a name)."""
    people, given = [], set()
    for (before, before_flag), (word, flag) in zip(tagged, tagged[1:]):
        if before not in pinyin.SURNAMES or before in segment.STOPWORDS or _QUESTION_WORD.search(word):
            continue
        if flag.startswith("nr") and len(word) <= 2:
            if before_flag not in ("p", "c"):        # not 向 / 于 before a name: prepositions
                people.append(before + word)
        elif before_flag not in _NOT_A_SURNAME and pinyin.may_be_given_name(word, flag):
            people.append(before + word)
            given.add(word)
    return people, given


# Two characters and a place ending: most towns, districts and counties (嵩口镇, 鼓楼区, 温泉街道),
# which jieba cuts apart (嵩 / 口镇, 白 / 樟镇) or leaves untagged.
_PLACE_NAME = re.compile(r"(?=([\u4e00-\u9fff]{2})(街道|[省市县区镇乡村港岛])(.?))")
COMMON_PAIR = 200   # jieba's count from which two characters are a word of their own: 小区, 农村, 市场


def place_names(question: str) -> list[str]:
    """Place names of a Chinese question by their form: two characters before 镇, 区, 县... Not
    where the ending makes a word with the character before it (老旧小区, 贫困山区; unless the two
    characters are a word themselves: 仓山区, but not an adjective's: 老小区) or after it (农贸市场),
    nor 哪个镇, 全区, nor a ship's way in or out of port (渔船回港, 出港, 登岛)."""
    common = lambda word: segment.dictionary_count(word) >= COMMON_PAIR   # noqa: E731
    return [stem + end for stem, end, after in _PLACE_NAME.findall(question)
            if not pinyin.NOT_IN_NAMES.intersection(stem)
            and not (common(stem[-1] + end[0]) and (not segment.dictionary_count(stem) or _adjectival(stem)))
            and not (len(end) == 1 and after and common(end + after))
            and not (end in "港岛" and stem[-1] in _TO_OR_FROM_PORT)]


_TO_OR_FROM_PORT = frozenset("回出进离入返抵靠停泊驶登上到在")


_NOT_A_CITY_TAG = frozenset("pvcd")   # a preposition, verb, conjunction or adverb before 市里, 市委: 按照市, 协调市


def cities(text: str) -> list[str]:
    """The cities (…市) a text names: place_names ending in 市, but not a word before 市 that says something
    else (协调市, 按照市, 驻守市: a verb or preposition before 市里; 龙岩, 南通 stay) nor 市 twice (全市夜市 -> 市夜市)."""
    return [p for p in place_names(text) if p.endswith("市") and not p.startswith("市")
            and segment.dictionary_tag(p[:-1])[:1] not in _NOT_A_CITY_TAG]


def _adjectival(stem: str) -> bool:
    """Whether a place name's stem is an adjective and a word (老 / 小 of 老小区), not a place (黄山, 新城)."""
    return segment.dictionary_tag(stem[0]) == "a" and segment.dictionary_tag(stem) != "ns"


_INSIDE_A_CITY = ("区", "县", "镇", "乡", "村", "街道")


def without_enclosing_places(names: list[str]) -> list[str]:
    """`names` without a province or city when a place inside one is among them (福州市鼓楼区:
    an article on the district need not write its city)."""
    if any(name.endswith(_INSIDE_A_CITY) for name in names):
        return [name for name in names if not name.endswith(("省", "市"))]
    return names


# What a named institution, facility or road ends in: 第一人民医院, 汀湾实验中学, 砚港大道. A word that
# ends so is something else when the kind and the character before it are a common word in jieba's
# dictionary (思路, 产业布局, 网站, 市中心, 子公司), unless the word is one of these (公路, 有限公司).
_INSTITUTION_KINDS = ("医院", "卫生院", "诊所", "中学", "小学", "学校", "幼儿园", "大学", "学院", "图书馆", "分馆",
                      "博物馆", "纪念馆", "文化馆", "体育馆", "公司", "有限公司", "集团", "工厂", "厂", "电站", "车站",
                      "站", "水库", "桥", "大桥", "隧道", "大道", "公路", "铁路", "路", "街", "公园", "景区", "广场",
                      "农贸市场", "菜市场", "批发市场", "中心", "合作社", "局", "研究所", "派出所", "卫生所", "协会",
                      "银行", "支行", "酒店", "宾馆", "码头", "机场", "产业园", "园区", "社区", "小区")
COMMON_KIND_WORD = 200   # jieba's count from which a word ending in a kind is a word of its own (思路 1,627)
# 第二, 第2, 3号: what tells siblings apart; not 第二十 for 第二, nor 13号 for 3号
_ORDINAL = re.compile(r"第[一二三四五六七八九十百\d]+|(?<![\d一二三四五六七八九十])[一二三四五六七八九十\d]+号")
# Before a name: how it was asked (那条, 哪个, 多少), not part of it.
_NOT_IN_INSTITUTION_NAMES = re.compile(r"[那这哪该每各某其]|多少|几|什么")
# Tags of a word that makes a name particular: a place, an organisation, another proper noun, the single
# characters of a name jieba does not know (鹭 / 濂), a person's (jieba tags unknown places and firms so:
# 恒岳 of 恒岳新材料科技有限公司, 梅江 of 梅江大桥).
_PARTICULAR_TAGS = frozenset({"ns", "nz", "nt", "ng", "g", "j"})
# A city or district the name opens with (澜屿市第一人民医院): an article on the hospital may leave it out.
_ENCLOSING_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}[省市](?=[\u4e00-\u9fff\d]{2}))?"
                              r"(?:[\u4e00-\u9fff]{2}[区县](?=[\u4e00-\u9fff\d]{2}))?")
WRITTEN_SLACK = 2.0   # a name is written when its characters are, in order, within twice its length


def _is_kind(word: str) -> bool:
    """Whether `word` ends in a kind of institution that is not the end of a common word (产业布局: 布局)."""
    return word in _INSTITUTION_KINDS or any(
        word.endswith(kind) and len(word) > len(kind)
        and segment.dictionary_count(word[-len(kind) - 1:]) < COMMON_KIND_WORD for kind in _INSTITUTION_KINDS)


@lru_cache(maxsize=1024)
def institution_names(question: str) -> tuple[str, ...]:
    """The particular hospitals, schools, companies, stations and roads a Chinese question names, as
    it names them: 澜屿市第一人民医院, 汀湾第二中学, 鹭濂实验小学, 砚港大道. Particular: a name (by jieba's
    tags) or an ordinal before the kind, not only its city or district (澜屿市中医院: local news
    writes 市中医院), nor a kind alone (实验中学, 老旧小区). Near misses of a look-alike archive ask of
    a sibling (another hospital, the second school) whose name shares every word with one that is there."""
    tagged = _ordinals_whole(list(tagged_words(question)))
    names = set(chinese_names(question))

    def particular(word: str, flag: str) -> bool:
        return flag in _PARTICULAR_TAGS or bool(_ORDINAL.fullmatch(word)) or word in names or flag[:2] == "nr"

    found = []
    for i, (word, _) in enumerate(tagged):
        if not _is_kind(word):
            continue
        start = i
        while start > 0:
            before, flag = tagged[start - 1]
            if _NOT_IN_INSTITUTION_NAMES.search(before) or _is_kind(before) or not (
                    flag[0] in "ngj" or flag in ("b", "vn") or before in names or _ORDINAL.fullmatch(before)
                    or before in ("省", "市", "区", "县")):     # 石岭 / 县 (tagged zg) / 人民医院
                break       # nor is another institution's name before it (汀湾区第二中学和砚港区第二中学)
            start -= 1
        marks = [particular(w, flag) for w, flag in tagged[start:i]]
        if not any(marks):
            continue
        # from its first particular word: what comes before it (驻点, 上市; 和 of 汀湾站和砚港站) is how it was asked
        start += marks.index(True)
        name = _JOINED.sub("", "".join(w for w, _ in tagged[start:i + 1]))
        core = name[_ENCLOSING_PLACE.match(name).end():]
        if _ORDINAL.search(core) or any(w in core for w, flag in tagged[start:i] if particular(w, flag)) \
                or (_county_own(name, core) and any(w in name[:-len(core)] for w, flag in tagged[start:i]
                                                    if particular(w, flag))):
            found.append(name)
    return tuple(dict.fromkeys(found))


# What a county or district has one of, named by it (浦溪县人民医院, 鹤塘县林业局), which news writes with the county
# or a bare 县 right before it; not a road, a centre or a library (浦溪县启动改造，其中滨江路...).
_COUNTY_OWN_KINDS = re.compile(r"(?:人民|中医?|中西医结合)?医院|妇幼保健(?:医)?院|[\u4e00-\u9fff]{1,4}局")
# What else news calls one of them: a county's 人民医院 is its 县医院; 中医院 and 中医医院, 妇幼保健院 and 妇幼保健医院
_COUNTY_OWN_ALSO = {"人民医院": ("医院",), "中医院": ("中医医院",), "中医医院": ("中医院",),
                    "妇幼保健院": ("妇幼保健医院",), "妇幼保健医院": ("妇幼保健院",)}


def _county_own(name: str, core: str) -> bool:
    """Whether `name` is a county's or district's own hospital or bureau (_COUNTY_OWN_KINDS), named by it:
    浦溪县人民医院 (core 人民医院) is not 云台县人民医院, and a city's paper writes the county. Not a city's
    (澜屿市中医院: its own paper writes 市中医院), nor a county that is a common word's (贫困县人民医院, 风景区)."""
    place = name[:len(name) - len(core)]
    stem = place[-3:-1]     # 浦溪 of 浦溪县, 马尾 of 马尾区: unknown to jieba's dictionary, or a place or a name there
    return bool(_COUNTY_OWN_KINDS.fullmatch(core)) and place[-1:] in ("县", "区") and len(place) >= 3 \
        and bool(segment.CJK.fullmatch(stem)) and not pinyin.NOT_IN_NAMES.intersection(stem) \
        and segment.dictionary_tag(stem) in ("", "ns", "nr", "nrt", "nz")     # not 贫困县, 保税区, 风景区


_JOINED = re.compile(r"^[和与及或同跟]")   # jieba glues a conjunction to a name it does not know (和砚港)


def _ordinals_whole(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba's words with 第 / 2 and 1 / 号 put back together (第2人民医院, 1号码头)."""
    out: list[tuple[str, str]] = []
    for word, flag in tagged:
        if out and ((out[-1][0] == "第" and word.isdigit()) or (out[-1][0].isdigit() and word == "号")):
            out[-1] = (out[-1][0] + word, "m")
        else:
            out.append((word, flag))
    return out


def _in_order(text: str, pieces: list[str], start: int, width: int) -> bool:
    """Whether `pieces` follow one another in `text` from `start`, each at the first place it comes
    (the tightest fit), within `width` characters, no gap holding a number, 第, a direction or 中."""
    at = start + len(pieces[0])
    for piece in pieces[1:]:
        found = text.find(piece, at, start + width)
        while found >= 0 and piece[-1].isdigit() and text[found + len(piece):found + len(piece) + 1].isdigit():
            found = text.find(piece, found + 1, start + width)     # 第2 is not the 第2 of 第20
        if found < 0 or _NOT_IN_A_GAP.search(text, at, found):
            return False
        at = found + len(piece)
    return True


# Between two characters of a name an article may write more of it (第二[人民]医院), not what makes
# another institution of it: a number (汀湾[二]桥), 第, a direction (汀湾[西路以]东路), 中 (汀湾[中]医院).
_NOT_IN_A_GAP = re.compile(r"[\d第东西南北中一二三四五六七八九十百零〇]")


# How news shortens a numbered school or hospital: 第一中学 -> 一中, 第二小学 -> 二小, 第一人民医院 -> 一医院, 二院
NUMBERED_SHORT_FORMS = {"中学": ("中",), "小学": ("小",), "人民医院": ("医院", "院"), "医院": ("医院", "院")}


def _written_from(text: str, pieces: list[str], width: int, refused) -> bool:
    """Whether `pieces` are written in order (_in_order) from some place of their first in `text`,
    but where `refused(start)` says that place is another institution's."""
    return any(not refused(m.start()) and _in_order(text, pieces, m.start(), width)
               for m in re.finditer(re.escape(pieces[0]), text))


def _shortened(core: str, text: str) -> bool:
    """Whether `text` writes `core` (a name without its city, numbers in digits) as news shortens a
    numbered school or hospital: 汀湾二中 for 汀湾第二中学, 市一医院 for 第一人民医院; the number whole."""
    found = re.fullmatch(r"(.*)第(\d{1,2})(中学|小学|人民医院|医院)", core)
    if not found or not 0 < int(found.group(2)) < 100:
        return False
    before, n, kind = found.group(1), int(found.group(2)), found.group(3)
    for number in (str(n), numerals.chinese(n)):
        for short in NUMBERED_SHORT_FORMS[kind]:
            pieces = list(before) + [number + short]
            # 一中 of 十一中 is not 第一中学
            if _written_from(text, pieces, int(len("".join(pieces)) * WRITTEN_SLACK),
                             lambda at: not before and at > 0 and bool(_NOT_IN_A_GAP.match(text, at - 1))):
                return True
    return False


def _another_place(text: str, at: int, place: str) -> bool:
    """Whether the three characters of `text` before `at` are a city, county or district other than
    `place`'s (砚港区 or 马尾区 before 第二中学 when 汀湾区第二中学 is asked; not ，市 of ，市第一人民医院, nor a verb
    or a word of place or time before a bare 县: 进驻县人民医院, 派往县人民医院, 当地县人民医院)."""
    before = text[max(0, at - 3):at]
    stem = before[:2]
    return len(before) == 3 and before[-1] in "省市区县" and bool(segment.CJK.fullmatch(stem)) \
        and not pinyin.NOT_IN_NAMES.intersection(stem) and stem not in place and not _not_a_place(stem)


# jieba's tags of words that are no place's name (进驻 v, 当地 s, 前往 t, 贫困 a, 已经 d, 对于 p); nouns and names
# may be (鼓楼 n, 马尾 nrt, 白云 nr, 和平 nz)
_NOT_PLACE_TAGS = tuple("vstadpcurmqf")


def _not_a_place(stem: str) -> bool:
    """Whether two characters before 县 or 区 are no place's name: a word jieba tags a verb, a place
    or time word, an adjective... (_NOT_PLACE_TAGS), or one ending in a verb of going (派往, 赶到, 奔赴)."""
    return segment.dictionary_tag(stem).startswith(_NOT_PLACE_TAGS) or stem[-1] in "往到赴驻至"


def writes_institution(text: str, name: str) -> bool:
    """Whether `text` writes `name` (one of institution_names): whole, or its characters in order
    within WRITTEN_SLACK times its length (第二医院 in 第二人民医院; 横溪镇中心小学 in 横溪镇，先后走访镇中心
    小学), or shortened as news does (_shortened: 一中, 市一医院), its ordinals whole, numbers in digits on
    both sides (第2中学 is 第二中学), nothing that makes another institution of it between (_NOT_IN_A_GAP: not 第一人民医院 in 第一时间赶到第二人民医院, 汀湾桥 in
    汀湾二桥). Its city or district may be left out, but not written as another one (汀湾区第二中学 is not
    砚港区第二中学); a county's own hospital or bureau (_county_own: 浦溪县人民医院) is written with its county or a
    bare 县 right before."""
    text, name = numerals.arabic(text), numerals.arabic(name)
    core = name[_ENCLOSING_PLACE.match(name).end():]
    place = name[:len(name) - len(core)]
    if _shortened(core, text):
        return True
    if _county_own(name, core) and not institution_names(core):
        # a county's 人民医院 is the county's only where its county (or a bare 县 of an article on it) goes
        # right before: not 市第一人民医院, 梅坞乡卫生院 or 云台县人民医院 (the county asked: 浦溪县人民医院); written
        # whole, not in order with a gap (浦溪县与云台县人民医院)
        return any(place + kind in text or place[:-1] + kind in text or any(
            text[m.start() - 1:m.start()] == place[-1] and not _another_place(text, m.start(), place)
            for m in re.finditer(re.escape(kind), text)) for kind in (core,) + _COUNTY_OWN_ALSO.get(core, ()))
    for whole in dict.fromkeys((name, core)):
        if not whole:
            continue
        pieces, at = [], 0
        for m in _ORDINAL.finditer(whole):
            pieces += list(whole[at:m.start()]) + [m.group()]
            at = m.end()
        pieces += list(whole[at:])

        def refused(at: int) -> bool:
            if pieces[0][0].isdigit() and at and text[at - 1].isdigit():
                return True     # 1号 of 11号
            return whole is core and bool(place) and _another_place(text, at, place)

        if _written_from(text, pieces, int(len(whole) * WRITTEN_SLACK), refused):
            return True
    return False


class PinyinName(NamedTuple):
    """A name of an English question that reads as pinyin (pinyin_names)."""

    spellings: tuple[str, ...]   # how an index may hold it: the words joined, each word of two syllables or more
    words: tuple[str, ...]       # its words as the question writes them

    def spelled_by(self, matched: set[str]) -> bool:
        """Whether a passage whose matches (english.latin_matches' terms) are `matched` writes the
        name: one of its spellings matched there, or each of its words did (王磊 cut 王 / 磊; Hong
        Kong, which CC-CEDICT glosses 香港 with)."""
        return not matched.isdisjoint(self.spellings) or matched.issuperset(self.words)


# After a person's name: it goes on in another spelling (the Yang Chao of
# Yang Chao-hsiang, Wade-Giles), unless it is a possessive (Wang Lei's, Wang Lei’s).
_NAME_GOES_ON = re.compile(r"-[a-z]|['’](?!s\b)[a-z]")


@lru_cache(maxsize=4096)   # asked once per hit (evidence.EvidenceReader.evidence)
def pinyin_names(question: str) -> tuple[PinyinName, ...]:
    """The names an English question asks about that read as pinyin (Danyang, Lin Haiyan,
    Wang Lei), each with its spellings an index may hold. A person's name, a one-syllable
    surname and a given name (Lin Haiyan, Wang Lei), is its words joined (linhaiyan), unless
    that is a common English word: the given name alone is someone else's too (郑海燕 is
    Zheng Haiyan). Other names are the words joined, then each word of two syllables or more
    ("Fuzhou Gulou" -> fuzhougulou, fuzhou, gulou; a lone syllable could be any of many
    characters). Names in other spellings (Smith, Paris) and English words that happen to
    spell pinyin (open, China) are not here: nothing says how a Chinese article writes them."""
    out = []
    for words, end in _pinyin_runs(question):
        joined = "".join(words)
        # not Open, Elaine
        parts = [w for w in words if pinyin.syllables(w) >= 2 and not word_rarity.common_english(w)]
        if 2 <= len(words) <= 3 and pinyin.syllables(words[0]) == 1:
            if not word_rarity.common_english(joined) and not _NAME_GOES_ON.match(question, end):
                out.append(PinyinName((joined,), tuple(words)))
        elif parts:
            out.append(PinyinName(tuple(dict.fromkeys([joined] + parts)), tuple(words)))
    return tuple(out)


# an apostrophe parts syllables of one name (Yuan'ao, Xiao'ao), unless it is a possessive
_CAPITALISED = r"[A-Z][a-z]+(?:['’](?!s\b)[a-z]+)?"
_CAPITALISED_WORD = re.compile(_CAPITALISED)


def _pinyin_runs(question: str) -> list[tuple[list[str], int]]:
    """The runs of capitalised words of `question` that read as pinyin, lower-cased and split at
    apostrophes, without stopwords, each with where it ends. English words before a person's name
    are a title, not part of it (Mayor Yan Ruoqing, Vice Mayor Yu Chengze: yan ruoqing, yu chengze);
    a run with any other word that is not pinyin is no pinyin name (Machiko Hasegawa, Huanhu East Road)."""
    runs = []
    for run in _capitalised_runs(question):
        words = [[w for w in re.findall(r"[a-z]+", m.group().lower()) if w not in segment.STOPWORDS] for m in run]
        words = [word for word in words if word]    # Did Mayor Yan Ruoqing come?: "Did" is no part of it
        while len(words) > 1 and all(w in _ENGLISH_PLACE_KINDS for w in words[-1]):
            words.pop()     # "Nantong Town", "Chengchuan City": capitalised as a name's part, said as "Nantong town"
        title = 0
        while title < len(words) and not all(pinyin.syllables(w) for w in words[title]) \
                and all(word_rarity.common_english(w) for w in words[title]):
            title += 1
        name = [w for word in words[title:] for w in word]
        if not name or not all(pinyin.syllables(w) for w in name):
            continue
        if title and not (2 <= len(name) <= 3 and pinyin.syllables(name[0]) == 1):
            continue    # Emperor Xiaowu, Lake Taihu: the English word may be written into the name (孝武帝)
        runs.append((name, run[-1].end()))
    return runs


def _capitalised_runs(question: str) -> list[list[re.Match]]:
    """The runs of capitalised words of `question`, each cut after a kind of place inside it: "Qingyuan
    County Maternal and Child Health Hospital" names Qingyuan County first (and its hospital is
    english_institution_names'), "Yuntai County People's Hospital" Yuntai County."""
    runs = []
    for run in re.finditer(rf"{_CAPITALISED}(?:[ -]{_CAPITALISED})*", question):
        words = list(_CAPITALISED_WORD.finditer(question, run.start(), run.end()))
        start = 0
        for i, word in enumerate(words[:-1]):
            if i > start and word.group().lower() in _ENGLISH_PLACE_KINDS:
                runs.append(words[start:i + 1])
                start = i + 1
        runs.append(words[start:])
    return runs


# How far an English place word reaches (Gulou district, Fuzhou city): the narrowest is asked about.
_ENGLISH_PLACE_LEVEL = {"province": 0, "city": 1, "prefecture": 1, "county": 2, "district": 2, "town": 3,
                        "township": 3, "subdistrict": 3, "village": 4, "street": 4, "road": 4, "community": 4}
# What English calls a kind of place after its name, also capitalised (Nantong Town, Lanzhou River)
_ENGLISH_PLACE_KINDS = frozenset(_ENGLISH_PLACE_LEVEL) | {kind for kinds in pinyin.NAME_SUFFIXES.values()
                                                         for kind in kinds}


def english_place_kind(word: str) -> bool:
    """Whether a lower-cased English word names a kind of place (town, county, road, river...)."""
    return word in _ENGLISH_PLACE_KINDS


def without_enclosing_pinyin_places(question: str, names) -> list[PinyinName]:
    """`names` (pinyin_names of `question`) without the places that enclose another: "Gulou
    district, Fuzhou" asks about Gulou (an article on the district need not write its city). A
    place's reach is the English word after it (district, town, ...); a name followed by none
    that is not a person's (Fuzhou, Fuzhou's) encloses a place that has one. People stay."""
    def level(name: PinyinName) -> int | None:
        found = re.search(r"\b" + r"[\s-]+".join(map(re.escape, name.words)) + r"\s+([a-z]+)", question, re.I)
        return _ENGLISH_PLACE_LEVEL.get(found.group(1).lower()) if found else None

    def person(name: PinyinName) -> bool:   # a one-syllable surname and a given name (pinyin_names)
        return 2 <= len(name.words) <= 3 and pinyin.syllables(name.words[0]) == 1

    levels = {name: level(name) for name in names}
    placed = [lv for lv in levels.values() if lv is not None]
    if not placed:
        return list(names)
    return [name for name, lv in levels.items() if lv == max(placed) or (lv is None and person(name))]


# A person's heading: the name, then a space or a colon, then the role (谭国栋 工程管理股股长), or
# a name alone of two or three characters.
_HEADING_NAME = re.compile(r"([\u4e00-\u9fff]{2,4})(?:[ \u3000:：]|$)")
_COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯"})


@lru_cache(maxsize=4096)   # asked once per hit
def person_heading(heading: str) -> tuple[str, str] | None:
    """(name, what follows it) when a section heading starts with a person's name, as a report on
    several people heads each one's part (谭国栋 工程管理股股长 -> 谭国栋, 工程管理股股长; 谭国栋 ->
    谭国栋, ""; 二、方晓梅：...), else None (一、古民居修缮, 会议要求, 本报记者 曾敏, 石湾乡 群众转移,
    郑州 暴雨, 温馨提示). A name is no other word of jieba's dictionary (郑州, 黄金周, 温馨 are) and starts
    with a surname or is tagged a person (a person the dictionary holds is one: 黄志明)."""
    import jieba.posseg

    heading = without_numbering(heading).strip()     # 一、谭国栋 工程管理股股长
    found = _HEADING_NAME.match(heading)
    if not found or (found.end(1) == len(heading) and len(heading) > 3):
        return None     # 温馨提示: four characters and nothing after them
    name = found.group(1)
    if (segment.dictionary_count(name) and not _unknown_person(name)) \
            or any(name.endswith(suffix) for suffix in PLACE_SUFFIXES):
        return None     # a word (郑州; 黄金周, 张家港: tagged a person) or a place's part (王庄街道 抗疫)
    post = heading[found.end():].strip(" \u3000:：")
    if name[0] in pinyin.SURNAMES or name[:2] in _COMPOUND_SURNAMES:
        return name, post
    segment.jieba()
    first = next(iter(jieba.posseg.cut(name)), None)   # 颜丽, 温 / 建平: less common surnames
    return (name, post) if first is not None and first.flag.startswith("nr") else None


def _unknown_person(word: str) -> bool:
    """Whether a word of jieba's dictionary is a person no one else knows: tagged a person, and
    not in CC-CEDICT (黄志明; not 黄金周 "golden week" or 张家港, a city, which jieba also tags so)."""
    from . import cedict

    return segment.dictionary_tag(word).startswith("nr") and not cedict.word_senses(word)


# What a title adds in brackets to tell it from another of the same name: 大曲车站 (青森县), 长城（电影）
_DISAMBIGUATOR = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def name_of(*labels: str) -> str:
    """The word that names what headings or titles are about, to stand for it in a question:
    the person a heading names (person_heading: 王建平 of "王建平 市水利局副局长"); else
    the first label's rarest word when it is a name (one jieba's dictionary lacks: 蔡敏 of
    "蔡敏 建筑节能与科技设计处处长"; 早年经历 names nobody), else the last label's rarest
    word (an article's title: 福平 of 福平铁路正式开通运营), or the label itself when it has
    no Chinese word; "" when every label is empty."""
    def words(text: str) -> list[str]:
        return [w for w in segment.jieba().cut(text) if segment.CJK.match(w) and len(w) > 1]

    labels = [label.strip() for label in labels if label and label.strip()]
    for i, label in enumerate(labels):
        person = person_heading(label)    # 王建平 市水利局副局长: a name jieba's dictionary holds is still the name
        if person:
            return person[0]
        # 大曲车站 (青森县) is about 大曲车站; COVID-19 (新冠肺炎) is named by the bracket's words
        chinese = words(_DISAMBIGUATOR.sub("", label)) or words(label)
        if not chinese:
            if i == len(labels) - 1:
                return label
            continue
        rarest = max(chinese, key=word_rarity.rarity)
        if i == len(labels) - 1 or not segment.dictionary_count(rarest):
            return rarest
    return ""


class EnglishInstitution(NamedTuple):
    """A particular school, hospital, road... an English question names (english_institution_names)."""

    words: tuple[str, ...]   # the pinyin words of its name (Yangang Middle School: yangang)
    number: int | None       # its number (Lanzhou No. 2 Middle School: 2)
    kind: str                # how a Chinese text writes its kind: a regex alternation (中学)


# An English kind of institution -> how Chinese writes it. Longest first where one ends another.
_MATERNAL = "妇幼保健院|妇幼保健医院|妇幼保健计划生育服务中心"
_ENGLISH_KINDS = (("middle school", "中学"), ("high school", "中学|高中"), ("primary school", "小学"),
                  ("school", "校|中学|小学|学院"), ("kindergarten", "幼儿园"), ("university", "大学|学院"),
                  # a hospital by what kind it is: 青垣县中医院 is not the county's 妇幼保健院 or 人民医院
                  # (a county's 人民医院 is also its 县医院; 妇幼保健院 is also 妇幼保健医院, 妇幼保健计划生育服务中心)
                  ("maternal and child health care hospital", _MATERNAL), ("maternal and child health hospital", _MATERNAL),
                  ("maternity and child health care hospital", _MATERNAL), ("maternity and child health hospital", _MATERNAL),
                  ("maternal and child hospital", "妇幼"), ("people's hospital", "人民医院|(?<=[县区])医院"),
                  ("hospital of traditional chinese medicine", "中医院|中医医院"), ("hospital of tcm", "中医院|中医医院"),
                  ("traditional chinese medicine hospital", "中医院|中医医院"),
                  ("chinese medicine hospital", "中医院|中医医院"), ("tcm hospital", "中医院|中医医院"),
                  ("college", "学院"), ("hospital", "医院|卫生院|保健院"), ("health centre", "卫生院|卫生服务中心"),
                  ("health center", "卫生院|卫生服务中心"), ("clinic", "诊所|卫生室|门诊"), ("library", "图书馆"),
                  ("museum", "博物馆"), ("avenue", "大道|路"), ("road", "路|道"), ("street", "街|路"),
                  ("bridge", "桥"), ("tunnel", "隧道"), ("police station", "派出所"), ("station", "站"),
                  ("reservoir", "水库"), ("industrial park", "园区|工业园|产业园"), ("park", "公园|园"),
                  ("branch", "分馆|分院|分校|支行|分公司"), ("factory", "厂"), ("cooperative", "合作社"),
                  ("market", "市场"), ("square", "广场"), ("airport", "机场"), ("wharf", "码头"), ("pier", "码头"))
# (not road of road-rail bridge; "plant" is not here: its Lanyu plant is the plant in Lanyu)
_ENGLISH_KIND = re.compile(r"\b(" + "|".join(k.replace(" ", r"\s+").replace("'", "['’]") for k, _ in _ENGLISH_KINDS)
                           + r")\b(?!-)", re.I)
_KIND_IN_CHINESE = {k: zh for k, zh in _ENGLISH_KINDS}
# Kinds that are also verbs (where can Chen Jie park?): in lower case, only after "the" (the Fenglin bridge).
_ALSO_VERBS = frozenset({"park", "station", "market", "bridge", "branch", "square"})
# A word of a name before its kind: a number (No. 2), or capitalized (Yangang, Yuan'ao, People's, Second).
_NAME_TOKEN = re.compile(r"No\.?\s*(\d{1,2})\b|[A-Za-z]+(?:['’][A-Za-z]+)?|\S")
_NAME_JOINERS = frozenset({"and", "&"})   # between capitalised words of one institution's name
_ORDINAL_WORDS = {w: n for n, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                              "eighth", "ninth", "tenth"), 1)}


def _joins_in_a_name(word: str) -> bool:
    """Whether a capitalised `word` beside an "and" makes one institution's name of it: a common English
    word that is no kind of institution (Maternal and Child; not a pinyin name, not School or Hospital)."""
    return word[0].isupper() and word_rarity.common_english(word.lower()) and not _ENGLISH_KIND.fullmatch(word)


@lru_cache(maxsize=1024)
def english_institution_names(question: str) -> tuple[EnglishInstitution, ...]:
    """The particular schools, hospitals, roads, bridges... an English question names: the words
    before a kind (Middle School, Hospital, Road, bridge) back to the first that is not capitalized
    or a number, an "and" between capitalised words kept (Qingyuan County Maternal and Child Health
    Hospital, Yangang Middle School, Lanzhou No. 2 Middle School, Lanzhou Second Middle School,
    the Fenglin bridge). Particular: a pinyin word or a number among them (not the City Library,
    Children's Hospital alone); not a pinyin name's (Tan Zhiyuan's school: its owner's; Lanyu's
    Yangang Middle School is Yangang's). As for institution_names: the near misses of a look-alike
    archive ask of a sibling (the district's other school) whose every word the index holds."""
    out = []
    for kind in _ENGLISH_KIND.finditer(question):
        tokens = list(_NAME_TOKEN.finditer(question[:kind.start()]))
        words, number, first = [], None, len(tokens)
        for i in range(len(tokens) - 1, -1, -1):
            token = tokens[i].group()
            if tokens[i].group(1):
                number = int(tokens[i].group(1))
            elif token.lower() in _ORDINAL_WORDS and token[0].isupper():
                number = _ORDINAL_WORDS[token.lower()]
            elif not token[0].isupper():
                if token in _NAME_JOINERS and 0 < i < len(tokens) - 1 \
                        and all(_joins_in_a_name(tokens[j].group()) for j in (i - 1, i + 1)):
                    continue    # Maternal and Child Health Hospital: one name (not Yangang Middle School
                                # and Fenglin Hospital, two)
                break
            else:
                word = re.sub(r"['’]s$", "", token.lower())
                if word != token.lower() and pinyin.syllables(word):
                    if not words and number is None:
                        first = len(tokens)     # Tan Zhiyuan's school: its owner's, no name of its own
                    break                       # Lanyu's Yangang Middle School: the city's
                words.append(re.sub(r"['’]", "", word))    # Yuan'ao
            first = i
        if first == len(tokens) or (kind.group()[0].islower() and kind.group().lower() in _ALSO_VERBS
                                    and (first == 0 or tokens[first - 1].group().lower() != "the")):
            continue
        spelled = tuple(w for w in reversed(words) if w not in segment.STOPWORDS and pinyin.syllables(w)
                        and not word_rarity.common_english(w) and w not in _ENGLISH_PLACE_LEVEL)
        if spelled or (number is not None and number > 0):
            kind_words = re.sub(r"\s+", " ", kind.group().lower()).replace("’", "'")
            out.append(EnglishInstitution(spelled, number or None, _KIND_IN_CHINESE[kind_words]))
    return tuple(dict.fromkeys(out))


# One numbered of a kind (第三批, 二期, 四标段, 5号楼, 3号线, 一季度, 第十二届, 2023年度): a question on it asked of an
# article that writes its siblings (第二批) and not it is a near miss. 批 and 届 only after 第 (一批 is a
# measure: 一批项目); not 第一次 (a time), 新一轮, 一 after 上, 同, 哪... (上一期, 同一期, 新一期: which one,
# not the first), 两期 (a count), 五一期间 (a holiday), 7号线索.
_NUMERAL = "[0-9]+|[〇零一二三四五六七八九十百]+"
_KIND = r"批|届|期(?![间限])|标段|号楼|号线(?![索路])|季度|年度"   # 2023年度: a year's edition (of an award, a report)
_NUMBERED = re.compile(rf"(第)?({_NUMERAL})({_KIND})")
_RELATIVE_ONE = frozenset("上下这那同统唯每新最哪前某任另")
# What an article may write before a kind: several numbers, listed or as a range (一至三标段, 1-3标段, 一、二期,
# 第一、第二批, 1号、2号楼)
# (a separator after each but the last: 2016、2017、…2022年 is read in one pass, not split every way)
_NUMBERED_RUN = re.compile(rf"((?:第?(?:{_NUMERAL})号?[、，,和及与至到~～—－-])*第?(?:{_NUMERAL})号?)({_KIND})")
_RANGE = re.compile(rf"({_NUMERAL})号?[至到~～—－-]第?({_NUMERAL})")
_KIND_BEFORE_RANGE = re.compile(rf"({_NUMERAL})({_KIND})(?=[至到~～—－-]第?(?:{_NUMERAL})\2)")   # 第一批至第三批
_NEEDS_DI = frozenset({"批", "届"})
_FIRST = re.compile(r"首(?=批|届|期)")   # 首批 is 第一批
# An English question's (Lot 5, the third batch, Phase 2, Line 3, Building 5, bid section 2, the first
# quarter, the 5th edition); not "Section 3" or "the first line" (of a text), a parking lot, "building two
# new schools", nor a session (第二次会议 of the 十四届).
_ENGLISH_NUMBERED = re.compile(
    r"\b(?:(phase|batch)\s+(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|((?<!parking )lot|building|line|(?:bid|tender) section)\s+(?:no\.?\s*)?(\d+)\b"
    r"|(\d+)(?:st|nd|rd|th)\s+(batch|edition|phase|quarter)\b"
    rf"|({'|'.join(_ORDINAL_WORDS)})\s+(batch|edition|phase|quarter)\b)", re.I)
_ENGLISH_NUMBERED_KIND = {"batch": "批", "edition": "届", "phase": "期", "lot": "标段", "building": "号楼",
                          "line": "号线", "quarter": "季度", "bid section": "标段", "tender section": "标段"}
_ENGLISH_NUMBER_WORDS = {**_ORDINAL_WORDS, **{w: n for n, w in enumerate(
    ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 1)}}


def numbered_items(question: str) -> tuple[tuple[int, str], ...]:
    """The numbered things a question asks about, as (number, the Chinese kind): 第三批 -> (3, 批);
    一二期 -> (1, 期), (2, 期); "lot 5" -> (5, 标段), "the third batch" -> (3, 批)."""
    out = []
    text = _FIRST.sub("第一", question)
    for m in _NUMBERED.finditer(text):
        if not m.group(1) and (m.group(3) in _NEEDS_DI or _relative_one(text, m.start(2), m.group(2))):
            continue
        out += [(n, m.group(3)) for n in _numbers(m.group(2), m.group(3)) if n is not None]
    for m in _ENGLISH_NUMBERED.finditer(question):
        groups = [g for g in m.groups() if g]
        kind, number = (groups[1], groups[0]) if groups[0][0].isdigit() or groups[0].lower() in _ORDINAL_WORDS \
            else (groups[0], groups[1])
        n = int(number) if number.isdigit() else _ENGLISH_NUMBER_WORDS[number.lower()]
        if n < 1000:    # not the 2024th: a year
            out.append((n, _ENGLISH_NUMBERED_KIND[re.sub(r"\s+", " ", kind.lower())]))
    return tuple(dict.fromkeys(out))


def _relative_one(text: str, at: int, numeral: str) -> bool:
    """一 that says which one (上一期, 同一期, 新一期), not the first."""
    return numeral == "一" and at > 0 and text[at - 1] in _RELATIVE_ONE


def _numbers(numeral: str, kind: str = "") -> list[int | None]:
    """A numeral's numbers: 12 -> [12], 十二 -> [12]; 一二 (no 十 or 百: one and two, 一二期) -> [1, 2]; a year's
    digits before 年度 one number (二〇二三年度 -> [2023])."""
    if kind == "年度":   # a year: four digits (not 20年度, 连续3年度)
        digits = [int(ch) if ch.isdigit() else numerals.value(ch) for ch in numeral]
        return [int("".join(map(str, digits)))] if len(digits) == 4 and None not in digits else [None]
    if numeral.isdigit():
        return [int(numeral)]
    if len(numeral) > 1 and not any(ch in "十百" for ch in numeral):
        return [numerals.value(ch) for ch in numeral]
    return [numerals.value(numeral)]


def writes_numbered(text: str, item: tuple[int, str]) -> bool | None:
    """Whether `text` writes a numbered thing (numbered_items'): True, False when it writes others of its
    kind but not it (第二批 for 第三批), None when it writes none of its kind."""
    number, kind = item
    if kind == "年度" and re.search(rf"(?<!\d){number}年", text):
        return True       # 2023年 written: the year's edition is not another's
    found: set[int | None] = set()
    text = _KIND_BEFORE_RANGE.sub(r"\1", _FIRST.sub("第一", text))
    for m in _NUMBERED_RUN.finditer(text):
        run = m.group(1).rstrip("、，,和及与至到~～—－-")
        if m.group(2) != kind or (kind in _NEEDS_DI and "第" not in run) or _relative_one(text, m.start(1), run):
            continue
        found |= {n for numeral in re.findall(_NUMERAL, run) for n in _numbers(numeral, kind)}
        for start, end in _RANGE.findall(run):     # 一至三标段: 二标段 too
            a, b = _numbers(start, kind)[-1], _numbers(end, kind)[0]
            if a is not None and b is not None and 0 < b - a < 100:
                found |= set(range(a, b + 1))
    return None if not found else number in found
