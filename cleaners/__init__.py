"""declutter's cleaners: raw scraped articles in, canonical documents out.

Pure Python, no Prefect. The public entry points:

    from cleaners import clean_text, clean_bytes, clean_html
    doc = clean_text(raw)        # -> CleanDocument
    doc.text, doc.removed        # the article, and every removal with its reason
"""
from __future__ import annotations

__version__ = "0.6.4"

from .config import Config, ConfigError, load_config  # noqa: E402
from .document import Block, CleanDocument, Draft, Removal  # noqa: E402
from .pipeline import CLEANER_NAMES, clean_bytes, clean_text, pipeline_version  # noqa: E402
from .segment import UndecodableInput  # noqa: E402


def clean_html(html, *, url=None, source=None, config=None, **kw):  # model=: see pipeline.clean_blocks
    """HTML in: extraction through trafilatura, then the same cleaner chain."""
    from .html import clean_html as _clean_html

    return _clean_html(html, url=url, source=source, config=config, **kw)


__all__ = ["clean_text", "clean_bytes", "clean_html", "CleanDocument", "Removal", "Block", "Draft",
           "Config", "ConfigError", "load_config", "UndecodableInput", "CLEANER_NAMES", "__version__",
           "pipeline_version"]
