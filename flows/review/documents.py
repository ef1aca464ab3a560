"""The review's reading side: which documents OUT holds, in which order, and each one's blocks.

Plain Python over the documents' JSON (never a ``CleanDocument`` model: the review
must show what is on disk, written by this version or an older one, with or without
a ``rule`` on its removals).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterator

from flows.output import RESERVED

REVIEW_DIR = "_review"


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 3x, and there is one per block
class Shown:
    """One block as the review shows it: kept, or removed with who removed it and why."""

    text: str
    removed: bool = False
    cleaner: str = ""
    rule: str = ""
    kind: str = ""
    reason: str = ""
    position: int = -1


def rule_of(rec: dict) -> str:
    """A removal's rule id; documents written before removals had one fall back to the cleaner."""
    return rec.get("rule") or rec.get("cleaner") or "?"


def blocks(doc: dict) -> list[Shown]:
    """The document's blocks in reading order, kept and removed interleaved.

    ``removed[].position`` is the block's index in the segmented input; the kept blocks are
    the text split on blank lines (``pipeline.assemble`` joins them with one), in order, and
    fill the positions no removal holds (as ``flows.site_profiles.texts_of``). A kept block that
    itself held a blank line (a code listing) splits into two pieces here; the walk below
    then still places every removal and every piece, in order, nothing dropped."""
    removed = sorted((r for r in doc.get("removed") or () if isinstance(r, dict)),
                     key=lambda r: r.get("position", 0) if isinstance(r.get("position"), int) else 0)
    text = doc.get("text") or ""
    kept = text.split("\n\n") if text else []
    out: list[Shown] = []
    ri = ki = pos = 0
    while ri < len(removed) or ki < len(kept):
        r = removed[ri] if ri < len(removed) else None
        if r is not None and (ki >= len(kept) or _position(r) <= pos):
            out.append(Shown(text=str(r.get("text", "")), removed=True, cleaner=str(r.get("cleaner", "?")),
                             rule=str(rule_of(r)), kind=str(r.get("kind", "")), reason=str(r.get("reason", "")),
                             position=_position(r)))
            ri += 1
        else:
            out.append(Shown(text=kept[ki], position=pos))
            ki += 1
        pos += 1
    return out


def _position(r: dict) -> int:
    p = r.get("position")
    return p if isinstance(p, int) else 0


def iter_documents(out_root: str) -> Iterator[tuple[str, str]]:
    """``(relative path, absolute path)`` of every document JSON under OUT, in the order of
    sorting every relative path (a folder sorts as ``name/``, as ``flows.discover`` walks
    inputs), one directory listing at a time; declutter's own folders and hidden names skipped."""
    root = os.path.abspath(out_root)

    def walk(folder: str, rel: str) -> Iterator[tuple[str, str]]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        keyed = []
        for e in entries:
            if e.name.startswith("."):
                continue
            if not rel and (e.name in RESERVED or e.name == REVIEW_DIR):
                continue
            try:
                is_dir = e.is_dir(follow_symlinks=False)
                is_file = e.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                keyed.append((e.name + "/", e, True))
            elif is_file and e.name.endswith(".json"):
                keyed.append((e.name, e, False))
        for key, e, is_dir in sorted(keyed, key=lambda k: k[0]):
            sub = f"{rel}{e.name}"
            if is_dir:
                yield from walk(e.path, sub + "/")
            else:
                yield sub, e.path

    yield from walk(root, "")


class NotADocument(ValueError):
    pass


def load(path: str) -> dict:
    """One document's JSON, checked only for the shape the review reads."""
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except (OSError, ValueError) as exc:
        raise NotADocument(f"{type(exc).__name__}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or not isinstance(doc.get("removed", []), list):
        raise NotADocument("not a CleanDocument (no text, or removed is not a list)")
    return doc
