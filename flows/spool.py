"""On-disk spools: what a run must go over again, kept in a temporary file instead of memory.

- ``BatchSpool``: the run's batches, each with its documents' sites, pickled one after
  the other. With site profiles, every document's site must be known before the first
  is cleaned; the batches are read twice more (profiling, then cleaning) from here, so
  the parent holds one batch at a time, never the whole plan.
- ``LineSpool``: this run's output paths in input order, for ``--jsonl``.

Both are anonymous temporary files (unlinked at once: a killed run leaves nothing behind).
"""
from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator


def _open(mode: str, dir: str | None, **kw):
    if dir is not None:
        os.makedirs(dir, exist_ok=True)
    return tempfile.TemporaryFile(mode, dir=dir, **kw)


class BatchSpool:
    def __init__(self, dir: str | None = None) -> None:
        self._f = _open("w+b", dir)
        self.count = 0

    def add(self, batch, sites: tuple) -> None:
        pickle.dump((batch, sites), self._f, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple]:
        """Every (batch, sites), in the order added; each pass reads the file from its start."""
        self._f.flush()
        pos = 0
        for _ in range(self.count):
            self._f.seek(pos)
            item = pickle.load(self._f)
            pos = self._f.tell()
            yield item

    def close(self) -> None:
        self._f.close()


class LineSpool:
    def __init__(self, dir: str | None = None) -> None:
        self._f = _open("w+", dir, encoding="utf-8", errors="surrogateescape")

    def add(self, line: str) -> None:
        self._f.write(line + "\n")

    def __iter__(self) -> Iterator[str]:
        self._f.flush()
        self._f.seek(0)
        for line in self._f:
            yield line[:-1]

    def close(self) -> None:
        self._f.close()
