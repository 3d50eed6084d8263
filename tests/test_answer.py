"""Explaining a hit: numbers across scripts, the words that matched, the question's type.

Plain functions, no model; the highlight's accuracy on real questions is in
tests/test_highlight.py (real model) and bench/highlight.py."""

import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT

from bot import (answer, answer_sentence, asked_for, cedict, english, implied_words, lexical, numerals, pinyin,
                 proper_names, segment, short_forms, word_rarity)


@pytest.mark.parametrize("text, expected", [
    ("严长寿二十三岁时", "严长寿23岁时"),
    ("于一九九九年7月请辞", "于1999年7月请辞"),
    ("二〇〇八年", "2008年"),
    ("增长了百分之五", "增长了5%"),
    ("第二十三届", "第23届"),
    ("一九九九年十月一日", "1999年10月1日"),
    ("三百五十万人", "350万人"),
    ("三十多岁", "30多岁"),
    ("１９９９年，占５０％", "1999年，占50%"),
    ("居民总数为31,459人", "居民总数为31459人"),
    # Not numbers here: rewriting them would break the words.
    ("一心一意", "一心一意"), ("统一的一些人", "统一的一些人"), ("十分重要", "十分重要"),
    ("千万不要", "千万不要"), ("三国", "三国"), ("五四运动", "五四运动"), ("二三十岁", "二三十岁"),
    # 一 after 哪/这/每/同: "which / this / each / the same", not one (第一年 and 一年后 are numbers).
    ("他在哪一年出生", "他在哪一年出生"), ("这一天", "这一天"), ("每一年", "每一年"), ("那一届", "那一届"),
    ("第一年", "第1年"), ("一年后", "1年后"), ("合同一年后到期", "合同1年后到期"), ("驱逐一名外交官", "驱逐1名外交官"),
    ("那一万元", "那1万元"), ("每一万人中", "每1万人中"),
])
def test_numbers_are_written_in_digits(text, expected):
    assert numerals.arabic(text) == expected


def test_a_rewritten_number_maps_back_to_the_text():
    text = "他二十三岁时"
    plain, spans = numerals.normalize(text)
    at = plain.index("23")
    assert text[slice(*numerals.original_span(spans, at, at + 2))] == "二十三"


def test_which_is_a_question_word_not_a_content_word():
    """哪一年 read as 哪1年 made "1" the rarest word of the question (jieba does not know it):
    the key word of 越南投资发展银行成立于哪一年? was a "1" no passage holds."""
    words = segment.words("越南投资发展银行成立于哪一年?")
    assert "1" not in words and "一年" not in words and not [w for w in words if "哪" in w], words
    assert "越南" in words and "银行" in words
    assert segment.words("该公司在哪家银行上市?") == segment.words("该公司在银行上市?")
    assert "哪吒" in segment.words("哪吒的父亲是谁?")                     # a name, not "which"
    assert "一年" not in [w for w, _, _ in segment.search_cut("成立于哪一年")]   # a passage's stored spans agree


def test_numbers_match_across_scripts():
    assert "23" in segment.words("严长寿二十三岁时做了什么") and "23" in segment.words("严长寿23岁时做了什么")
    assert "1999" in segment.words("一九九九年") and segment.words("百分之五") == segment.words("5%")
    assert answer.matched_words(["23", "1999"], "他二十三岁时，一九九九年") == {"23": "二十三", "1999": "一九九九"}
    # a number matches a whole number: the 5 of 第五中学 is not in 1500 or 5.6
    assert answer.matched_words(["5", "3", "4.2"], "第三中学1500名学生，4.2万人，5.6米") == {"3": "三", "4.2": "4.2"}
    assert english.latin_matches("What did he do at 23?", "他二十三岁时任职。") == {"23": "二十三"}


def test_english_tags_are_words_the_question_holds():
    found = english.latin_matches("Where is the Heilongjiang Provincial Museum?",
                                  "黑龙江省博物馆位于哈尔滨，省委书记出席。")
    # 省委 is "provincial Party committee": the question has no committee. 龙江 is inside 黑龙江.
    assert found == {"heilongjiang": "黑龙江", "museum": "博物馆"}
    # "went" is "go" (an irregular verb: simplemma's lemma), CC-CEDICT's sense of 去 and 前往
    assert english.latin_matches("Who went to Nantong town?", "苏健去了南通镇。") == {
        "went": "去", "nantong": "南通", "town": "镇"}
    assert english.latin_matches("Who led the team?", "吴春燕带队前往江田镇。") == {"led": "带队", "team": "带队"}
    # jieba glues a name it does not know to what follows (恒岳新 / 材料): the word's beginning spells it
    assert english.latin_matches("Who signed with Hengyue?", "恒岳新材料科技有限公司签约")["hengyue"] == "恒岳"
    # a place name jieba keeps whole (龙门镇, no dictionary sense) is still a town
    assert english.latin_matches("Who went to Longmen town?", "罗志刚驻守龙门镇。") == {"longmen": "龙门", "town": "龙门镇"}
    # 鼓楼区 is one word, its sense "Gulou district": the name is there too (its key word was lost)
    assert english.latin_matches("Where did the main burst in Gulou district?", "鼓楼区温泉街道供水主干管爆裂") == {
        "gulou": "鼓楼", "district": "鼓楼区", "main": "主干", "burst": "爆裂"}


def test_a_name_before_a_dictionary_comma_is_a_sense_of_its_own():
    # CC-CEDICT: 巴黎 "Paris, capital of France", 伦敦 "London, capital of United Kingdom"
    found = english.latin_matches("What is the land area of the 4th arrondissement of Paris?",
                                  "巴黎第四区是法国首都巴黎市的20个区之一。")
    assert found.get("pari") == "巴黎"
    assert english.latin_matches("Who lives in London?", "他住在伦敦。")["london"] == "伦敦"
    # the comma of a number is no sense boundary: 万元户 "household ... of 10,000 yuan or more"
    assert all("000" not in sense for sense in cedict.word_senses("万元户"))


def test_an_inflected_english_word_meets_the_dictionarys_base_form():
    # CC-CEDICT: 设计 "to design", 建立 "to establish; to set up; to found"
    assert english.latin_matches("Who designed the museum?", "该博物馆由贝聿铭设计。") == {
        "museum": "博物馆", "designed": "设计"}
    assert english.latin_matches("When was the school established?", "学校于1998年建立。").get("established") == "建立"
    # a plural in -es, which english_terms cuts to buse, classe: CC-CEDICT's 校车 "school bus"
    assert english.latin_matches("How many school buses were checked?", "共检查校车31辆。").get("buse") == "校车"
    assert english.base_form("classe") == "class" and english.base_form("taxe") == "tax"
    assert english.base_form("house") == "house" and english.base_form("ache") == "ache"   # words of their own


@pytest.mark.parametrize("question, terms", [
    ("Who chaired the flood meeting in May?", ["chaired", "flood", "meeting", "may"]),
    ("What was signed on 20 May 2024?", ["signed", "20", "may", "2024"]),
    ("May I ask who chaired it?", ["ask", "chaired"]),         # the verb: first word
    ("Thanks. May I ask who chaired it?", ["thank", "ask", "chaired"]),   # ...of a sentence
    ("Hi, May I know the budget?", ["hi", "know", "budget"]),
    ("What was planned for May-June?", ["planned", "may", "june"]),
    ("What may happen in September?", ["happen", "september"]),   # the verb: lower case
    # an ordinal's ending is no word: "th" was a term (and a topic word, held by a 4th in CC-CEDICT's senses)
    ("Where is the 4th arrondissement of Paris?", ["arrondissement", "pari"]),
    ("What happened in the 21st century?", ["happened", "21", "century"]),
])
def test_may_is_a_term_only_where_it_is_the_month(question, terms):
    from bot import segment
    assert segment.english_terms(question) == terms


@pytest.mark.parametrize("question, text, month", [
    ("How much did the court recover in its September drive?", "【市人民法院】9月开展集中执行行动,执行到位金额214万元。", "9月"),
    ("Who chaired the meeting in May?", "2025年5月20日下午,副市长主持召开会议。", "5月"),
    ("What was finished in December?", "十二月,工程全部完工。", "十二月"),     # numerals.normalize reads 十二 as 12
    ("What happened by the end of May?", "截至5月底,完成投资2.1亿元。", "5月"),
    ("What was done in February?", "工程用了2个月。", None),                  # two months, no month
    ("What was done in February?", "近两月,完成投资2亿元。", None),
    ("What was done in January?", "共有11月份的数据。", None),               # another month
    ("Who chaired the meeting in May?", "五月，副市长主持召开会议。", "五月"),  # CC-CEDICT's 五月 is "May", a stopword
    ("What was done in September?", "９月开展集中执行行动。", "９月"),          # full-width digits
    ("What was done from May to September?", "5至9月开展集中执行行动。", "5至9月"),   # a range: May too
    ("How many babies were vaccinated in June?", "6月龄婴儿接种疫苗。", None),    # six months old
    ("What was done in December?", "一二月份完成投资。", None),               # January and February
])
def test_a_month_an_english_question_names_matches_the_month_a_passage_writes(question, text, month):
    # Chinese writes a month as a number before 月: "September" matched nothing in 9月开展 (2026-12-05:
    # fit questions "in May", "its September enforcement drive" lacked the word the answer holds).
    found = english.latin_matches(question, text)
    months = {t: w for t, w in found.items() if t in numerals.MONTHS}
    assert set(months.values()) == (set() if month is None else {month}), found
    # and the gloss channel, which finds the passages, reads them so too
    asked = {t for t in segment.english_terms(question) if t in numerals.MONTHS}
    assert (asked <= set(cedict.gloss(text))) == (month is not None), cedict.gloss(text)


def test_the_months_of_a_range():
    assert [m[0] for m in numerals.months("5—9月和十一月至十二月")] == ["may", "september", "november", "december"]


def test_two_english_words_that_are_one_sense_are_a_topic_of_the_question():
    from bot.evidence import _english_pairs
    assert _english_pairs("Who lives on the 4th floor?") == []    # the th of 4th is no word (no "th floor")
    assert cedict.words_for("school bus") == ("校车",) and "夜市" in cedict.words_for("night market")
    assert _english_pairs("How many school buses were checked in Shimen town?") == ["school bus"]
    assert _english_pairs("How much did the district spend on fixed assets?") == ["fixed asset"]   # not "fix"
    assert _english_pairs("What did the town build last year?") == []   # 上年, 去岁, 去年...: too common a sense
    from bot.evidence import _pair_words      # "law court" is also 庭, which 家庭 writes: a word of one character is none
    assert "庭" in cedict.words_for("law court") and "庭" not in _pair_words("law court")


