"""Inputs -> the files to read: folders (walked recursively), files and globs.

Rules, so a run never wanders off:
- A folder is walked in sorted order; hidden names (``.git``, ``.DS_Store``)
  are skipped, and so is the output folder when it sits inside an input.
- Directory symlinks are not followed; a file symlink is followed only when
  its target lies inside the same input root (anything else is *ignored*
  with a reason in the run log, never read).
- A glob is a walk of its folder (the part before the first wildcard): a match
  that is a symlink leading out of that folder is ignored and listed, as inside
  a walked folder. A file the user names itself is taken as given (a symlink
  named on the command line is followed): its root is its own folder.

Every file gets a ``rel`` path (relative to its root, ``/``-separated) that
names its output, so the same tree always gives the same outputs.
"""
from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterator
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
    mtime_ns: int = 0
    ctime_ns: int = 0

    @property
    def stat(self) -> tuple[int, int, int]:
        return (self.size, self.mtime_ns, self.ctime_ns)


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
    """Expand inputs into Sources (deduplicated, deterministic order), all in one list."""
    found = Discovery()
    found.sources.extend(iter_sources(inputs, exclude, found))
    return found


def iter_sources(inputs: list[str], exclude: list[str] | tuple[str, ...] = (),
                 found: Discovery | None = None) -> Iterator[Source]:
    """The Sources of ``discover``, in the same order, one at a time: a folder is walked
    lazily (memory bounded by one directory's listing per level, not by the tree), so a run
    over a million files never holds them all. ``found`` collects errors and ignored paths
    as the walk reaches them (its ``sources`` stay empty)."""
    found = found if found is not None else Discovery()
    excluded = [os.path.realpath(p) for p in exclude]
    # the same file reached twice (overlapping inputs, a glob matching a folder and files in
    # it) is read once; one plain input cannot repeat a file, so nothing is remembered then
    seen: set[bytes] | None = None if len(inputs) == 1 and not is_glob(inputs[0]) else set()

    def add(path: str, rel: str, root: str) -> Source | None:
        try:
            st = os.stat(path)
        except OSError as exc:
            found.errors.append(_error(os.path.join(root, rel), f"cannot stat: {exc.strerror}"))
            return None
        if seen is not None:
            key = hashlib.blake2b(f"{root}\0{rel}".encode("utf-8", "surrogateescape"), digest_size=16).digest()
            if key in seen:
                return None
            seen.add(key)
        return Source(path=path, rel=rel, size=st.st_size, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns)

    for item in inputs:
        if is_glob(item):
            root = os.path.realpath(_glob_root(item))
            for match in sorted(glob.glob(item, recursive=True)):
                real = os.path.realpath(match)
                if any(_inside(real, x) for x in excluded):
                    continue
                if os.path.islink(match) and not _inside(real, root):
                    found.ignored.append({"path": match, "reason": "symlink leads outside the glob's folder"})
                    continue
                rel = os.path.relpath(os.path.abspath(match), os.path.abspath(_glob_root(item)))
                if os.path.isdir(real):
                    srcs = (add(real_, rel_, real) for rel_, real_ in _walk(real, rel, found, excluded))
                elif os.path.isfile(real):
                    srcs = (add(real, _posix(rel), root),)
                else:
                    continue
                yield from (s for s in srcs if s is not None)
        elif os.path.isdir(item):
            root = os.path.realpath(item)
            for rel, real in _walk(root, "", found, excluded):
                src = add(real, rel, root)
                if src is not None:
                    yield src
        elif os.path.isfile(item):
            real = os.path.realpath(item)
            src = add(real, os.path.basename(item), os.path.dirname(real))
            if src is not None:
                yield src
        else:
            found.errors.append(_error(item, "not a file or folder"))


def _error(path: str, reason: str) -> dict:
    """Same shape as flows.plan.error: one line of the run's errors file."""
    return {"source": path, "input": path, "output": None, "stage": "discover", "error": "OSError",
            "reason": reason}


def _posix(rel: str) -> str:
    return Path(rel).as_posix()


def _walk(root: str, prefix: str, found: Discovery, excluded: list[str]) -> Iterator[tuple[str, str]]:
    """Walk one input folder (already resolved) without leaving it, lazily: (rel, real path)
    pairs in sorted ``rel`` order. Within a folder a file sorts by its name and a subfolder by
    its name + "/" (what every path inside it starts with), and a subfolder is walked when
    its turn comes: the order of sorting every path of the tree, one listing at a time."""
    if any(_inside(root, x) for x in excluded):
        return
    sep = os.sep

    def listing(dirpath: str, relpath: str) -> Iterator[tuple[str, str]]:
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as exc:
            found.errors.append(_error(exc.filename or dirpath, exc.strerror or str(exc)))
            return
        keyed = []
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()  # follows symlinks, as os.walk sorts them
            except OSError:
                is_dir = False
            keyed.append((e.name + "/" if is_dir else e.name, e.name, is_dir))
        keyed.sort()
        del entries
        for _, name, is_dir in keyed:
            full = os.path.join(dirpath, name)
            rel = relpath + sep + name if relpath else name
            if is_dir:
                if os.path.islink(full):
                    found.ignored.append({"path": full, "reason": "directory symlink not followed"})
                    continue
                if any(_inside(os.path.realpath(full), x) for x in excluded):
                    continue
                yield from listing(full, rel)
                continue
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
            if prefix:
                rel = os.path.join(prefix, rel)
            yield (rel if sep == "/" else _posix(rel)), real

    yield from listing(root, "")
