"""What a question asks for that a passage must write to answer it: a count in its unit, a number, a
time, a founding, who did a task, who holds a post, which one of a kind.

Each `*_missing(question, text)` is 1.0 when the question asks for it and `text` does not write it,
else 0.0: answer.Evidence carries them, and the calibration (answer.py) weighs them."""

from __future__ import annotations

import re
from functools import lru_cache

from . import answer_sentence, numerals, segment
from .short_forms import short_form

# A count asked in a unit: 多少亩, 几年, 多少万元, 多少钱 (in 元), 多大年纪 / 多大年龄 (岁), 多长 (a length or a time).
# (多少个 is not one: 个 stands for any measure word, 14个行政村 or 3座水库.) Not 近几年, 这几天, 前几天:
# a time, not a count asked; not a unit that begins a longer word (多少年轻人, 多少人民币: _asked_unit).
_UNITS = ("亩|公顷|吨|公斤|千克|斤|人次|人|户|名|元|公里|千米|米|平方米|立方米|天|年|个月|月|小时|分钟|次|台|辆|家|所"
          "|座|条|张|床|岁|位|项|套|件|棵|株|头|只|间|层|栋|处|艘|架|本|册|份|起|宗|批|支|队")
# 多重 asked, not 多重保障 (多高 of a rate or a price is no height: _NOT_A_HEIGHT).
_ASKS_UNIT = re.compile(rf"(?:多少|(?<![这那近前头过去])几)(?:万|亿)?({_UNITS}|钱)"
                        rf"|(多大年纪|多大岁数|多大年龄|多长时间|多少时间|多长|多远|多深|多宽|多高|多重(?=[?？，。,呢吗啊呀！!\s]|$)|多久)")
# What is high or low but no height: 满意度, 成功率, 价格, 温度, 门槛, 风险, 收入 (not 高度, 海拔).
_NOT_A_HEIGHT = re.compile(r"(?:(?<!高)度|率|价|价格|温|比|比例|值|量|性|门槛|风险|收入|要求|水平|期望)"
                           r"(?:到底|究竟)?[有是]?$")
# A quantity asked by what it is (面积是多少, 库容多大, 总投资多少亿, 联系电话是多少, 年龄多大): the unit it is written in;
# not a count of something else after it (投资几年能回本, 投资多少家企业, 电话几点能打通).
_ASKS_QUANTITY = re.compile(r"(?:(面积|库容|人口|年龄|年纪|岁数|(?:总|营业|年)?(?:投资|收入|产值|营收|造价|预算|税收)|电话|热线)"
                            r"(?:号码)?(?:是|为|有|达到?|约|大约)?(?:多少|多大|几)|(?:多少|多大)(面积|人口))"
                            r"(?![年月日天周点个家项次所位名只条件户座台辆部批种类])")
_AGE = "周?岁"    # 60岁, 年满60周岁
# A time of day asked (几点开门, 几点到几点, "What time does ... open?", "What are the opening hours?"), and how a text
# writes one (18:00, 9∶00, 18时30分, 十二点, 上午, 傍晚, 今晚, 全天, 9 a.m.): a passage on the night market that gives none
# cannot say when it opens. Not 几点建议 ("a few points"), "what time of year", whether the hours change.
_POINTS = ("建议|意见|要求|措施|体会|看法|原因|内容|方面|做法|经验|问题|启示|收获|理由|思考|感想|好处|变化|要点|打算|想法|注意"
           "|事项|共识|结论|希望|因素|特点|原则|举措|不足|区别|感受|心得")
_ASKS_CLOCK = re.compile(rf"几点(?!{_POINTS})|\bwhat time\b(?! of (?:the )?(?:year|day|month|season|life)\b)(?! period| frame)"
                         r"|\bwhat (?:are|were) (?:the |its |their |[\w'’-]+['’]s )?(?:opening|business|visiting) hours\b",
                         re.I)
_CLOCK_WRITTEN = re.compile(r"\d{1,2}\s*[:：∶]\s*\d{2}|\d{1,2}\s*[点时](?![\d.]*%)|[一二三四五六七八九十两]+[点时]"
                            r"|[上下中]午|午后|凌晨|清晨|傍晚|晚上|今晚|当晚|夜间|早上|全天|24小时|\d\s*[ap]\.?m\b"
                            r"|o['’]clock|\bnoon\b|\bmidnight\b", re.I)
# A quantity a question asks the number of by its name, and the names a text writes it under: a population (人口, 居民,
# 村民, 共有...人: not any count of people, 转移群众1024人), a GDP, sales or revenue. Each asked as such: 人口有多少,
# "What is the population of ...", "How much were ...'s sales last year?"; not 人口普查登记了多少户, "What is the
# population policy?", "What was the reason sales fell?".
_NAMED_END = r"(?=\s+(?:of|in|for|last|this|at|over|during)\b|\s*[?？.,]|\s*$)"   # the noun ends what is asked
_WHAT_IS = (r"\bwhat(?:['’]s| is| was| are| were)\s+(?:the\s+|its\s+|their\s+)?"
            r"(?:(?!(?:to|for|with|of|in|by|on|at|from|about)\b)[\w'’-]+\s+){0,3}?")   # not "the ways to increase sales"
_HOW_MUCH = r"\bhow (?:much|many|big|large) (?:was|were|is|are|did|does|do)\s+[^?]*?"
_ZH_HOW_MANY = r"(?:大约|约|一共|共|总共)?(?:是|为|有|达到?)?(?:多少|几)"


