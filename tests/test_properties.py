"""Property tests (hypothesis) for ingestion and chunking.

The rules these check, for any input:
- decoding never fails except with ValueError for what is not text, and
  reading a file never raises;
- every paragraph and passage points at its text: normalize(text[start:end]) == text, where text is
  the document's text as the article reads it (Article.text: hard wraps and page breaks zero-width);
- passages come in order, do not overlap and are never empty;
- chunking neither loses nor duplicates text: the passages hold exactly the
  parsed paragraphs (ignoring whitespace);
- every line of the source is accounted for: it is the title, a dropped line
  (`Article.dropped`: date/source lines, page residue, caption fragments,
  headings with no text under them), a section heading carried as metadata,
  or it is in exactly one passage;
- a passage fits the token limit whenever its title and section leave room.
Tokens are counted as characters (`count_tokens=len`), which is enough for
the chunking rules; the model's tokenizer is not involved.
"""

from __future__ import annotations

import codecs
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from bot import article, documents, passages
from bot.article import normalize

RELAXED = settings(deadline=None, max_examples=400,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much])
FORMATS = ("txt", "md", "html", "jsonl")


def squash(text: str) -> str:
    return "".join(text.split())


def parse_and_chunk(text: str, fmt: str = "txt", title: str = "", max_tokens: int = 120):
    doc = documents.Document(doc_id="d", text=text, source="d", format=fmt, title=title)
    parsed = article.parse(doc)
    found = passages.chunk(doc, parsed, count_tokens=len, max_tokens=max_tokens)
    return doc, parsed, found


def check_offsets_order_and_coverage(doc, parsed, found):
    text = doc.text
    last = 0
    for para in parsed.paragraphs:
        assert normalize((parsed.text or text)[para.start:para.end]) == para.text
        assert para.text and para.start >= last
        last = para.end
    last = 0
    for i, p in enumerate(found):
        assert normalize((parsed.text or text)[p.start:p.end]) == p.text, (p, text[p.start:p.end])
        assert p.text.strip(), p
        assert p.start >= last, "passages overlap or are out of order"
        assert p.position == i
        for s, e in p.sentences:
            assert 0 <= s < e <= len(p.text)
        last = p.end
    # no text lost or repeated between paragraphs and passages
    assert squash("".join(p.text for p in found)) == squash("".join(p.text for p in parsed.paragraphs))


# ---------------------------------------------------------------- any input

@RELAXED
@given(text=st.text(), fmt=st.sampled_from(FORMATS), title=st.text(max_size=120),
       max_tokens=st.integers(1, 400))
@example(text="0\r0", fmt="jsonl", title="0", max_tokens=1)
@example(text="a\ufeff", fmt="txt", title="0", max_tokens=2)
def test_any_unicode_text_is_parsed_and_chunked(text, fmt, title, max_tokens):
    check_offsets_order_and_coverage(*parse_and_chunk(text, fmt, title, max_tokens))


# Pieces that exercise the rules: sentence and clause marks, wrapped lines,
# headings, table residue, captions, zero-width marks, long runs of spaces.
PIECES = st.sampled_from(
    list("ab 中文字。，,.!?;：\n\n\n#|（）【】“”\t") + ["\r", "\u3000", "\xa0", "\ufeff", "\u200b", "\u2028",
                                                 "\x0b", "\x0c", "\x1c", "\x85", " " * 300, "\u200b" * 300,
                                                 "很长的一句话没有标点" * 6, "x" * 280, "日期:2022-11-16 来源:某局",
                                                 "相关链接", "图为", "| | |"])


@RELAXED
@given(text=st.lists(PIECES, max_size=120).map("".join), fmt=st.sampled_from(("txt", "md")),
       title=st.text(max_size=12), max_tokens=st.integers(1, 300))
@example(text="x" * 300 + " " * 5000 + "y" * 300, fmt="txt", title="t", max_tokens=254)
def test_structured_text_is_parsed_and_chunked(text, fmt, title, max_tokens):
    check_offsets_order_and_coverage(*parse_and_chunk(text, fmt, title, max_tokens))


@RELAXED
@given(text=st.lists(PIECES, max_size=120).map("".join), title=st.text(max_size=20),
       max_tokens=st.integers(60, 400))
