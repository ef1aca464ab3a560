"""The flow's worker processes: supervised ``spawn`` workers that can start early, die with
their parent, and are replaced when they die or hang.

Plain Python, no Prefect import (the CLI starts the pool before it imports Prefect).

- ``prestart(n)``: ``python -m flows.clean`` calls this before importing Prefect, so the
  workers spawn and import the cleaners while the parent imports Prefect and reaches the
  API server (bench/RESULTS.md, "Flows"). The flow takes the pool with ``take``; a pool
  nobody took is shut down at exit.
- Every worker dies with its parent: on Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` in the
  worker's initializer (when the main thread starts it: the death signal follows the
  creating *thread*); otherwise a daemon thread in the worker polls ``os.getppid()``.
- Each worker is its own process with its own pipe (not a ``ProcessPoolExecutor``, whose
  every pending future breaks when one worker dies): ``Pool.run`` gives a call to one idle
  worker and waits for it. A worker that dies (any signal, ``os._exit``, a segfault) raises
  ``WorkerLost`` for that call only, naming the document it was cleaning (the worker marks
  each document's index and start in shared memory, ``worker.mark``), and is replaced by a new
  one; the other workers go on. A document still running ``hard_limit`` seconds after it
  started (a single long C call the in-process deadline cannot interrupt) gets its worker
  SIGKILLed and replaced: ``WorkerLost(timed_out=True)``.
- ``memory_limit``: bytes of address space per worker (``RLIMIT_AS``), so one page cannot
  take the machine: an allocation past it raises ``MemoryError`` in the worker, which
  ``flows.worker`` records for that document (or, in C code that aborts, the worker dies).

What a lost worker means for a batch (retries, bisection) is ``flows.supervise``'s.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import wait as _wait

from . import worker

_EARLY: "Pool | None" = None
_EARLY_N = 0
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
POLL_SECONDS = 1.0  # how often a waiting call looks at its worker's document clock
DEFAULT_MEMORY_MIB = 4096  # per worker: a 16 MiB document needs ~400 MB; an idle worker ~200 MB


class WorkerLost(Exception):
    """The worker running a call died, or was killed because a document outlived ``hard_limit``.
    ``index``: the position (in the call's batch) of the document it was cleaning, None if none."""

    def __init__(self, how: str, index: int | None, *, timed_out: bool = False, pid: int | None = None,
                 named: bool = True):
        super().__init__(how)
        self.how, self.index, self.timed_out, self.pid = how, index, timed_out, pid
        self.named = named  # False: the runner cannot say which document (index None means unknown)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def init_worker(parent_pid: int, by_main_thread: bool, memory_limit: int | None = None) -> None:
    """A worker's start: die with the parent, cap its memory, then import and prime the cleaners."""
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
    worker.warm()
    if memory_limit:
        try:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ImportError, ValueError, OSError):  # no RLIMIT_AS here: no cap
            pass


def _serve(conn, mark, parent_pid: int, by_main_thread: bool, memory_limit: int | None) -> None:
    """A worker's loop: (fn, args) in, ("ok", result) or ("err", exception) out; None ends it."""
    init_worker(parent_pid, by_main_thread, memory_limit)
    worker.set_mark(mark)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args = msg
        try:
            reply = ("ok", fn(*args))
        except BaseException as exc:  # noqa: BLE001 - sent back to the caller
            reply = ("err", exc)
        mark[0] = -1.0
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            conn.send(("err", RuntimeError(f"{type(exc).__name__} sending the result back: {exc}")))


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "died"
    if exitcode < 0:
        try:
            return f"died ({signal.Signals(-exitcode).name})"
        except ValueError:
            return f"died (signal {-exitcode})"
    return f"exited with status {exitcode}"


class _Worker:
    def __init__(self, ctx, memory_limit: int | None):
        by_main = threading.current_thread() is threading.main_thread()
        self.mark = ctx.RawArray("d", [-1.0, 0.0])  # [document index, its start (monotonic)]
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, name="declutter-worker", daemon=True,
                                args=(child, self.mark, os.getpid(), by_main, memory_limit))
        self.proc.start()
        child.close()
        self.pid: int | None = None  # known once it said "ready"

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, AttributeError):
            pass
        self.proc.join(10)
        self.conn.close()


