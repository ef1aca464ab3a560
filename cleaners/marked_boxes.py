"""HTML: blocks the page's own markup puts in a box of other content than the article: a
disclaimer or disclosure box, a call-to-action box, a promotion, the excerpt of a teaser card,
a modal or pop-up (``Block.hints`` from ``cleaners/html/hints.py``: the block's text is the
text of such an element, or of a piece inside it, and the element is small, at most half the
article and 2000 characters, so a wrapper whose class merely mentions the word says nothing).

Measured on the html tracks (bench/RESULTS.md "html track: boxes the markup marks"): the
words chosen are the ones whose boxes held no article text on either set; ``related``,
``share``, ``newsletter`` and ``comment`` boxes also carried real paragraphs and headings
there (a "related" wrapper around a guide's own tips), so those hints stay evidence only.
Text input has no hints: this cleaner never fires on it."""
from __future__ import annotations

from .document import Draft, block_local

# a sentence of the text before a marked excerpt: longer than a headline ("Why did it fail?")
PROSE_MIN_WORDS = 12

# hint -> (rule id, kind, what the box is, for the reason)
BOX_HINTS = {
    "disclaimer": ("markup.disclaimer", "disclosure", "a disclaimer or disclosure box"),
    "cta": ("markup.cta", "promo", "a call-to-action box"),
    "promo": ("markup.promo", "promo", "a promotion box"),
    "excerpt": ("markup.excerpt", "promo", "the excerpt of a teaser card"),
    "popup": ("markup.popup", "popup", "a modal or pop-up"),
}


@block_local
def drop_marked_boxes(draft: Draft) -> Draft:
    """Blocks the page's markup marks as a box of other content (``BOX_HINTS``). The markup
    decides, with one exception: an ``excerpt`` that no sentence of the text (``PROSE_MIN_WORDS`` or more) comes before
    opens the article, and is its own standfirst (themes mark a post's dek "post-excerpt"
    too), not another story's teaser: it stays."""
    # still block-local (run in the first pass only): the exception depends on the blocks
    # before, but another cleaner's removal can only take prose away, so keep more, never
    # give this one a block to remove
    out = []
    prose_before = False
    for b in draft.live():
        hints = b.hints & BOX_HINTS.keys()
        if "excerpt" in hints and not prose_before:
            hints = hints - {"excerpt"}
        prose_before = prose_before or (b.m.ends and b.m.words >= PROSE_MIN_WORDS)
        for h in sorted(hints):
            rule, kind, what = BOX_HINTS[h]
            out.append((b, kind, f"the page's markup puts it in {what} (class or id “{h}”)", rule))
            break
    return draft.remove_each(out, "drop_marked_boxes") if out else draft
