"""What is called an answer (Hit.relevant) with the real default model and real indexes:
several answers, nonsense, near-misses on look-alike articles, follow-ups (issue 11)."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot import answer
from bot.conversation import Conversation

pytestmark = pytest.mark.slow

LOOKALIKE = Path(__file__).resolve().parent.parent / "bench" / "data" / "lookalike"


def assert_not_answered(retriever, question: str):
    hits = retriever.search(question, k=3)
    assert not any(h.relevant for h in hits), [(h.text[:14], h.confidence) for h in hits]


def assert_answered_first(retriever, question: str, hint: str):
    """The first hit answers `question` and holds `hint`."""
    hits = retriever.search(question, k=3)
    assert hits[0].relevant and hint in hits[0].text, [(h.text[:14], h.confidence) for h in hits]


def people(hits):
    return [h.section.split(" ")[0] for h in hits]


@pytest.fixture(scope="module")
def lookalike_retriever(tmp_path_factory):
    """Six short synthetic news articles about similar officials, towns and railways."""
    from bot import Retriever, build_index

    index_dir = tmp_path_factory.mktemp("lookalike") / "index"
    build_index([LOOKALIKE], index_dir=index_dir)
    return Retriever.load(index_dir)


@pytest.mark.parametrize("question, mode", [("谁去了南通镇?", "hybrid"), ("Who went to Nantong town?", "hybrid"),
                                            ("Who went to Nantong town?", "dense")])
def test_both_people_who_went_to_nantong_are_answers(seed_retriever, question, mode):
    # dense: 蔡敏 third, the English calibration's rank had put her under 0.7 of 苏健 (0.38 -> 0.07)
    hits = seed_retriever.search(question, k=5, mode=mode)
    answers = [h for h in hits if h.relevant]
    assert sorted(people(answers)) == ["苏健", "蔡敏"], [(h.section, h.confidence) for h in hits]
    assert all("南通镇" in h.text for h in answers)          # no bystander counted among them
    if mode == "dense":
        return
    low, high = sorted(h.confidence for h in answers)
    # above the bar, comparable (both 0.46 after the news-weighted refit of 2026-12-04 morning; both 0.41
    # in Chinese since the unit-aware refit of that evening, 0.46 / 0.61 in English: a small margin)
    assert low >= answer.RELEVANT_AT + 0.05 and low >= 0.6 * high


@pytest.mark.parametrize("question, person, hint", [("江艳去了哪个社区?", "江艳", "水巷社区"), ("苏健去了哪里?", "苏健", "南通镇")])
def test_a_question_in_everyday_words_is_answered_by_the_passage_in_news_words(seed_retriever, question, person, hint):
    # 去 is not the article's word: it writes 赴, 支援, 转战
    hits = seed_retriever.search(question, k=3)
    answers = [h for h in hits if h.relevant]
    assert answers and person in answers[0].section and hint in answers[0].text, [(h.text[:14], h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["谁去了白沙镇?", "Who went to Baisha town?", "Who went to Baisha Town?",
                                      "Who went to Jiangbian Town?"])
def test_a_town_the_seed_does_not_name_is_not_answered(seed_retriever, question):
    # "Baisha Town" capitalised was read as no name at all (0.21), as "Jiangbian Town" (0.42)
    hits = seed_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["Which cadre went to the Lianjiang County Flood Control Office?",
                                      "Who went to the Pingtan County Housing Bureau?"])
def test_a_county_the_seed_does_not_name_is_read_inside_an_offices_name(seed_retriever, question):
    # The capitalised run went on past "County" into English words: no name was read (0.26, 0.17)
    hits = seed_retriever.search(question, k=5)
    assert all(h.evidence.absent for h in hits) and not any(h.relevant for h in hits), \
        [(h.section, h.confidence) for h in hits]
    held = seed_retriever.search("Who helped the Minhou County Epidemic Prevention Office?", k=5)
    assert not any(h.evidence.absent for h in held)     # the seed's own county (闽侯县) is no near miss


@pytest.mark.parametrize("question", ["今天天气怎么样", "红烧肉怎么做?", "哈哈哈哈", "讲个笑话吧",
                                      "asdf 今天吃什么", "x光 是什么", "xxxxxxxxxx", "asdf qwer zxcv",
                                      "lorem ipsum dolor sit amet", "qwertyuiop zzzz"])
def test_nonsense_and_off_topic_questions_are_not_answered(seed_retriever, question):
    hits = seed_retriever.search(question, k=5)
    assert hits and not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["test", "Test test", "testing", "测试测试"])
def test_a_word_typed_to_try_the_bot_is_not_answered_though_the_article_has_it(seed_retriever, question):
    # the seed article holds 检测 ("test", as in 核酸检测): "test" alone was 0.40, "Test test" 0.35
    hits = seed_retriever.search(question, k=5)
    assert hits and not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["南通镇", "Nantong", "苏健", "核酸检测"])
def test_a_name_or_a_topic_alone_is_a_lookup_and_is_answered(seed_retriever, question):
    hits = seed_retriever.search(question, k=5)
    assert any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["Tell me a story", "Thank you very much",    # answered before (0.85, 0.46)
                                      "What is the capital of France?", "Who won the World Cup in 2018?",
                                      "What's your name?", "Tell me a joke"])
def test_off_topic_english_questions_in_real_words_are_not_answered(seed_retriever, lookalike_retriever, question):
    # Each shares a common word or two with the articles' glosses ("story", "thank", "capital", "2018"):
    # the English calibration weighs what matched by how rare it is in general use.
    for retriever in (seed_retriever, lookalike_retriever):
        hits = retriever.search(question, k=5)
        assert not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, person", [("苏健在南通镇负责什么?", "苏健"), ("苏健在哪个镇?", "苏健")])
def test_a_name_followed_by_a_word_jieba_joins_it_to_is_still_the_name(seed_retriever, question, person):
    # jieba alone reads 苏健在 as 苏 + 健在 (alive): the name was lost (confidence 0.04 before)
    hits = seed_retriever.search(question, k=3)
    assert hits[0].relevant and people(hits[:1]) == [person], [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["How long is the Fuping railway?", "Which railway is 88 kilometres long?"])
def test_english_numbers_and_british_spellings_are_words(lookalike_retriever, question):
    # "88" and "kilometres" are in no CC-CEDICT sense: they once counted as gibberish (confidence 0)
    hits = lookalike_retriever.search(question, k=5)
    assert hits[0].evidence.unknown < answer.LATIN_GIBBERISH_AT and hits[0].confidence > 0.05
    assert "福平" in hits[0].title


@pytest.mark.parametrize("question", ["兴泉铁路全长多少公里?", "谁去了连江县丹阳镇?", "南屿镇常住人口有多少?"])
def test_a_near_miss_on_look_alike_articles_is_not_answered(lookalike_retriever, question):
    # The corpus has 福平铁路 and 合福铁路, 琯头镇 and 起步镇, 城门镇: not these.
    hits = lookalike_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.title, h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, hint", [("福平铁路全长多少公里?", "88公里"),
                                            ("城门镇常住人口有多少?", "12万"),
                                            ("谁去了琯头镇?", "琯头镇"),     # the tagger cuts 琯 头镇
                                            ("Who went to Guantou town?", "琯头镇")])   # the index: 琯 头 镇
def test_the_look_alike_that_is_there_is_answered(lookalike_retriever, question, hint):
    hits = lookalike_retriever.search(question, k=5)
    assert any(h.relevant and hint in h.text for h in hits), [(h.text[:20], h.confidence) for h in hits]


SIBLINGS = """区卫健局两支医疗队驻镇服务

日期:2023-01-09 来源:区卫生健康局

元旦以来,区卫健局组建两支医疗队,分别进驻洪塘镇和南通镇,为村民提供上门诊疗服务。

洪塘镇医疗队由区人民医院内科主任黄志军带队。医疗队为全镇老人建立健康档案,发放常用药品包1200份。

南通镇医疗队由区中医院副院长邓秀琴带队。医疗队在镇卫生院开设夜间门诊,累计接诊患者860人次。
"""


def retriever_of(tmp_path_factory, name: str, files: dict[str, str]):
    """A real index of `files` ({file name: text}) in a fresh folder, and its Retriever."""
    from bot import Retriever, build_index

    root = tmp_path_factory.mktemp(name)
    (root / "data").mkdir()
    for file, text in files.items():
        (root / "data" / file).write_text(text, encoding="utf-8")
    build_index([root / "data"], index_dir=root / "index")
    return Retriever.load(root / "index")


@pytest.fixture(scope="module")
def siblings_retriever(tmp_path_factory):
    """One short article about two look-alike teams in two towns, written for this test."""
    return retriever_of(tmp_path_factory, "siblings", {"teams.txt": SIBLINGS})


@pytest.mark.parametrize("question", ["建新镇医疗队发放了多少药品包?", "盖山镇医疗队是谁带队的?",
                                      "黄志强带队去了哪个镇?", "Who led the medical team in Gaishan town?",
                                      "How many medicine packs did the Jianxin town medical team hand out?"])
def test_a_question_naming_a_town_or_person_the_articles_never_mention_is_not_answered(siblings_retriever, question):
    hits = siblings_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.text[:24], h.confidence, h.evidence.absent) for h in hits]


@pytest.mark.parametrize("question, hint", [("洪塘镇医疗队发放了多少药品包?", "1200份"),
                                            ("南通镇医疗队是谁带队的?", "邓秀琴"),
                                            ("黄志军带队去了哪个镇?", "洪塘镇"),
                                            ("Who led the medical team in Hongtang town?", "黄志军"),
                                            ("How many patients did the Nantong town medical team see?", "860")])
def test_the_same_questions_about_the_town_or_person_that_is_there_are_answered(siblings_retriever, question, hint):
    hits = siblings_retriever.search(question, k=5)
    assert any(h.relevant and hint in h.text for h in hits), [(h.text[:24], h.confidence) for h in hits]


# Two short articles written for this test, both titled by a town. The first is a report on
# three people under one title; only one of them went to 江边镇. The second is about its town
# throughout: its parts (一、古民居修缮) do not name it again, and need not.
TITLED = {
    "flood.txt": """江边镇防汛一线见闻——记县水利局下沉干部

