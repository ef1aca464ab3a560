"""The review page (issue 15): ``OUT/_review/index.html`` and pages showing every document
with its kept text and its removed blocks in place, struck through and coloured by cleaner,
the rule and reason beside each; filters by cleaner, rule, site and language, a search box,
removals per cleaner as a bar chart. Static files that work from ``file://``: no network.

Plain Python (no Prefect): ``python -m flows.review OUT``, ``python -m flows.clean --review``
(the flow calls ``build`` after cleaning), ``python -m flows.clean --explain PATH --review``
(``document_page``).
"""
from .build import Review, build, document_page, file_uri

__all__ = ["Review", "build", "document_page", "file_uri"]
