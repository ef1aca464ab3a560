"""``python -m flows.clean [INPUT ...] [--out DIR]``: clean folders, files or globs.

Exit codes: 0 every document is fine, 1 some failed (the rest are written),
2 usage error (one line on stderr, no traceback), 3 OUT is in use by another run
(one line naming it; nothing was done).
"""
from __future__ import annotations

import argparse
import os
import sys

from flows.cli import Parser

PROG = "python -m flows.clean"


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog=PROG, description="Clean scraped articles (text, HTML, JSONL/JSON feeds, also .gz) "
                "into one CleanDocument JSON per document.")
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="folders (walked recursively), files or globs; default: seeds/")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out/)")
    p.add_argument("--force", action="store_true", help="clean every document, even unchanged ones")
    p.add_argument("--config", metavar="FILE", help="cleaners configuration (TOML)")
    p.add_argument("--jsonl", metavar="FILE", help="also write every document to one JSON-lines file")
    p.add_argument("--workers", type=int, metavar="N",
                   help=f"worker processes (default: number of cores, {os.cpu_count()})")
    p.add_argument("--batch-docs", type=int, default=250, metavar="N",
                   help="documents per Prefect task at most (default 250)")
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                   help="run the batches on this Dask scheduler (needs the [dask] extra)")
    p.add_argument("--no-profiles", action="store_true",
                   help="do not learn or use site profiles (OUT/_profiles is left as it is)")
    p.add_argument("--rebuild-profiles", action="store_true",
                   help="forget the stored site profiles, learn them again from these inputs and "
                        "re-clean every document")
    p.add_argument("--max-size", type=float, default=16, metavar="MIB",
                   help="refuse a document (file or feed record) larger than this many MiB as 'too large' "
                        "(default 16; 0: no limit)")
    p.add_argument("--time-limit", type=float, default=300, metavar="SECONDS",
                   help="give up on a document after this long; a worker stuck past it is killed and "
                        "replaced (default 300; 0: no limit)")
    p.add_argument("--max-memory", type=float, default=4096, metavar="MIB",
                   help="address space each worker process may use; a document needing more fails "
                        "alone (default 4096; 0: no limit)")
    p.add_argument("--no-fsync", action="store_true",
                   help="do not flush outputs to disk before recording them (faster on slow disks; a "
                        "machine crash may then lose or truncate the last batches' outputs)")
    p.add_argument("--prune", action="store_true",
                   help="remove the outputs (and manifest rows) of inputs that no longer exist; "
                        "without it they stay and the summary counts them as stale")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary table")
    p.add_argument("--keep-server", type=float, metavar="MINUTES", dest="keep_server",
                   help="without PREFECT_API_URL: keep the local Prefect server this run starts or reuses "
                        "running in the background until MINUTES without a run (default 10, or "
                        "DECLUTTER_KEEP_SERVER_MINUTES; stop it with: python -m flows.server stop)")
    p.add_argument("--no-keep-server", action="store_const", const=0.0, dest="keep_server",
                   help="without PREFECT_API_URL: a temporary Prefect server for this run only")
    p.add_argument("--explain", metavar="PATH",
                   help="print one document's removals, cleaner by cleaner (an input file or an output .json)")
    p.add_argument("--review", action="store_true",
                   help="also write a static review page of OUT (OUT/_review/index.html); with --explain, "
                        "write that one document's page under OUT/_review/explain/ and print its file:// address")
    return p


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def explain(path: str, config, review_out: str | None = None) -> int:
    from cleaners import CleanDocument, clean_bytes, clean_html
    from flows import console, records

    if records.base_name(path)[1] == ".warc":
        return _usage(f"{path} is a WARC of many documents: explain one of its output .json files instead")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        return _usage(f"cannot read {path}: {exc.strerror}")
    data = records.payload(raw) if records.is_gzip(raw) else raw
    kind = records.sniff(path, data)
    try:
        if kind == "json" or (kind == "jsonl" and data.lstrip().startswith(b"{")):
            try:
                doc = CleanDocument.model_validate_json(data)
            except ValueError:
                return _usage(f"{path} is a feed, not one document: explain its output .json instead")
        elif kind == "html":
            doc = clean_html(data, source=path, config=config)
        else:
            doc = clean_bytes(data, source=path, config=config)
    except Exception as exc:  # noqa: BLE001
        print(f"{PROG}: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    console.explain(doc)
    if review_out is not None:
        from flows.review import document_page, file_uri

        print(file_uri(document_page(doc.model_dump(mode="json"), path, review_out)))
    return 0


def main(argv: list[str] | None = None) -> int:
    import time

    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    if args.workers is not None and args.workers < 1:
        return _usage("--workers must be at least 1")
    if args.batch_docs < 1:
        return _usage("--batch-docs must be at least 1")
    if args.max_size < 0:
        return _usage("--max-size must be 0 (no limit) or more")
    if args.time_limit < 0 or args.max_memory < 0:
        return _usage("--time-limit and --max-memory must be 0 (no limit) or more")
    if args.no_profiles and args.rebuild_profiles:
        return _usage("--no-profiles and --rebuild-profiles contradict each other")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        return _usage(f"--out {args.out} exists and is not a folder")

    from cleaners import ConfigError, load_config
    from flows.discover import UsageError, check_inputs

    config = None
    if args.config:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            return _usage(str(exc).splitlines()[0] + (" (...)" if "\n" in str(exc) else ""))
    if args.explain:
        return explain(args.explain, config, args.out if args.review else None)
    inputs = args.inputs or ["seeds"]
    try:
        check_inputs(inputs)
    except UsageError as exc:
        return _usage(str(exc))
    from flows.lock import OutputBusy, held_by_other

    busy = held_by_other(os.path.abspath(args.out))  # refuse before paying for Prefect's start-up
    if busy:
        print(f"{PROG}: {busy}", file=sys.stderr)
        return 3
    if args.dask_address:
        import importlib.util

        if importlib.util.find_spec("prefect_dask") is None:
            return _usage("--dask-address needs the dask extra: pip install -e '.[dask]'")

    from flows import settings
    from flows.server import for_run

    settings.apply_defaults()
    from flows import runlog

    # boots while the rest of Prefect and the cleaners load (a kept one is reused: no boot); a
    # temporary server's output goes to a file under OUT/_runs
    try:
        temporary = for_run.launch_if_needed(args.keep_server, quiet=args.quiet,
                                             log_path=os.path.join(args.out, "_runs", runlog.stamp() + ".server.log"))
    except for_run.ServerError as exc:
        return _usage(str(exc))
    workers = args.workers or max(1, os.cpu_count() or 1)
    memory_limit = int(args.max_memory * 2**20) or None
    if not args.dask_address:
        from flows import pool

        # the workers spawn and import the cleaners while Prefect loads here (a run of a
        # single batch cleans in-process and leaves them unused: shut down at exit)
        pool.prestart(workers, memory_limit=memory_limit)
    try:
        from flows.clean.flow import clean_folder
        from prefect.task_runners import ThreadPoolTaskRunner
    except BaseException:
        if temporary:
            temporary.stop()
        raise

    if args.dask_address:
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(address=args.dask_address)
    else:
        runner = ThreadPoolTaskRunner(max_workers=workers + 1)  # one batch queued behind the running ones
    interactive = sys.stderr.isatty() and not args.quiet
    max_size = int(args.max_size * 1024 * 1024) or None
    try:
        with for_run.api_server(temporary):
            summary = clean_folder.with_options(task_runner=runner)(
                inputs=inputs, out=args.out, force=args.force, config=args.config, jsonl=args.jsonl,
                workers=workers, batch_docs=args.batch_docs, progress=interactive,
                profiles=not args.no_profiles, rebuild_profiles=args.rebuild_profiles, max_size=max_size,
                time_limit=args.time_limit or None, memory_limit=memory_limit, durable=not args.no_fsync,
                prune=args.prune, review=args.review)
    except OutputBusy as exc:  # another run took OUT between the check above and the flow's start
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 3
    # the whole run as the user waited for it: the server's boot and Prefect's start-up included
    t = summary["timings"]
    t["flow"], t["total"] = t.get("total"), round(time.perf_counter() - started, 3)
    runlog.write_summary(summary["run_log"], summary)
    if not args.quiet:
        from flows import console

        console.print_summary(summary)
        if summary.get("review"):
            from flows.review import file_uri

            print(f"review page: {file_uri(summary['review'])}")
    elif summary["failed"]:
        print(f"{summary['failed']} of {summary['documents']} documents failed: see "
              f"{os.path.join(summary['out'], summary['errors_file'])}", file=sys.stderr)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
