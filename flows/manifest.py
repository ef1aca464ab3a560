"""The incremental-run manifest: which input produced each output, under which pipeline and config.

A sidecar SQLite file, ``OUT/_state/manifest.sqlite``, so the CleanDocument
contract stays untouched. One row per output path: the source, the sha256 of
the input bytes (a file, or one feed record), ``pipeline_version`` and a
fingerprint of the configuration, and (for a file) the size, mtime and ctime it
had when it was read. A document is skipped when its row matches and its output
file still exists: a file whose stat is unchanged without even being read (ctime
cannot be set back by a program, so an edit that restores the mtime is still
seen), any other by its sha256.

Only the flow's parent process writes it, one transaction per finished batch,
after that batch's outputs are on disk: a run killed in between loses at
most the rows of unfinished batches, and those documents are simply redone.
Refreshed stats (touched but unchanged files) are buffered and written 1,000
at a time: a killed run loses some, and those files are read once more.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS outputs (
    out TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    config TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    ctime_ns INTEGER,
    input TEXT
)
"""
# what the input file's stat said when it was read (NULL for feed records, and for rows
# written before these columns existed): an unchanged stat skips the file without reading it
STAT_COLUMNS = (("size", "INTEGER"), ("mtime_ns", "INTEGER"), ("ctime_ns", "INTEGER"),
                # the file read (a feed's records: the feed), absolute: an output whose input is gone is stale
                ("input", "TEXT"))
REFRESH_BATCH = 1000
COLUMNS = "out, source, sha256, pipeline_version, config, size, mtime_ns, ctime_ns, input"


@dataclass(frozen=True, slots=True)
class Entry:
    out: str
    source: str
    sha256: str
    pipeline_version: str
    config: str
    size: int | None = None  # the input file's stat when it was read (None: a feed record)
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    input: str | None = None  # the file read, absolute (None: a row from before this column)

    @property
    def stat(self) -> tuple[int, int, int] | None:
        return None if self.size is None else (self.size, self.mtime_ns, self.ctime_ns)


def _path_in(path: str | None):
    """A file name for the ``input`` column: text when it is UTF-8, else its bytes (a BLOB),
    so a name that is not UTF-8 is kept exactly (SQLite text must be UTF-8)."""
    if path is None:
        return None
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def _path_out(value) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def config_fingerprint(config) -> str:
    """A short, stable fingerprint of a cleaners Config (or 'default')."""
    if config is None:
        return "default"
    return hashlib.sha256(config.model_dump_json().encode("utf-8")).hexdigest()[:16]


def manifest_path(out_root: str) -> str:
    return os.path.join(out_root, "_state", "manifest.sqlite")


class Manifest:
    def __init__(self, out_root: str):
        self.path = manifest_path(out_root)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60)
        self._stats: list[tuple] = []  # refreshed stats not yet written (refresh_stat)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        have = {r[1] for r in self._db.execute("PRAGMA table_info(outputs)")}
        for name, kind in STAT_COLUMNS:  # a manifest from before the stat columns: add them
            if name not in have:
                self._db.execute(f"ALTER TABLE outputs ADD COLUMN {name} {kind}")
        self._db.commit()

    def load(self) -> dict[str, Entry]:
        rows = self._db.execute(f"SELECT {COLUMNS} FROM outputs")
        return {r[0]: Entry(*r[:-1], _path_out(r[-1])) for r in rows}

    def get(self, out: str) -> Entry | None:
        """One output's row (a point lookup on the primary key: a run never loads them all).
        Stats given to ``refresh_stat`` may not be written yet (they are by ``record`` and ``close``)."""
        r = self._db.execute(f"SELECT {COLUMNS} FROM outputs WHERE out = ?", (out,)).fetchone()
        return Entry(*r[:-1], _path_out(r[-1])) if r else None

    def record(self, entries: list[Entry]) -> None:
        self._flush_stats()
        if not entries:
            return
        with self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO outputs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(e.out, e.source, e.sha256, e.pipeline_version, e.config, e.size, e.mtime_ns, e.ctime_ns,
                  _path_in(e.input)) for e in entries])

    def inputs(self):
        """(out, input) of every row that knows its input file, in output order (streamed)."""
        for out, path in self._db.execute("SELECT out, input FROM outputs WHERE input IS NOT NULL ORDER BY out"):
            yield out, _path_out(path)

    def forget(self, outs: list[str]) -> None:
        self._flush_stats()
        with self._db:
            self._db.executemany("DELETE FROM outputs WHERE out = ?", [(o,) for o in outs])

    def refresh_stat(self, out: str, stat: tuple[int, int, int]) -> None:
        """A file read again and found unchanged (same sha256) under a new stat (touched,
        copied): remember the new stat so the next run skips it without reading. Buffered:
        a copied folder refreshes every row, one transaction per REFRESH_BATCH rows."""
        self._stats.append((*stat, out))
        if len(self._stats) >= REFRESH_BATCH:
            self._flush_stats()

    def _flush_stats(self) -> None:
        if self._stats:
            with self._db:
                self._db.executemany("UPDATE outputs SET size = ?, mtime_ns = ?, ctime_ns = ? WHERE out = ?",
                                     self._stats)
            self._stats = []

    def close(self) -> None:
        self._flush_stats()
        self._db.close()

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
