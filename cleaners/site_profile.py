"""The site_profile cleaner: blocks a site's own pages show to be its boilerplate.

The profile (``profiles.SiteProfile``) is an input, read from
``draft.context.profile``; without one this cleaner changes nothing. A block is
removed when its fingerprint (case, digits, punctuation and spacing ignored) is
one the profile learned, and the reason says how often the site prints it, e.g.
"in 143 of 150 pages of example.com, mostly near the end".
"""
from __future__ import annotations

from .document import Draft, block_local


@block_local
def drop_site_boilerplate(draft: Draft) -> Draft:
    """Blocks the site's profile learned as its boilerplate (no-op without a profile)."""
    profile = draft.context.profile
    if profile is None or not profile.boilerplate:
        return draft
    decisions = []
    for b in draft.live():
        hit = profile.match(b.text)
        if hit is not None:
            decisions.append((b, "site-boilerplate", profile.reason(hit), "profile.site"))
    return draft.remove_each(decisions, "drop_site_boilerplate")
