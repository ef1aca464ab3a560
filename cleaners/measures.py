"""The per-block record: a block text's measures, computed once, read by every cleaner.

Down the chain every cleaner asks the same questions of the same blocks (how many
words, does it end a sentence, its matching key, its share of capitals), the chain's
second pass asks them again, and the feature pass (``features._shape``) once more.
``measure(text)`` answers them all in one record, built the first time a text is seen
and memoised by text (boilerplate lines recur across a site's pages); ``Block.m`` is
the block's record, kept on the block. The cheap measures every cleaner reads are
computed at once, the others when first asked (``upper``, ``tokens``, ``folded``).

The values are exactly those of the ``textutil`` functions they are named after
(tests/test_measures.py checks every golden block): a cleaner may use either, and
uses the record for a block's own text.
"""
from __future__ import annotations

from .textutil import ends_sentence, has_cjk, key, memo_text, upper_ratio, word_count, words

_word_count = word_count.__wrapped__  # the record is the memo: do not fill a second one
_key = key.__wrapped__
_UNSET = object()


class Measures:
    """What every cleaner reads of one block's text.

    ``words``: ``textutil.word_count`` (a CJK character is a word); ``key``:
    ``textutil.key`` (case-folded, bullets and trailing separators stripped, one space
    per run); ``ends``: ``textutil.ends_sentence``; ``cjk``: ``textutil.has_cjk``;
    ``upper``: ``textutil.upper_ratio``; ``tokens``: ``textutil.words``;
    ``folded``: the text case-folded; ``folded_tokens``: ``textutil.words`` of the folded
    text (the stopword share's and the lexicon's words); ``stripped``: the text without outer whitespace."""

    __slots__ = ("text", "words", "key", "ends", "cjk", "_upper", "_tokens", "_folded", "_ftokens")

    def __init__(self, text: str):
        self.text = text
        self.words = _word_count(text)
        self.key = _key(text)
        self.ends = ends_sentence(text)
        self.cjk = has_cjk(text)
        self._upper = self._tokens = self._folded = self._ftokens = _UNSET

    @property
    def upper(self) -> float:
        if self._upper is _UNSET:
            self._upper = upper_ratio(self.text)
        return self._upper

    @property
    def tokens(self) -> tuple[str, ...]:
        if self._tokens is _UNSET:
            self._tokens = tuple(words(self.text))
        return self._tokens

    @property
    def folded(self) -> str:
        if self._folded is _UNSET:
            self._folded = self.text.casefold()
        return self._folded

    @property
    def folded_tokens(self) -> tuple[str, ...]:
        if self._ftokens is _UNSET:
            self._ftokens = tuple(words(self.folded))
        return self._ftokens

    @property
    def stripped(self) -> str:
        return self.text.strip()

    def __getstate__(self):
        return self.text

    def __setstate__(self, text):
        fresh = Measures(text)
        for name in Measures.__slots__:
            object.__setattr__(self, name, getattr(fresh, name))

    def __repr__(self) -> str:
        return f"Measures(words={self.words}, ends={self.ends}, key={self.key[:40]!r})"


@memo_text(65536)
def measure(text: str) -> Measures:
    """The record of a text (memoised: the same text, the same record)."""
    return Measures(text)
