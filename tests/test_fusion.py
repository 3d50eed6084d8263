"""Fusion and the pinyin channel's scoring, on hand-made rankings and token lists (no model)."""

import numpy as np

from bot import fusion
from bot.lexical import LexicalIndex


def ranking(ids, scores, weight=1.0):
    return np.array(ids, np.int64), np.array(scores, np.float32), weight


def test_tied_scores_get_the_same_vote():
    ids, scores = fusion.fuse([ranking([3, 7], [2.0, 2.0])], k=2)
    assert scores[0] == scores[1]
    assert ids.tolist() == [3, 7]                 # the tie then breaks by passage order


def test_a_tie_in_one_list_is_broken_by_the_others():
    ids, _ = fusion.fuse([ranking([3, 7], [2.0, 2.0]), ranking([7, 3], [0.9, 0.8])], k=2)
    assert ids.tolist() == [7, 3]


def test_a_decisive_lexical_win_beats_a_dense_near_tie():
    dense = ranking([1, 2, 5], [0.80, 0.79, 0.50])
    words = ranking([2, 1], [9.0, 1.0])
    assert fusion.fuse([dense, words], k=3)[0].tolist()[0] == 2


def test_a_side_with_no_weight_has_no_say():
    dense = ranking([1, 2], [0.8, 0.7])
    assert fusion.fuse([dense, ranking([2], [9.0], weight=0.0)], k=2)[0].tolist() == [1, 2]


def tokens(pinyin, words=("x",)):
    return {"words": list(words), "pinyin": list(pinyin), "gloss": []}


def test_pinyin_counts_a_name_once_whatever_the_passage_length():
    # A section of three passages: every one carries the person's name in its heading;
    # the first repeats it in its body, the last is short. None is more about the person.
    docs = [tokens(["sujian", "sujian", "nantong", "minhou"] + ["ci"] * 40),
            tokens(["sujian"] + ["ci"] * 60),
            tokens(["sujian", "ci"]),
            tokens(["caimin"] + ["ci"] * 30)]
    found = LexicalIndex.index(docs).search("pinyin", ["sujian"], 10)
    assert sorted(found.ids.tolist()) == [0, 1, 2]
    assert len(set(found.scores.tolist())) == 1


def test_words_channel_still_rewards_repetition():
    docs = [tokens([], words=["南通", "南通", "镇"]), tokens([], words=["南通", "镇", "村"])]
    found = LexicalIndex.index(docs).search("words", ["南通"], 10)
    assert found.ids.tolist() == [0, 1] and found.scores[0] > found.scores[1]


def test_best_sentence_scores_take_each_candidates_best_sentence():
    from bot.dense import best_sentence_scores
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6], [1, 0]], np.float32)
    offsets = np.array([0, 2, 3, 3, 5])          # passage 2 has no sentence
    ids, scores = best_sentence_scores(np.array([0, 1], np.float32), vectors, offsets,
                                       np.array([3, 0, 2, 1, 0]))
    assert ids.tolist() == [0, 1, 3]             # each candidate once, best first
    assert np.allclose(scores, [1.0, 0.8, 0.6])
    assert best_sentence_scores(np.array([0, 1], np.float32), vectors, offsets, np.array([2]))[0].size == 0


def test_the_sentence_ranking_speaks_only_for_latin_questions():
    assert fusion.sentence_weight(cjk_question=False) == fusion.SENTENCE_WEIGHT > 0
    assert fusion.sentence_weight(cjk_question=True) == 0.0


def test_sentence_candidates_come_only_from_rankings_with_a_say():
    rankings = [ranking([1, 2], [0.9, 0.8]), ranking([7], [3.0], weight=0.0), ranking([2, 5], [2.0, 1.0], 0.5)]
    assert sorted(set(fusion.candidates(rankings).tolist())) == [1, 2, 5]
    assert fusion.candidates([]).size == 0


def test_best_sentence_scores_read_fp16_vectors_from_a_memory_map(tmp_path):
    from bot.dense import best_sentence_scores
    np.save(tmp_path / "s.npy", np.array([[1, 0], [0, 1], [0.6, 0.8]], np.float16))
    vectors = np.load(tmp_path / "s.npy", mmap_mode="r")
    ids, scores = best_sentence_scores(np.array([0, 1], np.float32), vectors, np.array([0, 2, 3]),
                                       np.array([0, 1]))
    assert ids.tolist() == [0, 1] and scores.dtype == np.float32
    assert np.allclose(scores, [1.0, 0.8], atol=1e-3)


