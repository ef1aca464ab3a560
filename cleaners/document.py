"""The data every cleaner sees (Block, Draft) and the canonical output (CleanDocument).

A ``Draft`` is immutable from a cleaner's point of view: ``remove`` and
``with_meta`` return a new draft. Nothing is ever deleted without a
``Removal`` saying which cleaner dropped it, what kind of boilerplate it was
and why, so every document can be explained and restored.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date
from typing import Annotated, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from .measures import Measures, measure
from .rules import RULES

SCHEMA_VERSION = "2.1"  # 2: Removal.rule, Stats.removed_by_rule; 2.1: optional warc_record_id, warc_date


def _absent(value) -> bool:
    return value is None


@dataclass(frozen=True, slots=True)
class Block:
    """The smallest unit a scraper emits: one line, or one rejoined hard-wrapped paragraph.

    ``group`` numbers runs of lines not separated by a blank line (a caption,
    its credit and a kicker printed together share a group). ``hints`` carry
    structural evidence from HTML (``caption``, ``heading``, ``list``...);
    text rules never depend on them being present. ``evidence`` is the page
    markup a block came from (HTML only, ``Evidence``), read by the feature pass.
    ``m`` is its measures, the record every cleaner reads (``measures.Measures``).
    """

    index: int
    text: str
    group: int = 0
    hints: frozenset[str] = frozenset()
    evidence: "Evidence | None" = None
    # the block's measures (``measures.Measures``: words, key, sentence end ...), taken
    # when the block is made and read by every cleaner; not part of the block's value
    m: Measures = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "m", measure(self.text))


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the page's markup says about one HTML block (``html.add_evidence``).

    ``tag``: the source element whose text is the block's ('' when none matched);
    ``link_share``: share of its characters inside links; ``words``: class/id
    tokens of the element and its close ancestors; ``inside``: landmark
    elements around it (figure, list, table, aside, nav, footer, header, form)."""

    tag: str = ""
    link_share: float = 0.0
    words: frozenset[str] = frozenset()
    inside: frozenset[str] = frozenset()
    depth: int = 0


class Removal(BaseModel):
    """One block taken out of the text, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cleaner: str = Field(description="name of the cleaner function that removed the block")
    kind: str = Field(description="family of boilerplate, e.g. caption, credit, promo, comments")
    rule: str = Field(description="stable id of the rule that fired, e.g. captions.credit.slash "
                                  "(counted per rule in run summaries; the catalogue is cleaners/rules.py)")
    reason: str = Field(description="a sentence a person can check")
    position: int = Field(description="index of the block in the segmented input")
    text: str = Field(description="the block's text, as segmented")


class Stats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    blocks_in: int = 0
    blocks_kept: int = 0
    blocks_removed: int = 0
    removed_by_cleaner: dict[str, int] = Field(default_factory=dict)
    removed_by_rule: dict[str, int] = Field(default_factory=dict)
    kept_by_model: dict[str, int] = Field(
        default_factory=dict, description="long prose paragraphs a shape rule would have removed and the "
                                          "block model rated clear body: kept, per rule id (cleaners/weigh.py)")
    chars_in: int = 0
    chars_kept: int = 0
    extraction: str | None = Field(
        default=None, description="how the blocks were obtained: text, trafilatura, fallback-text")
    encoding: str | None = Field(default=None, description="encoding the input bytes were decoded from")


class CleanDocument(BaseModel):
    """The canonical document: the contract with everyone downstream."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="sha256 of the canonical text, hex")
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published: date | None = None
    authors: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, description="ISO 639-1 code, detected or declared")
    site: str | None = Field(default=None, description="site name or registered domain, when known")
    warc_record_id: str | None = Field(default=None, exclude_if=_absent,
                                       description="WARC-Record-ID of the record the document came from (WARC input)")
    warc_date: str | None = Field(default=None, exclude_if=_absent,
                                  description="WARC-Date of that record, as written (ISO 8601)")
    text: str = Field(description="kept paragraphs joined by one blank line")
    removed: list[Removal] = Field(default_factory=list)
    stats: Stats = Field(default_factory=Stats)
    pipeline_version: str
    schema_version: str = SCHEMA_VERSION


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    url: str | None = None
    site: str | None = None


