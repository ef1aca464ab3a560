"""Golden tests for a user's own samples and rules (and this project's ``fixtures/``).

A goldens folder holds one case per sample: ``<case>/input.txt|input.html|input.json``
(the sample's bytes; ``input.json`` is one feed record), ``<case>/expected.json``
(what the case is about: the text, every removal by cleaner and rule, the
metadata; never run bookkeeping such as ``id`` or ``stats``) and an optional
``<case>/case.toml`` (``about``, ``url``, ``config``, ``xfail``, ``sample``).
A config the goldens were recorded with is kept beside them (``config.toml``,
its fingerprint in ``goldens.toml``) so a check uses the same rules.

- ``store``: that layout on disk;
- ``expect``: a case's input cleaned, and the part of the document a golden keeps;
- ``diff``: the paragraph-level report of what changed, naming cleaner and rule;
- ``actions``: record, check, accept (no printing);
- ``__main__``: ``python -m flows.golden record|check|accept`` (``declutter golden``);
- ``pytest_plugin``: ``pytest --declutter-goldens DIR``, one test per case.

Plain Python, no Prefect. This package's ``__init__`` imports nothing, so the
pytest plugin costs nothing in a test run that does not ask for goldens.
"""
