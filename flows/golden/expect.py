"""A case's input cleaned as ``flows.clean`` cleans it, and the part of the document a golden keeps.

A golden keeps what a case is about: the kept text, every removal (cleaner, kind,
rule, reason, position, text) and the metadata (url,
title, published, authors, language, site). It drops what changes without a
decision changing: ``id`` (a hash of the text), ``source`` (where the case sits),
``stats`` (counts derived from the rest), ``pipeline_version`` and ``schema_version``.
A version bump therefore rewrites no golden.

Site profiles are not used: a profile is learned from a whole corpus, and a golden
pins what the chain and the config decide for one sample.
"""
from __future__ import annotations

import json

from cleaners import CleanDocument, clean_bytes, clean_html, load_config

from flows import records, worker
from flows.plan import Item

from .store import Case, GoldenError, Goldens

METADATA = ("url", "title", "published", "authors", "language", "site")
REMOVAL_FIELDS = ("cleaner", "kind", "rule", "reason", "position", "text")  # Removal's order


def removal_golden(r) -> dict:
    """One Removal as a golden keeps it: every field, the rule id included."""
    return {name: getattr(r, name) for name in REMOVAL_FIELDS}


def golden_of(doc: CleanDocument) -> dict:
    """The golden of a document: metadata, text, removals, in the CleanDocument's field order."""
    meta = json.loads(doc.model_dump_json(include=set(METADATA)))
    return {**{k: meta[k] for k in METADATA}, "text": doc.text,
            "removed": [removal_golden(r) for r in doc.removed]}


def dumps(golden: dict) -> str:
    """The canonical bytes of a golden (as text): same golden, same file."""
    return json.dumps(golden, ensure_ascii=False, indent=2) + "\n"


def config_for(goldens: Goldens, case: Case, override=None):
    """The rules a case is cleaned with: its case.toml ``config`` table, else ``override`` (a
    config path or Config given to check/accept), else the config kept with the goldens."""
    if "config" in case.options:
        return load_config(case.options["config"])
    if override is not None:
        return load_config(override)
    kept = goldens.config_file
    return load_config(str(kept)) if kept is not None else None


def clean_case(goldens: Goldens, case: Case, config=None) -> CleanDocument:
    """Clean a case's input through the entry points flows.clean uses for that kind of input."""
    data = case.input.read_bytes()
    source = f"{goldens.root.name}/{case.name}/{case.input.name}"
    url = case.options.get("url")
    if case.kind == "html":
        return clean_html(data, url=url, source=source, config=config)
    if case.kind == "text":
        return clean_bytes(data, url=url, source=source, config=config)
    recs = [r for r in records.parse_feed(data, "jsonl")]
    if len(recs) != 1:
        raise GoldenError(f"{case.input}: must hold exactly one feed record, not {len(recs)}")
    rec = recs[0]
    if isinstance(rec, records.InputError):
        raise GoldenError(f"{case.input}: {rec}")
    body = rec.html if rec.html is not None else rec.text
    item = Item(source=source, out=f"{case.name}.json", sha256=rec.sha256,
                kind="html" if rec.html is not None else "text", size=len(body),
                text=rec.text if rec.html is None else None, html=rec.html, url=rec.url or url, title=rec.title)
    return worker.clean_item(item, config)[0]


def record_input(record: Item) -> bytes:
    """A feed record's input.json: the fields the cleaners read, nothing else."""
    fields = {k: getattr(record, k) for k in ("url", "title", "text", "html") if getattr(record, k) is not None}
    return (json.dumps(fields, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
