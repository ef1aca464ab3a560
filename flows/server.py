"""One Prefect API server for the whole run.

With ``PREFECT_API_URL`` set (a running ``prefect server start``), that server
is used. Otherwise one temporary server is started here, in the parent, and
registered as Prefect's default, so every thread, and every Dask worker
(they receive the parent's settings context), talks to that one server:
never one temporary server per worker. Logs and events are drained before
it stops.
"""
from __future__ import annotations

import contextlib
import inspect
from typing import Iterator

from . import settings


@contextlib.contextmanager
def api_server() -> Iterator[str]:
    import prefect.context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = settings.api_url()
    if url:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                drain()
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # Prefect's default (None-keyed) instance: internal callers find it
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            with prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
                try:
                    yield server.api_url
                finally:
                    drain()
    finally:
        server.stop()


def drain() -> None:
    """Send queued logs and events before the server goes away (else: noisy errors at exit)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def _drain():
        try:
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        except RuntimeError:
            pass
        result = EventsWorker.drain_all()
        if inspect.isawaitable(result):
            await result

    run_coro_as_sync(_drain())