def test_a_count_after_a_number_is_no_name():
    assert proper_names.chinese_names("中医院新住院大楼加了多少张床?") == ("中医院",)   # jieba: 多少 / 张床 (nz)
    assert "张华" in proper_names.chinese_names("张华买了多少张票?")
    assert "张伟" in proper_names.chinese_names("今年1月张伟去了哪里?")   # 1月 is tagged a numeral too


def test_the_names_a_chinese_question_asks_about():
    assert "建新镇" in proper_names.chinese_names("建新镇医疗队发放了多少药品包?")   # 建新 alone is a verb
    assert "黄志强" in proper_names.chinese_names("黄志强带队去了哪个镇?")
    assert proper_names.chinese_names("这个镇有多少人?") == () and proper_names.chinese_names("他去了哪个区?") == ()


@pytest.mark.parametrize("question, names", [
    ("嵩口镇的安置房安置了多少户?", ["嵩口镇"]),         # jieba: 嵩 / 口镇
    ("白樟镇医疗队发放了多少药包?", ["白樟镇"]),         # 白 / 樟镇
    ("鼓楼区老旧小区改造惠及多少户?", ["鼓楼区"]),      # not 旧小区 (小区 is a word)
    ("仓山区城门镇有多少人?", ["仓山区", "城门镇"]),     # 山区 is a word, but so is 仓山
    ("温泉街道农贸市场检查发现了什么问题?", ["温泉街道"]),   # not 农贸市 (市场 is a word)
    ("贫困山区有多少学校?", []), ("全市有多少个社区?", []), ("哪个镇最大?", []),
    ("老小区装电梯最多补多少钱?", []), ("演练时有多少艘渔船回港避风?", []),   # an adjective's 小区; into port
    ("游客几点登岛?", []), ("平潭岛有多大?", ["平潭岛"]), ("鲤鱼港在哪?", ["鲤鱼港"]),
    ("黄山区有多少人?", ["黄山区"]), ("新城区在哪?", ["新城区"])])   # an adjective's character, but a place
def test_place_names_by_their_form(question, names):
    assert proper_names.place_names(question) == names


@pytest.mark.parametrize("question, names", [
    ("澜屿市第一人民医院的专病门诊是哪天?", ("澜屿市第一人民医院",)),
    ("汀湾第二中学招了多少新生?", ("汀湾第二中学",)),
    ("鹭濂实验小学哪天开学?", ("鹭濂实验小学",)),                 # jieba: 鹭 / 濂 / 实验 / 小学
    ("市图书馆汀湾分馆的馆长是谁?", ("汀湾分馆",)),               # from its first particular word
    ("实验中学哪天开学?", ()), ("老旧小区改造了多少个?", ()),      # a kind, no particular one
    ("那个电池厂哪天投产?", ()), ("谁去了南通镇?", ()),
    ("恒岳新材料科技有限公司总部在哪里?", ("恒岳新材料科技有限公司",)),   # jieba tags 恒岳 a person
    # words that end in a kind but are no institution; only the city particular
    ("鹿港发展思路是什么?", ()), ("鹿港产业布局有什么变化?", ()), ("鹿港公交线路有几条?", ()),
    ("鹿港市中心在哪?", ()), ("鹿港旅游网站是什么?", ()), ("鹿港房地产市场怎么样?", ()),
    ("澜屿市中医院开设了什么门诊?", ()),
    ("汀湾站和砚港站之间多远?", ("汀湾站",)),                     # jieba: 和砚港 (a person): no name
    ("汀湾区第二中学和砚港区第二中学哪个大?", ("汀湾区第二中学", "砚港区第二中学")),
    ("第2人民医院在哪?", ("第2人民医院",)), ("1号码头在哪?", ("1号码头",)),   # jieba: 第 / 2, 1 / 号
    # a county's own hospital or bureau is named by its county (not a city's: 澜屿市中医院 above)
    ("谁驻点浦溪县人民医院?", ("浦溪县人民医院",)), ("鹤塘县林业局做了什么?", ("鹤塘县林业局",)),
    ("青森县设站于几几年?", ()), ("青川县胸痛中心是谁建起的?", ()), ("浦溪县图书馆在哪?", ()),   # its hospitals, bureaus
    ("贫困县人民医院有几家?", ()), ("风景区游客中心几点开门?", ()), ("保税区管理局在哪?", ())])   # no county's name
def test_the_particular_institutions_a_question_names(question, names):
    assert proper_names.institution_names(question) == names


@pytest.mark.parametrize("text, name, written", [
    ("澜屿市第二人民医院内分泌科", "第二人民医院", True),
    ("澜屿市第二人民医院内分泌科", "第二医院", True),          # a short form: in order, close together
    ("澜屿市第二人民医院内分泌科", "第一人民医院", False),     # a sibling: the ordinal differs
    ("澜屿市第二人民医院内分泌科", "第三医院", False),
    ("汀湾区实验中学", "汀湾第二中学", False), ("澜屿市图书馆汀湾分馆", "汀湾分馆", True),
    ("第一时间赶到第二人民医院", "第一人民医院", False), ("汀湾第二十中学", "汀湾第二中学", False),
    ("11号码头", "1号码头", False), ("汀湾西路以东路段", "汀湾东路", False),   # no ordinal or direction between
    ("汀湾第2中学", "汀湾第二中学", True), ("三号码头", "3号码头", True),           # numbers in digits
    ("到横溪镇，先后走访镇中心小学", "横溪镇中心小学", True),
    ("汀湾二桥", "汀湾桥", False), ("汀湾中医院", "汀湾医院", False),               # what makes another one
    ("砚港区第二中学", "汀湾区第二中学", False), ("汀湾第二中学", "汀湾区第二中学", True),   # its own district, or none
    ("近日，市第一人民医院开设", "澜屿市第一人民医院", True),
    ("市一中", "澜屿市第一中学", True), ("汀湾二中", "汀湾第二中学", True), ("市二院", "第二人民医院", True),
    ("县二中", "第一中学", False), ("二十一中", "第一中学", False), ("砚港二中", "汀湾第二中学", False),   # as news shortens
    # a county's own: with its county, or a bare 县 (an article on it); not another's, nor another institution of the kind
    ("驻点浦溪县人民医院", "浦溪县人民医院", True), ("浦溪县的县人民医院", "浦溪县人民医院", True),
    ("浦溪县与云台县人民医院签约", "浦溪县人民医院", False), ("云台县人民医院", "浦溪县人民医院", False),
    ("市第一人民医院专家驻点浦溪县梅坞乡卫生院", "浦溪县人民医院", False),
    ("专家进驻县人民医院", "浦溪县人民医院", True), ("患者被送往县人民医院", "浦溪县人民医院", True),   # a verb, no county
    ("派往县人民医院", "浦溪县人民医院", True), ("凤凰县人民医院", "浦溪县人民医院", False),   # 凤凰 (jieba: a name) is one
    ("马尾区第二中学", "汀湾区第二中学", False), ("鼓楼区第二中学", "汀湾区第二中学", False),
    ("浦溪县医院", "浦溪县人民医院", True), ("浦溪县中医院", "浦溪县人民医院", False),   # what news also calls it
    ("浦溪县中医医院", "浦溪县中医院", True), ("浦溪县中医院", "浦溪县中医医院", True)])
def test_an_institution_is_written_whole_or_in_order_with_its_ordinal(text, name, written):
    assert proper_names.writes_institution(text, name) is written


@pytest.mark.parametrize("question, names", [
    ("Who is the principal of Yangang Middle School?", [(("yangang",), None, "中学")]),
    ("How many teachers did Lanzhou No. 5 Middle School send?", [(("lanzhou",), 5, "中学")]),
    ("When will the Fenglin bridge open to traffic?", [(("fenglin",), None, "桥")]),   # its kind not capitalized
    ("Who heads Yuan'ao Middle School?", [(("yuanao",), None, "中学")]),
    ("Who heads Lanyu Second Middle School?", [(("lanyu",), 2, "中学")]),
    ("Who heads Lanyu's Yangang Middle School?", [(("yangang",), None, "中学")]),   # the city's school
    ("Where can Chen Jie park?", []), ("Where did Lin Tao station his team?", []),    # verbs, not kinds
    ("How long is the Pingtan Strait road-rail bridge?", []),   # road of road-rail: no kind of its own
    ("When does the Yangang branch of the Lanyu city library open?", [(("yangang",), None, "分馆|分院|分校|支行|分公司")]),
    ("When did Yang Liyin graduate from Guoguang Arts School?", [(("guoguang",), None, "校|中学|小学|学院")]),
    ("When was the City Library founded?", []), ("How many beds does the Children's Hospital have?", []),
    ("Where is Tan Zhiyuan's school?", []), ("Which school is Tan Zhiyuan teaching at?", []),   # a person's school
    ("Who went to Nantong town?", []),
    # a hospital by its kind (not any 医院)
    ("Who works at Qingyuan County Maternal and Child Health Hospital?",
     [(("qingyuan",), None, "妇幼保健院|妇幼保健医院|妇幼保健计划生育服务中心")]),
    ("Who heads Yuntai County People’s Hospital?", [(("yuntai",), None, "人民医院|(?<=[县区])医院")]),
    ("How far did the Yushan TCM hospital team travel?", [(("yushan",), None, "中医院|中医医院")])])
def test_the_particular_institutions_an_english_question_names(question, names):
    assert [tuple(n) for n in proper_names.english_institution_names(question)] == names


