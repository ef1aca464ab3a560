"""The review page in a real browser: the system's headless Chromium, driven by Selenium.

One browser for the module. Skipped, saying why, only where Chromium, its chromedriver or
Selenium is missing (.ci/run installs Chromium from the Debian packages when it can)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from flows.review import build

EVIL = "<script>window.pwned = 1; document.title = 'pwned';</script>"
EVIL_TITLE = "</script><script>window.pwned = 2</script><!-- a title"
EVIL_ATTR = "\"><img src=x onerror=\"window.pwned = 3\">"
PAGE_TITLE = "declutter review: page 1 of 1"


def _browser_or_skip():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(f"no headless Chromium here (chromium: {chromium}, chromedriver: {driver}); "
                    "install them with: apt-get install -y chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        pytest.skip(f"selenium is not installed ({exc}): pip install -e '.[test]'")
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try to download a driver
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="declutter-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000"):
        opts.add_argument(arg)
    return webdriver.Chrome(options=opts, service=Service(executable_path=driver)), profile


@pytest.fixture(scope="module")
def browser():
    drv, profile = _browser_or_skip()
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _doc(kept, removed, **meta):
    return {"id": "0" * 64, "source": meta.get("source"), "url": meta.get("url"), "title": meta.get("title"),
            "published": None, "authors": [], "language": meta.get("language", "en"),
            "site": meta.get("site", "example.com"), "text": "\n\n".join(kept), "removed": removed,
            "stats": {"blocks_in": len(kept) + len(removed)}, "pipeline_version": "0", "schema_version": "1"}


def _rm(cleaner, position, text, reason, rule=None):
    r = {"cleaner": cleaner, "kind": "k", "reason": reason, "position": position, "text": text}
    if rule:
        r["rule"] = rule
    return r


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    out = tmp_path_factory.mktemp("review-browser") / "out"
    docs = {
        "harbour.json": _doc(["The harbour board approved the new sea wall on Monday.", EVIL,
                              "Engineers said the work would start in spring."],
                             [_rm("drop_promos", 1, "CLICK HERE FOR MORE FROM THE GAZETTE",
                                  "a call to action opens the block", rule="promos.cta.click"),
                              _rm("drop_captions_and_credits", 4, "Photo: Jane Doe / Reuters",
                                  "a photo credit " + EVIL_ATTR)],
                             title=EVIL_TITLE, url="javascript:window.pwned=4"),
        "museum.json": _doc(["Das Museum öffnet im Mai wieder seine Türen für Besucher."],
                            [_rm("drop_captions_and_credits", 0, "Foto: dpa", "agency credit")],
                            site="other.org", language="de"),
        "quiet.json": _doc(["A document from which nothing was removed at all."], []),
    }
    out.mkdir(parents=True)
    for rel, d in docs.items():
        (out / rel).write_text(json.dumps(d), encoding="utf-8")
    built = build(out)
    return out / "_review"


def _style(browser, el, prop):
    return browser.execute_script("return getComputedStyle(arguments[0]).getPropertyValue(arguments[1])", el, prop)


def _select(browser, element_id, value):
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", element_id)).select_by_value(value)


def _open(browser, path: Path, query: str = ""):
    browser.get(path.as_uri() + query)
    assert browser.execute_script("return document.readyState") == "complete"


def test_removed_blocks_are_struck_through_and_coloured_by_cleaner(browser, review, tmp_path):
    _open(browser, review / "pages" / "000001.html")
    promo = browser.find_element("css selector", '.blk.rm[data-cleaner="drop_promos"]')
    credit = browser.find_element("css selector", '#d0 .blk.rm[data-cleaner="drop_captions_and_credits"]')
    for block in (promo, credit):
        text = block.find_element("css selector", ".txt")
        assert "line-through" in _style(browser, text, "text-decoration-line")
        assert block.is_displayed()
    kept = browser.find_element("css selector", "#d0 .blk.kept")
    assert "line-through" not in _style(browser, kept, "text-decoration-line")
    assert _style(browser, promo, "border-left-color") != _style(browser, credit, "border-left-color")
    # the rule and the reason beside the block; reading order: kept, removed, kept...
    assert "promos.cta.click" in promo.text and "a call to action opens the block" in promo.text
    order = [b.get_attribute("class") for b in browser.find_elements("css selector", "#d0 .blk")]
    assert order == ["blk kept", "blk rm", "blk kept", "blk kept", "blk rm"]
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot)) and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hostile_input_shows_as_text_and_never_runs(browser, review):
    for page in (review / "pages" / "000001.html", review / "index.html"):
        _open(browser, page)
        assert browser.execute_script("return window.pwned") is None, page
        assert "pwned" not in browser.title
        assert not browser.find_elements("css selector", "section.doc img, #rows img, .blk script")
    _open(browser, review / "pages" / "000001.html")
    assert browser.title == PAGE_TITLE
    kept = [b.text for b in browser.find_elements("css selector", "#d0 .blk.kept")]
    assert EVIL in kept  # shown, as the page's text
    assert browser.find_element("css selector", "#d0 h2").text.endswith(EVIL_TITLE)
    assert EVIL_ATTR in browser.find_element("css selector", '#d0 .blk.rm[data-cleaner="drop_captions_and_credits"]').text


def test_filters_hide_other_cleaners_sites_and_languages(browser, review, tmp_path):
    _open(browser, review / "pages" / "000001.html")
    docs = {d: browser.find_element("id", d) for d in ("d0", "d1", "d2")}
    assert all(el.is_displayed() for el in docs.values())
    _select(browser, "f-cleaner", "drop_promos")
    promo = browser.find_element("css selector", '.blk.rm[data-cleaner="drop_promos"]')
    credits = browser.find_elements("css selector", '.blk.rm[data-cleaner="drop_captions_and_credits"]')
    assert promo.is_displayed() and credits and not any(c.is_displayed() for c in credits)
    assert docs["d0"].is_displayed() and not docs["d1"].is_displayed() and not docs["d2"].is_displayed()
    assert browser.find_element("css selector", "#d0 .blk.kept").is_displayed()  # the kept text stays
    assert browser.find_element("id", "shown").text.startswith("1 of 3 documents shown")
    browser.save_screenshot(str(tmp_path / "filtered.png"))
    _select(browser, "f-cleaner", "")
    _select(browser, "f-rule", "drop_captions_and_credits")  # a removal without a rule id: its cleaner's name
    assert [d for d, el in docs.items() if el.is_displayed()] == ["d0", "d1"] and not promo.is_displayed()
    _select(browser, "f-rule", "")
    _select(browser, "f-lang", "de")
    assert [d for d, el in docs.items() if el.is_displayed()] == ["d1"]
    _select(browser, "f-lang", "")
    _select(browser, "f-site", "example.com")
    assert [d for d, el in docs.items() if el.is_displayed()] == ["d0", "d2"]
    _select(browser, "f-site", "")
    search = browser.find_element("id", "f-q")
    search.send_keys("TÜREN")  # case-insensitive, over the documents' text
    assert [d for d, el in docs.items() if el.is_displayed()] == ["d1"]
    search.clear()
    search.send_keys("\n")
    only = browser.find_element("id", "f-only")
    kept = browser.find_element("css selector", "#d0 .blk.kept")
    only.click()  # removed blocks only: the kept text goes, the removals stay
    assert not kept.is_displayed() and browser.find_element("css selector", "#d0 .blk.rm").is_displayed()
    only.click()
    assert kept.is_displayed()


def test_index_chart_filters_search_and_links(browser, review, tmp_path):
    _open(browser, review / "index.html")
    bars = browser.find_elements("css selector", "svg.chart g.bar")
    assert [b.get_attribute("data-cleaner") for b in bars] == ["drop_captions_and_credits", "drop_promos"]
    rows = lambda: [r.find_element("css selector", "a").text for r in browser.find_elements("css selector", "#rows tr")]  # noqa: E731
    assert rows() == ["harbour.json", "museum.json", "quiet.json"]  # the data block survived the hostile title
    bars[1].click()  # a bar of the chart picks its cleaner; clicked again, lets go
    assert browser.find_element("id", "f-cleaner").get_attribute("value") == "drop_promos"
    assert rows() == ["harbour.json"]
    bars[1].click()
    assert rows() == ["harbour.json", "museum.json", "quiet.json"]
    _select(browser, "f-cleaner", "drop_captions_and_credits")
    assert rows() == ["harbour.json", "museum.json"]
    _select(browser, "f-rule", "promos.cta.click")  # not a rule of that cleaner: hidden, so still all rules
    _select(browser, "f-cleaner", "drop_promos")
    assert rows() == ["harbour.json"]
    _select(browser, "f-cleaner", "")
    _select(browser, "f-rule", "")
    browser.find_element("id", "f-q").send_keys("museum")
    assert rows() == ["museum.json"]
    browser.save_screenshot(str(tmp_path / "index.png"))
    # a row opens its page at the document, with the index's filters
    from selenium.webdriver.support.ui import WebDriverWait

    link = browser.find_element("css selector", "#rows a")
    assert link.get_attribute("href").endswith("pages/000001.html?q=museum#d1")
    link.click()
    WebDriverWait(browser, 30).until(lambda b: "/pages/" in b.current_url)
    assert browser.current_url.endswith("pages/000001.html?q=museum#d1")
    assert browser.find_element("id", "f-q").get_attribute("value") == "museum"
    assert browser.find_element("id", "d1").is_displayed() and not browser.find_element("id", "d0").is_displayed()
