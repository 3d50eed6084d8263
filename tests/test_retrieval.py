"""Retrieval on the seed article with the real default model and a real FAISS index."""

import json
from pathlib import Path

import pytest

from bot import Hit, QuestionError, fusion
from bot.conversation import Conversation

pytestmark = pytest.mark.slow


def people(hits):
    return [h.section.split(" ")[0] for h in hits]


@pytest.mark.parametrize("question", ["谁去了南通镇?", "Who went to Nantong town?"])
def test_who_went_to_nantong(seed_retriever, question):
    hits = seed_retriever.search(question, k=5)
    assert set(people(hits[:2])) == {"苏健", "蔡敏"}
    assert hits[0].relevant
    for h in hits[:2]:
        assert "南通镇" in h.text
        assert "南通镇" in h.answer  # the highlighted sentence is the one that answers


@pytest.mark.parametrize("question, mode, lists", [
    ("Who went to Nantong town?", "hybrid", ["dense", "words", "pinyin", "gloss", "sentences"]),
    ("谁去了南通镇?", "hybrid", ["dense", "words"]),
    ("Who went to Nantong town?", "dense", ["dense"]),
    ("Who went to Nantong town?", "lexical", ["words", "pinyin", "gloss"])])
def test_what_reaches_fusion(seed_retriever, monkeypatch, question, mode, lists):
    seen = []
    fuse = fusion.fuse
    monkeypatch.setattr(fusion, "fuse", lambda rankings, k: seen.append(rankings) or fuse(rankings, k))
    seed_retriever.search(question, k=3, mode=mode)
    assert len(seen[0]) == len(lists)
    if "sentences" in lists:   # the last list: best sentences of what the others found
        ids, scores, weight = seen[0][-1]
        assert weight == fusion.SENTENCE_WEIGHT and len(ids) > 0
        assert set(ids.tolist()) <= set(fusion.candidates(seen[0][:-1]).tolist())
        assert list(scores) == sorted(scores, reverse=True)


def test_hits_are_typed_and_explained(seed_retriever):
    hits = seed_retriever.search("谁去了南通镇?", k=3)
    assert all(isinstance(h, Hit) for h in hits)
    top = hits[0]
    assert top.doc_id == "000_e7b07c6adf354492.txt" and top.source == top.doc_id
    assert top.title.startswith("响应号召")
    assert top.date == "2022-11-16"
    s, e = top.answer_span
    assert 0 <= s < e <= len(top.text)
    assert "南通" in top.matched_terms
    assert 0.0 <= top.confidence <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert top.to_dict()["answer"] == top.answer


def test_pronoun_paragraph_is_found_through_its_section(seed_retriever):
    # The paragraph only says 她; its section heading names 蔡敏.
    hits = seed_retriever.search("蔡敏牵头制定了什么清单?", k=3)
    assert people(hits[:1]) == ["蔡敏"]
    assert "支援闽侯归来" in hits[0].text and "蔡敏" not in hits[0].text
    hits = seed_retriever.search("蔡敏从闽侯回来以后做了什么?", k=3)
    assert any("支援闽侯归来" in h.text for h in hits[:2])


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_every_mode_answers(seed_retriever, mode):
    hits = seed_retriever.search("胡铭带领多少名干部支援保利香槟国际小区?", k=3, mode=mode)
    assert people(hits[:1]) == ["胡铭"]


def test_unknown_mode_is_refused(seed_retriever):
    with pytest.raises(ValueError, match="mode"):
        seed_retriever.search("谁去了南通镇?", mode="magic")


@pytest.mark.parametrize("question", ["", "   \n\t ", "🙂🙂🙂", "???!!!", "\x00\x01\x02"])
def test_questions_without_words_get_a_clear_error(seed_retriever, question):
    with pytest.raises(QuestionError):
        seed_retriever.search(question)


def test_very_long_and_markup_questions_are_answered(seed_retriever):
    assert seed_retriever.search("南通镇" * 5000, k=2)
    hits = seed_retriever.search("<script>alert(1)</script> 谁去了南通镇?", k=2)
    assert set(people(hits)) == {"苏健", "蔡敏"}


def test_nothing_relevant_is_said_plainly(seed_retriever):
    for question in ["量子计算机的工作原理是什么?", "What is the boiling point of mercury?"]:
        hits = seed_retriever.search(question, k=5)
        assert hits and not any(h.relevant for h in hits), [(h.section, h.confidence) for h in hits]


@pytest.mark.parametrize("follow_up, person", [("他后来去了哪里?", "苏健"), ("where did he go after that?", "苏健")])
def test_a_follow_ups_he_or_she_means_the_answer_written_of_so(seed_retriever, follow_up, person):
    # Both went to 南通镇; "he" is 苏健, whose part the article writes with 他
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask(follow_up, k=3)
    answers = [h for h in turn.hits if h.relevant]
    assert answers and set(people(answers)) == {person}, [(h.section, h.confidence) for h in turn.hits]


