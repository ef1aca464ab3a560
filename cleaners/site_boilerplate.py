"""Site boilerplate: blocks a site's own pages show to be its boilerplate (family `site_profile`).

The profile (``profiles.SiteProfile``) is an input, read from
``draft.context.profile``; without one this cleaner changes nothing. A block is
removed when its fingerprint (case, digits, punctuation and spacing ignored) is
one the profile learned, and the reason says how often the site prints it, e.g.
"in 143 of 150 pages of example.com, mostly near the end".

Recurring is not the same as boilerplate: a recipe site prints "Ingredients" and
"Method", a review site "Our verdict", a news site "Key facts" on every page, each
between real paragraphs and each opening a part of the article. A recurring line
shaped like a heading that stands inside the body (prose before it, prose after it)
and opens text the site does not repeat is the article's structure, and stays. The
site's other furniture that stands mid-article ("Advertisement", "Read more") is
still caught by its phrase family later in the chain.
"""
from __future__ import annotations

from .document import Block, Draft, Params, Words


class SiteProfileParams(Params):
    """Thresholds of ``drop_site_boilerplate`` (config: ``[params.site_profile]``); what a site's
    profile learns is set by ``[profiles]`` (``profiles.Thresholds``)."""

    heading_max_words: Words = 6  # a recurring section heading: "Key facts", "What you need to know"
    prose_words: Words = 12       # a paragraph of the body around it


def _prose(b: Block, p: SiteProfileParams) -> bool:
    return b.m.words >= p.prose_words and b.m.ends


def _opens_body_section(live: list[Block], i: int, hits: set[int], p: SiteProfileParams) -> bool:
    """A heading-shaped block with prose before it and after it, followed by a block
    the site does not repeat (the section's own text: a paragraph, an ingredient)."""
    b = live[i]
    if not (0 < b.m.words <= p.heading_max_words) or b.m.ends or i + 1 >= len(live):
        return False
    if live[i + 1].index in hits:
        return False
    return any(_prose(x, p) for x in live[:i]) and any(_prose(x, p) for x in live[i + 1:])


def drop_site_boilerplate(draft: Draft) -> Draft:
    """Blocks the site's profile learned as its boilerplate (no-op without a profile),
    except the site's recurring section headings inside the body. Not block_local: a
    heading's verdict reads its neighbours."""
    profile = draft.context.profile
    if profile is None or not profile.boilerplate:
        return draft
    p: SiteProfileParams = draft.context.params.site_profile
    live = draft.live()
    found = {}
    for i, b in enumerate(live):
        hit = profile.match(b.text)
        if hit is not None:
            found[i] = hit
    hits = {live[i].index for i in found}
    decisions = [(live[i], "site-boilerplate", profile.reason(hit), "profile.site")
                 for i, hit in found.items() if not _opens_body_section(live, i, hits, p)]
    return draft.remove_each(decisions, "drop_site_boilerplate")
