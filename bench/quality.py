"""Quality benchmark over the development set (run by hand, not a test).

    python ../shared/tools/devset.py tracks /tmp/devset      # once
    python bench/quality.py --data /tmp/devset [--set trainset] [--tracks text-article text-page html] [--keep DIR]

Runs declutter on each track in one process, plus trafilatura alone on the html
track as the baseline of the same run, and prints F1 / precision / recall per
track and per source subset with the devset's own scorer.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from cleaners import clean_html, clean_text  # noqa: E402

SOURCES = (None, "wcxb", "readability", "zh-cwced")


def run_text(src: Path, out: Path) -> float:
    t0 = time.perf_counter()
    for p in sorted(src.glob("*.txt")):
        doc = clean_text(p.read_text(encoding="utf-8"), source=p.name)
        (out / f"{p.stem}.json").write_text(json.dumps({"text": doc.text}), encoding="utf-8")
    return time.perf_counter() - t0


def run_html(src: Path, out: Path) -> float:
    t0 = time.perf_counter()
    failed = []
    for p in sorted(src.glob("*.html")):
        try:
            doc = clean_html(p.read_bytes(), source=p.name)
        except Exception as exc:  # a page that fails scores as empty; the run goes on
            failed.append(f"{p.name}: {type(exc).__name__}: {exc}")
            continue
        (out / f"{p.stem}.json").write_text(json.dumps({"text": doc.text}), encoding="utf-8")
    for f in failed:
        print(f"  failed {f}", file=sys.stderr)
    return time.perf_counter() - t0


def run_trafilatura(src: Path, out: Path) -> float:
    import trafilatura

    t0 = time.perf_counter()
    for p in sorted(src.glob("*.html")):
        text = trafilatura.extract(p.read_bytes(), include_comments=False, deduplicate=False) or ""
        (out / f"{p.stem}.json").write_text(json.dumps({"text": text}), encoding="utf-8")
    return time.perf_counter() - t0


def score(pred: Path, data: Path, source: str | None, set_name: str = "devset") -> dict:
    cmd = [sys.executable, str(SHARED / "tools" / "devset.py"), "score", str(pred), "--data", str(data), "--json",
           "--set", set_name]
    if source:
        cmd += ["--source", source]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="directory made by devset.py tracks")
    ap.add_argument("--tracks", nargs="+", default=["text-article", "text-page", "html"])
    ap.add_argument("--keep", type=Path, help="keep predictions here (default: a temporary directory)")
    ap.add_argument("--set", default="devset", choices=["devset", "trainset"],
                    help="the set --data was built from (devset.py tracks --set)")
    a = ap.parse_args()
    base = a.keep or Path(tempfile.mkdtemp(prefix="declutter-quality-"))
    runs = []
    for track in a.tracks:
        runs.append((f"declutter {track}", track, run_html if track == "html" else run_text))
        if track == "html":
            runs.append(("trafilatura html (baseline)", track, run_trafilatura))
    print(f"{'run':32} {'subset':12} {'F1':>6} {'P':>6} {'R':>6} {'secs':>7}")
    for name, track, fn in runs:
        out = base / name.split()[0] / track
        out.mkdir(parents=True, exist_ok=True)
        secs = fn(a.data / track, out)
        for source in SOURCES:
            m = score(out, a.data, source, a.set)
            print(f"{name:32} {source or 'all':12} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f}"
                  f" {secs if source is None else 0:7.1f}")
    print(f"predictions in {base}")


if __name__ == "__main__":
    main()
