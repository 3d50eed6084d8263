"""qabot: an offline question-answering bot that answers with passages.

    from bot import build_index, Retriever, retrieve

    build_index(["data"], index_dir="index")        # articles -> index/
    for hit in retrieve("谁去了南通镇?", k=3):         # -> ranked, explained hits
        print(hit.section, hit.confidence, hit.answer)

Imports are lazy so that `import bot` costs nothing until something is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["build_index", "BuildReport", "NothingToIndex", "Retriever", "retrieve", "Hit", "QuestionError",
           "ModelMismatch", "ScopeError", "EmptyScope", "load_encoder", "DEFAULT_MODEL"]

_WHERE = {
    "build_index": "build", "BuildReport": "build", "NothingToIndex": "build",
    "Retriever": "retriever", "retrieve": "retriever", "Hit": "retriever",
    "QuestionError": "retriever", "ModelMismatch": "retriever",
    "ScopeError": "scope", "EmptyScope": "scope",
    "load_encoder": "encoder", "DEFAULT_MODEL": "encoder",
}

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ imports on demand
    from .build import BuildReport, NothingToIndex, build_index
    from .encoder import DEFAULT_MODEL, load_encoder
    from .retriever import Hit, ModelMismatch, QuestionError, Retriever, retrieve
    from .scope import EmptyScope, ScopeError


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
