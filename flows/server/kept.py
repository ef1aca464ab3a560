"""A local Prefect API server kept running between runs (issue 17).

Without ``PREFECT_API_URL`` a run needs an API server, and booting one costs
~10-14 s on a 2-core machine (Prefect's server import and migrations). So the
first run starts one in the background and later runs reuse it:

- state lives in the run's ``PREFECT_HOME`` (``<checkout>/.prefect`` by default):
  ``declutter-server.json`` (pid, port, url, token, start time, owner, idle time,
  log), ``declutter-server.lock`` (who may check or start a server: one at a time),
  ``declutter-server.lease`` (every run using the server holds a shared ``flock`` on
  it and touches it when it starts and ends), ``declutter-server.log``.
- the server (``flows/server/kept_process.py``: Prefect's own app under uvicorn, 127.0.0.1
  only, in its own session so a Ctrl-C in the terminal does not reach it) stops
  itself once no run has held or touched the lease for the idle time (10 minutes
  by default, ``--keep-server MINUTES`` / ``DECLUTTER_KEEP_SERVER_MINUTES``): the
  limit is enforced by the server process, so a SIGKILLed run cannot leave a
  server that lives forever.
- a run trusts the info file only if the pid is alive and its command line is
  the server's, with the file's token and port, and Prefect's ``/api/health``
  answers there (or it is still booting, younger than the start-up timeout);
  anything else is stale: removed (a hung server of ours is stopped) and a new
  server started.
- two runs starting at once start one server: the check-and-start happens under
  the lock; the second run finds the first one's server (booting) and waits for it.
- ``python -m flows.server status`` / ``stop`` show and stop it; each run says on
  the terminal that the server is still running, for how long, and how to stop it.

Plain Python: no Prefect import (the health check is one stdlib HTTP request).
"""
from __future__ import annotations

import atexit
import getpass
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no kept server, a temporary one per run
    fcntl = None

from .kept_process import INFO, LEASE, PRODUCTION_APP

LOCK = "declutter-server.lock"
LOG = "declutter-server.log"
DEFAULT_MINUTES = 10.0
ENV_MINUTES = "DECLUTTER_KEEP_SERVER_MINUTES"
STOP_HINT = "python -m flows.server stop"
STATUS_HINT = "python -m flows.server status"
_SERVERPROC = Path(__file__).resolve().with_name("kept_process.py")


class ServerError(RuntimeError):
    pass


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def keep_minutes(flag: float | None = None) -> float:
    """How long a kept server lives after the last run: the flag, else the env var, else 10 min.
    0 means no kept server (a temporary one for the run); always 0 without ``fcntl`` (Windows)."""
    if fcntl is None:  # pragma: no cover
        return 0.0
    if flag is not None:
        return max(0.0, flag)
    raw = os.environ.get(ENV_MINUTES, "").strip()
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            raise ServerError(f"{ENV_MINUTES}={raw!r} is not a number of minutes") from None
    return DEFAULT_MINUTES


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def describe_minutes(minutes: float) -> str:
    if minutes >= 1 and float(minutes).is_integer():
        return f"{int(minutes)} min"
    return f"{minutes * 60:.0f} s" if minutes < 1 else f"{minutes:g} min"


# -- the files ----------------------------------------------------------------------------

def read_info(home: Path) -> dict | None:
    try:
        info = json.loads((home / INFO).read_text())
    except (OSError, ValueError):
        return None
    need = ("pid", "port", "url", "token", "started_at")
    return info if isinstance(info, dict) and all(k in info for k in need) else None


def _write_info(home: Path, info: dict) -> None:
    tmp = home / f".{INFO}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(info, indent=1) + "\n")
    os.replace(tmp, home / INFO)


def _forget(home: Path, info: dict) -> None:
    current = read_info(home)
    if current is not None and current.get("token") == info.get("token"):
        (home / INFO).unlink(missing_ok=True)