日期:2024-07-08 来源:县水利局

连日强降雨导致赣江水位持续上涨。县水利局抽调4名干部下沉一线，协助乡镇开展防汛工作。

谭国栋 工程管理股股长

谭国栋同志驻守江边镇，带领12名队员24小时巡查18公里堤防，发现并处置管涌险情3处。

方晓梅 水政监察大队副大队长

方晓梅同志在石湾乡组织转移低洼地带群众460人，并协调调运沙袋1.2万条。

邱志远 农村水利股股长

邱志远同志负责上游白鹭水库的安全度汛，每两小时上报一次库区水位。
""",
    "town.txt": """嵩口镇：千年古镇焕新颜

日期:2024-05-12 来源:县融媒体中心

近年来，县里把古镇保护与乡村振兴结合起来，老街新貌吸引了越来越多的游客。

一、古民居修缮

按照“修旧如旧”的原则，全镇已修缮古民居46座，恢复青石板街巷2.3公里，老街沿线的电线全部入地。

二、特色产业

依托米粿、竹编等传统手艺，培育特色小吃店和手工作坊32家，去年接待游客41万人次，旅游收入1.6亿元。
""",
    "drought.txt": """龙门镇抗旱保供水纪实

日期:2024-08-20 来源:县水务局

今夏持续高温少雨，县水务局派出两名干部协助基层抗旱保供水。

一、罗志刚 供水股股长

罗志刚同志驻守龙门镇，组织送水车每天送水80吨，保障3200名群众的饮用水。

二、韦丽萍 水资源股副股长

韦丽萍同志在邻县的龙潭村指导打井5眼，新增日供水能力600吨。
""",
}


@pytest.fixture(scope="module")
def titled_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "titled", TITLED)


@pytest.mark.parametrize("question", ["谁去了江边镇?", "Who went to Jiangbian town?"])
def test_people_under_a_title_naming_the_town_who_did_not_go_there_are_not_answers(titled_retriever, question):
    # The title's 江边镇 stands over every section; only 谭国栋's says he went there (both were 0.81,
    # and in English 方晓梅 came first at 0.68)
    hits = titled_retriever.search(question, k=5)
    by_person = {h.section.split(" ")[0]: h for h in hits if h.section}
    assert "方晓梅" in by_person, [h.section for h in hits]
    assert not any(by_person[p].relevant for p in ("方晓梅", "邱志远") if p in by_person), \
        [(h.section, h.confidence) for h in hits]
    if question.startswith("谁"):
        assert by_person["谭国栋"].relevant, [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["谁去了龙门镇?", "Who went to Longmen town?"])
def test_numbered_sections_headed_by_people_are_read_as_theirs(titled_retriever, question):
    # 一、罗志刚 ... / 二、韦丽萍 ...: the numbering hides no name; only 罗志刚's part says he went to
    # 龙门镇, the title reaches 韦丽萍's too (she was 0.21, in English 0.26, while the numbering hid her name)
    hits = titled_retriever.search(question, k=5)
    by_person = {h.section.split(" ")[0][2:]: h for h in hits if h.section.startswith(("一、", "二、"))}
    assert by_person["罗志刚"].relevant, [(h.section, h.confidence) for h in hits]
    assert by_person["韦丽萍"].confidence < answer.RELEVANT_AT / 2, [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, person", [("罗志刚担任什么职务?", "罗志刚"), ("方晓梅的职务是什么?", "方晓梅"),
                                              ("罗志刚现任何职?", "罗志刚")])
def test_a_post_asked_is_answered_by_the_heading_that_names_it(titled_retriever, question, person):
    # the heading (罗志刚 供水股股长) says it; no article writes 担任 or 职务 (罗志刚 was 0.12; 方晓梅 0.46, just above the bar, is 0.77)
    hit = titled_retriever.search(question, k=5)[0]
    assert person in hit.section and hit.relevant, (hit.section, hit.confidence)


@pytest.mark.parametrize("question", ["王建国担任什么职务?", "罗志刚的爱好是什么?", "他担任什么职务?", "谁担任什么职务?"])
def test_a_post_or_more_of_someone_the_folder_does_not_hold_is_not_answered(titled_retriever, question):
    assert not any(h.relevant for h in titled_retriever.search(question, k=5))


def test_the_part_of_an_article_that_holds_what_is_asked_is_the_answer_not_its_siblings(titled_retriever):
    # Every part of 嵩口镇's article is about 嵩口镇; only 二、特色产业 writes 接待游客...人次 (its sibling
    # 一、古民居修缮 was 0.58, an answer beside the right one: `heading_only`)
    hits = titled_retriever.search("嵩口镇去年接待游客多少人次?", k=5)
    by_section = {h.section: h for h in hits if h.section}
    assert by_section["二、特色产业"].relevant, [(h.section, h.confidence) for h in hits]
    assert not by_section["一、古民居修缮"].relevant, [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, hint", [("嵩口镇修缮了多少座古民居?", "46座"),
                                            ("嵩口镇去年接待游客多少人次?", "41万人次")])
def test_a_part_of_an_article_about_the_titles_town_answers_without_naming_it(titled_retriever, question, hint):
    hits = titled_retriever.search(question, k=5)
    assert hint in hits[0].text and hits[0].relevant, [(h.section, h.text[:20], h.confidence) for h in hits]


# One subject, four paragraphs (written for this test): every paragraph is close to any question on the bridge.
BRIDGE = {
    "bridge.txt": """青溪大桥主桥顺利合龙

日期:2024-11-02 来源:市交通运输局

11月1日上午10时，随着最后一节钢箱梁精准吊装到位，青溪大桥主桥顺利合龙，比原计划提前15天。

青溪大桥全长1.28公里，主跨280米，是连接东岸新区和老城区的重要通道，总投资9.6亿元。

施工期间，项目部克服汛期水位上涨、高温天气等不利因素，投入施工人员600余名、大型设备40多台套。

按照计划，大桥将于明年5月建成通车，届时两岸通行时间将由40分钟缩短至8分钟。
""",
    "school.txt": """东岸新区第一小学开工建设

日期:2024-10-10 来源:东岸新区管委会

东岸新区第一小学项目开工，规划办学规模36个班，可提供学位1620个，计划2026年秋季投入使用。
""",
}


@pytest.fixture(scope="module")
def bridge_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "bridge", BRIDGE)


@pytest.mark.parametrize("question, hint", [("青溪大桥施工投入了多少人?", "600余名"),
                                            ("青溪大桥主桥是什么时候合龙的?", "11月1日")])
def test_paragraphs_of_the_answers_article_well_below_it_are_not_answers(bridge_retriever, question, hint):
    # Before answer.SIBLING_RATIO every paragraph of the bridge's article was an answer to each
    # question (0.36-0.84); only the one that says it, and a close second, are
    hits = bridge_retriever.search(question, k=5)
    assert hint in hits[0].text and hits[0].relevant, [(h.text[:12], h.confidence) for h in hits]
    others = [h for h in hits[1:] if h.relevant]
    assert len(others) <= 1, [(h.text[:12], h.confidence) for h in hits]
    assert all(h.confidence >= answer.SIBLING_RATIO * hits[0].confidence for h in others)


def test_a_far_sibling_is_scaled_down_a_close_one_and_other_articles_are_not():
    e = answer.Evidence(cosine=0.9, coverage=1.0, key=1.0, novel=0.0, latin=False)
    best = answer.confidence(e)
    near = answer.Evidence(cosine=0.9, coverage=0.6, key=1.0, novel=0.0, latin=False)
    far = answer.Evidence(cosine=0.886, coverage=0.6, key=1.0, novel=0.0, latin=False)
    alone = [answer.confidence(x) for x in (e, near, far)]
    assert alone[1] >= answer.SIBLING_RATIO * best > alone[2] > answer.RELEVANT_AT, alone
    same = answer.with_peers([e, near, far], ["a", "a", "a"])
    assert same[:2] == alone[:2] and same[2] < 0.5 * alone[2]
    assert answer.with_peers([e, near, far], ["a", "b", "c"]) == alone



def test_a_passage_that_writes_no_time_asked_when_is_the_answer_s_neighbour_below_its_article_s_best():
    # about 0.9 of the best keeps its confidence as a neighbour, but not when it writes no time and "when" was
    # asked; the article's best, a passage of another article and a peer in another person's part keep theirs
    best = answer.Evidence(cosine=0.9, coverage=1.0, key=1.0, novel=0.0, latin=False)
    close = answer.Evidence(cosine=0.9, coverage=0.9, key=1.0, novel=0.0, latin=False)
    untimed = replace(close, time_missing=1.0)
    alone = [answer.confidence(x) for x in (best, close)]
    assert 0.85 * alone[0] < alone[1] < alone[0] and alone[1] > answer.RELEVANT_AT, alone
    assert answer.with_peers([best, close], ["a", "a"]) == alone
    scaled = answer.with_peers([best, untimed], ["a", "a"])
    assert scaled[0] == alone[0] and scaled[1] < 0.6 * alone[1], scaled   # (0.95 of the best) ** 12
    assert answer.with_peers([best, untimed], ["a", "b"]) == alone
    assert answer.with_peers([replace(best, time_missing=1.0), close], ["a", "a"])[0] == alone[0]
    peer = replace(best, cosine=0.89, time_missing=1.0)     # as fully the question's words, in 蔡敏's part
    assert answer.with_peers([best, peer], ["a", "a"], people=["苏健", "蔡敏"])[1] >= answer.confidence(peer)


def test_a_peer_is_judged_as_the_best_only_in_another_article_or_person_s_section():
    best = answer.Evidence(cosine=0.9, coverage=1.0, key=1.0, novel=0.0, latin=False)
    tied = answer.Evidence(cosine=0.885, coverage=1.0, key=1.0, novel=0.0, latin=False)
    alone = [answer.confidence(x) for x in (best, tied)]
    assert alone[1] < alone[0], alone
    # 苏健 and 蔡敏 under their own headings: both answers, judged alike
    assert answer.with_peers([best, tied], ["a", "a"], people=["苏健", "蔡敏"]) == [alone[0], alone[0]]
    assert answer.with_peers([best, tied], ["a", "b"], people=[None, None]) == [alone[0], alone[0]]
    # two paragraphs of one article (or of one person's part): the other keeps its own confidence
    assert answer.with_peers([best, tied], ["a", "a"], people=[None, None]) == alone
    assert answer.with_peers([best, tied], ["a", "a"], people=["苏健", "苏健"]) == alone


def test_lines_of_two_jsonl_files_with_one_id_are_two_articles(tmp_path_factory):
    # A .jsonl line's doc_id is its `id`, and two exports may both start at 1: the two people who
    # went to 南通镇 are then two articles' answers, as with ids that differ (with_peers lifts a
    # tie only in another article; the same article's paragraph would stay below the bar).
    one = '{"id": "1", "title": "%s", "text": "%s"}\n'
    first = one % ("苏健驻守南通镇", "6月以来，市水利局苏健同志驻守闽侯县南通镇，带领镇村干部巡查河堤12公里，排查险情隐患5处。")
    second = one % ("防汛工作组到岗", "市应急局蔡敏同志到闽侯县南通镇驻点，协助转移低洼地带群众230人，整治隐患点3处。")
    same = retriever_of(tmp_path_factory, "same-id", {"a.jsonl": first, "b.jsonl": second})
    apart = retriever_of(tmp_path_factory, "other-id", {"a.jsonl": first, "b.jsonl": second.replace('"1"', '"2"')})
    question = "谁去了南通镇?"
    got = {h.text[:6]: (h.confidence, h.relevant) for h in same.search(question, k=2)}
    want = {h.text[:6]: (h.confidence, h.relevant) for h in apart.search(question, k=2)}
    assert got == want and all(relevant for _, relevant in want.values()), (got, want)
    assert [h.doc_id for h in same.search(question, k=2)] == ["1", "1"]   # the two share an id

# Two short articles written for this test: one hospital and one school of a city that has others.
INSTITUTIONS = {
    "hospital.txt": """鹿溪市第二人民医院开设甲状腺专病门诊