@pytest.mark.parametrize("text, question, written", [
    ("砚港中学今年招生", "Yangang Middle School", True),
    ("砚港区实验中学今年招生", "Yangang Middle School", True),        # jieba: 砚 / 港区: spelled by the characters
    ("汀湾实验中学今年招生，砚港区多所学校", "Yangang Middle School", False),   # not in the same clause
    ("兰州第五中学", "Lanzhou No. 5 Middle School", True), ("兰州五中老师", "Lanzhou No. 5 Middle School", True),
    ("兰州二中", "Lanzhou No. 5 Middle School", False), ("兰州十五中老师", "Lanzhou No. 5 Middle School", False),
    ("澜屿市第二人民医院内分泌科", "Lanyu No. 2 People's Hospital", True),
    ("澜屿市第一人民医院内分泌科", "Lanyu No. 2 People's Hospital", False),
    ("市二院内分泌科", "Lanyu No. 2 People's Hospital", True),        # its city left out
    ("翠湖路停水", "Cuihu Road", True), ("翠湖小区停水", "Cuihu Road", False),
    ("毕业于国光艺校戏剧科", "Guoguang Arts School", True),   # 艺校: a school by its 校
    ("记者从市二院获悉", "Lanyu No. 2 People's Hospital", True), ("患者在第二人民医院就诊", "Lanyu No. 2 People's Hospital", True),
    ("汀湾区第二人民医院", "Lanyu No. 2 People's Hospital", False),   # another district's
    ("桐洲第二十五中学", "Tongzhou No. 25 Middle School", True), ("桐洲二十五中", "Tongzhou No. 25 Middle School", True),
    ("桐洲十五中", "Tongzhou No. 25 Middle School", False),
    ("高崎国际机场", "Xiamen Gaoqi International Airport", True),   # its city left out
    ("吕梁中学", "Luliang Middle School", True), ("澜屿二中", "Lanyu Second Middle School", True),
    ("闽江学院", "Minjiang University", True), ("砚港镇卫生院", "Yangang Town Hospital", True),
    ("驻点青垣县中医院", "Qingyuan County Maternal and Child Health Hospital", False),   # another kind of hospital
    ("驻点青垣县妇幼保健院", "Qingyuan County Maternal and Child Health Hospital", True),
    ("驻点云台县中医院", "Yuntai County People's Hospital", False), ("峪山县中医医院派出", "Yushan TCM Hospital", True),
    ("驻点云台县医院", "Yuntai County People's Hospital", True), ("青垣县妇幼保健医院", "Qingyuan Maternal and Child Health Hospital", True),
    ("青垣县人民医院", "Qingyuan County Hospital of Traditional Chinese Medicine", False),   # the kind after the name
    ("青垣县中医院", "Qingyuan County Hospital of Traditional Chinese Medicine", True)])
def test_an_english_institution_is_written_by_its_kind_with_its_name_before(text, question, written):
    name, = proper_names.english_institution_names(f"What about {question}?")
    assert english.writes_institution(text, name) is written


def test_writing_out_an_institution_takes_no_time_on_a_long_text():
    # a regular expression of lazy gaps backtracked for 100 s on this; each piece at its first place is enough
    text = "".join(ch * 3 for ch in "恒岳新材料科技有限公司") * 3000
    started = time.perf_counter()
    assert not proper_names.writes_institution(text, "恒岳新材料科技有限公司")
    assert time.perf_counter() - started < 5


def test_a_person_the_tagger_cut_after_the_surname_is_one_name():
    assert "林志强" in proper_names.chinese_names("林志强后来又转战了哪个镇?")   # jieba: 林 / 志强
    assert proper_names.chinese_names("张华向李明借了多少钱?") == ("张华", "李明")   # 向: a preposition here


@pytest.mark.parametrize("question, name, not_a_name", [
    ("杜建新在哪个镇蹲点?", "杜建新", "建新"),     # 建新 "to build anew": the tagger calls it a verb
    ("罗建军在水库驻守了多少天?", "罗建军", "建军"),   # 建军 a noun ("founding of the army")
    ("陈宝华担任什么职务?", "陈宝华", "宝华"),       # the given name alone is no one
    ("邹立新驻守的是哪座水库?", "邹立新", "立新")])
def test_a_given_name_that_is_a_word_of_its_own_is_part_of_the_name(question, name, not_a_name):
    names = proper_names.chinese_names(question)
    assert name in names and not_a_name not in names


@pytest.mark.parametrize("question", ["这张专辑获得了哪一年的格莱美奖?", "他们曾共同主持哪档节目?",
                                      "泰森食品公司共斥资多少钱收购了希尔夏品牌?", "长寿王讨伐了哪儿?",
                                      "长张高速全线一共有多少座桥梁?", "王强曾任南平市长吗?", "需要戴口罩吗?"])
def test_a_surname_character_before_a_common_word_makes_no_name(question):
    # 这张 (a measure word), 曾 "once", 钱收购, 王讨伐, 张高速, 任南平 "served as", 戴口罩 "wear"
    assert not any(len(n) == 3 and n[0] in "张曾钱王任戴" for n in proper_names.chinese_names(question))


def test_a_surname_that_is_also_a_question_word_still_names_a_person():
    assert "何志强" in proper_names.chinese_names("何志强在哪个镇蹲点?")     # 何 as in 何时
    assert "何建明" in proper_names.chinese_names("何建明去了哪里?")          # was dropped whole
    assert "何丽娟" in proper_names.chinese_names("何丽娟是哪个科室的护士长?")
    assert "多伦多" in proper_names.chinese_names("多伦多在哪个国家?")        # 多 as in 多少
    assert proper_names.chinese_names("这座桥因何而建?") == () and proper_names.chinese_names("哪件事最重要?") == ()


@pytest.mark.parametrize("question, names", [
    ("Who is Lin Haiyan?", [("linhaiyan",)]),               # 海燕 alone is someone else (郑海燕)
    ("Where is Fuzhou Gulou?", [("fuzhougulou", "fuzhou", "gulou")]),   # no surname first: each part
    ("Where is Danyang?", [("danyang",)]),
    ("What did Wang Lei do?", [("wanglei",)]),
    ("What was Wang Lei's job?", [("wanglei",)]),           # a possessive ends the name
    ("What was Wang Lei’s job?", [("wanglei",)]),
    ("Where did Yang Chao-hsiang live?", []),               # the name goes on in another spelling
    ("Where did the men die?", []),                          # not capitalised: no name
    ("Who is John Smith?", []),                              # not pinyin
    ("Is it Open?", []),                                     # pinyin, but a common English word
    ("How many people took part in the drill in Yuan'ao town?", [("yuanao",)]),   # an apostrophe parts syllables
    ("Who went to Jiangbian Town?", [("jiangbian",)]),       # a kind of place capitalised with its name
    ("What will Chengchuan City build?", [("chengchuan",)]),
    ("Where is Gulou District, Fuzhou City?", [("gulou",), ("fuzhou",)]),
    ("Who lives in The Town?", []),                          # a kind alone names nothing
    ("What did Mayor Yan Ruoqing say?", [("yanruoqing",)]),  # a title before a person's name is not part of it
    ("Did Mayor Yan Ruoqing come?", [("yanruoqing",)]),
    ("What did Vice Mayor Yu Chengze check in Fengdu Town?", [("yuchengze",), ("fengdu",)]),
    ("When did Emperor Xiaowu marry?", []),                  # the title may be written into the name (孝武帝)
    ("What did Machiko Hasegawa draw?", []),                 # a name in another spelling, part pinyin by chance
    # a kind of place ends a name inside a longer one: the county of its hospital
    ("Who works at the Qingyuan County Maternal and Child Health Hospital?", [("qingyuan",)]),
    ("How many beds does Geling Town Health Center have?", [("geling",)]),
])
def test_the_names_an_english_question_asks_about_that_read_as_pinyin(question, names):
    assert [n.spellings for n in proper_names.pinyin_names(question)] == names


def test_a_surname_read_its_own_way_spells_a_person_both_ways():
    assert ("zengguodong", 3) in pinyin.word_spellings("曾国栋") and ("cengguodong", 3) in pinyin.word_spellings("曾国栋")
    assert ("shanxuemei", 3) in pinyin.word_spellings("单雪梅")
    assert pinyin.word_spellings("曾经") == (("cengjing", 2),) and pinyin.word_spellings("单独") == (("dandu", 2),)
    assert set(english.latin_matches("What did Zeng Guodong and Shan Xuemei do?", "曾国栋同志带队，单雪梅说")) >= \
        {"zeng", "guodong", "shan", "xuemei"}
    for word in ("曾任", "曾在", "盖章", "朴素", "乐平"):          # "once" before a verb; words CC-CEDICT translates
        assert len(pinyin.readings(word)) == 1, word
    assert "zengguofan" in pinyin.readings("曾国藩")                # CC-CEDICT spells him so
    assert not english.latin_matches("Where did Zeng Ren work?", "他曾任村支书")


def test_a_name_that_may_be_a_person_is_no_short_form():
    assert proper_names.may_be_person("刘强") and proper_names.may_be_person("傅强")   # a surname; tagged a person
    assert not proper_names.may_be_person("三中") and not proper_names.may_be_person("二中")   # jieba: ns, nrt


def test_chinese_tags_are_whole_words_of_the_question():
    found = answer.matched_words(segment.words("黑龙江省博物馆在哪里?"), "黑龙江省博物馆位于哈尔滨。")
    tags = answer.tags(found.values(), "黑龙江省博物馆位于哈尔滨。")
    assert "龙江" not in tags and "黑龙" not in tags and "博物" not in tags
    assert any("黑龙江" in t for t in tags) and any("博物馆" in t for t in tags)
    assert answer.tags(["镇", "南通", "Nantong"], "南通镇 Nantong") == ["南通", "Nantong"]   # no lone 镇


@pytest.mark.parametrize("question, kinds", [
    ("严长寿23岁时做了什么?", []), ("谁去了南通镇?", ["person"]), ("莫扎伊斯克位于哪里?", ["place"]),
    ("计算神经科学一词首次出现是在什么时候?", ["time"]), ("锦地罗的全长是多少厘米?", ["number"]),
    ("Why was Empress He demoted?", ["reason"]), ("How many residents did Mozhaysk have?", ["number"]),
    ("When did Jakob Kellenberger begin his career?", ["time"]), ("Who created James Bond?", ["person"]),
])
def test_question_types(question, kinds):
    assert answer_sentence.question_types(question) == kinds


def test_a_sentence_holds_what_is_asked_only_when_the_question_does_not():
    assert answer_sentence.holds("time", "这个词首次出现于1985年。", "计算神经科学一词首次出现是在什么时候?")
    assert not answer_sentence.holds("time", "在2005年，它成立。", "在2005年，西班牙人的语言使用比例是多少?")
    assert answer_sentence.holds("number", "全长通常只有2cm。", "锦地罗的全长是多少厘米?")
    assert answer_sentence.holds("person", "由伊恩·法兰明所创作。", "Who created James Bond?")


def test_a_question_is_cut_into_words_as_the_articles_were():
    # jieba alone, without the article's context, cuts an unknown name by what follows it
    # (苏健在 -> 苏 健在; 胡铭带了 -> 胡铭带); an index that found the name keeps it whole.
    index = lexical.LexicalIndex.index([lexical.tokenize(t) for t in
                                        ["苏健同志挺身而出,支援南通镇。", "胡铭同志带领五十名干部。"]])
    assert "苏健" not in segment.words("苏健在支援队伍中担任什么职务?")
    assert index.words("苏健在支援队伍中担任什么职务?")[:2] == ["苏健", "支援"]
    assert "胡铭" in index.words("胡铭带了多少人去保利香槟国际小区?")
    assert index.words("谁去了南通镇?") == segment.words("谁去了南通镇?")   # nothing else moves


