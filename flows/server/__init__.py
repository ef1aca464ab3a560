"""The Prefect API server a run talks to (not ``flows/serve.py``, which serves the flow on a schedule).

- ``for_run``: the one server of a run: ``PREFECT_API_URL``, the kept local one, or a temporary one.
- ``kept``: the local server kept between runs (find, trust, start, ``status``, ``stop``).
- ``kept_process``: the kept server's own process, launched by path.
- ``python -m flows.server status|stop`` (``__main__``): the kept server's command line.

Importing this package imports nothing (no Prefect).
"""