本报讯 为方便群众就医，鹿溪市第二人民医院内分泌科自3月起开设甲状腺专病门诊，每周二、周四上午由主任医师坐诊，年均开展甲状腺结节热消融手术420例。
""",
    "school.txt": """桐洲实验中学举行开学典礼

9月1日上午，桐洲实验中学举行2025—2026学年开学典礼，全校2860名师生参加。今年学校共招收初一新生960人，编为20个教学班。
""",
}


@pytest.fixture(scope="module")
def institutions_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "institutions", INSTITUTIONS)


@pytest.mark.parametrize("question", ["鹿溪市第一人民医院的甲状腺专病门诊是哪天?", "鹿溪市第三医院一年做多少例甲状腺热消融?",
                                      "桐洲第二中学今年招了多少初一新生?"])
def test_a_sibling_of_a_named_hospital_or_school_is_not_answered(institutions_retriever, question):
    # every word of these is the index's (第一, 人民医院, 桐洲, 中学): only the whole name is not
    assert_not_answered(institutions_retriever, question)


@pytest.mark.parametrize("question, hint", [("鹿溪市第二人民医院的甲状腺专病门诊是哪天?", "每周二"),
                                            ("第二医院一年做多少例甲状腺热消融?", "420例"),
                                            ("桐洲实验中学今年招了多少初一新生?", "960人")])
def test_the_named_hospital_or_school_itself_is_answered(institutions_retriever, question, hint):
    assert_answered_first(institutions_retriever, question, hint)


@pytest.mark.parametrize("question", ["Which days is the thyroid clinic at Luxi No. 1 People's Hospital open?",
                                      "How many new first-year students did Tongzhou No. 2 Middle School take this year?"])
def test_an_english_question_on_a_sibling_hospital_or_school_is_not_answered(institutions_retriever, question):
    assert_not_answered(institutions_retriever, question)


@pytest.mark.parametrize("question, hint", [
    ("Which days is the thyroid clinic at Luxi No. 2 People's Hospital open?", "每周二"),
    ("How many new first-year students did Tongzhou Experimental Middle School take this year?", "960人")])
def test_an_english_question_on_the_named_hospital_or_school_itself_is_answered(institutions_retriever, question, hint):
    assert_answered_first(institutions_retriever, question, hint)


# Three short articles written for this test: only the school's opening names its principal; the library's and
# the canteen's never write a 馆长 or 校长, though everything else a question on them asks is there.
POSTS = {
    "school.txt": INSTITUTIONS["school.txt"] + "\n校长周建华在典礼上致辞，勉励新生珍惜时光。学校今年新建的综合实验楼也正式投入使用。\n",
    "library.txt": """鹭江图书馆新馆开放

本报讯 经过两年建设，鹭江图书馆新馆于10月8日正式对外开放。新馆建筑面积1.2万平方米，藏书80万册，设有少儿阅览室、古籍修复室和24小时自助借阅区。

开馆首日共接待读者3600人次。图书馆还推出了“阅读打卡”活动，读者每月借阅满5本可获赠文创书签。
""",
    "canteen.txt": """临川第三中学新食堂投入使用

临川第三中学新建的学生食堂本学期投入使用。食堂共3层，建筑面积4600平方米，可同时容纳1800名学生就餐，总投资2100万元。
""",
}


@pytest.fixture(scope="module")
def posts_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "posts", POSTS)


@pytest.mark.parametrize("question", ["鹭江图书馆的馆长是谁?", "Who is the director of Lujiang Library?",
                                      "临川第三中学的校长是谁?", "Who is the principal of Linchuan No. 3 Middle School?"])
def test_who_holds_a_post_no_article_writes_is_not_answered(posts_retriever, question):
    assert_not_answered(posts_retriever, question)


@pytest.mark.parametrize("question", ["桐洲实验中学的校长是谁?", "谁是桐洲实验中学的校长?",
                                      "Who is the principal of Tongzhou Experimental Middle School?"])
def test_who_holds_a_post_is_answered_by_the_passage_that_writes_it_alone(posts_retriever, question):
    hits = posts_retriever.search(question, k=3)
    answers = [h for h in hits if h.relevant]
    assert answers and all("周建华" in h.text for h in answers), [(h.text[:14], h.confidence) for h in hits]


@pytest.mark.parametrize("question", ["周建华毕业于哪所大学?", "Which university did Zhou Jianhua graduate from?",
                                      "桐洲实验中学的新生来自哪个村?", "临川第三中学新食堂由哪家公司承建?"])
def test_which_one_of_a_kind_no_article_names_is_not_answered(posts_retriever, question):
    assert_not_answered(posts_retriever, question)


@pytest.mark.parametrize("question, hint", [("哪家医院开设了甲状腺专病门诊?", "每周二"),
                                            ("Which hospital opened a thyroid clinic?", "每周二"),
                                            ("哪所学校今年招收了960名初一新生?", "960人")])
def test_which_one_of_a_kind_is_answered_by_the_passage_that_names_it(institutions_retriever, question, hint):
    assert_answered_first(institutions_retriever, question, hint)


@pytest.mark.parametrize("question, hint", [("临川第三中学新食堂能容纳多少人?", "1800名"), ("鹭江图书馆藏书多少册?", "80万册")])
def test_what_the_articles_do_say_of_them_is_answered(posts_retriever, question, hint):
    assert_answered_first(posts_retriever, question, hint)


# A digest of town news written for this test: its title joins the stories' headlines, and one of them
# names a street (西岭老街) that the story on the market does not.
DIGEST = {"towns.txt": """镇街简讯｜东湖镇农贸市场改造完工；西岭老街夜市开市

【东湖镇】历时5个月的东湖镇农贸市场改造工程近日完工。市场新设摊位120个，铺设防滑地砖3000块，环境卫生明显改善。

【西岭镇】8月1日晚，西岭老街夜市正式开市。夜市设摊位60个，经营小吃和手工艺品，营业至晚上11点。
"""}


@pytest.fixture(scope="module")
def digest_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "digest", DIGEST)


def test_a_digest_s_title_does_not_answer_for_the_story_that_does_not_say_it(digest_retriever):
    # Before: the title's 西岭老街 named a street for the market's story (0.9)
    assert_not_answered(digest_retriever, "东湖镇农贸市场在哪条路上?")


@pytest.mark.parametrize("question, hint", [("东湖镇农贸市场新设了多少个摊位?", "120个"), ("西岭老街夜市营业到几点?", "11点")])
def test_what_a_digest_s_stories_say_is_answered(digest_retriever, question, hint):
    assert_answered_first(digest_retriever, question, hint)


# A court's report written for this test: two enforcement drives alike but for their month.
DRIVES = {"court.txt": """市法院两次集中执行行动成效明显

5月，市人民法院开展“春雷”集中执行行动，抽调执行干警60余人，分成8个小组，对拒不履行生效判决的被执行人开展集中清查，
共执结案件52件，执行到位金额1360万元，其中涉民生案件19件。

9月，市人民法院开展“秋风”集中执行行动，联合公安、银行等部门开展凌晨突击执行，对失信被执行人实施联合惩戒，
共执结案件86件，执行到位金额2140万元，拘留拒不履行义务的被执行人7人。
"""}


@pytest.fixture(scope="module")
def drives_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "drives", DRIVES)


@pytest.mark.parametrize("question, hint, other", [
    ("How much money did the court recover in its September enforcement drive?", "2140万元", "1360万元"),
    ("How many cases did the court close in its enforcement drive in May?", "52件", "86件")])
def test_the_month_an_english_question_names_picks_its_passage(drives_retriever, question, hint, other):
    # "September" matched nothing in 9月: the two drives were told apart by the dense side alone, which
    # put May's first (May's question guards the other way: the dense side has it first already). Neither is
    # an answer here: recover, enforcement, drive match no word of theirs.
    hits = drives_retriever.search(question, k=2)
    named = next(h for h in hits if hint in h.text)
    assert hits[0] is named and all(named.confidence > h.confidence for h in hits if other in h.text), \
        [(h.text[:12], h.confidence) for h in hits]


# Two reports written for this test: one dates when a team arrived, the other counts how long it stayed.
STAYS = {"team_a.txt": """水利工作组驻守上洋镇

