"""The local Prefect server kept between runs (flows/server/kept.py, flows/server/kept_process.py).

Most tests run the real launcher and watchdog over a stub app (tests/fakeapi.py, which
answers /api/health as Prefect does and boots in a fraction of a second); the two
`engine` tests run the CLI against a real Prefect server. Every server a test starts is
stopped by the fixture, and each one has a tiny idle time as well, so the suite leaves
no server behind.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.server import kept as ls

ROOT = Path(__file__).resolve().parents[1]
STUB = dict(app="fakeapi:create_app", app_dir=str(ROOT / "tests"))
SHORT = 0.02  # minutes: 1.2 s idle


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    if ls._zombie(pid):  # exited, not yet reaped by its parent
        return False
    try:  # a child of this process that has exited is a zombie until reaped
        return os.waitpid(pid, os.WNOHANG)[0] != pid
    except ChildProcessError:
        return True


def wait_until(check, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


class Home(type(Path())):
    """A PREFECT_HOME path that also starts servers in itself and remembers them."""


@pytest.fixture
def home(tmp_path):
    """A PREFECT_HOME; every server started in it is stopped at the end, whatever happened."""
    h = Home(tmp_path / "prefect-home")
    h.mkdir()
    seen: set[int] = set()
    real_acquire = ls.acquire

    def acquire(minutes, **kw):
        srv = real_acquire(minutes, **{"home": h, **STUB, **kw})
        seen.add(srv.pid)
        return srv

    h.acquire = acquire  # type: ignore[attr-defined]
    h.seen = seen  # type: ignore[attr-defined]
    yield h
    info = ls.read_info(h)
    if info:
        seen.add(int(info["pid"]))
    for pid in seen:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def helper(home: Path, minutes: float, hold: bool) -> subprocess.Popen:
    """Another run, in its own process: acquires the server, prints its pid and whether it
    started it, then holds it (until killed) or releases it and exits."""
    code = (f"import sys, time, json; sys.path.insert(0, {str(ROOT)!r})\n"
            "from pathlib import Path\nfrom flows.server import kept as ls\n"
            f"s = ls.acquire({minutes}, home=Path({str(home)!r}), quiet=True, app={STUB['app']!r}, "
            f"app_dir={STUB['app_dir']!r})\n"
            "s.wait()\nprint(json.dumps({'pid': s.pid, 'launched': s.launched}), flush=True)\n"
            + ("time.sleep(600)\n" if hold else "s.release()\n"))
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_a_second_run_reuses_the_running_server_without_a_boot(home):
    first = home.acquire(SHORT * 50)
    assert first.launched and not first.ready
    url = first.wait()
    assert ls.healthy(url)
    info = ls.read_info(home)
    assert info["pid"] == first.pid and info["url"] == url and info["token"] and info["owner"]["run_pid"] == os.getpid()
    first.release()
    second = home.acquire(SHORT * 50)
    assert not second.launched and second.pid == first.pid
    assert second.ready  # healthy when found: nothing to wait for
    assert second.wait() == url
    second.release()


def test_stale_info_files_are_replaced(home):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = {"pid": dead.pid, "port": 9, "url": "http://127.0.0.1:9/api", "token": "old", "started_at": 1.0}
    (home / "declutter-server.json").write_text(json.dumps(stale))
    srv = home.acquire(SHORT * 50)
    assert srv.launched and srv.pid != dead.pid
    srv.wait()
    srv.release()
    # a live process that is not our server (pid reused by something else): not trusted, not killed
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (home / "declutter-server.json").write_text(json.dumps({**ls.read_info(home), "pid": other.pid}))
        ls.stop(home, force=True)  # the info file now names `other`: stop must not kill it
        assert other.poll() is None
        srv2 = home.acquire(SHORT * 50)
        assert srv2.launched and srv2.pid != other.pid and other.poll() is None
        srv2.release()
    finally:
        other.kill()
        other.wait()


def test_a_server_that_does_not_answer_is_replaced_unless_a_run_is_using_it(home):
    sick = home.acquire(SHORT * 50, app="fakeapi:create_sick_app", startup_timeout=0.5)
    assert wait_until(lambda: (home / "declutter-server.log").exists() and alive(sick.pid))
    time.sleep(0.6)  # older than the start-up timeout, and still not healthy
    same = home.acquire(SHORT * 50, startup_timeout=0.5)  # `sick` still holds its lease: not killed
    assert not same.launched and same.pid == sick.pid and alive(sick.pid)
    same.release()
    sick.release()
    fresh = home.acquire(SHORT * 50, startup_timeout=0.5)
    assert fresh.launched and fresh.pid != sick.pid and not alive(sick.pid)
    fresh.wait(30)
    fresh.release()


def test_a_server_of_another_prefect_install_is_replaced(home):
    old = home.acquire(SHORT * 50)
    old.wait()
    old.release()
    info = ls.read_info(home)
    (home / "declutter-server.json").write_text(json.dumps({**info, "prefect": "2.0.0"}))
    new = home.acquire(SHORT * 50)
    assert new.launched and new.pid != old.pid and wait_until(lambda: not alive(old.pid))
    new.release()


def test_the_server_stops_itself_once_idle_and_never_while_a_run_holds_it(home):
    srv = home.acquire(SHORT)
    srv.wait()
    time.sleep(SHORT * 60 * 3)  # three idle times while the run holds its lease
    assert alive(srv.pid), "stopped while a run was using it"
    srv.release()
    assert wait_until(lambda: not alive(srv.pid)), "still running long after its idle time"
    assert ls.read_info(home) is None  # it removed its own info file
    assert not ls.status(home)["running"]


def test_a_sigkilled_run_does_not_leave_a_server_that_lives_forever(home):
    run = helper(home, SHORT, hold=True)
    got = json.loads(run.stdout.readline())
    home.seen.add(got["pid"])
    assert got["launched"] and alive(got["pid"])
    run.send_signal(signal.SIGKILL)
    run.wait()
    run.stdout.close()
    assert wait_until(lambda: not alive(got["pid"])), "the server outlived its idle time after its run was killed"


def test_two_runs_starting_at_once_start_one_server(home):
    runs = [helper(home, SHORT * 50, hold=False) for _ in range(3)]
    got = []
    for run in runs:
        got.append(json.loads(run.stdout.readline()))
        run.wait()
        run.stdout.close()
    home.seen.update(g["pid"] for g in got)
    assert len({g["pid"] for g in got}) == 1, got
    assert sum(g["launched"] for g in got) == 1, got


def test_status_and_stop_from_the_command_line(home):
    env = {**os.environ, "PREFECT_HOME": str(home)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "flows.server", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    r = cli("status")
    assert r.returncode == 1 and "No local Prefect server is running" in r.stdout
    srv = home.acquire(SHORT * 50)
    srv.wait()
    r = cli("status")
    assert r.returncode == 0 and f"pid {srv.pid}" in r.stdout and "in use by a run" in r.stdout
    r = cli("stop")  # a run holds it: refused
    assert r.returncode == 1 and "--force" in r.stdout and alive(srv.pid)
    srv.release()
    r = cli("status")
    assert r.returncode == 0 and "stops by itself in" in r.stdout and "healthy" in r.stdout
    r = cli("stop")
    assert r.returncode == 0 and f"Stopped the local Prefect server (pid {srv.pid}" in r.stdout
    assert not alive(srv.pid) and ls.read_info(home) is None
    r = cli("status")
    assert r.returncode == 1


def test_the_run_says_the_server_is_still_running_and_how_to_stop_it(home, capsys):
    srv = home.acquire(2)
    srv.wait()
    srv.release()
    srv.goodbye()
    err = capsys.readouterr().err
    assert "Starting a local Prefect server in the background" in err
    assert f"keeps running in the background for the next runs (pid {srv.pid}" in err
    assert "stops by itself after 2 min without a run" in err and "python -m flows.server stop" in err
    srv.goodbye()  # said once
    assert capsys.readouterr().err == ""
    ls.stop(home)
    again = home.acquire(2, quiet=True)
    again.wait()
    again.release()
    ls.stop(home)
    # stop() saw the process end; this process launched it, so reap it before asking (under load
    # the child could still read as running for a moment: a race of the test, not of a user's run)
    deadline = time.monotonic() + 30
    while again.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    again.goodbye()  # nothing left running: nothing to say
    assert capsys.readouterr().err == ""


def test_keep_minutes_flag_then_environment_then_ten(monkeypatch):
    monkeypatch.delenv(ls.ENV_MINUTES, raising=False)
    assert ls.keep_minutes() == 10
    monkeypatch.setenv(ls.ENV_MINUTES, "2.5")
    assert ls.keep_minutes() == 2.5 and ls.keep_minutes(0) == 0 and ls.keep_minutes(3) == 3
    monkeypatch.setenv(ls.ENV_MINUTES, "soon")
    with pytest.raises(ls.ServerError, match=ls.ENV_MINUTES):
        ls.keep_minutes()


def test_which_server_a_run_gets(monkeypatch):
    from flows import settings
    from flows.server import for_run

    launched = []
    monkeypatch.setattr(for_run.TemporaryServer, "launch", lambda self: launched.append(self) or self)
    monkeypatch.setattr(ls, "acquire", lambda minutes, quiet=False: ("kept", minutes))
    monkeypatch.setattr(settings, "api_url", lambda: None)
    monkeypatch.delenv(ls.ENV_MINUTES, raising=False)
    assert for_run.launch_if_needed(None, quiet=True) == ("kept", 10)
    assert for_run.launch_if_needed(1.5, quiet=True) == ("kept", 1.5)
    temp = for_run.launch_if_needed(0, quiet=True)  # --no-keep-server: today's temporary server
    assert isinstance(temp, for_run.TemporaryServer) and launched == [temp] and not temp.kept
    monkeypatch.setattr(settings, "api_url", lambda: "http://127.0.0.1:4200/api")
    assert for_run.launch_if_needed(None) is None


# -- the CLI against a real Prefect server ----------------------------------------------------

def _servers_of(home: Path) -> list[int]:
    """Pids of Prefect API servers (kept or temporary) whose PREFECT_HOME is ``home``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            env = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if (b"create_app" in cmd or b"kept_process" in cmd) and f"PREFECT_HOME={home}".encode() in env:
            found.append(int(entry))
    return found


