"""Words of a question a passage answers without writing them: the 去 of 谁去了南通镇? in a passage
that writes 赴, the 后来 of 她后来去了哪里?, the verb and unit around a count asked (投了多少钱), the
担任什么职务 answered by a person's heading. bot/evidence.py counts them as found."""

from __future__ import annotations

import re
from functools import lru_cache

from . import asked_for, numerals, proper_names

# A question asking someone's post (苏健担任什么职务? 蔡敏的职位是什么? 他现任何职?): in a report on
# several people the heading over each one's part names it (苏健 政策法规处处长), so a passage under
# the heading of the person asked holds the question's words that ask it (bot/evidence.py); a small
# folder's articles hold none of them (担任 and 职务 counted as the question's words no article has:
# 苏健 was 0.17). Not 什么职务犯罪, 哪个职位空缺, 上任什么时候, 什么职业.
_ASKS_ROLE = re.compile(r"(?:担任|出任|现任)(?:过|了)?(?:什么|哪些|哪个|何)(?:职务|职位|官职|头衔|职)?"
                        r"|(?:职务|职位|官职|头衔)(?:是|为)(?:什么|哪些|何)"
                        r"|(?:什么|哪些|哪个|何种)(?:职务|职位|官职|头衔)(?=[?？。，,呢吗]|$)")
# What a post ends with (政策法规处处长, 办公室主任, 驻村第一书记, 主治医师, 调研员); a heading that
# says something else of its person (方晓梅：坚守一线二十年) names no post.
_POST = re.compile(r"(?:长|主任|书记|委员|员|师|医生|干部|经理|主席|代表|记者|专家|顾问|秘书|主管|负责人|教授|馆员|助理)$")


# How news writes that someone went somewhere (a question's 去: 谁去了南通镇?): sent, dispatched, stationed, moved on;
# not 以赴 or 赴汤蹈火, 技术支援, 下沉式, 深入学习, 禁止前往, 春节来到之际
_WENT = re.compile(r"(?<!以)赴(?!汤)|(?<!未能|禁止|不得|无法|不要|暂停)前往|奔赴|驰援|(?<!技术|物资|提供)支援|转战"
                   r"|下沉(?=到|至|一线|基层|社区|街道|村)|进驻|驻点|驻守|驻村|深入(?=[^，。]{0,4}?(?:一线|基层|村|社区|镇|乡"
                   r"|街道|现场|灾区|企业|田间|学校|医院))|来到(?!之际)|到达|赶到|赶往|前去")
_GO = frozenset({"去", "去过", "去往"})
_NOT_GOING = frozenset("除掉污产库杠世年留")   # 去除, 去产能, 去世: 去 that is no going


def went_words(question: str, terms, text: str) -> frozenset[str]:
    """The question's going (去, 去过, 去往 of its `terms`: 谁去了南通镇?, not 如何去除甲醛?), when `text` writes
    someone going in the words news uses for it (赴, 前往, 支援, 转战, 驻守...): answered there though not written."""
    asked = _GO.intersection(terms)
    if not asked or not any(question[i + 1:i + 2] not in _NOT_GOING for i, ch in enumerate(question) if ch == "去"):
        return frozenset()
    return frozenset(asked) if _WENT.search(text) else frozenset()


# Words that place what is asked in time relative to something else (她后来去了哪里?, 他现在在哪里工作?):
# they say when, not what; a passage answers them without writing them, as English's "then",
# "after" and "before" are stopwords.
_RELATIVE_TIME = frozenset("后来 然后 之后 以后 随后 此后 当时 那时 现在 目前 如今 曾经 已经 最近 当初 最终".split())


def relative_time_words(terms) -> frozenset[str]:
    """The `terms` of a question that place it in time relative to something (后来, 现在, 曾经): answered
    by a passage though it does not write them."""
    return _RELATIVE_TIME.intersection(terms)


# What a question may put between the verb and the count it asks (投了多少钱, 一共撤出来多少人, 要交多少钱)
_BEFORE_COUNT = frozenset("了 过 得 要 能 需 需要 一共 总共 共 大约 约 大概 到底 究竟".split())
_NOT_A_VERB_CHARACTER = frozenset("了过得着")   # 投了 shares no verb with a text by its 了
_VERB_REACH = 8   # characters before a count that may write its verb (总投资4.37亿元, 判处有期徒刑三年)


def quantity_words(question: str, terms, text: str) -> frozenset[str]:
    """The `terms` of a Chinese question's asking of a count in a unit (钱 of 多少钱, 几年, 多长时间), when `text`
    writes a number in that unit, and its verb where `text` writes it another way (投了 of 总投资4.37亿元, 判 of
    判处有期徒刑三年): the number in its unit answers them. Not a verb the text does not share (遇难了多少人 of a
    text that counts 转移群众200人: what is counted)."""
    verb, start, end = _count_frame(question)
    if start == end:
        return frozenset()
    plain = numerals.normalize(text)[0]
    counts = asked_for.counts_in_asked_unit(question, plain)
    if not counts and asked_for.unit_missing(question, text):   # (unit_missing's other ways: a table's column, 艘 for 条)
        return frozenset()
    # the verb where the text writes it just before a count in the unit (总投资4.37亿元), not anywhere (the 难
    # of 困难 is no 遇难)
    near = "".join(plain[max(0, at - _VERB_REACH):at] for at in counts)
    verbs = {t for t in _only_within(question, terms, verb, start) if set(t) - _NOT_A_VERB_CHARACTER & set(near)}
    return _only_within(question, terms, start, end) | verbs


def _only_within(question: str, terms, start: int, end: int) -> frozenset[str]:
    """The `terms` that `question` writes only within [start, end): not 镇 of 南通镇有多少人 for 镇有多少人."""
    return frozenset(t for t in terms if t in question and all(start <= m.start() and m.end() <= end
                                                               for m in re.finditer(re.escape(t), question)))


@lru_cache(maxsize=4096)   # asked once per hit of a question
def _count_frame(question: str) -> tuple[int, int, int]:
    """Where `question` asks a count in a unit (asked_for.count_asked): (where its verb starts, start, end); the
    verb's start is the asking's when there is none; all 0 when it asks none."""
    asked = asked_for.count_asked(question)
    if asked is None:
        return 0, 0, 0
    tokens, at = [], 0   # (word, its tag, where it starts), up to the asking
    for word, flag in proper_names.tagged_words(question):
        if at + len(word) > asked.start():
            break
        tokens.append((word, flag, at))
        at += len(word)
    while tokens and tokens[-1][0] in _BEFORE_COUNT:
        tokens.pop()
    # the verb (投 of 投了多少钱), not what the count is of (黎埠镇 of 到黎埠镇要多久, 桐山镇 of 桐山镇多少天)
    verb = bool(tokens) and tokens[-1][1].startswith("v") and len(tokens[-1][0]) <= 3
    return (tokens[-1][2] if verb else asked.start()), asked.start(), asked.end()


def role_words(question: str, terms) -> frozenset[str]:
    """The `terms` of a question that ask someone's post: those within its 担任什么职务, 现任何职..."""
    asking = [m.group() for m in _ASKS_ROLE.finditer(question)]
    return frozenset(t for t in terms if any(t in phrase for phrase in asking))


def names_a_post(text: str) -> bool:
    """Whether `text` (what a heading says after a person's name) is a post: 政策法规处处长."""
    return bool(_POST.search(text.strip()))
