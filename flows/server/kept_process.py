"""The process of a kept local Prefect API server (``flows.server.kept`` starts it).

``python flows/server/kept_process.py --port P --token T --home DIR`` (launched by path:
it imports nothing of the checkout) runs, in this one process, the app Prefect's
own temporary server runs (uvicorn over ``prefect.server.api.server:create_app``
with the ephemeral flags, which the caller sets in the environment) plus a
watchdog thread that stops it once it has been idle long enough. Idle means: no run holds the lease (runs hold a shared
``flock`` on ``DIR/declutter-server.lease`` while they use the server) and the
lease file was last touched (a run's start or end) more than the idle time ago;
the idle time is the one the last run wrote into the lease. The idle limit is
enforced here, by the server itself, so a run that was SIGKILLed (no exit code
ran) still leaves a server that ends by itself.

When the watchdog decides to stop, it keeps the lease locked exclusively until
the process is gone (so no run can start using a server that is going away),
removes the info file if it still names this server, and asks uvicorn to exit.
``--token`` is only an identity mark (runs check it in this process's command
line), not a secret.
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

INFO = "declutter-server.json"
LEASE = "declutter-server.lease"
PRODUCTION_APP = "prefect.server.api.server:create_app"


def idle_seconds(lease: Path, default: float) -> float:
    """The idle time the last run asked for (written in the lease), else ``default``."""
    try:
        return float(lease.read_text().strip() or default)
    except (OSError, ValueError):
        return default


def forget_info(home: Path, token: str) -> None:
    """Remove the info file if it still describes this server (never another one's)."""
    path = home / INFO
    try:
        if json.loads(path.read_text()).get("token") == token:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


class Watchdog(threading.Thread):
    """Stops the server (``stop()``) after ``idle`` seconds without a run holding or touching the lease."""

    def __init__(self, home: Path, token: str, default_idle: float, stop, poll: float | None = None):
        super().__init__(name="declutter-idle-watchdog", daemon=True)
        self.home, self.token, self.default_idle, self.stop = home, token, default_idle, stop
        self.poll = poll
        self.lease_fd: int | None = None

    def run(self) -> None:
        import fcntl  # POSIX only: without it no server is ever kept (flows/server/kept.py)

        lease = self.home / LEASE
        fd = os.open(lease, os.O_RDWR | os.O_CREAT, 0o600)
        last_busy = time.time()
        while True:
            idle = idle_seconds(lease, self.default_idle)
            time.sleep(self.poll or max(0.2, min(5.0, idle / 10)))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a run is using the server
                last_busy = time.time()
                continue
            idle = idle_seconds(lease, self.default_idle)
            try:
                touched = os.fstat(fd).st_mtime
            except OSError:
                touched = last_busy
            if time.time() - max(touched, last_busy) >= idle:
                self.lease_fd = fd  # held until the process is gone: no run can take it now
                forget_info(self.home, self.token)
                self.stop()
                return
            fcntl.flock(fd, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="flows/server/kept_process.py")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--idle", type=float, default=600.0, help="seconds idle before it stops (default 600)")
    ap.add_argument("--app", default=PRODUCTION_APP, help="the ASGI app factory (tests use a stub)")
    ap.add_argument("--app-dir", help="a folder to import --app from")
    args = ap.parse_args(argv)
    if args.app_dir:
        import sys

        sys.path.insert(0, args.app_dir)

    import uvicorn

    config = uvicorn.Config(args.app, factory=True, host="127.0.0.1", port=args.port, log_level="error",
                            lifespan="on")
    server = uvicorn.Server(config)

    def stop() -> None:
        server.should_exit = True

    Watchdog(args.home, args.token, args.idle, stop).start()
    try:
        server.run()
    finally:
        forget_info(args.home, args.token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
