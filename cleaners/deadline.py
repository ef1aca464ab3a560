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

    def watchdog() -> None:
        if stop.wait(seconds):
            return
        while not stop.is_set():
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
                _raise_in(tid, None)
                break
            except DeadlineExceeded:
                continue
