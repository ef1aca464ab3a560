"""Lone interface strings of a whole-page scrape: "Table of Contents", "5 min read",
"Page 2 of 3", "Loading...", "3 hours ago", from the ``interface`` phrase family."""
from __future__ import annotations

from .document import Draft, Params, Words, block_local
from .textutil import key, word_count


class InterfaceParams(Params):
    """Thresholds of ``drop_interface_labels`` (config: ``[params.interface]``)."""

    max_words: Words = 8  # "Page 2 of 3", "5 min read": a label is a few words; a sentence is longer


@block_local
def drop_interface_labels(draft: Draft) -> Draft:
    """Lone interface strings of a whole-page scrape, wherever they stand: “Table of
    Contents”, “5 min read”, “Page 2 of 3”, “Loading...”, “3 hours ago”.

    From the ``interface`` phrase family, matched against the whole block (exact or an
    anchored pattern) and only on blocks of a few words, so a sentence that uses the
    same words is never a match."""
    m = draft.context.phrases["interface"]
    max_words = draft.context.params.interface.max_words
    decisions = []
    for b in draft.live():
        if word_count(b.text) > max_words:
            continue
        k = key(b.text)
        hit = m.exact(k) or m.exact(b.text.strip().casefold())
        how = "exact"
        if not hit:
            hit, how = m.pattern(k), "pattern"
        if hit:
            decisions.append((b, "interface", f"a page-interface label (“{hit}”), not article text",
                              f"interface.{how}"))
    return draft.remove_each(decisions, "drop_interface_labels")
