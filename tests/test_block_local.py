"""The ``block_local`` promise that lets ``run_chain`` skip cleaners after the first pass.

A cleaner marked ``block_local`` must find nothing more once it has run, however
many of the remaining blocks other cleaners remove afterwards. Checked on every
golden input, at the point of the chain where the cleaner really runs, with the
draft it really sees, against many random sets of later removals.
"""
from __future__ import annotations

import random

import pytest

from cleaners import html as H
from cleaners.html import page as H_page
from cleaners import pipeline as P
from cleaners.document import Context, Draft, Meta
from cleaners.phrases import build_book
from cleaners.segment import decode_bytes, segment
from golden_support import case_options, cases

LOCAL = [c for c in P.DEFAULT_CHAIN if getattr(c, "block_local", False)]
TRIALS = 12


def _start(case) -> Draft:
    """The draft the chain starts from for this golden input (blocks, declared metadata)."""
    url = case_options(case).get("url")
    page = case / "input.html"
    if page.exists():
        seen = {}

        def capture(blocks, **kw):
            seen.update(blocks=blocks, kw=kw)
            return None
        real = H_page.clean_blocks
        H_page.clean_blocks = capture
        try:
            H.clean_html(page.read_bytes(), url=url)
        finally:
            H_page.clean_blocks = real
        kw = seen["kw"]
        meta = Meta(title=kw.get("title"), published=kw.get("published"), authors=tuple(kw.get("authors", ())),
                    language=kw.get("language"), url=kw.get("url"), site=kw.get("site"))
        blocks = seen["blocks"]
    else:
        text, _ = decode_bytes((case / "input.txt").read_bytes())
        meta, blocks = Meta(url=url), segment(text)
    return Draft(blocks=tuple(blocks), meta=meta, context=Context(phrases=build_book()))


def test_the_chain_has_block_local_cleaners():
    names = {c.__name__ for c in LOCAL}
    assert "drop_promos" in names and "trim_page_chrome" not in names and "drop_repeated_paragraphs" not in names


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_block_local_cleaners_find_nothing_new_after_later_removals(case):
    rng = random.Random(case.name)
    draft = _start(case)
    for _ in range(2):  # the first pass, and the draft a second pass would see
        for cleaner in P.DEFAULT_CHAIN:
            after = cleaner(draft)
            if getattr(cleaner, "block_local", False):
                live = after.live()
                trials = [[]] + [rng.sample(live, rng.randint(1, len(live))) for _ in range(TRIALS) if live]
                for gone in trials:
                    shrunk = after.remove(gone, "test", "test", "removed by a later cleaner", "dedupe.exact")
                    again = cleaner(shrunk)
                    assert again.removed == shrunk.removed, (
                        f"{cleaner.__name__} found more after {len(gone)} later removals: "
                        f"{[r.text[:60] for r in again.removed[len(shrunk.removed):]]}")
            draft = after
