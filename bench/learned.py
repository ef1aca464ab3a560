"""The block model on the grouped folds: block labels and track figures (run by hand, not a test).

    pip install -e '.[train]'
    python -m train.dataset                                   # the table (+ the tracks, cached)
    python -m train.train --folds-dir /tmp/declutter-train/folds
    python bench/learned.py [--folds-dir /tmp/declutter-train/folds] [--sets devset trainset]

Every page is cleaned with the fold model that never saw its site (``train.dataset.fold_of``),
at the shipped model's threshold (or ``--threshold``), in three modes:

- ``rules``: the chain as before (the learned cleaner off);
- ``model``: only the learned cleaner, with segmentation and metadata (language,
  dateline/byline, title) — every rule cleaner off, and the learned cleaner's
  ``only_after_rules`` gate off (there are no rules to find boilerplate first);
- ``both``: the whole chain;

plus trafilatura alone on the html track, in the same run. Scored by
``../shared/tools/devset.py score`` (4-gram shingle F1, the devset's metric), per set
and track, against the issue's targets. Also: out-of-fold P/R/F1 of the block labels
per input kind (token-weighted, boilerplate positive), and the feature pass' and the
model's cost per document.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from cleaners.html import html_blocks  # noqa: E402
from cleaners.model import BlockModel, shipped  # noqa: E402
from cleaners.pipeline import CLEANER_NAMES, clean_blocks  # noqa: E402
from cleaners.segment import segment  # noqa: E402
from train import dataset  # noqa: E402
from train.train import prf  # noqa: E402

KEEP_IN_MODEL_MODE = {"detect_document_language", "extract_dateline_and_byline", "extract_title",
                      "drop_learned_boilerplate"}
MODES = {
    "rules": ["drop_learned_boilerplate"],
    "model": sorted(set(CLEANER_NAMES) - KEEP_IN_MODEL_MODE),
    "both": [],
}


def score(pred: Path, data: Path, set_name: str) -> dict:
    cmd = [sys.executable, str(SHARED / "tools" / "devset.py"), "score", str(pred), "--data", str(data),
           "--json", "--set", set_name]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def trafilatura_text(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data, include_comments=False, deduplicate=False) or ""


def runs_of(threshold: tuple[float, float], sweep=(), modes=tuple(MODES)) -> dict[str, tuple[list, tuple]]:
    """name -> (cleaners disabled, thresholds): the modes at the threshold, and ``both@T``
    for each line threshold T of a sweep (sentence threshold max(T, the sentence one))."""
    runs = {m: (MODES[m], threshold) for m in modes}
    for t in sweep:
        runs[f"both@{t:g}"] = (MODES["both"], (t, max(t, threshold[1])))
    return runs


def run_set(set_name: str, cache: Path, folds: dict[int, BlockModel], runs: dict, tracks, out: Path):
    recs = dataset.index(set_name)
    root = cache / set_name
    for track in tracks:
        for mode in runs:
            (out / set_name / track / mode).mkdir(parents=True, exist_ok=True)
        if track == "html":
            (out / set_name / track / "trafilatura").mkdir(parents=True, exist_ok=True)
    for rec in recs:
        pid = rec["id"]
        html = (root / "html" / f"{pid}.html").read_bytes()
        model = folds[dataset.fold_of(dataset.site_of(rec, html))]
        for track in tracks:
            if track == "html":
                blocks, meta, stats = html_blocks(html)
                (out / set_name / track / "trafilatura" / f"{pid}.json").write_text(
                    json.dumps({"text": trafilatura_text(html)}), encoding="utf-8")
            else:
                blocks = segment((root / track / f"{pid}.txt").read_text(encoding="utf-8"))
                meta, stats = {}, {"extraction": "text"}
            for mode, (disable, threshold) in runs.items():
                cfg = {"cleaners": {"disable": disable},
                       "learned": {"enabled": True, "threshold": threshold[0], "sentence_threshold": threshold[1],
                                   "only_after_rules": mode != "model"}}
                doc = clean_blocks(list(blocks), config=cfg, model=model, stats=stats, **meta)
                (out / set_name / track / mode / f"{pid}.json").write_text(json.dumps({"text": doc.text}),
                                                                          encoding="utf-8")


TARGETS = {"text-article": "P >= .92, R >= .90", "text-page": "P >= .92, R >= .95",
           "html": "F1 >= trafilatura + .035 (devset) / + .015 (trainset), R >= trafilatura - .005"}


def met(set_name: str, track: str, m: dict, base: dict | None) -> str:
    if track == "text-article":
        return "yes" if m["precision"] >= .92 and m["recall"] >= .90 else "no"
    if track == "text-page":
        return "yes" if m["precision"] >= .92 and m["recall"] >= .95 else "no"
    gain = .035 if set_name == "devset" else .015
    ok = m["f1"] >= base["f1"] + gain and m["recall"] >= base["recall"] - .005
    return f"{'yes' if ok else 'no'} ({m['f1'] - base['f1']:+.3f} F1)"


def block_figures(cache: Path, folds: dict[int, BlockModel], threshold: float) -> list[str]:
    t = dataset.load(cache / "table.npz")
    X = t.X
    if any(m.lexicon is not None for m in folds.values()):  # each fold's LEX columns from its own lexicon
        from train import lexicon

        words = lexicon.Words(t.tokens, t.group)
        margins = np.zeros(len(t.y))
        for f, m in folds.items():
            margins[t.fold == f] = lexicon.margins(words, m.data["lexicon"], t.fold == f)
        X = lexicon.fill(t, margins)
    s = np.zeros(len(t.y))
    for f, m in folds.items():
        sel = t.fold == f
        s[sel] = m.predict(X[sel])
    lab = t.y >= 0
    w = t.ntok.astype(np.float64) + 1
    from train.train import sentence_rows

    pred = (s >= np.where(sentence_rows(t), threshold[1], threshold[0])).astype(int)
    rows = ["| set | input | blocks | P | R | F1 |", "|---|---|---|---|---|---|"]
    for st in dataset.SETS:
        for k in dataset.TRACKS:
            m = lab & (t.set == st) & (t.track == k)
            r = prf(t.y[m], pred[m], w[m])
            rows.append(f"| {st} | {k} | {int(m.sum())} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    return rows


def cost(cache: Path, n: int = 60) -> list[str]:
    """Feature pass and model per document, on the devset's text-page track (the longest inputs)."""
    from cleaners.document import Context, Draft
    from cleaners.features import compute, document_features
    from cleaners.learned import block_scores
    from cleaners.phrases import build_book
    from cleaners.pipeline import detect_document_language
    from cleaners.textutil import clear_memos

    book = build_book()
    docs = [segment(p.read_text(encoding="utf-8")) for p in sorted((cache / "devset" / "text-page").glob("*.txt"))[:n]]
    drafts = [detect_document_language(Draft(blocks=tuple(b), context=Context(phrases=book))) for b in docs]
    clear_memos()
    t0 = time.perf_counter()
    for d in drafts:
        document_features(d)
    t1 = time.perf_counter()
    for d in drafts:
        block_scores(d)
    t2 = time.perf_counter()
    blocks = sum(len(b) for b in docs) / len(docs)
    out = [f"features: {(t1 - t0) / len(docs) * 1e3:.2f} ms/document (cold memos), "
           f"model: {(t2 - t1) / len(docs) * 1e3:.2f} ms/document; {blocks:.0f} blocks/document "
           f"(devset text-page, first {len(docs)}; CPU time)"]
    # the whole chain with and without the model, interleaved rounds (CPU time, memos cleared)
    from cleaners import clean_text

    texts = [p.read_text(encoding="utf-8") for p in sorted((cache / "devset" / "text-article").glob("*.txt"))]
    off = {"cleaners": {"disable": ["drop_learned_boilerplate"]}}
    times = {"without": [], "with": []}
    for _ in range(3):
        for name, cfg in (("without", off), ("with", None)):
            clear_memos()
            t = time.process_time()
            for x in texts:
                clean_text(x, config=cfg)
            times[name].append((time.process_time() - t) / len(texts) * 1e3)
    w, wo = sorted(times["with"])[1], sorted(times["without"])[1]
    out.append(f"clean_text on the devset text-article track ({len(texts)} documents, CPU ms/document, "
               f"median of 3 interleaved rounds): without the model {wo:.2f}, with it {w:.2f} ({w / wo:.2f}x)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=dataset.DEFAULT_CACHE)
    ap.add_argument("--folds-dir", type=Path, default=dataset.DEFAULT_CACHE / "folds")
    ap.add_argument("--family", default=None, help="fold models' family (default: the shipped model's)")
    ap.add_argument("--threshold", type=float, help="default: the shipped model's")
    ap.add_argument("--sentence-threshold", type=float, help="default: the shipped model's")
    ap.add_argument("--sets", nargs="+", default=list(dataset.SETS))
    ap.add_argument("--tracks", nargs="+", default=list(dataset.TRACKS))
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    ap.add_argument("--sweep", nargs="+", type=float, default=[],
                    help="also run 'both' at each of these line thresholds, in the same run")
    ap.add_argument("--no-cost", action="store_true", help="skip the cost lines")
    a = ap.parse_args()
    ship = shipped()
    if ship is None and (a.family is None or a.threshold is None):
        ap.error("no shipped model: give --family and --threshold")
    family = a.family or ship.kind
    threshold = a.threshold if a.threshold is not None else ship.threshold
    sentence = a.sentence_threshold if a.sentence_threshold is not None else ship.sentence_threshold
    threshold = (threshold, max(threshold, sentence))
    folds = {f: BlockModel.load(a.folds_dir / family / f"fold{f}.json") for f in range(dataset.N_FOLDS)}
    out = a.keep or Path(tempfile.mkdtemp(prefix="declutter-learned-"))
    lines = [f"model {ship.version if ship else '(not shipped)'} ({family}), thresholds {threshold[0]} (line) / "
             f"{threshold[1]} (sentence), {dataset.N_FOLDS} folds grouped by site", ""]
    lines += ["Block labels (out-of-fold, boilerplate positive, token-weighted):", ""]
    lines += block_figures(a.cache, folds, threshold) + [""]
    lines += ["| set | input | run | F1 | P | R | target met |", "|---|---|---|---|---|---|---|"]
    for st in a.sets:
        t0 = time.perf_counter()
        runs = runs_of(threshold, a.sweep, a.modes)
        run_set(st, a.cache, folds, runs, a.tracks, out)
        print(f"{st}: cleaned in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        for track in a.tracks:
            base = score(out / st / track / "trafilatura", a.cache / st, st) if track == "html" else None
            if base:
                lines.append(f"| {st} | {track} | trafilatura | {base['f1']:.3f} | {base['precision']:.3f} | "
                             f"{base['recall']:.3f} | |")
            for mode in runs:
                m = score(out / st / track / mode, a.cache / st, st)
                lines.append(f"| {st} | {track} | {mode} | {m['f1']:.3f} | {m['precision']:.3f} | "
                             f"{m['recall']:.3f} | {met(st, track, m, base)} |")
    if not a.no_cost:
        lines += [""] + cost(a.cache)
    print("\n".join(lines))
    print(f"predictions in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
