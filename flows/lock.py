"""One run at a time per output folder: an exclusive lock on ``OUT/_state/lock``.

Two runs writing the same OUT would not corrupt single documents (every write
is a temp file + rename), but they would race on the manifest, the site
profiles and each other's temporary files. So a run takes
``fcntl.flock(LOCK_EX | LOCK_NB)`` on the lock file first; a second run
refuses at once with a message naming the holder (pid, host, start time).

The kernel drops the lock when its holder dies, however it dies (SIGKILL,
OOM, power): a stale lock file is just a file, never a reason to refuse. And
because a held lock proves no other run is live, the holder may sweep every
temporary file a killed run left in ``OUT/_state/tmp``.

Works on local file systems; on NFS ``flock`` is emulated with POSIX locks by
modern Linux clients. Without ``fcntl`` (Windows) runs are not locked.
"""
from __future__ import annotations

import json
import os
import socket
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None


class OutputBusy(RuntimeError):
    """Another run holds OUT's lock."""


def lock_path(out_root: str) -> str:
    return os.path.join(out_root, "_state", "lock")


class OutLock:
    """``lock = OutLock.acquire(out)`` ... ``lock.release()``; or ``with OutLock.acquire(out):``."""

    def __init__(self, fd: int | None, path: str):
        self.fd, self.path = fd, path

    @classmethod
    def acquire(cls, out_root: str) -> "OutLock":
        path = lock_path(out_root)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if fcntl is None:  # pragma: no cover
            return cls(None, path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise OutputBusy(f"{out_root} is in use by another declutter run{holder}; wait for it to "
                             "finish, or write to another --out") from None
        except BaseException:
            os.close(fd)
            raise
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode() + b"\n", 0)
        return cls(fd, path)

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            os.close(fd)  # closing the last descriptor releases the flock

    def __del__(self) -> None:  # a run that failed before its ``finally`` still lets go
        self.release()

    def __enter__(self) -> "OutLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f" (pid {info['pid']} on {info['host']}, started {info['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def held_by_other(out_root: str) -> str | None:
    """A quick check before starting (the CLI's fast refusal): the holder message, or None."""
    if fcntl is None or not os.path.exists(lock_path(out_root)):
        return None
    try:
        OutLock.acquire(out_root).release()
    except OutputBusy as exc:
        return str(exc)
    except OSError:
        return None
    return None
