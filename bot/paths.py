"""Where the articles and the index live: one rule for every entry point (chat, CLI, Python).

An explicit argument or flag wins; else $QABOT_DATA / $QABOT_INDEX; else `data/`
and `index/` in the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "QABOT_DATA"
INDEX_ENV = "QABOT_INDEX"


def data_dir(given: str | os.PathLike | None = None) -> Path:
    return Path(given if given is not None else os.environ.get(DATA_ENV) or "data")


def index_dir(given: str | os.PathLike | None = None) -> Path:
    return Path(given if given is not None else os.environ.get(INDEX_ENV) or "index")
