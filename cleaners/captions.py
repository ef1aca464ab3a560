"""Photo captions and credits.

Credits are recognised by shape and by what they name: "Yuri Kadobnov/AP",
"(AP Photo/Evan Vucci)", "Photo: Jane Doe/Reuters", "Getty Images",
"Image source, EPA", "Photograph: Name/Agency". Captions by their house
styles ("In this Thursday, April 25, 2019, photo, ...", "FILE - ...",
"Pictured: ...") or by an inline credit at their end, and, structurally, by
being printed together with a credit: a short block in the same group (no
blank line between them) right before a credit, and a short label heading
that group (a kicker such as "Backsliding Democracy"), are part of the figure.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import regex

from .document import Block, Draft, Params, Words, block_local
from .phrases import Matcher, _alternation
from .textutil import per_object, word_count


class CaptionParams(Params):
    """Thresholds of ``drop_captions_and_credits`` (config: ``[params.captions]``)."""

    max_credit_words: Words = 14   # a credit is a label, names and an agency: "Photo: J. R. de la Cruz/Reuters/File"
    max_caption_words: Words = 70  # a caption is a few sentences; a block longer than this is a paragraph
    max_label_words: Words = 5     # a kicker heading a figure group ("Backsliding Democracy")
    max_figure_group: Words = 4    # kicker + caption + credit (+ one more line) printed together
    max_above_credit_words: Words = 50      # a caption known only by standing above its credit is short...
    max_above_credit_sentences: Words = 2   # ...and says one or two things about the picture


@per_object
def _credit_patterns(agencies: tuple[str, ...]) -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    ag = _alternation(list(agencies))
    ag_upper = "|".join(regex.escape(a.upper()) for a in sorted(set(agencies), key=len, reverse=True)) or "(?!)"
    # a photographer's name: capitalised words (initials, hyphens, apostrophes) with the
    # particles of names between them, as credits print them ("Jane Doe", "J. R. de la
    # Cruz", "JANE DOE"), never a run of lower-case words: "... an opinion piece for The
    # New York Times" and "..., a REUTERS/Ipsos poll found" are sentences, not credits
    cap = r"(?-i:\p{Lu})[\p{L}\p{M}.'’\-]*"
    particle = r"(?-i:de|da|di|do|du|dos|van|von|der|den|del|della|la|le|bin|ibn|al|el|y|e|ter|ten|zu)"
    name = rf"{cap}(?:\s+(?:{particle}\s+)*{cap}){{0,4}}"
    # "Yuri Kadobnov/AP", "Jane Doe / Reuters / File", "AP Photo/Evan Vucci", "(AP Photo/Name)"
    slash = regex.compile(
        rf"^\(?(?:(?:{name})\s*/\s*(?:{ag})(?:\s*/\s*[\p{{L}} ]+)?|(?:{ag})(?:\s+photo)?\s*/\s*{name})\)?$",
        regex.V1 | regex.I)
    # "Getty Images", "Name via Getty Images", "Name for The New York Times", "Credit: ... ", "Name | AFP"
    alone = regex.compile(rf"^(?:(?:{name})\s*(?:via|for|\||,|-|–|—)\s*)?(?:{ag})(?:\s+(?:photo|images?|file))?$",
                          regex.V1 | regex.I)
    # a caption that ends with its credit: "... in Kyiv. (AP Photo/Efrem Lukatsky)", "... (Photo by X/Getty Images)"
    inline = regex.compile(
        rf"[\(\[](?:(?:{ag})\s+photo\s*/|photo(?:graph)?(?:\s+by)?\s*:?\s*)[^()\[\]]{{2,80}}[\)\]]\.?$"
        rf"|\b(?:photo(?:graph)?|credit|image)\s*:\s*{name}\s*(?:/|\bfor\b|\bvia\b)\s*(?:{ag})\.?$"
        # Reuters house style, agency in capitals first: "... February 1, 2024. REUTERS/Hanna Vale/File Photo"
        rf"|(?-i:\b(?:{ag_upper}))\s*/\s*{name}(?:\s*/\s*[\p{{L}} ]+)?\.?$",
        regex.V1 | regex.I)
    return slash, alone, inline


@per_object
def _agency_tails(agencies: tuple[str, ...]) -> tuple[str, ...]:
    """What a text ending with a credit ends with: an agency's last word, or the
    "photo / images / file" the patterns allow after it (case-folded)."""
    tails = {a.casefold().split()[-1] for a in agencies if a.strip()}
    return tuple(sorted(tails | {"photo", "image", "images", "file"}))


def _ends_like_credit(text: str, agencies: tuple[str, ...]) -> bool:
    """Cheap necessary condition for the ``alone`` pattern (and the "Photo: Name/Agency"
    form of ``inline``): the block ends with an agency's last word."""
    t = text.casefold()
    return t.endswith(_agency_tails(agencies)) or t.endswith(".") and t[:-1].endswith(_agency_tails(agencies))


