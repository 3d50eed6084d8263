"""Articles on disk -> `Document`s.

One job: find article files, decode them and turn each into plain text plus
metadata. Structure (title line, headings, junk) is `bot.article`'s job.
Problems are collected, never raised, so one bad file cannot stop a build.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html",
            ".htm": "html", ".jsonl": "jsonl", ".pdf": "pdf", ".docx": "docx"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are skipped with a message
READER_VERSION = "5"   # bump when the same bytes read to other text or ids: built indexes then re-read


@dataclass
class Document:
    """One article: its plain text and what we know about it."""

    doc_id: str          # path relative to the data root, or a .jsonl line's `id`
    text: str            # plain text; passage offsets point into this
    source: str          # the file it came from (relative to the data root)
    format: str          # txt | md | html | jsonl | pdf | docx
    title: str = ""      # given title (jsonl, html <title>); txt/md titles come from the text
    date: str = ""
    publisher: str = ""
    url: str = ""
    file_title: str = ""  # the file's own properties (DOCX): used when the text has no title line ...
    file_date: str = ""   # ... or date line

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Problem:
    """A file (or a line of one) that was skipped, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"

    @property
    def kind(self) -> str:
        """What sort of problem, for the build summary's counts ("binary", "too large", ...)."""
        reason = self.reason
        for words, kind in _KINDS:
            if any(w in reason for w in words):
                return kind
        return "bad JSONL line" if self.line else "other"


