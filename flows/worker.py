"""Clean one batch: read, clean, write atomically, and return small stats.

This is what runs in a worker process (or on a Dask worker): plain Python,
no Prefect import. A document that fails becomes one recorded error and the
batch goes on; the stats carry the manifest rows for the documents written,
which the parent commits once the batch is done.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import cleaners
from cleaners.deadline import DeadlineExceeded, Watchdog
from cleaners.document import to_json

from . import records, warc
from .output import Writer
from .batches import Batch
from .plan import Item, error
from .manifest import Entry


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
    profiles: dict | None = None  # output path -> its site's SiteProfile (flows.site_profiles), if any
    time_limit: float | None = DOC_TIME_LIMIT  # seconds per document, all stages (None: no limit)
    count_sites: dict | None = None  # output path -> site, for documents counted from their output
    memory_limit: int | None = None  # bytes of address space per worker (flows.pool), for the reason only
    durable: bool = True  # outputs flushed to disk (per batch) before they count as done (flows.output)


class Job:
    """A batch and what its task needs with it, as one Prefect task parameter.

    A plain object on purpose: Prefect walks task parameters that are tuples, lists,
    dicts, dataclasses or pydantic models, looking for futures (every Item of a batch,
    twice per task, in the parent process that shares the cores with the workers), and
    leaves other objects alone. Pickles as it is (to a worker process or a Dask worker)."""

    __slots__ = ("batch", "needs")

    def __init__(self, batch: Batch, needs) -> None:
        self.batch = batch
        self.needs = needs  # the batch function's second argument: Options, or the profiling stage's sites

    @property
    def index(self) -> int:
        return self.batch.index

    def __getstate__(self):
        return (self.batch, self.needs)

    def __setstate__(self, state) -> None:
        self.batch, self.needs = state


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
    empty: int = 0  # cleaned documents with no text at all (an empty input, a page with nothing in it)
    failed_outputs: list[str] = field(default_factory=list)  # outputs of failed documents (not written)
    retries: int = 0  # documents cleaned again after their worker died (flows.supervise)

    def fail(self, item: Item, err: dict) -> None:
        """One failed document: its error (naming no output: none was written) and its output path."""
        self.failed += 1
        self.errors.append(err)
        self.failed_outputs.append(item.out)


# TEST ONLY (tests/test_faults*.py): with DECLUTTER_TEST_FAULTS=1 in the environment, a document
# whose bytes hold FAULT_MARK + "kill" / "hang" / "alloc" SIGKILLs its own worker ("killonce": the
# first time only, noted in $DECLUTTER_TEST_FAULTS_DIR), hangs in a C call (libc sleep, which no
# in-process deadline interrupts) or allocates without bound. Both the variable and the marker are needed: a user's document alone cannot do it.
FAULTS_ENV = "DECLUTTER_TEST_FAULTS"
FAULT_MARK = b"DECLUTTER-TEST-FAULT:"


def _test_fault(item: Item) -> None:
    if item.path is not None:
        with open(item.path, "rb") as f:
            data = f.read()
    else:
        data = (item.text or item.html or "").encode("utf-8")
    at = data.find(FAULT_MARK)
    if at < 0:
        return
    what = data[at + len(FAULT_MARK):at + len(FAULT_MARK) + 8]
    if what.startswith(b"killonce"):  # the first worker to meet it dies, later ones clean it
        try:
            os.mkdir(os.path.join(os.environ.get(FAULTS_ENV + "_DIR", "."), f"killed-{item.sha256[:16]}"))
        except FileExistsError:
            return
        os.kill(os.getpid(), 9)
    if what.startswith(b"kill"):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    elif what.startswith(b"hang"):
        import ctypes

        ctypes.CDLL(None).sleep(3600)
    elif what.startswith(b"alloc"):
        hold = []
        while True:
            hold.append(bytearray(64 * 2**20))


_MARK = None  # in a pool worker: shared [document index, its start], read by the parent (flows.pool)


def set_mark(mark) -> None:
    global _MARK
    _MARK = mark


def mark(index: int) -> None:
    """Tell the parent which document of the batch this worker starts now (flows.pool: a dead or
    stuck worker is then charged to that document). Two stores into shared memory; a no-op
    outside a pool worker."""
    m = _MARK
    if m is not None:
        m[1] = time.monotonic()
        m[0] = index


def warm() -> int:
    """Import and prime the cleaners in a fresh worker process (phrase books, regexes)."""
    cleaners.clean_text("Warm up.\n\nA short paragraph so every cleaner runs once.")
    return os.getpid()


def clean_item(item: Item, config=None, profile=None) -> tuple[cleaners.CleanDocument, str]:
    """One document -> (CleanDocument, sha256 of the bytes actually read)."""
    if item.warc is not None:  # a WARC record: read at its offset, its HTTP Content-Type gives the charset
        data, sha = warc.payload_of(item.path, item.warc, item.html, item.sha256)
        doc = cleaners.clean_html(data, url=item.url, source=item.source, config=config, profile=profile,
                                  content_type=item.warc.content_type)
        return doc.model_copy(update={"warc_record_id": item.warc.record_id, "warc_date": item.warc.date}), sha
    if item.path is not None:
        import hashlib

        with open(item.path, "rb") as f:
            raw = f.read()
        sha = hashlib.sha256(raw).hexdigest()
        data = records.payload(raw)
        if item.kind == "html":
            return cleaners.clean_html(data, source=item.source, config=config, profile=profile), sha
        return cleaners.clean_bytes(data, source=item.source, config=config, profile=profile), sha
    if item.kind == "html":
        doc = cleaners.clean_html(item.html, url=item.url, source=item.source, config=config, profile=profile)
        if item.title and not doc.title:
            doc = doc.model_copy(update={"title": item.title})
        return doc, item.sha256
    from cleaners.profiles.site import registered_domain

    # a text record's site is its URL's registered domain, as an HTML page's is (per-site config too)
    return cleaners.clean_text(item.text, source=item.source, url=item.url, title=item.title,
                               site=registered_domain(item.url), config=config, profile=profile), item.sha256


def clean_batch(batch: Batch, opts: Options) -> BatchStats:
    t0 = time.perf_counter()
    writer = Writer(opts.out_root, durable=opts.durable)
    st = BatchStats(index=batch.index)
    written: list[tuple[Item, cleaners.CleanDocument, str]] = []  # counted once durable (commit)
    profiles = opts.profiles or {}
    count_sites = opts.count_sites or {}
    faults = os.environ.get(FAULTS_ENV) == "1"
    with Watchdog() as watchdog:  # one watchdog thread for the batch, not one per document
        for pos, item in enumerate(batch.items):
            st.documents += 1
            mark(pos)
            try:
                with watchdog.limit(opts.time_limit):
                    if faults:
                        _test_fault(item)
                    doc, sha = clean_item(item, opts.config, profiles.get(item.out))
            except DeadlineExceeded:
                st.fail(item, error(item.source, "clean", time_limit_reason(opts.time_limit), path=item.path,
                                    kind="TimeLimit"))
                continue
            except MemoryError:
                st.fail(item, error(item.source, "clean", memory_reason(opts.memory_limit), path=item.path,
                                    kind="MemoryLimit"))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad document never stops the batch
                stage = ("read" if isinstance(exc, (OSError, records.InputError)) else
                         "decode" if isinstance(exc, cleaners.UndecodableInput) else "clean")
                st.fail(item, error(item.source, stage, _reason(exc), path=item.path, kind=type(exc).__name__))
                continue
            try:
                writer.write(item.out, to_json(doc).encode("utf-8"), key=len(written))
            except Exception as exc:  # noqa: BLE001
                st.fail(item, error(item.source, "write", _reason(exc), path=item.path, kind=type(exc).__name__))
                continue
            written.append((item, doc, sha))
    mark(-1)
    lost = dict(writer.commit())  # on disk, in place, folders flushed: now they count
    for key, (item, doc, sha) in enumerate(written):
        if key in lost:
            exc = lost[key]
            st.fail(item, error(item.source, "write", _reason(exc), path=item.path, kind=type(exc).__name__))
            continue
        st.cleaned += 1
        if not doc.stats.blocks_in:
            st.empty += 1
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
                             *(item.stat or (None, None, None)), item.path or item.origin))
        site = count_sites.get(item.out)
        if site is not None:
            from .site_profiles import count_into, texts_of

            count_into(st.profile_counts, site, texts_of(doc))
    st.seconds = time.perf_counter() - t0
    return st


def hard_limit(limit: float | None) -> float | None:
    """When the parent kills a worker whose document outlived its time limit: the in-process
    deadline (``limit``) ends Python code within 50 ms; past this, the worker is stuck in C."""
    return None if not limit else limit + max(2.0, 0.1 * limit)


def time_limit_reason(limit: float | None) -> str:
    return (f"took longer than the {limit:g} s time limit for one document (a pathological page?)"
            if limit else "took too long")


def memory_reason(limit: int | None) -> str:
    mib = f" of {limit / 2**20:g} MiB" if limit else ""
    return f"needed more memory than the worker's limit{mib} (a pathological page? raise --max-memory)"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return whole_reason(str(exc) or type(exc).__name__)


REASON_CHARS = 500


def whole_reason(text: str, limit: int = REASON_CHARS) -> str:
    """An exception's message as an error reason: never cut inside a word or a sentence. A long
    one keeps its whole sentences (at least its first line's words) up to ``limit`` and says
    how much was left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(". "), head.rfind("; "), head.rfind(": "))
    if cut < limit // 3:
        cut = head.rfind(" ")
    kept = head[:cut + 1].rstrip() if cut > 0 else head
    return f"{kept} [... {len(text) - len(kept):,} more characters]"