@example(text="x" * 300 + " " * 5000 + "y" * 300, title="t", max_tokens=254)
@example(text="很长的一句话没有标点" * 60, title="t" * 20, max_tokens=100)
def test_passages_fit_the_token_limit_when_there_is_room(text, title, max_tokens):
    doc, parsed, found = parse_and_chunk(text, "jsonl", title, max_tokens)
    for p in found:
        head = len(passages.embedding_text(passages.Passage("", p.title, p.section, "", 0, 0, 0, "")))
        if head + 1 + passages.MIN_PASSAGE_CHARS <= max_tokens:
            assert len(passages.embedding_text(p)) <= max_tokens, p


@RELAXED
@given(title=st.text(min_size=200, max_size=2000), words=st.integers(50, 400))
def test_a_long_title_does_not_shred_the_text(title, words):
    """A title too long for the token budget is cut in what the model sees; it does not
    cut the passages into slivers."""
    text = "正文的内容，" * words
    doc, parsed, found = parse_and_chunk(text, "jsonl", title, 254)
    assert len(found) <= len(text) // 100 + 1
    check_offsets_order_and_coverage(doc, parsed, found)


# ---------------------------------------------------------------- nothing lost or repeated

PROSE_ENDINGS = ["。", "，", "", "！", "?", "；"]
JUNK_LINES = ["| | | |", "——", "【相关链接】", "打印本页", "图为", "日期:2022-11-16 来源:市城乡建设局",
              "* * *", "责任编辑：", "　"]


@st.composite
def articles(draw):
    """Lines of prose (each with a unique word), junk lines and blank lines, in any order."""
    n = draw(st.integers(1, 25))
    lines, words = [], []
    for i in range(n):
        kind = draw(st.sampled_from(["prose", "prose", "prose", "short", "junk", "blank"]))
        if kind == "junk":
            lines.append(draw(st.sampled_from(JUNK_LINES)))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t", "\u3000"])))
        else:
            word = f"w{i}q"
            filler = draw(st.text(alphabet="天地玄黄宇宙洪荒日月盈昃 ，、", max_size=120 if kind == "prose" else 12))
            lines.append(draw(st.sampled_from(["", "# ", "## "])) * (kind == "short") + word + filler
                         + draw(st.sampled_from(PROSE_ENDINGS)))
            words.append(word)
    sep = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    return sep.join(lines).replace("\r\n", "\n"), words


@RELAXED
@given(made=articles(), fmt=st.sampled_from(("txt", "md")), max_tokens=st.integers(40, 300))
def test_every_line_is_title_dropped_heading_or_in_one_passage(made, fmt, max_tokens):
    text, words = made
    doc, parsed, found = parse_and_chunk(text, fmt, "", max_tokens)
    check_offsets_order_and_coverage(doc, parsed, found)
    body = squash("".join(p.text for p in found))
    sections = {p.section for p in found}
    dropped = [line for line, _ in parsed.dropped]
    title_seen = False
    for line in (normalize(raw) for raw in text.split("\n")):
        if not line or line in dropped:
            continue
        head = line.lstrip("# ").strip()
        if parsed.title and not title_seen and (head == parsed.title or parsed.title.startswith(head + " ——")
                                                or parsed.title.startswith(head + " --")):
            title_seen = True                                # the first kept line, as the title
            continue
        if title_seen and line.startswith(("——", "--")) and parsed.title.endswith(" " + line):
            continue                                         # a subtitle, joined to the title
        if line.lstrip("#").strip() in sections or line in sections:
            continue
        assert squash(line) in body, (line, parsed.dropped, found)
    # each prose line's word is in exactly one place: no line is lost or duplicated
    for word in words:
        where = body.count(word) + parsed.title.count(word) + sum(s.count(word) for s in sections) \
            + sum(line.count(word) for line in dropped)
        assert where == 1, (word, where)
    # junk never comes back inside a passage
    for p in found:
        for junk in ("|", "相关链接", "打印本页", "日期:", "* * *"):
            assert junk not in p.text, (junk, p.text)


# ---------------------------------------------------------------- decoding and reading

@RELAXED
@given(st.binary(max_size=4096))
def test_decode_never_raises_but_value_error(data):
    try:
        text = documents.decode(data)
    except ValueError:
        return
    assert isinstance(text, str)