def _named_quantity(zh: str, en: str) -> str:
    return rf"(?:{zh}){_ZH_HOW_MANY}|多少(?:{zh})|(?:{_WHAT_IS}|{_HOW_MUCH})\b(?:{en}){_NAMED_END}"


_POPULATION_ASKED_EN = r"\bpopulation (?:of|in)\b|['’]s population\b|\bhow many (?:people|residents) live\b"
_NAMED_QUANTITIES = [
    # a place's population: not 受灾人口, 贫困人口, 安置了多少人口, nor "the elderly population"
    (rf"(?<![灾困动迁置年龄业力])(?:人口|总人口|常住人口|户籍人口){_ZH_HOW_MANY}|有多少(?:人口)"
     rf"|{_POPULATION_ASKED_EN}",
     r"人口|居民|常住|户籍|村民|镇民|市民|共有[^，。；]{0,8}?\d[\d.]*(?:万|余|多)*[人户]|[村镇乡区]\d[\d.]*(?:万|余|多)*户[、，,]?\s*\d[\d.]*(?:万|余|多)*人"
     r"|全[村镇乡县市区](?:共有|有|共)?[^，。；转撤疏安]{0,4}?\d[\d.]*(?:万|余|多)*人"
     r"|辖[^。；]{0,12}?\d[\d.]*(?:万|余|多)*人"),                  # 全镇辖12个村，3.2万人
    (_named_quantity("GDP|生产总值|地区生产总值", "GDP|gross domestic product|economic output"), "GDP|生产总值|经济总量"),
    (_named_quantity("营业收入|营收|营业额|销售收入|销售额", "revenues?|turnover|sales"),
     "收入|营收|营业额|销售|销量|成交额|产值|售|卖")]
# What a question asks by its name, whatever it asks of it, that a text writes under that name: a bridge's main span
# (its 全长 is no 主跨), an altitude, a head office, a seating capacity.
_NAMED_ATTRIBUTES = [
    (r"主跨|\bmain span\b", "主跨|跨径|跨度"),                  # 主桥跨径180米
    (r"海拔(?:高度)?(?:大约|约|大概)?(?:是|为|有)?(?:多少|多高|几)|\b(?:what|which|roughly what|about what)(?: is the| was the)? "
     r"(?:altitude|elevation)\b|\bhow high above sea level\b", "海拔"),
    # asked where it is (not 总部在深圳的公司, a county's flood control "headquarters", 指挥部)
    (r"总部(?:在|位于|设在|设于|是|所在地|地址)[^，,。]{0,4}?(?:哪|什么|何)|\bheadquartered\b"
     r"|\bwhere (?:is|are|was|were) (?:the )?(?:[\w'’-]+\s+){0,4}?headquarters(?! of (?:the )?[\w\s]*?flood)\b", "总部"),
    # a capacity (not 容纳了多少: how many were sheltered), which a text also writes as 可安置, 停车位, 床位, 承载量
    (r"容纳(?!了)|\bhow many (?:people|spectators|visitors|cars|vehicles) (?:can|could|will)\b[^?]*\b(?:hold|seat|accommodate)\b",
     "容纳|可容|可安置|能安置|可供|可停|停车位|车位|床位|承载|座位|座席|席位|容量|观众席")]
_QUANTITY_UNIT = {"面积": "平方米|平米|㎡|m²|亩|公顷|平方公里|平方千米|km²|km2", "库容": "立方米|方|m³|m3",
                  "人口": r"人|名|万(?=人|名|余人|多人|[，。、；\s]|$)", "年龄": _AGE, "年纪": _AGE, "岁数": _AGE}
_NUMERALS = "一二三四五六七八九十百千两〇零"
# A time is counted in these; not a date's 9日 of 6月9日, 2023年, or the 5月 of May
_DAYS = r"天|(?<![月至到~～—－-]\d)(?<![月至到~～—－-]\d\d)日"      # nor 15日 of 6月9日至15日
_YEARS = r"(?<!(?:19|20)\d\d)年"                                   # 树龄1200年 is a count
_MONTHS = r"个(?:多|余|半)?月"                                      # 两个多月, 一个半月
_TIMES = rf"{_DAYS}|周|星期|{_YEARS}|{_MONTHS}|小时|分钟"
# A length in metres or a part of one (积水深度超过27厘米 answers 多深).
_LENGTHS = "米|厘米|毫米|[cm]?m(?![²³23a-z/])"      # not m² or m³
# What a text may count the same thing in: people 人, 名 or 位 (多少人 of 50名干部), households 户 or 家,
# money in 元, 块钱 or just 万/亿 at a clause's end or before a word of money (约3000万, 3000万资金, 3000万人民币;
# not the 6块 of 系缆石6块, nor 5.6万人次, 1.2万亩, 2万农户).
_MONEY = r"元|块钱|(?:万|亿)(?:(?=资金|人民币|美金|美元|港币|欧元|经费|款|投资|拨款)|(?![\u4e00-\u9fff]))"
_UNIT_OF = {"钱": _MONEY, "元": _MONEY, "人": "人|名|位", "名": "人|名|位", "位": "人|名|位",
            "户": "户|家", "家": "户|家", "天": _DAYS, "年": _YEARS, "月": _MONTHS, "个月": _MONTHS, "公里": "公里|千米|km", "千米": "公里|千米|km",
            "米": _LENGTHS, "平方米": "平方米|平米|㎡", "起": "起|宗|件", "宗": "起|宗|件", "小时": "小时|钟头",
            "岁": _AGE, "多大年纪": _AGE, "多大岁数": _AGE, "多大年龄": _AGE, "多长": f"{_LENGTHS}|公里|千米|km|{_TIMES}",
            "多远": f"{_LENGTHS}|公里|千米|km", "多深": _LENGTHS, "多宽": _LENGTHS, "多高": _LENGTHS,
            "多重": "吨|公斤|千克|斤|克|kg", "多久": _TIMES, "多长时间": _TIMES, "多少时间": _TIMES}