def count_kinds(problems: list[Problem]) -> dict[str, int]:
    """How many problems of each kind, most common first."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


# Problem.kind from the reason's words, first match wins (the reasons are written below).
_KINDS = (
    (("empty file",), "empty"),
    (("binary",), "binary"),
    (("MiB limit",), "too large"),
    (("duplicates",), "duplicate"),
    (("symlink loop",), "symlink loop"),
    (("not a regular file",), "not a regular file"),
    (("no such file",), "missing"),
    (("No such file",), "gone while building"),
    (("cannot detect the text encoding",), "unknown encoding"),
    (("cannot read", "cannot open"), "unreadable"),
    (("no article text", "no body text"), "no text"),
    (("weak evidence",), "encoding guessed"),
    (("no text layer",), "scanned PDF"),
)


@dataclass
class Scan:
    """What `scan` found under a set of paths."""

    files: dict[str, Path] = field(default_factory=dict)   # relative name -> path
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # found, but worth a look (a name given another)


def scan(paths: list[str | Path]) -> Scan:
    """Find article files under `paths` (files or folders), following no symlink loops."""
    found = Scan()
    for root in map(Path, paths):
        if not root.exists():
            found.problems.append(Problem(str(root), "no such file or folder"))
        elif root.is_file():
            _add_file(found, root, root.name, root.parent)
        else:
            seen: set[tuple[int, int]] = set()

            def unreadable(e: OSError, root=root) -> None:
                found.problems.append(Problem(_relative(e.filename, root),
                                              f"cannot open folder: {e.strerror or e}"))

            for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
                try:
                    st = os.stat(dirpath)
                except OSError as e:   # removed while we walk
                    unreadable(e)
                    dirnames[:] = []
                    continue
                if (st.st_dev, st.st_ino) in seen:  # a symlink loop: walk it once
                    found.problems.append(Problem(_relative(dirpath, root),
                                                  "folder already scanned (symlink loop); skipped"))
                    dirnames[:] = []
                    continue
                seen.add((st.st_dev, st.st_ino))
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    path = Path(dirpath) / name
                    _add_file(found, path, path.relative_to(root).as_posix(), root)
    return found


def _relative(path, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except (TypeError, ValueError):
        return str(path)


def _add_file(found: Scan, path: Path, name: str, folder: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        return
    try:
        if not path.is_file():
            found.problems.append(Problem(name, "not a regular file (broken link?)"))
            return
    except OSError as e:  # e.g. ELOOP for a link pointing at itself
        found.problems.append(Problem(name, f"cannot open: {e.strerror or e}"))
        return
    taken = found.files.get(name)
    if taken is not None:
        if _same_file(taken, path):
            return      # named twice (`build data data/a.txt`): one file
        given, name = name, _free_name(found, folder, name)
        found.warnings.append(Problem(name, f"{path} and {taken} are both {given}; "
                                            f"this one is indexed as {name}"))
    found.files[name] = path


def _free_name(found: Scan, folder: Path, name: str) -> str:
    """`name` under as much of its folder's path as no other file's name has (twoB/news.txt
    beside twoA's news.txt). The first file keeps the plain name, so a build of one folder,
    or of folders without a name in common, names every file as before."""
    parts = Path(os.path.abspath(folder)).parts[1:]
    candidate = name
    for k in range(1, len(parts) + 1):
        candidate = "/".join([*parts[-k:], name])
        if candidate not in found.files:
            return candidate
    n = 2
    while f"{candidate} ({n})" in found.files:
        n += 1
    return f"{candidate} ({n})"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def file_hash(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A short hash of the file's bytes, to tell whether it changed since the last build.

    A file over `max_bytes` is refused unread, so it is not read here either: its
    size and modification time stand for its content."""
    st = path.stat()
    if st.st_size > max_bytes:
        return "size:" + hashlib.sha256(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:11]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


# What chardetng names an encoding (the WHATWG labels browsers use) -> Python's codec for the
# same bytes. The WHATWG encodings are the Windows supersets of the ISO/legacy ones.
_CODECS = {"gbk": "gb18030", "big5": "big5hkscs", "shift_jis": "cp932", "euc-kr": "cp949",
           "x-mac-cyrillic": "mac_cyrillic", "ibm866": "cp866", "windows-874": "cp874"}
# Fewer non-ASCII bytes than this are too little to tell legacy encodings apart: two
# Chinese characters (4 bytes) read as well in EUC-KR or Windows-1252 as in GBK.
WEAK_EVIDENCE_BYTES = 8


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    doubt: str = ""     # why the encoding is a weak guess; "" when the bytes say it clearly


UTF8_GOOD_PER_BAD = 5      # valid non-ASCII characters per \ufffd for "UTF-8 with damage"; GBK read as UTF-8 gives < 1


def decode(data: bytes) -> str:
    """Bytes -> text (see `decode_evidence`). Raises ValueError for what is not text."""
    return decode_evidence(data).text


def decode_evidence(data: bytes) -> Decoded:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with BOM, else the legacy
    encoding the bytes themselves point to, with a note when that is a weak guess.

    A legacy encoding is chosen by evidence (chardetng, the detector Firefox uses for
    pages without a charset), not by which codec happens not to fail: GBK accepts
    almost any byte pair, so trying it first reads Latin-1 "Müller" as "M黮ler".
    Raises ValueError for what is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(data.decode("utf-16"), "utf-16")
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a stray byte or a character cut at the end (a damaged
    # download, a file cut by size) is UTF-8: no legacy encoding reads a Chinese UTF-8
    # text, and guessing one garbles every character instead of losing one.
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    if sum(ord(ch) > 127 for ch in text) - bad >= UTF8_GOOD_PER_BAD * bad:
        return Decoded(text, "utf-8", f"{bad} byte sequence{'s' if bad != 1 else ''} invalid "
                                      f"in UTF-8 replaced with \ufffd")
    from chardetng_py import EncodingDetector

    detector = EncodingDetector()
    detector.feed(data, last=True)
    label = detector.guess(tld=None, allow_utf8=False)
    encoding = _CODECS.get(label.lower(), label.lower())
    doubts = []
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        doubts.append(f"bytes invalid in {encoding} were replaced with \ufffd")
    evidence = len(data.translate(None, bytes(range(128))))   # the non-ASCII bytes
    if evidence < WEAK_EVIDENCE_BYTES:
        doubts.append(f"only {evidence} non-ASCII byte{'s' if evidence != 1 else ''} to tell by")
    return Decoded(text, encoding, "; ".join(doubts))


# Compatibility code points that PDF extraction (and some fonts' copy-paste) produce for
# ordinary characters: Kangxi radicals (U+2F00-U+2FDF, by their NFKC mapping), CJK radicals
# supplement (U+2E80-U+2EFF, which NFKC leaves alone: pairs from Unicode's
# EquivalentUnifiedIdeograph.txt) and CJK compatibility ideographs (U+F900-U+FAFF, by NFC).
# Each maps one code point to one, so offsets into a text stay valid.
_RADICALS_SUPPLEMENT = (
    "⺁厂⺂乛⺃乚⺄乙⺅亻⺆冂⺇𠘨⺈刀⺉刂⺊卜⺋㔾⺌小⺍小⺎兀⺏尣⺐尢⺑𡯂⺒巳⺓幺⺔彑⺕𫜹⺖忄⺗心⺘扌⺙攵⺛旡⺜日"
    "⺝月⺞歺⺟母⺠民⺡氵⺢氺⺣灬⺤爫⺥爫⺦丬⺧牛⺨犭⺩王⺪𤴔⺫目⺬示⺭礻⺮𥫗⺯糹⺰纟⺱罓⺲罒⺳㓁⺴冗⺵𦉫⺶羊⺷𦍌"
    "⺸𦍋⺹耂⺺肀⺻聿⺼肉⺽𦥑⺾艹⺿艹⻀艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻇𧢲⻈讠⻉贝⻊𧾷⻋车⻌辶⻍辶⻎辶⻏邑⻐钅⻑長⻒镸"
    "⻓长⻔门⻕𨸏⻖阝⻗雨⻘青⻙韦⻚页⻛风⻜飞⻝食⻞𩙿⻟飠⻠饣⻡𩠐⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯"
    "⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")


def _compatibility_table() -> dict[int, str]:
    import unicodedata

    table = {}
    for cp in [*range(0x2F00, 0x2FE0), *range(0xF900, 0xFB00)]:
        form = "NFKC" if cp < 0x3000 else "NFC"
        mapped = unicodedata.normalize(form, chr(cp))
        if len(mapped) == 1 and mapped != chr(cp):
            table[cp] = mapped
    pairs = _RADICALS_SUPPLEMENT
    table.update({ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)})
    return table


_COMPATIBILITY = _compatibility_table()


def ordinary_characters(text: str) -> str:
    """Radical and compatibility code points -> the ordinary ideographs (⼀ ⾏ ⻓ -> 一 行 长)."""
    return text.translate(_COMPATIBILITY)


@dataclass
class FileRead:
    """What reading one file gave: its documents, its problems, and the hash of the bytes read."""

    documents: list[Document]
    problems: list[Problem]
    hash: str | None = None    # sha256 of exactly the bytes the documents came from; None if unread
    warnings: list[Problem] = field(default_factory=list)   # read, but worth a look (a guessed encoding)


def read(path: Path, name: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Document], list[Problem]]:
    """Read one article file. Returns the documents found and the problems met."""
    got = read_file(path, name, max_bytes)
    return got.documents, got.problems


