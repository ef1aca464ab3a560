"""The flow's worker processes: a ``spawn`` process pool that can start early and dies with its parent.

Plain Python, no Prefect import (the CLI starts the pool before it imports Prefect).

- ``prestart(n)``: ``python -m flows.clean`` calls this before importing Prefect, so the
  workers spawn and import the cleaners while the parent imports Prefect and reaches the
  API server (bench/RESULTS.md, "Flows"). The flow takes the pool with ``take``; a pool
  nobody took is shut down at exit.
- Every worker dies with its parent: on Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` in the
  worker's initializer (the pool is started from the main thread, whose end is the
  process's end); elsewhere, or from another thread, a daemon thread in the worker polls
  ``os.getppid()``. Without it a SIGKILLed parent leaves its workers running.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

from . import work

_EARLY: ProcessPoolExecutor | None = None
_EARLY_N = 0
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def _watch_parent(parent_pid: int) -> None:
    import time

    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def init_worker(parent_pid: int, by_main_thread: bool) -> None:
    """A worker's initializer: die with the parent, then import and prime the cleaners."""
    armed = False
    if sys.platform.startswith("linux") and by_main_thread:
        try:
            import ctypes

            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
        except Exception:  # noqa: BLE001 - fall back to the watching thread
            armed = False
    if os.getppid() != parent_pid:  # the parent died before this worker could ask
        os._exit(1)
    if not armed and hasattr(os, "getppid") and sys.platform != "win32":
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="declutter-parent-watch",
                         daemon=True).start()
    work.warm()


def start(n: int) -> ProcessPoolExecutor:
    """A pool of ``n`` spawn workers, all started now (spawn otherwise starts one per submit)."""
    # spawn: the parent runs Prefect's threads, which fork must not copy
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker,
                               initargs=(os.getpid(), threading.current_thread() is threading.main_thread()))
    for _ in range(n):  # each submit with no idle worker spawns one (in this thread)
        pool.submit(os.getpid)
    return pool


def prestart(n: int) -> None:
    """Start ``n`` workers now, for the flow to ``take`` later."""
    global _EARLY, _EARLY_N
    if _EARLY is None and n >= 1:
        _EARLY, _EARLY_N = start(n), n
        atexit.register(_shutdown_early)


def take(n: int) -> ProcessPoolExecutor:
    """The prestarted pool if it has at least ``n`` workers (they are already paid for), else a new one."""
    global _EARLY
    if _EARLY is not None and _EARLY_N >= n:
        pool, _EARLY = _EARLY, None
        return pool
    discard()
    return start(n)


def discard() -> None:
    """Stop the prestarted workers (the run needs none)."""
    _shutdown_early()


def _shutdown_early() -> None:
    global _EARLY
    if _EARLY is not None:
        _EARLY.shutdown(wait=False, cancel_futures=True)
        _EARLY = None