# A measure word says what kind of thing is counted, and texts count some things in another: boats in 条
# or 艘, machines in 台 or 套, trees in 棵 or 株. Read only after a number in digits (冲锋舟20艘), and not
# where it begins a word (5条路线 is no boat; 一道, 一起, 两个条件 and 12部门 are no count at all).
_OTHER_MEASURES = {"条": "艘", "艘": "条(?![件例款线路])", "台": "辆|套(?![餐房])", "辆": "台(?![阶风账区])",
                   "棵": "株", "株": "棵", "栋": "幢"}


# The same asked in English, by the Chinese unit it is counted in there ("how long" is a length or a
# time: not read; "how much" is money only with a word of money; "how old" of a person, in 岁).
_ENGLISH_UNITS = [(re.compile(pattern, re.I), unit) for pattern, unit in (
    # before "how many people": a population asked
    (_POPULATION_ASKED_EN, _QUANTITY_UNIT["人口"]),
    (r"\bhow old\b(?!.*\b(?:bridge|building|road|tree|temple|house|school|village|town|company)\b)", "多大年纪"),
    (r"\bhow much\b(?!.*\b(?:time|increase|grow|grew|rise|rose|fall|fell|drop|more|less|percent)\w*\b)"
     r".*\b(?:cost|money|yuan|budget|worth|pa(?:y|id)|invest(?:ed|ment)?|fund(?:s|ing|ed)?)\b", "钱"),
    (r"\bhow many (?:tons|tonnes)\b", "吨"),
    (r"\bhow many (?:km|kilometres|kilometers)\b", "公里"),
    (r"\bhow many (?:metres|meters)\b|\bhow (?:tall|deep|wide)\b|\bhow high\b(?!.*\b(?:rate|price|cost|fee|temperature"
     r"|level|percentage|ratio|income|salary|pay|pressure|risk|standard|demand|score|satisfaction|quality|speed|value"
     r"|share|expectation|threshold|subsid(?:y|ie)|fine|rent|tuition|tax|wage|bonus|compensation|allowance|reward"
     r"|penalt(?:y|ie)|interest|inflation|unemployment|warning|alert)s?\b)", "米"),   # a height; not "how high is the pass rate"
    (r"\bhow far\b", "多远"),
    (r"\bhow many days\b", "天"),
    (r"\bhow many years\b", "年"),
    (r"\bhow many hours\b", "小时"),
    (r"\bhow many (?:households|families|homes)\b", "户"),
    (r"\bhow many (?:people|villagers|residents|patients|pupils|students|workers|doctors|nurses|teachers"
     r"|officers|members|volunteers|staff|children|elderly|farmers|cadres)\b", "人"),
    (r"\bhow many mu\b", "亩"),
    (r"\bhow many beds\b", "张"),
    (r"\bhow many (?:boats|ships|vessels)\b", "艘"),
    (r"\bhow many (?:vehicles|cars|buses|trucks)\b", "辆"),
    (r"\bwhat(?:['’]s| is| are) (?:the |its |their )?(?:[\w'’-]+ ){0,3}(?:phone|telephone|hotline|contact) numbers?\b"
     r"|\bwhat (?:phone )?number (?:do|should|can|does|did) \w+ (?:call|dial|ring)\b", "PHONE"),
    (r"\bwhat is the (?:total |floor |land |built-up )?area\b|\bhow (?:big|large) an area\b", _QUANTITY_UNIT["面积"]),
    (r"\bstorage capacity\b", _QUANTITY_UNIT["库容"]))]


@lru_cache(maxsize=4096)   # asked once per hit of a question
def _asked_unit(question: str) -> str | None:
    """The units a question asks a count in, as a Chinese text writes them (a regex alternation), or
    "PHONE" for a phone number, "CLOCK" for a time of day when no count is asked (几点, "what time", opening hours)."""
    quantity = _ASKS_QUANTITY.search(question)
    if quantity:
        what = quantity.group(1) or quantity.group(2)
        return "PHONE" if what in ("电话", "热线") else _QUANTITY_UNIT.get(what, _UNIT_OF["钱"])
    asked = _unit_asked(question)
    if asked is not None:
        unit = asked.group(1) or asked.group(2)
        return _UNIT_OF.get(unit, unit)
    unit = None if segment.is_cjk_question(question) else \
        next((unit for pattern, unit in _ENGLISH_UNITS if pattern.search(question)), None)
    if unit:
        return _UNIT_OF.get(unit, unit)
    return "CLOCK" if _ASKS_CLOCK.search(question) else None


@lru_cache(maxsize=4096)
def _unit_asked(question: str) -> re.Match | None:
    """Where a Chinese question asks a count in a unit (_ASKS_UNIT), or None."""
    for asked in _ASKS_UNIT.finditer(question):
        unit = asked.group(1) or asked.group(2)
        end = asked.end(1) if asked.group(1) else asked.end(2)
        if unit == "多高" and _NOT_A_HEIGHT.search(question[:asked.start()]):
            continue
        # the unit ends a word of the question: not 年 of 多少年轻人, 人 of 多少人民币, 天 of 多少天然气
        if end in {e for _, _, e in segment.jieba().tokenize(question)}:
            return asked
    return None


