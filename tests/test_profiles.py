"""Site profiles: fingerprints, counters, merge, persisted form, the learned decision and
the site_profile cleaner. Every site here is invented text."""
from __future__ import annotations

import random

import pytest

from cleaners import clean_text
from cleaners.profiles import (ProfileFormatError, SiteCounts, Thresholds, block_fingerprint,
                               document_fingerprint, learn, profile_filename, site_for)
from cleaners.segment import segment

WORDS = ("harbour council river budget school mayor ferry bridge market winter storm library "
         "teachers vote plan road farmers museum festival hospital nurses train station rain "
         "tenants landlord court judge appeal orchard bakery fishermen quay lighthouse").split()

# the copyright line last, as most sites print it: lines after a copyright line are the page's
# tail to the rules already (pagetrim.end-marker.lone), and FOOTER[1] must be the profile's to find
FOOTER = ["Tips? Write to the desk at gullstreet dot example", "Gull Street Gazette, 14 Pier Road",
          "© 2024 The Gull Street Gazette. All rights reserved."]
KICKERS = ["HARBOUR WATCH", "GULL STREET DIARY"]
DISCLAIMER = ("The Gull Street Gazette is an independent paper owned by its readers; opinions in "
              "letters and columns belong to their writers and not to the Gazette, which corrects "
              "errors of fact in print and online as soon as they are reported to the desk.")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def article(rng: random.Random, paras: int = 5) -> list[str]:
    return [" ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 4)))
            for _ in range(paras)]


def page(rng: random.Random, body: list[str], i: int) -> list[str]:
    head = [KICKERS[i % 2]] if i % 3 else []
    return head + body + [DISCLAIMER] + [f.replace("2024", str(2020 + i % 5)) for f in FOOTER]


