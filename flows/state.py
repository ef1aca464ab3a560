"""The incremental-run manifest: which input produced each output, under which pipeline and config.

A sidecar SQLite file, ``OUT/_state/manifest.sqlite``, so the CleanDocument
contract stays untouched. One row per output path: the source, the sha256 of
the input bytes (a file, or one feed record), ``pipeline_version`` and a
fingerprint of the configuration. A document is skipped when its row matches
and its output file still exists.

Only the flow's parent process writes it, one transaction per finished batch,
after that batch's outputs are on disk: a run killed in between loses at
most the rows of unfinished batches, and those documents are simply redone.
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
    config TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Entry:
    out: str
    source: str
    sha256: str
    pipeline_version: str
    config: str


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
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.commit()

    def load(self) -> dict[str, Entry]:
        rows = self._db.execute("SELECT out, source, sha256, pipeline_version, config FROM outputs")
        return {r[0]: Entry(*r) for r in rows}

    def get(self, out: str) -> Entry | None:
        """One output's row (a point lookup on the primary key: a run never loads them all)."""
        r = self._db.execute("SELECT out, source, sha256, pipeline_version, config FROM outputs WHERE out = ?",
                             (out,)).fetchone()
        return Entry(*r) if r else None

    def record(self, entries: list[Entry]) -> None:
        if not entries:
            return
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs (out, source, sha256, pipeline_version, config) "
                "VALUES (?, ?, ?, ?, ?)",
                [(e.out, e.source, e.sha256, e.pipeline_version, e.config) for e in entries])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
