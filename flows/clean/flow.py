"""The ``clean_folder`` flow: discover -> plan -> clean batches -> summarise.

A thin Prefect layer over plain functions (``flows.discover``, ``flows.plan``, ``flows.batches``,
``flows.worker``, ``flows.runlog``), which are tested without Prefect.

Parallelism, measured on 2 cores (see bench/RESULTS.md, "Flows"): a Prefect
task is a *batch* of documents. With more than one batch (any ``workers``)
the batch tasks are submitted to a ThreadPoolTaskRunner, and each task's body
hands its batch to a process pool owned by this flow run (a single batch is
cleaned in place): the processes do nothing but clean
(they never import Prefect, never talk to the API), while the one parent
process reports every task to one API server. On a Dask cluster
(``task_runner=DaskTaskRunner(...)``) the same task body runs the batch on
the Dask worker itself.

It lives in ``flows/clean/flow.py``, not in the package's ``__init__``: see
``flows/clean/__init__.py`` for why.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import os
import time
import uuid
from collections import deque

from flows import settings as _settings

_settings.apply_defaults()  # before Prefect reads its settings

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

import cleaners  # noqa: E402
from flows import console, output, pool as worker_pool, runlog, site_profiles, stale, supervise, worker  # noqa: E402
from flows.batches import iter_batches  # noqa: E402
from flows.discover import Discovery, iter_sources  # noqa: E402
from flows.lock import OutLock  # noqa: E402
from flows.manifest import Manifest, config_fingerprint  # noqa: E402
from flows.plan import DEFAULT_MAX_BYTES, Planner, error  # noqa: E402
from flows.spool import BatchSpool, LineSpool  # noqa: E402

DEFAULT_INPUTS = ("seeds",)
DEFAULT_OUT = "out"
STALE_TMP_SECONDS = 3600

_POOLS: dict[str, worker_pool.Pool] = {}


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _in_pool(fn, job: worker.Job, pool: str | None):
    """``fn(batch, arg)`` in this flow run's process pool when there is one here (the
    parent), else right here (a single batch, or a Dask worker)."""
    workers = _POOLS.get(pool) if pool else None
    if workers is None:
        return fn(job.batch, job.needs)
    if fn is worker.clean_batch:  # a dead or stuck worker costs its document, not the batch
        return supervise.clean(lambda b: workers.run(fn, b, job.needs), job.batch, job.needs)
    return supervise.profile(lambda b: workers.run(fn, b, job.needs), job.batch)  # profiling


# A task's batch travels as a worker.Job (batch + options), which Prefect does not walk.
@task(name="clean-batch", task_run_name="batch-{job.index}", cache_policy=NO_CACHE, persist_result=False)
def clean_batch(job: worker.Job, pool: str | None = None) -> worker.BatchStats:
    """Clean one batch (worker.clean_batch)."""
    return _in_pool(worker.clean_batch, job, pool)


@task(name="profile-batch", task_run_name="profile-{job.index}", cache_policy=NO_CACHE, persist_result=False)
def profile_batch(job: worker.Job, pool: str | None = None) -> site_profiles.ProfileBatch:
    """Count one batch's blocks per site (site_profiles.profile_batch: small counters back)."""
    return _in_pool(site_profiles.profile_batch, job, pool)


def _profile_stage(book: site_profiles.Profiles, sited, *, pool: str | None, logger, ahead: int) -> dict:
    """Site profiles for this run's documents: persisted counters + this run's, merged, learned,
    saved. ``sited``: every (batch, sites) of the run; profiling tasks run at most ``ahead`` at a
    time (their batches are read from the spool, not held). Returns the summary entry."""

    def results(todo):
        pending: deque = deque()
        for b, sites in todo:
            pending.append((b, profile_batch.submit(worker.Job(b, sites), pool)))
            if len(pending) >= ahead:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())

    entry = site_profiles.stage(book, sited, results=results)
    for w in entry["warnings"]:
        logger.warning("profiles: %s", w)
    logger.info("profiles: %d sites (%d with learned boilerplate), %d new documents counted",
                entry["sites"], entry["sites_with_boilerplate"], entry["documents_profiled"])
    return entry


def _result(batch, fut):
    try:
        return batch, fut.result()
    except Exception as exc:  # noqa: BLE001 - recorded as a warning by the stage
        return batch, exc