def test_english_clitics_are_no_words():
    # "Laitan's" left a word "s" (IDF ~4.6 on CMRC) that matched stray letters in articles
    question = "What didn't Laitan's people want, and why can't they're leaving?"
    assert segment.words(question) == ["laitan", "people", "want", "leaving"]
    assert segment.english_terms(question) == ["laitan", "people", "want", "leaving"]
    assert not {"s", "laitans", "didn", "ca", "re"} & set(pinyin.latin_query_terms(question))
    assert "xian" in pinyin.latin_query_terms("Where is Xi'an?")    # an apostrophe inside a name stays


@pytest.mark.parametrize("term, is_english", [("88", True), ("kilometres", True), ("colour", True),
                                              ("railway", True), ("asdf", False), ("lorem", False),
                                              ("xxxxxxxxxx", False), ("qwer", False)])
def test_what_counts_as_an_english_word(term, is_english):
    assert english.is_english_word(term) == is_english


def test_english_rarity_is_general_use_not_the_index():
    assert word_rarity.english_rarity("went") < word_rarity.english_rarity("town") < word_rarity.english_rarity("winglet")


def test_the_question_shares_its_longest_run_of_text_outside_the_title():
    # "1995年8月，任" is the answer sentence restating the question; 王家瑞 is the title.
    q, head = "1995年8月，王家瑞担任什么职务？", "王家瑞"
    assert answer_sentence.longest_shared_run(q, "1995年8月，任中共山东省青岛市委常委。", head) == len("1995年8月，")
    assert answer_sentence.longest_shared_run(q, "王家瑞，山东人。", head) <= 1   # the title's own name counts for nothing


def test_a_sentence_naming_the_topic_by_a_pronoun_inherits_it():
    text = "夏尔是两西西里王子。他精通英语、法语和意大利语。1966年，他的祖父让出头衔。"
    spans = [(0, 10), (10, 24), (24, 39)]
    X = answer_sentence.sentence_features("夏尔精通哪几门语言？", np.zeros(3), spans, text, "夏尔", {"夏尔": 0.6})
    col = dict(zip(answer_sentence.FEATURES, X.T))
    assert list(col["topic"]) == [0.6, 0.0, 0.0] and list(col["carry"]) == [0.6, 0.3, 0.15]
    # 精通 is cut as one word the text also has, and its characters are the question's own
    assert col["chars"][1] == max(col["chars"]) > 0 and col["lcs"][1] == 2 / answer_sentence.LCS_CAP


def test_the_parsed_dictionary_is_kept_in_the_cache_and_a_damaged_copy_is_made_again(tmp_path, monkeypatch):
    # Parsing CC-CEDICT took seconds of every process's first English question.
    tmp_path = tmp_path / "a #b%20c?"          # characters an SQLite URI would misread
    monkeypatch.setenv("QABOT_CACHE", str(tmp_path))

    def fresh():
        for cached in (cedict._dictionary, cedict.word_senses, cedict.in_vocabulary, cedict.a_verb, cedict.words_for):
            cached.cache_clear()

    fresh()
    try:
        senses = cedict.word_senses("长")
        assert ("long",) in senses and cedict.in_vocabulary("town") and not cedict.in_vocabulary("asdf")
        [kept] = (tmp_path / "cedict").glob("*.sqlite")
        fresh()
        assert cedict.word_senses("长") == senses          # read back from the cache
        kept.write_bytes(b"not a database")
        fresh()
        assert cedict.word_senses("长") == senses and kept.stat().st_size > 1_000_000
        assert [p.name for p in tmp_path.parent.iterdir()] == [tmp_path.name]   # no stray files
        assert not list((tmp_path / "cedict").glob("*.tmp"))
        # a file of another layout under this version's name (a table missing) is made again
        import sqlite3
        kept.unlink()
        old = sqlite3.connect(kept)
        old.execute("CREATE TABLE senses (word TEXT PRIMARY KEY, senses TEXT NOT NULL)")
        old.execute("CREATE TABLE vocabulary (word TEXT PRIMARY KEY)")
        old.commit()
        old.close()
        fresh()
        assert cedict.a_verb("安顿") and cedict.word_senses("长") == senses and cedict.words_for("school bus") == ("校车",)
    finally:
        fresh()


@pytest.mark.parametrize("question, fragment", [("河北等地的疫情怎么样?", "北等"), ("城市联盟有哪些成员?", "市联"),
                                                ("一个村庄有多少人?", "个村")])
def test_a_fragment_the_index_holds_does_not_split_a_question_s_words(question, fragment):
    # jieba's guesser leaves such fragments in an index's vocabulary; a kept word only
    # counts where jieba's own cut of the question starts a word.
    assert segment.words(question, frozenset({fragment})) == segment.words(question)
    assert segment.words("苏健在支援队伍中担任什么职务?", frozenset({"苏健", "北等"}))[:2] == ["苏健", "支援"]


@pytest.mark.parametrize("section, title, name", [("蔡敏 建筑节能与科技设计处处长", "响应号召 逆行而上", "蔡敏"),
                                                  # a name jieba's dictionary holds: was the title's 驻镇
                                                  ("王建平 市水利局副局长", "防汛一线的身影——记市直单位驻镇干部", "王建平"),
                                                  ("早年经历", "鲁迅", "鲁迅"), ("", "福平铁路正式开通运营", "福平"),
                                                  ("", "", ""), ("", "大曲车站 (青森县)", "大曲"),   # not the bracket's
                                                  ("", "COVID-19 (新冠肺炎)", "新冠")])     # unless it alone has words
def test_what_a_follow_up_refers_to_is_named_by_the_section_s_name_or_else_the_title(section, title, name):
    from bot.conversation import resolve

    assert proper_names.name_of(section, title) == name
    assert resolve("她后来去了哪里?", name) == (f"{name}后来去了哪里?" if name else "她后来去了哪里?")
    assert resolve("还有其他奖项吗?", "蔡敏") == "蔡敏还有其他奖项吗?"   # 其他 is no pronoun


@pytest.mark.parametrize("heading, person", [
    ("谭国栋 工程管理股股长", True), ("颜丽 运输管理科副科长", True), ("温建平 市卫健委医政医管科科长", True),
    ("何建明 基础教育处处长", True), ("一、古民居修缮", False), ("会议要求", False), ("本报记者 曾敏", False),
    ("石湾乡 群众转移", False), ("王庄街道 抗疫", False), ("", False), ("温馨提示", False), ("高温天气", False),
    ("郑州 暴雨", False), ("黄金周", False), ("张家港 经济", False), ("欧阳丽君 副局长", True), ("谭国栋", True),
    ("一、谭国栋 工程管理股股长", True), ("（二）方晓梅：水文站站长", True), ("3. 邱志远", True), ("二、黄金周", False),
    ("黄志明 农村水利科科长", True), ("黄金周 安排", False)])   # a person jieba's dictionary holds; a word it tags one
def test_a_heading_that_names_a_person(heading, person):
    # such a section is about its person: the article's title says what the sections share (EvidenceReader.evidence)
    assert (proper_names.person_heading(heading) is not None) is person


@pytest.mark.parametrize("question, role", [("苏健担任什么职务?", True), ("蔡敏的职位是什么?", True), ("他现任何职?", True),
                                            ("苏健现任什么职务？", True),
                                            ("她担任过哪些职务？", True), ("苏健去了哪里?", False), ("谁担任组长?", False),
                                            ("职务犯罪有哪些?", False), ("罗志刚涉嫌什么职务犯罪?", False),
                                            ("哪个职位空缺?", False), ("他上任什么时候?", False), ("主任什么时候来?", False),
                                            ("他是什么职业?", False)])
def test_a_question_that_asks_someones_post(question, role):
    assert bool(implied_words.role_words(question, segment.words(question))) is role


@pytest.mark.parametrize("after_the_name, post", [("政策法规处处长", True), ("驻村第一书记", True), ("主治医师", True),
                                                  ("坚守一线二十年", False), ("", False)])
def test_what_a_heading_says_after_a_name_is_a_post(after_the_name, post):
    assert implied_words.names_a_post(after_the_name) is post


@pytest.mark.parametrize("question, probe", [("测试测试", True), ("test", True), ("Hello, hello!", True), ("你好", True),
                                             ("什么是测试?", False), ("疫情", False), ("hello world", False),
                                             ("COVID", False), ("南通镇", False), ("", False),
                                             ("Thank you so much", True), ("Good evening!", True), ("谢谢", True),
                                             ("Thanks, who went to Nantong town?", False), ("a lot of rain", False),
                                             ("thanksgiving", False), ("hthanksi", False), ("OK thanks", True),
                                             ("好的谢谢", True)])
def test_words_typed_to_try_the_bot(question, probe):
    from bot.evidence import asks_nothing
    assert asks_nothing(question) is probe


def test_an_ordinary_word_the_tagger_calls_a_person_is_no_name():
    # 卡住 "to get stuck": 卡 is also a surname; the dictionary translates it and spells no name
    assert proper_names.chinese_names("石湾的管网穿国道为啥卡住了?") == ("石湾",)
    # a surname first: a person, though CC-CEDICT also translates 高峰 (peak) and 黎明 (dawn)
    assert proper_names.chinese_names("高峰担任什么职务?") == ("高峰",)
    assert proper_names.chinese_names("黎明去了哪里?") == ("黎明",)


@pytest.mark.parametrize("question, names", [
    ("枫渡镇演练的时候，撤下来的村民被安顿在哪儿？", ("枫渡镇",)),   # 安顿 (ns) "to find a place for"
    ("村民被安頓在哪兒？", ()),                                        # the same, in traditional characters
    ("这家公司什么时候上市?", ()),                                     # 上市 (ns) "to hit the market"
    ("法典有哪些内容?", ("法典",)),                                   # 法典 (ns) a noun, "legal code": as before
    ("建国镇有多少人口?", ("建国镇",))])                               # 建国 "to found a state": with its 镇
def test_a_verb_the_tagger_calls_a_place_is_no_name(question, names):
    assert proper_names.chinese_names(question) == names


def test_a_verb_in_the_dictionary_is_first_a_verb_and_never_capitalised():
    from bot import cedict
    assert cedict.a_verb("安顿") and cedict.a_verb("安頓") and cedict.a_verb("上市")
    assert not cedict.a_verb("法典") and not cedict.a_verb("长度")   # nouns
    assert not cedict.a_verb("汉化")   # Han4 hua4 "to sinicize": capitalised, as names are
    assert not cedict.a_verb("南通")


