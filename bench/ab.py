"""Two versions of the cleaners side by side in one process: is a change faster, and exact?

    python bench/ab.py                 # the working tree's cleaners/ against HEAD's
    python bench/ab.py --base HEAD~3   # ... against any git revision
    python bench/ab.py --track text-page --rounds 8
    python bench/ab.py --track html    # clean_html over the devset's pages
    python bench/ab.py --config on.toml                 # both sides with a config (e.g. the model on)
    python bench/ab.py --new-config on.toml --ignore-version   # what turning the model on costs

On a shared VM the same loop runs up to 2x slower from one minute to the next, so
two processes timed one after the other say little about a 10% change. Here both
versions are imported into one process (as ``cleaners_base`` and ``cleaners_new``:
the package imports itself only relatively) and run over the same documents in
alternating order, round after round, with each version's memos emptied first; what
is printed is each round's new/base ratio of CPU time and their median. The first
round also compares every output document byte for byte (``to_json``), so a speed
change that alters a result is caught here too. Scratch copies go to the git-ignored
``bench/_work/ab/``; the devset tracks are read from ``--data`` (``devset.py tracks``).
"""
from __future__ import annotations

import argparse
import importlib
import io
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _export(base: str, dest: Path) -> None:
    """``cleaners/`` at git revision ``base`` into ``dest``."""
    data = subprocess.run(["git", "archive", base, "cleaners"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        tar.extractall(dest.parent / "_tmp", **safe)
    shutil.move(str(dest.parent / "_tmp" / "cleaners"), dest)
    shutil.rmtree(dest.parent / "_tmp")


def prepare(base: str, work: Path) -> dict[str, str]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _export(base, work / "cleaners_base")
    shutil.copytree(ROOT / "cleaners", work / "cleaners_new", ignore=shutil.ignore_patterns("__pycache__"))
    return {"base": "cleaners_base", "new": "cleaners_new"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="two versions of the cleaners, interleaved in one process")
    ap.add_argument("--base", default="HEAD", help="git revision to compare against (default HEAD)")
    ap.add_argument("--data", type=Path, default=Path("/tmp/devset"), help="devset tracks (devset.py tracks)")
    ap.add_argument("--track", default="text-article",
                    help="track to clean: text-article, text-page (clean_text) or html (clean_html)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "_work" / "ab")
    ap.add_argument("--ignore-version", action="store_true",
                    help="compare the documents without their pipeline_version (it moves with the "
                         "package or model version by design; everything else must be identical)")
    ap.add_argument("--config", type=Path, help="TOML config for both sides (default: none)")
    ap.add_argument("--base-config", type=Path, help="TOML config for the base side only")
    ap.add_argument("--new-config", type=Path, help="TOML config for the new side only")
    args = ap.parse_args(argv)
    html = args.track == "html"
    files = sorted((args.data / args.track).glob("*.html" if html else "*.txt"))
    if not files:
        raise SystemExit(f"no {args.track} texts under {args.data} (python ../shared/tools/devset.py tracks {args.data})")
    texts = [p.read_bytes() if html else p.read_text(encoding="utf-8") for p in files]
    call = "clean_html" if html else "clean_text"
    names = prepare(args.base, args.work)
    sys.path.insert(0, str(args.work))
    mods = {k: importlib.import_module(v) for k, v in names.items()}
    memos = {k: importlib.import_module(v + ".textutil").clear_memos for k, v in names.items()}
    to_json = {k: importlib.import_module(v + ".document").to_json for k, v in names.items()}
    side = {"base": args.base_config or args.config, "new": args.new_config or args.config}
    configs = {k: mods[k].load_config(side[k]) if side[k] else None for k in mods}
    for k, m in mods.items():
        getattr(m, call)(texts[0], config=configs[k])  # phrase books compiled, dateparser warmed

    outputs: dict[str, list[str]] = {}
    cpu: dict[str, list[float]] = {k: [] for k in mods}
    for r in range(args.rounds):
        order = list(mods) if r % 2 == 0 else list(reversed(mods))
        for k in order:
            memos[k]()
            t0 = time.process_time()
            fn = getattr(mods[k], call)
            docs = [fn(t, source=p.name, config=configs[k]) for t, p in zip(texts, files)]
            cpu[k].append((time.process_time() - t0) / len(texts) * 1000)
            if r == 0:
                if args.ignore_version:
                    docs = [d.model_copy(update={"pipeline_version": ""}) for d in docs]
                outputs[k] = [to_json[k](d) for d in docs]
        print(f"round {r + 1}/{args.rounds}: base {cpu['base'][-1]:.2f} ms/doc, new {cpu['new'][-1]:.2f} ms/doc, "
              f"new/base {cpu['new'][-1] / cpu['base'][-1]:.3f}", flush=True)
    differ = [p.name for p, a, b in zip(files, outputs["base"], outputs["new"]) if a != b]
    ratios = [n / b for b, n in zip(cpu["base"], cpu["new"])]
    print(f"{args.track}, {len(texts)} documents, new = working tree, base = {args.base}; "
          f"configs: base {side['base'] or '-'}, new {side['new'] or '-'}")
    print(f"{call} CPU ms/doc, median: base {statistics.median(cpu['base']):.2f}, "
          f"new {statistics.median(cpu['new']):.2f}; new/base per round {min(ratios):.3f}-{max(ratios):.3f}, "
          f"median {statistics.median(ratios):.3f}")
    print("outputs: identical" if not differ else f"outputs: {len(differ)} differ, e.g. {', '.join(differ[:5])}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