6月9日以来，市水利局工作组驻守上洋镇，协助排查水库和山塘隐患点32处。工作组白天巡查堤坝，夜间值守水位监测点，
指导镇里修订了防汛应急预案，并为村级防汛队伍开展培训4场。镇党委书记说，工作组来了以后，群众心里更踏实了。
""", "team_b.txt": """农业工作组驻守下岙镇

市农业农村局工作组在下岙镇连续驻守12天，帮助农户抢收早稻1800亩。工作组协调收割机20台，分片包干到村，
并联系粮食收购企业上门收购，解决了农户卖粮难的问题。
"""}


@pytest.fixture(scope="module")
def stays_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "stays", STAYS)


def test_a_date_is_no_count_of_days(stays_retriever):
    # Before: 9日 of 6月9日 counted as days. (The passage is still answered, 0.51: on a folder of two articles
    # it is the only one on that team and town, and the Chinese calibration weighs a missing count at -2.0.)
    dated = stays_retriever.search("水利局工作组在上洋镇驻守了多少天?", k=3)[0]
    counted = stays_retriever.search("农业农村局工作组在下岙镇驻守了多少天?", k=3)[0]
    assert "6月9日" in dated.text and dated.evidence.unit_missing == 1.0
    assert counted.relevant and "12天" in counted.text and counted.evidence.unit_missing == 0.0


# An article that writes a school's full name, and another: a question asks it as news shortens it (三中).
SHORT_FORMS = {
    "canteen.txt": """鹤浦市第三中学新食堂投入使用

在鹤浦市第三中学，督查组察看了今年暑假竣工的新学生食堂。新食堂共3层，建筑面积4600平方米，总投资2100万元，可同时容纳1800名学生就餐。
""",
    "tea.txt": """禾坪村茶产业带动村民增收

禾坪村位于碧潭乡东北部，今年全村新增茶园200亩，村集体收入突破80万元，村里计划把老祠堂改建成茶文化展示馆。
""",
}


def test_a_short_form_the_passage_writes_in_full_is_no_word_the_index_lacks(tmp_path_factory):
    # 三中 is written nowhere, 第三中学 is: found in the passage as its short form (though jieba tags 三中 a
    # name), it is no novel word there (the small index lacks 花 and 钱 too: they still are)
    hits = retriever_of(tmp_path_factory, "short-forms", SHORT_FORMS).search("三中的新食堂花了多少钱?", k=3)
    assert hits[0].evidence.novel < hits[1].evidence.novel, [(h.text[:14], h.evidence.novel) for h in hits]
    assert hits[0].relevant and "2100万元" in hits[0].text, [(h.text[:14], h.confidence) for h in hits]


# One report on four doctors, each part headed by its person (written for this test): two county hospitals, two
# township health centres, every county and 人民医院 written in someone's part.
DOCTORS = {"doctors.txt": """市人民医院专家下沉基层——记医联体帮扶团队

今年4月起，市人民医院选派4名专家到县级医院和乡镇卫生院开展为期半年的驻点帮扶。

周明华 心血管内科主任

周明华同志驻点青川县人民医院。他带领当地医生完成冠脉介入手术35台，建起了全县第一个胸痛中心。

林晓雯 麻醉科副主任

林晓雯同志帮扶石岭县人民医院。她推动开设麻醉门诊，半年来开展无痛分娩120例。

郑国平 康复医学科主治医师

郑国平同志驻点石岭县枫林乡卫生院，利用闲置房屋建成康复治疗室，累计服务600余人次。

吴丽娟 全科医学科主治医师

吴丽娟同志驻点江口县白沙乡卫生院，为全乡高血压患者逐一建档，每周坐诊三天。
"""}


@pytest.fixture(scope="module")
def doctors_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "doctors", DOCTORS)


@pytest.mark.parametrize("question", ["青川县人民医院开展了多少例无痛分娩?", "石岭县人民医院完成了多少台冠脉介入手术?",
                                      "谁驻点江口县人民医院?"])
def test_a_hospital_asked_of_the_part_of_someone_who_went_to_another_is_not_answered(doctors_retriever, question):
    # 青川县人民医院 is 周明华's part's, the painless deliveries 林晓雯's at 石岭县's; 江口县 has only a
    # township health centre. Without reading a county's 人民医院 as its own and who of the report writes
    # it, the second was answered by 林晓雯's part and the third by 吴丽娟's (0.6-0.7)
    hits = doctors_retriever.search(question, k=3)
    assert not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, person", [("石岭县人民医院开展了多少例无痛分娩?", "林晓雯"),
                                              ("青川县人民医院完成了多少台冠脉介入手术?", "周明华"),
                                              ("谁驻点石岭县人民医院?", "林晓雯"), ("谁驻点江口县白沙乡卫生院?", "吴丽娟"),
                                              ("青川县胸痛中心是谁建起的?", "周明华"),
                                              ("How many painless deliveries did Shiling County People's Hospital "
                                               "carry out?", "林晓雯")])
def test_the_part_of_the_person_at_the_hospital_asked_is_the_answer(doctors_retriever, question, person):
    # the answers are that person's part alone: not another's in the same county (郑国平, 驻点石岭县, was
    # first at 0.84 for 谁驻点石岭县人民医院?), nor the report's opening (0.79)
    hits = doctors_retriever.search(question, k=4)
    answers = [h for h in hits if h.relevant]
    assert answers and all(person in h.section for h in answers), [(h.section, h.confidence) for h in hits]


def test_what_the_report_s_opening_says_of_them_all_is_not_taken_from_it_by_a_name(doctors_retriever):
    # 为期半年 is the opening's, which names none of them: a question naming one is not sent to that person's part
    for question in ("周明华的驻点帮扶为期多久?", "How long did Zhou Minghua's assistance last?"):
        with_name = {h.section: h.evidence.elsewhere for h in doctors_retriever.search(question, k=5)}
        assert with_name[""] == 0.0, (question, with_name)


# Three short articles written for this test: each district's news names the others' nowhere.
DISTRICTS = {
    "water.txt": """鼓楼区抢修供水主干管

11月24日晚,鼓楼区温泉街道一条直径800毫米的供水主干管爆裂,约1.5万户居民用水受到影响。市自来水公司调派抢修人员46名,连续奋战14个小时完成管道更换。
""",
    "market.txt": """台江区开展农贸市场专项检查

福州市台江区市场监管局检查农贸市场12家,在宁化街道农贸市场发现两户经营户未能提供猪肉检疫证明,已责令下架并立案调查。
""",
    "school.txt": """晋安区山区学校营养午餐全覆盖

晋安区教育局副局长郑丽走访宦溪镇中心小学。今年起晋安区13所山区学校实现营养午餐全覆盖,每名学生每天补助5元。
""",
}


@pytest.fixture(scope="module")
def districts_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "districts", DISTRICTS)


@pytest.mark.parametrize("question", ["鼓楼区农贸市场检查发现了什么问题?", "台江区供水主干管爆裂影响了多少户居民?",
                                      "鼓楼区学生营养午餐每天补助多少钱?"])
def test_a_question_naming_a_district_the_index_holds_in_another_article_is_not_answered(districts_retriever,
                                                                                        question):
    # The name is there (so not `absent`), but only in another district's article.
    hits = districts_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.title, h.confidence, h.evidence.elsewhere) for h in hits]


@pytest.mark.parametrize("question, hint", [("台江区农贸市场检查发现了什么问题?", "检疫证明"),
                                            ("鼓楼区供水主干管爆裂影响了多少户居民?", "1.5万户"),
                                            ("晋安区学生营养午餐每天补助多少钱?", "5元")])
def test_the_same_questions_about_the_district_whose_article_it_is_are_answered(districts_retriever, question, hint):
    hits = districts_retriever.search(question, k=5)
    assert any(h.relevant and hint in h.text for h in hits), [(h.title, h.confidence) for h in hits]


# A town's drill, and a water notice for other places: a question on the town's water cut names the
# town the drill's article writes, and asks what only the notice says.
TOPICS = {
    "drill.txt": """青石镇开展山洪灾害避险转移演练

6月12日上午，青石镇在溪口村开展山洪灾害避险转移演练。镇村干部、民兵应急分队等6支队伍共120余人参加，演练共转移群众86人，用时40分钟，全部安置到镇中心小学。
""",
    "water.txt": """北湖区部分区域停水通知

因供水管网改造施工，9月3日8:00至18:00，北湖区湖滨路、新民路沿线区域将暂停供水，请居民提前储水。停水期间，在湖滨社区设置临时供水点。
""",
}


@pytest.fixture(scope="module")
def topics_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "topics", TOPICS)


def test_a_question_on_what_another_article_says_of_other_places_is_not_answered(topics_retriever):
    # 青石镇 and 溪口村 are the drill's; 停水 is written only in the notice, which names other places (the
    # drill's passage was 0.39 sure without `topic_elsewhere`)
    hits = topics_retriever.search("青石镇溪口村什么时候停水?", k=5)
    assert not any(h.relevant for h in hits), [(h.text[:12], h.confidence, h.evidence.topic_elsewhere) for h in hits]
    drill = next(h for h in hits if "演练" in h.text)
    assert drill.evidence.topic_elsewhere == 1.0 and drill.evidence.elsewhere == 0.0


def test_an_english_question_on_what_another_article_says_of_other_places_is_not_answered(topics_retriever):
    # "suspended" (暂停) and "water supply" (供水, a sense of two words) are written only in the notice; the drill's
    # passage was 0.36 sure without weighing it
    hits = topics_retriever.search("When will the water supply be suspended in Qingshi town?", k=5)
    assert not any(h.relevant for h in hits), [(h.text[:12], h.confidence, h.evidence.topic_elsewhere) for h in hits]
    drill = next(h for h in hits if "演练" in h.text)
    assert drill.evidence.topic_elsewhere == 1.0 and drill.evidence.elsewhere == 0.0
    assert_answered_first(topics_retriever, "When will the water supply be suspended in Beihu district?", "9月3日")


# Two reports: flood duty in one town, school buses checked in another
DUTIES = {"flood.txt": """石门镇防汛一线见闻

