"""The profiling stage: count each site's blocks before cleaning, persist what was learned.

Plain functions, no Prefect import (they run in worker processes too):

- ``profile_batch`` reads a batch's documents, segments them exactly as the
  cleaners will (the same entry points, with every cleaner switched off) and
  returns small per-site counters (``cleaners.profiles.SiteCounts``) plus each
  document's site;
- ``Profiles`` loads ``OUT/_profiles/<site>.json``, merges the batches'
  counters into it (a body already counted, by this run or an earlier one,
  counts once), learns each site's boilerplate and writes the files back
  atomically, only when they changed.

A document's site is its URL's registered domain (the feed record's URL, or
the page's canonical URL), else its input sub-folder (the first folder of its
path under the input root, or the folder the file sits in).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import cleaners
from cleaners.profiles import ProfileFormatError, SiteCounts, SiteProfile, Thresholds, learn
from cleaners.profiles import profile_filename, registered_domain, site_for

from . import records
from .output import atomic_write, tmp_dir
from .plan import Batch, Item

PROFILES_DIR = "_profiles"
_SEGMENT_ONLY = None


def segment_only_config():
    """A config with every cleaner off: the cleaners' own segmentation, nothing judged."""
    global _SEGMENT_ONLY
    if _SEGMENT_ONLY is None:
        _SEGMENT_ONLY = cleaners.load_config({"cleaners": {"disable": list(cleaners.CLEANER_NAMES)}})
    return _SEGMENT_ONLY


def folder_of(item: Item) -> str | None:
    """The input sub-folder that names a document's site when it has no URL."""
    rel = item.source.split("#", 1)[0]
    if "/" in rel:
        return rel.split("/", 1)[0]
    if item.path:
        return os.path.basename(os.path.dirname(item.path)) or None
    return None


def blocks_of(item: Item) -> tuple[list[str], str | None]:
    """(the document's block texts as the cleaners segment them, its URL if known)."""
    cfg = segment_only_config()
    if item.path is not None:
        with open(item.path, "rb") as f:
            data = records.payload(f.read())
        if item.kind == "html":
            doc = cleaners.clean_html(data, source=item.source, config=cfg)
        else:
            doc = cleaners.clean_bytes(data, source=item.source, config=cfg)
    elif item.kind == "html":
        doc = cleaners.clean_html(item.html, url=item.url, source=item.source, config=cfg)
    else:
        doc = cleaners.clean_text(item.text, source=item.source, url=item.url, config=cfg)
    return (doc.text.split("\n\n") if doc.text else []), (item.url or doc.url)


def site_of(item: Item, url: str | None) -> str | None:
    return site_for(url, folder_of(item))


@dataclass
class ProfileBatch:
    """What a profiling task returns: counters per site, and each document's site."""

    index: int
    counts: dict[str, SiteCounts] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)  # output path -> site
    failed: int = 0  # unreadable here; the cleaning stage records the error
    seconds: float = 0.0


def profile_batch(batch: Batch, _opts=None) -> ProfileBatch:
    t0 = time.perf_counter()
    out = ProfileBatch(index=batch.index)
    for item in batch.items:
        try:
            texts, url = blocks_of(item)
        except Exception:  # noqa: BLE001 - the cleaning stage reports this document's failure
            out.failed += 1
            continue
        site = site_of(item, url)
        if site is None:
            continue
        out.sites[item.out] = site
        c = out.counts.get(site)
        if c is None:
            c = out.counts[site] = SiteCounts(site)
        c.add(texts)
    out.seconds = time.perf_counter() - t0
    return out


class Profiles:
    """The persisted profiles of one OUT folder, updated by this run's counters."""

    def __init__(self, out_root: str, *, rebuild: bool = False, thresholds: Thresholds | None = None):
        self.out_root = out_root
        self.dir = os.path.join(out_root, PROFILES_DIR)
        self.rebuild = rebuild
        self.thresholds = thresholds or Thresholds()
        self.counts: dict[str, SiteCounts] = {}
        self.sites: dict[str, str] = {}
        self.warnings: list[str] = []
        self.profiled = 0

    def path(self, site: str) -> str:
        return os.path.join(self.dir, profile_filename(site))

    def _stored(self, site: str) -> SiteCounts:
        if self.rebuild:
            return SiteCounts(site)
        try:
            with open(self.path(site), "rb") as f:
                stored = SiteCounts.from_json(f.read())
        except FileNotFoundError:
            return SiteCounts(site)
        except (OSError, ProfileFormatError) as exc:
            self.warnings.append(f"{self.path(site)}: {exc}; the profile is rebuilt from this run's pages")
            return SiteCounts(site)
        if stored.site != site:
            self.warnings.append(f"{self.path(site)} holds the profile of {stored.site!r}; rebuilt")
            return SiteCounts(site)
        return stored

    def add(self, result: ProfileBatch) -> None:
        self.sites.update(result.sites)
        for site, c in result.counts.items():
            if site not in self.counts:
                self.counts[site] = self._stored(site)
            self.counts[site].merge(c)
            self.profiled += c.documents

    def learned(self) -> dict[str, SiteProfile]:
        return {site: learn(c, self.thresholds) for site, c in sorted(self.counts.items())}

    def save(self) -> int:
        """Write every site's counters (compacted) atomically; unchanged files are left alone."""
        written = 0
        for site, c in sorted(self.counts.items()):
            data = c.compacted().to_json().encode("utf-8")
            target = self.path(site)
            try:
                with open(target, "rb") as f:
                    if f.read() == data:
                        continue
            except OSError:
                pass
            os.makedirs(self.dir, exist_ok=True)
            atomic_write(target, data, tmp_in=tmp_dir(self.out_root))
            written += 1
        return written

    def for_items(self, items, profiles: dict[str, SiteProfile]) -> dict[str, SiteProfile]:
        """Output path -> the profile its cleaning reads (only documents whose site learned something)."""
        out = {}
        for item in items:
            site = self.sites.get(item.out)
            prof = profiles.get(site) if site else None
            if prof is not None and prof.boilerplate:
                out[item.out] = prof
        return out


def stage(batches, out_root: str, *, rebuild: bool = False, thresholds: Thresholds | None = None,
          results=None) -> tuple[dict[str, SiteProfile], dict]:
    """The whole profiling stage over this run's batches: stored counters + the batches' (from
    ``results``, an iterable of (batch, ProfileBatch or exception) in batch order; default: profile
    each batch here), learned, saved. Returns (output path -> SiteProfile, a summary entry)."""
    book = Profiles(out_root, rebuild=rebuild, thresholds=thresholds)
    if results is None:
        results = ((b, profile_batch(b)) for b in batches)
    for b, res in results:
        if isinstance(res, BaseException):  # its documents are cleaned without what they would add
            book.warnings.append(f"profiling batch {b.index} failed: {type(res).__name__}: {res}")
        else:
            book.add(res)
    learned = book.learned()
    written = book.save()
    per_doc = book.for_items([i for b in batches for i in b.items], learned)
    entry = {"dir": PROFILES_DIR, "sites": len(learned), "rebuilt": rebuild,
             "sites_with_boilerplate": sum(1 for p in learned.values() if p.boilerplate),
             "boilerplate_blocks": sum(len(p.boilerplate) for p in learned.values()),
             "documents_profiled": book.profiled, "documents_with_profile": len(per_doc),
             "files_written": written, "warnings": book.warnings}
    return per_doc, entry


__all__ = ["stage", "profile_batch", "ProfileBatch", "Profiles", "PROFILES_DIR", "site_of", "folder_of", "blocks_of",
           "registered_domain"]