@pytest.mark.parametrize("question, she, he", [("她后来去了哪里?", True, False), ("SHE went where?", True, False),
                                              ("Her team?", True, False), ("where did he go after that?", False, True),
                                              ("他们后来去了哪里?", False, False), ("其他人去了哪里?", False, False),
                                              ("Where did He Ming go?", False, False)])   # a surname, not "he"
def test_which_pronoun_a_follow_up_uses(question, she, he):
    from bot import conversation

    assert (bool(conversation._SHE.search(question)), bool(conversation._HE.search(question))) == (she, he)
    assert conversation.refers_back("Where did He Ming go?") is False


@pytest.mark.parametrize("follow_up", ["他们后来去了哪里?", "Where did they go after that?"])
def test_a_follow_up_on_them_all_keeps_every_answer(seed_retriever, follow_up):
    conv = Conversation(seed_retriever)
    conv.ask("谁去了南通镇?", k=3)
    turn = conv.ask(follow_up, k=4)
    assert {"苏健", "蔡敏"} <= set(people(turn.hits[:4])), [(h.section, h.confidence) for h in turn.hits]


@pytest.mark.parametrize("follow_up", ["她后来去了哪里?", "where did she go after that?"])
def test_follow_up_is_read_with_the_previous_question(seed_retriever, follow_up):
    conv = Conversation(seed_retriever)
    first = conv.ask("谁去了南通镇?", k=3)
    assert first.follows is None and set(people(first.hits[:2])) == {"苏健", "蔡敏"}
    turn = conv.ask(follow_up, k=3)
    assert turn.follows == "谁去了南通镇?"
    # "She" is the one of the two whose part the article writes with 她 (蔡敏; 苏健's with 他): her
    # passages come first, not anyone else who went anywhere, and where she went next (新店镇) is near
    # the top, not only the passage already shown.
    assert people(turn.hits[:2]) == ["蔡敏", "蔡敏"], [(h.section, h.confidence) for h in turn.hits]
    assert "苏健" not in people(h for h in turn.hits if h.relevant)
    assert any("新店镇" in h.text for h in turn.hits[:3])
    # A question that stands on its own starts a new topic.
    fresh = conv.ask("胡铭带领多少名干部支援保利香槟国际小区?", k=3)
    assert fresh.follows is None and people(fresh.hits[:1]) == ["胡铭"]


def test_english_questions_find_the_passages_their_chinese_twins_find(seed_retriever):
    # bench/data/seed_questions.jsonl: 20 Chinese questions on the seed and their English
    # versions. Issue 7: an English question should land where its Chinese twin does.
    path = Path(__file__).resolve().parent.parent / "bench" / "data" / "seed_questions.jsonl"
    qs = {q["id"]: q for q in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    pairs = [(q, qs[q["twin"]]) for q in qs.values() if q["lang"] == "zh" and q.get("twin")]
    same = [seed_retriever.search(zh["question"], k=1)[0].passage_id
            == seed_retriever.search(en["question"], k=1)[0].passage_id for zh, en in pairs]
    assert len(pairs) == 20
    assert sum(same) >= 19, [en["question"] for (zh, en), s in zip(pairs, same) if not s]


def test_english_hits_read_the_word_spans_the_build_stored(seed_retriever, monkeypatch):
    """The build stores where each passage's words are (segment.word_spans), so an English
    search does not cut its hits with jieba again; the matches are the ones cutting gives."""
    from bot import english, segment
    from bot.passages import embedding_text

    spans = seed_retriever.word_spans
    assert spans is not None and spans.fits(len(seed_retriever.passages))
    text = embedding_text(seed_retriever.passages[3])
    assert spans.of(3).tolist() == segment.word_spans(text)
    read = []
    words = english._passage_words
    monkeypatch.setattr(english, "_passage_words", lambda text, spans=None: read.append(spans) or words(text, spans))
    question = "Who went to Nantong town?"
    stored = seed_retriever.search(question, k=5)
    # each hit, and (Nantong is a name the index holds) the passages of their article, for `elsewhere`
    assert len(read) >= 5 and all(s is not None for s in read)
    read.clear()
    monkeypatch.setattr(seed_retriever.refreshed().evidence_reader, "word_spans", None)    # as an older index
    cut = seed_retriever.search(question, k=5)
    assert len(read) >= 5 and all(s is None for s in read)
    assert [(h.passage_id, h.matched_terms, h.confidence, h.answer_span) for h in stored] == \
           [(h.passage_id, h.matched_terms, h.confidence, h.answer_span) for h in cut]
    assert any(h.matched_terms for h in stored)
