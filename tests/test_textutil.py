"""textutil's shortcuts give the same answers as the plain definitions they replace."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cleaners import textutil as tu

ALPHABET = st.sampled_from(list("aZé9 \t\n\x1c\x1f\x85\u2028\u00a0\u2003-–—'’\".!?…。)]»›|•·>:;,ǅⒶİß中あア한\u0301²K")
                           + list(tu.PLAIN_EXTRA) + ["Photo", "CLICK", "don’t"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def ref_word_count(text: str) -> int:
    cjk = len(tu._CJK.findall(text))
    if cjk:
        return cjk + len(tu.WORD.findall(tu._CJK.sub(" ", text)))
    return len(tu.WORD.findall(text))


def ref_key(text: str) -> str:
    k = tu._SPACES.sub(" ", text.casefold()).strip()
    k = tu._LEAD_JUNK.sub("", k)
    return tu._TRAIL_JUNK.sub("", k)


def ref_upper_ratio(text: str) -> float:
    up = low = 0
    for ch in text:
        if ch.isupper():
            up += 1
        elif ch.islower():
            low += 1
    return up / (up + low) if up + low else 0.0


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_measures_match_their_definitions(text):
    assert tu.word_count(text) == ref_word_count(text)
    assert tu.key(text) == ref_key(text)
    assert tu.ends_sentence(text) == bool(tu.SENTENCE_END.search(text.rstrip()))
    assert tu.upper_ratio(text) == ref_upper_ratio(text)
    assert tu.has_cjk(text) == bool(tu._CJK.search(text))


def test_cjk_candidates_cover_the_four_scripts():
    text = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    for m in tu._CJK.finditer(text):
        assert tu._CJK_CANDIDATE.match(m.group()), hex(ord(m.group()))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_words_match_the_word_pattern(text):
    assert tu.words(text) == tu.WORD.findall(text)


def test_plain_extra_holds_no_letters_digits_or_marks():
    import regex

    assert not [c for c in tu.PLAIN_EXTRA if regex.match(r"[\p{L}\p{N}\p{M}]", c)]
