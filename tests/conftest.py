import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED_NAME = "000_e7b07c6adf354492.txt"

# Nothing in the tests may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """The shipped data indexed with the real default model (built once per session)."""
    from bot import build_index

    index_dir = tmp_path_factory.mktemp("seed") / "index"
    build_index([DATA], index_dir=index_dir)
    return index_dir


@pytest.fixture(scope="session")
def seed_retriever(seed_index):
    from bot import Retriever

    return Retriever.load(seed_index)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def make_tiny_model(target: Path) -> Path:
    """A tiny, deterministic sentence-transformers model: the default model's tokenizer,
    prompts and pooling on a one-layer, 32-wide BERT with seeded random weights.

    For plumbing tests (crash loops, locks, load) where the ranking does not matter and
    the real model would make each build slow. Vectors are meaningless but stable."""
    import json

    import torch
    from transformers import BertConfig, BertModel

    from bot import encoder as encoders

    source = encoders.ensure_default_model()
    if (target / "model.safetensors").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    config.update(hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=1)
    config.pop("transformers_version", None)
    torch.manual_seed(6)
    BertModel(BertConfig(**config)).eval().save_pretrained(target)
    for name in ("tokenizer.json", "tokenizer_config.json", "modules.json",
                 "sentence_bert_config.json", "config_sentence_transformers.json"):
        shutil.copy(source / name, target / name)
    shutil.copytree(source / "2_Normalize", target / "2_Normalize")
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    pooling["embedding_dimension"] = 32
    (target / "1_Pooling").mkdir()
    (target / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """Directory of a tiny deterministic model (see make_tiny_model); pass it as `model=`."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")
