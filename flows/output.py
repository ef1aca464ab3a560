"""Where a document's JSON goes under OUT, and writing it safely.

- ``OUT/<input path relative to its root, extension replaced by .json>``;
- a feed's records: ``OUT/<feed path without extension>/<record id or
  zero-padded line number>.json`` (ids sanitised; an id that had to change
  gets a short hash so two ids never meet in one name);
- nothing is ever written outside OUT, and ``OUT/_runs`` / ``OUT/_state`` / ``OUT/_profiles`` /
  ``OUT/_review`` are declutter's own;
- writes are atomic: a temporary file in ``OUT/_state/tmp`` (same file system),
  then ``os.replace``; a run killed at any point leaves only complete outputs;
- and, by the flow's ``Writer(durable=True)``, durable in batches: a batch's outputs are
  written to temporary files, flushed to disk together (one ``syncfs`` on Linux, else an
  ``fsync`` each), renamed into place, and their folders fsynced, before the batch reports
  them done; only then does the parent write their manifest rows. A crash of the machine
  loses at most the batches in flight, and never leaves a row naming a partial output.
"""
from __future__ import annotations

import errno
import itertools
import hashlib
import os
import sys
import tempfile

import regex

from .records import base_name

RESERVED = ("_runs", "_state", "_profiles", "_review")
LINE_WIDTH = 6  # zero-padded record numbers: 000001.json ... (wider past a million)
MAX_ID = 80

_UNSAFE = regex.compile(r"[^\p{L}\p{N}._-]+")


_UMASK = os.umask(0o022)  # read the process umask once (at import, before any thread writes)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


class OutputPathError(ValueError):
    pass


def doc_path(rel: str) -> str:
    """'news/a.html.gz' -> 'news/a.json'."""
    stem, _ = base_name(rel)
    return check_rel(stem + ".json")


def record_name(key: str | None, line: int) -> str:
    """A record's file name: its id made safe, else its zero-padded line number."""
    if key is None:
        return f"{line:0{LINE_WIDTH}d}.json"
    safe = _UNSAFE.sub("_", key).strip("_")
    if safe.startswith("."):
        safe = "_" + safe.lstrip(".")
    if safe != key or len(safe) > MAX_ID or not safe:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        safe = f"{safe[:MAX_ID]}-{digest}" if safe else digest
    return safe + ".json"


def record_path(feed_rel: str, key: str | None, line: int) -> str:
    stem, _ = base_name(feed_rel)
    return check_rel(f"{stem}/{record_name(key, line)}")


def check_rel(rel: str) -> str:
    """Refuse a relative output path that could land outside OUT or in declutter's own folders."""
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\x00" in rel:
        raise OutputPathError(f"unsafe output path {rel!r}")
    if parts[0] in RESERVED:
        raise OutputPathError(f"output path {rel!r} would land in OUT/{parts[0]}, which declutter reserves")
    return rel


def tmp_dir(out_root: str) -> str:
    return os.path.join(out_root, "_state", "tmp")


_SEQ = itertools.count()


def _open_tmp(where: str, target: str) -> tuple[int, str]:
    """A new temporary file in ``where``, opened for writing with the mode any new file gets
    (0666 less the umask). Its name is unique to this process (pid + a counter), so the
    common case costs one ``open``; a name left by a killed run with the same pid falls
    back to ``mkstemp``."""
    name = os.path.join(where, f".{os.path.basename(target)[:40]}.{os.getpid()}.{next(_SEQ)}.tmp")
    try:
        return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), name
    except FileExistsError:
        fd, name = tempfile.mkstemp(dir=where, prefix="." + os.path.basename(target)[:40] + ".", suffix=".tmp")
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; outputs get the mode any new file would
        return fd, name