class _StartLock:
    """Exclusive ``flock`` on ``declutter-server.lock`` while a run checks or starts the server."""

    def __init__(self, home: Path, on_wait: Callable[[], None] | None = None):
        self.path, self.on_wait, self.fd = home / LOCK, on_wait, None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.on_wait:
                self.on_wait()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
        self.fd = None


class Lease:
    """A run's shared hold on the server: while held, the server's watchdog never stops it."""

    def __init__(self, fd: int, idle_seconds: float):
        self.fd, self.idle_seconds = fd, idle_seconds

    @classmethod
    def take(cls, home: Path, idle_seconds: float, wait: float) -> "Lease | None":
        """Take it within ``wait`` seconds, or None (the server holds it: it is stopping)."""
        fd = os.open(home / LEASE, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return None
                time.sleep(0.05)
        lease = cls(fd, idle_seconds)
        lease.touch()
        return lease

    def touch(self) -> None:
        # same width every time, written in place: the file keeps its inode (the server
        # holds it open) and a reader never sees it half written; the write sets its mtime
        os.pwrite(self.fd, f"{self.idle_seconds:20.1f}\n".encode(), 0)

    def release(self) -> None:
        if self.fd is not None:
            try:
                self.touch()
            finally:
                fd, self.fd = self.fd, None
                os.close(fd)  # drops the shared flock


def lease_busy(home: Path) -> bool:
    """True when some run holds the lease (or the server is stopping and holds it)."""
    try:
        fd = os.open(home / LEASE, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


# -- is it ours, and is it up? -------------------------------------------------------------

def _cmdline(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except FileNotFoundError:
        return None
    except OSError:
        pass
    try:  # no /proc (macOS)
        out = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.split() if out.returncode == 0 and out.stdout.strip() else None


def is_ours(info: dict) -> bool:
    """The pid is alive and is the server this info file describes (script, token and port)."""
    try:
        pid = int(info["pid"])
        os.kill(pid, 0)
    except (ValueError, TypeError, ProcessLookupError):
        return False
    except PermissionError:  # alive, but another user's: not ours
        return False
    args = _cmdline(pid) or []
    joined = " ".join(args)
    return (any(a.endswith("kept_process.py") for a in args) and f"--token {info['token']}" in joined
            and f"--port {info['port']}" in joined)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _zombie(pid: int) -> bool:
    """Exited, waiting for its parent (the run that started it, still running) to reap it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _zombie(pid):
            return True
        try:  # our own child (the run that started it): reap it
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def _terminate(pid: int, timeout: float = 15.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if _wait_gone(pid, timeout):
            return


def free_port() -> int:
    """A free TCP port on 127.0.0.1, as the OS hands one out (the one copy: servers, tests, bench)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a run's server ----------------------------------------------------------------------------

class LocalServer:
    """A run's use of the kept server: ``wait()`` for its URL, ``release()`` when done."""

    kept = True

    def __init__(self, home: Path, info: dict, lease: Lease, launched: bool, ready: bool,
                 proc: subprocess.Popen | None = None, startup_timeout: float = 90.0, quiet: bool = False):
        self.home, self.info, self.lease, self.launched, self.ready = home, info, lease, launched, ready
        self.proc, self.startup_timeout, self.quiet = proc, startup_timeout, quiet
        self.api_url = info["url"]
        self.pid = int(info["pid"])
        self._said_goodbye = False
        atexit.register(self.goodbye)

    def _alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return is_ours(self.info)

    def wait(self, timeout: float | None = None) -> str:
        if self.ready:
            return self.api_url
        timeout = timeout or self.startup_timeout
        deadline = time.monotonic() + timeout
        while True:
            if healthy(self.api_url, timeout=5):
                self.ready = True
                return self.api_url
            if not self._alive():
                _forget(self.home, self.info)
                raise ServerError(f"the local Prefect server exited while starting (pid {self.pid}; "
                                  f"its log: {self.home / LOG})")
            if time.monotonic() > deadline:
                raise ServerError(f"the local Prefect server did not answer within {timeout:.0f} s "
                                  f"(pid {self.pid}, its log: {self.home / LOG}); stop it with {STOP_HINT}")
            time.sleep(0.1)

    def release(self) -> None:
        """This run is done with it: the idle time starts now."""
        self.lease.release()

    def stop(self) -> None:
        """This run does not need it after all: stop it if this run started it, else let go."""
        self.lease.release()
        if self.launched and self._alive():
            _terminate(self.pid)
            _forget(self.home, self.info)
            self._said_goodbye = True

    def goodbye(self) -> None:
        """At exit: say that a server is still running, for how long, and how to stop it."""
        if self._said_goodbye:
            return
        self._said_goodbye = True
        if self.lease.fd is not None:
            self.lease.release()
        if self.quiet and not self.launched:
            return
        if not self._alive():
            return
        minutes = self.lease.idle_seconds / 60
        say(f"A local Prefect server keeps running in the background for the next runs (pid {self.pid}, "
            f"{self.api_url}); it stops by itself after {describe_minutes(minutes)} without a run. "
            f"Stop it now: {STOP_HINT}")


def acquire(minutes: float, *, home: Path | None = None, quiet: bool = False, app: str | None = None,
            app_dir: str | None = None, startup_timeout: float | None = None) -> LocalServer:
    """The kept server for this run: the running one (no boot), or a new one launched now."""
    home = home or prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    idle = minutes * 60
    if startup_timeout is None:
        startup_timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 90))
    note = (lambda m: None) if quiet else say

    with _StartLock(home, on_wait=lambda: note("Waiting for another run to finish checking the local Prefect server ...")):
        info = read_info(home)
        if info is not None:
            if is_ours(info) and _other_install(info) and not lease_busy(home):
                note(f"The local Prefect server (pid {info['pid']}) runs another Python or Prefect: replacing it")
                _terminate(int(info["pid"]))
            elif is_ours(info):
                ready = healthy(info["url"])
                age = time.time() - float(info["started_at"])
                # booting, or slow to answer while a run uses it (a loaded machine): never killed then
                if ready or age < startup_timeout or lease_busy(home):
                    lease = Lease.take(home, idle, wait=1.0)
                    if lease is not None and is_ours(info):
                        if not ready:
                            note(f"Waiting for the local Prefect server (pid {info['pid']}, started "
                                 f"{age:.0f} s ago) to answer ...")
                        return LocalServer(home, info, lease, launched=False, ready=ready,
                                           startup_timeout=startup_timeout, quiet=quiet)
                    if lease is not None:
                        lease.release()
                    _wait_gone(int(info["pid"]), 30)  # its watchdog is stopping it
                else:
                    note(f"The local Prefect server (pid {info['pid']}) does not answer: stopping it")
                    _terminate(int(info["pid"]))
            (home / INFO).unlink(missing_ok=True)  # stale: dead pid, someone else's process, or stopped

        lease = Lease.take(home, idle, wait=30.0)
        if lease is None:
            raise ServerError(f"{home / LEASE} stays locked: an old local server is still stopping")
        note(f"Starting a local Prefect server in the background (first run: ~10-15 s; the next runs "
             f"reuse it, and it stops after {describe_minutes(minutes)} without a run) ...")
        port, token = free_port(), secrets.token_hex(8)
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1", "PREFECT_HOME": str(home)}
        env.pop("PREFECT_API_URL", None)
        cmd = [sys.executable, str(_SERVERPROC), "--port", str(port), "--token", token, "--home", str(home),
               "--idle", str(idle), "--app", app or PRODUCTION_APP]
        if app_dir:
            cmd += ["--app-dir", app_dir]
        with open(home / LOG, "wb") as log:
            proc = subprocess.Popen(cmd, env=env, cwd=str(home), stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        info = {"pid": proc.pid, "port": port, "url": f"http://127.0.0.1:{port}/api", "token": token,
                "started_at": time.time(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "owner": {"user": _user(), "uid": os.getuid(), "run_pid": os.getpid()},
                "idle_seconds": idle, "log": str(home / LOG), **_install()}
        _write_info(home, info)
        return LocalServer(home, info, lease, launched=True, ready=False, proc=proc,
                           startup_timeout=startup_timeout, quiet=quiet)


def _install() -> dict:
    """What the server runs on: a later run of another Python or Prefect does not reuse it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        prefect = version("prefect")
    except PackageNotFoundError:
        prefect = None
    return {"python": sys.executable, "prefect": prefect}


def _other_install(info: dict) -> bool:
    return {k: info.get(k) for k in ("python", "prefect")} != _install()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return str(os.getuid())


# -- status and stop -------------------------------------------------------------------------

def status(home: Path | None = None) -> dict:
    """What is known about the kept server in ``home``: running or not, and the details."""
    home = home or prefect_home()
    info = read_info(home)
    if info is None:
        return {"running": False, "home": str(home)}
    if not is_ours(info):
        return {"running": False, "home": str(home), "stale": info}
    busy = lease_busy(home)
    try:
        touched = os.stat(home / LEASE).st_mtime
        with open(home / LEASE) as f:
            idle = float(f.read().strip() or info.get("idle_seconds", 600))
    except (OSError, ValueError):
        touched, idle = float(info["started_at"]), float(info.get("idle_seconds", 600))
    left = None if busy else max(0.0, idle - (time.time() - touched))
    return {"running": True, "home": str(home), "healthy": healthy(info["url"]), "in_use": busy,
            "stops_in_seconds": left, "idle_seconds": idle, **info}


def stop(home: Path | None = None, force: bool = False) -> tuple[int, str]:
    """Stop the kept server: (exit code, message). Refuses while a run uses it, unless ``force``."""
    home = home or prefect_home()
    with _StartLock(home):
        info = read_info(home)
        if info is None:
            return 0, f"No local Prefect server is running (PREFECT_HOME {home})."
        if not is_ours(info):
            (home / INFO).unlink(missing_ok=True)
            return 0, f"No local Prefect server is running (removed a stale {home / INFO})."
        if lease_busy(home) and not force:
            return 1, (f"The local Prefect server (pid {info['pid']}) is in use by a run; stopping it would "
                       f"fail that run. Wait for it, or: {STOP_HINT} --force")
        _terminate(int(info["pid"]))
        _forget(home, info)
        return 0, f"Stopped the local Prefect server (pid {info['pid']}, {info['url']})."


def main(argv: list[str] | None = None, prog: str = "python -m flows.server") -> int:
    """``python -m flows.server status|stop`` (also ``declutter server status|stop``)."""
    import argparse

    ap = argparse.ArgumentParser(prog=prog,
                                 description="The local Prefect server that runs without PREFECT_API_URL keep "
                                             "in the background.")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="is it running, where, and when it stops by itself")
    st = sub.add_parser("stop", help="stop it now")
    st.add_argument("--force", action="store_true", help="even while a run is using it")
    args = ap.parse_args(argv)
    from .. import settings

    settings.apply_defaults()  # the same PREFECT_HOME as the runs
    if args.command == "stop":
        code, message = stop(force=args.force)
        print(message)
        return code
    s = status()
    if not s["running"]:
        print(f"No local Prefect server is running (PREFECT_HOME {s['home']}).")
        return 1
    when = ("in use by a run" if s["in_use"] else
            f"stops by itself in {s['stops_in_seconds'] / 60:.1f} min unless a run uses it")
    print(f"A local Prefect server is running: pid {s['pid']}, {s['url']}, started {s['started']}, "
          f"{'healthy' if s['healthy'] else 'NOT answering'}; {when}.\n"
          f"PREFECT_HOME {s['home']}; log {s.get('log')}. Stop it: {STOP_HINT}")
    return 0