def site_pages(n: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    return [page(rng, article(rng), i) for i in range(n)]


def counts_of(pages, site="gullstreet.example") -> SiteCounts:
    c = SiteCounts(site)
    for p in pages:
        c.add(p)
    return c


def clean(blocks, profile=None, **kw):
    return clean_text("\n\n".join(blocks), site="gullstreet.example", profile=profile, **kw)


# -- fingerprints ---------------------------------------------------------------------

def test_fingerprint_ignores_case_digits_punctuation_spacing():
    a = block_fingerprint("© 2024 The Gull Street Gazette. All rights reserved.")
    assert a == block_fingerprint("©2025 THE GULL STREET GAZETTE -- all rights   reserved")
    assert a != block_fingerprint("© 2024 The Gull Street Herald. All rights reserved.")


def test_fingerprint_is_stable_across_processes():
    # a fixed value: Python's salted hash() would differ between runs
    assert block_fingerprint("Harbour Watch") == "b25ac91d87350e08"
    assert block_fingerprint("Harbour Watch") == block_fingerprint("HARBOUR  WATCH!")


def test_blocks_without_letters_have_no_fingerprint():
    assert block_fingerprint("12") is None and block_fingerprint("* * *") is None


def test_document_fingerprint_keeps_digits():
    assert document_fingerprint(["Score was 3-1."]) != document_fingerprint(["Score was 2-1."])
    assert document_fingerprint(["Score was 3-1."]) == document_fingerprint(["score was 3 1"])


# -- the learned decision and the cleaner ---------------------------------------------

def test_learns_site_boilerplate_and_explains_each_removal():
    pages = site_pages(60)   # a long paragraph needs 50+ pages
    profile = learn(counts_of(pages))
    doc = clean(pages[4], profile)
    removed = {r.text: r for r in doc.removed if r.cleaner == "drop_site_boilerplate"}
    assert DISCLAIMER not in doc.text
    assert set(removed) >= {DISCLAIMER, KICKERS[0], FOOTER[0], FOOTER[1], FOOTER[2]}
    r = removed[FOOTER[1]]
    assert r.kind == "site-boilerplate"
    assert r.reason == "in 60 of 60 pages of gullstreet.example, mostly near the end"
    for para in pages[4][1:-4]:
        assert para in doc.text


def test_too_few_pages_learns_nothing():
    pages = site_pages(12)
    profile = learn(counts_of(pages))
    assert profile.documents == 12 and not profile.boilerplate
    assert clean(pages[3], profile) == clean(pages[3])


def test_no_profile_is_a_no_op_and_the_cleaner_can_be_switched_off():
    pages = site_pages(30)
    profile = learn(counts_of(pages))
    off = clean(pages[2], profile, config={"cleaners": {"disable": ["drop_site_boilerplate"]}})
    assert off.text == clean(pages[2]).text
    assert not any(r.cleaner == "drop_site_boilerplate" for r in off.removed)


def test_syndicated_copies_do_not_erase_the_article():
    rng = random.Random(7)
    pages = site_pages(40)
    wire = article(rng, 6) + ["Here is what we know so far:", "Officials would not comment."]
    # 30 near-copies (each with its own date line) and 5 exact copies of one wire story
    copies = [[f"Updated {d} March, 2024 at 0{d % 10}:00"] + wire + [DISCLAIMER] + FOOTER
              for d in range(30)]
    copies += [copies[0]] * 5
    counts = counts_of(pages + copies)
    assert counts.documents == 70  # the exact copies counted once
    profile = learn(counts)
    for para in wire:
        assert profile.match(para) is None, para
    doc = clean(copies[3], profile)
    for para in wire:
        assert para in doc.text
    assert DISCLAIMER not in doc.text and FOOTER[1] not in doc.text


def test_short_paragraph_site_with_long_furniture_still_learns():
    # one-sentence paragraphs between long boilerplate: the furniture is the longest text of
    # every page, and must not make every page look like the same article
    rng = random.Random(11)
    promo = ("Members of the Gull Street Gazette get the harbour almanac, the winter crossword book "
             "and early tickets to the autumn lecture series, all for the price of a coffee a week.")
    pages = [[DISCLAIMER] + [sentence(rng, rng.randint(6, 12)) for _ in range(rng.randint(4, 9))]
             + [promo, DISCLAIMER.upper()[:60], FOOTER[1]] for _ in range(60)]
    profile = learn(counts_of(pages))
    assert profile.match(promo) and profile.match(FOOTER[1]) and profile.match(DISCLAIMER)


def test_long_prose_needs_most_pages_not_a_series():
    rng = random.Random(3)
    background = ("The ferry dispute began three winters ago when the council sold the quay to a "
                  "private operator and the fishermen lost their moorings, a decision the court has "
                  "twice been asked to review by tenants and traders on the harbour.")
    pages = [article(rng) + ([background] if i % 3 == 0 else []) for i in range(90)]
    assert learn(counts_of(pages)).match(background) is None       # in a third of the pages: stays
    pages = [article(rng) + [background] for i in range(60)]
    assert learn(counts_of(pages)).match(background) is not None   # in every page: the site's


def test_thresholds_are_configurable():
    pages = site_pages(12)
    assert learn(counts_of(pages), Thresholds(min_documents=10)).boilerplate
    with pytest.raises(ValueError, match=r"min_docs\n  Extra inputs are not permitted"):
        Thresholds.from_mapping({"min_docs": 3})
    assert Thresholds.from_mapping({"min_documents": 50}).min_documents == 50
    with pytest.raises(ValueError, match="line_share\n  Input should be greater than 0"):
        Thresholds(line_share=0)
    with pytest.raises(ValueError, match="min_documents\n  Input should be greater than or equal to 1"):
        Thresholds(min_documents=0)


def test_thresholds_come_from_the_config_file():
    from cleaners import ConfigError, load_config

    cfg = load_config({"profiles": {"min_documents": 10, "line_share": 0.2}})
    assert cfg.profile_thresholds() == Thresholds(min_documents=10, line_share=0.2)
    assert load_config(None).profile_thresholds() == Thresholds()
    with pytest.raises(ConfigError, match="min_docs"):
        load_config({"profiles": {"min_docs": 10}})


# -- counters: merge, persistence, incremental runs -----------------------------------

def test_merge_equals_counting_in_one_go_whatever_the_batching():
    pages = site_pages(40)
    pages = pages + [pages[5], pages[30]]   # exact copies that land in other batches
    whole = counts_of(pages)
    for size in (1, 7, 13):
        batches = [counts_of(pages[i:i + size]) for i in range(0, len(pages), size)]
        merged = SiteCounts.merged("gullstreet.example", batches)
        assert merged.to_json() == whole.to_json(), size
        backwards = SiteCounts.merged("gullstreet.example", reversed(batches))
        assert backwards.to_json() == whole.to_json(), size


def test_persisted_form_round_trips_and_is_versioned():
    c = counts_of(site_pages(25)).compacted()
    text = c.to_json()
    assert '"format": "declutter-site-profile"' in text and '"version": 1' in text
    assert SiteCounts.from_json(text).to_json() == text
    assert learn(SiteCounts.from_json(text)).boilerplate == learn(c).boilerplate
    with pytest.raises(ProfileFormatError, match="version"):
        SiteCounts.from_json(text.replace('"version": 1', '"version": 99'))
    with pytest.raises(ProfileFormatError):
        SiteCounts.from_json("{}")


def test_compacted_drops_one_off_paragraphs():
    c = counts_of(site_pages(25)).compacted()
    assert all(b.docs >= 2 for b in c.blocks.values())
    assert len(c.blocks) < 12


def test_incremental_runs_count_each_body_once():
    pages = site_pages(50)
    first = counts_of(pages[:30]).compacted()
    stored = SiteCounts.from_json(first.to_json())
    # the next run sees everything again plus 20 new pages
    second = SiteCounts.from_json(first.to_json()).merge(counts_of(pages))
    assert second.documents == 50
    assert learn(second).boilerplate.keys() == learn(counts_of(pages)).boilerplate.keys()
    fp = block_fingerprint(FOOTER[1])
    assert second.blocks[fp].docs == 50 and stored.blocks[fp].docs == 30


def test_same_inputs_and_profile_give_identical_documents():
    pages = site_pages(30)
    p1 = learn(SiteCounts.from_json(counts_of(pages).compacted().to_json()))
    p2 = learn(counts_of(list(reversed(pages))))
    from cleaners.document import to_json
    assert to_json(clean(pages[9], p1)) == to_json(clean(pages[9], p2))


def test_counts_blocks_as_segmented():
    # the flow counts what the cleaner will see: segment() output
    raw = "HARBOUR WATCH\n\nA short report.\n"
    assert [b.text for b in segment(raw)] == ["HARBOUR WATCH", "A short report."]


# -- sites --------------------------------------------------------------------------

def test_site_is_the_registered_domain_else_the_folder():
    assert site_for("https://www.news.example.co.uk/a/b?c=1") == "example.co.uk"
    assert site_for("https://WWW.Gull-Street.com/x") == "gull-street.com"
    assert site_for(None, "feeds/gull") == "feeds/gull"
    assert site_for("not a url", "gull") == "gull"
    assert site_for(None, None) is None
    assert site_for("http://www.intranet.example/x") == "intranet.example"
    assert site_for("http://10.0.0.7:8080/x") == "10.0.0.7"
    assert profile_filename("example.com") == "example.com.json"
    assert profile_filename("feeds/gull") == "feeds%2Fgull.json"
    assert profile_filename("..") == "%2E..json"


# -- recurring structure inside the body is content (issue 13) ------------------------

RECIPE_SITES = {
    "en": ("Ingredients", "Method", "Our verdict", "Share this recipe", "© Example Kitchen. All recipes tested at home."),
    "de": ("Zutaten", "Zubereitung", "Unser Fazit", "Rezept teilen", "© Beispielküche. Alle Rezepte zu Hause getestet."),
}


def recipe_pages(lang: str, n: int = 30, seed: int = 3) -> list[list[str]]:
    ingredients, method, verdict, share, footer = RECIPE_SITES[lang]
    rng = random.Random(seed)
    pages = []
    for i in range(n):
        body = article(rng, 4)
        items = [f"{rng.randint(1, 9)} {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)]
        pages.append([body[0], ingredients, *items, method, body[1], body[2], verdict, body[3], share, footer])
    return pages


@pytest.mark.parametrize("lang", sorted(RECIPE_SITES))
def test_recurring_section_headings_inside_the_body_stay(lang):
    """A site's own headings ("Ingredients", "Zutaten") recur on every page between real
    paragraphs: the profile learns them, but they open the body's sections and stay,
    while the site's share row and footer, which recur too, go."""
    ingredients, method, verdict, share, footer = RECIPE_SITES[lang]
    pages = recipe_pages(lang)
    profile = learn(counts_of(pages, site="kitchen.example"))
    assert profile.match(ingredients) is not None and profile.match(footer) is not None
    page = pages[5]
    doc = clean_text("\n\n".join(page), site="kitchen.example", profile=profile)
    for heading in (ingredients, method, verdict):
        assert heading in doc.text.split("\n\n"), heading
    gone = {r.text for r in doc.removed if r.rule == "profile.site"}
    assert footer in gone
    assert share not in doc.text
    for para in (page[0], page[7], page[8]):
        assert para in doc.text
