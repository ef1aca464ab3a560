"""Rules and the block model together (cleaners/weigh.py): a shape rule's removal of a long
paragraph of prose that the model rates clear body is kept and counted; exact rules stand."""
from __future__ import annotations

import numpy as np
import pytest

import cleaners.learned as learned
from cleaners import clean_text
from cleaners.document import Block, Draft
from cleaners.weigh import BODY_CLEAR, keep_clear_body

PROSE = ("The council met on Tuesday evening to agree the budget for the coming year, and after "
         "three hours of debate it voted to keep the library open on Sundays for another year.")
SHORT = "Photo of the library"


def _drafts(rule: str, text: str = PROSE):
    before = Draft(blocks=(Block(0, "Intro line of the page."), Block(1, text), Block(2, "Jane Doe/AP")))
    after = before.remove([before.blocks[1]], "drop_captions_and_credits", "caption", "why", rule)
    return before, after


@pytest.fixture
def scores(monkeypatch):
    box = {"s": None}
    monkeypatch.setattr(learned, "block_scores", lambda draft: box["s"])
    return box


def test_a_shape_rule_on_clear_body_prose_is_overruled_and_counted(scores):
    scores["s"] = np.array([0.5, BODY_CLEAR / 2, 0.99])
    before, after = _drafts("captions.caption.above-credit")
    kept = keep_clear_body(before, after)
    assert kept.removed == () and kept.is_live(1)
    assert dict(kept.kept_by_model) == {"captions.caption.above-credit": 1}


def test_the_rule_stands_where_the_model_is_not_sure(scores):
    scores["s"] = np.array([0.5, 0.4, 0.99])
    before, after = _drafts("captions.caption.above-credit")
    assert keep_clear_body(before, after) is after


def test_exact_rules_short_blocks_and_no_model_are_never_weighed(scores):
    scores["s"] = np.array([0.5, 0.0, 0.99])
    before, after = _drafts("captions.credit.slash")              # an exact rule
    assert keep_clear_body(before, after) is after
    before, after = _drafts("captions.caption.above-credit", SHORT)  # not long prose
    assert keep_clear_body(before, after) is after
    scores["s"] = None                                            # no model
    before, after = _drafts("captions.caption.above-credit")
    assert keep_clear_body(before, after) is after


def test_weighing_is_off_with_the_learned_cleaner(scores):
    """Default config: the learned cleaner is off, so nothing is weighed and stats say nothing."""
    scores["s"] = np.zeros(50)
    doc = clean_text(f"{PROSE}\n\n{PROSE.replace('council', 'board')}\n")
    assert doc.stats.kept_by_model == {}
