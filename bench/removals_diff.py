"""Every removal one tree makes that another does not, with how much of it is truth (run by hand).

    python bench/removals_diff.py --base /tmp/thread-base --data /tmp/lead-dev [--set trainset] \
        [--tracks text-article text-page html] [--rules comments.] [--params JSON]

Runs the chain of this tree and of the ``--base`` tree (``git archive main | tar -x -C DIR``)
in child processes over the tracks built by ``../shared/tools/devset.py tracks``, then prints
each page's removals that only this tree makes, grouped into runs of one rule, with the
share of their tokens and of their 4-gram shingles found in the page's truth (the metric's
tokens and shingles, ``../shared/tools/metric.py``). A new removal of truth text must be
explained or its rule tightened. ``--rules`` keeps only new removals whose rule id starts so.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def dump(tree: Path, data: Path, track: str, params: str | None = None) -> None:
    """Child: one JSON line per page of the track, its removals as (position, rule, text)."""
    sys.path.insert(0, str(tree))
    from cleaners import clean_html, clean_text, load_config

    config = load_config({"params": json.loads(params)}) if params else None

    for p in sorted((data / track).glob("*.html" if track == "html" else "*.txt")):
        try:
            doc = clean_html(p.read_bytes(), source=p.name, config=config) if track == "html" else \
                clean_text(p.read_text(encoding="utf-8"), source=p.name, config=config)
        except Exception as exc:  # a page that fails has no removals; say so and go on
            print(f"failed {p.name}: {exc}", file=sys.stderr)
            continue
        rem = [(r.position, getattr(r, "rule", None) or r.cleaner, r.text) for r in doc.removed]
        print(json.dumps({"id": p.stem, "removed": rem}))


def run(tree: Path, data: Path, track: str, params: str | None = None) -> dict[str, list]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--dump", str(tree), "--data", str(data), "--tracks", track]
    out = subprocess.run(cmd + (["--params", params] if params else []), check=True, capture_output=True,
                         text=True, cwd=tree)
    if out.stderr:
        print(f"{tree} {track}: {out.stderr.strip()}", file=sys.stderr)
    out = out.stdout
    return {r["id"]: r["removed"] for r in map(json.loads, out.splitlines())}


def shares(text: str, truth: str) -> tuple[float, float]:
    sys.path.insert(0, str(SHARED / "tools"))
    import metric

    tok, ttok = Counter(metric.tokenize(text)), Counter(metric.tokenize(truth))
    sh, tsh = Counter(metric.ngrams(text)), Counter(metric.ngrams(truth))
    t = sum((tok & ttok).values()) / max(1, sum(tok.values()))
    s = sum((sh & tsh).values()) / max(1, sum(sh.values()))
    return t, s


def runs_of(removals: list) -> list[list]:
    """Removals grouped into runs of one rule at consecutive positions."""
    out: list[list] = []
    for r in sorted(removals):
        if out and out[-1][-1][1] == r[1] and r[0] - out[-1][-1][0] <= 3:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, help="the tree to compare with")
    ap.add_argument("--data", type=Path, required=True, help="directory made by devset.py tracks")
    ap.add_argument("--set", default="devset", choices=["devset", "trainset"])
    ap.add_argument("--tracks", nargs="+", default=["text-article", "text-page", "html"])
    ap.add_argument("--rules", default="", help="only new removals whose rule id starts with this")
    ap.add_argument("--params", help='this tree\'s [params] as JSON, e.g. \'{"comments": {"thread_frames": 2}}\'')
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.dump:
        dump(a.dump, a.data, a.tracks[0], a.params)
        return
    truth_dir = a.data / "truth" if (a.data / "truth").is_dir() else SHARED / "data" / a.set / "truth"
    for track in a.tracks:
        new, base = run(ROOT, a.data, track, a.params), run(a.base, a.data, track)
        pages = blocks = 0
        for pid in sorted(new):
            old = {(pos, text) for pos, _, text in base.get(pid, [])}
            fresh = [r for r in new[pid] if (r[0], r[2]) not in old and r[1].startswith(a.rules)]
            gone = [r for r in base.get(pid, []) if (r[0], r[2]) not in {(x[0], x[2]) for x in new[pid]}]
            if not fresh and not gone:
                continue
            truth = (truth_dir / f"{pid}.txt").read_text(encoding="utf-8")
            pages += 1
            for grp in runs_of(fresh):
                blocks += len(grp)
                text = "\n".join(r[2] for r in grp)
                t, s = shares(text, truth)
                print(f"{track:12} {pid:28} +{grp[0][1]:28} {len(grp):4} blocks {len(text):6} chars"
                      f"  truth tokens {t:4.0%} shingles {s:4.0%}  | {grp[0][2][:50]!r} .. {grp[-1][2][:40]!r}")
                for r in grp:  # the blocks of a run that are truth, each by itself
                    bt, bs = shares(r[2], truth)
                    if bs >= 0.5 and len(r[2]) >= 40:
                        print(f"{'':44} truth block at {r[0]}: shingles {bs:4.0%} {r[2][:90]!r}")
            for grp in runs_of(gone):
                text = "\n".join(r[2] for r in grp)
                t, s = shares(text, truth)
                print(f"{track:12} {pid:28} -{grp[0][1]:28} {len(grp):4} blocks kept now, truth shingles {s:4.0%}"
                      f"  | {grp[0][2][:50]!r}")
        print(f"# {a.set} {track}: {pages} pages changed, {blocks} blocks newly removed")


if __name__ == "__main__":
    main()