# A number in digits, or in Chinese numerals numerals.normalize leaves before a unit it does not know
# (四十五亩); 3000多万元, 两千余人, 十几名, 100来人, 36个小时: before the unit it counts in.
_COUNT_IN_UNIT = rf"[\d{_NUMERALS}]\s*(?:万|亿|千|百)?(?:余|多|几|来)?(?:万|亿)?(?:美|欧|港)?个?"


def _counts_in_unit(unit: str, plain: str):
    """The counts in `unit` (a regex alternation) that `plain` (numerals.normalize'd text) writes, as matches."""
    return re.finditer(rf"{_COUNT_IN_UNIT}(?:{unit})", plain, re.I)


@lru_cache(maxsize=4096)   # asked once per hit of a question
def _names_asked(question: str) -> tuple[str, ...]:
    """How a text writes each attribute `question` asks by its name (_NAMED_ATTRIBUTES), or quantity it asks the
    number of (_NAMED_QUANTITIES), as regex alternations."""
    return tuple(written for asked, written in _NAMED_ATTRIBUTES + _NAMED_QUANTITIES if re.search(asked, question, re.I))


def count_asked(question: str) -> re.Match | None:
    """Where `question` asks a count in a unit (投了多少钱, 几年): None when it asks none, or asks a quantity by
    its name (面积是多少, 总投资多少)."""
    return None if _ASKS_QUANTITY.search(question) else _unit_asked(question)


def counts_in_asked_unit(question: str, plain: str) -> list[int]:
    """Where `plain` (a text after numerals.normalize) writes a number in the unit `question` asks a count in."""
    return [m.start() for m in _counts_in_unit(_asked_unit(question), plain)]


def unit_missing(question: str, text: str) -> float:
    """1.0 if `question` (Chinese or English) asks a count in a unit (_asked_unit) and `text` writes
    no number in it (its section heading and text: the title says what the whole article is about); or asks a
    quantity or an attribute by its name (a population, a GDP, a main span, a head office: _names_asked) and
    `text` writes no such name."""
    unit, names = _asked_unit(question), _names_asked(question)
    if unit is None and not names:
        return 0.0
    plain = numerals.normalize(text)[0]
    if any(not re.search(written, plain, re.I) for written in names):
        return 1.0      # a count of people is no population: 转移群众1024人 does not say how many live in the town
    if unit is None:
        return 0.0
    if unit == "PHONE":
        return 0.0 if _writes_phone_number(plain) else 1.0
    if unit == "CLOCK":
        return 0.0 if _CLOCK_WRITTEN.search(plain) else 1.0
    if next(_counts_in_unit(unit, plain), None):
        return 0.0
    if unit in _OTHER_MEASURES and re.search(rf"\d\s*(?:余|多)?(?:{_OTHER_MEASURES[unit]})", plain):
        return 0.0
    # a table's column of numbers under its unit: | 村集体收入（万元） |, | 计划工期（日历天） |, or its caption's
    # （单位：万元）
    if re.search(rf"^.*\|.*[（(](?:日历|工作|自然)?(?:万|亿)?(?:{unit})[）)]|单位[:：]\s*(?:万|亿)?(?:{unit})", plain,
                 re.I | re.M):
        return 0.0
    return 1.0


# What a passage writes of its own when asked how many (number_missing), after numerals.normalize: digits;
# Chinese numerals before a measure word (三辆, 十二所, 三千户, 两口井, 八十盏); a round or rough number (数十, 上百,
# 近千, 万余, 上万, 数万); a part (半数, 过半, 三分之一, 半天), a doubling (翻番), none (免费, 未造成); a dynasty for
# how old (始建于明朝).
_MEASURES = (f"个|{_UNITS}|倍|周|成|轮|届|期|级|种|类|步|口|场|盏|例|篇|组|剂|门|代|趟|道|方|秒|分|度|段|首|节|堂|顿"
             "|餐|平方|毫米|厘米|半")
_COUNT = re.compile(rf"\d+(?:\.\d+)?|[{_NUMERALS}]+(?:余|多|几|来)?(?:万|亿)?(?:{_MEASURES})"
                    r"|(?:[数上近逾成几]|万余)[十百千万亿]|[十百千万亿]余|半(?:数|个|天|年|小时|月|径)|[一近过逾]半|分之"
                    r"|翻了?[一两]?番|免费|未造成|[汉晋隋唐宋元明清][朝代]")
# Words that ask no count: 几 of 几乎, 茶几, 寥寥无几, 几何; "how" before a longer word (How farmers cope, How
# highly); "a number of"; "how much" of an extent (How much did the flood affect the town?)
_NOT_A_COUNT = re.compile(r"几乎|茶几|无几|几何|\bhow (?=(?:many|much|long|old|big|tall|high|far|large)[a-z])"
                          r"|\b(?:a|the) (?:\w+ )?number of\b|\bhow (?:much|big|large|far)\b(?=.*\b(?:affect|rely|depend"
                          r"|care|matter|help|change|improve|role|impact|along|influence)\w*)", re.I)


@lru_cache(maxsize=4096)   # asked once per hit of a question
def asks_number(question: str) -> bool:
    """Whether a question asks how many or how much (answer_sentence.QUESTION_TYPES "number": 多少, 几,
    "how many"), not 几乎 or "How much did the flood affect ..." (_NOT_A_COUNT)."""
    return "number" in answer_sentence.question_types(_NOT_A_COUNT.sub("", question))