def _start_pool(n: int, opts: worker.Options) -> tuple[str, worker_pool.Pool]:
    """The run's worker processes (flows.pool: the CLI's prestarted ones when there are)."""
    pool = worker_pool.take(n, memory_limit=opts.memory_limit, hard_limit=worker.hard_limit(opts.time_limit))
    key = uuid.uuid4().hex
    _POOLS[key] = pool
    return key, pool


def _sweep_tmp(out_root: str, stale_seconds: float = STALE_TMP_SECONDS) -> None:
    """Remove temporary files a killed run left behind (old enough not to be a live run's;
    with OUT's lock held, every one of them is: ``stale_seconds=0``)."""
    folder = output.tmp_dir(out_root)
    now = time.time()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            if now - os.stat(path).st_mtime >= stale_seconds:
                os.unlink(path)
        except OSError:
            pass


def write_jsonl(path: str, out_root: str, outputs) -> int:
    """Every document of this run's inputs (cleaned or unchanged) as one JSON line each, atomically."""
    lines = []
    for rel in outputs:
        try:
            with open(os.path.join(out_root, *rel.split("/")), encoding="utf-8") as f:
                doc = json.load(f)
        except FileNotFoundError:
            continue
        lines.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    output.atomic_write(os.path.abspath(path), ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    return len(lines)


@dataclasses.dataclass(eq=False)
class _Run:
    """One run's state, shared by the steps of ``run``."""

    t0: float
    logger: object
    out_root: str
    log: runlog.RunLog
    summary: dict
    opts: worker.Options
    bar: console.Bar
    found: Discovery
    spool: LineSpool | None  # every planned output, for the JSONL file (``jsonl``)
    spools: list = dataclasses.field(default_factory=list)  # closed at the end
    failed_outs: set[str] = dataclasses.field(default_factory=set)
    marks: dict[str, float] = dataclasses.field(default_factory=dict)
    pool_key: str | None = None

    def flush_found(self) -> None:
        """Discovery's errors, as the walk reaches them."""
        if self.found.errors:
            self.summary["discovery_errors"] = self.summary.get("discovery_errors", 0) + len(self.found.errors)
            self.log.add_errors(self.found.errors)
            self.found.errors.clear()

    def plan_error(self, e: dict) -> None:
        self.log.add_errors([e])
        if e.get("output"):
            self.failed_outs.add(e["output"])


def run(inputs, out, *, force=False, config=None, jsonl=None, workers=None, batch_docs=250,
        progress=False, distributed=False, profiles=True, rebuild_profiles=False,
        max_size: int | None = DEFAULT_MAX_BYTES, time_limit: float | None = worker.DOC_TIME_LIMIT,
        memory_limit: int | None = worker_pool.DEFAULT_MEMORY_MIB * 2**20, durable: bool = True,
        prune: bool = False, review=False) -> dict:
    """The flow body. Call inside a flow run (it submits the batch task).

    ``profiles``: learn each site's boilerplate (``OUT/_profiles``) before cleaning and use it;
    ``rebuild_profiles``: forget the stored profiles and re-clean everything (implies ``force``);
    ``max_size``: bytes above which a document is refused as too large (None: no limit);
    ``time_limit``: seconds per document (a worker stuck past it is killed and replaced);
    ``memory_limit``: bytes of address space per worker process (None: no limit);
    ``durable``: outputs flushed to disk before their manifest rows are written (flows.output);
    ``prune``: remove the outputs and manifest rows of inputs that no longer exist;
    ``review``: write the review page of OUT (``flows.review``) once the documents are written.
    Raises ``OutputBusy`` when another run holds OUT's lock."""
    force = force or (profiles and rebuild_profiles)
    t0 = time.perf_counter()
    logger = get_run_logger()
    inputs = list(inputs or DEFAULT_INPUTS)
    n = workers or default_workers()
    cfg = cleaners.load_config(config) if config else None
    out_root = os.path.abspath(out)
    os.makedirs(out_root, exist_ok=True)
    lock = OutLock.acquire(out_root)  # one run per OUT at a time (reliability: issue 6)
    _sweep_tmp(out_root, stale_seconds=0)  # the lock is ours: temp files left are a killed run's
    log = runlog.RunLog(out_root)
    engine_log = runlog.EngineLog(log.engine_log_path).__enter__()  # Prefect's messages: a file, not the terminal
    # outputs cleaned with and without profiles differ: switching must not skip them as unchanged
    config_fp = config_fingerprint(cfg) + ("" if profiles else "+no-profiles")
    summary = _new_summary(log, inputs, out_root, n, config_fp, config, force, distributed)
    opts = worker.Options(out_root=out_root, pipeline_version=cleaners.pipeline_version(),
                          config_fp=config_fp, config=cfg, time_limit=time_limit,
                          memory_limit=memory_limit if not distributed else None, durable=durable)
    bar, found = console.Bar(progress), Discovery()
    spool = LineSpool(output.tmp_dir(out_root)) if jsonl else None
    r = _Run(t0, logger, out_root, log, summary, opts, bar, found, spool, spools=[spool] if spool else [])
    try:
        sources = iter_sources(inputs, exclude=[out_root] + ([os.path.abspath(jsonl)] if jsonl else []),
                               found=found)
        with Manifest(out_root) as man:
            planner = Planner(man.get, out_root=out_root, pipeline_version=opts.pipeline_version,
                              config_fp=opts.config_fp, force=force, max_bytes=max_size, on_error=r.plan_error,
                              on_output=spool.add if spool else None, refresh=man.refresh_stat)
            # streaming: documents are discovered, read, hashed and batched as the batches are
            # submitted, a bounded window ahead of the workers; nothing holds every document
            # (issue 5, figure 5). The profiling stage needs every document's site before the
            # first is cleaned: with profiles the whole plan is made first, into a spool on disk.
            stream = iter_batches(_planned(r, planner, sources), workers=n, max_docs=batch_docs)
            if profiles:
                book, known, sited = _sited_batches(r, stream, cfg, rebuild_profiles)
            else:
                book, (known, sited) = None, _first_batches(stream, n)
            t_plan = time.perf_counter()
            r.flush_found()
            _choose_engine(r, n, known, distributed)
            # at most a few batches in flight: the next is always queued when a worker frees up
            # (the task runner has workers + 1 threads), and no more are held than that
            in_flight = 2 * n + 2
            if book is not None:
                summary["profiles"] = _profile_stage(book, sited, pool=r.pool_key, logger=logger, ahead=in_flight)
            t_prof = time.perf_counter()
            batches_done = _clean_batches(r, man, planner, sited, book, in_flight)
            if r.pool_key:
                summary["workers_replaced"] = _POOLS[r.pool_key].replaced
            _stale_outputs(r, man, planner, prune)
            _count(summary, planner, found, batches_done)
        bar.stop()
        if book is not None:  # the documents counted from their output (sites too small to learn yet)
            summary["profiles"]["files_written"] += book.save()
            summary["profiles"]["documents_profiled"] = book.profiled
        t_clean = time.perf_counter()
        if jsonl:
            summary["jsonl"] = os.path.abspath(jsonl)
            summary["jsonl_documents"] = write_jsonl(jsonl, out_root, (o for o in spool if o not in r.failed_outs))
        summary["timings"] = _timings(r, t_plan, t_prof, t_clean)
        return _report(r, review)
    finally:
        _close(r, engine_log, lock)


def _close(r: _Run, engine_log, lock: OutLock) -> None:
    """Whatever happened: the bar, the engine log, the spools, the workers, OUT's lock."""
    r.bar.stop()
    engine_log.__exit__(None, None, None)
    for sp in r.spools:
        sp.close()
    if r.pool_key:
        _POOLS.pop(r.pool_key).shutdown(wait=True, cancel_futures=True)
    lock.release()


def _new_summary(log: runlog.RunLog, inputs: list[str], out_root: str, n: int, config_fp: str, config,
                 force: bool, distributed: bool) -> dict:
    summary = runlog.new_summary()
    summary.update(run=log.name, inputs=inputs, out=out_root, workers=n, workers_requested=n,
                   pipeline_version=cleaners.pipeline_version(),
                   config=config_fp, config_file=config, force=force,
                   engine="dask" if distributed else "in-process")
    return summary


def _planned(r: _Run, planner: Planner, sources):
    """The planner's items; once the last input is read, when (the totals are known then)."""
    yield from planner.items(sources)
    r.marks["planned"] = time.perf_counter() - r.t0


def _sited_batches(r: _Run, stream, cfg, rebuild: bool) -> tuple:
    """With profiles: every batch planned first, with its documents' sites, into a spool on disk
    -> (the site book, or None when there is nothing to clean; how many batches; the spool)."""
    book = site_profiles.Profiles(r.out_root, rebuild=rebuild, thresholds=cfg.profile_thresholds() if cfg else None)
    sited = BatchSpool(output.tmp_dir(r.out_root))
    r.spools.append(sited)
    for b in stream:
        sited.add(b, book.note_batch(b))
    known = len(sited)
    return (book if known else None), known, sited


def _first_batches(stream, n: int) -> tuple:
    """Without profiles: the first few batches planned (enough to choose the engine), the rest as
    the cleaning goes -> (batches known so far, all of them when fewer than asked for; (batch, no sites)...)."""
    head = list(itertools.islice(stream, max(2, n)))
    return len(head), ((b, ()) for b in itertools.chain(head, stream))


def _choose_engine(r: _Run, n: int, known: int, distributed: bool) -> None:
    """More than one batch: clean in worker processes, even with one worker. In this process
    Prefect's threads (API client, events, logs, heartbeat) take the GIL from the cleaning thread:
    measured 44-74 s for the same 10,000 documents in-process, against a steady 42-45 s plain loop
    (bench/RESULTS.md, "Flows") (a single batch too when the CLI has started workers already:
    then a page that kills or hangs its process costs that page, not the run)."""
    if not distributed and (known > 1 or (known and worker_pool.prestarted())):
        r.pool_key, _ = _start_pool(min(n, known), r.opts)
        r.summary.update(engine="processes", workers=min(n, known))
    else:
        worker_pool.discard()  # workers the CLI started early are not needed
        if not distributed:  # one batch: cleaned right here, in the flow's process
            r.summary["workers"] = 0


def _clean_batches(r: _Run, man: Manifest, planner: Planner, sited, book, in_flight: int) -> int:
    """Submit the batch tasks, at most ``in_flight`` at a time, and take in each one's stats as it
    ends (manifest rows, errors, counters, profile counts). Returns how many batches ran."""
    r.bar.start(None)  # the total is known once the planner has read the last input
    batches_done = 0
    pending: dict = {}
    todo = iter(sited)
    planned = False
    while True:
        while len(pending) < in_flight:
            b, sites = next(todo, (None, None))
            if b is None:
                break
            pending[clean_batch.submit(worker.Job(b, _with_profiles(r.opts, b, sites, book)), r.pool_key)] = (
                b, sites)
        r.flush_found()
        if not planned and "planned" in r.marks:
            planned = True
            r.bar.set_total(planner.todo)
            r.logger.info("%d files, %d documents: %d to clean, %d unchanged, %d refused",
                          planner.files, planner.documents, planner.todo, planner.skipped, planner.errors)
        if not pending:
            return batches_done
        fut = next(as_completed(list(pending)))
        batch, sites = pending.pop(fut)
        batches_done += 1
        try:
            st = fut.result()
        except Exception as exc:  # noqa: BLE001
            st = _after_crash(exc, batch, _with_profiles(r.opts, batch, sites, book), r.pool_key)
        man.record(st.done)
        if book is not None and st.profile_counts:
            book.add(st.profile_counts)
        r.log.add_errors(st.errors)
        r.failed_outs.update(st.failed_outputs)
        runlog.add_batch(r.summary, st)
        r.bar.advance(st.documents)


def _stale_outputs(r: _Run, man: Manifest, planner: Planner, prune: bool) -> None:
    """Outputs whose input is gone: counted, or with ``prune`` removed (files, then rows)."""
    gone = stale.find(man.inputs(), planner.claimed, planner.feeds_read)
    if prune and gone:
        man.forget(stale.prune(r.out_root, gone))
        r.summary.update(pruned=len(gone), pruned_outputs=gone)
        r.logger.info("pruned %d outputs whose inputs are gone", len(gone))
    else:
        r.summary["stale"] = len(gone)


def _count(summary: dict, planner: Planner, found: Discovery, batches_done: int) -> None:
    """The run's document counts, from the planner and the discovery."""
    discovery_errors = summary.pop("discovery_errors", 0)
    summary.update(files=planner.files, ignored=found.ignored, documents=planner.documents + discovery_errors,
                   skipped=planner.skipped, batches=batches_done)
    summary["failed"] += discovery_errors + planner.errors
    if planner.warc_skipped:  # WARC records that are not documents (request, image...), by type
        summary["warc_records_skipped"] = dict(sorted(planner.warc_skipped.items()))


def _timings(r: _Run, t_plan: float, t_prof: float, t_clean: float) -> dict:
    return {"plan": round(t_plan - r.t0, 3), "profile": round(t_prof - t_plan, 3),
            "clean": round(t_clean - t_prof, 3),
            # discovery and planning run alongside the cleaning, a window ahead:
            # when the last input had been read (since the start)
            "planned": round(r.marks.get("planned", 0.0), 3),
            "total": round(time.perf_counter() - r.t0, 3),
            # this process's CPU seconds since it started (imports included, the
            # workers' not): what the parent costs beside the cleaning
            "process_cpu": round(time.process_time(), 3)}


def _report(r: _Run, review: bool) -> dict:
    """The review page if asked, the run log, the markdown artifact and the closing log line."""
    summary = r.summary
    ctx = FlowRunContext.get()
    if ctx and ctx.flow_run:
        summary["flow_run"] = {"id": str(ctx.flow_run.id), "name": ctx.flow_run.name}
    if review:
        _review(r.out_root, summary, r.logger)
    if os.path.exists(r.log.engine_log_path):
        summary["engine_log"] = os.path.relpath(r.log.engine_log_path, r.out_root)
    summary["run_log"] = r.log.finish(summary)
    create_markdown_artifact(runlog.markdown(summary), key="declutter-run-summary",
                             description=f"declutter run {r.log.name}: {r.out_root}")
    r.logger.info("cleaned %d, skipped %d, failed %d in %.1f s", summary["cleaned"], summary["skipped"],
                  summary["failed"], summary["timings"]["total"])
    return summary


def _after_crash(exc: Exception, batch, opts: worker.Options, pool_key) -> worker.BatchStats:
    """A batch task that failed as a whole. A lost Dask worker (Dask already resubmitted it
    ``distributed.scheduler.allowed-failures`` times): find the document that kills workers by
    running the batch again in parts (flows.supervise). Anything else: its documents failed."""
    if supervise.lost_worker(exc) is not None:
        try:
            return supervise.clean(lambda b: clean_batch.submit(worker.Job(b, opts), pool_key).result(), batch, opts)
        except Exception as again:  # noqa: BLE001
            exc = again
    st = worker.BatchStats(index=batch.index, documents=len(batch.items))
    for i in batch.items:
        st.fail(i, error(i.source, "batch", f"batch {batch.index} crashed: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}", path=i.path, kind=type(exc).__name__))
    return st


def _review(out_root: str, summary: dict, logger) -> None:
    from flows.review import build

    t0 = time.perf_counter()
    try:
        summary["review"] = build(out_root).index
        summary.setdefault("timings", {})["review"] = round(time.perf_counter() - t0, 3)
    except Exception as exc:  # noqa: BLE001 - the documents are written; say why the page is not
        summary["review_error"] = f"{type(exc).__name__}: {exc}"
        logger.warning("review page not written: %s", summary["review_error"])


def _with_profiles(opts: worker.Options, batch, sites, book) -> worker.Options:
    """The batch's options carrying only its own documents' profiles (shared objects pickle once)
    and the documents to count from their output."""
    if book is None:
        return opts
    mine = book.profiles_for(batch, sites)
    later = book.count_later(batch, sites)
    return dataclasses.replace(opts, profiles=mine or None, count_sites=later or None) if mine or later else opts


@flow(name="clean-folder", persist_result=False, log_prints=False,
      task_runner=ThreadPoolTaskRunner(max_workers=default_workers() + 1))
def clean_folder(inputs: list[str] | None = None, out: str = DEFAULT_OUT, force: bool = False,
                 config: str | None = None, jsonl: str | None = None, workers: int | None = None,
                 batch_docs: int = 250, progress: bool = False, profiles: bool = True,
                 rebuild_profiles: bool = False, max_size: int | None = DEFAULT_MAX_BYTES,
                 time_limit: float | None = worker.DOC_TIME_LIMIT,
                 memory_limit: int | None = worker_pool.DEFAULT_MEMORY_MIB * 2**20, durable: bool = True,
                 prune: bool = False, review: bool = False) -> dict:
    """Clean every document under ``inputs`` into ``out`` (one CleanDocument JSON per document).

    Unchanged documents are skipped (``force`` redoes them); the run summary
    goes to ``out/_runs/`` and to a markdown artifact. Each site's boilerplate
    is learned from its pages first (``out/_profiles/``; ``profiles=False`` to
    skip, ``rebuild_profiles`` to start them over); ``review`` writes ``out/_review/index.html``,
    linked from the artifact.
    """
    ctx = FlowRunContext.get()
    distributed = ctx is not None and not isinstance(ctx.task_runner, ThreadPoolTaskRunner)
    return run(inputs, out, force=force, config=config, jsonl=jsonl, workers=workers, batch_docs=batch_docs,
               progress=progress, distributed=distributed, profiles=profiles, rebuild_profiles=rebuild_profiles,
               max_size=max_size, time_limit=time_limit, memory_limit=memory_limit, durable=durable, prune=prune,
               review=review)
