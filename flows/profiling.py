"""The profiling stage: count each site's blocks before cleaning, persist what was learned.

Plain functions, no Prefect import (they run in worker processes too):

- ``Profiles.prepare`` gives each document its site and decides which are
  counted before cleaning: those of sites that can reach ``min_documents``
  with this run's pages. The others cannot learn anything this run; they are
  counted after cleaning, from their CleanDocument (``texts_of``), so their
  pages are never extracted twice;
- ``profile_batch`` reads a batch's documents, segments them exactly as the
  cleaners will (the same entry points, with every cleaner switched off) and
  returns small per-site counters (``cleaners.profiles.SiteCounts``);
- ``Profiles`` loads ``OUT/_profiles/<site>.json``, merges counters into it
  (a body already counted, by this run or an earlier one, counts once),
  learns each site's boilerplate and writes the files back atomically, only
  when they changed.

A document's site is its URL's registered domain (the feed record's URL, or
the page's canonical URL read from its head), else its input sub-folder (the
first folder of its path under the input root, or the folder the file sits in).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import regex

import cleaners
from cleaners.profiles import ProfileFormatError, SiteCounts, SiteProfile, Thresholds, learn
from cleaners.profiles import profile_filename, site_for

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


_CANONICAL = regex.compile(
    r"""<link\b[^>]*\brel\s*=\s*["']?canonical\b[^>]*>|<meta\b[^>]*\bproperty\s*=\s*["']?og:url\b[^>]*>""",
    regex.IGNORECASE)
_HREF = regex.compile(r"""\b(?:href|content)\s*=\s*["']?([^"'\s>]+)""", regex.IGNORECASE)
HEAD_BYTES = 256 * 1024


def page_url(html: bytes | str) -> str | None:
    """The page's canonical URL (<link rel=canonical>, else og:url) from its head, cheaply:
    the site must be known before the page is extracted."""
    head = html[:HEAD_BYTES]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    for m in _CANONICAL.finditer(head):
        h = _HREF.search(m.group(0))
        if h and h.group(1).lower().startswith(("http://", "https://", "//")):
            return h.group(1) if not h.group(1).startswith("//") else "https:" + h.group(1)
    return None


def planned_site(item: Item) -> str | None:
    """A document's site, known before extraction: the record's URL, else the page's canonical
    URL, else its input sub-folder."""
    url = item.url
    if url is None and item.kind == "html":
        try:
            if item.html is not None:
                url = page_url(item.html)
            elif item.path is not None:
                with open(item.path, "rb") as f:
                    url = page_url(records.payload(f.read()))
        except (OSError, records.InputError):
            url = None  # the cleaning stage reports an unreadable input
    return site_for(url, folder_of(item))


def blocks_of(item: Item) -> list[str]:
    """The document's block texts as the cleaners segment them (every cleaner off)."""
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
    return doc.text.split("\n\n") if doc.text else []


def texts_of(doc) -> list[str]:
    """A cleaned document's blocks as segmented, in order (removed ones from ``removed[]``, the
    rest from its text): counting them equals counting ``blocks_of`` (no cleaner rewrites a block)."""
    slots: list[str | None] = [None] * doc.stats.blocks_in
    for r in doc.removed:
        if 0 <= r.position < len(slots):
            slots[r.position] = r.text
    kept = iter(doc.text.split("\n\n") if doc.text else [])
    return [t if t is not None else next(kept, "") for t in slots]


@dataclass
class ProfileBatch:
    """What a profiling task returns: counters per site."""

    index: int
    counts: dict[str, SiteCounts] = field(default_factory=dict)
    failed: int = 0  # unreadable here; the cleaning stage records the error
    seconds: float = 0.0


def count_into(counts: dict[str, SiteCounts], site: str, texts: list[str]) -> None:
    c = counts.get(site)
    if c is None:
        c = counts[site] = SiteCounts(site)
    c.add(texts)


def profile_batch(batch: Batch, sites: dict[str, str]) -> ProfileBatch:
    """Count the blocks of the batch's documents named in ``sites`` (output path -> site)."""
    t0 = time.perf_counter()
    out = ProfileBatch(index=batch.index)
    for item in batch.items:
        site = sites.get(item.out)
        if site is None:
            continue
        try:
            texts = blocks_of(item)
        except Exception:  # noqa: BLE001 - the cleaning stage reports this document's failure
            out.failed += 1
            continue
        count_into(out.counts, site, texts)
    out.seconds = time.perf_counter() - t0
    return out


