"""``declutter clean|serve|review|golden|explain|server ...``: the package's console command.

A thin dispatcher: each command is the ``main(argv)`` of the module that
``python -m flows.<name>`` runs, imported only when that command is asked for,
so ``declutter explain`` or ``declutter golden`` never import Prefect, and
``declutter --help`` imports nothing at all. ``explain`` is ``flows.clean --explain``.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys

PROG = "declutter"


class Parser(argparse.ArgumentParser):
    """The parser of every command (``python -m flows.*`` and ``declutter *``): a usage error is
    one line on stderr, ``PROG: error: ...``, and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")

# command -> (module whose main(argv) runs it, one line of help)
COMMANDS = {
    "clean": ("flows.clean.__main__", "clean folders, files or globs into one CleanDocument JSON each"),
    "serve": ("flows.serve", "serve the clean flow on a schedule (needs a running Prefect server)"),
    "review": ("flows.review.__main__", "write the review pages (HTML) of an output folder"),
    "golden": ("flows.golden.__main__", "record, check and accept golden tests of your own samples and rules"),
    "explain": ("flows.clean.__main__", "print one document's removals, cleaner by cleaner (clean --explain)"),
    "server": ("flows.server.__main__", "status or stop of the local Prefect server that runs without "
               "PREFECT_API_URL keep in the background"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: {PROG} COMMAND [ARGS ...]", "",
             "Turn raw scraped articles into clean documents, every removal explained.", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", f"`{PROG} COMMAND --help` describes each one; `{PROG} clean` is `python -m flows.clean`, "
              "and so on."]
    return "\n".join(lines)


def _load(command: str):
    """The command's module, or None (after saying why) when this installation lacks it."""
    name = COMMANDS[command][0]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and name.startswith(missing):  # the command's own module, not one it imports
            print(f"{PROG} {command}: this installation has no {name.removesuffix('.__main__')} "
                  f"(module {missing} not found); install a declutter that includes it", file=sys.stderr)
            return None
        raise


def _explain(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog=f"{PROG} explain",
                                description="Print one document's removals, cleaner by cleaner: the same as "
                                "`python -m flows.clean --explain PATH`.")
    p.add_argument("path", metavar="PATH", help="an input file (text, HTML, also .gz) or an output .json")
    p.add_argument("--config", metavar="FILE", help="cleaners configuration (TOML)")
    args = p.parse_args(argv)
    module = _load("explain")
    if module is None:
        return 2
    return module.main(["--explain", args.path] + (["--config", args.config] if args.config else []))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"{PROG}: error: unknown command {command!r} (choose from {', '.join(COMMANDS)})", file=sys.stderr)
        return 2
    if command == "explain":
        return _explain(rest)
    module = _load(command)
    if module is None:
        return 2
    run = module.main
    # a command whose main takes a program name gets "declutter <command>" for its messages
    takes_prog = "prog" in inspect.signature(run).parameters
    return run(rest, prog=f"{PROG} {command}") if takes_prog else run(rest)


if __name__ == "__main__":
    sys.exit(main())
