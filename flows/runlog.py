"""The run's record: ``OUT/_runs/<UTC timestamp>.json`` and ``<timestamp>.errors.jsonl``.

The summary holds counts, per-cleaner removals, timings and the errors (the
first few inline, all of them in the errors file, one JSON object a line,
appended as batches finish so a killed run still leaves its errors behind).
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

from .discover import printable
from .output import atomic_write, tmp_dir

INLINE_ERRORS = 20


def stamp(when: datetime | None = None) -> str:
    when = when or datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


class RunLog:
    def __init__(self, out_root: str, started: datetime | None = None):
        self.started = started or datetime.now(timezone.utc)
        self.dir = os.path.join(out_root, "_runs")
        self.name = stamp(self.started)
        self.summary_path = os.path.join(self.dir, self.name + ".json")
        self.errors_path = os.path.join(self.dir, self.name + ".errors.jsonl")
        self.engine_log_path = os.path.join(self.dir, self.name + ".engine.log")  # see EngineLog
        self.errors: list[dict] = []  # the first INLINE_ERRORS; the rest are only in the file
        self.count = 0

    def add_errors(self, errors: list[dict]) -> None:
        if not errors:
            return
        os.makedirs(self.dir, exist_ok=True)
        with open(self.errors_path, "a", encoding="utf-8") as f:
            for e in errors:
                f.write(json.dumps(_printable(e), ensure_ascii=False, sort_keys=True) + "\n")
        self.errors.extend(errors[:max(0, INLINE_ERRORS - len(self.errors))])
        self.count += len(errors)

    def finish(self, summary: dict) -> str:
        body = summary  # filled in place, so the caller's summary says the same
        body["started"] = self.started.isoformat()
        body["finished"] = datetime.now(timezone.utc).isoformat()
        body["errors"] = self.errors[:INLINE_ERRORS]
        body["errors_total"] = self.count
        body["errors_file"] = os.path.relpath(self.errors_path, os.path.dirname(self.dir)) if self.count else None
        body.update(_printable(body))  # in place: the caller prints it too
        write_summary(self.summary_path, body)
        return self.summary_path


def write_summary(path: str, summary: dict) -> None:
    """The summary file, atomically (again, when the CLI adds what only it knows: its start-up)."""
    atomic_write(path, (json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"),
                 tmp_in=tmp_dir(os.path.dirname(os.path.dirname(path))))


class EngineLog:
    """For the length of a run, Prefect's console messages (its warnings, a failed task's
    traceback) go to ``path`` (``OUT/_runs/<ts>.engine.log``, made only if something is said)
    instead of the terminal, where they would land over the progress bar. Only Prefect's own
    console handler is swapped (recognised by its module, without importing Prefect); the API
    handler still sends the run's logs to the server."""

    def __init__(self, path: str):
        self.path = path
        self._swapped: list[tuple[logging.Logger, logging.Handler]] = []
        self._file: logging.Handler | None = None

    def __enter__(self) -> "EngineLog":
        for name in ("", "uvicorn", "fastapi"):
            lg = logging.getLogger(name)
            for h in list(lg.handlers):
                if type(h).__module__.startswith("prefect.") and isinstance(h, logging.StreamHandler):
                    if self._file is None:
                        os.makedirs(os.path.dirname(self.path), exist_ok=True)
                        self._file = logging.FileHandler(self.path, encoding="utf-8", delay=True)
                        self._file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
                        self._file.setLevel(h.level)
                    lg.removeHandler(h)
                    lg.addHandler(self._file)
                    self._swapped.append((lg, h))
        return self

    def __exit__(self, *exc) -> None:
        for lg, h in self._swapped:
            lg.removeHandler(self._file)
            lg.addHandler(h)
        self._swapped.clear()
        if self._file is not None:
            self._file.close()



def _printable(obj):
    """Strings that came from file names may carry undecodable bytes: make them UTF-8 text."""
    if isinstance(obj, str):
        return printable(obj)
    if isinstance(obj, dict):
        return {_printable(k): _printable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_printable(v) for v in obj]
    return obj


def new_summary() -> dict:
    return {"files": 0, "documents": 0, "cleaned": 0, "empty": 0, "skipped": 0, "failed": 0, "retries": 0,
            "ignored": [],
            "blocks_in": 0, "blocks_removed": 0, "chars_in": 0, "chars_kept": 0,
            "removed_by_cleaner": {}, "removed_by_rule": {}, "work_seconds": 0.0, "timings": {}}


def add_batch(summary: dict, st) -> None:
    """Fold one batch's stats into the run summary."""
    summary["cleaned"] += st.cleaned
    summary["failed"] += st.failed
    summary["empty"] = summary.get("empty", 0) + getattr(st, "empty", 0)
    summary["retries"] = summary.get("retries", 0) + getattr(st, "retries", 0)
    summary["blocks_in"] += st.blocks_in
    summary["blocks_removed"] += st.blocks_removed
    summary["chars_in"] += st.chars_in
    summary["chars_kept"] += st.chars_kept
    # time spent inside worker.clean_batch, summed over batches: set against the clean phase's wall
    # time it shows what orchestration costs, measured in the same run (same machine load)
    summary["work_seconds"] = round(summary.get("work_seconds", 0.0) + st.seconds, 3)
    rbc = summary["removed_by_cleaner"]
    for name, n in st.removed_by_cleaner.items():
        rbc[name] = rbc.get(name, 0) + n
    rbr = summary.setdefault("removed_by_rule", {})
    for name, n in st.removed_by_rule.items():
        rbr[name] = rbr.get(name, 0) + n


def markdown(summary: dict) -> str:
    """The run summary as a markdown table (the Prefect UI artifact)."""
    t = summary.get("timings", {})
    lines = [
        f"### declutter run {summary.get('run', '')}",
        "",
        "| documents | cleaned | skipped | failed | blocks removed | seconds |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {summary['documents']} | {summary['cleaned']} | {summary['skipped']} | {summary['failed']} "
        f"| {summary['blocks_removed']} | {t.get('total', 0):.1f} |",
        "",
        "| cleaner | blocks removed |",
        "|---|---:|",
    ]
    for name, n in sorted(summary["removed_by_cleaner"].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| `{name}` | {n} |")
    if summary.get("removed_by_rule"):
        lines += ["", "| rule | blocks removed |", "|---|---:|"]
        for name, n in sorted(summary["removed_by_rule"].items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| `{name}` | {n} |")
    if summary.get("warc_records_skipped"):
        lines += ["", "WARC records skipped (not documents): " + ", ".join(
            f"{k} {n}" for k, n in summary["warc_records_skipped"].items())]
    if summary.get("errors_file"):
        lines += ["", f"Errors: `{summary['errors_file']}` in `{summary.get('out', '')}`"]
    if summary.get("review"):
        from pathlib import Path

        lines += ["", f"Review page: [`{summary['review']}`]({Path(summary['review']).as_uri()})"]
    return "\n".join(lines) + "\n"