@pytest.mark.parametrize("short, text, stands_for", [
    ("三中", "在鹤浦市第三中学，督查组察看了新食堂", "三中"),   # 第3中学 once numbers are normalized
    ("支书", "村党支部书记刘桂芳说", "支部书"),
    ("村支书", "村党支部书记刘桂芳说", "村党支部书"),
    ("危改", "全市下达农村危房改造任务1260户", "危房改"),
    ("医保", "参加城乡居民医疗保险", "医疗保")])
def test_a_chinese_short_form_stands_for_the_words_it_keeps_characters_of(short, text, stands_for):
    assert short_forms.short_form(short, text) == stands_for


@pytest.mark.parametrize("short, text", [
    ("三中", "第十三中学"),         # 13 is not 3
    ("一中", "第十一中学"),
    ("多长", "修了四十多公里长"),    # a word that asks
    ("支书", "支持他读书"),          # too far apart
    ("医保", "医院确保"), ("三中", "3月中旬完工"), ("三中", "共有3个中队"), ("一中", "建成1个中心"),
    ("三", "第三")])                # one character
def test_what_is_no_short_form(short, text):
    assert short_forms.short_form(short, text) is None


def test_a_piece_jieba_cut_from_a_question_is_as_rare_as_its_parts_a_name_it_lacks_stays_rare():
    # 一天能供多少水: search mode leaves 能供, a "word" no dictionary holds, made of 能 and 供
    assert word_rarity.parts_rarity("能供") < word_rarity.COMMON_PART < word_rarity.rarity("能供")
    for name in ("杉岭镇", "祁慧敏", "软枝黄蝉"):      # a rare part: a name
        assert word_rarity.parts_rarity(name) == word_rarity.rarity(name)
    assert word_rarity.parts_rarity("自来水") == word_rarity.rarity("自来水")   # a dictionary word


@pytest.mark.parametrize("question, text, missing", [
    ("石湾水厂占地多少亩?", "新建石湾水厂1座，设计日供水规模2万吨", 1.0),     # no number of 亩
    ("石湾水厂占地多少亩?", "水厂占地四十五亩", 0.0),                        # 四十五亩 is 45亩
    ("黄某某判了几年?", "判处有期徒刑三年二个月", 0.0),
    ("新食堂花了多少钱?", "新食堂投资1200万元", 0.0),                       # 钱 is counted in 元
    ("钟国梁今年多大年纪?", "钟国梁带队驻守杉坪镇9天", 1.0),                 # an age is in 岁
    ("钟国梁的年龄是多少?", "钟国梁带队驻守杉坪镇9天", 1.0), ("她今年多大年龄?", "52岁的她", 0.0),   # asked as 年龄
    ("他今年多大年纪?", "年满60周岁", 0.0), ("他的年龄是多少?", "他今年60周岁", 0.0),   # 周岁 is an age too
    ("横山隧道多长?", "横山隧道长860米", 0.0),
    ("一天能供多少水?", "设计日供水规模2万吨", 0.0),                      # 多少 of no unit: not asked
    ("胡铭带了多少人去保利香槟国际小区？", "胡铭同志火速带领中心50名干部", 0.0),   # people in 名
    ("全镇有多少个行政村?", "覆盖石湾镇14个行政村", 0.0),
    ("有多少年轻人返乡创业?", "没有数字", 0.0),           # 年 begins 年轻人: no unit asked
    ("近几年石湾镇GDP增长了多少?", "没有数字", 0.0),        # 近几年: a time, not a count; GDP asked no number of
    ("需要多长时间?", "需要3个月", 0.0), ("用了多久?", "用了36个小时", 0.0),
    ("总投资多少钱?", "总投资3000多万元", 0.0), ("总投资多少钱?", "约3000万", 0.0),
    # a quantity asked by what it is: its unit
    ("大坝有多高?", "大坝渗流量降至每秒1.2升", 1.0), ("大坝有多高?", "坝高35.5米", 0.0),
    ("洪门水库的库容是多少?", "驻守全县库容最大的洪门水库", 1.0), ("洪门水库的库容是多少?", "总库容1.2亿立方米", 0.0),
    ("营业收入是多少?", "公司总部位于深圳", 1.0), ("营业收入是多少?", "营业收入52.6亿元", 0.0),
    ("禾坪村有多少人口?", "禾坪村位于碧潭乡（海拔600米）", 1.0), ("桐山镇总人口有多少?", "全镇人口3.2万", 0.0),
    ("下坪镇有多少人口?", "转移群众1024人", 1.0), ("下坪镇有多少人口?", "全镇有居民2万余人", 0.0),   # people counted: no population
    ("恒锂新能源去年的营业收入是多少?", "项目总投资30亿元", 1.0), ("营业收入是多少?", "营业收入52.6亿元", 0.0),
    ("人口普查什么时候开始?", "普查员入户登记", 0.0),                      # asks no number
    ("禾坪村有多少人口?", "全村共有农户520户、2100余人", 0.0), ("禾坪村有多少人口?", "全村有村民1800人", 0.0),
    ("第七次人口普查登记了多少户?", "普查员入户登记住户3200户", 0.0), ("人口普查员有多少名?", "全镇共选聘普查员120名", 0.0),
    ("达特穆尔人口大约是多少?", "转移群众1024人", 1.0), ("茶叶销售额是多少?", "茶叶年销售达860万元", 0.0),
    ("枇杷节的销售额是多少?", "枇杷节成交额达500万元", 0.0), ("全县GDP是多少?", "全县经济总量达到120亿元", 0.0),
    ("宁川河特大桥的主跨有多长?", "全长38.6公里", 1.0), ("宁川河特大桥的主跨有多长?", "主跨长度165米", 0.0),
    ("恒岳新材料科技有限公司总部在哪里?", "选择鹤浦，看中的是这里的区位", 1.0),
    ("体育馆能容纳多少人?", "转移到体育馆安置340人", 1.0), ("体育馆能容纳多少人?", "可容纳观众3000人", 0.0),
    ("白云山海拔多少米?", "山顶有座庙，高约50米", 1.0),
    # a time of day asked: an hour written, not a date or a count
    ("柳汀夜市几点开门?", "每天17:00—23:30", 0.0), ("千人海蛎宴几点开席?", "11月15日中午12点", 0.0),
    ("停水后几点来水?", "预计18时恢复供水", 0.0), ("柳汀夜市几点开门?", "夜市设摊位120个，7月1日开市", 1.0),
    ("停水后几点来水?", "预计当日18时30分恢复供水", 0.0), ("几点开门?", "9∶00至17∶00", 0.0),   # 时…分; a ratio colon
    ("夜市几点开门?", "夜市每天清晨开门", 0.0), ("几点来水?", "预计今晚恢复供水", 0.0),
    ("专家给出了几点建议?", "一是多喝水，二是避免午后外出", 0.0),                     # "a few points", no time
    ("新馆的开放时间是什么时候?", "新馆将于10月1日正式对外开放", 0.0),               # a date asked
    ("春节期间超市的营业时间有变化吗?", "春节期间超市照常营业", 0.0),
    ("服务热线的电话是多少，几点可以打?", "服务热线：0596-2881234", 0.0),           # the phone number asked first
    ("夜市几点开门，营业多少小时?", "夜市傍晚开市", 1.0),                             # and the hours counted
    # a capacity, a population: asked as such, and written in other ways too
    ("停车场能容纳多少辆车?", "设停车位500个", 0.0), ("安置点能容纳多少人?", "可安置群众500人", 0.0),
    ("景区每天最多能容纳多少游客?", "日最大承载量为2万人次", 0.0), ("体育馆临时容纳了多少名受灾群众?", "安置受灾群众340人", 0.0),
    ("受灾人口有多少?", "受灾群众3.2万人", 0.0), ("安置了多少人口?", "1200户4500人", 0.0),
    ("禾坪村有多少人口?", "禾坪村520户2100人", 0.0), ("茶叶销售额是多少?", "茶叶卖了860万元", 0.0),
    ("下坪镇有多少人口?", "全镇共转移群众1024人", 1.0),
    ("高埠镇有多少人口?", "协助转移受威胁群众86户213人", 1.0),                         # households evacuated
    ("南通镇有多少人口?", "全镇辖12个村，3.2万人", 0.0), ("大桥主跨多长?", "主桥跨径180米", 0.0),
    ("分馆面积多大?", "建筑面积6800平方米", 0.0), ("卡塞雷斯的面积是多少?", "面积为1750.33km²", 0.0),
    ("养老中心的联系电话是多少?", "委托康颐养老公司运营", 1.0), ("养老中心的联系电话是多少?", "咨询电话：0596-2881234", 0.0),
    ("2023年集体收入多少?", "| 年份 | 村集体收入（万元） |\n| 2023 | 86 |", 0.0),   # a table's unit in its header
    ("总投资多少?", "（责任编辑：王元）", 1.0),                                # a bracket outside a table is none
    # not a height or a weight asked, nor a quantity: the question goes on
    ("群众满意度有多高?", "满意度达98.5%", 0.0), ("手术成功率有多高?", "99%", 0.0), ("有哪些多重保障?", "三项措施", 0.0),
    ("投资几年能回本?", "预计5年可收回投资", 0.0), ("投资多少家企业?", "12家", 0.0), ("电话几点能打通?", "9点至17点", 0.0),
    # a phone number: a short one called, not a range of years
    ("报警电话是多少?", "拨打110", 0.0), ("联系电话是多少?", "2023-2024学年招生", 1.0),
    ("有多少人口?", "总投资3000万元", 1.0), ("库容是多少?", "库容1.2亿m3", 0.0),
    ("有多少人口?", "种植面积2万亩", 1.0), ("人口有多少万?", "全镇人口3.2万，", 0.0), ("海拔高度有多高?", "海拔1200米", 0.0),
    ("海拔高度有多高?", "山顶有座庙", 1.0), ("满意度到底有多高?", "满意度很高", 0.0),     # 高度 is a height, 满意度 none
    ("2023年收入多少钱?", "表1 （单位：万元）\n| 2023 | 86 |", 0.0),                   # a caption's unit
    ("联系电话是多少?", "共致电300余户", 1.0), ("联系电话是多少?", "营业时间8:00-17:30", 1.0),   # a count, a time
    ("联系电话是多少?", "(0591)87654321", 0.0), ("联系电话是多少?", "| 长者食堂 | 26300人次 |", 1.0),   # a count
    ("联系电话是多少?", "总投资12000万元", 1.0),
    # a phone number followed by words a measure word begins, or hyphenated, or a mobile's eleven digits
    ("联系电话是多少?", "联系人及手机：13905912345 张先生", 0.0), ("联系电话是多少?", "13905912345张先生", 0.0),
    ("联系电话是多少?", "0591-87654321 分机808", 0.0), ("联系电话是多少?", "0591-83345678门诊部", 0.0),
    ("联系电话是多少?", "咨询87110000周一至周五", 0.0), ("联系电话是多少?", "王先生13905912345次日回电", 0.0),
    ("联系电话是多少?", "电话87654321人工服务", 0.0),                         # after 电话, whatever follows
    ("积水多深就要封路?", "积水深度超过27厘米时立即封闭交通", 0.0), ("管道有多宽?", "管径800mm", 0.0),   # parts of a metre
    ("水库有多深?", "总库容1200万m³", 1.0), ("路面有多宽?", "面积3000m²", 1.0),                      # no length
    # boats in 条 or 艘, after a number in digits; not 个, which counts anything, nor a word a measure word begins
    ("今年要添多少条冲锋舟?", "新增冲锋舟20艘", 0.0), ("医院有多少张床位?", "设有12个科室", 1.0),
    ("有多少艘船?", "共5条渔船", 0.0), ("有多少艘船?", "满足以下两个条件", 1.0), ("有多少艘船?", "开通5条线路", 1.0),
    ("配备了多少台设备?", "12部门联合印发", 1.0), ("有多少套住房?", "购置3台电脑", 1.0),
    ("工期给了几天?", "| 标段 | 计划工期（日历天） |\n| 一标段 | 90 |", 0.0),        # 日历天 is in 天
    ("参加培训的有多少人?", "| 牵头单位 | 张三（负责人） |", 1.0),                    # 负责人 is no unit
    # money: 元, 块钱, or 万/亿 on their own; not the pieces of 系缆石6块, nor the people of 5.6万人次
    ("修缮一共花了多少钱?", "修复清代石阶47级、系缆石6块", 1.0), ("一共花了多少钱?", "接待游客5.6万人次", 1.0),
    ("一晚多少钱?", "一晚200块钱", 0.0), ("花了多少钱?", "总投资约3000万，", 0.0), ("花了多少钱?", "耗资300万美元", 0.0),
    ("总投资多少?", "总投资2亿。", 0.0), ("总投资多少?", "带动1.2万人就业", 1.0),
    # a date is no time counted: not 9日 of 6月9日, nor 2023年, nor the 5月 of May
    ("驻守了多少天?", "6月9日以来，工作组驻守杉坪镇", 1.0), ("驻守了多少天?", "连续驻守9日", 0.0), ("抢通用了多久?", "7月26日凌晨3时许", 1.0),
    ("判了几年?", "2023年5月至2024年3月，被告人黄某某", 1.0), ("判了几年?", "判处有期徒刑三年", 0.0),
    ("修了多久?", "5月开工", 1.0), ("修了几个月?", "历时8个月", 0.0), ("他干了多少年?", "干了30年", 0.0),
    ("驻守了多少天?", "6月9日至15日，工作组驻守", 1.0), ("这棵树多少年了?", "树龄1200年", 0.0),   # 15日 a date; 1200年 a count
    ("修了多长时间?", "历时两个多月", 0.0), ("用了多久?", "历时一个半月", 0.0),
    ("花了多少钱?", "投入3000万资金", 0.0), ("花了多少钱?", "投资3000万人民币", 0.0), ("花了多少钱?", "系缆石6块。", 1.0),
    ("花了多少钱?", "新增耕地1.2万亩", 1.0), ("花了多少钱?", "惠及2万农户", 1.0), ("花了多少钱?", "发放疫苗200万剂", 1.0),
    ("花了多少钱?", "人民币3000万，", 0.0), ("花了多少钱?", "2万多元", 0.0), ("修了几个月?", "历时两个多月", 0.0)])
