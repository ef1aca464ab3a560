"""A per-call time limit that works in any thread: ``with time_limit(5): slow()``.

trafilatura has no time limit of its own, and a pathological page (deeply
nested, megabytes of markup) can keep it busy for minutes. ``signal.alarm``
only works in the main thread of the main interpreter, and declutter also runs
inside Prefect and Dask workers, which call us from worker threads. So the
limit is a watchdog instead: a ``threading.Timer`` that, when time is up,
raises ``DeadlineExceeded`` *inside the thread that is doing the work*
(CPython's ``PyThreadState_SetAsyncExc``, the mechanism behind
``KeyboardInterrupt`` delivery to threads). The same code path serves the
main thread, worker threads and worker processes, and no signal handler of
the host (Prefect, Dask, a CLI) is replaced.

Limits, stated plainly: the exception is delivered between Python bytecodes,
so a single long C call (one huge lxml parse or XPath) finishes before it
lands; ``DeadlineExceeded`` derives from ``BaseException`` so the library's
``except Exception`` blocks do not swallow it, and the watchdog re-raises it
every ``RETRY_S`` until the block exits in case a bare ``except:`` did. When
the block ends in time any pending exception is cancelled, so it can never
escape afterwards.
"""
from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager
from typing import Iterator

RETRY_S = 0.05


class DeadlineExceeded(BaseException):
    """The time limit of a ``time_limit`` block ran out."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    _set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else ctypes.py_object())


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``DeadlineExceeded`` in this thread if the block runs longer than ``seconds``.

    ``None`` or a non-positive value means no limit."""
    if not seconds or seconds <= 0:
        yield
        return
    tid = threading.get_ident()
    stop = threading.Event()
    fired: list[bool] = []

    def watchdog() -> None:
        if stop.wait(seconds):
            return
        while not stop.is_set():
            fired.append(True)
            _raise_in(tid, DeadlineExceeded)
            stop.wait(RETRY_S)

    t = threading.Thread(target=watchdog, name="declutter-deadline", daemon=True)
    t.start()
    try:
        yield
    finally:
        # Stop the watchdog, wait until it can inject no more, then cancel anything
        # still pending, so nothing escapes after the block. An injection landing
        # in here only means time ran out as the block finished: absorb it.
        while True:
            try:
                stop.set()
                t.join()
                if fired:  # only then: a needless clear makes CPython 3.11 spin under a profiler
                    _raise_in(tid, None)
                break
            except DeadlineExceeded:
                continue


class Watchdog:
    """One watchdog thread for many consecutive ``limit`` blocks of one thread:
    ``with Watchdog() as wd: for doc in docs: with wd.limit(300): clean(doc)``.

    ``time_limit`` starts and joins a thread per block (about 0.2 ms: a few percent of a
    short document's cleaning). Here one thread sleeps until the earliest deadline it knows;
    a new block only moves the deadline under a lock, and wakes the thread only when that
    deadline is earlier than the one it sleeps towards (or when it is idle). Same delivery
    and cancellation as ``time_limit``; the thread ends when the ``with Watchdog()`` ends.
    Blocks must not nest, and come from the thread that opened the watchdog."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._tid = threading.get_ident()
        self._deadline: float | None = None  # monotonic time of the running block's end
        self._wake: float | None = None  # when the thread will look again (None: idle, waits for notify)
        self._closed = False
        self._fired = False  # an exception was injected during the running block
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Watchdog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._deadline = None
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        import time

        with self._cond:
            while not self._closed:
                now = time.monotonic()
                if self._deadline is None:
                    self._wake = None
                    self._cond.wait()
                elif now < self._deadline:
                    self._wake = self._deadline
                    self._cond.wait(self._deadline - now)
                else:  # time is up: raise in the worker, again every RETRY_S until the block ends
                    self._fired = True
                    _raise_in(self._tid, DeadlineExceeded)
                    self._wake = now + RETRY_S
                    self._cond.wait(RETRY_S)

    @contextmanager
    def limit(self, seconds: float | None) -> Iterator[None]:
        """Raise ``DeadlineExceeded`` in this thread if the block runs longer than ``seconds``
        (``None`` or <= 0: no limit)."""
        if not seconds or seconds <= 0:
            yield
            return
        import time

        deadline = time.monotonic() + seconds
        with self._cond:
            if self._closed:
                raise RuntimeError("the watchdog is closed")
            self._deadline = deadline
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="declutter-deadline", daemon=True)
                self._thread.start()
            elif self._wake is None or deadline < self._wake:
                self._cond.notify()
        try:
            yield
        finally:
            # As in time_limit: once the deadline is cleared under the lock the thread can
            # inject no more; then cancel anything pending. An injection landing in here only
            # means time ran out as the block finished: absorb it.
            while True:
                try:
                    with self._cond:
                        self._deadline = None
                        fired, self._fired = self._fired, False
                    if fired:  # only then (see time_limit)
                        _raise_in(self._tid, None)
                    break
                except DeadlineExceeded:
                    continue
