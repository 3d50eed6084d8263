"""Uploaded files -> data/uploads/: checked, named safely, never half-written.

A file is refused for a wrong type, a size over the limit, or content qabot
cannot read; a refused file never reaches the data folder. An upload never
replaces another file: a different file of the same name (another user's, in a
shared chat) is kept, and the new one gets a numbered name, which the status says.
"""

from __future__ import annotations

import errno
import filecmp
import itertools
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from .. import documents, store

UPLOAD_SUFFIXES = tuple(documents.SUFFIXES)   # whatever the readers take
MAX_UPLOAD_BYTES = 10 * 2**20          # per file
MAX_UPLOAD_FILES = 20                  # per update
UPLOAD_DIR = "uploads"                 # uploads go to <data>/uploads/
MAX_NAME_BYTES = 255                   # the longest file name common file systems take

_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]（）【】]+")


def safe_upload_name(name: str) -> str:
    """A plain file name for an upload: the basename, unsafe characters replaced,
    an allowed suffix. Raises ValueError when nothing usable is left."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" ")
    stem, dot, ext = base.rpartition(".")     # not splitext: "....txt" is a .txt with no stem
    suffix = (dot + ext).lower() if dot else ""
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(f"{base or name}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
    name_fits = _fit_name(stem.strip(" ._"), suffix)
    if name_fits == suffix:
        raise ValueError(f"{name!r} is not a usable file name (nothing is left of it but {suffix})")
    return name_fits


def _fit_name(stem: str, suffix: str, mark: str = "") -> str:
    """stem + mark + suffix, the stem cut (at a character) to fit MAX_NAME_BYTES of UTF-8."""
    room = MAX_NAME_BYTES - len((mark + suffix).encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" ._")
    return stem + mark + suffix


def _place(copy: Path, target_dir: Path, name: str) -> tuple[str, bool]:
    """Give the uploaded `copy` its name in `target_dir` without replacing any file:
    `name`, else `name (2)`, `name (3)`, ... Returns (the name, whether a file with the
    same bytes was already there under it: then nothing new is added)."""
    stem, _, ext = name.rpartition(".")
    for n in itertools.count(1):
        candidate = name if n == 1 else _fit_name(stem, "." + ext, f" ({n})")
        target = target_dir / candidate
        if target.is_file() and filecmp.cmp(copy, target, shallow=False):
            return candidate, True
        try:
            _claim(copy, target)         # fails if the name is taken, even a moment ago
            return candidate, False
        except FileExistsError:
            continue


def _claim(copy: Path, target: Path) -> None:
    """Put `copy` at `target` unless `target` exists: a hard link where the file system has
    them, else an exclusive create (vfat, exFAT, some network mounts refuse links)."""
    try:
        os.link(copy, target)
        return
    except FileExistsError:
        raise
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out, open(copy, "rb") as src:
            shutil.copyfileobj(src, out)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


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
            docs, problems = documents.read(real, f"{UPLOAD_DIR}/{name}", max_bytes)
            if not docs:
                why = "; ".join((f"line {p.line}: " if p.line else "") + p.reason
                                for p in problems[:3]) or "no article text"
                raise ValueError(f"{shown}: not added — {why}")
            target = target_dir / name
            if target.parent != target_dir:       # belt and braces: never outside uploads/
                raise ValueError(f"{shown}: unsafe file name")
            target_dir.mkdir(parents=True, exist_ok=True)
            # a short dot-file name: not indexed while half-written, and never too long
            fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".upload-", suffix=".part")
            os.close(fd)
            try:
                shutil.copyfile(real, tmp)
                stored, same = _place(Path(tmp), target_dir, name)
            finally:
                Path(tmp).unlink(missing_ok=True)
            rel = f"{UPLOAD_DIR}/{stored}"
            added.append(rel)
            n = len(docs)
            articles = f"{n} article{'s' if n != 1 else ''}"
            if same:
                notes.append(("ok", f"{rel} is already there with the same content ({articles})"))
            elif stored != name:
                notes.append(("warn", f"Added {rel} ({articles}): a different {UPLOAD_DIR}/{name} "
                                      f"is already there, so both are kept"))
            else:
                notes.append(("ok", f"Added {rel} ({articles})"))
            notes += [("warn", str(p).replace(f"{UPLOAD_DIR}/{name}", rel, 1)) for p in problems[:5]]
            if len(problems) > 5:
                notes.append(("warn", f"{rel}: {len(problems) - 5} more problems"))
        except (ValueError, OSError) as e:
            if store.disk_full(e):
                notes.append(("error", f"{shown}: not added: no space left on {target_dir}"))
            else:
                notes.append(("error", str(e) if isinstance(e, ValueError) else f"{shown}: {e.strerror or e}"))
    return added, notes
