"""Uploaded files -> data/uploads/: checked, named safely, never half-written.

A file is refused for a wrong type, a size over the limit, or content qabot
cannot read; a refused file never reaches the data folder.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

from .. import documents

UPLOAD_SUFFIXES = tuple(documents.SUFFIXES)   # whatever the readers take
MAX_UPLOAD_BYTES = 10 * 2**20          # per file
MAX_UPLOAD_FILES = 20                  # per update
UPLOAD_DIR = "uploads"                 # uploads go to <data>/uploads/

_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]（）【】]+")


def safe_upload_name(name: str) -> str:
    """A plain file name for an upload: the basename, unsafe characters replaced,
    an allowed suffix. Raises ValueError when nothing usable is left."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" ")
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in UPLOAD_SUFFIXES:
        raise ValueError(f"{base or name}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
    stem = stem.strip(" ._")[:120]
    if not stem:
        raise ValueError(f"{name!r} is not a usable file name")
    return stem + suffix.lower()


def add_uploads(paths, data_dir: Path, allowed_root: Path | None = None,
                max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[list[str], list[tuple[str, str]]]:
    """Check uploaded files and copy the good ones into <data_dir>/uploads/.

    `paths` are files the web server received (under `allowed_root`). A file is
    refused for a wrong type, a size over `max_bytes`, or content qabot cannot
    read (binary, no article text, no valid .jsonl line); it then never reaches
    data/. Returns (names added relative to data_dir, [(kind, message)])."""

    added, notes = [], []
    paths = [Path(p) for p in (paths or [])]
    if len(paths) > MAX_UPLOAD_FILES:
        notes.append(("error", f"{len(paths)} files chosen; at most {MAX_UPLOAD_FILES} at a time"))
        return added, notes
    target_dir = (Path(data_dir) / UPLOAD_DIR).resolve()
    for src in paths:
        shown = src.name
        try:
            name = safe_upload_name(src.name)
            real = src.resolve()
            if allowed_root is not None and not real.is_relative_to(Path(allowed_root).resolve()):
                raise ValueError(f"{shown}: not an uploaded file")
            if not real.is_file():
                raise ValueError(f"{shown}: not a file")
            size = real.stat().st_size
            if size > max_bytes:
                raise ValueError(f"{shown}: {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
            if size == 0:
                raise ValueError(f"{shown}: the file is empty")
            rel = f"{UPLOAD_DIR}/{name}"
            docs, problems = documents.read(real, rel, max_bytes)
            if not docs:
                why = "; ".join((f"line {p.line}: " if p.line else "") + p.reason
                                for p in problems[:3]) or "no article text"
                raise ValueError(f"{shown}: not added — {why}")
            target = target_dir / name
            if target.parent != target_dir:       # belt and braces: never outside uploads/
                raise ValueError(f"{shown}: unsafe file name")
            target_dir.mkdir(parents=True, exist_ok=True)
            existed = target.exists()
            tmp = target_dir / f".{name}.part"     # dot files are not indexed while half-written
            shutil.copyfile(real, tmp)
            os.replace(tmp, target)
            added.append(rel)
            n = len(docs)
            notes.append(("ok", f"{'Replaced' if existed else 'Added'} {rel} "
                                f"({n} article{'s' if n != 1 else ''})"))
            notes += [("warn", str(p)) for p in problems[:5]]
            if len(problems) > 5:
                notes.append(("warn", f"{rel}: {len(problems) - 5} more problems"))
        except (ValueError, OSError) as e:
            notes.append(("error", str(e) if isinstance(e, ValueError) else f"{shown}: {e.strerror or e}"))
    return added, notes
