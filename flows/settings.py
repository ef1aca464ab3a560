"""Prefect defaults for declutter: offline, quiet, and a project-local home.

Applied with ``os.environ.setdefault`` *before* Prefect is imported (Prefect
reads its settings at import time), so anything the user exported wins.
Every name below was checked against the installed Prefect 3.9 settings
models (``prefect/settings/models/...``) and ``prefect/logging/logging.yml``.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]

DEFAULTS: dict[str, str] = {
    # client-side analytics off (prefect/_internal/analytics/enabled.py reads DO_NOT_TRACK)
    "DO_NOT_TRACK": "1",
    # server-side telemetry service off (settings/models/server/root.py: analytics_enabled)
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect's INFO chatter stays out of the terminal (the console handler in
    # logging.yml); the API handler still records INFO for the UI.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    # a temporary server may be started when no PREFECT_API_URL is given
    # (settings/models/server/ephemeral.py: enabled), even with a fresh PREFECT_HOME
    "PREFECT_SERVER_EPHEMERAL_ENABLED": "true",
    # a shared 2-core machine can take longer than the default 20 s to boot it
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def project_home() -> Path | None:
    """``<checkout>/.prefect`` when running from a source checkout (git-ignored), else None."""
    if (_REPO / "pyproject.toml").is_file() and (_REPO / "flows").is_dir():
        return _REPO / ".prefect"
    return None


def apply_defaults(environ: dict | None = None) -> dict[str, str]:
    """Fill in declutter's Prefect defaults where the environment has none; return what was set."""
    env = os.environ if environ is None else environ
    wanted = dict(DEFAULTS)
    home = project_home()
    if home is not None:
        wanted["PREFECT_HOME"] = str(home)
    applied = {}
    for key, value in wanted.items():
        if key not in env:
            env[key] = value
            applied[key] = value
    return applied


def api_url() -> str | None:
    """The configured API server: the environment, else the active profile (read without importing Prefect).

    Prefect has more sources (``prefect.toml``, ``.env``); ``configured_api_url``
    asks Prefect itself once it is imported."""
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return url
    home = os.environ.get("PREFECT_HOME", "~/.prefect")
    path = os.path.expanduser(os.environ.get("PREFECT_PROFILES_PATH") or os.path.join(home, "profiles.toml"))
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    name = os.environ.get("PREFECT_PROFILE") or data.get("active")
    profile = data.get("profiles", {}).get(name, {}) if isinstance(data.get("profiles"), dict) else {}
    return (profile.get("PREFECT_API_URL") or None) if isinstance(profile, dict) else None


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect resolves it (imports Prefect)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None
