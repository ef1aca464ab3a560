"""Page furniture that surrounds an article: newsletter boxes, share and follow
buttons, advertisement labels, cookie notices, copyright lines, tag lines,
"Most Read" headline lists and trailing author bios.

Every rule is bounded by block length, so a paragraph of prose that talks
about newsletters, cookies or sharing is never a match: furniture is short.
"""
from __future__ import annotations

from functools import lru_cache

import regex
from pydantic import Field

from .document import Block, Draft, Params, Share, Words, block_local
from .phrases import Matcher, _alternation, _holds_any, _words_of
from .textutil import WORD, ends_sentence, per_object, word_count


class FurnitureParams(Params):
    """Length bounds of the furniture cleaners (config: ``[params.furniture]``): furniture is
    short, so every rule only looks at blocks up to its bound."""

    newsletter_max_words: Words = 40         # a sign-up box: a heading, a line, a button
    newsletter_prefix_max_words: Words = 20  # a block that only *starts* like a prompt must be shorter
    ad_max_words: Words = 10                 # "Story continues below advertisement"
    cookie_max_words: Words = 70             # a consent banner can be a short paragraph of legalese
    copyright_max_words: Words = 30          # "© 2024 Example Media Group Ltd. All rights reserved. ..."
    tags_max_words: Words = 40               # "Tags:" and its list
    tag_item_max_words: Words = 6            # one tag; a longer item is a sentence ("Posted in Kabul for ...")
    share_max_chars: int = Field(120, ge=0)  # a row of share buttons, in characters
    list_item_max_words: Words = 20          # a headline under "Most Read"; prose ends the list...
    card_excerpt_max_words: Words = 60       # ...unless the stories are cards: a headline, a short excerpt...
    card_min: Words = Field(2, ge=2)         # ...and the same lines under it, repeated this many times
    bio_tail_blocks: Words = 3               # an author bio stands among the last few blocks...
    bio_max_words: Words = 80                # ...and is at most this long
    box_from: Share = 0.6                    # an author box stands after this share of the live words...
    box_max_words: Words = 80                # ...and its bio is at most this long
    box_max_blocks: Words = 2                # the bio: a paragraph, perhaps a contact line under it
    disclosure_max_words: Words = 60         # a disclosure note is a sentence or two
    standalone_min_words: Words = 12         # an author bio anywhere: a sentence about the author...
    standalone_max_words: Words = 130        # ...or a short paragraph of them


def _short_phrase_hits(draft: Draft, family: str, max_words: int, kind: str, what: str,
                       kinds: tuple[str, ...] = ("exact", "prefix", "contains", "pattern")) -> list:
    """Short blocks matching the family's phrase lists; rule id ``<family>.<list>``."""
    m: Matcher = draft.context.phrases[family]
    out = []
    for b in draft.live():
        if b.m.words > max_words:
            continue
        k = b.m.key
        for how in kinds:
            hit = getattr(m, how)(k)
            if hit:
                out.append((b, kind, f"{what} ({how} “{hit}”)", f"{family}.{how}"))
                break
    return out


_REPORTED = regex.compile(r"[“”\"«»„]|\b(?:said|says|told|according to)\b", regex.V1 | regex.I)


@block_local
def drop_newsletter_prompts(draft: Draft) -> Draft:
    """“Sign up for our newsletter”, “Get the latest … delivered to your inbox”.

    A block that merely starts like a prompt (“Sign up for three newsletters and
    …”, “Subscribe to the wrong ones, said …”) counts only when it is short and
    nobody is quoted in it: an article about newsletters talks like that too."""
    m: Matcher = draft.context.phrases["newsletter"]
    p: FurnitureParams = draft.context.params.furniture
    hits = []
    for b in draft.live():
        n = b.m.words
        if n > p.newsletter_max_words:
            continue
        k = b.m.key
        for how in ("exact", "pattern", "contains", "prefix"):
            hit = getattr(m, how)(k)
            if hit and (how != "prefix" or (n <= p.newsletter_prefix_max_words and not _REPORTED.search(b.text))):
                hits.append((b, "newsletter", f"newsletter sign-up prompt ({how} “{hit}”)", f"newsletter.{how}"))
                break
    return draft.remove_each(hits, "drop_newsletter_prompts")


@block_local
def drop_ad_labels(draft: Draft) -> Draft:
    """“ADVERTISEMENT”, “Story continues below advertisement”."""
    return draft.remove_each(_short_phrase_hits(draft, "ads", draft.context.params.furniture.ad_max_words, "advertisement", "advertisement label", ("exact",)),
                             "drop_ad_labels")


