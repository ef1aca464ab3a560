"""record, check and accept: what the CLI and the pytest plugin do, as functions (no printing).

- ``record(samples, goldens)``: each document of the samples (files, folders, globs; text,
  HTML, feeds, as ``flows.clean`` reads them: its planner sniffs and splits them) becomes a
  case: its input stored, then cleaned from the stored input, and the golden written.
- ``check(goldens)``: every case cleaned again and compared with its golden.
- ``accept(goldens, names)``: the goldens of the named cases (all by default) rewritten from
  what the cleaners decide now.

A config given to record or accept is kept with the goldens (``store.Goldens.store_config``)
so that check, with no config named, uses the same rules. The cases of one folder share
one config: record or accept with another config moves all of them to it, never a few.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from cleaners import ConfigError, load_config

from flows import records
from flows.discover import check_inputs, iter_sources, Discovery
from flows.plan import Planner
from flows.manifest import config_fingerprint

from . import diff
from .expect import clean_case, config_for, dumps, golden_of, record_input
from .store import Case, GoldenError, Goldens

PASS, DIFFERS, MISSING, ERROR, XFAIL, XPASS = "pass", "differs", "missing", "error", "xfail", "xpass"
FAILED = frozenset({DIFFERS, MISSING, ERROR, XPASS})


@dataclass
class Outcome:
    case: Case
    status: str
    report: str = ""  # the paragraph diff, or the error, or why an xfail case failed to fail
    golden: dict | None = None  # what the cleaners decide now (None on error)
    error: Exception | None = None  # what an ERROR raised, traceback and all

    @property
    def failed(self) -> bool:
        return self.status in FAILED


def fingerprint_of(config_file: str | None) -> str:
    return config_fingerprint(load_config(config_file) if config_file else None)


def stored_fingerprint(goldens: Goldens) -> str:
    """The fingerprint of the config the goldens hold ('default' when none)."""
    kept = goldens.config_file
    return fingerprint_of(str(kept) if kept else None)


def config_note(goldens: Goldens, config_file: str | None = None) -> str | None:
    """A line for the top of a check: the rules differ from the ones recorded, or the config
    file the goldens were copied from has changed since."""
    settings = goldens.settings
    if config_file is not None:
        fp, kept = fingerprint_of(config_file), stored_fingerprint(goldens)
        if fp != kept:
            return (f"checking with {config_file} (config {fp}), not with the rules the goldens were "
                    f"recorded with (config {kept}): differences may come from the config")
        return None
    recorded = settings.get("config_fingerprint")
    kept = stored_fingerprint(goldens)
    if recorded and recorded != kept:
        return (f"{goldens.root / 'config.toml'} was edited since it was stored (config {recorded} -> {kept}); "
                "accept --config FILE stores a config and rewrites the goldens with it")
    origin = settings.get("config_from")
    if origin:
        path = goldens.root / origin
        try:
            now = fingerprint_of(str(path)) if path.is_file() else None
        except ConfigError:
            now = "invalid"
        if now is not None and now != kept:
            return (f"{os.path.normpath(path)}, the config these goldens were recorded from, has changed since "
                    f"(config {kept} -> {now}): check --config {os.path.normpath(path)} shows what its rules change")
    return None


def check_case(goldens: Goldens, case: Case, config_file: str | None = None) -> Outcome:
    """Clean one case again and compare with its golden (strict xfail: a known failure that
    now matches its golden fails, so the xfail gets removed)."""
    try:
        expected = case.read_expected()
        now = golden_of(clean_case(goldens, case, config_for(goldens, case, config_file)))
    except Exception as exc:  # noqa: BLE001 - one broken case is a failed case, the rest are checked
        return Outcome(case, ERROR, f"{type(exc).__name__}: {exc}", error=exc)
    if expected is None:
        return Outcome(case, MISSING, f"no {case.expected_file.name} yet: review the output, then accept", now)
    report = diff.explain(expected, now)
    if case.xfail:
        if report:
            return Outcome(case, XFAIL, report, now)
        return Outcome(case, XPASS, f"known failure now matches its golden: remove xfail from "
                       f"{case.dir / 'case.toml'} ({case.xfail})", now)
    return Outcome(case, DIFFERS if report else PASS, report, now)


def check(goldens: Goldens, names: list[str] | None = None, config_file: str | None = None) -> list[Outcome]:
    return [check_case(goldens, c, config_file) for c in goldens.select(names)]


def _adopt_config(goldens: Goldens, config_file: str | None, whole_set: bool) -> None:
    """Keep ``config_file`` with the goldens; refused unless every case moves to it."""
    if config_file is None:
        return
    fp = fingerprint_of(config_file)  # a ConfigError names the file and the key
    kept = stored_fingerprint(goldens)
    if fp != kept and not whole_set:
        raise GoldenError(f"{config_file} (config {fp}) is not the config the goldens in {goldens.root} hold "
                          f"(config {kept}): the cases of a folder share one config, so accept all of them "
                          "with it (name no case)")
    goldens.store_config(config_file, fp)


def accept(goldens: Goldens, names: list[str] | None = None, config_file: str | None = None) -> list[tuple[Case, bool]]:
    """Rewrite the goldens of the named cases (all when none is named) from the output now.
    Known failures (xfail) keep their hand-written golden. Returns (case, rewritten) pairs."""
    cases = goldens.select(names)
    _adopt_config(goldens, config_file, whole_set=not names)
    done = []
    for case in cases:
        if case.xfail:
            done.append((case, False))
            continue
        try:
            done.append((case, write_golden(goldens, case)))
        except GoldenError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise GoldenError(f"{case.name}: cannot clean it: {type(exc).__name__}: {exc}") from exc
    return done


def write_golden(goldens: Goldens, case: Case) -> bool:
    """A case's golden from its output now (accepting one case; used by the pytest plugin)."""
    golden = golden_of(clean_case(goldens, case, config_for(goldens, case)))
    return case.write_expected(dumps(golden))