开学前夕，区应急管理局干部方志远来到石门镇，逐一检查全镇的山塘、河堤和学校周边的防汛隐患点，检查抢险车辆12辆，协助转移受威胁群众45人。
""", "school.txt": """沙河镇开展开学安全检查

区教育局安全稳定科林晓梅负责沙河镇的开学检查。她把校车安全作为重点，逐辆检查全镇26辆校车的车况和安全设备。
"""}


def test_an_english_question_on_what_another_part_says_of_its_own_town_is_not_answered(tmp_path_factory):
    # "school buses" (校车: a sense of two words) is written only in 沙河镇's article; 石门镇's, which checks other
    # vehicles, was 0.57 sure without weighing it (0.32 with)
    duties = retriever_of(tmp_path_factory, "duties", DUTIES)
    hits = duties.search("How many school buses were checked in Shimen town?", k=3)
    assert not any(h.relevant for h in hits), [(h.section, h.confidence, h.evidence.topic_elsewhere) for h in hits]
    assert_answered_first(duties, "How many school buses were checked in Shahe town?", "26辆校车")


@pytest.mark.parametrize("question, hint", [("北湖区什么时候停水?", "9月3日"), ("青石镇演练转移了多少群众?", "86人")])
def test_the_questions_on_what_each_article_says_are_answered(topics_retriever, question, hint):
    hits = topics_retriever.search(question, k=5)
    assert hits[0].relevant and hint in hits[0].text, [(h.text[:12], h.confidence) for h in hits]
    assert hits[0].evidence.topic_elsewhere == 0.0


@pytest.mark.parametrize("question", ["What problems did the farmers' market inspection in Gulou district find?",
                                      "How many households lost water when the main burst in Taijiang district?",
                                      "How much is the daily lunch subsidy per student in Gulou district?"])
def test_an_english_question_naming_a_district_held_in_another_article_is_not_answered(districts_retriever,
                                                                                        question):
    # Gulou (鼓楼区) is spelled only in the water main's article: was answered by the market's (0.6)
    hits = districts_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.title, h.confidence, h.evidence.elsewhere) for h in hits]


@pytest.mark.parametrize("question, hint", [
    ("What problems did the farmers' market inspection in Taijiang district find?", "检疫证明"),
    ("How many households lost water when the main burst in Gulou district?", "1.5万户"),
    # Fuzhou (福州) is written only in the market's article: the city is not what is asked about
    ("How many households lost water when the main burst in Gulou district, Fuzhou?", "1.5万户"),
    ("How much is the daily lunch subsidy per student in Jin'an district?", "5元")])
def test_the_same_english_questions_about_the_district_whose_article_it_is_are_answered(districts_retriever,
                                                                                         question, hint):
    hits = districts_retriever.search(question, k=5)
    assert any(h.relevant and hint in h.text for h in hits), [(h.title, h.confidence) for h in hits]


def test_the_city_before_the_district_does_not_make_the_districts_article_elsewhere(districts_retriever):
    # 福州市 is written only in another district's article; the district says which article (was 0.53 vs 0.98)
    with_city = districts_retriever.search("福州市鼓楼区供水主干管爆裂影响了多少户居民?", k=1)[0]
    without = districts_retriever.search("鼓楼区供水主干管爆裂影响了多少户居民?", k=1)[0]
    assert "1.5万户" in with_city.text and with_city.confidence >= 0.8 * without.confidence


@pytest.mark.parametrize("question", ["What did Wang Lei do in Nantong town?", "What did Li Ming do in Nantong town?",
                                      "What was Wang Lei's job in Nantong town?", "What is Wang Lei's position?"])
def test_an_english_name_of_one_syllable_words_the_articles_never_mention_is_not_answered(seed_retriever, question):
    # A surname and a one-character given name (王磊, 李明): no such person is in the seed. The
    # name was not checked (a lone syllable could be any character): 苏健's passage got 0.63.
    # ("Wang Lei's": the 's is no other spelling going on, as the -hsiang of Yang Chao-hsiang is.)
    hits = seed_retriever.search(question, k=5)
    assert not any(h.relevant for h in hits), [(h.section, h.confidence, h.evidence.absent) for h in hits]
    assert all(h.evidence.absent for h in hits)


def test_an_english_name_whose_given_name_is_someone_elses_is_not_answered(tmp_path):
    # The articles name 郑海燕 (Zheng Haiyan), head of a division; 海燕 is also a word, so the
    # index held "haiyan" and Lin Haiyan counted as there (0.38, an answer).
    from bot import Retriever, build_index

    build_index([LOOKALIKE.parent / "lookalike_fit"], index_dir=tmp_path / "index")
    hits = Retriever.load(tmp_path / "index").search("Which division does Lin Haiyan head?", k=5)
    assert not any(h.relevant for h in hits), [(h.text[:20], h.confidence, h.evidence.absent) for h in hits]


@pytest.mark.parametrize("question, person", [("What did Su Jian do in Nantong town?", "苏健"),
                                              ("What did Cai Min do in Nantong town?", "蔡敏"),
                                              ("What did Jiang Yan do?", "江艳")])
def test_an_english_name_of_one_syllable_words_that_is_there_is_answered(seed_retriever, question, person):
    hits = seed_retriever.search(question, k=5)
    assert hits[0].relevant and people(hits[:1]) == [person], [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, person", [("What did Su Jian do in Nantong town?", "苏健"),
                                              ("What did Cai Min do in Nantong town?", "蔡敏"),
                                              ("What was Su Jian's role in Nantong town?", "苏健")])
def test_an_english_question_naming_one_person_does_not_count_another_who_was_there(seed_retriever, question, person):
    # "su" and "min" alone are common words, so Nantong was the question's rarest word and the other
    # person's passage, which holds it, was an answer too (0.50): a name's words are as rare as the name.
    hits = seed_retriever.search(question, k=5)
    answers = [h for h in hits if h.relevant]
    assert answers and set(people(answers)) == {person}, [(h.section, h.confidence) for h in hits]


SPLIT_NAME = """蒋家旻带队支援洪塘镇

日期:2023-01-10 来源:区卫生健康局

区中医院护士长蒋家旻带领12名医护人员进驻洪塘镇,开展核酸采样工作,累计采样3.2万人次。
"""


def test_an_english_name_jieba_cut_across_words_is_found(tmp_path):
    # jieba cuts 蒋家旻 as 蒋家 / 旻, so no word of the index spells "jiangjiamin": the name counted as
    # one the articles never mention (absent) and the right passage got 0.02.
    from bot import Retriever, build_index

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "team.txt").write_text(SPLIT_NAME, encoding="utf-8")
    build_index([tmp_path / "data"], index_dir=tmp_path / "index")
    hits = Retriever.load(tmp_path / "index").search("Which town did Jiang Jiamin lead the medical staff to?", k=3)
    assert hits[0].evidence.absent == 0 and hits[0].relevant, [(h.text[:20], h.confidence) for h in hits]


@pytest.mark.parametrize("topic, follow_up, person, hint", [
    ("谁去了南通镇?", "她带领团队做了什么?", "蔡敏", "临时党支部"),
    ("Who went to Nantong town?", "Where did she go after that?", "蔡敏", "新店镇"),
    # (谁带领50名干部支援保利香槟国际小区? / 他每天做什么? was here: 0.37 before the unit-aware refit of
    # 2026-12-04 evening, 0.31 after it; its passage holds neither 每天 nor 做)
])
def test_a_follow_up_is_answered_with_a_confidence_above_the_bar(seed_retriever, topic, follow_up, person, hint):
    # Before: a follow-up's hits were judged on its own words (0-12%), so none was an answer.
    conv = Conversation(seed_retriever)
    conv.ask(topic, k=3)
    turn = conv.ask(follow_up, k=3)
    assert turn.follows == topic
    answers = [h for h in turn.hits if h.relevant]
    assert any(p == person and hint in h.text for p, h in zip(people(answers), answers)), \
        [(h.section, h.confidence, h.text[:20]) for h in turn.hits]
    assert all(p in ("苏健", "蔡敏", "胡铭") for p in people(answers))


@pytest.mark.parametrize("follow_up", ["她的电话号码是多少?", "他毕业于哪所大学?"])
def test_a_follow_up_the_section_does_not_answer_is_not_answered(seed_retriever, follow_up):
    # The section's name is written in, not its whole heading, whose words match it by construction.
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask(follow_up, k=3)
    assert turn.follows and not any(h.relevant for h in turn.hits), [(h.section, h.confidence) for h in turn.hits]


@pytest.mark.parametrize("follow_up, person, hint", [("她后来去了哪里?", "蔡敏", "新店镇"),
                                                  ("Where did she go afterwards?", "蔡敏", "新店镇"),
                                                  # what the shown passage answers, or no "later" at all
                                                  ("她后来在洲头村还做了什么?", "蔡敏", "洲头村"),
                                                  ("Who worked next to her in Zhoutou village?", "蔡敏", "洲头村"),
                                                  ("她以后还会去南通镇吗?", "蔡敏", "南通镇"),
                                                  # his shown passage goes on itself: 完成支援南通镇任务后,他立即转战...
                                                  ("他后来去了哪里?", "苏健", "新店镇")])
def test_a_follow_up_asking_what_came_later_is_answered_by_the_sequel(seed_retriever, follow_up, person, hint):
    # 她后来去了哪里? was answered by the passage already shown (南通镇, 0.45; 新店镇's 0.21): both hold her name and
    # 去 alike, and the shown one is nearer the question. "Later" asks past the answer shown.
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask(follow_up, k=3)
    first = next(h for h in turn.hits if h.relevant)
    assert people([first]) == [person] and hint in first.text, [(h.section, h.confidence, h.text[:12]) for h in turn.hits]


@pytest.mark.parametrize("follow_up", ["她之后做了什么?", "她回来之后去了哪里?"])
def test_a_later_follow_up_in_other_words_gets_the_sequel(seed_retriever, follow_up):
    # 她之后做了什么? kept the passage shown: its 做法 holds 做, which the sequel does not write (a common word);
    # 回来之后 was not read as asking what came later.
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask(follow_up, k=3)
    assert "新店镇" in turn.hits[0].text and turn.hits[0].relevant, [(h.text[:12], h.confidence) for h in turn.hits]


def test_a_later_follow_up_asked_for_one_passage_gets_the_sequel(seed_retriever):
    # The next paragraph was traded with only when it was among the k hits judged: with k = 1 the one card was
    # the passage already shown (南通镇).
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask("她后来去了哪里?", k=1)
    assert len(turn.hits) == 1 and "新店镇" in turn.hits[0].text and turn.hits[0].relevant, \
        [(h.text[:12], h.confidence) for h in turn.hits]


MEMOIR = """纺织女工的半生