def _cli_env(home: Path) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from flowrun import base_env

    return {**base_env(home), "PYTHONWARNINGS": "ignore"}


def _clean_one(home: Path, tmp_path: Path, out: str, *flags: str) -> subprocess.CompletedProcess:
    """``python -m flows.clean`` on one seed document, no PREFECT_API_URL, PREFECT_HOME ``home``."""
    src = tmp_path / "in"
    if not src.exists():
        src.mkdir()
        (src / "a.txt").write_text((ROOT / "seeds" / sorted(os.listdir(ROOT / "seeds"))[0]).read_text())
    r = subprocess.run([sys.executable, "-m", "flows.clean", str(src), "--out", str(tmp_path / out),
                        "--workers", "1", *flags], cwd=ROOT, env=_cli_env(home),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.mark.engine
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cli_keeps_the_server_for_the_next_run_and_stop_ends_it(home, tmp_path):
    first = _clean_one(home, tmp_path, "o1", "--keep-server", "2")
    assert "Starting a local Prefect server in the background" in first.stderr
    info = ls.read_info(home)
    home.seen.add(int(info["pid"]))
    assert alive(info["pid"]) and f"pid {info['pid']}" in first.stderr
    assert "stops by itself after 2 min without a run" in first.stderr and "python -m flows.server stop" in first.stderr
    second = _clean_one(home, tmp_path, "o2", "--keep-server", "2")
    assert "Starting" not in second.stderr  # reused: no boot
    assert ls.read_info(home)["pid"] == info["pid"] and f"pid {info['pid']}" in second.stderr
    assert (tmp_path / "o1" / "a.json").read_bytes() == (tmp_path / "o2" / "a.json").read_bytes()
    stop = subprocess.run([sys.executable, "-m", "flows.server", "stop"], cwd=ROOT, env=_cli_env(home),
                          capture_output=True, text=True, timeout=120)
    assert stop.returncode == 0 and "Stopped" in stop.stdout
    assert not alive(info["pid"]) and _servers_of(home) == []


@pytest.mark.engine
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cli_no_keep_server_leaves_nothing_running(home, tmp_path):
    r = _clean_one(home, tmp_path, "o", "--no-keep-server")
    assert "Starting a temporary Prefect server for this run" in r.stderr and "keeps running" not in r.stderr
    assert (tmp_path / "o" / "a.json").exists()
    assert ls.read_info(home) is None and _servers_of(home) == []
