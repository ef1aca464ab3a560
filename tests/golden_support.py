"""Golden cases: fixtures/<case>/input.{txt,html} + expected.json (+ optional case.toml).

case.toml may hold `url`, `config` (a table in the config format) and
`xfail = "reason"` for a known failure (run as a strict xfail, never deleted).
"""
from __future__ import annotations

import difflib
import json
import tomllib
from pathlib import Path

from cleaners import clean_bytes, clean_html
from cleaners.document import CleanDocument, to_json

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and any(p.glob("input.*")))


def case_options(case: Path) -> dict:
    f = case / "case.toml"
    return tomllib.loads(f.read_text(encoding="utf-8")) if f.exists() else {}


def run_case(case: Path) -> CleanDocument:
    opts = case_options(case)
    source = f"fixtures/{case.name}/"
    kw = {"config": opts.get("config"), "url": opts.get("url")}
    html = case / "input.html"
    if html.exists():
        return clean_html(html.read_bytes(), source=source + "input.html", **kw)
    txt = case / "input.txt"
    return clean_bytes(txt.read_bytes(), source=source + "input.txt", **kw)


def explain_diff(expected: dict, actual: CleanDocument) -> str:
    """Paragraph diff, each line annotated with the cleaner that removed it (if any)."""
    removed_by = {r.text: f"{r.cleaner} ({r.kind}: {r.reason})" for r in actual.removed}
    exp_paras = expected.get("text", "").split("\n\n")
    act_paras = actual.text.split("\n\n")
    out = []
    for line in difflib.unified_diff(exp_paras, act_paras, "expected", "actual", lineterm="", n=1):
        if line.startswith("-") and not line.startswith("---"):
            para = line[1:]
            why = removed_by.get(para)
            out.append(line[:160] + (f"\n      removed by {why}" if why else "\n      (not in this output)"))
        elif line.startswith("+") and not line.startswith("+++"):
            out.append(line[:160] + "\n      kept: no cleaner matched it")
        else:
            out.append(line[:160])
    exp_meta = {k: v for k, v in expected.items() if k not in ("text", "removed", "stats")}
    act_meta = {k: v for k, v in json.loads(to_json(actual)).items() if k not in ("text", "removed", "stats")}
    for k in sorted(set(exp_meta) | set(act_meta)):
        if exp_meta.get(k) != act_meta.get(k):
            out.append(f"field {k}: expected {exp_meta.get(k)!r}, got {act_meta.get(k)!r}")
    exp_rem = [(r["cleaner"], r["position"]) for r in expected.get("removed", [])]
    act_rem = [(r.cleaner, r.position) for r in actual.removed]
    if exp_rem != act_rem:
        out.append(f"removals: expected {exp_rem}\n          got      {act_rem}")
    return "\n".join(out)
