"""Rules and the block model together: a rule's removal of long prose weighed against the model.

A rule that judges a block by its shape or place (a caption by standing above a
credit, a navigation run by its neighbours, a weak comment heading and everything
after it) can hit a real paragraph. When such a rule removes a long paragraph of
prose (``PROSE_WORDS`` words or more, ending a sentence) that the block model scores
as clear body (boilerplate score at most ``BODY_CLEAR``), the paragraph is kept and
the decision is counted in ``stats.kept_by_model`` under the rule's id. Rules whose
evidence is exact (a phrase, a repeat, a credit's own pattern, a site's profile) are
never second-guessed: only those in ``WEIGHED_RULES``. Without a model (the learned
cleaner switched off, or none shipped) nothing is weighed.
"""
from __future__ import annotations

from dataclasses import replace

from .document import Draft
from .textutil import ends_sentence, word_count

PROSE_WORDS = 30     # a paragraph this long is what removing by shape puts at risk
BODY_CLEAR = 0.05    # the model's boilerplate score at or below which it is clearly body

# rules whose evidence is a block's shape or place, not its words
WEIGHED_RULES = frozenset({
    "captions.caption.above-credit", "captions.caption.page-markup", "captions.caption.inline-credit",
    "pagetrim.nav-head", "pagetrim.nav-tail", "comments.section.weak",
})


def keep_clear_body(before: Draft, after: Draft) -> Draft:
    """``after`` (a cleaner's result on ``before``) less the removals the model overrules."""
    new = after.removed[len(before.removed):]
    risky = [r for r in new if r.rule in WEIGHED_RULES and word_count(r.text) >= PROSE_WORDS
             and ends_sentence(r.text)]
    if not risky:
        return after
    from .learned import block_scores  # the model's module imports numpy: only when weighing

    scores = block_scores(after)
    if scores is None:
        return after
    pos = {b.index: i for i, b in enumerate(after.blocks)}
    keep = {r.position for r in risky if scores[pos[r.position]] <= BODY_CLEAR}
    if not keep:
        return after
    removed = before.removed + tuple(r for r in new if r.position not in keep)
    kept = dict(after.kept_by_model)
    for r in risky:
        if r.position in keep:
            kept[r.rule] = kept.get(r.rule, 0) + 1
    return replace(after, removed=removed, _dead=after._dead - keep, kept_by_model=tuple(sorted(kept.items())))
