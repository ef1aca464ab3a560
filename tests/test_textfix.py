"""textfix.fix_text must return exactly what ftfy.fix_text returns (it only skips work)."""
from __future__ import annotations

from pathlib import Path

import ftfy
import pytest
from hypothesis import given, settings, strategies as st

from cleaners.segment import _FTFY
from cleaners.textfix import fix_text

ROOT = Path(__file__).resolve().parents[1]

TRICKY = [
    "", "plain ascii\n", "no newline at end", "\n\n\n", "café crème\n", "cafe\u0301 not NFC\n",
    "Ã© mojibake\nsecond line\n", "first line\nÃ  at a line start\n", "Â  nbsp mojibake\n",
    "â€œquotedâ€\x9d\n", "Ã¢â‚¬â„¢ double\n", "AT&amp;T &lt;b&gt;\n", "<p> then &amp; later\nlater &amp;\n",
    "&amp; before\n<tag> after &amp;\n", "control \x1b[31mred\x1b[0m\n", "bom \ufeff inside\n",
    "line\rbreak\r\n", "sep\u2028and\u2029para\x85next\n", "surrogate \ud83d alone\n", "\x81\x8d c1\n",
    "œuvre and œ!\n", "ΓÇÖ cp437\n", "вЂ™ cp1251\n", "Ð½Ð¾Ð²Ð¾ÑÑ‚Ð¸\n", "× ² times\n",
    "ﬁ ligature ＷＩＤＥ “curly”\n", "中文内容，没有问题。\n", "한국어 텍스트\n", "\u206a deprecated\n",
]

PIECES = list("aZ é Ãâ€œ™Â\xa0\u0301&<>;\n\r\x1b\x85\u2028œ°ВЂ×²ØÙ中") + ["&amp;", "&lt;", "Ã©", "â€™"]
JUNK = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@pytest.mark.parametrize("text", TRICKY)
def test_same_as_ftfy_on_tricky_lines(text):
    assert fix_text(text, _FTFY) == ftfy.fix_text(text, _FTFY)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(JUNK, st.sampled_from(TRICKY)), max_size=6))
def test_same_as_ftfy_on_mixtures(parts):
    text = "".join(parts)
    assert fix_text(text, _FTFY) == ftfy.fix_text(text, _FTFY)


def test_same_as_ftfy_on_fixtures():
    for p in sorted((ROOT / "fixtures").glob("*/input.*")):
        text = p.read_bytes().decode("utf-8", errors="replace")
        assert fix_text(text, _FTFY) == ftfy.fix_text(text, _FTFY), p.parent.name


def test_refuses_configs_that_change_ordinary_characters():
    with pytest.raises(ValueError):
        fix_text("x", ftfy.TextFixerConfig())


def test_mojibake_test_needs_one_of_the_listed_characters():
    """Every BADNESS_RE alternative holds a _MOJIBAKE character within its first three
    characters (longer alternatives start with one): no string of other characters
    matches. Exhaustive to length 2 here; to length 3 it was checked once (35 s)."""
    import itertools
    import re

    from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

    from cleaners.textfix import _MOJIBAKE

    need = re.compile(f"[{_MOJIBAKE}]")
    every = set()
    for cls in MOJIBAKE_CATEGORIES.values():
        every |= {chr(i) for i in range(0x2600) if re.match(f"[{cls}]", chr(i))}
    every |= set(BADNESS_RE.pattern) | set("aZ .,!?1_\t\n\"'(-→中жё")
    alphabet = sorted(c for c in every if not need.match(c))
    for n in (1, 2):
        for combo in itertools.product(alphabet, repeat=n):
            assert not BADNESS_RE.search("".join(combo)), "".join(combo)


def test_installed_ftfy_is_the_version_the_fast_path_was_checked_against():
    """The fast path reads ftfy 6.3 internals (its fixers' triggers, BADNESS_RE's categories).
    On another ftfy it falls back to plain ftfy.fix_text (same output, slower): this test says
    so loudly, so a new ftfy is checked (the tests above) and CHECKED_FTFY and pyproject's
    pin are moved together, never silently."""
    from importlib.metadata import version

    from cleaners import textfix

    installed = version("ftfy")
    assert installed.startswith(textfix.CHECKED_FTFY), (
        f"ftfy {installed} is not one textfix was checked against {textfix.CHECKED_FTFY}: run these tests "
        f"with the fast path forced on, then update CHECKED_FTFY and the ftfy pin in pyproject.toml")
    assert textfix._ENABLED
    pin = next(d for d in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines() if '"ftfy' in d)
    assert all(f"<{c.rstrip('.')[:-1]}{int(c.rstrip('.')[-1]) + 1}" in pin for c in textfix.CHECKED_FTFY), pin