日期：2021-03-08 来源：枫林县融媒体中心

1978年，18岁的王秀英进了县纺织厂，在细纱车间当挡车工。

她后来去了上海，在一家服装厂做了十年质检员。之后，她又回到枫林县，开了一家裁缝铺。

如今，王秀英的裁缝铺已经开了二十多年，街坊邻居的衣服大多出自她手。
"""


@pytest.fixture(scope="module")
def memoir_retriever(tmp_path_factory):
    from conftest import DATA, SEED_NAME

    seed = (DATA / SEED_NAME).read_text(encoding="utf-8")
    return retriever_of(tmp_path_factory, "memoir", {SEED_NAME: seed, "memoir.txt": MEMOIR})


@pytest.mark.parametrize("question", ["之后呢?", "后来呢?", "她后来去了哪里?", "Where did she go afterwards?",
                                      "他担任什么职务?"])
def test_a_question_that_only_refers_back_is_not_answered_when_asked_first(memoir_retriever, question):
    # Asked with nothing before it (a script, the CLI, a chat's first message), "she" is nobody; a memoir's 她后来去了上海
    # was 0.75 sure for 她后来去了哪里? (0.86 in English). Its passages are still listed, that one first.
    hits = memoir_retriever.search(question, k=3)
    assert hits and not any(h.relevant for h in hits), [(h.text[:12], h.confidence) for h in hits]
    turn = Conversation(memoir_retriever).ask(question, k=3)
    assert turn.follows is None and not any(h.relevant for h in turn.hits)
    conv = Conversation(memoir_retriever)
    conv.ask("王秀英在纺织厂做什么工作?", k=3)
    assert any(h.relevant for h in conv.ask("她后来去了哪里?", k=3).hits)   # with a topic, she is 王秀英


def test_a_passage_in_two_copies_of_an_article_is_shown_once(tmp_path_factory):
    # The same file saved twice with a line changed is two articles; its passages were listed (and answered) twice
    from conftest import DATA, SEED_NAME

    seed = (DATA / SEED_NAME).read_text(encoding="utf-8")
    retriever = retriever_of(tmp_path_factory, "copies", {SEED_NAME: seed, "copy.txt": seed + "\n（本文有删改）\n"})
    hits = retriever.search("谁去了南通镇?", k=5)
    assert len(hits) == 5 and len({h.text for h in hits}) == 5, [(h.source, h.text[:10]) for h in hits]
    assert {h.section.split()[0] for h in hits if h.relevant} == {"苏健", "蔡敏"}


@pytest.mark.parametrize("follow_up", ["後來呢?", "還有誰?", "她後來去了哪裡?"])
def test_a_follow_up_in_traditional_characters_is_read_with_its_topic(seed_retriever, follow_up):
    # 後來呢? was read on its own (the openings were simplified only), then named nothing: no answer at all
    conv = Conversation(seed_retriever)
    conv.ask("誰去了南通鎮?", k=3)
    turn = conv.ask(follow_up, k=3)
    assert turn.follows == "誰去了南通鎮?" and any(h.relevant for h in turn.hits), \
        [(h.section, h.confidence) for h in turn.hits]


@pytest.mark.parametrize("question, people", [("誰去了南通鎮?", {"苏健", "蔡敏"}), ("蔡敏帶領團隊做了什麼?", {"蔡敏"}),
                                              ("蘇健擔任什麼職務?", {"苏健"})])
def test_a_question_in_traditional_characters_is_answered_from_simplified_articles(seed_retriever, question, people):
    # 誰去了南通鎮? was 0.01 sure of either person: no word of it is the index's
    hits = seed_retriever.search(question, k=3)
    assert {h.section.split()[0] for h in hits if h.relevant} == people, [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("question, nothing", [
    ("之后呢?", True), ("她后来去了哪个镇?", True), ("那位医生叫什么名字?", True), ("What about her?", True),
    ("她在南通镇做了什么?", False), ("他们在防汛工作中做了什么?", False), ("What did she do about the flood?", False),
    ("What about Su Jian?", False), ("What about London?", False), ("And John?", False), ("後來呢?", True),
    ("谁去了南通镇?", False), ("Who went to Nantong town?", False)])
def test_which_questions_name_nothing_but_what_they_refer_back_to(question, nothing):
    from bot import references

    assert references.names_nothing(question) is nothing


def test_how_far_a_passage_stands_out_is_measured_from_the_whole_index_whatever_is_asked_for(memoir_retriever):
    # Evidence.lead (measured, not weighed: bench/separation.py) must not move with the number of passages asked
    # for, nor with the scope: the seed's file alone, of a folder of two, leaves the memoir's nearest passage out
    from bot import encoder as encoders

    retriever, question = memoir_retriever, "她后来去了哪里?"
    one, ten = retriever.search(question, k=1)[0], retriever.search(question, k=10)
    same = next(h for h in ten if h.passage_id == one.passage_id)
    assert one.evidence.lead == pytest.approx(same.evidence.lead) and one.confidence == pytest.approx(same.confidence)
    qvec = encoders.encode_queries(retriever.encoder, [question])[0]
    ids, nearest = retriever.dense.search(qvec, answer.LEAD_NEAREST)
    assert one.evidence.lead == pytest.approx(one.evidence.cosine - float(sorted(nearest)[len(nearest) // 2]), abs=1e-5)
    seed = next(h for h in ten if h.source != "memoir.txt")
    assert any(retriever.passages[i].source == "memoir.txt" for i in ids)    # the scope below leaves some out
    scoped = retriever.search(question, k=3, sources=[seed.source])
    assert {h.source for h in scoped} == {seed.source}
    assert next(h for h in scoped if h.passage_id == seed.passage_id).evidence.lead == pytest.approx(seed.evidence.lead)


def test_a_peer_judged_with_the_best_answers_cosine_takes_its_lead_too(monkeypatch):
    # the lead is measured from the cosine: a calibration weighing it (bench/separation.py tries one) must see the
    # best answer's lead beside its cosine, not the peer's own
    monkeypatch.setitem(answer.LATIN_CALIBRATION, "lead", 30.0)
    best = answer.Evidence(cosine=0.86, coverage=1.0, key=1.0, novel=0.0, latin=True, lead=0.03)
    peer = answer.Evidence(cosine=0.84, coverage=1.0, key=1.0, novel=0.0, latin=True, rank=1, lead=0.01)
    lifted = answer.with_peers([best, peer], ["a", "b"], people=[None, None])
    assert lifted[1] == pytest.approx(answer.confidence(replace(peer, cosine=0.86, lead=0.03, rank=0)))
    assert lifted[1] > answer.confidence(replace(peer, cosine=0.86, rank=0))


def test_a_question_whose_words_are_spread_over_the_parts_holds_for_each_part_with_the_opening_found_too(
        tmp_path_factory):
    # 关节置换手术 is 邓卫东's, 护理制度 朱敏's: neither part was told it lacks the other's word, until the report's opening
    # was among the hits (its unit held the whole article, every part's words included).
    retriever = retriever_of(tmp_path_factory, "specialists", SPECIALISTS)
    question = "宁川县人民医院开展了多少台关节置换手术，修订了多少项护理制度?"
    hits = {h.section.split()[0] if h.section else "": h for h in retriever.search(question, k=4)}
    assert "" in hits and hits[""].evidence.topic_elsewhere == 1.0, list(hits)    # the opening writes neither
    assert hits["邓卫东"].evidence.topic_elsewhere == 0.0 and hits["朱敏"].evidence.topic_elsewhere == 0.0
    assert hits["蒋丽"].evidence.topic_elsewhere == 1.0


# Two look-alike articles written for this test: one rescue team's drill (no word of its founding), another team's
# ten years, founded in 2014.
RESCUE_TEAMS = {"drill.txt": """蓝焰救援队开展水域救援演练

2025-06-12 来源:鹤浦日报

6月11日上午,蓝焰救援队在鹤江沙洲段开展水域救援演练,出动队员32人、冲锋舟4艘。演练模拟群众落水被困,队员们分组完成搜索、抛绳和转运。

蓝焰救援队队长林海峰介绍,今年汛期前,队伍已组织训练12次,新增潜水员5名,随时准备参与抢险救援。
""", "team.txt": """红岩救援队:十年守护一方平安

2025-05-20 来源:鹤浦日报

红岩救援队成立于2014年,由一群户外运动爱好者发起,现有队员86人,是全市第一支在民政部门登记的民间救援队。

十多年来,红岩救援队参与山地搜救、防汛抢险等救援行动200余次,救助群众500余人。
"""}


@pytest.mark.parametrize("question, answered", [("蓝焰救援队是哪一年成立的?", False), ("红岩救援队是哪一年成立的?", True),
                                                ("When was the Lanyan rescue team founded?", False),
                                                ("When was the Hongyan rescue team founded?", True)])
def test_a_founding_date_is_answered_only_by_a_passage_that_tells_the_founding(tmp_path_factory, question, answered):
    # The drill's passage (a date, the team's name) answered 蓝焰救援队是哪一年成立的? at 0.49, and 红岩's "ten years
    # on" paragraph, which tells no year of founding, counted as a second answer at 0.75.
    retriever = retriever_of(tmp_path_factory, "rescue", RESCUE_TEAMS)
    hits = retriever.search(question, k=3)
    answers = [h for h in hits if h.relevant]
    assert [("2014年" in h.text) for h in answers] == ([True] if answered else []), \
        [(h.text[:12], h.confidence) for h in hits]


# Two look-alike bridge stories written for this test: one names its builder only, the other its designer too.
BRIDGES = {"luzhou.txt": """芦洲大桥主桥顺利合龙

