"""HTML for the review: Jinja2 templates shipped with the package, autoescaped.

Every piece of a document (text, reasons, rule ids, paths, URLs, titles) reaches the page
through Jinja's autoescaping (``& < > " '`` become entities, in text and attribute values
alike), the index's data through ``tojson`` (``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes,
so neither ``</script>`` nor ``<!--`` can end or bend the ``<script type="application/json">``
block), and the script adds text to the page only through ``textContent``. The pages' CSP
allows scripts from files beside them only: no inline script, nothing from the network.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import jinja2

from .documents import Shown

ASSETS = ("review.css", "review.js")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("flows.review", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    return env


def render(template: str, **context) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


def asset(name: str) -> bytes:
    return resources.files("flows.review").joinpath("static", name).read_bytes()


@lru_cache(maxsize=1)
def _chain() -> dict[str, int]:
    from cleaners import CLEANER_NAMES

    return {name: i for i, name in enumerate(CLEANER_NAMES)}


# dark enough to read as text on white, one per cleaner of the chain, in chain order (neighbours,
# which often remove blocks of the same page, never share a colour)
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#d45f00", "#8c564b", "#c2369b", "#0f8a96",
           "#7f7f7f", "#8a8b00", "#393b79", "#843c39", "#006d2c", "#7b4173", "#b8860b", "#e7298a",
           "#66a61e", "#5c5c8a", "#b15928", "#1b9e77", "#a0522d", "#2f4f4f", "#6a3d9a", "#a30059")


@lru_cache(maxsize=4096)
def colour(cleaner: str) -> str:
    """A cleaner's colour, the same on every page and every run: the chain's cleaners by their place
    in the chain; any other name one from its hash."""
    i = _chain().get(cleaner)
    if i is None:
        i = int.from_bytes(hashlib.blake2b(cleaner.encode("utf-8", "replace"), digest_size=2).digest(), "big")
    return PALETTE[i % len(PALETTE)]


def view(n: int, rel: str, doc: dict, shown: list[Shown]) -> dict:
    """What the document template reads of one document."""
    stats = doc.get("stats") if isinstance(doc.get("stats"), dict) else {}
    authors = doc.get("authors") if isinstance(doc.get("authors"), list) else []
    removed = sum(1 for b in shown if b.removed)
    return {
        "n": n, "path": rel, "title": _str(doc.get("title")), "source": _str(doc.get("source")),
        "url": _str(doc.get("url")), "site": _str(doc.get("site")), "lang": _str(doc.get("language")),
        "published": _str(doc.get("published")), "authors": [str(a) for a in authors],
        "extraction": _str(stats.get("extraction")), "kept": len(shown) - removed, "removed": removed,
        "blocks": shown, "colours": {b.cleaner: colour(b.cleaner) for b in shown if b.removed},
        "rules": {b.rule: rule_text(b.rule) for b in shown if b.removed},
    }


def rule_text(rule: str) -> str:
    """What the rule catalogue (``cleaners.rules``) says a rule id means; "" for ids it lacks
    (documents written before rule ids existed carry the cleaner's name instead)."""
    try:
        from cleaners.rules import RULES
    except ImportError:  # pragma: no cover - a cleaners package older than the catalogue
        return ""
    return RULES.get(rule, "")


def _str(v) -> str:
    return "" if v is None else str(v)
