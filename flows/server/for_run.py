"""One Prefect API server for the whole run.

With ``PREFECT_API_URL`` set (a running ``prefect server start``), that server
is used. Otherwise the local server kept in the background by an earlier run is
reused, or started now and kept for the next runs (``flows.server.kept``;
``--no-keep-server``: one temporary server for this run only, stopped at its
end). Its URL is put in the settings context of the run, so every thread and every
Dask worker (they receive the parent's settings context) talks to that one
server: never one temporary server per worker. Logs and events are drained
before it stops.

The temporary server (and the kept one, ``flows/server/kept_process.py``) is the process
Prefect itself would start (``SubprocessASGIServer``: uvicorn over
``prefect.server.api.server:create_app`` with the ephemeral flags), launched directly with ``subprocess`` so that
(1) it boots while this process is still importing Prefect and the cleaners,
and (2) this process never imports Prefect's server modules, which cost about
4 s of CPU on the benchmark machine for nothing (bench/RESULTS.md, "Flows").
"""
from __future__ import annotations

import atexit
import contextlib
import importlib.util
import inspect
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

from .. import settings
from . import kept
from .kept import ServerError


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if this process dies without stopping it (e.g. SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


class TemporaryServer:
    """A Prefect API server in a child process, for the length of one run."""

    def __init__(self, log_path: str | None = None) -> None:
        self.proc: subprocess.Popen | None = None
        self.log_path = log_path  # the server's own output (tracebacks at exit...), not the terminal
        self.port = kept.free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"

    def launch(self) -> "TemporaryServer":
        spec = importlib.util.find_spec("prefect")
        if spec is None or spec.origin is None:
            raise ServerError("prefect is not installed")
        app_dir = str(Path(spec.origin).resolve().parent.parent)
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        log = None
        if self.log_path:
            os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
            log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        if log is not None:
            log.close()  # the child holds it
        atexit.register(self.stop)  # whatever happens to this process's main thread
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
            # a plain `kill` of this process must run the atexit/finally that stop the server
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        return self

    def wait(self, timeout: float | None = None) -> str:
        import httpx

        timeout = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 90))
        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while True:
                if self.proc is None or self.proc.poll() is not None:
                    raise ServerError(f"the temporary Prefect server exited (code {self.proc and self.proc.returncode})")
                try:
                    if client.get(self.api_url + "/health", timeout=5).status_code == 200:
                        return self.api_url
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerError(f"the temporary Prefect server did not answer within {timeout:.0f} s")
                time.sleep(0.1)

    kept = False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        try:  # nothing said: no file
            if self.log_path and os.path.getsize(self.log_path) == 0:
                os.unlink(self.log_path)
        except OSError:
            pass

    release = stop  # the end of the run: a temporary server goes with it


def launch_if_needed(keep_minutes: float | None = None, quiet: bool = False, log_path: str | None = None
                     ) -> TemporaryServer | kept.LocalServer | None:
    """The run's server, launched now (it boots while the caller imports), unless one is configured:
    the kept local server (reused, or started for this and the next runs) when ``keep_minutes``
    (default: ``DECLUTTER_KEEP_SERVER_MINUTES``, else 10) is above 0, else a temporary one, whose
    output goes to ``log_path`` (default: this process's stdout and stderr)."""
    if settings.api_url():
        return None
    minutes = kept.keep_minutes(keep_minutes)
    if minutes > 0:
        return kept.acquire(minutes, quiet=quiet)
    if not quiet:
        kept.say("Starting a temporary Prefect server for this run (~10-15 s; it stops when the run ends) ...")
    return TemporaryServer(log_path).launch()


@contextlib.contextmanager
def api_server(temporary: TemporaryServer | kept.LocalServer | None = None) -> Iterator[str]:
    """The run's API server: a launched one (temporary or kept), PREFECT_API_URL, or a new temporary one."""
    try:
        configured = settings.configured_api_url()  # Prefect's own view: env, profile, prefect.toml, .env
        if configured and temporary is not None:
            temporary.stop()
            temporary = None
        elif not configured and temporary is None:
            temporary = TemporaryServer().launch()
        url = temporary.wait() if temporary else configured
        import prefect.context
        from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        updates = {PREFECT_API_URL: url}
        if temporary:
            # Heartbeats let a running server mark a flow run whose process died as crashed.
            # A temporary server dies with the run, so nobody could ever miss one (a kept
            # one runs Prefect's ephemeral services only: no crash detection either); and the
            # flow engine joins its heartbeat thread, which sleeps in 1 s steps, at the end
            # of every run (0.5 s on average, 0.9 s measured on a one-document run).
            updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
        with temporary_settings(updates=updates):
            with prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
                try:
                    yield url
                finally:
                    drain()
    finally:
        if temporary:
            temporary.release()


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
