"""Decoding, normalisation and splitting into blocks (cleaners/segment.py)."""
from __future__ import annotations

import codecs

import pytest

from cleaners import UndecodableInput, clean_bytes, clean_text
from cleaners.segment import decode_bytes, normalise, segment, split_blocks


def texts(raw: str) -> list[str]:
    return [b.text for b in segment(raw)]


# -- line endings and spaces -----------------------------------------------------

def test_crlf_and_lone_cr_become_newlines():
    assert normalise("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert texts("First line.\r\n\r\nSecond line.\rThird line.") == ["First line.", "Second line.", "Third line."]


def test_tabs_nbsp_and_odd_spaces_fold_to_one_space():
    assert normalise("a\tb\u00a0c\u2009d\u202fe   f") == "a b c d e f"


def test_zero_width_characters_and_soft_hyphens_are_dropped():
    assert normalise("in\u200bvisible\u200c \u2060joiner\ufeff soft\u00adhyphen") == "invisible joiner softhyphen"


def test_trailing_and_leading_spaces_are_stripped_per_line():
    assert normalise("  indented   \ntrailing   \n") == "indented\ntrailing\n"


def test_blank_lines_separate_groups_and_lines_are_blocks():
    blocks = split_blocks("Kicker\nA caption line.\nName/AP\n\nA paragraph.")
    assert [b.text for b in blocks] == ["Kicker", "A caption line.", "Name/AP", "A paragraph."]
    assert [b.group for b in blocks] == [0, 0, 0, 1]
    assert [b.index for b in blocks] == [0, 1, 2, 3]


def test_unicode_line_and_paragraph_separators():
    assert texts("one\u2028two\u2029three") == ["one", "two", "three"]


# -- mojibake, quotes, NFC ---------------------------------------------------------

def test_utf8_read_as_cp1252_is_repaired():
    assert normalise("The cityâ€™s oldest bakery") == "The city’s oldest bakery"
    assert normalise("â€œQuotedâ€\x9d") == "“Quoted”"


def test_typographic_quotes_stay_as_the_source_has_them():
    src = "“Double,” ‘single,’ and \"straight\" and 'plain' – dashes — too…"
    assert normalise(src) == src


def test_nfc_composes_combining_marks():
    assert normalise("Cafe\u0301") == "Café"


# -- hard-wrapped prose ------------------------------------------------------------

WRAPPED = """The warm February is the reason. Soil temperatures at the research farm
outside town were two degrees above their ten-year average for most of the
month, which brought everything forward and surprised the growers."""


def test_hard_wrapped_prose_is_rejoined_into_one_paragraph():
    assert texts(WRAPPED) == [" ".join(WRAPPED.split("\n"))]


def test_hyphen_at_a_wrap_is_kept_and_not_spaced():
    raw = ("The committee met on Tuesday to discuss the long-awaited re-\n"
           "development of the harbour, which has been delayed for years now.")
    assert texts(raw) == ["The committee met on Tuesday to discuss the long-awaited re-development of the "
                          "harbour, which has been delayed for years now."]


def test_verse_lines_ending_in_punctuation_are_not_joined():
    poem = ("Oh the tide comes in and the tide goes out again,\n"
            "and the ships go down to the sea without their men,\n"
            "oh the tide comes in and the tide goes out again,\n"
            "and we'll stand on the quay till they bring them home.")
    assert texts(poem) == poem.split("\n")


def test_short_list_lines_are_not_joined():
    recipe = "500g strong white flour\n1 tsp salt\n7g fast-action yeast\n300ml warm milk"
    assert texts(recipe) == recipe.split("\n")


def test_headline_byline_and_date_printed_together_are_not_joined():
    head = ("Storm knocks out power to thousands along the Gulf Coast\n"
            "By MARISOL TREVINO and DANIEL OKAFOR Associated Press\n"
            "Published 3:45 PM EST, Tue March 5, 2024")
    assert texts(head) == head.split("\n")


def test_a_row_of_links_is_not_prose():
    foot = ("You are receiving this email because you subscribed to The Weekly Harvest.\n"
            "Unsubscribe | Update your preferences | Forward to a friend")
    assert texts(foot) == foot.split("\n")


def test_long_lines_are_paragraphs_already():
    a = "A" + " word" * 40 + "."
    b = "Another" + " word" * 40 + "."
    assert texts(f"{a}\n{b}") == [a, b]


# -- decoding bytes ----------------------------------------------------------------

ARTICLE = "Sleeper trains return to Zürich — “finally”, said Katrin Bäumer, at €59 a night."


def test_bom_utf8():
    text, enc = decode_bytes(codecs.BOM_UTF8 + ARTICLE.encode("utf-8"))
    assert text == ARTICLE and enc == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(codec):
    data = ARTICLE.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    text, _ = decode_bytes(data)
    assert text == ARTICLE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    text, enc = decode_bytes((ARTICLE + "\n" + ARTICLE).encode(codec))
    assert text == ARTICLE + "\n" + ARTICLE and enc == codec


def test_cp1252_bytes():
    raw = ("By Siobhán O’Leary\n\nThe harbour wall will be rebuilt after councillors approved a €2.4 million "
           "budget. “We’ve waited long enough — the fishermen can’t keep working,” said a councillor.")
    doc = clean_bytes(raw.encode("cp1252"))
    assert doc.stats.encoding == "cp1252"
    assert "O’Leary" not in doc.text and doc.authors == ["Siobhán O’Leary"]
    assert "€2.4 million" in doc.text and "“We’ve waited" in doc.text


def test_latin1_bytes_of_french_text_decode_as_western():
    raw = ("Every morning Hélène Dubois unlocks the café her grandmother opened in 1952. The menu has barely "
           "changed: crème brûlée, tarte tatin, and a soupe à l'oignon that has not been altered in forty years.")
    text, enc = decode_bytes(raw.encode("latin-1"))
    assert text == raw and enc in ("cp1252", "latin_1", "iso8859_15")


def test_central_european_code_page_is_not_forced_to_cp1252():
    raw = ("Ve středu ráno ředitel školy v Brně řekl, že oprava potrvá déle, než se čekalo. "
           "Žáci se budou učit v jiné budově až do konce října.")
    text, enc = decode_bytes(raw.encode("cp1250"))
    assert text == raw


def test_gbk_bytes():
    raw = "北京时间昨天晚上，国家统计局发布了最新的经济数据。专家表示，经济增长保持稳定，消费市场逐步恢复。" * 3
    doc = clean_bytes(raw.encode("gbk"))
    assert "国家统计局" in doc.text
    assert doc.stats.encoding and doc.stats.encoding.lower().replace("_", "") in ("gbk", "gb18030", "gb2312")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
    b"PK\x03\x04" + bytes(200),
    b"%PDF-1.7\n" + bytes(range(256)),
    bytes(range(32)) * 50,
])
def test_binary_input_raises_undecodable(data):
    with pytest.raises(UndecodableInput):
        clean_bytes(data)