def test_a_count_asked_in_a_unit_needs_a_number_in_it(question, text, missing):
    assert asked_for.unit_missing(question, text) == missing



@pytest.mark.parametrize("question, text, missing", [
    ("How old is Zhong Guoliang?", "钟国梁带队驻守杉坪镇9天", 1.0),
    ("How many villagers got jobs through the homestay?", "带动46名村民就业", 0.0),
    ("How much silt was cleared after the typhoon?", "清理淤泥4500余吨", 0.0),     # how much, of no unit asked
    ("How much did the new canteen cost?", "新食堂共3层，建筑面积4200平方米", 1.0),
    ("How much time did the team spend there?", "驻守9天", 0.0),     # time, not money
    ("How old is the bridge?", "已有60多年历史", 0.0),                  # not a person's age
    ("How many households benefited?", "惠及1200家", 0.0),
    ("What phone number do I call to sign up?", "报名电话见文末小程序", 1.0), ("What is the hotline number?", "热线12345", 0.0),
    ("Why was the hotline number changed?", "热线号码调整", 0.0),      # not asking it
    ("What's the clinic's phone number?", "在三楼", 1.0), ("What’s the hotline number?", "在三楼", 1.0),
    ("What is the population of Jiaoxi town?", "蕉溪镇镇长罗志坚说", 1.0), ("What is the land area of Paris?", "土地面积1.601 km²", 0.0),
    ("How many people live in Gaobu town?", "转移群众1024人", 1.0), ("How many people live in Gaobu town?", "常住人口2.6万人", 0.0),
    ("How many people were evacuated?", "转移群众1024人", 0.0),
    ("What is the population of Heping village?", "全村共有农户520户、2100余人", 0.0),
    ("What is the population policy?", "政策", 0.0), ("What is the town doing to boost tea sales?", "拓宽茶叶销路", 0.0),
    ("What was the reason sales fell?", "天气原因", 0.0), ("What were the company's sales last year?", "去年销量突破10万台", 0.0),
    ("What time does the night market open?", "夜市傍晚开市", 0.0), ("What are the opening hours?", "每天8:30—17:30", 0.0),
    ("What are the opening hours of the museum?", "博物馆藏品3000件", 1.0), ("What time is it?", "总投资3亿元", 1.0),
    ("What time does the museum open?", "The museum opens at 9 a.m.", 0.0),
    ("What time of year do the cranes arrive?", "每年11月", 0.0), ("Will the opening hours change during the holiday?", "照常营业", 0.0),
    ("What did the county flood control headquarters decide?", "县防汛抗旱指挥部决定", 0.0),      # 指挥部, no head office
    ("How did the team cope with altitude sickness?", "队员们克服了高原反应", 0.0),              # no altitude asked
    ("What is the population of Heping village?", "全村2100余人", 0.0),
    ("How much was spent on the elderly population?", "投入资金200万元", 0.0), ("What were the ticket sales?", "共售出门票3万张", 0.0),
    ("What are the ways to increase sales?", "拓宽茶叶销路", 0.0),
    # an attribute asked by its name: a main span is no 全长, a head office no town chosen
    ("How long is the main span of the Ningchuan River bridge?", "全长38.6公里", 1.0),
    ("Where is Hengyue headquartered?", "总部位于深圳", 0.0), ("How many people can the stadium hold?", "可容纳3000名观众", 0.0),
    ("How long does the drive between the two county seats take?", "车程40分钟", 0.0),
    # a quantity asked by its name, written under another: no GDP in an investment, no revenue in a count
    ("What was Weiling county's GDP last year?", "项目总投资8亿元", 1.0), ("What was the county's GDP?", "全县地区生产总值120亿元", 0.0),
    ("How much were the village's tea sales last year?", "茶园面积2000亩", 1.0),
    ("How much were the village's tea sales last year?", "茶叶销售额达860万元", 0.0),
    ("How high is the dam of Qingya Reservoir?", "全市87座小型水库完成汛前安全检查", 1.0), ("How high is the dam?", "坝高42米", 0.0),
    ("How high is the pass rate?", "合格率达到98%", 0.0), ("How high is the subsidy per household?", "每户补贴3000元", 0.0)])
def test_an_english_count_asked_in_a_unit_needs_a_number_in_it(question, text, missing):
    assert asked_for.unit_missing(question, text) == missing


@pytest.mark.parametrize("question, items", [
    ("农村公路养护第三批什么时候招标?", [(3, "批")]), ("第四标段的最高限价是多少?", [(4, "标段")]),
    ("二期工程什么时候完工?", [(2, "期")]), ("3号线什么时候开通?", [(3, "号线")]), ("一季度GDP多少?", [(1, "季度")]),
    ("第十二届运动会在哪举办?", [(12, "届")]),
    ("有一批人去了哪?", []), ("新一轮督导查出什么?", []), ("第一次去了哪里?", []),     # a measure, a time
    ("What is the maximum bid price for lot 5?", [(5, "标段")]), ("When does Line 3 open?", [(3, "号线")]),
    ("What did the third batch include?", [(3, "批")]), ("Who won at the 2024 edition?", []),      # a year
    ("上一期节目讲了什么?", []), ("五一期间去哪玩?", []), ("两期工程共投资多少?", []), ("7号线索是什么?", []),
    ("What did the second session of the 14th NPC pass?", []), ("What does Section 3 of the rules say?", []),
    ("the 2023 phase 2 works", [(2, "期")]),
    ("智慧交通系统二期项目中标金额是多少?", [(2, "期")]), ("一二期工程投资多少?", [(1, "期"), (2, "期")]),   # 统 is no 同
    ("新一期节目几点播?", []), ("任一标段都能投吗?", []), ("Is the city building two new schools?", []),
    ("Where is parking lot 2?", []), ("What is the cap for Bid Section 2?", [(2, "标段")]),
    ("2023年度森林防灭火先进个人有哪些?", [(2023, "年度")]), ("二〇二三年度先进个人有哪些?", [(2023, "年度")]),   # a year's edition
    ("本年度有多少人获奖?", []),
])
def test_the_numbered_things_a_question_asks_about(question, items):
    assert list(proper_names.numbered_items(question)) == items


