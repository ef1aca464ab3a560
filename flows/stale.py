"""Stale outputs: documents in OUT whose input no longer exists (a deleted file, a record gone
from its feed), found from the manifest once a run has planned every input.

An output is stale when this run's inputs did not produce it and its manifest row's input
file is gone, or is a feed this run read to the end without meeting that record. Rows from
before the manifest recorded inputs, and outputs of inputs this run was not given but which
still exist (another folder cleaned into the same OUT), are never stale. ``prune`` removes
stale outputs and their rows; without it a run only counts them.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable


def find(rows: Iterable[tuple[str, str]], produced: Callable[[str], bool], feeds_read: set[str]) -> list[str]:
    """The stale outputs among manifest ``rows`` ((out, input) pairs); ``produced(out)``: this
    run's inputs give that output."""
    stale = []
    for out, path in rows:
        if produced(out):
            continue
        if path in feeds_read or not os.path.exists(path):
            stale.append(out)
    return stale


def prune(out_root: str, outs: list[str]) -> list[str]:
    """Remove these outputs (those already gone count as removed); returns them. Folders left
    empty are removed too, up to OUT."""
    root = os.path.abspath(out_root)
    for rel in outs:
        path = os.path.join(root, *rel.split("/"))
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        folder = os.path.dirname(path)
        while folder != root and folder.startswith(root + os.sep):
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = os.path.dirname(folder)
    return outs
