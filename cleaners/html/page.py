"""One HTML page through the steps: decode, parse, extract (under a time limit), blocks,
hints (and evidence when the block model is on), or the visible-text fallback; then the
text chain (``pipeline.clean_blocks``)."""
from __future__ import annotations

from ..config import load_config
from ..deadline import DeadlineExceeded, time_limit
from ..document import Block, CleanDocument
from ..pipeline import clean_blocks
from ..segment import normalise, split_blocks
from .blocks import _units, blocks_from_units
from .decode import decode_html
from .evidence import add_evidence
from .extract import DEFAULT_TIME_LIMIT, extract
from .fallback import stream_text, visible_text
from .hints import add_hints, collect_hints
from .metadata import page_metadata
from .parse import parse_html


def clean_html(html: bytes | str, *, url: str | None = None, source: str | None = None, config=None,
               content_type: str | None = None, time_limit_s: float | None = DEFAULT_TIME_LIMIT,
               profile=None, model=None, **kw) -> CleanDocument:
    """Clean one HTML page into a CleanDocument (see the module docstring for the steps).

    ``content_type`` is the HTTP header, if the caller kept it (its charset wins
    over the page's <meta>); ``time_limit_s`` bounds trafilatura (None: no limit);
    ``model`` overrides the shipped block model (``pipeline.clean_blocks``).
    Raises ``segment.UndecodableInput`` for binary input."""
    if kw:
        raise TypeError(f"clean_html() got unexpected keyword argument(s): {', '.join(sorted(kw))}")
    # the page markup's evidence per block feeds only the block model's features: read it only
    # when the model is on (measured: ~25% of clean_html's own time otherwise spent for nothing)
    cfg = load_config(config)  # once: clean_blocks takes the Config as it is
    evidence = model is not None or cfg.learned.enabled
    blocks, meta, stats = html_blocks(html, url=url, content_type=content_type, time_limit_s=time_limit_s,
                                      evidence=evidence)
    return clean_blocks(blocks, source=source, config=cfg, profile=profile, model=model, stats=stats,
                        **meta)


def html_blocks(html: bytes | str, *, url: str | None = None, content_type: str | None = None,
                time_limit_s: float | None = DEFAULT_TIME_LIMIT, evidence: bool = True
                ) -> tuple[list[Block], dict, dict]:
    """(blocks, page metadata, stats): exactly what ``clean_html`` hands the chain
    (also read by the model's training script, train/, and the profiling stage's peers);
    ``evidence``: give each block its page markup's ``Block.evidence`` (the model's features)."""
    text, encoding = decode_html(html, content_type)
    tree = parse_html(text)
    stats: dict = {"encoding": encoding}
    if tree is None:
        return [], {"url": url}, {**stats, "extraction": "empty"}
    doc = None
    how = "trafilatura"
    try:
        with time_limit(time_limit_s):
            doc = extract(tree, url)
    except DeadlineExceeded:
        how = "fallback-text-timeout"
    except RecursionError:
        how = "fallback-text-error"
    meta = page_metadata(tree, doc, url)
    blocks: list[Block] = []
    if doc is not None and doc.body is not None:
        blocks = blocks_from_units(_units(doc.body))
    if blocks:
        blocks = add_hints(blocks, collect_hints(tree, sum(len(b.text) for b in blocks)))
        if evidence:
            blocks = add_evidence(blocks, tree)
    else:
        blocks = split_blocks(normalise(visible_text(tree)))
        if not blocks:
            blocks = split_blocks(normalise(stream_text(text)))
        if how == "trafilatura":
            how = "fallback-text" if blocks else "empty"
    stats["extraction"] = how
    return blocks, meta, stats