@lru_cache(maxsize=16)
def _words_re(words: tuple[str, ...]) -> regex.Pattern | None:
    if not words:
        return None
    return regex.compile(r"(?<![\p{L}\p{N}])(?:" + _alternation(list(words)) + r")(?![\p{L}\p{N}])", regex.V1)


@block_local
def drop_cookie_notices(draft: Draft) -> Draft:
    """Cookie consent banners.

    Strong phrases (“cookie policy”) and bare buttons (“Accept all”) suffice;
    weak ones (“we use cookies”) need a word of the web in the same block
    (“site”, “browser”, “consent” ...), so a column about baking stays."""
    m: Matcher = draft.context.phrases["cookies"]
    max_words = draft.context.params.furniture.cookie_max_words
    hits = _short_phrase_hits(draft, "cookies", max_words, "cookie-notice", "cookie notice", ("exact", "contains"))
    weak, context = _words_re(m.get("weak")), _words_re(m.get("context"))
    if weak and context:
        taken = {h[0].index for h in hits}
        needs = _weak_words(m.get("weak"))
        for b in draft.live():
            if b.index in taken or b.m.words > max_words:
                continue
            k = b.m.key
            # every match of a weak phrase holds its longest word (``phrases._words_of``):
            # a key holding none cannot match, and `in` is cheaper than the search
            if needs is not None and not _holds_any(k, needs):
                continue
            w = weak.search(k)
            c = w and context.search(k)
            if c:
                hits.append((b, "cookie-notice", f"cookie notice (“{w.group(0)}” with “{c.group(0)}”)",
                             "cookies.weak-in-context"))
    return draft.remove_each(sorted(hits, key=lambda h: h[0].index), "drop_cookie_notices")


@per_object
def _weak_words(phrases: tuple[str, ...]) -> tuple[str, ...] | None:
    return _words_of(list(phrases), first=False)


@block_local
def drop_copyright_lines(draft: Draft) -> Draft:
    """“© 2024 Example Media. All rights reserved.”

    Matched on the case-folded text itself, not the key: the key strips leading
    symbols, and the © sign is the evidence."""
    m: Matcher = draft.context.phrases["copyright"]
    max_words = draft.context.params.furniture.copyright_max_words
    hits = []
    for b in draft.live():
        if b.m.words > max_words:
            continue
        t = b.text.strip().casefold()
        k = b.m.key
        for how, hit in (("pattern", lambda: m.pattern(t)), ("exact", lambda: m.exact(k)),
                         ("prefix", lambda: m.prefix(k))):
            hit = hit()
            if hit:
                hits.append((b, "copyright", f"copyright line (“{hit}”)", f"copyright.{how}"))
                break
    return draft.remove_each(hits, "drop_copyright_lines")


_TAG_SPLIT = regex.compile(r"\s*[,|•·/;]\s*")


def _tag_list(rest: str, max_item_words: int) -> bool:
    """What follows “Tags:” is a list: short items, no sentence. “Posted in Kabul
    for two years as an aid worker, Hannah ...” is prose that starts the same way."""
    rest = rest.strip(" :-–—")
    if not rest:
        return True
    if ends_sentence(rest):
        return False
    return all(word_count(item) <= max_item_words for item in _TAG_SPLIT.split(rest))


@block_local
def drop_tag_lines(draft: Draft) -> Draft:
    """“Tags: …”, “Filed under …”: the label and a list of short items."""
    m: Matcher = draft.context.phrases["tags"]
    p: FurnitureParams = draft.context.params.furniture
    hits = []
    for b in draft.live():
        if b.m.words > p.tags_max_words:
            continue
        k = b.m.key
        hit = m.prefix(k)
        if hit and _tag_list(k[len(hit):], p.tag_item_max_words):
            hits.append((b, "tags", f"tag or category line (prefix “{hit}”)", "tags.prefix"))
    return draft.remove_each(hits, "drop_tag_lines")


@block_local
def drop_share_buttons(draft: Draft) -> Draft:
    """Share and follow buttons: a block made only of button words (“Facebook Twitter Email”)."""
    m = draft.context.phrases["share"]
    tokens = {t.casefold() for t in m.get("tokens")}
    max_chars = draft.context.params.furniture.share_max_chars
    out = []
    for b in draft.live():
        if len(b.text) > max_chars:
            continue
        k = b.m.key
        hit = m.exact(k)
        if hit:
            out.append((b, "share", f"share or follow button (“{hit}”)", "share.exact"))
            continue
        toks = WORD.findall(k)
        # all() below fails at the first token that is no button word: most rows' first
        if len(toks) < 2 or toks[0].casefold() not in tokens:
            continue
        toks = [t.casefold() for t in toks]
        if len(toks) >= 2 and all(t in tokens for t in toks) and sum(t not in {"on", "via", "this", "us"} for t in toks) >= 2:
            out.append((b, "share", "a row of share or follow buttons", "share.button-row"))
    return draft.remove_each(out, "drop_share_buttons")