@per_object
def _caption_prefixes(labels: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The caption labels matched case-sensitively (upper case), and the others case-folded."""
    return tuple(p for p in labels if p.isupper()), tuple(p.casefold() for p in labels if not p.isupper())


@per_object
def _label_prefixes(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.casefold().rstrip(":") for p in labels)


class _Forms(NamedTuple):
    """The compiled forms of the family's lists, looked up once per document (not per block)."""

    agencies: tuple[str, ...]
    patterns: tuple[regex.Pattern, regex.Pattern, regex.Pattern]
    label_prefixes: tuple[str, ...]
    caption_prefixes: tuple[tuple[str, ...], tuple[str, ...]]
    caption_re: regex.Pattern | None
    named_credit: regex.Pattern | None    # _named_credit of the credit_tail labels
    credit_words: re.Pattern | None       # _credit_word_finder of the same labels


def _forms(m: Matcher) -> _Forms:
    agencies = m.get("agencies")
    tails = m.get("credit_tail")
    return _Forms(agencies, _credit_patterns(agencies), _label_prefixes(m.get("credit_prefix")),
                  _caption_prefixes(m.get("caption_prefix")), _caption_re(m.get("caption_pattern")),
                  _named_credit(tails), _credit_word_finder(tails))


def _credit(block: Block, m: Matcher, p: CaptionParams, f: _Forms) -> tuple[str, str] | None:
    """(why, rule id) when the block is a photo credit."""
    bm = block.m
    if bm.words > p.max_credit_words:
        return None
    text = block.text.strip()
    agencies = f.agencies
    slash, alone, _ = f.patterns
    # the patterns are costly (a lazy name before a long alternation): each runs only
    # when the block holds what it cannot match without
    if "/" in text and slash.match(text):
        return "names a photographer and an agency", "captions.credit.slash"
    if _ends_like_credit(text, agencies) and alone.match(text):
        return "names a picture agency and nothing else", "captions.credit.agency"
    k = bm.key
    if not k.startswith(f.label_prefixes):
        return None
    for p in sorted(m.get("credit_prefix"), key=len, reverse=True):  # "Image source" before "Image:"
        pk = p.casefold()
        base = pk.rstrip(":")
        if not k.startswith(base):
            continue
        if _labels_a_credit(k[len(base):], pk.endswith(":"), base[-1:] in _JOINERS):
            return f"starts with the credit label “{p}”", "captions.credit.label"
    return None


# what joins a colon label's word to another word or lists it: "Credit/debit cards",
# "Video-on-demand sales", "Images, videos, live streams" (a list item, not a label); a
# label without a colon takes any separator ("Image source, Getty Images": BBC's comma)
_JOINERS = frozenset("/-‐‑,&+")
_SEPARATORS = " :|–—-"


def _labels_a_credit(rest: str, colon: bool, joined: bool = False) -> bool:
    """Whether a block whose key is a credit label's word followed by ``rest`` is that
    label opening a credit. "Image:" is a label before its colon ("Image: X", "Credit...X"),
    not before another word ("Image caption, ..." is a caption, not a credit), nor as
    part of a compound or a list ("Credit/debit cards", "Video-on-demand"). A label that
    ends with its own joiner (``joined``: Portuguese "Reprodução/") runs straight into the
    credit ("Reprodução/TV Globo"). A number right after the label is a specification
    or a count, never a name: "Video: 4K/30p, Full HD 120p" is a camera's spec line,
    "Images: 3 per listing" a rule."""
    if not rest:
        return True
    c = rest[0]
    if not joined and (c.isalnum() or colon and (c.isspace() or c in _JOINERS)):
        return False
    after = rest.lstrip(_SEPARATORS)
    return not after[:1].isdigit()


def _caption(block: Block, m: Matcher, p: CaptionParams, f: _Forms) -> tuple[str, str] | None:
    """(why, rule id) when the block is a photo caption on its own evidence."""
    bm = block.m
    if bm.words > p.max_caption_words:
        return None
    text = block.text.strip()
    if "caption" in block.hints:
        return "marked as a caption by the page", "captions.caption.page-markup"
    upper, folded = f.caption_prefixes
    k = bm.key
    if text.startswith(upper) or k.startswith(folded):
        for p in m.get("caption_prefix"):
            # case-sensitive for the wire style "FILE -" (prose never opens with upper-case FILE)
            if text.startswith(p) if p.isupper() else k.startswith(p.casefold()):
                return f"starts with the caption label “{p}”", "captions.caption.label"
    hit = f.caption_re
    if hit and hit.search(k):
        return "wire-service caption style (“In this … photo”)", "captions.caption.wire-style"
    agencies = f.agencies
    _, _, inline = f.patterns
    # inline needs a bracketed credit at the end, "Label: ... Agency" or "AGENCY/Name"
    if (text.endswith((")", "]", ").", "].")) or "/" in text
            or ":" in text and _ends_like_credit(text, agencies)) and inline.search(text):
        return "ends with its photo credit", "captions.caption.inline-credit"
    tail = text[-_TAIL_CHARS:]
    named = f.named_credit
    if named is not None and _may_end_with_credit(tail, f.credit_words) and named.search(tail):
        return "ends with its photo credit (a credit label and a name)", "captions.caption.named-credit"
    return None


_TAIL_CHARS = 120  # a credit at the end of a caption: "Photo: " and a few names
# A name in a credit: capitalised words ("Jane Doe", "de la Cruz"), or camel case ("iRunFar")
_NAME_WORD = r"(?:[\p{Lu}][\p{L}\p{M}\p{N}.'’&-]*|\p{Ll}+\p{Lu}[\p{L}\p{M}.'’&-]*|(?:de|da|del|la|le|van|von|der|den|di|du|dos|y|and|&))"
_NAMES = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}(?:\s*/\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}){{0,2}}"


