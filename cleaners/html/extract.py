"""Step 3 of the HTML path: trafilatura's article (body XML and page metadata) from the tree,
comments off and its process-global ``deduplicate`` off (our dedupe is per document)."""
from __future__ import annotations

DEFAULT_TIME_LIMIT = 20.0  # seconds per document for trafilatura; a normal page takes 0.01-0.5 s


def extract(tree, url: str | None):
    """trafilatura's document (body tree + metadata), or None when it finds no article."""
    import trafilatura

    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, deduplicate=False, with_metadata=True,
        include_tables=True, include_images=False, include_formatting=False, include_links=False,
        output_format="python", date_extraction_params=DATE_PARAMS)


# htmldate reads dates from the page's markup (meta tags, <time>, JSON-LD, URL). Its
# "extensive" search through free text runs dateparser over every locale (seconds per
# process to load them all) and may take a date from prose; the dateline cleaner already
# reads printed datelines, so that search stays off.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}
