"""Every removal names a catalogued rule id, and the catalogue names only rules the code records."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaners import clean_text
from cleaners.document import Block, Draft
from cleaners.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
RULE_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[a-z]+(?:-[a-z]+)*){1,2}$")


def test_rule_ids_are_well_formed():
    bad = [r for r in RULES if not RULE_ID.match(r)]
    assert not bad, f"rule ids must be lower-case dotted names: {bad}"
    assert all(desc.strip() for desc in RULES.values())


def test_every_catalogued_rule_is_recorded_by_the_code():
    """A rule id is either a literal in a cleaner, or a phrase-list rule built as
    ``f"{family}.{how}"`` / ``f"<family>.{how}"`` by the cleaner of that family."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cleaners").rglob("*.py")
                     if p.name != "rules.py")
    missing = []
    for rule in RULES:
        family, _, how = rule.partition(".")
        if f'"{rule}"' in code:
            continue
        if how in ("exact", "prefix", "contains", "pattern") and (
                f'f"{family}.{{how}}"' in code or f'"{family}"' in code and 'f"{family}.{how}"' in code):
            continue
        missing.append(rule)
    assert not missing, f"catalogued rules no cleaner records: {missing}"


def test_an_unknown_rule_id_is_refused():
    d = Draft(blocks=(Block(0, "x"),))
    with pytest.raises(ValueError, match="unknown rule id"):
        d.remove(d.live(), "some_cleaner", "promo", "why", "no.such-rule")


def test_removals_are_counted_per_rule():
    raw = ("A report on the harbour, with enough words in it to be a real paragraph of prose.\n\n"
           "Yuri Kadobnov/AP\n\nSign up for our newsletter\n\nThe second paragraph of the report goes on "
           "for a good while longer, telling readers more about the harbour.\n")
    doc = clean_text(raw)
    rules = [r.rule for r in doc.removed]
    assert "captions.credit.slash" in rules
    assert sum(doc.stats.removed_by_rule.values()) == len(doc.removed)
    assert all(r in RULES for r in rules)