def number_missing(question: str, text: str) -> float:
    """1.0 if `question` asks how many (asks_number) and `text` (a passage with its article's title) writes
    no number (_COUNT) other than the question's own (2025年 of "How many came in 2025?" is no answer)."""
    if not asks_number(question):
        return 0.0
    asked = _numbers_written(question)
    return float(all(m.group() in asked for m in _COUNT.finditer(numerals.normalize(text)[0])))


@lru_cache(maxsize=4096)   # the same question's for each of its hits
def _numbers_written(question: str) -> frozenset[str]:
    return frozenset(m.group() for m in _COUNT.finditer(numerals.normalize(question)[0]))


# A phone number: five digits or more in a row, spaces or hyphens between (12345, 0591-87654321, 138 0000 0000),
# not a range of years, a date or a time (2023-2024, 2025-07-09, 8:00-17:30); or three after a call (拨打110,
# 急救电话120; not 致电300余户, 热线2023年).
_LONG_NUMBER = re.compile(r"(?<![\d.:])\d[\d\- ]{3,}\d(?![\d.:])")
_NOT_A_PHONE = re.compile(r"(?:19|20)\d\d\s*-\s*(?:(?:19|20)\d\d|\d{1,2}(?:\s*-\s*\d{1,2})?)")
_CALLED_NUMBER = re.compile(r"(?:拨打|致电|电话|热线)[:：\s]*\d{3,}(?![\d万亿年月日余多次件户人元.])")