def atomic_write(target: str, data: bytes, tmp_in: str | None = None, *, dirs_exist: bool = False) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one.
    ``dirs_exist``: the caller has made the target's folder and ``tmp_in`` (skips two makedirs)."""
    folder = os.path.dirname(target)
    where = tmp_in or folder
    if not dirs_exist:
        os.makedirs(folder, exist_ok=True)
        os.makedirs(where, exist_ok=True)
    fd, tmp = _open_tmp(where, target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV or tmp_in is None:
                raise
            # OUT spans file systems: retry with the temporary file next to the target
            os.unlink(tmp)
            atomic_write(target, data)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _syncfs():
    """libc's ``syncfs(fd)`` (Linux: flush one file system's dirty data at once), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int]
    return fn


_SYNCFS = _syncfs()


def fsync_dir(path: str) -> None:
    """Make a folder's entries (a rename into it) durable, where the platform can."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Writer:
    """Writes documents under one OUT folder, refusing any path that would escape it.

    ``durable``: ``write`` leaves each document in a temporary file and ``commit`` makes them
    all durable and puts them in place (see the module's docstring); until then they are not
    outputs. Without it, each ``write`` is a plain atomic write."""

    def __init__(self, out_root: str, durable: bool = False):
        self.root = os.path.realpath(out_root)
        self.tmp = tmp_dir(self.root)
        self._safe_dirs: set[str] = set()
        self._tmp_made = False
        self.durable = durable
        self._pending: list[tuple[str, str, object]] = []  # (temporary file, target, key)

    def target(self, rel: str) -> str:
        check_rel(rel)
        path = os.path.join(self.root, *rel.split("/"))
        folder = os.path.dirname(path)
        if folder not in self._safe_dirs:
            os.makedirs(folder, exist_ok=True)
            real = os.path.realpath(folder)
            if real != self.root and not real.startswith(self.root + os.sep):
                raise OutputPathError(f"output folder for {rel!r} resolves outside OUT (a symlink?)")
            self._safe_dirs.add(folder)
        return path

    def write(self, rel: str, data: bytes, key=None) -> None:
        """Write one document (``key``: what ``commit`` hands back for it, when durable)."""
        path = self.target(rel)  # its folder made and checked (once per folder)
        if not self._tmp_made:
            os.makedirs(self.tmp, exist_ok=True)
            self._tmp_made = True
        if not self.durable:
            atomic_write(path, data, tmp_in=self.tmp, dirs_exist=True)
            return
        fd, tmp = _open_tmp(self.tmp, path)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            _unlink(tmp)
            raise
        self._pending.append((tmp, path, key))

    def commit(self) -> list[tuple[object, BaseException]]:
        """Flush every document written since the last commit to disk, rename them into place
        and flush their folders. Returns (key, exception) for those that could not be placed."""
        pending, self._pending = self._pending, []
        if not pending:
            return []
        flushed = False
        if _SYNCFS is not None:
            fd = os.open(self.tmp, os.O_RDONLY)
            try:
                flushed = _SYNCFS(fd) == 0
            finally:
                os.close(fd)
        failed = []
        dirs = set()
        for n, (tmp, path, key) in enumerate(pending):
            try:
                if not flushed:
                    with open(tmp, "rb+") as f:
                        os.fsync(f.fileno())
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise
                    with open(tmp, "rb") as f:  # OUT spans file systems: next to the target instead
                        data = f.read()
                    _unlink(tmp)
                    atomic_write(path, data)
                    with open(path, "rb+") as f:
                        os.fsync(f.fileno())
                dirs.add(os.path.dirname(path))
            except Exception as exc:  # noqa: BLE001 - reported per document
                _unlink(tmp)
                failed.append((key, exc))
            except BaseException:  # interrupted: nothing left half-placed, no temp file left
                for t, _, _ in pending[n:]:
                    _unlink(t)
                raise
        for d in sorted(dirs):
            fsync_dir(d)
        return failed

    def discard(self) -> None:
        """Forget documents written but not committed (their temporary files removed)."""
        for tmp, _, _ in self._pending:
            _unlink(tmp)
        self._pending = []


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