@dataclass
class Recorded:
    recorded: list[Case] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # cases already there (left alone without force)
    errors: list[dict] = field(default_factory=list)  # flows.plan.error() shape


def record(samples: list[str], goldens: Goldens, config_file: str | None = None, force: bool = False) -> Recorded:
    """Store every document of ``samples`` as a case of ``goldens`` and write its golden."""
    check_inputs(samples)  # UsageError: an input that names nothing
    existing = {c.name for c in goldens.cases()} if goldens.root.is_dir() else set()
    if config_file is not None:
        fp, kept = fingerprint_of(config_file), stored_fingerprint(goldens)
        if existing and fp != kept:
            raise GoldenError(f"{goldens.root} holds goldens recorded with another config (config {kept}); "
                              f"move them all to {config_file} first: accept --config {config_file}")
        goldens.store_config(config_file, fp)
    out = Recorded()
    found = Discovery()
    planner = Planner({}.get, out_root=str(goldens.root), pipeline_version="", config_fp="", force=True,
                      on_error=out.errors.append)
    sources = iter_sources(samples, exclude=[str(goldens.root)], found=found)
    for item in planner.items(sources):
        name = item.out.removesuffix(".json")
        if name in existing and not force:
            out.existing.append(name)
            continue
        if item.path is not None:
            with open(item.path, "rb") as f:
                data = records.payload(f.read())
            kind = item.kind
        else:
            data, kind = record_input(item), "record"
        case = goldens.new_case(name, kind, data, item.source)
        try:
            write_golden(goldens, case)
        except Exception as exc:  # noqa: BLE001 - the sample is kept; its error is reported
            out.errors.append({"source": item.source, "stage": "clean", "error": type(exc).__name__,
                               "reason": str(exc).splitlines()[0] if str(exc) else type(exc).__name__})
            continue
        out.recorded.append(case)
    out.errors[:0] = found.errors
    return out
