"""The ordered default chain, and the public entry points clean_text / clean_bytes.

Order matters and is declared here once:
1. language first (the page trimmer reads its stoplist);
2. metadata (dateline, byline) before anything could mistake it for chrome;
   then the site's learned boilerplate (a no-op without a profile), before the
   phrase families, so their counts are about what the profile did not know;
3. the comment section before the page trimmer, so comments never pass for body;
4. line-level families (captions, promos, furniture) before the page trimmer,
   so the body's edges are found among what is left;
5. duplicates after the noise is gone; the title from the clean head;
6. the block model last (``learned.drop_learned_boilerplate``): it judges what
   the exact rules left, with their removals already explained by name; after the
   title, so the headline is taken as the title and never as boilerplate (the
   truths the model learned from hold no headline). Its scores come from the whole
   segmented document, so its place in the chain changes no verdict of its own.
Configuration switches cleaners off; it never reorders them.
"""
from __future__ import annotations

from typing import Callable, Mapping

from . import __version__
from .captions import drop_captions_and_credits
from .comments import drop_comment_form, drop_comment_section
from .config import Config, load_config
from .contents import drop_table_of_contents
from .dedupe import drop_repeated_paragraphs
from .document import Block, CleanDocument, Context, Draft, Meta, Stats, text_id
from .furniture import (drop_ad_labels, drop_author_bios, drop_cookie_notices, drop_copyright_lines,
                        drop_disclosure_notes, drop_headline_lists, drop_newsletter_prompts,
                        drop_share_buttons, drop_tag_lines)
from .language import detect_language
from .dateline import extract_dateline_and_byline
from .interface_labels import drop_interface_labels
from .page_trim import trim_page_chrome
from .learned import drop_learned_boilerplate
from .marked_boxes import drop_marked_boxes
from .weigh import keep_clear_body
from .phrases import build_book
from .promos import drop_allcaps_headlines, drop_promos
from .segment import decode_bytes, segment
from .site_boilerplate import drop_site_boilerplate
from .title import extract_title

Cleaner = Callable[[Draft], Draft]


def detect_document_language(draft: Draft) -> Draft:
    """Fill ``language`` (unless declared) from the text's script and stopwords."""
    if draft.meta.language:
        return draft
    text = "\n".join(b.text for b in draft.blocks)
    return draft.with_meta(language=detect_language(text, draft.context.phrases.languages))


DEFAULT_CHAIN: tuple[Cleaner, ...] = (
    detect_document_language,
    extract_dateline_and_byline,
    drop_site_boilerplate,
    drop_comment_section,
    drop_comment_form,
    drop_captions_and_credits,
    drop_marked_boxes,
    drop_promos,
    drop_allcaps_headlines,
    drop_newsletter_prompts,
    drop_share_buttons,
    drop_ad_labels,
    drop_cookie_notices,
    drop_copyright_lines,
    drop_disclosure_notes,
    drop_tag_lines,
    drop_headline_lists,
    drop_table_of_contents,
    drop_interface_labels,
    trim_page_chrome,
    drop_repeated_paragraphs,
    drop_author_bios,
    extract_title,
    drop_learned_boilerplate,
)
CLEANER_NAMES: tuple[str, ...] = tuple(c.__name__ for c in DEFAULT_CHAIN)


MAX_PASSES = 3


def run_chain(draft: Draft, disabled: frozenset[str] = frozenset()) -> Draft:
    """Run the chain until a pass removes nothing more (at most MAX_PASSES).

    Some cleaners judge a block by its live neighbours (the page trimmer's
    body anchors, the head window of the dateline search); a removal by a
    later cleaner moves that window. Repeating the chain until nothing changes
    makes the result a fixed point, so cleaning the clean text again changes
    nothing. Almost every document stops after the second pass, and that pass
    only reruns the cleaners that look at neighbours: a ``block_local`` cleaner
    has nothing left to find after its first run (document.block_local)."""
    chain = [c for c in DEFAULT_CHAIN if c.__name__ not in disabled]
    again = [c for c in chain if not getattr(c, "block_local", False)]
    weigh = "drop_learned_boilerplate" not in disabled  # rules and model together (cleaners.weigh)
    # A cleaner is a pure function of the draft: one that changed nothing when it last ran
    # changes nothing on the same draft again (e.g. dedupe in the second pass when nothing
    # was removed after its first run). ``idle[name]`` is the draft it last left unchanged.
    idle: dict[str, Draft] = {}
    for _ in range(MAX_PASSES):
        before = len(draft.removed)
        for cleaner in chain:
            name = cleaner.__name__
            last = idle.get(name)
            if last is not None and _same(last, draft):
                continue
            after = cleaner(draft)
            draft_before = draft
            draft = keep_clear_body(draft, after) if weigh and after is not draft else after
            if _same(draft_before, draft):
                idle[name] = draft
            else:
                idle.pop(name, None)
        if len(draft.removed) == before:
            break
        chain = again
    return draft


