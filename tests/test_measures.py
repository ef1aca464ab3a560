"""The per-block record (``measures.Measures``, ``Block.m``) says what textutil says.

Every cleaner reads a block's measures from its record instead of calling the
textutil functions, and the feature pass reads the same record: the record must
give exactly those functions' answers, on the block's own text and on its
stripped text (several cleaners measured the stripped text before the record).
"""
from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from hypothesis import given, settings

from cleaners import textutil as tu
from cleaners.document import Block
from cleaners.measures import Measures, measure
from cleaners.segment import decode_bytes, segment
from golden_support import cases
from test_textutil import TEXTS


def _same(m: Measures, text: str) -> None:
    for t in (text, text.strip()):
        assert m.words == tu.word_count(t)
        assert m.key == tu.key(t)
        assert m.ends == tu.ends_sentence(t)
        assert m.cjk == tu.has_cjk(t)
        assert m.upper == tu.upper_ratio(t)
        assert list(m.tokens) == tu.words(t)
    assert m.folded == text.casefold()
    assert list(m.folded_tokens) == tu.words(text.casefold())
    assert m.stripped == text.strip()


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_the_record_gives_textutils_answers(text):
    _same(Measures(text), text)


@pytest.mark.parametrize("case", [c for c in cases() if (c / "input.txt").exists()], ids=lambda p: p.name)
def test_the_record_of_every_golden_block(case):
    text, _ = decode_bytes((case / "input.txt").read_bytes())
    for b in segment(text):
        _same(b.m, b.text)


def test_a_block_carries_its_record_and_its_value_ignores_it():
    b = Block(3, "  Jane Doe/AP  ", 1)
    assert b.m is measure("  Jane Doe/AP  ") and b.m.words == 3 and b.m.key == "jane doe/ap"
    assert b == Block(3, "  Jane Doe/AP  ", 1) and hash(b) == hash(Block(3, "  Jane Doe/AP  ", 1))
    assert "m=" not in repr(b)
    moved = replace(b, text="Read more")
    assert moved.m.key == "read more" and moved.m.words == 2  # a new text, a new record
    back = pickle.loads(pickle.dumps(b))
    assert back == b and back.m.key == b.m.key and back.m.words == 3 and back.m.upper == b.m.upper
