from __future__ import annotations

import json

import jsonschema

from cleaners import clean_text
from cleaners.document import to_json
from cleaners.schema import SCHEMA_FILE, render


def test_checked_in_schema_matches_the_model():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), \
        "schema drifted: run `python -m cleaners.schema`, review, and bump SCHEMA_VERSION if the contract changed"


def test_documents_validate_against_the_schema():
    doc = clean_text("December 28, 2024\nA headline of the story\n\nSome body text that is long enough to keep here.")
    jsonschema.validate(json.loads(to_json(doc)), json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_serialisation_is_byte_identical():
    raw = "By Jane Doe\nMarch 5, 2024\n\nFirst paragraph of an article, long enough to count.\n\nShare\n"
    assert to_json(clean_text(raw)) == to_json(clean_text(raw))