def test_an_article_writing_a_numbered_thing_s_siblings_but_not_it():
    text = "临渚区2025年农村公路养护工程（第二批）已批准。| 一标段 | 28.6 | 二标段 | 31.2 | 三标段 | 19.5 |"
    assert proper_names.writes_numbered(text, (2, "批")) is True
    assert proper_names.writes_numbered(text, (3, "批")) is False        # 第二批 there, not 第三批
    assert proper_names.writes_numbered(text, (4, "标段")) is False
    assert proper_names.writes_numbered(text, (2, "期")) is None         # no 期 at all: says nothing
    assert proper_names.writes_numbered("首批专家驻点期满后，第二批将于9月出发", (1, "批")) is True   # 首批 is 第一批
    assert proper_names.numbered_items("首届运动会在哪举办?") == ((1, "届"),)
    assert proper_names.writes_numbered("授予8个单位“2024年度全市森林防灭火先进集体”称号", (2023, "年度")) is False
    assert proper_names.writes_numbered("二〇二三年度、2024年度先进个人", (2023, "年度")) is True
    # several numbers before one kind, listed or as a range (the review's cases)
    for text, item in [("本次招标划分为一至三标段", (2, "标段")), ("1-3标段", (2, "标段")), ("湿地公园一、二期工程", (1, "期")),
                       ("第一、第二批专家共24人", (1, "批")), ("第一批至第三批", (2, "批")),
                       ("地下二期停车场年底建成，一期已投用", (2, "期")), ("1号、2号楼已封顶", (1, "号楼")),
                       ("1号至3号楼", (2, "号楼")), ("一二期工程已完工，三期正在建设", (1, "期"))]:
        assert proper_names.writes_numbered(text, item) is True, text


def test_the_cities_a_text_names():
    assert proper_names.cities("协调市里有关部门，按照市委部署，全市夜市，鹿溪市召开会议，福州市") == ["鹿溪市", "福州市"]
    assert proper_names.cities("龙岩市召开会议，南通市") == ["龙岩市", "南通市"]     # dictionary words, but places


@pytest.mark.parametrize("question, text", [
    ("How many people attended in 2025?", "2025年共有500人参加"),   # a number of its own beside the asked year
    ("停水几天?", "停水三天"), ("几辆供水车?", "三辆供水车"), ("多少户?", "三千户"), ("How many wells were dug?", "共打井两口"),
    ("How many people came?", "万余人次"), ("How many people were injured?", "未造成人员伤亡"),
    ("How old is the temple?", "始建于明朝"), ("How many households?", "三分之一的农户"), ("How long did it take?", "用了半天")])
def test_a_passage_that_writes_a_number_in_any_form_is_not_missing_one(question, text):
    assert asked_for.number_missing(question, text) == 0.0


@pytest.mark.parametrize("question, text", [
    ("How many people attended in 2025?", "2025年参加的人很多"),    # only the question's own year
    ("How many households lost water?", "湖滨路、新民路沿线的居民小区"), ("二〇二五年有多少人参加?", "2025年的计划")])
def test_a_passage_that_writes_no_number_of_its_own_is_missing_one(question, text):
    assert asked_for.number_missing(question, text) == 1.0


@pytest.mark.parametrize("question, text, missing", [
    ("供水主管是什么时候爆裂的?", "险情发生后，市水务集团立即启动供水应急预案，组织抢修人员120余人", 1.0),   # a count, no time
    ("供水主管是什么时候爆裂的?", "7月12日凌晨2时许，供水主管突然爆裂", 0.0), ("寺庙建于哪一年?", "始建于明朝", 0.0),
    ("大桥什么时候通车?", "大桥预计年底建成通车", 0.0), ("When did the bridge open?", "大桥于二〇二三年十月通车", 0.0),
    ("When did the bridge open?", "大桥全长1.28公里，总投资9.6亿元", 1.0),
    ("大桥有多长?", "大桥全长1.28公里", 0.0), ("他干了多少年?", "全长1.28公里", 0.0),              # asks no time
    ("What did volunteers do when the flood came?", "志愿者搬运沙袋", 0.0), ("地铁几号线到?", "乘坐地铁", 0.0),
    ("水管是哪天修好的?", "次日，水管修复", 0.0), ("水管是哪天修好的?", "疫情期间，工作组驻守", 0.0),   # other ways to say when
    ("水管是哪天修好的?", "2023-10-15，水管修复", 0.0), ("水管是哪天修好的?", "八点半水管修复", 0.0),
    ("When was the pipe fixed?", "The pipe was fixed on October 15.", 0.0)])
def test_a_passage_that_writes_no_time_cannot_say_when(question, text, missing):
    assert asked_for.time_missing(question, text) == missing


@pytest.mark.parametrize("question, text, missing", [
    ("蓝焰救援队是哪一年成立的?", "蓝焰救援队成立于2015年", 0.0), ("汀湾实验中学是哪一年建校的?", "学校创办于1956年", 0.0),
    ("寺庙是哪个朝代修建的?", "始建于明朝", 0.0), ("When was the museum founded?", "博物馆于2008年建成开馆", 0.0),
    ("When was the reservoir built?", "水库1958年动工", 0.0), ("What year was the company established?", "公司前身是1992年的一家小厂", 0.0),
    ("蓝焰救援队是哪一年成立的?", "2025年4月22日，救援队参加了防汛演练，出动队员32人", 1.0),   # a time, no beginning
    ("When was Meiyang Township Health Centre founded?", "卫生院院长告诉记者，全乡还有乡村医生17人", 1.0),
    ("公司是哪一年成立的?", "公司由三位校友创办，主营环保材料", 1.0),                             # a beginning, no time
    ("公司有多少员工?", "公司现有员工300人", 0.0), ("谁成立了救援队?", "队员32人", 0.0),           # asks no founding date
    ("When did the festival open?", "节会于6月10日开幕", 0.0),
    # a completion or an opening asked is no founding: texts write it in many more ways
    ("体育馆什么时候建成?", "体育馆预计2026年6月完工并投入使用", 0.0), ("超市什么时候开业?", "超市将于5月1日正式营业", 0.0),
    ("When will the newly built bridge open to traffic?", "大桥将于国庆前通车", 0.0),
    ("When was the bridge built?", "大桥1998年通车", 0.0), ("In what year was the company founded?", "公司院长告诉记者", 1.0),
    ("公司是哪一年成立的?", "公司2010年在鹤浦注册", 0.0), ("枇杷节是哪一年创办的?", "枇杷节始于2005年", 0.0),
    ("When was the temple built?", "此寺为明代1420年所建", 0.0), ("两市什么时候建立友好城市关系?", "1995年缔结友好城市", 0.0)])
def test_a_passage_that_tells_no_beginning_cannot_say_when_something_was_founded(question, text, missing):
    assert asked_for.founding_missing(question, text) == missing


@pytest.mark.parametrize("question, text", [
    ("垣溪公路的设计单位是哪家?", "由省交通规划设计院设计"), ("芦洲大桥是哪家单位设计的?", "设计方为市政设计院"),
    ("鹭鸶岭水库加固工程的施工单位是哪家?", "由鹤浦水利水电工程有限公司施工"), ("朱坑大桥由哪家单位承建?", "中铁十二局负责建设"),
    ("监理单位是哪家?", "鹤浦华信工程监理有限公司"), ("梅源养老中心交给哪家公司运营?", "委托康颐养老服务有限公司运营"),
    ("枇杷节由哪个单位主办?", "由岚江县人民政府主办"), ("Who designed the ferry gallery?", "展廊由市规划设计院设计"),
    ("Which company built the bridge?", "由市路桥集团承建"), ("The bridge was designed by whom?", "大桥由同济大学设计"),
    ("Which companies built the bridge?", "由市路桥集团承建"), ("哪家公司承建了这座桥?", "由市路桥集团承建"),
    ("这个项目由谁投资建设?", "项目由恒锂新能源投资30亿元"), ("Who built the ancestral hall?", "祠堂为族人所建"),
    ("Who built the temple?", "由唐代高僧创建")])
def test_a_task_asked_who_did_is_missing_from_a_passage_that_writes_no_such_task(question, text):
    assert asked_for.task_missing(question, text) == 0.0
    assert asked_for.task_missing(question, "医疗队发放常用药品包1200份，为老人量血压") == 1.0


@pytest.mark.parametrize("question", ["乍都节公园是由谁捐献土地建造出来的?",        # the donor asked, not the builder
                                      "Who organised door-to-door checks in Zhoutou village?",   # who led
                                      "谁去了南通镇?", "设计有什么特点?", "Who runs the hospital?",
                                      "展馆有什么设计特色?", "养老中心采用什么运营模式?", "镇里有哪些建设项目?",
                                      "选了哪个设计方案?", "Who supervised the vote count?",        # 监理 is a project's only
                                      "Which company moved into the newly built industrial park?"])
def test_a_question_that_asks_no_one_s_task_misses_none(question):
    assert asked_for.task_missing(question, "医疗队发放常用药品包1200份，为老人量血压") == 0.0


# Each question that asks a post, with a passage that writes it and one that does not
POSTS_ASKED = [
    ("鹤浦市第三中学的校长是谁?", "校长周明说"), ("谁是桐洲实验中学的校长?", "校长周建华在典礼上致辞"),
    ("禾坪村支书叫什么?", "村党支部书记刘桂芳说"),                        # 支书, short for 支部书记
    ("禾坪村党支部书记是谁?", "村支书刘桂芳说"), ("上坊村的村长是谁?", "村委会主任李明说"),   # and the other way round
    ("三道沟村枸杞合作社理事长是谁?", "合作社理事长马某"), ("黄茅岭林场的场长是谁?", "场长韦某"),
    ("岱宁恒信工程咨询有限公司的法定代表人是谁?", "公司法人代表王某"), ("这起案件的法官是谁?", "审判长王某宣读了判决"),
    ("洪塘镇医疗队的队长是谁?", "洪塘镇医疗队由区人民医院内科主任黄志军带队"),
    ("Who is the principal of Zhekou Junior Middle School?", "校长张三"),
    ("Who’s the principal of Gongli College?", "公理書院校長李某"),          # a curly apostrophe; traditional characters
    ("Who is the Party secretary of Ruochuan town?", "镇党委书记李某"), ("Who is the Party chief of Heping village?", "村支书刘桂芳"),
    ("Who is the director of the Hengxin paper mill?", "厂长王某"),
    ("Who was the first deputy director of the National Central Library?", "副馆长"),
    ("Who is the leader of the Hongtang medical team?", "洪塘镇医疗队由黄志军带队"),
    ("Who were the judges of the oyster-opening contest?", "大赛评委由三位老渔民担任")]


@pytest.mark.parametrize("question, text", POSTS_ASKED)
def test_a_post_asked_is_missing_from_a_passage_that_writes_no_such_post(question, text):
    assert asked_for.post_missing(question, text) == 0.0
    assert asked_for.post_missing(question, "医疗队发放常用药品包1200份，新建食堂一座") == 1.0