class Params(BaseModel):
    """Base of a cleaner's thresholds: one frozen, typed model next to each cleaner
    (``captions.CaptionParams`` ...), gathered in ``params.CleanerParams`` and set from
    the config's ``[params.<family>]`` tables. Unknown names are validation errors.
    Read as plain attributes (``draft.context.params.captions.max_credit_words``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @cached_property
    def content_hash(self) -> int:
        return hash((type(self), *(getattr(self, f) for f in type(self).model_fields)))

    def __hash__(self) -> int:
        # computed once: memoised measures take the params as an argument (pagetrim's
        # block classes), and pydantic's own hash rebuilds the tuple on every call
        return self.content_hash


Words = Annotated[int, Field(ge=0)]           # a length in words (textutil.word_count) or blocks
Share = Annotated[float, Field(ge=0, le=1)]   # a share of the text, of blocks or of words


def _default_params():
    from .params import DEFAULT_PARAMS  # import here: params.py imports every cleaner module

    return DEFAULT_PARAMS


@dataclass(frozen=True)
class Context:
    """Inputs a cleaner may read besides the blocks: never global state.

    ``phrases`` is a ``phrases.PhraseBook``; ``profile`` a site profile (or None);
    ``params`` the thresholds in force (``params.CleanerParams``).
    ``model`` the block model to score with (None: the shipped one, ``cleaners.model``;
    an evaluation hands in a cross-validation fold's); ``learned_threshold`` the
    configured (line, sentence) scores from which the learned cleaner removes (None:
    the model's own; ``config.LearnedSection.thresholds``); ``learned_only_after_rules``
    whether it acts only where the rules found boilerplate. ``memo`` holds what is
    computed once per document and read by several cleaners (the feature table
    of ``features.document_features``, the model's scores of ``learned.block_scores``);
    it never takes part in comparisons.
    """

    phrases: object = None
    profile: object = None
    params: object = field(default_factory=_default_params)
    # how the blocks were obtained (Stats.extraction): "text", "trafilatura" (an HTML
    # extractor already chose the main content), "fallback-text" (a page's visible text)
    extraction: str | None = None
    model: object = None
    learned_threshold: object = None
    learned_only_after_rules: bool = True
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Draft:
    """Blocks plus what has been decided about them so far."""

    blocks: tuple[Block, ...]
    removed: tuple[Removal, ...] = ()
    meta: Meta = field(default_factory=Meta)
    context: Context = field(default_factory=Context)
    # indices of blocks already removed, for O(1) liveness checks
    _dead: frozenset[int] = frozenset()
    # (rule, count): removals by shape the block model overruled (cleaners.weigh)
    kept_by_model: tuple[tuple[str, int], ...] = ()

    # -- reading -----------------------------------------------------------
    def live(self) -> list[Block]:
        """Blocks not yet removed, in order (a new list each call: the caller may change it).

        Computed once per draft: every cleaner asks, and most leave the draft as it was."""
        try:
            return list(self.__dict__["_live"])
        except KeyError:
            dead = self._dead
            live = tuple(b for b in self.blocks if b.index not in dead)
            object.__setattr__(self, "_live", live)  # a cache, not a field: equality and replace() ignore it
            return list(live)

    def is_live(self, index: int) -> bool:
        return index not in self._dead

    def __iter__(self) -> Iterator[Block]:
        return iter(self.live())

    # -- changing (returns a new draft) ------------------------------------
    def remove(self, blocks: Iterable[Block], cleaner: str, kind: str, reason: str, rule: str) -> "Draft":
        return self.remove_each(((b, kind, reason, rule) for b in blocks), cleaner)

    def remove_each(self, decisions: Iterable[tuple[Block, str, str, str]], cleaner: str) -> "Draft":
        """Remove several blocks, each with its own (kind, reason, rule id)."""
        dead = set(self._dead)
        rem = []
        for b, kind, reason, rule in decisions:
            if b.index in dead:
                continue
            if rule not in RULES:
                raise ValueError(f"{cleaner} records the unknown rule id {rule!r}: add it to cleaners/rules.py")
            dead.add(b.index)
            # built without validation: every field comes typed from a Block and the cleaner
            rem.append(Removal.model_construct(cleaner=cleaner, kind=kind, rule=rule, reason=reason,
                                               position=b.index, text=b.text))
        if not rem:
            return self
        return replace(self, removed=self.removed + tuple(rem), _dead=frozenset(dead))

    def with_meta(self, **changes) -> "Draft":
        return replace(self, meta=replace(self.meta, **changes))


def block_local(cleaner):
    """Declare that a cleaner finds everything it removes on a block's own evidence.

    Its verdict on a block depends only on that block (text, hints) and the
    draft's context (phrase book, profile), never on the other blocks, or it
    only removes blocks next to one it judged that way and always removes that
    one too (a caption above its credit, the headlines under "Most Read").
    Either way, once it has run, no later removal can give it anything new to
    find, so ``pipeline.run_chain`` runs it in the first pass only.
    tests/test_block_local.py checks the promise on every golden input."""
    cleaner.block_local = True
    return cleaner


def text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_json(doc: CleanDocument) -> str:
    """The canonical serialisation: same document, same bytes."""
    return doc.model_dump_json(indent=2) + "\n"


def json_schema() -> dict:
    return CleanDocument.model_json_schema()
