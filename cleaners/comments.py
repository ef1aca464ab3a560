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

A reader-comment thread is also known by its repeating frame: a commenter's
name line ("Jo says") or a time stamp, the comment, a reply or like button, and
again ("frames", ``find_threads``). At least ``thread_frames`` such frames in a
row, with the button and one other kind of mark each repeated that often, make
a thread. Confirmed by one, a weak marker counts before ``weak_from`` too (from
the marker to the thread's end); and a thread with no marker at all, standing
after the article's prose, goes from its first frame to the last one's button.
A live blog's time stamps, a Q&A's "NAME says", a changelog's or a timeline's
dates have no reply buttons between them, so they are never a thread.
Comment-form lines ("Your email address will not be published", "Name *") go
wherever they stand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex
from pydantic import Field

from .document import Draft, Params, Share, Words, block_local
from .phrases import pattern_matcher


class CommentParams(Params):
    """Thresholds of ``drop_comment_section`` / ``drop_comment_form`` (config: ``[params.comments]``)."""

    min_prose_words: Words = 20   # the comment section opens after at least one real paragraph
    max_marker_chars: int = Field(120, ge=0)  # a marker is a heading or a counter, not a sentence
    weak_from: Share = 0.5        # a weak marker counts only after this share of the text's characters
    prose_words: Words = 15       # two paragraphs this long straight after a weak heading: the article goes on
    evidence_window: Words = 8    # blocks after a weak heading searched for a comment's marks
    max_line_chars: int = Field(160, ge=0)  # a form line or a comment's mark is short
    # the thread detector (bench/RESULTS.md "Comment threads by their frame" chose these)
    thread_frames: int = Field(3, ge=2)   # frames with a button in a row that make a thread
    thread_gap: Words = 6                 # blocks of comment text between two marks of one run, at most
    thread_prose_words: Words = 60        # prose (paragraphs of min_prose_words) before a thread with no marker
    name_line_words: Words = 4            # a commenter's bare name line above a frame's first mark, at most


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


@dataclass(frozen=True)
class Frame:
    """One reader comment's marks: from its head (name line, time stamp) to its last button.
    ``start`` / ``end`` are positions in the list of blocks given to ``find_threads``."""

    start: int
    end: int
    kinds: frozenset[str]
    button: str | None = None   # the text of its first button
    signed: bool = False        # a "NAME says" line straight above a time stamp with a clock time

    @property
    def complete(self) -> bool:
        """A head and a button; or the signed head of a blog comment ("Jo says:" over
        "May 2, 2019 at 3:05 pm"), which no article's quote or dated entry prints that way."""
        return self.signed or ("button" in self.kinds and bool(self.kinds & {"name", "time"}))


@dataclass(frozen=True)
class Thread:
    """A run of comment frames, ``start`` to ``end`` (inclusive), confirmed by its repeats."""

    start: int
    end: int
    frames: tuple[Frame, ...]

    def describe(self) -> str:
        full = [f for f in self.frames if f.complete]
        kinds = [what for kind, what in (("name", "a name line"), ("time", "a time stamp"))
                 if any(kind in f.kinds for f in full)]
        button = next((f.button for f in full if f.button), None)
        if button:
            kinds.append(f"a “{button}” button")
        listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
        return f"{len(full)} comment frames: {listed} repeated"


_CLOCK = regex.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b")  # 3:05, 15:05, 15 h 05
_SOME_CLOCK = re.compile(r"\d\s*[:h]\s*\d\d")  # what every _CLOCK match holds (a cheaper search)


def _frame_matchers(m):
    """kind → a function of a key: the frame lists, compiled (names with their literal pre-scan);
    "buttons" → the button patterns over many keys at once, one per line."""
    out = {kind: getattr(_any_of((), m.get(f"frame_{kind}")), "match", None) for kind in ("time", "button")}
    names = pattern_matcher(m.get("frame_name"), "comments.frame_name") if m.get("frame_name") else None
    out["name"] = names.pattern if names else None
    out["buttons"] = _any_line(m.get("frame_button"))
    # literals one of which every name line holds ("says", "sagt" ...), when the patterns have them
    out["names"] = (tuple(sorted({w for part in names.pattern_needs for w in part}))
                    if names and names.pattern_needs and all(names.pattern_needs) else None)
    return out


@lru_cache(maxsize=16)
def _any_line(patterns: tuple[str, ...]):
    """The patterns as one alternation over lines: stdlib ``re`` where it can read them (3x faster
    scanning a page's keys than ``regex``, whose ``(?m)^`` tries every character), else ``regex``."""
    if not patterns:
        return None
    alt = "(?m)^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$"
    try:
        return re.compile(alt)
    except re.error:  # a class only regex knows (\p{L} ...)
        return regex.compile(alt, regex.V1)


def _marks(blocks: list, matchers, p: CommentParams) -> dict[int, frozenset[str]]:
    """Position → kinds of comment mark, for the short blocks that are one."""
    # a thread and its marker stand after the first paragraph of prose: only the keys from there on
    first = next((i for i, b in enumerate(blocks) if b.m.words >= p.min_prose_words), len(blocks))
    keys = [""] * first + [b.m.key if len(b.text) <= p.max_line_chars else "" for b in blocks[first:]]
    # the cheap tests first, over all the keys at once (most pages have no comment marks):
    # a frame needs a button, or a name line over a clock time
    lines = "\n".join(keys)
    buttons, names = matchers["buttons"], matchers["names"]
    if (buttons is None or len(buttons.findall(lines)) < p.thread_frames) \
            and (len(_SOME_CLOCK.findall(lines)) < p.thread_frames
                 or (names is not None and sum(lines.count(w) for w in names) < p.thread_frames)):
        return {}
    out: dict[int, set[str]] = {}
    for kind in ("button", "name", "time"):
        found = matchers[kind]
        if found is not None:
            for i, k in enumerate(keys):
                if k and found(k):
                    out.setdefault(i, set()).add(kind)
    return {i: frozenset(k) for i, k in sorted(out.items())}


def _frames(blocks: list, marks: dict[int, frozenset[str]], p: CommentParams) -> list[list[Frame]]:
    """The marks grouped into frames, the frames into runs (no more than thread_gap blocks apart)."""
    runs: list[list[Frame]] = []
    cur: dict | None = None   # the frame being built: start, end, kinds, button
    run: list[Frame] = []

    def close():
        nonlocal cur
        if cur is not None:
            run.append(Frame(cur["start"], cur["end"], frozenset(cur["kinds"]), cur["button"], cur["signed"]))
            cur = None

    for i, kinds in marks.items():
        if cur is not None and i - cur["end"] - 1 > p.thread_gap:
            close()
            runs.append(run)
            run = []
        head = kinds & {"name", "time"}
        if head:
            # a name line then a time stamp, side by side with no button yet, are one head
            joins = (cur is not None and "button" not in cur["kinds"] and i == cur["end"] + 1
                     and not (head & cur["kinds"]))
            if not joins:
                close()
                cur = {"start": i, "end": i, "kinds": set(), "button": None, "signed": False}
            elif cur["kinds"] == {"name"} and "time" in head and _CLOCK.search(blocks[i].text):
                cur["signed"] = True
        if cur is None:
            continue  # a button before any head belongs to no frame
        cur["end"] = i
        cur["kinds"] |= kinds
        if "button" in kinds and cur["button"] is None:
            cur["button"] = blocks[i].text.strip()
    close()
    runs.append(run)
    return runs


def _name_line(b, p: CommentParams) -> bool:
    """A commenter's bare name printed above the frame's first mark: a short line, no sentence."""
    return 0 < b.m.words <= p.name_line_words and not b.m.ends


def _lead(blocks: list, frames: tuple[Frame, ...], marks, p: CommentParams) -> int:
    """Where the thread starts: its first frame's head, or the bare name line above it when
    every later complete frame has one there too (the name, then "3 hours ago", then the comment)."""
    first, later = frames[0].start, [f.start for f in frames[1:] if f.complete]
    if first and later and all(s - 1 not in marks and _name_line(blocks[s - 1], p) for s in [first, *later]):
        return first - 1
    return first


def find_threads(blocks: list, matchers, p: CommentParams) -> list[Thread]:
    """Runs of at least ``thread_frames`` complete frames (a head and a button each) in
    which the button and the name line or the time stamp each recur that often.
    A thread runs from its first complete frame's head to its last complete frame's
    button; frames without a button between them (a nested reply) go with it."""
    out = []
    marks = _marks(blocks, matchers, p)
    for run in _frames(blocks, marks, p):
        full = [i for i, f in enumerate(run) if f.complete]
        if len(full) < p.thread_frames:
            continue
        frames = tuple(run[full[0]:full[-1] + 1])
        count = {k: sum(k in f.kinds for f in frames if f.complete) for k in ("name", "time")}
        if max(count.values()) < p.thread_frames:
            continue
        out.append(Thread(_lead(blocks, frames, marks, p), frames[-1].end, frames))
    return out


def drop_comment_section(draft: Draft) -> Draft:
    """A comment-section marker and everything after it; a comment thread known by its frames."""
    m = draft.context.phrases["comments"]
    strong = _any_of(m.get("start"), m.get("start_pattern"))
    weak = _any_of(m.get("weak_start"), m.get("weak_pattern"))
    frame = _frame_matchers(m)
    evidence = _any_of((), m.get("evidence_pattern") + m.get("frame_name") + m.get("frame_time")
                       + m.get("frame_button"))
    form = draft.context.phrases["comment_form"]
    p: CommentParams = draft.context.params.comments
    live = draft.live()
    threads = {t.start: t for t in find_threads(live, frame, p)}
    total = sum(len(b.text) for b in live) or 1
    before = 0
    prose = 0        # words of the prose paragraphs so far
    decisions = []
    skip_to = 0      # blocks before this are already taken by a thread
    for i, b in enumerate(live):
        if i >= skip_to:
            k = b.m.key
            cut = None
            if prose and len(k) < p.max_marker_chars:
                if strong and strong.match(k):
                    cut = (len(live), f"“{b.text.strip()}” opens the comment section", "comments.section.strong")
                # the position first: a cheap test that every block of the first half fails
                elif weak and (threads or before >= total * p.weak_from) and weak.match(k) \
                        and not _article_goes_on(live[i + 1:i + 3], p):
                    seen = before >= total * p.weak_from and _comments_follow(live[i + 1:], evidence, form, p)
                    if seen:
                        why = (f"“{b.text.strip()}” opens the comment section (in the second half of the text, "
                               f"followed by {seen})")
                        cut = (len(live), why, "comments.section.weak")
                    else:
                        t = next((threads[j] for j in range(i + 1, i + 1 + p.evidence_window) if j in threads),
                                 None)
                        if t is not None:
                            why = f"“{b.text.strip()}” opens a comment thread ({t.describe()})"
                            cut = (t.end + 1, why, "comments.section.thread")
            if cut is None and i in threads and prose >= p.thread_prose_words:
                t = threads[i]
                cut = (t.end + 1, f"{t.describe()}, after the article", "comments.thread.frame")
            if cut is not None:
                end, why, rule = cut
                decisions += [(x, "comments", why, rule) for x in live[i:end]]
                skip_to = end
                if end == len(live):
                    break
        before += len(b.text)
        if b.m.words >= p.min_prose_words:
            prose += b.m.words
    return draft.remove_each(decisions, "drop_comment_section") if decisions else draft


@block_local
def drop_comment_form(draft: Draft) -> Draft:
    """Lines of a comment form ("Name *", "Post Comment") wherever they stand."""
    m = draft.context.phrases["comment_form"]
    max_chars = draft.context.params.comments.max_line_chars
    decisions = [(b, "comment-form", "a line of the comment form", "comments.form.exact")
                 for b in draft.live() if len(b.text) < max_chars and m.exact(b.m.key)]
    return draft.remove_each(decisions, "drop_comment_form")