def read_file(path: Path, name: str, max_bytes: int = MAX_FILE_BYTES) -> FileRead:
    """Read one article file once: documents, problems and the hash of what was read.

    The file may change between a scan and this read: the hash is of the bytes
    the documents came from, so an index never records a version it did not index."""
    fmt = SUFFIXES[path.suffix.lower()]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return FileRead([], [Problem(name, f"file is {size / 2**20:.0f} MiB, over the "
                                               f"{max_bytes / 2**20:.0f} MiB limit; skipped")])
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)   # the file may grow while we read it
        if len(data) > max_bytes:
            return FileRead([], [Problem(name, f"file is over the {max_bytes / 2**20:.0f} MiB limit; skipped")])
    except OSError as e:
        return FileRead([], [Problem(name, f"cannot read: {e.strerror or e}")])
    got = _read_bytes(data, name, fmt)
    got.hash = hashlib.sha256(data).hexdigest()[:16]
    for doc in got.documents:   # the one place every format passes: search sees ordinary characters
        doc.text, doc.title = ordinary_characters(doc.text), ordinary_characters(doc.title)
        doc.file_title = ordinary_characters(doc.file_title)
    return got


def _read_bytes(data: bytes, name: str, fmt: str) -> FileRead:
    if fmt == "pdf":
        return _read_pdf(data, name)
    if fmt == "docx":
        return _read_docx(data, name)
    try:
        decoded = decode_evidence(data)
    except ValueError as e:
        return FileRead([], [Problem(name, f"cannot read: {e}")])
    warnings = [Problem(name, f"read as {decoded.encoding}, a guess on weak evidence ({decoded.doubt}); "
                              f"if its text looks wrong, save it as UTF-8")] if decoded.doubt else []
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "jsonl":
        docs, problems, repeated = _read_jsonl(text, name)
        if not docs and not problems:
            problems = [Problem(name, "empty file")]
        return FileRead(docs, problems, warnings=warnings + repeated)
    if fmt == "html":
        doc = _html_document(text, name)
        if doc is None:
            return FileRead([], [Problem(name, "no article text found in the HTML")])
        docs = [doc]
    else:
        docs = [Document(doc_id=name, text=text, source=name, format=fmt)]
    if not docs[0].text.strip():
        return FileRead([], [Problem(name, "empty file")])
    return FileRead(docs, [], warnings=warnings)


def _read_pdf(data: bytes, name: str) -> FileRead:
    from . import pdf_reader

    try:
        got = pdf_reader.read(data)
    except pdf_reader.NoTextLayer as e:
        return FileRead([], [Problem(name, str(e))])
    except ValueError as e:
        return FileRead([], [Problem(name, f"cannot read: {e}")])
    missing = got.pages_without_text
    warnings = [Problem(name, f"page{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of "
                              f"{got.pages} {'are images' if len(missing) > 1 else 'is an image'} with no text "
                              f"layer (scanned?); the other pages are indexed")] if missing else []
    return FileRead([Document(doc_id=name, text=got.text, source=name, format="pdf")], [], warnings=warnings)


