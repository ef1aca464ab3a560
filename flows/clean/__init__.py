"""The ``clean_folder`` flow (``flows.clean.flow``) and its CLI (``python -m flows.clean``).

Two start-up costs decide this package's shape:

- ``python -m flows.clean`` imports this package before it runs ``__main__``.
  Were the flow defined here, Prefect (about 2.5 s) would be imported before the
  CLI could launch the temporary API server (its boot, 6-10 s here, is the longest step
  of a run's start-up) and the worker processes. So the flow lives in ``flow.py``
  and this package hands out its names lazily: the CLI launches the server and
  the workers first, and imports Prefect while they boot.
- It is a package rather than ``clean.py`` so that ``python -m flows.clean`` runs
  ``flows/clean/__main__.py``: spawned worker processes skip re-importing a main
  module named ``__main__`` (and with it the CLI's imports).
"""
from __future__ import annotations


def __getattr__(name: str):
    """``flows.clean.clean_folder``, ``flows.clean.run``...: the names of ``flows.clean.flow``."""
    if name.startswith("__"):
        raise AttributeError(name)
    import importlib

    try:  # (import_module: a from-import would ask this very function for "flow")
        return getattr(importlib.import_module("flows.clean.flow"), name)
    except AttributeError:
        raise AttributeError(f"module 'flows.clean' has no attribute {name!r}") from None