def test_undecodable_input_is_a_value_error_with_a_reason():
    with pytest.raises(ValueError, match="binary input"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_empty_input_is_an_empty_document():
    assert clean_bytes(b"").text == ""
    assert clean_text("").text == ""


def test_clean_text_refuses_bytes_with_a_pointer_to_clean_bytes():
    with pytest.raises(TypeError, match="clean_bytes"):
        clean_text(b"bytes")  # type: ignore[arg-type]


_WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def test_fold_spaces_is_the_regex_fold_on_what_normalise_leaves():
    """``fold_spaces`` (str.split per line) gives what the regex fold plus a strip of
    every line gave, on text whose only vertical whitespace is "\\n": every Unicode
    whitespace character, in random runs between words and line breaks."""
    import random
    import re

    from cleaners.segment import fold_spaces

    gone = set("\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")  # normalise removes these first
    horizontal = [c for c in _WHITESPACE if c not in gone and c != "\n"]
    assert " " in horizontal and "\u00a0" in horizontal and "\u3000" in horizontal
    pieces = horizontal + ["\n", "word", "é", "字", "-", "\u200b"]
    rnd = random.Random(7)
    fold = re.compile(r"[^\S\n]+")
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        expected = "\n".join(line.strip() for line in fold.sub(" ", text).split("\n"))
        assert fold_spaces(text) == expected, repr(text)


def test_normalise_leaves_no_vertical_whitespace_but_newlines():
    """The precondition of ``fold_spaces``: every other line or page separator is gone."""
    text = "a\rb\x0bc\x0cd\x1ce\x1df\x1eg\x1fh\x85i\u2028j\u2029k\r\nl"
    out = normalise(text)
    assert not set(out) & set("\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")
    assert set(out.replace("\n", "")) <= set("abcdefghijkl")