@per_object
def _credit_words(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({l.casefold().split()[0].rstrip(":") for l in labels if l.strip()} | {"©"}))


@per_object
def _credit_word_finder(labels: tuple[str, ...]) -> re.Pattern | None:
    """One compiled alternation of ``_credit_words`` (literals): its search is
    ``any(w in t for w in words)`` in one C scan instead of a generator step per word.
    None when a word is empty (then every tail holds one)."""
    words = _credit_words(labels)
    if not all(words):
        return None
    return re.compile("|".join(map(re.escape, words)))


def _may_end_with_credit(tail: str, finder: re.Pattern | None) -> bool:
    """Cheap necessary condition for ``_named_credit``: a label's first word in the tail
    (``finder``: ``_credit_word_finder`` of the labels)."""
    return finder is None or finder.search(tail.casefold()) is not None


@per_object
def _named_credit(labels: tuple[str, ...]) -> regex.Pattern | None:
    """A caption's last words: a credit label of the language ("Photo:", "Foto:") and
    nothing but names after it, or a "| © 2019 Name" credit. The label stands after
    a word or a sentence, never at the block's start (a credit alone is ``_credit``'s)."""
    if not labels:
        return None
    alt = "|".join(regex.escape(l.strip()).replace("\\ ", r"\s*") for l in sorted(labels, key=len, reverse=True))
    return regex.compile(
        rf"(?<=\S\s+)[\(\[]?(?i:{alt})\s*{_NAMES}[\)\]]?\.?$"
        rf"|(?<=\S\s*)\|\s*©\s*\d{{4}}\s+{_NAMES}$",
        regex.V1)


@per_object
def _caption_re(patterns: tuple[str, ...]) -> regex.Pattern | None:
    if not patterns:
        return None
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.V1)


_SENTENCE_BREAK = regex.compile(r"[.!?…](?:[\"”’»)]*)\s+(?=[\p{Lu}\p{N}\"“‘«(])", regex.V1)


def _caption_sized(text: str, p: CaptionParams) -> bool:
    """Whether a block printed directly above a credit can be its caption. A paragraph of
    three or more sentences, or of more than 50 words, that the page happens to print
    right above a credit is article text: a caption has no other evidence here, so it
    must at least have a caption's size."""
    return (word_count(text) <= p.max_above_credit_words
            and len(_SENTENCE_BREAK.findall(text.strip())) < p.max_above_credit_sentences)


def _is_label(block: Block, p: CaptionParams) -> bool:
    """A kicker or section label: a few words, no sentence punctuation."""
    bm = block.m
    return 0 < bm.words <= p.max_label_words and not bm.ends and not block.text.strip().endswith((",", ";"))


@block_local
def drop_captions_and_credits(draft: Draft) -> Draft:
    """Captions, credits, and the labels printed with them."""
    m = draft.context.phrases["captions"]
    p: CaptionParams = draft.context.params.captions
    live = draft.live()
    decisions: dict[int, tuple[Block, str, str, str]] = {}
    f = _forms(m)
    for i, b in enumerate(live):
        hit = _credit(b, m, p, f)
        if hit:
            decisions[b.index] = (b, "credit", f"photo credit: {hit[0]}", hit[1])
            continue
        hit = _caption(b, m, p, f)
        if hit:
            decisions[b.index] = (b, "caption", f"photo caption: {hit[0]}", hit[1])
    # structure: the figure group (no blank line) above a credit or caption. Only
    # small groups count: a text that never uses blank lines is one big group.
    sizes: dict[int, int] = {}
    for b in live:
        sizes[b.group] = sizes.get(b.group, 0) + 1
    for i, b in enumerate(live):
        if b.index not in decisions or sizes[b.group] > p.max_figure_group:
            continue
        j = i - 1
        while j >= 0 and live[j].group == b.group:
            prev = live[j]
            if prev.index in decisions:
                j -= 1
                continue
            if j == i - 1 and decisions[b.index][1] == "credit" and not _is_label(prev, p) \
                    and _caption_sized(prev.text, p):
                decisions[prev.index] = (prev, "caption", "photo caption: printed directly above its credit",
                                         "captions.caption.above-credit")
            elif _is_label(prev, p):
                decisions[prev.index] = (prev, "label", "section label or kicker printed with a photo caption",
                                         "captions.label.kicker")
            else:
                break
            j -= 1
    return draft.remove_each(sorted(decisions.values(), key=lambda d: d[0].index), "drop_captions_and_credits")
