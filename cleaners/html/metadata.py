"""Page metadata for the document: title, date, authors, site and canonical URL from
trafilatura/htmldate, the language from ``<html lang>`` and its meta tags."""
from __future__ import annotations

from datetime import date

import regex

from ..profiles.site import registered_domain

_LANG = regex.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)*$", regex.I)


def page_language(tree) -> str | None:
    """ISO 639-1 code declared by <html lang>, content-language or og:locale."""
    candidates = [tree.get("lang"), tree.get("xml:lang")]
    for meta in tree.iterfind(".//meta"):
        name = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if name in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for c in candidates:
        m = _LANG.match((c or "").strip())
        if m:
            return m.group(1).lower()
    return None


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def page_metadata(tree, doc, url: str | None) -> dict:
    title = published = sitename = canonical = None
    authors: tuple[str, ...] = ()
    if doc is not None:
        title = (doc.title or "").strip() or None
        published = _iso_date(doc.date)
        authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
        sitename = (doc.sitename or "").strip() or None
        canonical = doc.url or None
    page_url = url or canonical
    return {"title": title, "published": published, "authors": authors, "language": page_language(tree),
            "url": page_url, "site": registered_domain(page_url) or sitename or None}
