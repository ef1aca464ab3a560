"""clean_html: decoding, metadata, structure and hints, fallback, time limit (fast, no timing asserts)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from cleaners import clean_html
from cleaners import html as H
from cleaners.html import page as H_page
from cleaners.html.blocks import _units as units
from cleaners.deadline import DeadlineExceeded, time_limit

PROSE = ("The harbour committee met on Tuesday evening and agreed, after a long debate, to repair the old "
         "sea wall before the winter storms arrive, using stone from the quarry above the town.")


def page(body: str, head: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


# -- decoding -----------------------------------------------------------------------------

def test_bom_wins_over_meta_charset():
    data = "\ufeff".encode("utf-8") + page("<p>café</p>", '<meta charset="iso-8859-1">').encode("utf-8")
    text, enc = H.decode_html(data)
    assert enc == "utf-8" and "café" in text


def test_meta_charset_is_used_and_latin1_means_cp1252():
    data = page("<p>l’été à Genève</p>", '<meta charset="iso-8859-1">').encode("cp1252")
    text, enc = H.decode_html(data)
    assert enc == "cp1252" and "l’été à Genève" in text


def test_http_content_type_wins_over_meta():
    data = page("<p>Größe</p>", '<meta charset="utf-8">').encode("cp1252")
    text, enc = H.decode_html(data, content_type="text/html; charset=windows-1252")
    assert enc == "cp1252" and "Größe" in text


def test_valid_utf8_beats_a_stale_legacy_declaration():
    data = page("<p>人工智能迈上新台阶</p>", '<meta charset="gb2312">').encode("utf-8")
    text, enc = H.decode_html(data)
    assert enc == "utf-8" and "人工智能" in text


def test_a_few_stray_bytes_keep_the_declared_charset():
    body = "<p>" + "北京新闻报道。" * 400 + "</p>"
    data = page(body, '<meta charset="gbk">').encode("gb18030") + b"\xff\xfe\xb0"
    text, enc = H.decode_html(data)
    assert enc == "gb18030" and "北京新闻报道" in text


def test_undeclared_bytes_are_detected_and_recorded_in_stats():
    data = page(f"<p>{PROSE} Ça coûte très cher, déclare le maire.</p>").encode("cp1252")
    doc = clean_html(data)
    assert doc.stats.encoding == "cp1252" and "Ça coûte très cher" in doc.text


def test_the_encoding_of_the_opening_tag_is_a_declaration():
    """An XML declaration, or the wrapper element a crawl dump puts around a page, says the
    encoding; charset detection alone reads short GBK text as a Cyrillic code page."""
    body = page("<p>《太行山上》主要讲述八路军东渡黄河，挺进抗日前线。</p>")
    for opening in ('<?xml version="1.0" encoding="gb2312"?>', '<doc id="http://example.cn/1" encoding="gb2312">'):
        text, enc = H.decode_html((opening + body).encode("gb18030"))
        assert enc == "gb18030" and "挺进抗日前线" in text, opening
    latin = '<?xml version="1.0" encoding="gb2312"?>' + page("<p>Größe</p>", '<meta charset="windows-1252">')
    assert H.decode_html(latin.encode("cp1252"))[1] == "cp1252"  # the page's <meta> comes first


def test_str_input_needs_no_decoding():
    doc = clean_html(page(f"<p>{PROSE}</p>"))
    assert doc.stats.encoding is None and PROSE in doc.text


# -- metadata -------------------------------------------------------------------------------

META_HEAD = ('<meta charset="utf-8"><title>Sea wall repairs approved</title>'
             '<meta property="og:title" content="Sea wall repairs approved">'
             '<meta property="og:site_name" content="Harbour Times">'
             '<meta name="author" content="Ana Costa; Ben Ito">'
             '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
             '<link rel="canonical" href="https://www.harbourtimes.co.uk/news/sea-wall">')


def test_page_metadata_reaches_the_document():
    doc = clean_html(page(f"<article><h1>Sea wall repairs approved</h1><p>{PROSE}</p><p>{PROSE[::-1]}</p></article>",
                          META_HEAD, lang="en-GB"))
    assert doc.title == "Sea wall repairs approved"
    assert str(doc.published) == "2024-03-05"
    assert doc.authors == ["Ana Costa", "Ben Ito"]
    assert doc.language == "en"
    assert doc.url == "https://www.harbourtimes.co.uk/news/sea-wall"
    assert doc.site == "harbourtimes.co.uk"
    # the <h1> repeating the title is recorded as metadata, not left in the text
    assert not doc.text.startswith("Sea wall") and any(r.cleaner == "extract_title" for r in doc.removed)


def test_caller_url_wins_and_site_follows_it():
    doc = clean_html(page(f"<p>{PROSE}</p>", META_HEAD), url="https://news.example.org/a/1")
    assert doc.url == "https://news.example.org/a/1" and doc.site == "example.org"


def test_language_from_meta_when_html_has_no_lang():
    tree = H.parse_html('<html><head><meta http-equiv="content-language" content="de-AT"></head><body></body></html>')
    assert H.page_language(tree) == "de"


# -- structure and hints ---------------------------------------------------------------------

def test_trafilatura_structure_becomes_blocks_with_hints():
    from lxml import etree

    body = etree.fromstring(
        "<body><head rend='h2'>Key points</head><p>First line<lb/>second line</p>"
        "<list><item>one</item><item>two<list><item>nested</item></list></item></list>"
        "<table><row><cell>Year</cell><cell>Sales</cell></row><row><cell>2023</cell><cell>41</cell></row></table>"
        "<quote>To be or not.</quote></body>")
    blocks = H.blocks_from_units(units(body))
    assert [b.text for b in blocks] == ["Key points", "First line", "second line", "one", "two", "nested",
                                        "Year | Sales", "2023 | 41", "To be or not."]
    hints = {b.text: b.hints for b in blocks}
    assert "heading" in hints["Key points"] and "list" in hints["nested"]
    assert "table" in hints["2023 | 41"] and "quote" in hints["To be or not."]
    assert blocks[1].group == blocks[2].group != blocks[3].group  # lines of one <p> share a group


def test_a_layout_table_around_the_article_is_read_once():
    """A row holding a nested table (an old page's layout table) is a container: its
    text once, not every depth's cells joined (the article printed twice)."""
    from lxml import etree

    body = etree.fromstring(
        "<body><row><cell/><cell><table><row><cell><div><head rend='h2'>Reading a seed packet</head>"
        "<p>Start with the sowing depth.</p><p>Spacing matters just as much.</p></div></cell></row></table>"
        "</cell><cell/></row>"
        "<table><row><cell>Year</cell><cell>Sales</cell></row></table></body>")
    texts = [b.text for b in H.blocks_from_units(units(body))]
    assert texts == ["Reading a seed packet Start with the sowing depth. Spacing matters just as much.",
                     "Year | Sales"]  # the inner row is one unit, as any row of one cell


def test_hints_come_from_figcaptions_and_small_named_elements_only():
    tree = H.parse_html(page(
        "<article><p>" + PROSE + "</p>"
        "<figure><img src='a.jpg'><figcaption>A heron on the sea wall.</figcaption></figure>"
        "<div class='wp-caption'><img src='b.jpg'><p class='wp-caption-text'>Stones at the quarry.</p></div>"
        "<p class='caption-contest-intro'>Our caption contest drew many entries this year.</p>"
        "<div class='related-links'><a href='/x'>Ferry fares rise again</a></div></article>"))
    hinted = H.collect_hints(tree, extracted_chars=10_000)
    assert {"a heron on the sea wall.", "stones at the quarry."} <= hinted["caption"]
    assert not any("caption contest" in t for t in hinted["caption"])  # prose whose class says caption, no picture
    assert "ferry fares rise again" in hinted["related"]


def test_box_words_mark_small_boxes_and_anchor_ids_of_own_words_do_not():
    from lxml import html as lh

    tree = lh.fromstring(page(
        f"<article><p>{PROSE}</p><div id='site-disclaimer'><p>Not advice.</p></div>"
        "<div class='inline-cta'><p>Book a visit today.</p></div>"
        "<h2 id='the-disclaimer-problem'>The disclaimer problem</h2>"
        f"<p>{PROSE} {PROSE}</p></article>"))
    hints = H.collect_hints(tree, 2000)
    assert "not advice." in hints["disclaimer"] and "book a visit today." in hints["cta"]
    assert "the disclaimer problem" not in hints["disclaimer"]  # an anchor made of its own words


def test_an_element_holding_half_the_article_gives_no_hint():
    tree = H.parse_html(page(f"<div class='comments-open share-enabled'><p>{PROSE}</p></div>"))
    assert H.collect_hints(tree, extracted_chars=len(PROSE)) == {}


def test_hinted_caption_inside_the_extracted_text_is_removed():
    doc = clean_html(page(
        f"<article><p>{PROSE}</p><div class='image-caption'><img src='a.jpg'>"
        "<span class='image-caption__text'>Waves break over the old sea wall on Monday</span></div>"
        f"<p>{PROSE.replace('Tuesday', 'Friday')}</p></article>"))
    assert "Waves break" not in doc.text


# -- the second, recall-minded extraction (html/extract.py) ------------------------------------

from golden_support import FIXTURES  # noqa: E402

TEASER_GRID = (FIXTURES / "html-teaser-grid" / "input.html").read_bytes()


def test_a_short_first_extraction_gets_a_second_opinion_that_keeps_the_cards():
    first = H_page._blocks_of(H.extract(H.parse_html(H.decode_html(TEASER_GRID)[0]), None))
    assert not any("Private wells" in b.text for b in first)  # what trafilatura's balanced mode keeps
    doc = clean_html(TEASER_GRID)
    assert doc.stats.extraction == "trafilatura-recall"
    assert "Private wells" in doc.text and "a private well, which the owner has to test" in doc.text


def test_an_article_the_first_extraction_covers_gets_no_second_one(monkeypatch):
    calls = []
    real = H_page.extract
    monkeypatch.setattr(H_page, "extract", lambda tree, url, **kw: calls.append(kw) or real(tree, url, **kw))
    doc = clean_html(page(f"<nav><a href='/'>Home</a></nav><article><h1>Sea wall</h1><p>{PROSE}</p>"
                          f"<p>{PROSE.replace('Tuesday', 'Monday')}</p></article>"))
    assert calls == [{}] and doc.stats.extraction == "trafilatura"


def test_the_second_opinion_is_taken_only_when_clearly_longer(monkeypatch):
    real = H_page.extract
    monkeypatch.setattr(H_page, "extract", lambda tree, url, recall=False: real(tree, url))  # the same again
    doc = clean_html(TEASER_GRID)
    assert doc.stats.extraction == "trafilatura" and "Private wells" not in doc.text


def test_out_of_time_in_the_second_opinion_keeps_the_first(monkeypatch):
    real = H_page.extract
    monkeypatch.setattr(H_page, "extract", lambda tree, url, recall=False: _spin(tree, url) if recall
                        else real(tree, url))
    doc = clean_html(TEASER_GRID, time_limit_s=1.0)
    assert doc.stats.extraction == "trafilatura" and "Safe drinking water" in doc.text


# -- fallback and time limit --------------------------------------------------------------------

def test_nothing_extracted_falls_back_to_visible_text(monkeypatch):
    monkeypatch.setattr(H_page, "extract", lambda tree, url: None)
    doc = clean_html(page(f"<div><p>{PROSE}</p></div><script>var hidden = 'never shown';</script>"
                          "<style>p {color: red}</style>"))
    assert doc.stats.extraction == "fallback-text"
    assert PROSE in doc.text and "never shown" not in doc.text and "color" not in doc.text


def test_visible_text_has_no_depth_limit_and_skips_scripts():
    text = H.visible_text("<div>" * 5000 + "<p>deep words</p><script>no()</script>" + "</div>" * 5000)
    assert "deep words" in text and "no()" not in text


def test_visible_text_lines_follow_block_elements_not_inline_ones():
    text = H.visible_text("<body><!-- note --><h2>Head</h2><p>one <b>bold</b> <a href=x>link</a></p>"
                          "<div hidden>secret</div><ul><li>first</li><li>second</li></ul>"
                          "<button>Share</button>tail</body>")
    assert [line for line in text.split("\n") if line.strip()] == ["Head", "one bold link", "first", "second",
                                                                  "tail"]


def test_visible_text_of_a_page_that_keeps_everything_hidden_is_that_text():
    """A page whose content waits in a hidden element for its script still has it as its text;
    with other text on the page, hidden elements stay skipped."""
    assert "waiting words" in H.visible_text("<body><div hidden><p>waiting words</p></div></body>")
    text = H.visible_text("<body><div hidden><p>waiting words</p></div><p>shown</p></body>")
    assert "shown" in text and "waiting" not in text


def test_visible_text_keeps_words_outside_body_and_after_a_stray_body_end():
    """html.parser keeps misplaced markup where it stands: the walk covers the whole tree
    (head's title, scripts and styles stay invisible)."""
    text = H.visible_text("<html><head><title>T</title><style>x{}</style><p>in the head</p></head>"
                          "<body><p>body words</p></body><p>after the end</p></html>")
    lines = [line for line in text.split("\n") if line.strip()]
    assert lines == ["in the head", "body words", "after the end"]


def test_the_date_options_are_htmldate_options():
    """DATE_PARAMS reach htmldate.find_date through trafilatura (htmldate is not declared, only
    trafilatura's dependency): an htmldate that renamed an option must fail here, not silently."""
    import inspect

    import htmldate

    assert set(H.DATE_PARAMS) <= set(inspect.signature(htmldate.find_date).parameters)


def test_the_fallback_is_beautiful_soup_past_libxml2s_depth_limit(monkeypatch):
    """Below depth 2048 libxml2 builds no text: the page's words come from bs4's tree."""
    import cleaners.html.fallback as F

    calls = []

    class Counting(F.BeautifulSoup):
        def __init__(self, *a, **kw):
            calls.append(kw.get("features") or a[1])
            super().__init__(*a, **kw)

    monkeypatch.setattr(F, "BeautifulSoup", Counting)
    doc = clean_html(page("<div>" * 3000 + f"<p>{PROSE}</p>" + "</div>" * 3000))
    assert doc.stats.extraction == "fallback-text"
    assert PROSE in doc.text and calls == ["html.parser"]


def test_empty_page_is_an_empty_document():
    doc = clean_html(b"")
    assert doc.text == "" and doc.stats.extraction == "empty"


def _spin(tree, url):
    while True:
        pass


def test_a_page_over_the_time_limit_falls_back_and_says_so(monkeypatch):
    monkeypatch.setattr(H_page, "extract", _spin)
    doc = clean_html(page(f"<p>{PROSE}</p>"), time_limit_s=0.2)
    assert doc.stats.extraction == "fallback-text-timeout" and PROSE in doc.text


def test_the_time_limit_works_in_worker_threads(monkeypatch):
    monkeypatch.setattr(H_page, "extract", _spin)
    with ThreadPoolExecutor(2) as pool:
        docs = list(pool.map(lambda _: clean_html(page(f"<p>{PROSE}</p>"), time_limit_s=0.2), range(2)))
    assert all(d.stats.extraction == "fallback-text-timeout" for d in docs)


def test_time_limit_leaves_nothing_pending_after_the_block():
    with time_limit(5):
        total = sum(range(1000))
    assert total == 499500
    with pytest.raises(DeadlineExceeded):
        with time_limit(0.05):
            while True:
                pass
    # nothing arrives after the block: a later loop runs to completion
    assert sum(i for i in range(2_000_000)) > 0
    assert not any(t.name == "declutter-deadline" and t.is_alive() for t in threading.enumerate())


def test_deeply_nested_and_huge_pages_do_not_crash():
    deep = "<div>" * 3000 + f"<p>{PROSE}</p>" + "</div>" * 3000
    doc = clean_html(page(deep), time_limit_s=5)
    assert PROSE in doc.text  # below libxml2's depth limit: the streaming tokenizer's text
    wide = page("".join(f"<p>{PROSE} Item {i}.</p>" for i in range(3000)))
    doc = clean_html(wide)
    assert doc.stats.blocks_in >= 3000 and doc.stats.extraction == "trafilatura"


def test_unknown_keyword_is_an_error():
    with pytest.raises(TypeError, match="bogus"):
        clean_html("<p>x</p>", bogus=1)


def test_watchdog_limits_each_block_with_one_thread():
    from cleaners.deadline import Watchdog

    with Watchdog() as wd:
        for _ in range(200):  # many short blocks: one thread, nothing fires
            with wd.limit(30):
                sum(range(100))
        names = [t.name for t in threading.enumerate() if t.name == "declutter-deadline"]
        assert len(names) == 1
        with pytest.raises(DeadlineExceeded):  # a shorter limit than the one the thread sleeps towards
            with wd.limit(0.05):
                while True:
                    pass
        with wd.limit(None):  # no limit
            sum(range(1000))
        with wd.limit(5):  # usable again, and nothing pending from the block that fired
            assert sum(i for i in range(2_000_000)) > 0
    assert sum(i for i in range(2_000_000)) > 0
    assert not any(t.name == "declutter-deadline" and t.is_alive() for t in threading.enumerate())


def test_time_limits_do_not_hang_under_a_profiler():
    """CPython 3.11 spins forever after a needless clear of a pending async exception
    while a profiler is on: an in-time block must never make one."""
    import subprocess
    import sys

    code = ("import cProfile\n"
            "from cleaners.deadline import Watchdog, time_limit\n"
            "p = cProfile.Profile(); p.enable()\n"
            "with time_limit(30): sum(range(100))\n"
            "with Watchdog() as wd:\n"
            "    with wd.limit(30): sum(range(100))\n"
            "p.disable(); print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
