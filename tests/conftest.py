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
