"""Page furniture that surrounds an article: newsletter boxes, share and follow
buttons, advertisement labels, cookie notices, copyright lines, tag lines,
"Most Read" headline lists and trailing author bios.

Every rule is bounded by block length, so a paragraph of prose that talks
about newsletters, cookies or sharing is never a match: furniture is short.
"""
from __future__ import annotations

from .document import Block, Draft
from .phrases import Matcher
from .textutil import WORD, ends_sentence, key, word_count


def _short_phrase_hits(draft: Draft, family: str, max_words: int, kind: str, what: str,
                       kinds: tuple[str, ...] = ("exact", "prefix", "contains", "pattern")) -> list:
    m: Matcher = draft.context.phrases[family]
    out = []
    for b in draft.live():
        if word_count(b.text) > max_words:
            continue
        k = key(b.text)
        for how in kinds:
            hit = getattr(m, how)(k)
            if hit:
                out.append((b, kind, f"{what} ({how} “{hit}”)"))
                break
    return out


def drop_newsletter_prompts(draft: Draft) -> Draft:
    """“Sign up for our newsletter”, “Get the latest … delivered to your inbox”."""
    return draft.remove_each(_short_phrase_hits(draft, "newsletter", 40, "newsletter", "newsletter sign-up prompt"),
                             "drop_newsletter_prompts")


def drop_ad_labels(draft: Draft) -> Draft:
    """“ADVERTISEMENT”, “Story continues below advertisement”."""
    return draft.remove_each(_short_phrase_hits(draft, "ads", 10, "advertisement", "advertisement label", ("exact",)),
                             "drop_ad_labels")


def drop_cookie_notices(draft: Draft) -> Draft:
    """Cookie consent banners."""
    return draft.remove_each(_short_phrase_hits(draft, "cookies", 70, "cookie-notice", "cookie notice",
                                                ("contains",)), "drop_cookie_notices")


def drop_copyright_lines(draft: Draft) -> Draft:
    """“© 2024 Example Media. All rights reserved.”"""
    return draft.remove_each(_short_phrase_hits(draft, "copyright", 30, "copyright", "copyright line"),
                             "drop_copyright_lines")


def drop_tag_lines(draft: Draft) -> Draft:
    """“Tags: …”, “Filed under …”."""
    return draft.remove_each(_short_phrase_hits(draft, "tags", 40, "tags", "tag or category line", ("prefix",)),
                             "drop_tag_lines")


def drop_share_buttons(draft: Draft) -> Draft:
    """Share and follow buttons: a block made only of button words (“Facebook Twitter Email”)."""
    m = draft.context.phrases["share"]
    tokens = {t.casefold() for t in m.get("tokens")}
    out = []
    for b in draft.live():
        if len(b.text) > 120:
            continue
        k = key(b.text)
        hit = m.exact(k)
        if hit:
            out.append((b, "share", f"share or follow button (“{hit}”)"))
            continue
        toks = [t.casefold() for t in WORD.findall(k)]
        if len(toks) >= 2 and all(t in tokens for t in toks) and sum(t not in {"on", "via", "this", "us"} for t in toks) >= 2:
            out.append((b, "share", "a row of share or follow buttons"))
    return draft.remove_each(out, "drop_share_buttons")


MAX_LIST_ITEM_WORDS = 20


def drop_headline_lists(draft: Draft) -> Draft:
    """A “Most Read” / “Related Stories” heading and the run of headlines under it.

    The run is the following blocks that look like headlines (short, no sentence
    end); it stops at the first paragraph of prose."""
    m = draft.context.phrases["most_read"]
    heads = {h.casefold() for h in m.get("heading")}
    live = draft.live()
    out = []
    i = 0
    while i < len(live):
        b = live[i]
        if key(b.text) in heads:
            run = [b]
            j = i + 1
            while j < len(live) and _headline_like(live[j]):
                run.append(live[j])
                j += 1
            reason = f"“{b.text.strip()}” list of other stories"
            out += [(x, "headline-list", reason) for x in run]
            i = j
        else:
            i += 1
    return draft.remove_each(out, "drop_headline_lists")


def _headline_like(b: Block) -> bool:
    n = word_count(b.text)
    return 0 < n <= MAX_LIST_ITEM_WORDS and not ends_sentence(b.text)


TAIL_BLOCKS = 3


def drop_author_bios(draft: Draft) -> Draft:
    """An author bio among the last few blocks (“Jane Doe is a reporter at …”).

    Bio patterns are matched against the block's own text (not its key), since
    they rely on the capitals of a name."""
    m = draft.context.phrases["bio"]
    live = draft.live()
    out = []
    for b in live[-TAIL_BLOCKS:]:
        if word_count(b.text) <= 80 and m.pattern(b.text.strip()):
            out.append((b, "author-bio", "an author bio at the end of the article"))
    return draft.remove_each(out, "drop_author_bios")