def _same(a: Draft, b: Draft) -> bool:
    """The same draft for a cleaner: it reads nothing else (``memo`` is per document
    and only caches what the draft determines). The tuples only grow, so identity of
    ``removed`` is the cheap common case; equality is the fallback."""
    return (a is b or a.blocks is b.blocks and (a.removed is b.removed or a.removed == b.removed)
            and a.meta == b.meta and a.context is b.context and a._dead == b._dead
            and a.kept_by_model == b.kept_by_model)


def clean_blocks(blocks: list[Block], *, source: str | None = None, url: str | None = None,
                 title: str | None = None, language: str | None = None, site: str | None = None,
                 published=None, authors: tuple[str, ...] = (), config=None, profile=None,
                 model=None, stats: Mapping | None = None) -> CleanDocument:
    """Run the chain over already-segmented blocks (the text and HTML paths meet here).

    ``model`` overrides the shipped block model (``cleaners.model.BlockModel``; an
    evaluation hands in the fold model that never saw the page's site)."""
    cfg: Config = load_config(config)
    disabled, extra = cfg.for_site(site)
    if not cfg.learned.enabled:
        disabled = disabled | {"drop_learned_boilerplate"}
    ctx = Context(phrases=build_book(extra), profile=profile, params=cfg.params_for(site), model=model,
                  extraction=(stats or {}).get("extraction"),
                  learned_threshold=cfg.learned.thresholds(),
                  learned_only_after_rules=cfg.learned.only_after_rules)
    meta = Meta(title=title or None, published=published, authors=tuple(authors), language=language,
                url=url, site=site)
    draft = run_chain(Draft(blocks=tuple(blocks), meta=meta, context=ctx), disabled)
    return assemble(draft, source=source, stats=stats or {})


def assemble(draft: Draft, *, source: str | None, stats: Mapping) -> CleanDocument:
    kept = draft.live()
    text = "\n\n".join(b.text for b in kept)
    removed = sorted(draft.removed, key=lambda r: r.position)
    by_cleaner: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for r in removed:
        by_cleaner[r.cleaner] = by_cleaner.get(r.cleaner, 0) + 1
        by_rule[r.rule] = by_rule.get(r.rule, 0) + 1
    m = draft.meta
    return CleanDocument(
        id=text_id(text), source=source, url=m.url, title=m.title, published=m.published,
        authors=list(m.authors), language=m.language, site=m.site, text=text, removed=removed,
        stats=Stats(blocks_in=len(draft.blocks), blocks_kept=len(kept), blocks_removed=len(removed),
                    removed_by_cleaner=dict(sorted(by_cleaner.items())),
                    removed_by_rule=dict(sorted(by_rule.items())),
                    kept_by_model=dict(draft.kept_by_model),
                    # measured alike (blocks joined as the text joins them): kept <= in
                    chars_in=len("\n\n".join(b.text for b in draft.blocks)), chars_kept=len(text), **stats),
        pipeline_version=pipeline_version(draft.context.model),
    )


def pipeline_version(model=None) -> str:
    """The package version and the block model's version: a new model re-cleans every
    document as a change of the rules does (``flows`` compare it per document)."""
    from .model import shipped

    m = model or shipped()
    return f"{__version__}+model.{m.version}" if m is not None else __version__


def clean_text(text: str, *, source: str | None = None, config=None, url: str | None = None,
               title: str | None = None, site: str | None = None, language: str | None = None,
               profile=None, model=None, _stats: Mapping | None = None) -> CleanDocument:
    """Clean one article's raw text into a CleanDocument."""
    if not isinstance(text, str):
        raise TypeError(f"clean_text() takes str, not {type(text).__name__}; use clean_bytes() for bytes")
    return clean_blocks(segment(text), source=source, url=url, title=title, site=site, language=language,
                        config=config, profile=profile, model=model,
                        stats={"extraction": "text", **(_stats or {})})


def clean_bytes(data: bytes, *, source: str | None = None, config=None, url: str | None = None,
                title: str | None = None, site: str | None = None, language: str | None = None,
                profile=None, model=None) -> CleanDocument:
    """Decode undecoded input (BOM, UTF-16, legacy code pages) and clean it.

    Raises ``segment.UndecodableInput`` for binary data."""
    text, encoding = decode_bytes(bytes(data))
    return clean_text(text, source=source, config=config, url=url, title=title, site=site,
                      language=language, profile=profile, model=model, _stats={"encoding": encoding})