@RELAXED
@given(text=st.text(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_decode_round_trips_text_in_the_encodings_we_read(text, encoding):
    # Legacy encodings (GBK, Latin-1, ...) are guessed from the text, so they round-trip
    # real text, not any string: tests/test_formats.py checks those on articles.
    assume("\x00" not in text and not text.startswith("\ufeff"))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:      # lone surrogates
        assume(False)
    assert documents.decode(data) == text


@settings(RELAXED, max_examples=150)
@given(data=st.binary(max_size=2048) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md", ".html", ".htm", ".jsonl", ".pdf", ".docx"]))
def test_reading_any_file_never_raises(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)
        got = documents.read_file(path, path.name)
    assert got.documents or got.problems
    assert all(p.path == path.name and p.reason for p in got.problems)
    for doc in got.documents:
        assert doc.text.strip() and "\r" not in doc.text
        check_offsets_order_and_coverage(*parse_and_chunk(doc.text, doc.format, doc.title))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                           max_leaves=6)
RECORDS = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=10), st.integers()), "text": st.text(min_size=1)},
    optional={"title": JSON_VALUES, "date": JSON_VALUES, "url": JSON_VALUES, "source": JSON_VALUES})
LINES = st.one_of(RECORDS.map(lambda r: ("record", r)), JSON_VALUES.map(lambda v: ("value", v)),
                  st.text(max_size=30).map(lambda t: ("raw", t)))


@RELAXED
@given(st.lists(LINES, max_size=12))
def test_jsonl_lines_are_kept_or_reported_with_their_number(lines):
    encoded = []
    for kind, value in lines:
        line = value if kind == "raw" else json.dumps(value, ensure_ascii=False)
        encoded.append(line.replace("\n", " ").replace("\r", " "))
    assume(all("\x00" not in line for line in encoded))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.jsonl"
        path.write_text("\n".join(encoded), encoding="utf-8")
        got = documents.read_file(path, "x.jsonl")
    reported = {p.line for p in got.problems}
    expected = []
    for number, line in enumerate(encoded, start=1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        good = (isinstance(record, dict) and isinstance(record.get("text"), str)
                and record["text"].strip() and record.get("id") is not None
                and not isinstance(record.get("id"), (dict, list)))
        if good:
            expected.append((number, str(record["id"])))
            assert number not in reported
        elif line.strip():
            assert number in reported, (number, line, got.problems)
    assert len(got.documents) == len(expected)
    # A line keeps its id unless an earlier line has it with other text: then it is `<id> (line N...)`,
    # so that two articles stay two (a line repeated whole is the build's to index once).
    texts: dict[str, str] = {}
    for (number, doc_id), doc in zip(expected, got.documents):
        if doc.doc_id != doc_id:
            assert doc_id in texts and texts[doc_id] != doc.text and doc.doc_id.startswith(f"{doc_id} (line {number}")
        assert texts.setdefault(doc.doc_id, doc.text) == doc.text
    if not any(line.strip() for line in encoded):
        assert [p.reason for p in got.problems] == ["empty file"]
    else:
        assert all(p.line and 1 <= p.line <= len(encoded) for p in got.problems)


def test_the_codecs_we_need_exist():
    for name in ("utf-8-sig", "utf-16", "gb18030"):
        codecs.lookup(name)


# ---------------------------------------------------------------- lexical channels

# Numerals, units, wide digits, thousands commas, Latin words and common characters: where
# the numbers-as-digits text and the text as written are cut differently.
_LEXICAL_ALPHABET = st.sampled_from(list("一二三四五六七八九十百千零两第年月日岁百分之镇市人的是在中国南通苏健")
                                    + list("０１９％,0123456789 .。，abcXYZ") + ["十分", "百分之五", "10,000"])


@settings(deadline=None, max_examples=300)
@given(text=st.lists(_LEXICAL_ALPHABET, max_size=40).map("".join))
@example(text="二十三岁的他于一九九九年7月请辞，百分之五的人１２，０００元。第三届")
def test_tokenize_gives_what_each_channel_gives(text):
    """A build tokenizes with shared jieba cuts (lexical.tokenize); queries and English matching
    use the channels one by one: the two must agree token for token."""
    from bot import cedict, lexical, pinyin, segment
    assert lexical.tokenize(text) == {"words": segment.words(text), "pinyin": pinyin.pinyin(text),
                                      "gloss": cedict.gloss(text), "spans": segment.word_spans(text)}
