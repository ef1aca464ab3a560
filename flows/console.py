"""What a person sees on a terminal: a progress bar, the summary table, ``--explain``."""
from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table
from rich.text import Text


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} docs/s" if speed else "- docs/s", style="progress.data.speed")


class Bar:
    """A documents progress bar; a no-op when disabled (scripts, --quiet, no terminal)."""

    def __init__(self, enabled: bool, console: Console | None = None):
        self.enabled = enabled
        self._p = None
        self._task = None
        self._console = console or Console(stderr=True)

    def start(self, total: int | None, skipped: int = 0) -> None:
        """``total`` None: not known yet (the run plans as it goes); ``set_total`` once it is."""
        if not self.enabled:
            return
        self._p = Progress(TextColumn("[bold]cleaning"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                           TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                           console=self._console, transient=False)
        self._p.start()
        self._task = self._p.add_task("clean", total=total)

    def set_total(self, total: int) -> None:
        if self._p is not None:
            self._p.update(self._task, total=total)

    def advance(self, n: int) -> None:
        if self._p is not None:
            self._p.advance(self._task, n)

    def stop(self) -> None:
        if self._p is not None:
            self._p.stop()
            self._p = None


def summary_table(summary: dict) -> Table:
    t = summary.get("timings", {})
    table = Table(title=f"declutter: {summary.get('out', '')}", show_edge=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    rows = [("documents", summary["documents"]), ("cleaned", summary["cleaned"])]
    rows += [("  of them empty", summary["empty"])] if summary.get("empty") else []
    rows += [("skipped (unchanged)", summary["skipped"]), ("failed", summary["failed"])]
    rows += [("stale outputs (inputs gone)", summary["stale"])] if summary.get("stale") else []
    rows += [("pruned (inputs gone)", summary["pruned"])] if summary.get("pruned") else []
    rows += [("retried after a worker died", summary["retries"])] if summary.get("retries") else []
    rows += [("blocks removed", summary["blocks_removed"])]
    for name, value in rows:
        style = "red" if name == "failed" and value else None
        table.add_row(name, f"{value:,}", style=style)
    for name, n in sorted(summary["removed_by_cleaner"].items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(f"  {name}", f"{n:,}", style="dim")
    skipped_records = summary.get("warc_records_skipped") or {}
    if skipped_records:
        table.add_row("WARC records skipped", f"{sum(skipped_records.values()):,}")
        for key, n in skipped_records.items():
            table.add_row(f"  {key}", f"{n:,}", style="dim")
    if summary.get("ignored"):
        table.add_row("ignored paths", f"{len(summary['ignored']):,}")
    table.add_row("time", f"{t.get('total', 0):.1f} s")
    if summary.get("cleaned") and t.get("clean"):
        rate = summary["cleaned"] / t["clean"]
        table.add_row("rate", f"{rate:,.0f} docs/s" if rate >= 10 else f"{rate:.2f} docs/s")
    return table


FAILURE_LINES = 10  # failures printed one line each after the table; the rest are counted


def failure_line(e: dict) -> str:
    """One failure in one line: where, what, why (the reason's first line)."""
    reason = (e.get("reason") or "").splitlines()[0] if e.get("reason") else ""
    return f"{e.get('source')}: {e.get('error')}: {reason}"


def print_summary(summary: dict, console: Console | None = None) -> None:
    console = console or Console()
    console.print(summary_table(summary))
    errors = summary.get("errors") or []
    for e in errors[:FAILURE_LINES]:
        console.print(Text("  failed  " + failure_line(e), style="red"))
    more = summary.get("errors_total", len(errors)) - min(len(errors), FAILURE_LINES)
    if more > 0:
        console.print(Text(f"  ... and {more:,} more", style="red"))
    if summary.get("errors_file"):
        console.print(f"[red]{summary['failed']} failed[/red]: see {summary['out']}/{summary['errors_file']}")
    console.print(f"run log: {summary.get('run_log', '')}", style="dim")


def explain(doc, console: Console | None = None) -> None:
    """Print one document's removals, cleaner by cleaner, in chain order."""
    from cleaners import CLEANER_NAMES

    console = console or Console()
    s = doc.stats
    console.print(f"[bold]{doc.source or doc.url or doc.id[:12]}[/bold]  title: {doc.title!r}  "
                  f"language: {doc.language}  published: {doc.published}")
    console.print(f"{s.blocks_in} blocks in, {s.blocks_kept} kept, {s.blocks_removed} removed")
    order = {name: i for i, name in enumerate(CLEANER_NAMES)}
    by: dict[str, list] = {}
    for r in doc.removed:
        by.setdefault(r.cleaner, []).append(r)
    if not by:
        console.print("nothing removed")
    for name in sorted(by, key=lambda n: (order.get(n, len(order)), n)):
        console.rule(f"{name} ({len(by[name])})", align="left")
        for r in sorted(by[name], key=lambda r: r.position):
            text = r.text if len(r.text) <= 160 else r.text[:157] + "..."
            console.print(f"  #{r.position:<4} [cyan]{r.kind}[/cyan] [dim]{r.rule}[/dim] {r.reason}", highlight=False)
            console.print(Text("        " + text, style="dim"))