# Right after a number of digits alone, what makes it a count, not a phone number: 26300人次, 10000元, 12000余户,
# 35000平方米 (not 张先生, 周一, 分机, 门诊部 after a number: a measure word that also begins other words)
_COUNTED = re.compile(r"(?:余|多)?(?:万|亿)?(?:人次|人|户|元|吨|亩|平方|立方|米|公里|千米|公斤|千克|个|次|台|辆|家|所"
                      r"|座|名|位|项|套|件|册|份|株|棵|头|只|床|艘|余|多)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CALL_WORD = re.compile(r"(?:电话|热线|拨打|致电|手机|号码|联系方式)[:：\s]*$")   # right before a number: it is one


def _writes_phone_number(text: str) -> bool:
    return bool(_CALLED_NUMBER.search(text)) or any(
        not _NOT_A_PHONE.fullmatch(m.group().strip())
        and (not m.group().isdigit() or _MOBILE.fullmatch(m.group()) or not _COUNTED.match(text, m.end())
             or _CALL_WORD.search(text, max(0, m.start() - 8), m.start()))
        for m in _LONG_NUMBER.finditer(text))


# A question that asks when: 什么时候, 哪一年, 哪天, 何时; "When ...?", "what year" (not 多少年 "how many years" or 几号线,
# nor "when" inside a clause: What did volunteers do when the flood came?)
_ASKS_WHEN = re.compile(r"何时|什么时候|啥时候|什么时间|哪一?年|哪一?天|几月|哪个月|哪个朝代|什么时期|什么年代"
                        r"|^\W*when\b|\b(?:what|which) (?:year|date|day|month|century|period)\b", re.I)
# A time a passage writes, after numerals.normalize: a date or a clock time (7月12日, 2023年, 2023-10-15, 9:30, 八点), a
# day or part of one told from the story (昨日, 当晚, 次日, 同年, 凌晨), of the year (上半年, 年底, 汛期, 春节), a period
# (疫情期间, 开学之际, 前夕), an age (明朝, 北宋, 20世纪, 年代, 建国初期), a time of life (退休后, 18岁时), an English date
# (October 15, 2023). A count of years may match too (3年): it narrows, it does not decide.
_TIME_WRITTEN = re.compile(
    r"\d+\s*(?:年|月|日|号|时|点|世纪)|\d+[:：]\d+|(?<!\d)(?:19|20)\d\d(?!\d)|\d{1,2}·\d{1,2}"
    r"|[一二三四五六七八九十〇零两]+(?:年|月|日|号|世纪|点|时)"
    r"|[上下中]午|凌晨|傍晚|晚上|夜间|夜里|深夜|清晨|早上|早晨|一早|白天|当晚|昨晚|今晨|今早|昨日|次日|翌日|第二天|前天|当时"
    r"|今年|去年|明年|前年|次年|同年|当年|那年|上月|本月|当月|上周|本周|昨天|今天|明天|近日|日前|近期|最近|不久前"
    r"|年底|年初|年中|年末|年内|岁末|月底|月初|月末|上旬|中旬|下旬|上半年|下半年|季度"
    r"|春节|国庆|清明|端午|中秋|元旦|除夕|元宵|腊月|冬至|暑假|寒假|[春夏秋冬]季|汛期|周[一二三四五六日末]|星期"
    r"|以来|此前|随后|目前|届时|当天|当日|同期|如今|现在|至今|期间|之际|前夕|节前|会后|事发后"
    r"|年代|时期|时代|朝代|年间|公元|[秦汉晋隋唐宋元明清][朝代]|[东西南北][汉晋宋周]|春秋|战国|初期|末期|建国|解放后"
    r"|毕业后|退休后|岁时|晚年|生前"
    r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b", re.I)


def time_missing(question: str, text: str) -> float:
    """1.0 if `question` asks when (_ASKS_WHEN: 什么时候, 哪一年, "When ...?") and `text` (a passage with its
    article's title) writes no time (_TIME_WRITTEN): it cannot say when."""
    if not _ASKS_WHEN.search(question):
        return 0.0
    return 0.0 if _TIME_WRITTEN.search(numerals.normalize(text)[0]) else 1.0


# A question asking when something was founded, set up or built (蓝焰救援队是哪一年成立的?, 汀湾实验中学是哪一年建校的?,
# "When was the museum founded?"), and the words a text tells a beginning in: only a passage that tells one, with a
# time, can say when (a passage on the company's new plant names the company and a date, not its founding).
_FOUNDING_ASKED = re.compile(r"成立|创立|创建|创办|建立|设立|组建|始建|建校|建院|建馆|建于|创刊|修建|兴建|建造"
                             r"|(?:哪一?年|什么时候|何时|啥时候)建的"
                             r"|\b(?:founded|established|set up|built|constructed|created)\s*(?:in\s*)?[?？.]?\s*$", re.I)
# (not 建成, 开业, 通车 asked: when something is or will be finished or opened, which texts write in many more ways)
_FOUNDING_TOLD = re.compile(r"成立|创立|创建|创办|建立|设立|组建|始建|建校|建院|建馆|建成|建于|落成|开业|开馆|开园|创刊"
                            r"|挂牌|揭牌|修建|兴建|建造|前身|诞生|问世|开办|筹建|投用|启用|竣工|通车|开工"
                            r"|开建|动工|历史|注册|始于|始创|创于|首届|所建|缔结")


def founding_missing(question: str, text: str) -> float:
    """1.0 if `question` asks when something was founded, set up or built (_FOUNDING_ASKED, with _ASKS_WHEN) and
    `text` (a passage with its article's title) tells no beginning (_FOUNDING_TOLD) or writes no time (time_missing)."""
    if not (_ASKS_WHEN.search(question) and _FOUNDING_ASKED.search(question)):
        return 0.0
    return 0.0 if _FOUNDING_TOLD.search(text) and not time_missing(question, text) else 1.0


# A question asking who did a task on a project (设计单位是哪家?, 哪家公司承建?, 由谁设计?, "Who designed the gallery?",
# "Which company built the bridge?"), and the words a text names whoever did that task in: a passage on the road's
# builder (由岚江交通建设集团负责建设) does not say who designed it.
_TASK_WORDS = {"设计": "设计", "监理": "监理", "承建": "承建|施工|建设|建造|修建|中标|总承包|投资|所建|创建|兴建|修筑",
               "运营": "运营|经营|管理|托管|负责", "主办": "主办|承办|组织|举办|发起|牵头"}
_TASK_OF = {"设计": "设计", "design": "设计", "designed": "设计", "监理": "监理",
            "承建": "承建", "施工": "承建", "建设": "承建", "建造": "承建", "修建": "承建", "build": "承建", "built": "承建",
            "construct": "承建", "constructed": "承建", "building": "承建", "constructing": "承建", "designing": "设计",
            "运营": "运营", "主办": "主办", "承办": "主办"}
_ZH_TASK = "设计|承建|施工|监理|运营|主办|承办|建设|建造|修建"
_EN_TASK = "designed|built|constructed"   # not "supervised": a vote count is supervised too
_TASK_ASKED = re.compile(
    rf"(?P<a>设计|承建|施工|监理|运营|主办|承办|建设)(?:单位|方|公司|企业|机构)(?:是|为)?(?:哪|谁|什么)"
    # 谁 or 哪家 right before the task, or any which-word with the kind of doer; the task then ends the asking (not
    # 什么设计特色, 哪些建设项目, 哪个设计方案)
    rf"|(?:(?:谁|哪家|哪一家)|(?:哪家|哪个|哪一家|哪些|什么)(?:单位|公司|企业|机构|部门))(?:负责|来|在)?"
    rf"(?P<b>{_ZH_TASK})(?=[的了过]|[?？。，,\s]|$|这|那|该)"
    rf"|由(?:谁|哪家|哪个)[^，。？?]{{0,2}}?(?P<c>{_ZH_TASK})"       # 由谁负责设计; not 由谁捐献土地建造: a donor asked
    rf"|\bwho (?P<d>{_EN_TASK})\b"
    r"|\b(?:which|what) (?:compan(?:y|ies)|firms?|units?|institutes?|organi[sz]ations?|agenc(?:y|ies)|contractors?) "
    rf"(?:(?P<e>{_EN_TASK})|will (?P<g>design|build|construct)|is (?P<h>designing|building|constructing))\b"
    rf"|\b(?P<f>{_EN_TASK}) by (?:whom|who|which|what)\b", re.I)   # not "organised", "runs": who led, who heads


def task_missing(question: str, text: str) -> float:
    """1.0 if `question` asks who did a task on a project (_TASK_ASKED: 设计, 承建, 监理, 运营, 主办; "designed", "built")
    and `text` (a passage with its article's title) writes no word of that task (_TASK_WORDS)."""
    asked = _TASK_ASKED.search(question)
    if asked is None:
        return 0.0
    task = _TASK_OF[next(g for g in asked.groups() if g).lower()]
    return 0.0 if re.search(_TASK_WORDS[task], text) else 1.0


# A question that asks who holds a post of something: 第三中学的校长是谁?, 合作社理事长叫什么?, 谁是上坊村的第一书记?
# (not 谁去了南通镇?, 苏健担任什么职务?, nor 他拜了谁当老师?: whom he took for one). The post's last characters, its
# kind (校长; 经理 of 总经理; 代表人 of 法定代表人), are what an answer writes: 校长周某说, 村党支部书记刘桂芳 (支书
# is read as a short form). Not 老师 or 医生: 他的老师是谁? is answered by 师从...; nor a 长 that is no post
# (最长, 年长, 家长, 兄长: 谁任职时间最长?).
_POST_KIND = r"(?:长|书记|支书|主任|经理|代表人|负责人|传承人|主席|村医|教练|主编|馆员|法官)"
_NOT_A_POST = frozenset("最更较很年家兄学特增成生延")   # before 长
# Other ways news writes that someone holds the post: 由黄志军带队 for the team's 队长, 村支书 for its 书记
_POST_ALSO = {"队长": "带队|领队|率队", "组长": "带队|领队|牵头", "领队": "带队|率队", "负责人": "负责|牵头|主持",
              "书记": "支书", "村长": "村主任|村委会主任", "主任": "村长", "代表人": "法人", "法官": "审判",
              "教练": "执教|主帅", "传承人": "传人", "主编": "总编"}
_ASKS_WHO_HOLDS = re.compile(rf"(?P<post>{_POST_KIND})(?:是谁|叫什么|叫啥|姓什么|是哪位|名叫|由谁|是什么人)"
                             rf"|^\W*谁(?:是|任|担任|出任|当)[^?？。，,]{{0,20}}?(?P<post2>{_POST_KIND})\s*(?:[?？。]|$)")


# The same in English: Who is the (first, project, ...) <post> of/at/for/in ...? The post, as Chinese writes it
# (a glossary would not do: CC-CEDICT has no "principal" for 校长, no "director" for 局长).
_ENGLISH_POSTS = {
    "principal": "校长|园长", "headmaster": "校长", "headteacher": "校长", "curator": "馆长|策展", "dean": "院长",
    "director": "局长|主任|所长|院长|馆长|处长|厅长|署长|总监|董事|站长|场长|厂长|部长|科长|导演",
    "head": "长|主任|负责|书记|支书|牵头", "chief": "长|主任|负责|书记|支书|总", "leader": "长|书记|负责|带队|领队|率队|牵头",
    "chairman": "主席|董事长|理事长|会长|主任", "chairwoman": "主席|董事长|理事长|会长|主任",
    "chair": "主席|董事长|理事长|会长|主任", "president": "校长|院长|会长|主席|总裁|行长|董事长|理事长|社长|总统",
    "secretary": "书记|支书|秘书", "manager": "经理|店长|负责", "mayor": "市长|镇长|县长|区长|乡长",
    "coach": "教练|执教|主帅", "captain": "队长|船长|机长|带队|领队", "engineer": "工程师|总工", "commander": "指挥|司令",
    "editor": "编辑|主编|总编", "judge": "法官|庭长|审判|评委|裁判", "representative": "代表|法人", "inheritor": "传承人|传人"}
_ASKS_WHO_HOLDS_EN = re.compile(r"^\W*who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?"
                                rf"(?P<post>{'|'.join(_ENGLISH_POSTS)})s?\s+(?P<then>of|at|for|in(?!\s+charge\b))\b",
                                re.I | re.A)
# A post's or a kind's characters as an article in traditional characters writes them too (校長, 書記, 大學)
_TRADITIONAL = dict(zip("长书记经馆导会总统厂队机带领负责编辑审判评传执帅园监处厅场牵头务库师医办学区县镇乡银团业农诊卫组广国华济疗",
                        "長書記經館導會總統廠隊機帶領負責編輯審判評傳執帥園監處廳場牽頭務庫師醫辦學區縣鎮鄉銀團業農診衛組廣國華濟療"))


def _either_script(pattern: str) -> str:
    """`pattern` with each simplified character _TRADITIONAL knows also matching its traditional form (inside a
    character class, it joins the class)."""
    out, in_class = [], False
    for ch in pattern:
        if ch in "[]" and not (out and out[-1] == "\\"):
            in_class = ch == "["
        traditional = _TRADITIONAL.get(ch, ch)
        out.append(ch if traditional == ch else ch + traditional if in_class else f"[{ch}{traditional}]")
    return "".join(out)


def post_missing(question: str, text: str) -> float:
    """1.0 if `question` asks who holds a post (_ASKS_WHO_HOLDS: 鹤浦市第三中学的校长是谁?; "Who is the principal of
    Zhekou Junior Middle School?") and `text` (a passage with its section heading and its article's title) does not
    write that kind of post: a school's article that never says 校长 names no principal, however much it says of
    the school."""
    asked = _post_asked(question)
    if asked is None:
        return 0.0
    written, kind = asked
    return 0.0 if (kind and short_form(kind, text)) or re.search(written, text) else 1.0


@lru_cache(maxsize=4096)   # asked once per hit of a question
def _post_asked(question: str) -> tuple[str, str] | None:
    """The post a question asks who holds, as a pattern of how a text writes it (either script), and the
    Chinese post read as a possible short form (支书) or ""; None if it asks none."""
    english = _ASKS_WHO_HOLDS_EN.search(question)
    if english:
        post = english.group("post").lower()
        if post == "leader" and english.group("then").lower() != "of":   # the leader in the points race
            return None
        return _either_script(_ENGLISH_POSTS[post]), ""
    asked = _ASKS_WHO_HOLDS.search(question)
    if not asked:
        return None
    group = "post" if asked.group("post") else "post2"
    kind = asked.group(group)
    if len(kind) == 1:   # 校长, 馆长: 长 and the character before it
        before = question[asked.start(group) - 1:asked.start(group)]
        if not before or before in _NOT_A_POST:
            return None
        kind = before + kind
    return _either_script(re.escape(kind) + (f"|{_POST_ALSO[kind]}" if kind in _POST_ALSO else "")), kind


# A question that asks which one of a kind (哪所大学, 哪家公司, 哪个村; "Which university did ... graduate from?"),
# and the ways a Chinese text names one of that kind: a school as 一中, 附中, 职专; a hospital as 卫生院 or 诊所; a
# company as 集团, 厂, 局 or by a Latin name (AcaciaSoft, 世嘉 (SEGA)); a village as 社区, 屯 or 组; a road as 大道,
# 高速, 国道. (Not 哪家企业: a brand, 宁德时代, names one without any kind word; nor, so, is a company's 宁德时代 read.)
_SCHOOL = r"学校|校|中学|小学|[一二三四五六七八九十\d]中|[一二三四五六七八九十\d]小|附中|高中|初中|中专|职专|职校|学院|大学|幼儿园"
_KINDS = {"大学": r"大学|学院|高校|[北清厦复浙南]大|清华|北航|同济|工大|师大|医大|农大|交大|理工",
          "学校": _SCHOOL, "中学": _SCHOOL, "小学": _SCHOOL,
          "医院": "医院|卫生院|保健院|诊所|卫生所|卫生室|卫生服务中心|医疗中心|疾控中心|医学中心",
          "公司": r"公司|集团|企业|厂|局|(?:旅行|出版|合作|报|杂志)社|股份|控股|[A-Z][a-z]{2,}|[A-Z]{4,}",
          "银行": "银行|农行|工行|建行|中行|交行|招行|支行|分行|农商行|信用社|农信社", "村": r"村|社区|屯|寨|村民小组|[\d一二三四五六七八九十]+组",
          "镇": "镇|乡|街道", "乡": "乡|镇", "社区": "社区|小区|村|花园|苑|家园",
          "路": r"路|街|巷|大道|高速|国道|省道|县道|[GSXY]\d{2,3}", "县": "县|市|旗", "区": "区|市|园", "水库": "水库", "公园": "园|广场",
          # an organisation: who designed, built or supervised (设计单位是哪家, 哪家单位承建)
          "单位": r"公司|集团|企业|厂|(?:设计|研究|医|法|学|科学)院|(?<![格布结大])局(?![面势])|研究所|事务所|设计所"
                  r"|(?<![市镇城])中心(?!城区)|委员会|委(?!员|托|屈)|办公室|办事处|(?<![大客餐展门])厅|(?<![网车])站(?![在着起立])"
                  r"|社(?!会|区)|协会|学会|项目部|[A-Z][a-z]{2,}|[A-Z]{4,}"}
_KIND_WORDS = {"大学": "大学", "高校": "大学", "学校": "学校", "中学": "中学", "小学": "小学", "医院": "医院",
               "卫生院": "医院", "公司": "公司", "银行": "银行", "村子": "村", "村庄": "村", "村": "村", "乡镇": "镇", "镇街": "镇", "区县": "县",
               "镇": "镇", "乡": "乡", "社区": "社区", "小区": "社区", "条街道": "路", "条街": "路", "条路": "路", "县区": "县",
               "县": "县", "区": "区", "水库": "水库", "公园": "公园", "单位": "单位"}
_ASKS_WHICH = re.compile(r"哪(?:一)?(?:个|家|所|座|间|些|几个|几家|几所)?(?P<kind>"
                         + "|".join(sorted(_KIND_WORDS, key=len, reverse=True)) + r")(?![的域别间划民长干])")   # 哪个学校的老师,
# 哪个区域, 哪个村民, 哪个村干部: someone or something else asked
# the kind before its which-word: 设计单位是哪家?, 承建公司是哪一家企业?; not a part of it (医院哪个科室, 学校哪个年级)
_KIND_THEN_WHICH = re.compile(r"(?P<kind>单位|公司|医院|银行|学校|大学)(?:是|为)?哪一?[家所个]"
                              r"(?!的|[^\s？?]{0,2}(?:科室|部门|科|室|处|年级|班|分行|支行|网点|校区|院区|楼))")
_ENGLISH_WHICH_KINDS = {"university": "大学", "college": "大学", "school": "学校", "hospital": "医院", "company": "公司",
                  "bank": "银行", "village": "村", "town": "镇", "township": "乡", "community": "社区", "road": "路",
                  "street": "路", "county": "县", "district": "区", "reservoir": "水库", "park": "公园"}
# the kind is what is asked only when a verb, a preposition or the end follows it (not "Which school year", "What
# school of thought", "Which bank cards")
_ASKS_WHICH_EN = re.compile(rf"\b(?:which|what)\s+(?P<kind>{'|'.join(_ENGLISH_WHICH_KINDS)})s?"
                            r"(?=\s*(?:[?,.]|$)|\s+(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|in"
                            r"|on|at|from|to|near|for|by)\b)", re.I | re.A)


def kind_missing(question: str, text: str) -> float:
    """1.0 if `question` asks which one of a kind (哪所大学, 哪家公司, 哪个村; "Which university did ... graduate
    from?") and `text` (a passage with its heading and its article's title) writes no such kind: it names none."""
    written = _kind_asked(question)
    return 0.0 if written is None or re.search(written, text) else 1.0


@lru_cache(maxsize=4096)   # asked once per hit of a question
def _kind_asked(question: str) -> str | None:
    """How a text names one of the kind a question asks which of (_KINDS, either script); None if it asks none."""
    english = _ASKS_WHICH_EN.search(question)
    if english:
        return _either_script(_KINDS[_ENGLISH_WHICH_KINDS[english.group("kind").lower()]])
    asked = _ASKS_WHICH.search(question) or _KIND_THEN_WHICH.search(question)
    return _either_script(_KINDS[_KIND_WORDS[asked.group("kind")]]) if asked else None