def test_function_words_have_no_english_gloss():
    from bot import cedict
    assert "target" not in cedict.gloss("我的书")   # 的 di4 is "bull's eye, target" in CC-CEDICT
    assert "book" in cedict.gloss("我的书")


def test_a_word_with_several_dictionary_entries_has_all_their_senses():
    from bot import cedict
    assert {"long", "chief"} <= set(cedict.gloss("长"))      # 长 chang2 and zhang3
    assert {"send", "hair"} <= set(cedict.gloss("发"))       # 发 fa1 and fa4


def test_a_one_syllable_word_of_a_name_is_no_pinyin_term_of_its_own():
    # 饥饿 is spelled "jie" in the pinyin channel: "Liu Jie" must find 刘节 (liujie), not it
    from bot.pinyin import latin_query_terms, pinyin
    assert "jie" in pinyin("他们忍受饥饿")
    terms = latin_query_terms("Why is Liu Jie admired?")
    assert "liujie" in terms and "jie" not in terms and "liu" not in terms
    docs = [tokens(pinyin("刘节是历史学家") + ["ci"] * 20), tokens(pinyin("他们忍受饥饿") + ["ci"] * 5)]
    assert LexicalIndex.index(docs).search("pinyin", terms, 10).ids.tolist() == [0]
    # a word standing alone is still a term (Xian, as 西安 is spelled), and so is an English word
    assert "xian" in latin_query_terms("Where is Xian?")
    assert "railway" in latin_query_terms("How long is the Guangmao Railway?")


def test_a_place_jieba_leaves_in_characters_is_spelled_without_its_suffix_too():
    # 琯 / 头 / 镇: "Guantou town" must find it, as it finds 洪塘镇 (a word) by hongtang
    from bot.pinyin import latin_query_terms, pinyin
    assert {"guantouzhen", "guantou"} <= set(pinyin("带队支援连江县琯头镇"))
    docs = [tokens(pinyin("带队支援连江县琯头镇")), tokens(pinyin("带队支援连江县洪塘镇"))]
    assert LexicalIndex.index(docs).search("pinyin", latin_query_terms("Who went to Guantou town?"), 10).ids.tolist() == [0]
    # 嵩 / 口镇: a single character before a two-character place word is the name's first syllable
    assert {"songkouzhen", "songkou", "kouzhen"} <= set(pinyin("嵩口镇：千年古镇焕新颜"))
    from bot.english import latin_matches
    assert latin_matches("How many old houses did Songkou town restore?", "嵩口镇：千年古镇焕新颜").get("songkou") == "嵩口"
    assert "xinshe" not in pinyin("建设新社区") and "xinshe" not in latin_matches("Where is Xinshe?", "建设新社区")


def test_a_person_jieba_cuts_after_the_surname_is_spelled_whole_too():
    # 郑 / 海燕 ("petrel"), 罗 / 建军: "Zheng Haiyan" must find the whole name, not only the bird
    from bot.pinyin import latin_query_terms, pinyin
    assert {"zhenghaiyan", "haiyan"} <= set(pinyin("食品流通处处长郑海燕表示"))
    assert "luojianjun" in pinyin("罗建军同志带队")
    docs = [tokens(pinyin("海燕在海面上飞翔")), tokens(pinyin("食品流通处处长郑海燕表示"))]   # the petrel first
    assert LexicalIndex.index(docs).search("pinyin", latin_query_terms("What did Zheng Haiyan say?"), 10).ids.tolist()[0] == 1
    assert "zhenghaiyan" in pinyin("记者对郑海燕进行了采访")          # a single character before the surname
    assert {"qinyongfu", "tanyongfu"} <= set(pinyin("覃永福同志"))  # 覃 as a surname is Qin
    # not a surname's character before a common word (石 / 桥梁: stone bridges), nor a preposition (向 / 建国)
    assert "shiqiaoliang" not in pinyin("石桥梁") and "xiangjianguo" not in pinyin("向建国同志学习")
