"""The index folder on disk: generations, the manifest, the build lock and the embedding cache.

    index/
      CURRENT            name of the live generation (replaced atomically)
      gen-<time>-<id>/   one complete index: manifest.json, passages.jsonl,
                         dense.faiss, sentences.npy, sentence_offsets.npy, lexical/
      embeddings.sqlite  vectors by (model, content hash): unchanged text is never re-embedded
      .lock              held while a build runs

A build writes a new generation beside the live one and only then points
CURRENT at it, so a build that fails or is killed leaves the previous index
as it was. Nothing here is pickled: JSON, .npy (allow_pickle=False), FAISS.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"


class IndexError_(Exception):
    """Base for problems with an index folder."""


class NoIndex(IndexError_):
    pass


class CorruptIndex(IndexError_):
    pass


class BuildLocked(IndexError_):
    pass


class NoSpace(IndexError_):
    """The disk (or quota) holding the index is full: nothing was changed."""


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.exists():
        raise NoIndex(f"no index in {index_dir}/ yet: build one with `qabot build`")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as e:
        raise CorruptIndex(f"{pointer} is unreadable ({e}); rebuild with `qabot build --full`")
    gen = index_dir / name
    if not name.startswith("gen-") or "/" in name or "\0" in name or not gen.is_dir():
        raise CorruptIndex(f"{pointer} names {name[:80]!r}, which is missing; "
                           f"rebuild with `qabot build --full`")
    if not (gen / MANIFEST).is_file():
        raise CorruptIndex(f"{gen / MANIFEST} is missing; rebuild with `qabot build --full`")
    return gen


def current_signature(index_dir: Path) -> tuple | None:
    """What tells a reader, for the cost of a stat, that a build has switched generations:
    CURRENT is replaced by a new file at every switch. None when there is no index."""
    try:
        st = os.stat(index_dir / CURRENT)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


SWITCH_PATIENCE = 30.0   # seconds a reader keeps reopening while builds switch generations under it


def open_live(index_dir: Path, open_generation):
    """(open_generation(gen) of the live generation, the signature it was opened at).

    A build may switch CURRENT and delete the old generation while a reader is opening
    it: that is a race, not damage, so the reader opens the new one instead, for as long
    as SWITCH_PATIENCE (a count of tries would run out sooner on a busy machine, where
    each open takes longer). An error that stays while CURRENT stays is raised as it is."""
    deadline, tries = time.monotonic() + SWITCH_PATIENCE, 0
    while True:
        tries += 1
        signature = current_signature(index_dir)
        try:
            return open_generation(current_generation(index_dir)), signature
        except (CorruptIndex, OSError) as e:
            if current_signature(index_dir) == signature:
                if isinstance(e, OSError):   # unreadable, not damaged: say what and where
                    raise CorruptIndex(f"{e.filename or index_dir} cannot be read "
                                       f"({e.strerror or e})") from e
                raise
        if time.monotonic() > deadline:
            raise IndexError_(f"{index_dir}/ kept changing generations while it was being opened ({tries} "
                              f"tries in {SWITCH_PATIENCE:.0f} s: builds running back to back); try again")


def read_manifest(gen: Path) -> dict:
    try:
        manifest = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CorruptIndex(f"{gen / MANIFEST} is unreadable ({e}); rebuild with `qabot build --full`")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files_written"), dict):
        raise CorruptIndex(f"{gen / MANIFEST} is incomplete (no list of the files written); "
                           f"rebuild with `qabot build --full`")
    if "checksum" not in manifest:
        raise CorruptIndex(f"{gen / MANIFEST} has no checksum (an incomplete manifest, or one "
                           f"written by an older qabot); rebuild with `qabot build --full`")
    if manifest["checksum"] != _manifest_checksum(manifest):
        raise CorruptIndex(f"{gen / MANIFEST} is damaged (its checksum differs); "
                           f"rebuild with `qabot build --full`")
    _check_sizes(gen, manifest)
    return manifest


def _check_sizes(gen: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size: costs a stat per file, so it
    runs on every open and catches emptied and truncated files before a reader trips on
    them. `verify` adds the checksums."""
    for name, expected in manifest["files_written"].items():
        if name.startswith("/") or ".." in name.split("/"):
            raise CorruptIndex(f"{gen / MANIFEST} lists {name[:80]!r}, outside its generation; "
                               f"rebuild with `qabot build --full`")
        path = gen / name
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        if size is None:
            raise CorruptIndex(f"{path} is missing; rebuild with `qabot build --full`")
        if not isinstance(expected, dict) or size != expected.get("size"):
            raise CorruptIndex(f"{path} is damaged (its size differs from the manifest); "
                               f"rebuild with `qabot build --full`")