2025-08-16 来源:鹤浦日报

8月15日,横跨鹤江的芦洲大桥主桥顺利合龙。大桥全长1.28公里,由鹤浦路桥集团承建,总投资9.6亿元。

大桥建成后,芦洲镇群众进城将不再绕行,车程由40分钟缩短到10分钟。
""", "qingxi.txt": """青溪大桥开工建设

2025-03-02 来源:鹤浦日报

3月1日,青溪大桥正式开工。大桥全长860米,由省交通规划设计院设计,鹤江建工集团施工,计划2027年建成通车。

大桥通车后,青溪两岸群众往来将更加便捷。
"""}


@pytest.mark.parametrize("question, answered", [("芦洲大桥是哪家单位设计的?", False), ("青溪大桥是哪家单位设计的?", True),
                                                ("Who designed the Luzhou bridge?", False),
                                                ("Who designed the Qingxi bridge?", True), ("芦洲大桥由哪家单位承建?", True)])
def test_who_did_a_task_is_answered_only_by_a_passage_that_writes_that_task(tmp_path_factory, question, answered):
    # 芦洲大桥's story names its builder (鹤浦路桥集团承建), not a designer: it answered 哪家单位设计的? at 0.44, and
    # "Who designed the Luzhou bridge?" at 0.45.
    retriever = retriever_of(tmp_path_factory, "bridges", BRIDGES)
    hits = retriever.search(question, k=3)
    assert any(h.relevant for h in hits) == answered, [(h.text[:12], h.confidence) for h in hits]


# A report written for this test: three doctors, each one's part headed by their name; two at 宁川县人民医院 (unlike
# DOCTORS, where each hospital is one person's), one at 梅江县人民医院, where only she writes 无痛分娩.
SPECIALISTS = {"doctors.txt": """专家下沉见闻——市人民医院帮扶县级医院纪实

日期:2024-09-12 来源:市卫生健康委

今年3月起,市人民医院选派3名骨干医生赴县级医院开展为期半年的帮扶,把技术和服务送到群众家门口。

邓卫东 骨科副主任医师

邓卫东同志帮扶宁川县人民医院。半年来,他在宁川县人民医院开展关节置换手术36台,带教年轻医生8名,还利用周末跟随义诊队下乡巡诊。

蒋丽 麻醉科副主任

蒋丽同志帮扶梅江县人民医院。她推动医院开设麻醉门诊,与产科合作开展无痛分娩服务,半年来完成无痛分娩120例。

朱敏 护理部科护士长

朱敏同志负责宁川县人民医院的护理质量提升工作。她牵头修订护理制度和操作规范28项,培训护理人员200余人次。
"""}


@pytest.mark.parametrize("question, person", [("宁川县人民医院开展了多少例无痛分娩?", None),   # 蒋丽's, at 梅江
                                              ("梅江县人民医院完成了多少例无痛分娩?", "蒋丽"),
                                              ("宁川县人民医院开展了多少台关节置换手术?", "邓卫东"),
                                              ("朱敏修订了多少项护理制度?", "朱敏")])
def test_what_another_person_s_part_writes_is_not_this_one_s_answer(tmp_path_factory, question, person):
    # 邓卫东's part writes 宁川县人民医院, not 无痛分娩, which 蒋丽's part writes of another hospital: it was answered
    # at 0.54 (topic_elsewhere read whole articles, and the three parts are one article).
    retriever = retriever_of(tmp_path_factory, "specialists", SPECIALISTS)
    hits = retriever.search(question, k=4)
    answered = [h.section.split()[0] for h in hits if h.relevant]
    assert answered == ([person] if person else []), [(h.section[:4], h.confidence) for h in hits]


# A report written for this test, like the seed's but in other words: one person's sequel is the next paragraph,
# the other's is told in the paragraph that answers where she was stationed.
STATIONED = {"team.txt": """防汛一线的身影——记市直单位驻镇干部

日期:2024-07-28 来源:市应急管理局

王建平 市水利局副局长

7月10日,王建平同志带队驻守石门镇,组织排查山塘水库23座,督促整改隐患5处,指导镇里修订了防汛应急预案。

结束石门镇的驻守任务后,他又赶赴白岩乡,协助当地开展灾后重建,帮助修复水毁道路3公里。

刘芳 市卫生健康委医政科科长

刘芳同志带领医疗队驻守石门镇,在镇卫生院开设夜间门诊,累计接诊患者680人次。7月20日完成任务后,她立即转往青溪镇,开展灾后防疫消杀。

驻守期间,她还组织编写了防汛防疫手册,发放宣传资料3000份,培训村医42人。
"""}


def test_a_follow_up_on_a_person_whose_name_jieba_knows_is_judged_with_that_name(tmp_path_factory):
    # The heading 王建平 市水利局副局长 was named by its title's 驻镇 (jieba's dictionary holds 王建平, so the rarest word
    # was not taken for a name): 他后来去了哪里? was judged as 驻镇后来去了哪里? (0.11), nothing answered.
    retriever = retriever_of(tmp_path_factory, "stationed", STATIONED)
    conv = Conversation(retriever)
    conv.ask("谁驻守了石门镇?", k=4)
    turn = conv.ask("他后来去了哪里?", k=4)
    assert "白岩乡" in turn.hits[0].text and turn.hits[0].relevant, [(h.text[:12], h.confidence) for h in turn.hits]


def _hit(position, text, confidence, coverage, section="蔡敏 建筑节能与科技设计处处长", span=(0, 5)):
    from bot.retriever import Hit
    return Hit(doc_id="d", title="t", section=section, text=text, score=0.0, confidence=confidence, answer_span=span,
               source="a.txt", position=position, passage_id=position, relevant=confidence >= answer.RELEVANT_AT,
               coverage=coverage)


LATER = "她后来去了哪里?"


@pytest.mark.parametrize("question, shown_text, sequel_text, section, sequel_coverage, swapped", [
    (LATER, "作为组长,她带领团队驻守南通镇。", "支援闽侯归来,她继续转战新店镇。", "蔡敏 建筑节能与科技设计处处长", 1.0, True),
    (LATER, "她支援南通镇,完成任务后,她立即转战新店镇。", "支援闽侯归来,她继续转战新店镇。", "蔡敏 建筑节能与科技设计处处长",
     1.0, False),                                                  # the shown passage goes on itself
    (LATER, "作为组长,她带领团队驻守南通镇。", "驻守期间,她还编写了手册。", "蔡敏 建筑节能与科技设计处处长", 1.0, False),
    (LATER, "作为组长,她带领团队驻守南通镇。", "她说:“我们要继续努力。”", "蔡敏 建筑节能与科技设计处处长", 1.0, False),
    (LATER, "作为组长,她带领团队驻守南通镇。", "支援闽侯归来,她继续转战新店镇。", "会议要求", 1.0, False),   # no person's part
    ("她后来在南通镇还做了什么?", "作为组长,她带领团队驻守南通镇。", "支援闽侯归来,她继续转战新店镇。",
     "蔡敏 建筑节能与科技设计处处长", 0.6, False),                  # the sequel does not write 南通镇, a rare word asked
    ("她之后做了什么?", "她创新做法,驻守南通镇。", "支援闽侯归来,她继续转战新店镇。", "蔡敏 建筑节能与科技设计处处长", 0.8,
     True),                                                        # the sequel misses only 做, a common word
    ("她后来在社区还做了什么?", "作为组长,她深入社区排查隐患。", "支援闽侯归来,她继续转战新店镇。",
     "蔡敏 建筑节能与科技设计处处长", 0.6, False),                  # 社区 is no common word
    ("她后来在武汉还做了什么?", "作为组长,她驰援武汉。", "支援归来,她继续转战新店镇。",
     "蔡敏 建筑节能与科技设计处处长", 0.6, False),                  # nor a place's name, however common (武汉 7.8)
    ("What did she do in Nantong later?", "作为组长,她带领团队驻守南通镇。", "支援闽侯归来,她继续转战新店镇。",
     "蔡敏 建筑节能与科技设计处处长", 0.6, False)])                 # English: the words found, as fully or not
def test_a_later_follow_up_passes_to_the_sequel_only_in_a_person_s_part_that_goes_on_next(
        question, shown_text, sequel_text, section, sequel_coverage, swapped):
    from bot.conversation import _sequel_for_later

    shown = _hit(6, shown_text, 0.45, 1.0, section)
    hits = [shown, _hit(7, sequel_text, 0.21, sequel_coverage, section)]
    out = _sequel_for_later(question, hits, [shown])
    assert [h.confidence for h in out] == ([0.21, 0.45] if swapped else [0.45, 0.21])
    assert [h.relevant for h in out] == ([False, True] if swapped else [True, False])


@pytest.mark.parametrize("question, later", [("她后来去了哪里?", True), ("之后呢?", True), ("她随后做了什么?", True),
                                             ("Where did she go afterwards?", True), ("What did she do next?", True),
                                             ("她以后还会去南通镇吗?", False), ("他排在哪个人之后?", False),
                                             ("她连接着哪些社区?", False), ("Who sat next to her?", False),
                                             ("What will she do next year?", False),
                                             ("Did he stay later than the others?", False),
                                             ("她回来之后去了哪里?", True), ("他返回后做了什么?", True),
                                             ("What did she do after she came back?", True),
                                             ("Where did he go after returning?", True), ("她回来了吗?", False),
                                             ("Did she come back after the drill?", False),
                                             ("她回去以后还会再来南通镇吗?", False), ("他回来以后会住在哪里?", False),
                                             ("她回来之后主要做了什么?", True), ("她回来后加入了哪个协会?", True),
                                             ("她回来后要求大家做什么?", True)])
def test_which_follow_ups_ask_what_came_later(question, later):
    from bot.conversation import _ASKS_LATER

    assert bool(_ASKS_LATER.search(question)) == later


def test_a_follow_up_to_a_question_that_found_nothing_is_read_on_its_own(seed_retriever):
    conv = Conversation(seed_retriever)
    first = conv.ask("今天天气怎么样", k=3)
    assert not any(h.relevant for h in first.hits)
    turn = conv.ask("他带领多少名干部支援保利香槟国际小区?", k=3)
    assert turn.follows is None and people(turn.hits[:1]) == ["胡铭"]


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_single_side_modes_put_the_answers_first(seed_retriever, mode):
    hits = seed_retriever.search("谁去了南通镇?", k=5, mode=mode)
    assert [h.confidence for h in hits] == sorted((h.confidence for h in hits), reverse=True)
    n = sum(h.relevant for h in hits)
    assert n and all(h.relevant for h in hits[:n])


@pytest.mark.parametrize("question, spans", [("颊鳞雀鲷的俗名叫什么?", ["颊鳞雀鲷"]),        # cut 颊 / 鳞 / 雀 / 鲷
                                             ("广州大学法学院的前身是什么?", ["广州大学法学院"]),
                                             ("谁去了南通镇?", ["南通"]), ("她后来去了哪里?", [])])
def test_a_key_span_is_the_rare_stretch_as_the_question_writes_it(question, spans):
    # A name jieba cuts into parts matched a look-alike by its common part: 颊鳞雀鲷 asked, 雀鲷 found
    # in the article on 蓝纹高身雀鲷 (key 1.0). The span is matched whole (Evidence.key_span).
    from bot import segment, word_rarity

    assert answer.key_spans(question, {w: word_rarity.rarity(w) for w in segment.words(question)}) == spans


FISH = {"blue.txt": "蓝纹高身雀鲷\n\n蓝纹高身雀鲷为辐鳍鱼纲鲈形目隆头鱼亚目雀鲷科的其中一种鱼类。本鱼分布于印度西太平洋区,"
                    "包括红海、东非、马达加斯加至萨摩亚群岛等海域。该鱼栖息在珊瑚礁区,体长可达12公分,以藻类及小型无脊椎动物为食。\n",
        "parrot.txt": "黑鹦嘴鱼\n\n黑鹦嘴鱼为辐鳍鱼纲鲈形目隆头鱼亚目鹦嘴鱼科的其中一种鱼类。本鱼分布于西太平洋区,包括日本、"
                      "台湾、菲律宾、印尼等海域。该鱼栖息在珊瑚礁的外缘,以藻类为食,体长可达60公分。\n"}


def test_a_name_cut_into_characters_is_not_found_in_its_look_alike(tmp_path):
    # 颊鳞雀鲷 is cut 颊 / 鳞 / 雀 / 鲷: its key word 鲷 is in the article on 蓝纹高身雀鲷, the fish is not.
    from bot import Retriever, build_index

    (tmp_path / "data").mkdir()
    for name, text in FISH.items():
        (tmp_path / "data" / name).write_text(text, encoding="utf-8")
    build_index([tmp_path / "data"], index_dir=tmp_path / "index")
    retriever = Retriever.load(tmp_path / "index")
    near = retriever.search("颊鳞雀鲷分布于什么海域?", k=1)[0]
    right = retriever.search("蓝纹高身雀鲷分布于什么海域?", k=1)[0]
    assert near.title == right.title == "蓝纹高身雀鲷"
    assert near.evidence.key == 1.0 and near.evidence.key_span == 0.0 and right.evidence.key_span == 1.0
    assert near.confidence < 0.5 < right.confidence, (near.confidence, right.confidence)


# Three short articles of one city's paper, written for this test: two name the city, the
# third (the one that answers) only says 全市, as a city's own paper does.
CITY = {
    "water.txt": """全市城乡供水一体化工程推进会召开