@block_local
def drop_headline_lists(draft: Draft) -> Draft:
    """A “Most Read” / “Related Stories” heading and the run of headlines under it.

    The run is the following blocks that look like headlines (short, no sentence
    end); it stops at the first paragraph of prose. Stories printed as cards
    (``_story_cards``: a headline, an excerpt, a date or label, repeated) are taken
    card by card, unless the cards print the heading again ("Read more" under every
    item: a button, and the items may be the article's own, a roundup)."""
    m = draft.context.phrases["most_read"]
    heads = {h.casefold() for h in m.get("heading")}
    max_words = draft.context.params.furniture.list_item_max_words
    live = draft.live()
    out = []
    i = 0
    p: FurnitureParams = draft.context.params.furniture
    while i < len(live):
        b = live[i]
        if b.m.key in heads:
            run = [b]
            j = i + 1
            while j < len(live) and _headline_like(live[j], max_words):
                run.append(live[j])
                j += 1
            reason = f"“{b.text.strip()}” list of other stories"
            out += [(x, "headline-list", reason, "headline-list.heading" if x is b else "headline-list.item")
                    for x in run]
            cards, shape = _story_cards(live, i + 1, p)
            # a "Read more" that every card repeats is each card's button: the cards may be
            # the article's own (a roundup of projects), and only the old reading stands
            if len(cards) > len(run) - 1 and all(x.m.key != b.m.key for x in cards):
                why = (f"“{b.text.strip()}” list of other stories, as {len(cards) // (len(shape) + 1)} cards "
                       f"of a headline, {', '.join(shape)}")
                out += [(x, "headline-list", why, "headline-list.card") for x in cards[len(run) - 1:]]
                j = i + 1 + len(cards)
            i = j
        else:
            i += 1
    return draft.remove_each(out, "drop_headline_lists")


def _headline_like(b: Block, max_words: int) -> bool:
    n = b.m.words
    return 0 < n <= max_words and not b.m.ends


_CUT = ("…", "...", "[…]", "[...]")
CARD_PERIODS = (2, 3, 4)  # a card: a headline and one to three lines under it


def _card_line(b: Block, p: FurnitureParams) -> str | None:
    """What a line under a card's headline is: a short ``excerpt`` (prose, or cut off
    with an ellipsis), a ``label`` (a date, a category, "Read more": a few words, no
    sentence end), or None (a paragraph too long for a card)."""
    n = b.m.words
    if n == 0 or n > p.card_excerpt_max_words:
        return None
    if b.m.ends or b.m.stripped.endswith(_CUT) or n > p.list_item_max_words:
        return "excerpt"
    return "label" if n <= 6 else None


def _story_cards(live: list, start: int, p: FurnitureParams) -> tuple[list, tuple]:
    """The blocks from ``live[start]`` that are story cards under a list heading: a
    headline, then the same one to three lines under it on every card, an excerpt among
    them ("headline / excerpt / date / In “News”"; a headline and an excerpt alone only
    when the excerpt is cut by an ellipsis), the card repeated at least ``card_min``
    times in a row: (blocks, the kinds of line under a headline). Empty when there are none."""
    best: list = []
    best_shape: tuple = ()
    for per in CARD_PERIODS:
        shape, cards, j = None, 0, start
        while j + per <= len(live):
            head, under = live[j], live[j + 1:j + per]
            lines = tuple(_card_line(x, p) for x in under)
            if not _headline_like(head, p.list_item_max_words) or None in lines or "excerpt" not in lines:
                break
            if per == 2 and not under[0].m.stripped.endswith(_CUT):
                break  # headline + sentence pairs are how articles are written: only a cut teaser
            if shape is not None and lines != shape:
                break
            shape, cards, j = lines, cards + 1, j + per
        if cards >= p.card_min and cards * per > len(best):
            best, best_shape = live[start:start + cards * per], shape
    return best, best_shape