def _manifest_checksum(manifest: dict) -> str:
    """The checksum of a manifest's content (all of it but the checksum itself)."""
    body = json.dumps({k: v for k, v in manifest.items() if k != "checksum"},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()


def checksum(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def verify(gen: Path, manifest: dict) -> None:
    """Check every file of a generation against the sizes and checksums in its manifest."""
    _check_sizes(gen, manifest)
    for name, expected in manifest["files_written"].items():
        path = gen / name
        if checksum(path) != expected.get("checksum"):
            raise CorruptIndex(f"{path} is damaged (its checksum differs from the "
                               f"manifest); rebuild with `qabot build --full`")


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}.tmp"
    gen.mkdir()
    return gen


def commit_generation(index_dir: Path, gen: Path, manifest: dict) -> Path:
    """Seal a fully written generation and make it the live one, atomically."""
    manifest["files_written"] = {
        p.relative_to(gen).as_posix(): {"size": p.stat().st_size, "checksum": checksum(p)}
        for p in sorted(gen.rglob("*")) if p.is_file()}
    manifest["checksum"] = _manifest_checksum(manifest)
    _write_durably(gen / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    for p in gen.rglob("*"):
        if p.is_file():
            _fsync(p)
    final = gen.with_suffix("")
    os.rename(gen, final)
    _write_durably(index_dir / (CURRENT + ".tmp"), final.name)
    os.replace(index_dir / (CURRENT + ".tmp"), index_dir / CURRENT)
    _fsync_dir(index_dir)
    return final


def remove_stale_generations(index_dir: Path) -> None:
    """Delete every generation but the live one (old ones and leftovers of killed builds).

    When CURRENT cannot be read (an I/O error, no file handles left: often the very error
    that failed a build) nobody knows which generation is live: only the half-written
    `gen-*.tmp` ones go."""
    try:
        live = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        live = None                      # no index yet: every generation is a leftover
    except (OSError, ValueError):
        live = ""
    for path in index_dir.glob("gen-*"):
        stale = path.name != live if live != "" else path.name.endswith(".tmp")
        if stale and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def cleanup_on_failure(index_dir: Path):
    """Around a build, inside its lock: a build that fails (an error, Ctrl-C) leaves no
    half-written generation behind, and a full disk is named as such, however the library
    that hit it words it. The live generation is never touched."""
    try:
        yield
    except BaseException as e:
        # SQLite may call a full disk "disk I/O error": an I/O error with the disk (nearly)
        # full is taken as what it is, measured before the cleanup frees space again
        full = disk_full(e) or (isinstance(e, (OSError, sqlite3.Error, RuntimeError))
                                and _free_bytes(index_dir) < LOW_SPACE)
        remove_stale_generations(index_dir)
        (index_dir / (CURRENT + ".tmp")).unlink(missing_ok=True)
        if full:
            raise NoSpace(f"no space left on {index_dir}: the index was not updated and the "
                          f"previous one keeps serving; free some space and build again") from e
        raise


LOW_SPACE = 1 << 20


def _free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return LOW_SPACE


def disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, says the disk or quota is full:
    OSError's errno, SQLite's "database or disk is full", FAISS's message, numpy's short
    write ("N requested and M written")."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(error)
        if ("No space left on device" in text or "database or disk is full" in text
                or re.search(r"\b\d+ requested and \d+ written\b", text)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_lock(index_dir: Path):
    """An exclusive lock: two builds of one index never interleave."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".lock"))

    class _Held:
        def __enter__(self):
            try:
                lock.acquire(timeout=0)
            except Timeout:
                raise BuildLocked(f"another build of {index_dir}/ is running; try again when it ends")
            return self

        def __exit__(self, *exc):
            lock.release()
    return _Held()


def save_array(path: Path, array: np.ndarray) -> None:
    np.save(path, array, allow_pickle=False)


def load_array(path: Path, mmap: bool = True) -> np.ndarray:
    return np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)


class EmbeddingCache:
    """Vectors by (model fingerprint, sha256 of the embedded text), in SQLite.

    `put` writes the vectors it is given (a build's run of texts, build.EMBED_RUN)
    in one transaction, so a crash never leaves half a run; `keep_only` drops what the live index no longer uses. `get`
    returns only sound vectors (of `dim` finite floats, `dim` given) and deletes
    the rest: a cache is never a reason for a build to fail."""

    def __init__(self, path: Path, model: str, dim: int | None = None):
        self.path, self.model, self.dim = path, model, dim
        self.db = None
        try:
            self._open()
        except sqlite3.DatabaseError as e:
            self._start_afresh(e)

    def _open(self) -> None:
        self.db = sqlite3.connect(str(self.path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS embeddings ("
                        "model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, "
                        "vector BLOB NOT NULL, PRIMARY KEY (model, hash))")

    def _start_afresh(self, error: sqlite3.DatabaseError) -> None:
        """A damaged cache file is only a cache: delete it and start an empty one."""
        if isinstance(error, sqlite3.OperationalError):   # locked, disk full, ...: not damage
            raise error
        if self.db is not None:
            self.db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._open()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        try:
            return self._get(keys)
        except sqlite3.DatabaseError as e:
            self._start_afresh(e)
            return {}

    def _get(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        bad: list[str] = []
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.db.execute(
                f"SELECT hash, dim, vector FROM embeddings WHERE model = ? AND hash IN "
                f"({','.join('?' * len(chunk))})", [self.model, *chunk])
            for key, dim, blob in rows:
                vector = self._sound(dim, blob)
                if vector is None:
                    bad.append(key)
                else:
                    found[key] = vector
        if bad:     # written by a bug, another tool or bad memory: embed that text again
            with self.db:
                self.db.executemany("DELETE FROM embeddings WHERE model = ? AND hash = ?",
                                    [(self.model, k) for k in bad])
        return found

    def _sound(self, dim, blob) -> np.ndarray | None:
        """The vector in a row, or None when the row is not a sound vector of this model."""
        if not isinstance(blob, bytes) or not isinstance(dim, int) or len(blob) != 4 * dim:
            return None
        if self.dim is not None and dim != self.dim:
            return None
        vector = np.frombuffer(blob, dtype=np.float32)
        return vector if np.isfinite(vector).all() else None

    def put(self, items: dict[str, np.ndarray]) -> None:
        rows = [(self.model, k, len(v), np.asarray(v, np.float32).tobytes()) for k, v in items.items()]
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)
        except sqlite3.DatabaseError as e:
            self._start_afresh(e)
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)

    def keep_only(self, keys: set[str]) -> int:
        """Delete this model's vectors whose key is not in `keys`; returns how many."""
        try:
            return self._keep_only(keys)
        except sqlite3.DatabaseError as e:
            self._start_afresh(e)
            return 0

    def _keep_only(self, keys: set[str]) -> int:
        existing = [k for (k,) in self.db.execute(
            "SELECT hash FROM embeddings WHERE model = ?", [self.model])]
        stale = [k for k in existing if k not in keys]
        with self.db:
            self.db.executemany("DELETE FROM embeddings WHERE model = ? AND hash = ?",
                                [(self.model, k) for k in stale])
        return len(stale)

    def close(self) -> None:
        self.db.close()