6月5日，全市城乡供水一体化工程推进会召开。会议通报，今年全市计划建成城乡供水一体化工程4个，总投资4.6亿元，截至5月底已完成投资2.73亿元。
""",
    "forest.txt": """澄川市部署森林防灭火工作

3月2日，澄川市召开森林防灭火工作会议。会议要求各地落实巡山护林责任，全年发生森林火灾不超过2起。
""",
    "elderly.txt": """澄川市新建养老服务中心6个

澄川市民政局介绍，今年澄川市将新建和改造提升区域性养老服务中心6个，新增养老床位420张。
""",
}


@pytest.fixture(scope="module")
def city_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "city", CITY)


def test_a_city_s_own_paper_writing_the_whole_city_answers_a_question_naming_it(city_retriever):
    hits = city_retriever.search("澄川市今年计划建成几个城乡供水一体化工程?", k=3)
    assert "4个" in hits[0].text and hits[0].relevant, [(h.text[:12], h.confidence) for h in hits]
    assert hits[0].evidence.elsewhere == 0.0


@pytest.mark.parametrize("question", ["澄川市今年计划建成几个城乡供水一体化工程?",
                                      "How many rural water supply projects will Chengchuan build this year?"])
def test_a_city_s_own_paper_answers_in_english_too(city_retriever, question):
    hits = city_retriever.search(question, k=3)
    assert "4个" in hits[0].text and hits[0].relevant, [(h.text[:12], h.confidence) for h in hits]


def test_an_article_naming_another_city_does_not_mean_the_city_asked_by_its_whole_city(tmp_path_factory):
    # 鹿溪市's own meeting says 全市 too; it names its city, so 澄川市 asked is not its subject
    other = retriever_of(tmp_path_factory, "two-cities", {**CITY, "luxi.txt": """鹿溪市召开供水工程推进会

6月8日，鹿溪市召开城乡供水一体化工程推进会。今年全市计划建成城乡供水一体化工程7个。
"""})
    hits = other.search("澄川市今年计划建成几个城乡供水一体化工程?", k=5)
    luxi = [h for h in hits if "7个" in h.text]
    assert luxi and luxi[0].evidence.elsewhere == 1.0 and not luxi[0].relevant, \
        [(h.text[:12], h.confidence) for h in hits]
    answers = [h for h in hits if h.relevant]
    assert answers and "4个" in answers[0].text, [(h.text[:12], h.confidence) for h in hits]


def test_a_city_few_articles_name_is_not_read_into_the_whole_city(tmp_path_factory):
    # 鹿溪市 named once, in one article of five: 全市 there is 澄川's
    other = retriever_of(tmp_path_factory, "visit", {**CITY, "visit.txt": """鹿溪市考察团来访

4月8日，鹿溪市考察团来访，参观了石湾水厂。
""", "more.txt": """澄川市启动夏季防溺水宣传

5月20日，澄川市启动夏季防溺水宣传，全市中小学开展安全教育。
"""})
    hits = other.search("鹿溪市今年计划建成几个城乡供水一体化工程?", k=3)
    water = [h for h in hits if "4个" in h.text]
    assert water and water[0].evidence.elsewhere == 1.0 and not water[0].relevant, \
        [(h.text[:12], h.confidence) for h in hits]


def test_a_person_asked_is_not_a_city_its_whole_city_means(seed_retriever):
    # 杨学敏's part writes 全市; 蔡敏 is a person, not 蔡敏市: her words are not implied there
    hits = seed_retriever.search("蔡敏靠什么方法找出还没做核酸的人？", k=5)
    assert any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]
    assert all(h.section.startswith("蔡敏") for h in hits if h.relevant), [(h.section, h.confidence) for h in hits]



# A tender notice of one batch and its lots, written for this test.
TENDER = {"tender.txt": """临渚区2025年农村公路养护工程（第二批）招标公告

本招标项目临渚区2025年农村公路养护工程（第二批）已由临渚区发展和改革局批准实施，招标人为临渚区交通运输局。

本次招标共分三个标段：一标段养护里程28.6公里，最高投标限价186万元；二标段养护里程31.2公里，最高投标限价204万元；三标段养护里程19.5公里，最高投标限价127万元。
"""}


@pytest.fixture(scope="module")
def tender_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "tender", TENDER)


@pytest.mark.parametrize("question, answered", [
    ("农村公路养护二标段的最高投标限价是多少?", True), ("农村公路养护第四标段的最高投标限价是多少?", False),
    ("What is the maximum bid price for lot 2 of the road maintenance tender?", True),
    ("What is the maximum bid price for lot 5 of the road maintenance tender?", False),
    ("第三批农村公路养护工程的招标人是谁?", False)])
def test_a_numbered_sibling_the_article_does_not_write_is_not_answered(tender_retriever, question, answered):
    hits = tender_retriever.search(question, k=3)
    assert any(h.relevant for h in hits) is answered, [(h.text[:12], h.confidence) for h in hits]


NOTICE = {
    "notice.txt": """湖滨区供水管网改造停水通知

一、停水时间
因供水管网改造施工，湖滨区将于9月3日8:00至9月4日6:00暂停供水，影响约3200户居民，恢复供水时间视施工进度可能提前。

二、停水范围
湖滨路、新民路、建设街沿线的居民小区及沿街商铺，湖滨社区、新民社区全部住户。

三、临时供水
停水期间，湖滨社区东门、新民小学门口设置临时供水车，请居民提前做好储水准备，关好自家水龙头。
""",
    "school.txt": """新民小学秋季开学通知

新民小学秋季学期开学工作安排如下。学生须在班主任指定时间到校报到，领取新学期教材和作业本。
""",
}


@pytest.fixture(scope="module")
def notice_retriever(tmp_path_factory):
    return retriever_of(tmp_path_factory, "notice", NOTICE)


def test_a_count_no_part_writes_is_not_answered_by_the_part_that_names_the_road(notice_retriever):
    # The range part names Hubin Road (湖滨路) and its shops (商铺) but no number (`number_missing`): it was
    # 0.76 sure; no part says how many shops
    hits = notice_retriever.search("How many shops on Hubin Road lose water?", k=5)
    where = next(h for h in hits if h.section.startswith("二"))
    assert where.evidence.number_missing == 1 and not any(h.relevant for h in hits), \
        [(h.section, h.confidence) for h in hits]
