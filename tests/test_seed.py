"""The article the project started from must clean perfectly (issue 2's expectations, spelled out)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from cleaners import clean_bytes

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_8a660e5d2197654f.txt"

FIRST_WORDS = [
    "North Korean Supreme Leader", "The letters were exchanged", "Kim wrote that", "He concluded by",
    "Putin reportedly responded", "North Korea, long considered", "“There are prospects",
    "Russian defense pundit", "Experts express extensive doubt",
]


def test_seed_keeps_exactly_the_nine_real_paragraphs():
    doc = clean_bytes(SEED.read_bytes())
    paras = doc.text.split("\n\n")
    assert len(paras) == 9
    for para, start in zip(paras, FIRST_WORDS):
        assert para.startswith(start)
    assert paras[0].endswith("their two nations.")
    assert doc.published == date(2024, 12, 28)


def test_seed_removals_are_named():
    doc = clean_bytes(SEED.read_bytes())
    kinds = {r.kind for r in doc.removed}
    assert {"duplicate", "label", "caption", "credit", "related-headline", "promo", "comments", "metadata"} <= kinds
    by_text = {r.text: r for r in doc.removed}
    assert by_text["Yuri Kadobnov/AP"].cleaner == "drop_captions_and_credits"
    assert by_text["Leave a Reply"].cleaner == "drop_comment_section"
    assert by_text["Backsliding Democracy"].kind == "label"
    assert by_text["CLICK HERE FOR MORE FROM THE WASHINGTON EXAMINER"].kind == "promo"
