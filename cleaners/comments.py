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
from pydantic import Field

from .document import Draft, Params, Share, Words, block_local


class CommentParams(Params):
    """Thresholds of ``drop_comment_section`` / ``drop_comment_form`` (config: ``[params.comments]``)."""

    min_prose_words: Words = 20   # the comment section opens after at least one real paragraph
    max_marker_chars: int = Field(120, ge=0)  # a marker is a heading or a counter, not a sentence
    weak_from: Share = 0.5        # a weak marker counts only after this share of the text's characters
    prose_words: Words = 15       # two paragraphs this long straight after a weak heading: the article goes on
    evidence_window: Words = 8    # blocks after a weak heading searched for a comment's marks
    max_line_chars: int = Field(160, ge=0)  # a form line or a comment's mark is short


@lru_cache(maxsize=16)
def _any_of(phrases: tuple[str, ...], patterns: tuple[str, ...]) -> regex.Pattern | None:
    alts = [regex.escape(p.casefold().strip()).replace("\\ ", r"\s+") for p in phrases]
    alts += [f"(?:{p})" for p in patterns]
    return regex.compile("^(?:" + "|".join(alts) + r")$", regex.V1) if alts else None


def _article_goes_on(following: list, p: CommentParams) -> bool:
    """A bare “Comments” heading followed straight away by two paragraphs of prose,
    with no commenter's name, timestamp or counter between them, is a subheading
    of the article (“Comments: the council received 212 ...”), not a comment list."""
    return len(following) == 2 and all(b.m.words >= p.prose_words and b.m.ends
                                       for b in following)


def _comments_follow(following: list, evidence, form, p: CommentParams) -> str | None:
    """What, among the first blocks after a weak heading, shows they are reader comments."""
    for b in following[:p.evidence_window]:
        if len(b.text) > p.max_line_chars:
            continue
        k = b.m.key
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
    p: CommentParams = draft.context.params.comments
    live = draft.live()
    total = sum(len(b.text) for b in live) or 1
    before = 0
    seen_prose = False
    for i, b in enumerate(live):
        k = b.m.key
        if seen_prose and len(k) < p.max_marker_chars:
            if strong and strong.match(k):
                why = f"“{b.text.strip()}” opens the comment section"
                return draft.remove(live[i:], "drop_comment_section", "comments", why, "comments.section.strong")
            # the position first: a cheap test that every block of the first half fails
            if weak and before >= total * p.weak_from and weak.match(k) \
                    and not _article_goes_on(live[i + 1:i + 3], p):
                seen = _comments_follow(live[i + 1:], evidence, form, p)
                if seen:
                    why = (f"“{b.text.strip()}” opens the comment section (in the second half of the text, "
                           f"followed by {seen})")
                    return draft.remove(live[i:], "drop_comment_section", "comments", why, "comments.section.weak")
        before += len(b.text)
        seen_prose = seen_prose or b.m.words >= p.min_prose_words
    return draft


@block_local
def drop_comment_form(draft: Draft) -> Draft:
    """Lines of a comment form ("Name *", "Post Comment") wherever they stand."""
    m = draft.context.phrases["comment_form"]
    max_chars = draft.context.params.comments.max_line_chars
    decisions = [(b, "comment-form", "a line of the comment form", "comments.form.exact")
                 for b in draft.live() if len(b.text) < max_chars and m.exact(b.m.key)]
    return draft.remove_each(decisions, "drop_comment_form")
