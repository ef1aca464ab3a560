"""Site-profile benchmark: synthetic sites built from devset truth paragraphs (run by hand).

    python bench/profiles.py [--data ../shared/data/devset] [--seed 1] [--write DIR]

``--write DIR`` also writes the synthetic sites as DIR/<site>/pNNNN.txt (outside the
repository), to time the flow on them: ``python -m flows.clean DIR --out OUT [--no-profiles]``.

Each synthetic site has 200+ pages. A page is one devset truth text (English;
its real paragraphs, the first 30 at most) wrapped in that site's own invented
boilerplate, none of it in any phrase list: kicker labels, a promo above the
story, promos inside it, a per-site disclaimer paragraph, footer lines (with
years and numbers that vary). Some boilerplate is deliberately rare (a one-off
campaign line on ~6% of pages), so it cannot be learned. Each site also carries
syndicated copies: one wire story re-published 20 times with its own date line,
and 5 pages stored twice. One small site (15 pages) shows that nothing is learned
from too few pages.

Every page is cleaned twice (without, then with its site's profile, learned from
all its pages) and the table reports per site: boilerplate blocks inserted,
leaked without and with the profile, the share removed, and real paragraphs the
profile cost (truth paragraphs kept without it but missing with it; target 0).
Devset text is read from ../shared and never copied into the repository.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners import clean_text  # noqa: E402
from cleaners.profiles import SiteCounts, learn, normalise  # noqa: E402
from cleaners.segment import segment  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "devset"

# Invented boilerplate, one set per site. {n} is replaced by a number that varies per page.
SITES = [
    dict(site="harborledger.example", pages=230,
         kickers=["DOCKSIDE", "Ledger Lens", "THE TIDE TABLE", "Harbor Voices"],
         top=["Listen to this story · {n} min", "A {n}-minute read from the Ledger desk"],
         inline=["Ledger members get the Saturday crossword and the tide almanac first.",
                 "Send the Ledger newsroom a tip: our lines are open until {n} p.m."],
         rare=["Vote for the Ledger in the Coastal Press Awards before Friday."],
         disclaimer=("The Harbor Ledger is published by the Harbor Ledger Cooperative. Opinions in "
                     "columns and letters are those of their writers; the Ledger corrects errors of "
                     "fact promptly and notes every correction at the foot of the story concerned."),
         footer=["Harbor Ledger · {n} Wharf Lane", "Copyright {y} Harbor Ledger Cooperative",
                 "Masthead | Corrections | Tide almanac"]),
    dict(site="prairiepost.example", pages=220,
         kickers=["FIELD NOTES", "Grain Report", "ON THE RANGE"],
         top=["Updated {n} hours ago", "Story continues below the weather strip"],
         inline=["The Prairie Post Morning Bushel arrives at six, with market prices by seven.",
                 "Prairie Post readers keep this newsroom going, one bushel at a time."],
         rare=["Help us name the new county fair mascot by the end of the month."],
         disclaimer=("Content on the Prairie Post may be reproduced by member newspapers of the "
                     "Plains Press Exchange with credit. Market figures are supplied by the county "
                     "grain board and are indicative only; they are not trading advice."),
         footer=["The Prairie Post, Box {n}, Kettle Falls", "All content © {y} Prairie Post Company",
                 "Delivery problems? Call {n}-{n}"]),
    dict(site="techloft.example", pages=210,
         kickers=["Deep Dive", "LOFT LAB", "Quick Take", "BENCHMARKED"],
         top=["Posted in Gadgets · {n} comments", "This review was updated for firmware {n}.{n}"],
         inline=["Loft Insiders see our benchmark spreadsheets before anybody else does.",
                 "Spotted a mistake in our numbers? The Loft bench team would love to know."],
         rare=["Win a refurbished laptop in our spring giveaway, entries close soon."],
         disclaimer=("TechLoft may earn a commission when you buy through links on this page. Our "
                     "reviewers choose products independently, and retailers never see a review "
                     "before it is published; read our testing methodology for the details."),
         footer=["TechLoft Media Ltd, company no. {n}", "© {y} TechLoft", "About the Loft · Ethics · Bench"]),
    dict(site="quillandpress.example", pages=250,
         kickers=["ESSAY", "The Long Read", "MARGINALIA"],
         top=["A Quill & Press original, issue {n}"],
         inline=["Quill & Press is funded by its readers; the archive stays open to all.",
                 "Our editors pick three essays each Sunday for the Inkwell digest."],
         rare=["Join us at the autumn salon, tickets are limited to sixty seats."],
         disclaimer=("Quill & Press publishes essays on the understanding that the views expressed "
                     "belong to their authors. Submissions are read blind by two editors, and we "
                     "pay every contributor the same rate regardless of their reputation."),
         footer=["Quill & Press, Letterpress Yard {n}", "Text © {y} the authors", "Submissions · Archive · Masthead"]),
    dict(site="tinyweekly.example", pages=15,
         kickers=["Village Pump", "CHURCH NOTES"],
         top=["Weekly edition no. {n}"],
         inline=["The Tiny Weekly costs nothing and is delivered by volunteers."],
         rare=[],
         disclaimer=("The Tiny Weekly is produced by volunteers from the parish and accepts no "
                     "advertising from political parties; letters may be edited for length."),
         footer=["Tiny Weekly, The Old Forge", "© {y} Tiny Weekly volunteers"]),
]


def load_truths(data: Path) -> list[tuple[str, list[str]]]:
    """English truth texts as lists of single-line paragraphs (multi-line blocks are skipped:
    code and verse are segmented line by line, which would blur the counts)."""
    out = []
    for line in (data / "index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("language") != "en":
            continue
        text = (data / "truth" / f"{row['id']}.txt").read_text(encoding="utf-8")
        paras = [p.strip() for p in text.split("\n\n") if p.strip() and "\n" not in p.strip()]
        if len(paras) >= 3:
            out.append((row["id"], paras[:30]))
    return out


def fill(template: str, rng: random.Random) -> str:
    out = template
    while "{n}" in out:
        out = out.replace("{n}", str(rng.randint(2, 480)), 1)
    return out.replace("{y}", str(rng.choice((2021, 2022, 2023, 2024, 2025))))


def make_page(spec: dict, body: list[str], rng: random.Random, head: list[str] = ()):
    """(paragraphs, indices of the boilerplate ones)."""
    bp: list[str] = []
    top: list[str] = list(head)
    if rng.random() < 0.7:
        k = rng.choice(spec["kickers"])
        top.append(k.upper() if rng.random() < 0.2 else k)   # sometimes printed in capitals
        bp.append(top[-1])
    if spec["top"] and rng.random() < 0.5:
        top.append(fill(rng.choice(spec["top"]), rng))
        bp.append(top[-1])
    mid = list(body)
    if spec["inline"] and rng.random() < 0.8:
        line = fill(rng.choice(spec["inline"]), rng)
        mid.insert(rng.randint(1, max(1, len(mid) - 1)), line)
        bp.append(line)
    if spec["rare"] and rng.random() < 0.06:
        line = rng.choice(spec["rare"])
        mid.insert(rng.randint(1, max(1, len(mid) - 1)), line)
        bp.append(line)
    end: list[str] = []
    if rng.random() < 0.9:
        end.append(spec["disclaimer"])
        bp.append(end[-1])
    for f in spec["footer"]:
        if rng.random() < 0.95:
            end.append(fill(f, rng))
            bp.append(end[-1])
    return top + mid + end, bp


def build_site(spec: dict, truths, rng: random.Random):
    """Pages as (paragraphs, boilerplate paragraphs, real paragraphs)."""
    chosen = rng.sample(truths, min(spec["pages"], len(truths)))
    pages = []
    for _id, body in chosen:
        paras, bp = make_page(spec, body, rng)
        pages.append((paras, bp, body))
    if spec["pages"] >= 100:
        _id, wire = rng.choice(truths)
        for d in range(20):      # one wire story re-published 20 times, each with its own date line
            paras, bp = make_page(spec, wire, rng, head=[f"Updated {d + 1} June {2020 + d % 5}, {d % 12 + 1}:{d * 7 % 60:02d}"])
            pages.append((paras, bp, wire))
        for p in rng.sample(pages[:spec["pages"]], 5):   # pages stored twice
            pages.append(p)
    return pages


def keyset(text: str) -> set[str]:
    return {normalise(p, fold_digits=False) for p in text.split("\n\n")}


def run(data: Path, seed: int) -> list[dict]:
    truths = load_truths(data)
    rows = []
    for spec in SITES:
        rng = random.Random(f"{seed}:{spec['site']}")
        pages = build_site(spec, truths, rng)
        raws = ["\n\n".join(p[0]) for p in pages]
        t0 = time.perf_counter()
        counts = SiteCounts(spec["site"])
        for raw in raws:
            counts.add([b.text for b in segment(raw)])
        profile = learn(SiteCounts.from_json(counts.compacted().to_json()))
        t_profile = time.perf_counter() - t0
        inserted = leaked_without = leaked_with = removed_real = 0
        lost_without = lost_with = 0
        t_clean = t_clean_p = 0.0
        lost_examples = []
        for raw, (paras, bp, real) in zip(raws, pages):
            t0 = time.perf_counter()
            plain = clean_text(raw, site=spec["site"])
            t1 = time.perf_counter()
            prof = clean_text(raw, site=spec["site"], profile=profile)
            t2 = time.perf_counter()
            bare = clean_text("\n\n".join(real), site=spec["site"])   # the article alone, no boilerplate
            t_clean += t1 - t0
            t_clean_p += t2 - t1
            k_plain, k_prof, k_bare = keyset(plain.text), keyset(prof.text), keyset(bare.text)
            inserted += len(bp)
            leaked_without += sum(normalise(b, fold_digits=False) in k_plain for b in bp)
            leaked_with += sum(normalise(b, fold_digits=False) in k_prof for b in bp)
            real_keys = {normalise(r, fold_digits=False) for r in real}
            for r in real:
                k = normalise(r, fold_digits=False)
                if k in k_bare:
                    lost_without += k not in k_plain
                    lost_with += k not in k_prof
            for r in prof.removed:
                if r.cleaner == "drop_site_boilerplate" and normalise(r.text, fold_digits=False) in real_keys:
                    removed_real += 1
                    lost_examples.append(f"{r.text[:80]!r} ({r.reason})")
        rows.append(dict(site=spec["site"], pages=len(pages), documents=profile.documents,
                         learned=len(profile.boilerplate), inserted=inserted,
                         leaked_without=leaked_without, leaked_with=leaked_with,
                         removed_pct=100.0 * (1 - leaked_with / inserted) if inserted else 0.0,
                         lost_without=lost_without, lost_with=lost_with, real_removed=removed_real, lost_examples=lost_examples[:5],
                         t_profile=t_profile, t_clean=t_clean, t_clean_p=t_clean_p))
    return rows


def table(rows: list[dict]) -> str:
    out = ["| site | pages (distinct) | learned | boilerplate blocks | leaked without profile | "
           "leaked with profile | removed with profile | real paragraphs removed by the profile | "
           "real paragraphs lost vs the bare article, without / with profile |",
           "|---|---|---|---|---|---|---|---|---|"]
    keys = ("pages", "inserted", "leaked_without", "leaked_with", "real_removed", "lost_without", "lost_with")
    tot = dict.fromkeys(keys, 0)
    for r in rows:
        out.append(f"| {r['site']} | {r['pages']} ({r['documents']}) | {r['learned']} | {r['inserted']} | "
                   f"{r['leaked_without']} | {r['leaked_with']} | {r['removed_pct']:.1f}% | "
                   f"{r['real_removed']} | {r['lost_without']} / {r['lost_with']} |")
        for k in keys:
            tot[k] += r[k]
    out.append(f"| all | {tot['pages']} | | {tot['inserted']} | {tot['leaked_without']} | {tot['leaked_with']} | "
               f"{100.0 * (1 - tot['leaked_with'] / tot['inserted']):.1f}% | {tot['real_removed']} | "
               f"{tot['lost_without']} / {tot['lost_with']} |")
    big = [r for r in rows if r["documents"] >= 100]
    ins = sum(r["inserted"] for r in big)
    leak = sum(r["leaked_with"] for r in big)
    out.append(f"| sites with 200+ pages | | | {ins} | | {leak} | {100.0 * (1 - leak / ins):.1f}% | | |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--write", type=Path, metavar="DIR", help="write the sites as text files and stop")
    args = ap.parse_args(argv)
    if not (args.data / "index.jsonl").exists():
        print(f"no devset at {args.data}; nothing to measure", file=sys.stderr)
        return 0
    if args.write:
        truths = load_truths(args.data)
        for spec in SITES:
            pages = build_site(spec, truths, random.Random(f"{args.seed}:{spec['site']}"))
            folder = args.write / spec["site"]
            folder.mkdir(parents=True, exist_ok=True)
            for i, (paras, _, _) in enumerate(pages):
                (folder / f"p{i:04d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        print(f"wrote {len(SITES)} sites under {args.write}")
        return 0
    rows = run(args.data, args.seed)
    print(table(rows))
    print()
    for r in rows:
        print(f"{r['site']}: profiling {r['t_profile']:.2f}s; cleaning {r['t_clean']:.2f}s without, "
              f"{r['t_clean_p']:.2f}s with the profile (x{r['t_clean_p'] / r['t_clean']:.2f}); "
              f"real paragraphs removed by drop_site_boilerplate: {r['real_removed']}")
        for ex in r["lost_examples"]:
            print(f"    removed: {ex}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
