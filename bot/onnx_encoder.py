"""The default model run by ONNX Runtime, without torch.

`export()` turns a sentence-transformers BERT directory into an ONNX graph of the
transformer's token vectors (last_hidden_state), float32, once, offline (it needs
torch). Mean pooling and normalising run in numpy here.

`OnnxEncoder` serves it with the `tokenizers` fast tokenizer and onnxruntime: a
process that only asks questions never imports torch or transformers. Its vectors are
sentence-transformers' (cosine >= 0.9999), so an index built with either backend is
searched with the other.

int8 graphs (onnxruntime's dynamic quantisation) were measured and left out: per-tensor
ones move passage vectors to cosine 0.98, per-channel ones to 0.996, and neither was
clearly faster than float32 in batches of about BATCH_TOKENS tokens (bench/RESULTS.md).

The CUDA execution provider is used when this onnxruntime build has it (the
onnxruntime-gpu package); otherwise the CPU one.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

EXPORT_VERSION = 1
MANIFEST = "qabot_onnx.json"
GRAPH = "model.onnx"
BATCH_TOKENS = 2048        # tokens per forward pass (padded batch size x length), see encode()


# ---------------------------------------------------------------- export (once, with torch)

def export(source: Path, out: Path, fingerprint: str) -> None:
    """Write the ONNX graph, tokenizer and settings of the sentence-transformers model in
    `source` (mean pooling, BERT-like) into `out`, recording `fingerprint` as its source."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(source, dtype=torch.float32, attn_implementation="eager",
                                      local_files_only=True).eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # two rows of different lengths, so the traced graph masks padding for real
    ids = torch.randint(5, 1000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_embeddings": {0: "batch", 1: "tokens"}}
    # the tracer's and the quantiser's warnings are about graphs unlike this one
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(TokenVectors(model), (ids, mask), str(out / GRAPH),
                          input_names=["input_ids", "attention_mask"], output_names=["token_embeddings"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    settings = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))
    st_config = json.loads((source / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    if pooling.get("pooling_mode", "mean") != "mean" or not pooling.get("include_prompt", True):
        raise ValueError(f"{source}: only mean pooling over all tokens is exported")
    (out / "tokenizer.json").write_bytes((source / "tokenizer.json").read_bytes())
    files = {name: _stat(out / name) for name in (GRAPH, "tokenizer.json")}
    # readable by every user of a shared cache (mkdtemp makes the directory 0700)
    for path in [out, *out.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    (out / MANIFEST).write_text(json.dumps({
        "export_version": EXPORT_VERSION,
        "source_fingerprint": fingerprint,
        "prompts": st_config.get("prompts", {}),
        "max_seq_length": int(settings["max_seq_length"]),
        "dimension": int(model.config.hidden_size),
        "pad_id": int(model.config.pad_token_id or 0),
        "files": files,
    }, indent=2), encoding="utf-8")
    os.chmod(out / MANIFEST, 0o644)


def _stat(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def problem(out: Path, fingerprint: str) -> str | None:
    """Why the export in `out` can't be used for the model `fingerprint`, or None. Cheap
    (no hashing): every file must have the size and modification time it was written with."""
    try:
        manifest = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no export"
    except (OSError, ValueError) as e:
        return f"unreadable manifest ({e})"
    if manifest.get("export_version") != EXPORT_VERSION:
        return f"export version {manifest.get('export_version')}, need {EXPORT_VERSION}"
    if manifest.get("source_fingerprint") != fingerprint:
        return "exported from another model"
    for name, want in manifest.get("files", {}).items():
        path = Path(out) / name
        if not path.is_file():
            return f"{name} is missing"
        if _stat(path) != want:
            return f"{name} changed since it was exported"
    return None


# ---------------------------------------------------------------- serving

def providers() -> list[str]:
    """CUDA when this onnxruntime has it, else the CPU."""
    import onnxruntime as ort
    return ["CUDAExecutionProvider", "CPUExecutionProvider"] \
        if "CUDAExecutionProvider" in ort.get_available_providers() else ["CPUExecutionProvider"]


class OnnxEncoder:
    """The exported model in `directory`: `encode(texts, prompt)`."""

    def __init__(self, directory: Path, fingerprint: str):
        from tokenizers import Tokenizer

        self.directory = Path(directory)
        manifest = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        self.fingerprint = fingerprint
        self.prompts: dict[str, str] = manifest["prompts"]
        self.max_seq_length: int = manifest["max_seq_length"]
        self.dimension: int = manifest["dimension"]
        self.pad_id: int = manifest["pad_id"]
        self.on_gpu = providers()[0] == "CUDAExecutionProvider"
        # The session (seconds: reading and optimising the graph) is made in a thread while
        # this one parses the tokenizer and the caller goes on (onnxruntime releases the
        # GIL meanwhile): a first question costs the longer of the two, not their sum. Not a
        # daemon: a process ending while onnxruntime is still making the session (Ctrl-C early in
        # a build whose texts are all cached) aborted in C++ ("terminate called without an active
        # exception", SIGABRT) as exit tore onnxruntime down under it; the exit waits for it instead.
        self._session, self._failed = None, None
        self._loading = threading.Thread(target=self._make_session, name="qabot-onnx-session")
        self._loading.start()
        self.tokenizer = Tokenizer.from_file(str(self.directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def _make_session(self) -> None:
        try:
            import onnxruntime as ort
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = os.cpu_count() or 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(str(self.directory / GRAPH), options, providers=providers())
        except BaseException as e:      # raised to whoever uses the session
            self._failed = e

    @property
    def session(self):
        """The onnxruntime session (waits for it the first time)."""
        self._loading.join()
        if self._failed is not None:
            raise RuntimeError(f"cannot load {self.directory / GRAPH}: {self._failed}") from self._failed
        return self._session

    def token_ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def encode(self, texts: list[str], prompt: str, progress=None) -> np.ndarray:
        """Unit vectors (n, dim) of `prompt + text` for each text, mean-pooled over all
        tokens as sentence-transformers does.

        Texts are encoded longest first in batches of about BATCH_TOKENS tokens (8
        passages of 256 tokens, many more short sentences): little padding, and on a
        CPU 8 x 256 tokens ran faster than 32 x 256 (bench/RESULTS.md)."""
        encodings = self.tokenizer.encode_batch([prompt + t for t in texts])
        limit = self.max_seq_length
        lengths = np.array([min(len(e.ids), limit) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        vectors = np.zeros((len(texts), self.dimension), np.float32)
        sess = self.session
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            rows = max(1, BATCH_TOKENS // max(width, 1))
            batch = order[start:start + rows]
            start += len(batch)
            ids = np.full((len(batch), width), self.pad_id, np.int64)
            mask = np.zeros((len(batch), width), np.int64)
            for r, i in enumerate(batch):
                n = lengths[i]
                ids[r, :n] = _truncated(encodings[i].ids, n)
                mask[r, :n] = 1
            hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            vectors[batch] = _mean_pool(hidden, mask)
            if progress is not None:
                progress(len(batch))
        return vectors


def _truncated(ids: list[int], n: int) -> list[int]:
    """The first n ids, keeping the closing special token as the tokenizer's own truncation
    does (`<s> ... </s>`)."""
    return ids if len(ids) <= n else ids[:n - 1] + ids[-1:]


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    v = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
