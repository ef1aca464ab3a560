"""A batch whose worker dies or hangs costs the document that did it, never the batch.

Plain Python, no Prefect: ``clean(run, batch, opts)`` runs ``worker.clean_batch`` through
``run(batch) -> BatchStats`` (``flows.pool.Pool.run`` in the flow's worker processes, or a
Dask task), and when that raises ``pool.WorkerLost`` (or another lost-worker exception, see
``lost_worker``):

- the worker named the document it was cleaning (``WorkerLost.index``): the documents before
  it are cleaned again (their stats died with the worker; their outputs, already written, are
  rewritten byte for byte), the document is retried alone in a fresh worker up to
  ``retries`` times, and the rest of the batch goes on. A document that kills its worker every
  time is recorded: "worker died (SIGKILL) while cleaning this document; retried 2x";
- a worker killed because one document outlived the hard time limit (a stuck C call): that
  document is recorded as ``TimeLimit`` at once (a hang is not retried: it would hang again);
- the worker named no document (Dask, or a death between documents): the batch is retried,
  and split in halves when it dies again, until the document that kills it is alone.

Every retry is counted in ``BatchStats.retries``; merged stats are those of one clean run.
"""
from __future__ import annotations

from collections.abc import Callable

from . import worker
from .batches import Batch
from .plan import error
from .pool import WorkerLost

DEFAULT_RETRIES = 2
MAX_IDLE_LOSSES = 10  # deaths of a worker before it started the document, per document, not counted


def lost_worker(exc: BaseException) -> WorkerLost | None:
    """``exc`` as a WorkerLost when it says a worker process was lost (ours, a broken
    ``ProcessPoolExecutor``, or a Dask ``KilledWorker``), else None."""
    if isinstance(exc, WorkerLost):
        return exc
    name = type(exc).__name__
    if name in ("KilledWorker", "BrokenProcessPool"):
        return WorkerLost(f"worker lost ({name})", None, named=False)
    return None


def _strike(lost: WorkerLost) -> bool:
    """The loss is evidence against the document: it was on it, or the runner cannot say."""
    return lost.index is not None or not lost.named


def merge(into: worker.BatchStats, st: worker.BatchStats) -> None:
    """Add one part's stats to the batch's."""
    for name in ("documents", "cleaned", "failed", "blocks_in", "blocks_removed", "chars_in", "chars_kept",
                 "seconds", "empty", "retries"):
        setattr(into, name, getattr(into, name) + getattr(st, name))
    for counts in ("removed_by_cleaner", "removed_by_rule"):  # (per rule: once main's rule ids are in)
        have = getattr(into, counts, None)
        for name, n in getattr(st, counts, {}).items():
            have[name] = have.get(name, 0) + n
    into.errors.extend(st.errors)
    into.done.extend(st.done)
    into.failed_outputs.extend(st.failed_outputs)
    for site, counts in st.profile_counts.items():
        have = into.profile_counts.get(site)
        into.profile_counts[site] = counts if have is None else have.merge(counts)


def _died(item, lost: WorkerLost, tries: int) -> dict:
    again = f"; retried {tries - 1}x" if tries > 1 else ""
    return error(item.source, "clean", f"{lost.how} while cleaning this document{again}", path=item.path,
                 kind="WorkerDied")


def clean(run: Callable[[Batch], worker.BatchStats], batch: Batch, opts: worker.Options, *,
          retries: int = DEFAULT_RETRIES) -> worker.BatchStats:
    """``run(batch)``, surviving lost workers (see the module's docstring)."""
    total = worker.BatchStats(index=batch.index)

    def failed(item, err: dict) -> None:
        total.documents += 1
        total.fail(item, err)

    def attempt(items: tuple, whole_tries: int = 0) -> None:
        if not items:
            return
        try:
            merge(total, run(Batch(batch.index, items)))
            return
        except BaseException as exc:  # noqa: BLE001 - only a lost worker is handled here
            lost = lost_worker(exc)
            if lost is None:
                raise
        i = lost.index
        if i is not None and 0 <= i < len(items):
            if lost.timed_out:  # a hang: recorded, not retried
                failed(items[i], _hung(items[i], opts))
            else:
                alone(items[i], lost)
            total.retries += i  # the ones before it, cleaned again
            attempt(items[:i])
            attempt(items[i + 1:])
            return
        if len(items) == 1:  # the one document of the batch, not named: as if it had been
            alone(items[0], lost)
            return
        total.retries += len(items)
        if whole_tries < 1:  # it may have been the machine, not a document: once more as it was
            attempt(items, whole_tries + 1)
            return
        half = len(items) // 2  # again: split until the document that kills its worker is alone
        attempt(items[:half], whole_tries + 1)  # (the parts are not retried whole: the batch was)
        attempt(items[half:], whole_tries + 1)

    def alone(item, lost: WorkerLost) -> None:
        # a strike is a death while cleaning this document; a worker of ours that died before
        # starting it (killed while it booted, say) is no evidence against it: tried again,
        # up to MAX_IDLE_LOSSES times. A Dask loss cannot tell: it always counts.
        tries = 1 if _strike(lost) else 0
        idle = 0
        while tries <= retries:
            total.retries += 1
            try:
                merge(total, run(Batch(batch.index, (item,))))
                return
            except BaseException as exc:  # noqa: BLE001
                again = lost_worker(exc)
                if again is None:
                    raise
                if again.timed_out:
                    failed(item, _hung(item, opts))
                    return
                if _strike(again) or idle >= MAX_IDLE_LOSSES:
                    tries += 1
                    lost = again
                else:
                    idle += 1
        failed(item, _died(item, lost, tries))

    attempt(batch.items)
    return total


def profile(run: Callable[[Batch], object], batch: Batch):
    """A profiling batch (``run`` -> ProfileBatch) that survives lost workers: the document a
    lost worker names is left out (the cleaning stage meets it again and records it), an
    unnamed loss is retried once; a second unnamed loss raises (a warning of the stage)."""
    dropped, unnamed = 0, 0
    while True:
        try:
            res = run(batch)
            res.failed += dropped
            return res
        except BaseException as exc:  # noqa: BLE001
            lost = lost_worker(exc)
            if lost is None:
                raise
            i = lost.index
            if i is None or not 0 <= i < len(batch.items):
                unnamed += 1
                if unnamed > 1:
                    raise
                continue
            batch = Batch(batch.index, batch.items[:i] + batch.items[i + 1:])
            dropped += 1


def _hung(item, opts: worker.Options) -> dict:
    reason = worker.time_limit_reason(opts.time_limit)
    return error(item.source, "clean", reason + ", stuck where it could not be interrupted: its worker was "
                 "killed and replaced", path=item.path, kind="TimeLimit")
