from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Offline and quiet, whatever the developer's shell says.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A CLI run without PREFECT_API_URL keeps a local server for the next runs (flows/server/kept.py);
# in the suite a run that reaches that far gets a temporary one, gone when it ends, unless the test
# asks for a kept one (tests/test_localserver.py, which stops every server it starts).
os.environ["DECLUTTER_KEEP_SERVER_MINUTES"] = "0"


pytest_plugins = ["pytester"]  # tests/test_golden_plugin.py runs the goldens plugin in-process


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite fixtures/*/expected.json from the current output (review with git diff)")


import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Engine tests run last (in their own order). They leave Prefect's and Dask's
    background threads behind (event and log workers, clients retrying with random
    jitter), which draw from the ``random`` module while a later Hypothesis test
    generates its examples: Hypothesis then warns that a strategy used ``random``
    (HypothesisDeprecationWarning, to become an error), and that test's examples are
    no longer its own. Seen after the Dask test, in tests/test_properties.py."""
    items.sort(key=lambda item: item.get_closest_marker("engine") is not None)


@pytest.fixture(scope="session")
def prefect_server_env(tmp_path_factory):
    """One real `prefect server start` for every engine test of the session: its env,
    with PREFECT_API_URL pointing at it. Started on first use, stopped at the end."""
    sys.path.insert(0, str(ROOT / "tests"))
    from flowrun import prefect_server

    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        yield env