def _read_docx(data: bytes, name: str) -> FileRead:
    from . import docx_reader

    try:
        got = docx_reader.read(data)
    except ValueError as e:
        return FileRead([], [Problem(name, f"cannot read: {e}")])
    if not got.text.strip():
        return FileRead([], [Problem(name, "empty file")])
    return FileRead([Document(doc_id=name, text=got.text, source=name, format="docx",
                              file_title=got.title, file_date=got.date)], [])


def _read_jsonl(text: str, name: str) -> tuple[list[Document], list[Problem], list[Problem]]:
    """The documents of a .jsonl file, the lines that are none (problems), and warnings: a line whose
    `id` an earlier line has is kept as `<id> (line N)`, so that the two stay two articles (two
    exports pasted together both start at 1), with one warning per such id. (A line that repeats an
    earlier one whole is no other article: the build indexes it once.)"""
    docs, problems = [], []
    records: list[tuple[int, dict, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(name, f"not valid JSON ({e.msg})", number))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(name, "expected a JSON object", number))
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            problems.append(Problem(name, 'missing or empty "text"', number))
            continue
        doc_id = record.get("id")
        if doc_id is None or isinstance(doc_id, (dict, list)):
            problems.append(Problem(name, 'missing "id" (a string or number)', number))
            continue
        records.append((number, record, str(doc_id)))
    used = {doc_id for _, _, doc_id in records}   # a new name must be no id the file gives
    first: dict[str, tuple[int, str]] = {}        # id -> (line, text) of its first line
    renamed: dict[str, list[int]] = {}
    for number, record, doc_id in records:
        body = record["text"].replace("\r\n", "\n").replace("\r", "\n")
        if doc_id in first and first[doc_id][1] != body:
            kept_as, n = f"{doc_id} (line {number})", 2
            while kept_as in used:
                kept_as, n = f"{doc_id} (line {number}, {n})", n + 1
            used.add(kept_as)
            renamed.setdefault(doc_id, []).append(kept_as)
            doc_id = kept_as
        first.setdefault(doc_id, (number, body))
        docs.append(Document(
            doc_id=doc_id, text=body, source=name, format="jsonl",
            title=_str(record.get("title")), date=_str(record.get("date")),
            publisher=_str(record.get("source")), url=_str(record.get("url"))))
    repeated = [Problem(name, f"id {doc_id!r} of line {first[doc_id][0]} is on later lines too; "
                              f"indexed as {_listed(names)}", first[names[0]][0])
                for doc_id, names in renamed.items()]
    return docs, problems, repeated


def _listed(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(map(repr, names[:shown])) + more


def _str(value) -> str:
    return "" if value is None else str(value).strip()


def _html_document(html: str, name: str) -> Document | None:
    # trafilatura drops menus, scripts, styles and iframes and keeps the main text; on a short
    # page it keeps what it cannot tell from text (首页 | 新闻), so the parts HTML itself marks as
    # no article text go first. Should that leave nothing (a page all in a <header>), the whole page is read.
    import trafilatura

    def extract(page) -> str:
        return trafilatura.extract(page, include_comments=False, include_tables=True,
                                   favor_precision=False, deduplicate=False) or ""

    text = extract(_without_furniture(html)) if html.strip() else ""
    if not text.strip():
        text = extract(html)
    if not text.strip():
        return None
    meta = trafilatura.extract_metadata(html)   # the whole page: its <header> holds title and date
    title = (meta.title or "") if meta else ""
    date = (meta.date or "") if meta else ""
    # Paragraphs come back one per line: blank lines make them blocks like a .txt.
    return Document(doc_id=name, text=text.replace("\n", "\n\n"), source=name,
                    format="html", title=title.strip(), date=date)


# A page's furniture as HTML marks it: menus (<nav>), the site's banner and footer, what stands
# beside the article (<aside>), and the same parts marked by their ARIA role on a <div>.
_FURNITURE = ("//nav | //header | //footer | //aside | //*[@role='navigation' or @role='banner' "
              "or @role='contentinfo' or @role='complementary' or @role='search']")


def _without_furniture(html: str):
    """The page's tree without its menus, banner, footer and sidebars (`_FURNITURE`)."""
    from trafilatura import load_html

    tree = load_html(html)
    if tree is None:
        return html
    for element in tree.xpath(_FURNITURE):
        if element.getparent() is not None:    # not already gone with an outer one
            element.drop_tree()                # keeps the text after it
    return tree
