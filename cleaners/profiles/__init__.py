"""Site profiles: learn each site's boilerplate from its own pages.

    from cleaners.profiles import SiteCounts, learn, site_for
    counts = SiteCounts("example.com")
    for blocks in pages:                      # block texts of each page, in order
        counts.add(blocks)
    profile = learn(counts)                   # -> SiteProfile (Thresholds configurable)
    clean_text(raw, site="example.com", profile=profile)

Pure: no I/O here. The flow persists ``counts.compacted().to_json()`` as
``OUT/_profiles/<site>.json`` and merges new counters into it on later runs.
"""
from __future__ import annotations

from .counts import FORMAT, VERSION, ProfileFormatError, SiteCounts
from .fingerprint import block_fingerprint, document_fingerprint, normalise
from .learn import Boilerplate, SiteProfile, Thresholds, learn
from .site import profile_filename, registered_domain, site_for

__all__ = ["SiteCounts", "SiteProfile", "Thresholds", "Boilerplate", "learn", "site_for",
           "registered_domain", "profile_filename", "block_fingerprint", "document_fingerprint",
           "normalise", "ProfileFormatError", "FORMAT", "VERSION"]
