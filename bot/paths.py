"""Where the articles, the index and the cache live: one rule for every entry point (chat, CLI, Python).

An explicit argument or flag wins; else $QABOT_DATA / $QABOT_INDEX; else `data/`
and `index/` in the current folder. What is made once and reused (the converted
model, its ONNX export, the parsed dictionary) is kept in $QABOT_CACHE, else
$XDG_CACHE_HOME/qabot, else ~/.cache/qabot.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "QABOT_DATA"
INDEX_ENV = "QABOT_INDEX"
CACHE_ENV = "QABOT_CACHE"


def data_dir(given: str | os.PathLike | None = None) -> Path:
    return Path(given if given is not None else os.environ.get(DATA_ENV) or "data")


def index_dir(given: str | os.PathLike | None = None) -> Path:
    return Path(given if given is not None else os.environ.get(INDEX_ENV) or "index")


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "qabot"