class Pool:
    """``n`` supervised worker processes. ``run(fn, *args)`` runs ``fn(*args)`` in an idle one
    (blocking the calling thread; many threads may call at once) and returns its result or
    raises its exception, or ``WorkerLost``."""

    def __init__(self, n: int, *, memory_limit: int | None = None, hard_limit: float | None = None):
        self.n = n
        self.memory_limit, self.hard_limit = memory_limit, hard_limit
        self._ctx = multiprocessing.get_context("spawn")  # the parent runs Prefect's threads
        self._cond = threading.Condition()
        self._idle: deque[_Worker] = deque(_Worker(self._ctx, memory_limit) for _ in range(n))
        self._busy: set[_Worker] = set()
        self._closed = False
        self.replaced = 0  # workers that died or were killed, and were replaced

    def configure(self, *, memory_limit: int | None, hard_limit: float | None) -> None:
        """The run's limits. A new memory limit restarts idle workers started under another one."""
        self.hard_limit = hard_limit
        if memory_limit != self.memory_limit:
            self.memory_limit = memory_limit
            with self._cond:
                old, self._idle = list(self._idle), deque()
                for w in old:
                    w.kill()
                    self._idle.append(_Worker(self._ctx, memory_limit))

    def pids(self, timeout: float = 120) -> list[int]:
        """The workers' process ids, once each has started (tests)."""
        with self._cond:
            workers = list(self._idle) + list(self._busy)
        for w in workers:
            if w.pid is None and w.conn.poll(timeout):
                w.pid = w.conn.recv()[1]
        return sorted(w.pid or w.proc.pid for w in workers)

    def _take(self) -> _Worker:
        with self._cond:
            while not self._idle:
                if self._closed:
                    raise RuntimeError("the worker pool is shut down")
                self._cond.wait()
            w = self._idle.popleft()
            self._busy.add(w)
            return w

    def _give_back(self, w: _Worker, lost: bool) -> None:
        with self._cond:
            self._busy.discard(w)
            if lost:
                w.kill()
                if self._closed:
                    return
                self.replaced += 1
                w = _Worker(self._ctx, self.memory_limit)
            if self._closed:
                _stop(w)
            else:
                self._idle.append(w)
            self._cond.notify()

    def run(self, fn, *args, hard_limit: float | None = None):
        hard_limit = hard_limit if hard_limit is not None else self.hard_limit
        w = self._take()
        lost = True
        try:
            try:
                w.conn.send((fn, args))
            except (BrokenPipeError, OSError):
                w.proc.join(5)
                raise WorkerLost(f"worker {_how(w.proc.exitcode)}", None, pid=w.pid) from None
            while True:
                ready = _wait([w.conn, w.proc.sentinel], timeout=POLL_SECONDS)
                if w.conn in ready:
                    try:
                        kind, value = w.conn.recv()
                    except (EOFError, OSError):
                        ready = [w.proc.sentinel]
                    else:
                        if kind == "ready":
                            w.pid = value
                            continue
                        lost = False
                        if kind == "err":
                            raise value
                        return value
                if w.proc.sentinel in ready:
                    w.proc.join(5)
                    raise WorkerLost(f"worker {_how(w.proc.exitcode)}", _index(w.mark), pid=w.pid)
                index, started = _index(w.mark), w.mark[1]
                if hard_limit and index is not None and time.monotonic() - started > hard_limit:
                    w.kill()
                    raise WorkerLost(f"worker killed after {hard_limit:g} s on one document", index,
                                     timed_out=True, pid=w.pid)
        finally:
            self._give_back(w, lost)

    def shutdown(self, wait: bool = True, cancel_futures: bool = True) -> None:  # noqa: ARG002
        with self._cond:
            self._closed = True
            idle, self._idle = list(self._idle), deque()
            busy = list(self._busy)
            self._cond.notify_all()
        for w in idle:
            _stop(w)
        for w in busy:  # a call still running when the run ends (cancelled)
            w.kill()
        if wait:
            for w in idle:
                w.proc.join(5)
                if w.proc.is_alive():
                    w.kill()


def _index(mark) -> int | None:
    i = int(mark[0])
    return i if i >= 0 else None


def _stop(w: _Worker) -> None:
    try:
        w.conn.send(None)
    except OSError:
        w.kill()


def start(n: int, *, memory_limit: int | None = None, hard_limit: float | None = None) -> Pool:
    """A pool of ``n`` workers, all starting now."""
    return Pool(n, memory_limit=memory_limit, hard_limit=hard_limit)


def prestart(n: int, *, memory_limit: int | None = None) -> None:
    """Start ``n`` workers now, for the flow to ``take`` later."""
    global _EARLY, _EARLY_N
    if _EARLY is None and n >= 1:
        _EARLY, _EARLY_N = start(n, memory_limit=memory_limit), n
        atexit.register(_shutdown_early)


def take(n: int, *, memory_limit: int | None = None, hard_limit: float | None = None) -> Pool:
    """The prestarted pool if it has at least ``n`` workers (they are already paid for), else a new one."""
    global _EARLY
    if _EARLY is not None and _EARLY_N >= n:
        pool, _EARLY = _EARLY, None
        pool.configure(memory_limit=memory_limit, hard_limit=hard_limit)
        return pool
    discard()
    return start(n, memory_limit=memory_limit, hard_limit=hard_limit)


def prestarted() -> bool:
    """Workers are started and waiting to be taken (the CLI's)."""
    return _EARLY is not None


def discard() -> None:
    """Stop the prestarted workers (the run needs none)."""
    _shutdown_early()


def _shutdown_early() -> None:
    global _EARLY
    if _EARLY is not None:
        _EARLY.shutdown(wait=False)
        _EARLY = None
