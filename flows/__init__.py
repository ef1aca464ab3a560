"""declutter's flows: discovery, batching, writing, scheduling and summaries.

Everything that does I/O or orchestration lives here; the judging lives in
``cleaners``. Only ``flows.clean.flow`` and ``flows.serve`` import Prefect: the
other modules are plain functions, unit-tested without it, and are what the
worker processes import (so a worker never pays for importing Prefect).
"""