@pytest.mark.parametrize("question", [
    "谁去了南通镇?", "苏健担任什么职务?", "Who went to Nantong town?", "Who is the young doctor learning from Lan Shoutian?",
    "刘德一拜了谁当老师?", "他的老师是谁?",                                  # whom he learnt from: 师从...
    "谁任职时间最长?", "这名女孩的家长是谁?", "他的兄长是谁?",                  # a 长 that is no post
    "Who is the leader in the points race?", "Who is the director in charge of the project?",
    "Who is the prİncipal of the school?", "(校长)", "长是谁?"])
def test_a_question_that_asks_no_one_s_post_misses_none(question):
    assert asked_for.post_missing(question, "医疗队发放常用药品包1200份，新建食堂一座") == 0.0


@pytest.mark.parametrize("question, text", [
    ("邱晓峰毕业于哪所大学?", "毕业于福建医科大学"), ("他在哪所大学任教?", "他在厦大任教"), ("哪所大学毕业的?", "澜屿卫生学院"),
    ("他毕业于哪所学校?", "他毕业于鹤浦一中"), ("哪一所学校开学最早?", "凤岗镇中心小学今年新分配教师7名"),
    ("他去了哪家医院?", "坪岭镇卫生院"), ("梅源养老中心交给哪家公司运营?", "委托澄川康颐养老服务有限公司运营"),
    ("哪家公司承建?", "由中建三局承建"), ("《夏日旋律》是由哪个公司发行的游戏?", "日本AcaciaSoft于2007年1月26日发售"), ("哪家银行放贷?", "农行鹤浦支行"), ("他来自哪个村?", "下岐社区"), ("哪个村子?", "坪岭屯"),
    ("江艳去了台江区哪个社区参加抗疫?", "积极赴台江区水巷社区开展抗疫工作"), ("苏健去了哪个镇?", "支援闽侯县南通镇"),
    ("哪个乡镇受灾?", "坪岭街道"), ("青桠镇茶叶直播基地在哪条路上?", "位于云樟路88号"), ("哪条路封闭?", "沈海高速"),
    ("他在哪个县?", "福清市"), ("哪个公园?", "坪岭广场"), ("他毕业于哪所大学?", "他毕业于清华"), ("哪个区县受灾?", "闽侯县受灾最重"),
    ("Which university did Jiang Li graduate from?", "毕业于福建医科大学"), ("Which town did Su Jian go to?", "支援闽侯县南通镇"),
    ("What company is building the bridge?", "由市路桥集团承建"), ("Which villages were hit?", "下岐村"),
    ("他毕业于哪所大学?", "畢業於香港中文大學"), ("哪家银行放贷?", "匯豐銀行"),                   # traditional characters
    # an organisation asked, its kind before or after the which-word
    ("垣溪公路的设计单位是哪家?", "由省交通规划设计院设计"), ("芦洲大桥是哪家单位设计的?", "市交通运输局局长曾宪武介绍"),
    ("监理单位是哪一家?", "由鹤浦华信工程监理有限公司监理"), ("承建公司是哪家?", "中铁十二局集团承建"),
    ("芦洲大桥是哪家单位设计的?", "由市公路事业发展中心设计"), ("承建单位是哪家企业?", "由中建三局承建"),
    ("设计单位是哪家设计院?", "省交通规划设计院"), ("设计单位是哪家.", "省交通规划设计院")])
def test_a_kind_asked_which_of_is_missing_from_a_passage_that_names_none(question, text):
    assert asked_for.kind_missing(question, text) == 0.0
    assert asked_for.kind_missing(question, "医疗队发放常用药品包1200份，为老人量血压，报道称") == 1.0


@pytest.mark.parametrize("text", ["工人们站在桥面上", "大桥位于市中心", "文化礼堂大厅", "记者从网站获悉"])
def test_words_that_hold_an_organisation_s_character_name_none(text):
    assert asked_for.kind_missing("芦洲大桥是哪家单位设计的?", text) == 1.0


@pytest.mark.parametrize("question", [
    "哪个区域受灾最重?", "哪里的医院好?", "哪个学校的老师获奖?", "哪个村民获奖?", "哪个村干部获奖?",
    "哪家企业捐款最多?",                                                       # a brand names no kind
    "What school supplies are needed?", "Which school year is it?", "What school of thought does he follow?",
    "Which bank of the river flooded?", "What firm measures were taken?", "Which company chairman spoke?",
    "Which village roads were repaired?", "Which county-level city is it?",
    "他是哪个单位的?", "单位是哪家的?", "设计单位是谁?",                           # whose, or no which-word
    "医院哪个科室接诊最多?", "公司哪个部门负责?"])                               # the kind's part asked
def test_a_question_that_asks_no_kind_misses_none(question):
    assert asked_for.kind_missing(question, "医疗队发放常用药品包1200份，为老人量血压") == 0.0


@pytest.mark.parametrize("text, went", [("支援闽侯县南通镇开展疫情防控工作", True), ("积极赴台江区水巷社区开展抗疫工作", True),
                                        ("继续转战晋安区新店镇", True), ("主动下沉到王庄街道办事处", True),
                                        ("累计接诊患者860人次", False), ("南通镇深入开展人居环境整治", False),   # no going
                                        ("全镇上下全力以赴抗击疫情", False), ("提供技术支援", False), ("下沉式广场投入使用", False),
                                        ("禁止前往南通镇", False), ("去年南通镇完成整治", False), ("春节来到之际", False)])
def test_a_question_s_went_is_answered_by_the_words_news_uses_for_going(text, went):
    assert implied_words.went_words("谁去了南通镇?", ["谁", "去", "南通镇"], text) == (frozenset({"去"}) if went else frozenset())
    assert implied_words.went_words("谁支援了南通镇?", ["谁", "支援", "南通镇"], text) == frozenset()       # 去 not asked


def test_either_script_matches_a_traditional_form_also_inside_a_character_class():
    assert asked_for._either_script("校长|[长书]") == "校[长長]|[长長书書]"
    assert re.search(asked_for._either_script("[一二]组"), "三二組")


def test_a_question_s_去_that_is_no_going_is_not_implied():
    assert implied_words.went_words("如何去除甲醛?", ["如何", "去", "除甲醛"], "支援闽侯县南通镇") == frozenset()
    assert implied_words.went_words("他去过哪些地方?", ["他", "去过", "哪些", "地方"], "支援闽侯县南通镇") == frozenset({"去过"})


def test_words_that_ask_no_count_ask_no_number():
    for question in ("为什么几乎所有居民都停水了?", "茶几在哪里买?", "寥寥无几的人来了吗?", "How farmers in Qingya cope with drought?",
                     "How highly do residents rate the clinic?", "Why did a number of villagers complain?",
                     "How much did the flood affect the town?"):
        assert not asked_for.asks_number(question), question
    assert asked_for.asks_number("几个村停水了?") and asked_for.asks_number("How much did the bridge cost?")


def test_two_institutions_joined_by_and_stay_two():
    two = proper_names.english_institution_names("Did Lanzhou No. 1 Middle School and Yangang Middle School play?")
    assert [(i.words, i.number) for i in two] == [(("lanzhou",), 1), (("yangang",), None)]
    one = proper_names.english_institution_names("Who works at the Qingyuan County Maternal and Child Health Hospital?")
    assert [i.words for i in one] == [("qingyuan",)]


def test_english_matches_do_not_depend_on_the_hash_seed():
    """going and went share a dictionary form (go): which of them 去 matches was a set's order, so a
    question's coverage changed from one process to the next."""
    import subprocess
    import sys

    code = ("import json, sys; sys.path.insert(0, '.'); from bot import english; print(json.dumps(english.latin_matches("
            "'Where was he going when he went to Nantong town?', '他去了南通镇'), sort_keys=True))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(1, 9)}
    assert len(seen) == 1 and '"going"' in seen.pop(), seen


@pytest.mark.parametrize("terms, implied", [
    (["她", "后来", "去", "哪里"], {"后来"}), (["他", "现在", "哪里", "工作"], {"现在"}), (["他", "曾经", "担任", "职务"], {"曾经"}),
    (["学校", "几个", "校区"], set()), (["后来居上"], set())])     # a word that only holds one is no time word
def test_a_question_s_time_relative_to_something_is_answered_without_being_written(terms, implied):
    assert implied_words.relative_time_words(terms) == frozenset(implied)


@pytest.mark.parametrize("question, frame", [
    ("黎埠段改建工程投了多少钱?", {"投了", "钱"}), ("卖假保健品的黄某某判了几年?", {"判", "几年"}),
    ("抢修供水主干管用了多长时间?", {"多长", "时间", "长时间", "多长时间"}),
    ("南通镇有多少人?", {"人"}),                                   # not 镇, which 南通镇 also writes
    # what the count is of is no verb: 黎埠镇 and 桐山镇 stay the topic
    ("现在从城区开车到黎埠镇要多久?", {"多久"}), ("桐山镇多少天没下雨了?", {"天"}),
    ("上洋镇强降雨中遇难了多少人?", {"人"}),                  # a verb the text does not share says what is counted
    ("多少年轻人回乡创业?", set()), ("面积是多少?", set())])      # no count in a unit asked
def test_how_a_count_is_asked_is_no_topic_where_the_passage_gives_one(question, frame):
    # news words the verb its own way (总投资4.37亿元, 判处有期徒刑三年): the count in its unit answers it
    terms = segment.words(question)
    assert implied_words.quantity_words(question, terms, "历时3年10小时5天，总投资100元，转移群众200人，判处有期徒刑三年") \
        == frozenset(frame)
    assert implied_words.quantity_words(question, terms, "工程进展顺利") == frozenset()


def test_a_count_s_verb_is_read_only_just_before_the_count():
    # the 难 of 困难 is no 遇难: what is counted stays the topic
    question = "上洋镇强降雨中遇难了多少人?"
    assert implied_words.quantity_words(question, segment.words(question), "转移群众200人，帮助受灾群众解决困难") == {"人"}
    question = "黎埠段改建工程投了多少钱?"
    assert implied_words.quantity_words(question, segment.words(question), "工程总投资4.37亿元") == {"投了", "钱"}


def test_a_year_s_edition_is_written_by_its_year_and_read_in_one_pass():
    import time

    assert proper_names.writes_numbered("2023年先进个人名单公布。下一步将制定2024年度工作计划", (2023, "年度")) is True
    assert proper_names.writes_numbered("二〇二二至二〇二四年度", (2023, "年度")) is True
    assert proper_names.numbered_items("20年度报告?") == () and proper_names.numbered_items("连续3年度获评?") == ()
    start = time.perf_counter()   # a list of years before 年 was split every way: seconds
    proper_names.writes_numbered("该单位" + "、".join(str(y) for y in range(2000, 2023)) + "年连续获评先进", (2023, "年度"))
    assert time.perf_counter() - start < 0.5
