"""Items -> batches, in input order: what one Prefect task (one worker call) cleans.

Hundreds of documents or a byte budget, whichever comes first, and at least a few
batches per worker so the workers finish together (``iter_batches``).
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .plan import Item


@dataclass(frozen=True, slots=True)
class Batch:
    index: int
    items: tuple[Item, ...]

    @property
    def size(self) -> int:
        return sum(i.size for i in self.items)


def batches(items: list[Item], *, workers: int = 1, max_docs: int = 250, min_docs: int = 25,
            max_bytes: int = 16 * 1024 * 1024) -> list[Batch]:
    """``iter_batches``, all at once."""
    return list(iter_batches(items, workers=workers, max_docs=max_docs, min_docs=min_docs, max_bytes=max_bytes))


def iter_batches(items: Iterable[Item], *, workers: int = 1, max_docs: int = 250, min_docs: int = 25,
                 max_bytes: int = 16 * 1024 * 1024) -> Iterator[Batch]:
    """Cut items into batches, in input order: at most max_docs documents or max_bytes, about 4 per
    worker. With several workers the batches shrink towards the end (each at most 1/(2 x workers)
    of the documents not yet batched, down to a quarter of a full batch or min_docs), so the
    workers run out of work together instead of one finishing a full last batch while the others
    wait; not further down, since every task costs the parent and the API server (~0.1 s of CPU
    measured, on the cores the workers use).

    Lazy: it reads at most ``4 x workers x max_docs`` items ahead. That is all the sizes need:
    a run that long has full batches until its end comes into view, and once the items run
    out the rest is known exactly, so the batches are those of knowing every item from the start."""
    w = max(1, workers)
    it = iter(items)
    ahead: deque[Item] = deque()
    window = 4 * w * max_docs
    exhausted = False

    def fill() -> None:
        nonlocal exhausted
        while not exhausted and len(ahead) < window:
            nxt = next(it, None)
            if nxt is None:
                exhausted = True
            else:
                ahead.append(nxt)

    fill()
    known = len(ahead) if exhausted else None  # every item, when they fit in the window
    per = max_docs if known is None else min(max_docs, max(min_docs, math.ceil(known / (w * 4))))
    tail = max(min_docs, per // 4)
    index = 0
    while True:
        fill()
        if not ahead:
            return
        # not exhausted: at least ``window`` items are left, and the limit is a full batch
        limit = per if w == 1 else min(per, max(tail, math.ceil(len(ahead) / (2 * w))))
        first = ahead.popleft()
        cur, size = [first], first.size
        while len(cur) < limit:
            if not ahead:
                fill()
                if not ahead:
                    break
            if size + ahead[0].size > max_bytes:
                break
            nxt = ahead.popleft()
            cur.append(nxt)
            size += nxt.size
        yield Batch(index, tuple(cur))
        index += 1