class Profiles:
    """The persisted profiles of one OUT folder, updated by this run's counters.

    ``prepare`` gives each document of the run its site and splits them: documents of a
    site that can reach ``min_documents`` (stored + this run's) are counted *before*
    cleaning (``prepass``), so the profile is learned first; the others cannot learn
    anything this run, so they are cleaned without a profile and counted *from their
    cleaned document* (``count_later``), without a second extraction."""

    def __init__(self, out_root: str, *, rebuild: bool = False, thresholds: Thresholds | None = None):
        self.out_root = out_root
        self.dir = os.path.join(out_root, PROFILES_DIR)
        self.rebuild = rebuild
        self.thresholds = thresholds or Thresholds()
        self.counts: dict[str, SiteCounts] = {}
        self.warnings: list[str] = []
        self.profiled = 0
        self.sites: dict[str, str] = {}
        self.prepass: set[str] = set()

    def path(self, site: str) -> str:
        return os.path.join(self.dir, profile_filename(site))

    def _load(self, site: str) -> SiteCounts:
        if site in self.counts:
            return self.counts[site]
        stored = SiteCounts(site)
        if not self.rebuild:
            try:
                with open(self.path(site), "rb") as f:
                    stored = SiteCounts.from_json(f.read())
                if stored.site != site:
                    self.warnings.append(f"{self.path(site)} holds the profile of {stored.site!r}; rebuilt")
                    stored = SiteCounts(site)
            except FileNotFoundError:
                pass
            except (OSError, ProfileFormatError) as exc:
                self.warnings.append(f"{self.path(site)}: {exc}; the profile is rebuilt from this run's pages")
                stored = SiteCounts(site)
        self.counts[site] = stored
        return stored

    def prepare(self, items) -> None:
        new: dict[str, int] = {}
        for item in items:
            site = planned_site(item)
            if site is not None:
                self.sites[item.out] = site
                new[site] = new.get(site, 0) + 1
        learnable = {s for s, n in new.items() if self._load(s).documents + n >= self.thresholds.min_documents}
        self.prepass = {o for o, s in self.sites.items() if s in learnable}

    def prepass_sites(self, batch: Batch) -> dict[str, str]:
        return {i.out: self.sites[i.out] for i in batch.items if i.out in self.prepass}

    def count_later(self, batch: Batch) -> dict[str, str]:
        return {i.out: self.sites[i.out] for i in batch.items if i.out in self.sites and i.out not in self.prepass}

    def add(self, counts: dict[str, SiteCounts]) -> None:
        for site, c in counts.items():
            self._load(site).merge(c)
            self.profiled += c.documents

    def learned(self) -> dict[str, SiteProfile]:
        return {site: learn(c, self.thresholds) for site, c in sorted(self.counts.items())}

    def save(self) -> int:
        """Write every site's counters (compacted) atomically; unchanged files are left alone."""
        written = 0
        for site, c in sorted(self.counts.items()):
            if not c.documents and not os.path.exists(self.path(site)):
                continue
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

    def summary(self, profiles: dict[str, SiteProfile], per_doc: dict, written: int) -> dict:
        return {"dir": PROFILES_DIR, "sites": len(profiles), "rebuilt": self.rebuild,
                "sites_with_boilerplate": sum(1 for p in profiles.values() if p.boilerplate),
                "boilerplate_blocks": sum(len(p.boilerplate) for p in profiles.values()),
                "documents_profiled": self.profiled, "documents_counted_first": len(self.prepass),
                "documents_with_profile": len(per_doc), "files_written": written, "warnings": self.warnings}


def stage(batches, out_root: str, *, rebuild: bool = False, thresholds: Thresholds | None = None,
          results=None) -> tuple[Profiles, dict[str, SiteProfile], dict]:
    """The profiling stage before cleaning. ``results``: a function (batch, sites) -> an iterable
    of (batch, ProfileBatch or exception) in batch order (the flow submits tasks); default: here.
    Returns (the Profiles, output path -> SiteProfile, a summary entry). After cleaning, fold the
    clean batches' ``profile_counts`` in with ``Profiles.add`` and ``save`` again."""
    book = Profiles(out_root, rebuild=rebuild, thresholds=thresholds)
    book.prepare([i for b in batches for i in b.items])
    work = [(b, book.prepass_sites(b)) for b in batches]
    work = [(b, s) for b, s in work if s]
    if results is None:
        res = ((b, profile_batch(b, s)) for b, s in work)
    else:
        res = results(work)
    for b, r in res:
        if isinstance(r, BaseException):  # its documents are cleaned without what they would add
            book.warnings.append(f"profiling batch {b.index} failed: {type(r).__name__}: {r}")
        else:
            book.add(r.counts)
    learned = book.learned()
    written = book.save()
    per_doc = book.for_items([i for b in batches for i in b.items], learned)
    return book, per_doc, book.summary(learned, per_doc, written)


__all__ = ["stage", "profile_batch", "ProfileBatch", "Profiles", "PROFILES_DIR", "planned_site", "folder_of",
           "blocks_of", "texts_of", "page_url", "count_into"]
