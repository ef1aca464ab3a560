"""The comment section: its opening marker, the form, and every reader comment after it.

Strong markers ("Leave a Reply", "Kommentar schreiben") open it anywhere after
the first paragraph of prose; weak ones (a bare "Comments" or "Discussion"
heading, "12 Comments") only in the second half of the text, since the same words
are menu links and counters near the top of a page, and only when what follows
them looks like reader comments: a reply button, a comment's time stamp, a
"Name says:" line or the comment form within the next few blocks (the
``evidence_pattern`` list), and not two paragraphs of prose straight away. A
paper's own "Discussion" section or an article's "Responses" subheading is
followed by prose and nothing of the kind.
Comment-form lines ("Your email address will not be published", "Name *") go
wherever they stand.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from .document import Draft, block_local
from .textutil import ends_sentence, key, word_count

MIN_PROSE_WORDS = 20  # the comment section opens after at least one real paragraph


@lru_cache(maxsize=16)
def _any_of(phrases: tuple[str, ...], patterns: tuple[str, ...]) -> regex.Pattern | None:
    alts = [regex.escape(p.casefold().strip()).replace("\\ ", r"\s+") for p in phrases]
    alts += [f"(?:{p})" for p in patterns]
    return regex.compile("^(?:" + "|".join(alts) + r")$", regex.V1) if alts else None


PROSE_WORDS = 15


def _article_goes_on(following: list) -> bool:
    """A bare “Comments” heading followed straight away by two paragraphs of prose,
    with no commenter's name, timestamp or counter between them, is a subheading
    of the article (“Comments: the council received 212 ...”), not a comment list."""
    return len(following) == 2 and all(word_count(b.text) >= PROSE_WORDS and ends_sentence(b.text)
                                       for b in following)


EVIDENCE_WINDOW = 8  # blocks after a weak heading searched for a comment's marks


def _comments_follow(following: list, evidence, form) -> str | None:
    """What, among the first blocks after a weak heading, shows they are reader comments."""
    for b in following[:EVIDENCE_WINDOW]:
        if len(b.text) > 160:
            continue
        k = key(b.text)
        if form.exact(k):
            return f"the comment form (“{b.text.strip()}”)"
        if evidence is not None and evidence.match(k):
            return f"a comment's mark (“{b.text.strip()}”)"
    return None


def drop_comment_section(draft: Draft) -> Draft:
    """A comment-section marker and everything after it."""
    m = draft.context.phrases["comments"]
    strong = _any_of(m.get("start"), m.get("start_pattern"))
    weak = _any_of(m.get("weak_start"), m.get("weak_pattern"))
    evidence = _any_of((), m.get("evidence_pattern"))
    form = draft.context.phrases["comment_form"]
    live = draft.live()
    total = sum(len(b.text) for b in live) or 1
    before = 0
    seen_prose = False
    for i, b in enumerate(live):
        k = key(b.text)
        if seen_prose and len(k) < 120:
            if strong and strong.match(k):
                why = f"“{b.text.strip()}” opens the comment section"
                return draft.remove(live[i:], "drop_comment_section", "comments", why, "comments.section.strong")
            if weak and weak.match(k) and before >= total / 2 and not _article_goes_on(live[i + 1:i + 3]):
                seen = _comments_follow(live[i + 1:], evidence, form)
                if seen:
                    why = (f"“{b.text.strip()}” opens the comment section (in the second half of the text, "
                           f"followed by {seen})")
                    return draft.remove(live[i:], "drop_comment_section", "comments", why, "comments.section.weak")
        before += len(b.text)
        seen_prose = seen_prose or word_count(b.text) >= MIN_PROSE_WORDS
    return draft


@block_local
def drop_comment_form(draft: Draft) -> Draft:
    """Lines of a comment form ("Name *", "Post Comment") wherever they stand."""
    m = draft.context.phrases["comment_form"]
    decisions = [(b, "comment-form", "a line of the comment form", "comments.form.exact")
                 for b in draft.live() if len(b.text) < 160 and m.exact(key(b.text))]
    return draft.remove_each(decisions, "drop_comment_form")
