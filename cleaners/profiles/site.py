"""Which site a document belongs to: the URL's registered domain, else its input sub-folder.

tldextract is used with its bundled public-suffix snapshot only
(``suffix_list_urls=()``, no cache directory): it never fetches.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlsplit

_EXTRACT = None


def _extractor():
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _EXTRACT


@lru_cache(maxsize=4096)
def registered_domain(url: str | None) -> str | None:
    """'https://www.bbc.co.uk/news/x' -> 'bbc.co.uk'; a host without a known public suffix
    (an IP, an intranet name) as itself, less a leading 'www.'."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}".lower()
    host = host.lower()
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def site_for(url: str | None = None, folder: str | None = None) -> str | None:
    """A document's site: the URL's registered domain when known, else ``folder`` (its input
    sub-folder, as the caller names it), else None (no site: no profile)."""
    return registered_domain(url) or (folder.strip("/") if folder and folder.strip("/") else None)


def profile_filename(site: str) -> str:
    """File name for a site's persisted profile, safe on every file system and reversible
    ('example.com' -> 'example.com.json', 'feeds/a b' -> 'feeds%2Fa%20b.json')."""
    name = quote(site, safe="")
    if name.startswith("."):
        name = "%2E" + name[1:]
    return name + ".json"
