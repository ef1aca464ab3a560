"""``python -m flows.review OUT``: write OUT/_review/ (index.html and pages) from the documents in OUT.

Exit codes: 0 written, 2 usage error (one line on stderr), 3 OUT is in use by a run
(the review would read it half-written; ``python -m flows.clean --review`` builds it at
the end of the run instead).
"""
from __future__ import annotations

import argparse
import os
import sys

from flows.cli import Parser

PROG = "python -m flows.review"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    from .build import PER_PAGE

    p = Parser(prog=prog, description="Write a static review page of a cleaned folder: every document with "
                "its removed blocks shown in place, struck through, with the rule and reason beside each "
                "(OUT/_review/index.html; opens from file://, no network).")
    p.add_argument("out", metavar="OUT", help="a folder written by python -m flows.clean")
    p.add_argument("--per-page", type=int, default=PER_PAGE, metavar="N",
                   help=f"documents per page at most (default {PER_PAGE})")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing when all is well")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.per_page < 1:
        print(f"{PROG}: error: --per-page must be at least 1", file=sys.stderr)
        return 2
    if not os.path.isdir(args.out):
        print(f"{PROG}: error: {args.out} is not a folder", file=sys.stderr)
        return 2
    from flows.lock import OutLock, OutputBusy

    from .build import build

    try:
        lock = OutLock.acquire(os.path.abspath(args.out))
    except OutputBusy as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 3
    try:
        review = build(args.out, per_page=args.per_page)
    finally:
        lock.release()
    if not args.quiet:
        print(f"{review.documents} documents on {review.pages} pages, {review.blocks_removed} removals: {review.uri}")
    if review.unreadable:
        print(f"{PROG}: {review.unreadable} files under {args.out} are not documents (listed on the index)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
