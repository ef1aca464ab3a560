"""Lone interface strings of a whole-page scrape: "Table of Contents", "5 min read",
"Page 2 of 3", "Loading...", "3 hours ago", from the ``interface`` phrase family."""
from __future__ import annotations

import regex

from .document import Draft, Params, Words, block_local
from .textutil import per_object


class InterfaceParams(Params):
    """Thresholds of ``drop_interface_labels`` (config: ``[params.interface]``)."""

    max_words: Words = 8  # "Page 2 of 3", "5 min read": a label is a few words; a sentence is longer
    form_max_words: Words = 24  # a form's or banner's fixed sentence ("A lock ( ) or https:// means ...")


@block_local
def drop_interface_labels(draft: Draft) -> Draft:
    """Lone interface strings of a whole-page scrape, wherever they stand: “Table of
    Contents”, “5 min read”, “Page 2 of 3”, “Loading...”, “3 hours ago”.

    From the ``interface`` phrase family, matched against the whole block (exact or an
    anchored pattern) and only on blocks of a few words, so a sentence that uses the
    same words is never a match. The family's ``form`` patterns (the whole block, up to
    ``form_max_words``) are a web form's fixed strings: its status messages ("Thank you!
    Your submission has been received!"), its field labels ("First name *"), the "Was
    this page helpful?" widget and a site's standard header banner."""
    m = draft.context.phrases["interface"]
    params: InterfaceParams = draft.context.params.interface
    max_words = params.max_words
    decisions = []
    for b in draft.live():
        if b.m.words > max_words:
            continue
        k = b.m.key
        # the text itself too: the key drops a leading currency sign ("$89 at Amazon"); most
        # keys are the folded text already, and are not looked up twice
        folded = b.text.strip().casefold()
        folded = None if folded == k else folded
        hit = m.exact(k) or (folded is not None and m.exact(folded))
        how = "exact"
        if not hit:
            hit, how = m.pattern(k) or (folded is not None and m.pattern(folded)), "pattern"
        if hit:
            decisions.append((b, "interface", f"a page-interface label (“{hit}”), not article text",
                              f"interface.{how}"))
    form = _whole_block(m.get("form"))
    if form is not None:
        taken = {d[0].index for d in decisions}
        for b in draft.live():
            if b.index in taken or b.m.words > params.form_max_words:
                continue
            k = b.m.key
            hit = k if form.fullmatch(k) else None
            if hit:
                decisions.append((b, "interface", f"a web form's message or field (“{hit}”), not article text",
                                  "interface.form"))
        decisions.sort(key=lambda d: d[0].index)
    return draft.remove_each(decisions, "drop_interface_labels")


@per_object
def _whole_block(items: tuple[str, ...]) -> regex.Pattern | None:
    """The family's ``form`` patterns as one alternation (one scan per block, not one per
    pattern): it matches a whole key exactly when one of them does."""
    return regex.compile("|".join(f"(?:{x})" for x in items), regex.V1) if items else None
