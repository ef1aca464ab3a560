"""cleaners/charsets.py codec_for_label: a declared charset label → the codec a browser uses."""
from __future__ import annotations

import pytest

from cleaners.charsets import codec_for_label
from cleaners.html import declared_charset


@pytest.mark.parametrize("label, codec", [
    ("utf-8", "utf-8"), ("UTF8", "utf-8"), ("windows-1252", "cp1252"),
    # WHATWG: labels naming a narrower encoding mean the superset browsers decode with
    ("iso-8859-1", "cp1252"), ("latin1", "cp1252"), ("US-ASCII", "cp1252"), ("gb2312", "gb18030"),
    ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("euc-kr", "cp949"), ("ks_c_5601-1987", "cp949"),
    ("Shift_JIS", "cp932"), ("x-sjis", "cp932"), ("big5", "big5hkscs"), ("iso-8859-9", "cp1254"),
    ("tis-620", "cp874"), (" koi8-r ", "koi8-r"), ("iso-8859-2", "iso8859-2"),
])
def test_labels(label, codec):
    assert codec_for_label(label) == codec


@pytest.mark.parametrize("label", ["utf-7", "x-unknown", "", "unicode-1-1-utf-7"])
def test_unknown_or_unsafe_labels_are_none(label):
    assert codec_for_label(label) is None  # utf-7 would turn ASCII bytes into markup


def test_declared_charset_uses_it():
    assert declared_charset(b'<meta charset="latin1"><p>caf\xe9</p>') == "cp1252"
    assert declared_charset(b"<p>x</p>", "text/html; charset=GB2312") == "gb18030"
    assert declared_charset(b'<meta charset="utf-16">') is None  # ASCII-compatible bytes are never UTF-16
