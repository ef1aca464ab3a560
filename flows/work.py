"""Clean one batch: read, clean, write atomically, and return small stats.

This is what runs in a worker process (or on a Dask worker): plain Python,
no Prefect import. A document that fails becomes one recorded error and the
batch goes on; the stats carry the manifest rows for the documents written,
which the parent commits once the batch is done.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import cleaners
from cleaners.deadline import DeadlineExceeded, Watchdog
from cleaners.document import to_json

from . import records, warc
from .output import Writer
from .plan import Batch, Item, error
from .state import Entry


class HtmlUnsupported(RuntimeError):
    pass


# A safety valve, not a budget: a normal document takes milliseconds, a 16 MiB one about a
# minute. clean_html bounds trafilatura itself (cleaners.html.DEFAULT_TIME_LIMIT), but not its
# fallback or the cleaner chain, and a pathological page can spend minutes there.
DOC_TIME_LIMIT = 300.0


@dataclass(frozen=True)
class Options:
    out_root: str
    pipeline_version: str
    config_fp: str
    config: object = None  # a cleaners.Config, or None for the defaults
    profiles: dict | None = None  # output path -> its site's SiteProfile (flows.profiling), if any
    time_limit: float | None = DOC_TIME_LIMIT  # seconds per document, all stages (None: no limit)
    count_sites: dict | None = None  # output path -> site, for documents counted from their output


class Job:
    """A batch and what its task needs with it, as one Prefect task parameter.

    A plain object on purpose: Prefect walks task parameters that are tuples, lists,
    dicts, dataclasses or pydantic models, looking for futures (every Item of a batch,
    twice per task, in the parent process that shares the cores with the workers), and
    leaves other objects alone. Pickles as it is (to a worker process or a Dask worker)."""

    __slots__ = ("batch", "arg")

    def __init__(self, batch: Batch, arg) -> None:
        self.batch = batch
        self.arg = arg

    @property
    def index(self) -> int:
        return self.batch.index

    def __getstate__(self):
        return (self.batch, self.arg)

    def __setstate__(self, state) -> None:
        self.batch, self.arg = state


@dataclass
class BatchStats:
    index: int
    documents: int = 0
    cleaned: int = 0
    failed: int = 0
    blocks_in: int = 0
    blocks_removed: int = 0
    chars_in: int = 0
    chars_kept: int = 0
    removed_by_cleaner: dict[str, int] = field(default_factory=dict)
    removed_by_rule: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)
    done: list[Entry] = field(default_factory=list)
    profile_counts: dict = field(default_factory=dict)  # site -> SiteCounts (see Options.count_sites)


def warm() -> int:
    """Import and prime the cleaners in a fresh worker process (phrase books, regexes)."""
    cleaners.clean_text("Warm up.\n\nA short paragraph so every cleaner runs once.")
    import os

    return os.getpid()


def clean_html(data, *, url=None, source=None, config=None, profile=None, content_type=None):
    """cleaners.clean_html, with a missing HTML stage reported as such."""
    kw = {} if content_type is None else {"content_type": content_type}  # the HTTP header (WARC records)
    try:
        if profile is not None:
            return cleaners.clean_html(data, url=url, source=source, config=config, profile=profile, **kw)
        return cleaners.clean_html(data, url=url, source=source, config=config, **kw)
    except (ImportError, NotImplementedError) as exc:
        raise HtmlUnsupported(f"HTML not yet supported ({type(exc).__name__}: {exc})") from None


def clean_item(item: Item, config=None, profile=None) -> tuple[cleaners.CleanDocument, str]:
    """One document -> (CleanDocument, sha256 of the bytes actually read)."""
    if item.warc is not None:  # a WARC record: read at its offset, its HTTP Content-Type gives the charset
        data, sha = warc.payload_of(item.path, item.warc, item.html, item.sha256)
        doc = clean_html(data, url=item.url, source=item.source, config=config, profile=profile,
                         content_type=item.warc.content_type)
        return doc.model_copy(update={"warc_record_id": item.warc.record_id, "warc_date": item.warc.date}), sha
    if item.path is not None:
        import hashlib

        with open(item.path, "rb") as f:
            raw = f.read()
        sha = hashlib.sha256(raw).hexdigest()
        data = records.payload(raw)
        if item.kind == "html":
            return clean_html(data, source=item.source, config=config, profile=profile), sha
        return cleaners.clean_bytes(data, source=item.source, config=config, profile=profile), sha
    if item.kind == "html":
        doc = clean_html(item.html, url=item.url, source=item.source, config=config, profile=profile)
        if item.title and not doc.title:
            doc = doc.model_copy(update={"title": item.title})
        return doc, item.sha256
    return cleaners.clean_text(item.text, source=item.source, url=item.url, title=item.title,
                               config=config, profile=profile), item.sha256


def clean_batch(batch: Batch, opts: Options) -> BatchStats:
    t0 = time.perf_counter()
    writer = Writer(opts.out_root)
    st = BatchStats(index=batch.index)
    profiles = opts.profiles or {}
    count_sites = opts.count_sites or {}
    with Watchdog() as watchdog:  # one watchdog thread for the batch, not one per document
        for item in batch.items:
            st.documents += 1
            try:
                with watchdog.limit(opts.time_limit):
                    doc, sha = clean_item(item, opts.config, profiles.get(item.out))
            except DeadlineExceeded:
                st.failed += 1
                st.errors.append(error(item.source, "clean", f"took longer than the {opts.time_limit:g} s time "
                                       "limit for one document (a pathological page?)", path=item.path,
                                       out=item.out, kind="TimeLimit"))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad document never stops the batch
                st.failed += 1
                stage = ("read" if isinstance(exc, (OSError, records.InputError)) else
                         "decode" if isinstance(exc, cleaners.UndecodableInput) else "clean")
                st.errors.append(error(item.source, stage, _reason(exc), path=item.path, out=item.out,
                                       kind=type(exc).__name__))
                continue
            try:
                writer.write(item.out, to_json(doc).encode("utf-8"))
            except Exception as exc:  # noqa: BLE001
                st.failed += 1
                st.errors.append(error(item.source, "write", _reason(exc), path=item.path, out=item.out,
                                       kind=type(exc).__name__))
                continue
            st.cleaned += 1
            s = doc.stats
            st.blocks_in += s.blocks_in
            st.blocks_removed += s.blocks_removed
            st.chars_in += s.chars_in
            st.chars_kept += s.chars_kept
            for name, n in s.removed_by_cleaner.items():
                st.removed_by_cleaner[name] = st.removed_by_cleaner.get(name, 0) + n
            for name, n in s.removed_by_rule.items():
                st.removed_by_rule[name] = st.removed_by_rule.get(name, 0) + n
            st.done.append(Entry(item.out, item.source, sha, opts.pipeline_version, opts.config_fp,
                                 *(item.stat or (None, None, None))))
            site = count_sites.get(item.out)
            if site is not None:
                from .profiling import count_into, texts_of

                count_into(st.profile_counts, site, texts_of(doc))
    st.seconds = time.perf_counter() - t0
    return st


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0] if "\n" not in text[:200] else text[:500]
