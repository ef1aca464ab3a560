"""The CleanDocument JSON Schema, generated from the model and checked in.

    python -m cleaners.schema          # rewrite schema/clean_document.schema.json
A test fails when the checked-in file and the model drift apart: a change to
the contract is a deliberate, versioned change (bump SCHEMA_VERSION).
"""
from __future__ import annotations

import json
from pathlib import Path

from .document import json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "clean_document.schema.json"


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
