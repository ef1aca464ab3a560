"""Deterministic synthetic documents for speed benchmarks (run by hand, not a test).

    python bench/generate.py N OUTDIR [--seed 1] [--data ../shared/data/devset] [--per-folder 500]

Each document recombines real paragraphs from the English devset truth texts
(a contiguous run of 3-12 paragraphs from one page, sometimes a second run
from another page) with injected boilerplate lines of the kinds the cleaners
remove: a date line, a duplicated lede, a photo caption + credit, an ALL-CAPS
related headline, "CLICK HERE FOR MORE FROM ...", a newsletter prompt, a
share row, and "Leave a Reply" with comments. The boilerplate text is
invented here. Same N, seed and devset -> the same bytes, every time.

Devset text is read from ../shared at run time and never copied into the
repository; OUTDIR should be outside it or under the git-ignored bench/_work/.
Reuse: ``from bench.generate import documents`` yields (relative path, text).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "devset"

PUBLICATIONS = ["THE HARBOUR GAZETTE", "VALLEY COURIER", "THE NORTHERN LEDGER", "METRO DISPATCH",
                "THE WEEKLY ALMANAC", "COASTAL TIMES"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
HEADLINES = ["CITY COUNCIL APPROVES BUDGET AFTER LATE-NIGHT SESSION", "STORM KNOCKS OUT POWER TO THOUSANDS",
             "LOCAL TEAM CLINCHES TITLE IN OVERTIME THRILLER", "NEW BRIDGE OPENS TWO YEARS LATE",
             "SCHOOL BOARD DELAYS VOTE ON LUNCH PRICES", "MUSEUM RETURNS STOLEN PAINTING"]
CAPTIONS = ["Workers inspect the site on Tuesday morning before the meeting.",
            "Residents gather outside the town hall as the vote begins.",
            "A view of the harbour from the old lighthouse on Sunday."]
CREDITS = ["Jane Holloway/AP", "Photo: Marco Ruiz/Reuters", "Getty Images", "Sam Ortega/The Gazette"]
NEWSLETTER = ["Sign up for our newsletter", "Subscribe to our daily briefing",
              "Get the morning headlines delivered to your inbox"]
SHARE = ["Share this article", "Share on Facebook", "Share on Twitter"]
COMMENTS = ["Great article, thanks for sharing.", "I could not disagree more with this.",
            "Does anyone know when the next meeting is?"]


def devset_index(data: Path) -> list[dict]:
    """The devset's index.jsonl, one dict a page (exits naming --data when it is not there)."""
    index = data / "index.jsonl"
    if not index.is_file():
        raise SystemExit(f"devset not found at {data} (pass --data)")
    return [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]


def truth_paragraphs(data: Path) -> list[list[str]]:
    """The English devset truth texts, as lists of paragraphs (sorted by page id: deterministic)."""
    pages = []
    for meta in devset_index(data):
        if meta.get("language") != "en":
            continue
        text = (data / "truth" / f"{meta['id']}.txt").read_text(encoding="utf-8")
        paras = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 60]
        if len(paras) >= 3:
            pages.append((meta["id"], paras))
    pages.sort()
    return [p for _, p in pages]


def document(rng: random.Random, pages: list[list[str]]) -> str:
    page = rng.choice(pages)
    n = rng.randint(3, min(12, len(page)))
    start = rng.randint(0, len(page) - n)
    body = page[start:start + n]
    if rng.random() < 0.3:
        other = rng.choice(pages)
        k = rng.randint(1, min(3, len(other)))
        body = body + other[:k]
    pub = rng.choice(PUBLICATIONS)
    out = [f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2019, 2025)}"]
    out.append(body[0])
    if rng.random() < 0.5:
        out.append(body[0])  # the duplicated lede
    for i, para in enumerate(body[1:], 1):
        out.append(para)
        r = rng.random()
        if i == 2 and r < 0.6:
            out.append(rng.choice(CAPTIONS) + "\n" + rng.choice(CREDITS))
        elif r < 0.15:
            out.append(rng.choice(HEADLINES))
        elif r < 0.25:
            out.append(f"CLICK HERE FOR MORE FROM {pub}")
        elif r < 0.32:
            out.append(rng.choice(NEWSLETTER))
        elif r < 0.36:
            out.append("\n".join(SHARE))
    if rng.random() < 0.4:
        out.append("Leave a Reply")
        out.extend(rng.sample(COMMENTS, 2))
    return "\n\n".join(out) + "\n"


def documents(n: int, *, seed: int = 1, data: Path = DEFAULT_DATA, per_folder: int = 500) -> Iterator[tuple[str, str]]:
    """Yield (relative path, text) for n synthetic documents."""
    rng = random.Random(seed)
    pages = truth_paragraphs(data)
    width = len(str(max(n - 1, 1)))
    for i in range(n):
        yield f"batch-{i // per_folder:03d}/doc-{i:0{width}d}.txt", document(rng, pages)


def write(n: int, out: Path, **kw) -> int:
    total = 0
    for rel, text in documents(n, **kw):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--per-folder", type=int, default=500)
    a = ap.parse_args(argv)
    size = write(a.n, a.out, seed=a.seed, data=a.data, per_folder=a.per_folder)
    print(f"{a.n} documents, {size / 1e6:.1f} MB in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
