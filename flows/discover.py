"""Inputs -> the files to read: folders (walked recursively), files and globs.

Rules, so a run never wanders off:
- A folder is walked in sorted order; hidden names (``.git``, ``.DS_Store``)
  are skipped, and so is the output folder when it sits inside an input.
- Directory symlinks are not followed; a file symlink is followed only when
  its target lies inside the same input root (anything else is *ignored*
  with a reason in the run log, never read).
- An input the user named explicitly (a file, a folder, a glob match) is
  taken as given: its root is its own folder.

Every file gets a ``rel`` path (relative to its root, ``/``-separated) that
names its output, so the same tree always gives the same outputs.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

GLOB_CHARS = frozenset("*?[")


class UsageError(ValueError):
    """The command line names something that cannot be used (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input file: where to read it, and its path relative to its input root."""

    path: str  # absolute path to open (a symlink's resolved target)
    rel: str  # relative to the input root, '/'-separated; names the output
    size: int


@dataclass
class Discovery:
    sources: list[Source] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # {"path", "reason"}: not read, not an error
    errors: list[dict] = field(default_factory=list)  # plan.error() shape: counted as failures


def printable(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) become ``\\xNN``, so the name can go into JSON, logs and output paths."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_glob(text: str) -> bool:
    return any(c in GLOB_CHARS for c in text)


def _glob_root(pattern: str) -> Path:
    """The folder a glob's matches are relative to: its leading components without wildcards."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if is_glob(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def check_inputs(inputs: list[str]) -> None:
    """Raise UsageError (one line) for an input that names nothing."""
    for item in inputs:
        if is_glob(item):
            if not glob.glob(item, recursive=True):
                raise UsageError(f"no files match {item!r}")
        elif not os.path.exists(item):
            raise UsageError(f"input not found: {item}")


def discover(inputs: list[str], exclude: list[str] | tuple[str, ...] = ()) -> Discovery:
    """Expand inputs into Sources (deduplicated, deterministic order)."""
    found = Discovery()
    excluded = [os.path.realpath(p) for p in exclude]
    seen: set[tuple[str, str]] = set()

    def add(path: str, rel: str, root: str) -> None:
        try:
            st = os.stat(path)
        except OSError as exc:
            found.errors.append(_error(os.path.join(root, rel), f"cannot stat: {exc.strerror}"))
            return
        key = (root, rel)
        if key not in seen:
            seen.add(key)
            found.sources.append(Source(path=path, rel=rel, size=st.st_size))

    for item in inputs:
        if is_glob(item):
            root = os.path.realpath(_glob_root(item))
            for match in sorted(glob.glob(item, recursive=True)):
                real = os.path.realpath(match)
                if any(_inside(real, x) for x in excluded):
                    continue
                rel = os.path.relpath(os.path.abspath(match), os.path.abspath(_glob_root(item)))
                if os.path.isdir(real):
                    _walk(real, rel, found, add, excluded)
                elif os.path.isfile(real):
                    add(real, _posix(rel), root)
        elif os.path.isdir(item):
            _walk(os.path.realpath(item), "", found, add, excluded)
        elif os.path.isfile(item):
            real = os.path.realpath(item)
            add(real, os.path.basename(item), os.path.dirname(real))
        else:
            found.errors.append(_error(item, "not a file or folder"))
    return found


def _error(path: str, reason: str) -> dict:
    """Same shape as flows.plan.error: one line of the run's errors file."""
    return {"source": path, "input": path, "output": None, "stage": "discover", "error": "OSError",
            "reason": reason}


def _posix(rel: str) -> str:
    return Path(rel).as_posix()


def _walk(root: str, prefix: str, found: Discovery, add, excluded: list[str]) -> None:
    """Walk one input folder (already resolved) without leaving it; files in sorted path order."""
    if any(_inside(root, x) for x in excluded):
        return
    files: list[tuple[str, str]] = []
    head = root.rstrip(os.sep) + os.sep  # every path os.walk gives starts with it
    cut = len(head)

    def onerror(exc: OSError) -> None:
        found.errors.append(_error(exc.filename, exc.strerror or str(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d.startswith("."):
                continue
            if os.path.islink(full):
                found.ignored.append({"path": full, "reason": "directory symlink not followed"})
                continue
            if any(_inside(os.path.realpath(full), x) for x in excluded):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            real = full
            if os.path.islink(full):
                real = os.path.realpath(full)
                if not _inside(real, root):
                    found.ignored.append({"path": full, "reason": "symlink leads outside the input root"})
                    continue
                if not os.path.isfile(real):
                    found.ignored.append({"path": full, "reason": "symlink to something that is not a file"})
                    continue
            elif not os.path.isfile(full):
                found.ignored.append({"path": full, "reason": "not a regular file"})
                continue
            if any(_inside(real, x) for x in excluded):
                continue
            rel = full[cut:] if full.startswith(head) else os.path.relpath(full, root)  # the same, cheaper
            if prefix:
                rel = os.path.join(prefix, rel)
            files.append((rel if os.sep == "/" else _posix(rel), real))
    for rel, real in sorted(files):
        add(real, rel, root)