def drop_author_bios(draft: Draft) -> Draft:
    """An author bio among the last few blocks (“Jane Doe is a reporter at …”), and an
    author box in the last part of the text: its heading (“About the author”, “Über die
    Autorin”) and the short bio printed under it, whatever the bio says.

    Bio patterns are matched against the block's own text (not its key), since
    they rely on the capitals of a name."""
    m = draft.context.phrases["bio"]
    p: FurnitureParams = draft.context.params.furniture
    live = draft.live()
    out = []
    for b in live[-p.bio_tail_blocks:]:
        if b.m.words <= p.bio_max_words and m.pattern(b.text.strip()):
            out.append((b, "author-bio", "an author bio at the end of the article", "bio.pattern"))
    heads = {h.casefold() for h in m.get("heading")}
    if heads:
        total = sum(b.m.words for b in live) or 1
        seen = 0
        for i, b in enumerate(live):
            seen += b.m.words
            if seen < p.box_from * total or b.m.key not in heads:
                continue
            box = [b]
            for x in live[i + 1:i + 1 + p.box_max_blocks]:
                if x.m.words > p.box_max_words or x.m.key in heads:
                    break
                box.append(x)
            # a heading with no bio under it is left to the other rules; the bio opens with
            # the author's full name ("Maya Lindqvist is ..."), where a review's own
            # "About the author" section opens with prose ("The novelist grew up ...")
            if len(box) > 1 and _opens_with_name(box[1].text):
                why = f"an author box (“{b.text.strip()}” and the bio under it)"
                out += [(x, "author-bio", why, "bio.author-box") for x in box]
    taken = {x.index for x, *_ in out}
    out += [(b, "author-bio", why, "bio.standalone") for b, why in _standalone_bios(live, m, p) if b.index not in taken]
    return draft.remove_each(sorted(out, key=lambda d: d[0].index), "drop_author_bios")


def _standalone_bios(live: list, m: Matcher, p: FurnitureParams) -> list:
    """An author bio wherever the page printed it (an author box above the article, or
    before its related links): a block that opens with a name and a writing job (the
    family's ``standalone`` patterns: “Rebecca Hale is a freelance writer …”, “Jana Roth ist
    Redakteurin …”), says more about that person (a ``marker``: a pronoun, their years or
    experience), quotes nobody, and whose name the rest of the text never uses again: an
    article about a writer names her in its other paragraphs."""
    pats, markers = _patterns(m.get("standalone")), _patterns_i(m.get("marker"))
    if not pats or not markers:
        return []
    out = []
    for b in live:
        n = b.m.words
        if not (p.standalone_min_words <= n <= p.standalone_max_words):
            continue
        t = b.text.strip()
        hit = next((mm for mm in (x.match(t) for x in pats) if mm), None)
        if hit is None or not any(x.search(t) for x in markers) or _REPORTED.search(t):
            continue
        name = _NAME_WORD.findall(hit.group("name") if "name" in hit.re.groupindex else t[:hit.end()])
        surname = name[-1] if name else None
        if surname is None or any(x is not b and x.m.words >= p.standalone_min_words
                                  and _mentions(x.text, surname) for x in live):
            continue
        out.append((b, f"an author bio (“{t[:hit.end()]} …”), its name used nowhere else in the text"))
    return out


# the capitalised words of the name a bio opens with (its pattern's group `name`)
_NAME_WORD = regex.compile(r"\b\p{Lu}[\p{L}\p{M}'’\-]+", regex.V1)


@per_object
def _patterns(items: tuple[str, ...]) -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(x, regex.V1) for x in items)


@per_object
def _patterns_i(items: tuple[str, ...]) -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(x, regex.V1 | regex.I) for x in items)


def _mentions(text: str, word: str) -> bool:
    return regex.search(r"(?<![\p{L}\p{N}])" + regex.escape(word) + r"(?![\p{L}\p{N}])", text) is not None


_NAME_START = regex.compile(r"^\p{Lu}[\p{L}\p{M}.'’\-]+\s+(?:(?:de|da|van|von|der|del|la|le)\s+)*\p{Lu}[\p{L}\p{M}'’\-]+\b",
                           regex.V1)


def _opens_with_name(text: str) -> bool:
    return bool(_NAME_START.match(text.strip()))


@block_local
def drop_disclosure_notes(draft: Draft) -> Draft:
    """Notes on how the page is paid for: “This post may contain affiliate links”, “We may
    earn a commission”, “Dieser Artikel enthält Affiliate-Links”, “Cet article contient
    des liens affiliés”. The patterns speak as the site (“we”, “this article”), and only
    short blocks are searched, so a paragraph that reports on affiliate marketing stays."""
    m: Matcher = draft.context.phrases["disclosure"]
    max_words = draft.context.params.furniture.disclosure_max_words
    out = []
    for b in draft.live():
        if b.m.words > max_words:
            continue
        hit = m.pattern(b.text.strip().casefold())  # behind its literal pre-filter: cheaper than _REPORTED
        # “We may earn a commission,” the company said: reported, not the site's note
        if hit and not _REPORTED.search(b.text):
            out.append((b, "disclosure", f"a disclosure note (“{hit}”)", "disclosure.pattern"))
    return draft.remove_each(out, "drop_disclosure_notes")
