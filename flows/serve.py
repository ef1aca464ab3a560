"""``python -m flows.serve INPUT... --out DIR (--cron EXPR | --interval SECONDS)``: scheduled runs.

Serves ``clean_folder`` as a deployment (``flow.serve``) against the Prefect
server in ``PREFECT_API_URL``; every scheduled run is incremental, so it only
pays for new or changed documents. A schedule needs a long-running server
(``prefect server start``): a temporary one would vanish with this process,
so without ``PREFECT_API_URL`` this exits with code 2 and says so.
At most one run is in flight at a time (they share OUT).
"""
from __future__ import annotations

import argparse
import os
import sys

from flows import settings
from flows.cli import Parser

PROG = "python -m flows.serve"

NO_SERVER = ("a schedule needs a running Prefect server: start one with `prefect server start` and set "
             "PREFECT_API_URL=http://127.0.0.1:4200/api (a temporary server cannot keep a schedule)")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog=PROG, description="Serve the clean-folder flow on a schedule (Prefect deployment).")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders, files or globs to clean on every run")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "*/15 * * * *"')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    p.add_argument("--name", default="declutter", help="deployment name (default: declutter)")
    p.add_argument("--config", metavar="FILE", help="cleaners configuration (TOML)")
    p.add_argument("--jsonl", metavar="FILE", help="also write every document to one JSON-lines file")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes per run (default: cores)")
    return p


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _reachable(url: str) -> str | None:
    import httpx

    try:
        r = httpx.get(url.rstrip("/") + "/health", timeout=10)
        r.raise_for_status()
    except Exception as exc:  # noqa: BLE001
        return f"cannot reach the Prefect server at {url} ({type(exc).__name__}); is `prefect server start` running?"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.interval is not None and args.interval <= 0:
        return _usage("--interval must be positive")
    if args.workers is not None and args.workers < 1:
        return _usage("--workers must be at least 1")
    settings.apply_defaults()
    from cleaners import ConfigError, load_config
    from flows.discover import UsageError, check_inputs

    try:
        check_inputs(args.inputs)
        if args.config:
            load_config(args.config)
    except (UsageError, ConfigError) as exc:
        return _usage(str(exc).splitlines()[0])
    if args.cron:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=args.cron)
        except ValueError:
            return _usage(f"not a cron expression: {args.cron!r}")
    url = settings.configured_api_url()
    if not url:
        return _usage(NO_SERVER)
    problem = _reachable(url)
    if problem:
        return _usage(problem)

    from flows.clean.flow import clean_folder

    absolute = [p if os.path.isabs(p) else os.path.abspath(p) for p in args.inputs]
    params = {"inputs": absolute, "out": os.path.abspath(args.out), "workers": args.workers,
              "config": os.path.abspath(args.config) if args.config else None,
              "jsonl": os.path.abspath(args.jsonl) if args.jsonl else None}
    schedule = {"cron": args.cron} if args.cron else {"interval": args.interval}
    print(f"serving clean-folder/{args.name} against {url}: {', '.join(absolute)} -> {params['out']} "
          f"({'cron ' + args.cron if args.cron else f'every {args.interval:g} s'}); Ctrl-C stops", flush=True)
    clean_folder.serve(name=args.name, parameters=params, pause_on_shutdown=False, limit=1,
                       print_starting_message=False, **schedule)
    return 0


if __name__ == "__main__":
    sys.exit(main())
