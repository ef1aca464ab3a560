"""A goldens folder on disk: its cases, each case's options, and the config kept with them.

    DIR/goldens.toml            (optional) config_fingerprint, config_from: the set's config
    DIR/config.toml             (optional) a copy of the config the goldens were recorded with
    DIR/<case>/input.txt        the sample: input.txt (text), input.html (HTML) or
                                input.json (one feed record: text or html, url, title)
    DIR/<case>/expected.json    the golden (flows.golden.expect)
    DIR/<case>/case.toml        (optional) about, url, config (a table), xfail, sample

A case's name is its folder relative to DIR (``story``, ``feed/000042``). A
``config`` table in a case.toml replaces the set's config for that case.
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flows.output import atomic_write

INPUTS = {"input.txt": "text", "input.html": "html", "input.json": "record"}
INPUT_OF_KIND = {kind: name for name, kind in INPUTS.items()}
CASE_KEYS = {"about": str, "url": str, "config": dict, "xfail": str, "sample": str}
SET_FILE = "goldens.toml"
CONFIG_FILE = "config.toml"
EXPECTED = "expected.json"


class GoldenError(ValueError):
    """A goldens folder or case that cannot be used as it is; the message names it."""


@dataclass(frozen=True)
class Case:
    name: str
    dir: Path
    input: Path
    options: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return INPUTS[self.input.name]

    @property
    def expected_file(self) -> Path:
        return self.dir / EXPECTED

    @property
    def xfail(self) -> str | None:
        return self.options.get("xfail")

    @property
    def about(self) -> str | None:
        return self.options.get("about")

    def read_expected(self) -> dict | None:
        """The stored golden, or None when the case has none yet."""
        try:
            text = self.expected_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise GoldenError(f"{self.expected_file}: not valid JSON: {exc}") from None

    def write_expected(self, text: str) -> bool:
        """Write the golden (canonical JSON text); False when the file already held exactly it."""
        data = text.encode("utf-8")
        try:
            if self.expected_file.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        atomic_write(str(self.expected_file), data)
        return True


def read_case_options(path: Path) -> dict:
    """case.toml, checked: unknown keys and wrong types are errors naming them."""
    try:
        opts = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise GoldenError(f"{path}: not valid TOML: {exc}") from None
    for key, value in opts.items():
        want = CASE_KEYS.get(key)
        if want is None:
            raise GoldenError(f"{path}: unknown key {key!r}; known: {sorted(CASE_KEYS)}")
        if not isinstance(value, want):
            raise GoldenError(f"{path}: {key!r} must be a {'table' if want is dict else 'string'}")
    return opts


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are TOML's too."""
    return json.dumps(text, ensure_ascii=False)


class Goldens:
    """One goldens folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # -- the set ------------------------------------------------------------
    @property
    def settings(self) -> dict:
        f = self.root / SET_FILE
        try:
            return tomllib.loads(f.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except tomllib.TOMLDecodeError as exc:
            raise GoldenError(f"{f}: not valid TOML: {exc}") from None

    @property
    def config_file(self) -> Path | None:
        """The copy of the config these goldens were recorded with, if they were."""
        f = self.root / CONFIG_FILE
        return f if f.is_file() else None

    def store_config(self, source: str, fingerprint: str) -> None:
        """Keep a copy of the config file ``source`` (its bytes, comments and all) and its fingerprint."""
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write(str(self.root / CONFIG_FILE), Path(source).read_bytes())
        rel = os.path.relpath(os.path.abspath(source), os.path.abspath(self.root))
        atomic_write(str(self.root / SET_FILE), (
            "# written by `declutter golden record|accept --config`: the rules these goldens hold\n"
            f"config_fingerprint = {toml_string(fingerprint)}\n"
            f"config_from = {toml_string(Path(rel).as_posix())}  # relative to this folder\n").encode("utf-8"))

    # -- cases --------------------------------------------------------------
    def cases(self) -> list[Case]:
        """Every case under the folder, sorted by name (folders holding an input.* file)."""
        if not self.root.is_dir():
            raise GoldenError(f"no goldens folder at {self.root}")
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            inputs = sorted(set(filenames) & set(INPUTS))
            if not inputs:
                continue
            d = Path(dirpath)
            if len(inputs) > 1:
                raise GoldenError(f"{d}: more than one input ({', '.join(inputs)}); keep one")
            name = d.relative_to(self.root).as_posix()
            if name == ".":
                raise GoldenError(f"{d}: an input file at the top of the goldens folder; "
                                  "each case is a folder of its own")
            found.append(Case(name, d, d / inputs[0], read_case_options(d / "case.toml")))
        return sorted(found, key=lambda c: c.name)

    def select(self, names: list[str] | None) -> list[Case]:
        """The named cases (all of them when ``names`` is empty); an unknown name is an error."""
        every = self.cases()
        if not names:
            return every
        by_name = {c.name: c for c in every}
        unknown = [n for n in names if n.rstrip("/") not in by_name]
        if unknown:
            raise GoldenError(f"no such case in {self.root}: {', '.join(unknown)}")
        return [by_name[n.rstrip("/")] for n in names]

    def case(self, name: str) -> Case:
        return self.select([name])[0]

    def new_case(self, name: str, kind: str, data: bytes, sample: str) -> Case:
        """Write a case's input (replacing any other input it had) and, if it has none, its case.toml."""
        d = self.root / name
        d.mkdir(parents=True, exist_ok=True)
        target = d / INPUT_OF_KIND[kind]
        for other in INPUTS:
            if other != target.name and (d / other).exists():
                (d / other).unlink()
        atomic_write(str(target), data)
        toml = d / "case.toml"
        if not toml.exists():
            atomic_write(str(toml), f"sample = {toml_string(sample)}\n".encode("utf-8"))
        return Case(name, d, target, read_case_options(toml))
