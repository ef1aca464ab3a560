"""Promos and calls to action, and ALL-CAPS related headlines.

"CLICK HERE FOR MORE FROM ...", "READ MORE: ...", "RELATED: ...", "Download
our app", "This article originally appeared on ..." are matched from the
phrase lists at the start of short blocks only; a sentence that mentions
"click here" in passing is never a whole short block that starts with it.
A related headline printed in capitals is a block of six or more words whose
letters are (Unicode-aware) nearly all upper case: real subheadings in capitals
are shorter, and a slogan quoted inside a sentence sits in lower-case prose.
"""
from __future__ import annotations

import regex

from .document import Draft, Params, Share, Words, block_local
from .textutil import ends_sentence


class PromoParams(Params):
    """Thresholds of ``drop_promos`` and ``drop_allcaps_headlines`` (config: ``[params.promos]``)."""

    max_promo_words: Words = 25      # a call to action is short; a sentence mentioning "read more" is longer
    caps_min_words: Words = 6        # real subheadings in capitals are shorter than a related headline
    caps_max_words: Words = 30       # longer runs of capitals are a shouted paragraph, not a headline
    caps_ratio: Share = 0.9          # share of cased letters in upper case that makes a block "in capitals"
    subhead_max_words: Words = 8     # a section heading in capitals is short...
    subhead_prose_words: Words = 12  # ...and opens a paragraph of prose at least this long
_QUOTES = "“\"‘'«„‹「『"


def _quoted(text: str) -> bool:
    """A block that opens with a quotation mark is someone's words, not our call to
    action: “Click here to confirm your details,” the message read."""
    t = text.lstrip()
    return bool(t) and t[0] in _QUOTES


def _enclosed_in_quotes(text: str) -> bool:
    t = text.strip()
    return len(t) > 2 and t[0] in _QUOTES and t[-1] in "”\"’'»›」』“"


@block_local
def drop_promos(draft: Draft) -> Draft:
    """Calls to action and links to other stories, from the `promos` phrase list."""
    m = draft.context.phrases["promos"]
    # "Most Read", "Related" ... head a list of headlines: drop_headline_lists takes
    # the heading with its list, so leave the heading for it to find
    list_heads = {h.casefold() for h in draft.context.phrases["most_read"].get("heading")}
    max_words = draft.context.params.promos.max_promo_words
    decisions = []
    for b in draft.live():
        if b.m.words > max_words or _quoted(b.text) or b.m.key in list_heads:
            continue
        hit = m.any(b.m.key)
        if hit:
            how, phrase = hit
            decisions.append((b, "promo", f"call to action or link to other content ({how} “{phrase}”)",
                              f"promos.{how}"))
    return draft.remove_each(decisions, "drop_promos")


_CASED_WORD = regex.compile(r"[\p{L}\p{N}]*[\p{Lu}\p{Ll}][\p{L}\p{N}]*")


def _cased_words(text: str) -> int:
    """Words written in a cased script (a CJK character or a number is not one)."""
    return len(_CASED_WORD.findall(text))


_KICKER = regex.compile(r"[:|“”\"‘’'«»]", regex.V1)  # "‘BLENDED THREAT’: DOJ WARNS ...", "WATCH | ..."


def _caps_subheading(live: list, i: int, p: PromoParams) -> bool:
    """A short line in capitals with no kicker that opens a paragraph of prose is the
    article's own section heading ("WHAT THE NEW RULES MEAN FOR TENANTS"), not a link:
    a related headline is longer, or carries its kicker, and interrupts the prose
    rather than opening a section. Precision first: a short related headline of this
    shape is left in."""
    b = live[i]
    if b.m.words > p.subhead_max_words or _KICKER.search(b.text) or i + 1 >= len(live):
        return False
    nxt = live[i + 1].m
    return nxt.words >= p.subhead_prose_words and nxt.ends and nxt.upper < p.caps_ratio


def drop_allcaps_headlines(draft: Draft) -> Draft:
    """Headlines of other stories printed in capitals between paragraphs (not the
    article's own section headings in capitals: ``_caps_subheading``)."""
    p: PromoParams = draft.context.params.promos
    decisions = []
    live = draft.live()
    for i, b in enumerate(live):
        n = b.m.words
        if not (p.caps_min_words <= n <= p.caps_max_words):
            continue
        # the tests below are all required: the cheapest, and the one most lines fail, first
        if b.m.upper < p.caps_ratio:
            continue
        if _enclosed_in_quotes(b.text):
            continue  # a quoted telegram, sign or chant: “ARRIVING SATURDAY EVENING TRAIN STOP”
        if _cased_words(b.text) < p.caps_min_words:
            continue  # caseless script (“TNW中文站 10月14日报道”), numbers, codes: no capitals to judge
        if not ends_sentence(b.text.rstrip("”’\"'")) and not _caps_subheading(live, i, p):
            decisions.append((b, "related-headline", f"a {n}-word headline in capitals: a link to another story",
                              "promos.allcaps-headline"))
    return draft.remove_each(decisions, "drop_allcaps_headlines")
