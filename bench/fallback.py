"""The HTML fallback's quality and cost: every page of a devset track cleaned as if
trafilatura had found nothing (its visible text through the text chain), scored against the
truth with the devset's 4-gram metric.

    python ../shared/tools/devset.py tracks /tmp/devset     # once
    python bench/fallback.py --data /tmp/devset

``--compare-lxml`` also runs the lxml-tree walk the bs4 fallback replaced (issue 16), kept
here only as the measured alternative, and prints both side by side.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

from cleaners.html.decode import decode_html  # noqa: E402
from cleaners.html.extract import tree_text as lxml_visible_text  # noqa: E402  (the walk replaced)
from cleaners.html.fallback import visible_text  # noqa: E402
from cleaners.html.parse import parse_html  # noqa: E402
from cleaners.pipeline import clean_blocks  # noqa: E402
from cleaners.segment import normalise, split_blocks  # noqa: E402


def main(argv=None) -> int:
    import metric

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/devset"))
    ap.add_argument("--compare-lxml", action="store_true")
    args = ap.parse_args(argv)
    pages = sorted((args.data / "html").glob("*.html"))
    if not pages:
        raise SystemExit(f"no pages under {args.data}/html (python ../shared/tools/devset.py tracks {args.data})")
    truth = {p.stem: (args.data / "truth" / f"{p.stem}.txt").read_text(encoding="utf-8") for p in pages}
    sides = {"bs4": {}} | ({"lxml walk": {}} if args.compare_lxml else {})
    cpu = {k: 0.0 for k in sides}
    same = 0
    for p in pages:
        text, _ = decode_html(p.read_bytes())
        got = {}
        for k in sides:
            t0 = time.process_time()
            if k == "bs4":
                raw = visible_text(text)
            else:
                tree = parse_html(text)
                raw = lxml_visible_text(tree) if tree is not None else ""
            cpu[k] += time.process_time() - t0
            got[k] = split_blocks(normalise(raw))
            sides[k][p.stem] = clean_blocks(got[k]).text
        same += len({tuple(b.text for b in v) for v in got.values()}) == 1
    for k, preds in sides.items():
        m = metric.evaluate(truth, preds)
        print(f"{k:>9}: F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
              f"visible text {cpu[k] / len(pages) * 1000:.1f} ms/page (CPU, parse included)")
    if args.compare_lxml:
        print(f"{len(pages)} pages; the same blocks on {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
