"""``python -m flows.golden record|check|accept``: golden tests for your own samples and rules.

    python -m flows.golden record scraped/*.html feeds/news.jsonl --goldens goldens/ --config declutter.toml
    python -m flows.golden check --goldens goldens/          # exit 1 and a paragraph diff when any differs
    python -m flows.golden accept --goldens goldens/ story   # after review: rewrite the named goldens

Exit codes: 0 all fine, 1 some case differs or failed, 2 usage error (one line).
"""
from __future__ import annotations

import argparse
import sys

from flows.cli import Parser

PROG = "python -m flows.golden"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = Parser(prog=prog, description="Golden tests for your own samples and cleaner rules: record what the "
                "cleaners decide for each sample, check it again after a change, accept what you reviewed.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{record,check,accept}", parser_class=Parser)
    r = sub.add_parser("record", help="store samples and their expected documents as goldens",
                       description="Store each document of SAMPLES (text, HTML, JSON/JSONL feeds, also .gz) as a "
                       "case of the goldens folder: its input and its expected document (text, removals by cleaner "
                       "and rule, metadata).")
    r.add_argument("samples", nargs="+", metavar="SAMPLES", help="files, folders (walked recursively) or globs")
    r.add_argument("--force", action="store_true", help="record again the samples whose case already exists")
    c = sub.add_parser("check", help="clean every case again and report what changed",
                       description="Clean every case (or the named ones) again; exit 1 with a paragraph diff naming "
                       "the cleaner and rule that now removes or keeps each changed paragraph.")
    a = sub.add_parser("accept", help="rewrite the goldens of reviewed cases from the output now",
                       description="Rewrite the goldens of the named cases (all when none is named) from what the "
                       "cleaners decide now. Review `check` first; known failures (xfail) are left as written.")
    for s in (c, a):
        s.add_argument("cases", nargs="*", metavar="CASE", help="case names (folders under DIR); default: all")
    for s in (r, c, a):
        s.add_argument("--goldens", required=True, metavar="DIR", help="the goldens folder")
    r.add_argument("--config", metavar="FILE", help="cleaners configuration (TOML), kept with the goldens")
    c.add_argument("--config", metavar="FILE",
                   help="check with this config instead of the one kept with the goldens")
    a.add_argument("--config", metavar="FILE",
                   help="accept with this config and keep it with the goldens (all cases move to it)")
    for s in (r, c, a):
        s.add_argument("--quiet", "-q", action="store_true", help="only what differs or failed, and the summary")
    return p


def _usage(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def _print_outcomes(outcomes, quiet: bool) -> int:
    from .actions import DIFFERS, ERROR, MISSING, PASS, XFAIL, XPASS

    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if o.status == PASS or (o.status == XFAIL and quiet):
            continue
        about = f"  ({o.case.about})" if o.case.about else ""
        head = {DIFFERS: "DIFFERS", MISSING: "NO GOLDEN", ERROR: "ERROR", XPASS: "XPASS",
                XFAIL: "xfail"}[o.status]
        print(f"{head} {o.case.name}{about}")
        if o.status == XFAIL:
            print(f"  known failure: {o.case.xfail}")
        else:
            print("\n".join("  " + line for line in o.report.splitlines()))
        print()
    failed = sum(1 for o in outcomes if o.failed)
    parts = [f"{n} {s}" for s, n in sorted(counts.items())]
    print(f"{len(outcomes)} goldens: {', '.join(parts)}" + (
        f"; review, then `accept` the cases you agree with" if counts.get(DIFFERS) or counts.get(MISSING) else ""))
    return 1 if failed else 0


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    args = build_parser(prog).parse_args(argv)
    from cleaners import ConfigError
    from flows.discover import UsageError

    from . import actions
    from .store import GoldenError, Goldens

    goldens = Goldens(args.goldens)
    try:
        if args.command == "record":
            done = actions.record(args.samples, goldens, args.config, force=args.force)
            for case in done.recorded:
                if not args.quiet:
                    print(f"recorded {case.name}  ({case.kind}, from {case.options.get('sample', '?')})")
            for name in done.existing:
                print(f"kept {name}: the case exists (check it, or record --force to replace it)")
            for e in done.errors:
                print(f"{e.get('source')}: {e.get('stage')}: {e.get('reason')}", file=sys.stderr)
            print(f"{len(done.recorded)} recorded in {goldens.root}, {len(done.existing)} already there, "
                  f"{len(done.errors)} failed")
            return 1 if done.errors else 0
        if args.command == "check":
            note = actions.config_note(goldens, args.config)
            if note:
                print(f"note: {note}\n")
            return _print_outcomes(actions.check(goldens, args.cases, args.config), args.quiet)
        done = actions.accept(goldens, args.cases, args.config)
        rewritten = [c.name for c, changed in done if changed]
        for name in rewritten:
            print(f"accepted {name}")
        kept = [c.name for c, _ in done if c.xfail]
        print(f"{len(rewritten)} of {len(done)} goldens rewritten" +
              (f"; {len(kept)} known failures (xfail) left as written" if kept else ""))
        return 0
    except (GoldenError, ConfigError, UsageError) as exc:
        return _usage(prog, str(exc).splitlines()[0] + (" (...)" if "\n" in str(exc) else ""))


if __name__ == "__main__":
    sys.exit(main())
