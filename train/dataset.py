"""The block model's training table: every block of every input, its features and its label.

    python -m train.dataset [--cache /tmp/declutter-train]      # builds and caches the table

Inputs: the three tracks of ``../shared/data/devset`` and ``../shared/data/trainset``
built by ``../shared/tools/devset.py tracks`` (html, text-article, text-page), into
the cache folder (never into the repository). Each input is segmented exactly as
the pipeline does (text: ``segment.segment``; HTML: ``html.html_blocks``, the blocks
``clean_html`` hands the chain), its language found as the chain's first cleaner
finds it, and its feature rows computed by ``features.document_features``.

Labels (1 = boilerplate, 0 = body, -1 = ambiguous, left out of training and of the
block figures), by aligning the block to the page's truth with the metric's own
tokens (``metric.tokenize``, 4-gram shingles):

- a block of 4+ tokens is body when >= 60% of its 4-gram shingles occur in the truth,
  boilerplate when <= 20% do, ambiguous in between (a paragraph half kept by the
  truth's author, a caption that repeats a sentence of the text);
- a shorter block (a heading, a label, a button) is body when its tokens are exactly
  those of a truth line, ambiguous when they occur only inside a longer truth line
  ("Share" inside a sentence; a heading broken off a fixed-width Chinese line),
  boilerplate otherwise;
- a block with no token (a rule, a lone bullet) is ambiguous: the metric cannot see it.

Words: beside the table, ``tokens.npz`` holds every block's case-folded words
(``Measures.folded_tokens``, the lexicon's input) as ids into a vocabulary in order of
first appearance, with each block's offset: ``train/lexicon.py`` learns the lexicon
from them and fills the table's ``LEX`` columns (0 in ``table.npz``).

Sites: the registered domain of the page's URL (index, else the page's canonical or
og:url), else the page id: the cross-validation folds group by it.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))

import metric  # noqa: E402

from cleaners.document import Context, Draft, Meta  # noqa: E402
from cleaners.features import FEATURES, document_features  # noqa: E402
from cleaners.html import html_blocks  # noqa: E402
from cleaners.measures import measure  # noqa: E402
from cleaners.profiles.site import registered_domain  # noqa: E402
from cleaners.phrases import build_book  # noqa: E402
from cleaners.pipeline import clean_blocks, detect_document_language  # noqa: E402
from cleaners.segment import segment  # noqa: E402

SETS = ("devset", "trainset")
TRACKS = ("html", "text-article", "text-page")
BODY_MIN, BOILER_MAX = 0.6, 0.2
N_FOLDS = 5
DEFAULT_CACHE = Path("/tmp/declutter-train")


def fold_of(group: str, k: int = N_FOLDS) -> int:
    """The cross-validation fold of a site: a fixed hash, so training and the
    benchmark agree without sharing state, and a site is always in one fold."""
    return int(hashlib.blake2b(group.encode("utf-8"), digest_size=8).hexdigest(), 16) % k


def data_hash(sets=SETS) -> str:
    """sha256 over the raw training data (index, pages, truths) of the sets used."""
    h = hashlib.sha256()
    for s in sets:
        root = SHARED / "data" / s
        for p in [root / "index.jsonl", *sorted((root / "pages").iterdir()), *sorted((root / "truth").iterdir())]:
            h.update(p.relative_to(root.parent).as_posix().encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def index(set_name: str) -> list[dict]:
    with open(SHARED / "data" / set_name / "index.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ensure_tracks(cache: Path) -> None:
    for s in SETS:
        if not (cache / s / "truth").is_dir():
            subprocess.run([sys.executable, str(SHARED / "tools" / "devset.py"), "tracks", str(cache / s),
                            "--set", s], check=True)


def site_of(rec: dict, html: bytes) -> str:
    url = rec.get("url")
    if not url:
        import regex
        m = regex.search(rb'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)', html[:200000], regex.I) or \
            regex.search(rb'<meta[^>]+property=["\']og:url["\'][^>]*content=["\']([^"\']+)', html[:200000], regex.I)
        if m:
            url = m.group(1).decode("utf-8", "replace")
    site = registered_domain(url) if url and "//" in url else None
    return site or f"page:{rec['id']}"


class Truth:
    """The truth of one page, ready for aligning blocks to it."""

    def __init__(self, text: str):
        toks = metric.tokenize(text)
        self.shingles = set(metric.ngrams(text))
        self.lines = {tuple(metric.tokenize(line)) for line in text.splitlines() if line.strip()}
        self.joined = " " + " ".join(toks) + " "

    def label(self, text: str) -> int:
        toks = metric.tokenize(text)
        if not toks:
            return -1
        if len(toks) >= 4:
            sh = metric.ngrams(text)
            share = sum(1 for s in sh if s in self.shingles) / len(sh)
            return 0 if share >= BODY_MIN else 1 if share <= BOILER_MAX else -1
        if tuple(toks) in self.lines:
            return 0
        return -1 if (" " + " ".join(toks) + " ") in self.joined else 1


@dataclass
class Table:
    X: np.ndarray          # (rows, features)
    y: np.ndarray          # 1 boilerplate, 0 body, -1 ambiguous
    ntok: np.ndarray       # metric tokens of the block
    page: np.ndarray       # page id
    track: np.ndarray
    source: np.ndarray     # wcxb / readability / zh-cwced
    set: np.ndarray        # devset / trainset
    group: np.ndarray      # site
    fold: np.ndarray
    rules_kept: np.ndarray  # 1 when the chain without the model keeps the block
    tokens: "Tokens | None" = None  # the blocks' words (tokens.npz beside the table)

    def digest(self) -> str:
        h = hashlib.sha256()
        for a in (self.X, self.y, self.ntok):
            h.update(np.ascontiguousarray(a).tobytes())
        for a in (self.page, self.track, self.group):
            h.update("\n".join(a.tolist()).encode())
        return h.hexdigest()


@dataclass
class Tokens:
    """Every block's case-folded words: block i's are ``vocab[ids[offsets[i]:offsets[i + 1]]]``."""
    vocab: np.ndarray    # str, in order of first appearance
    ids: np.ndarray      # int32, all blocks' words, in order
    offsets: np.ndarray  # int64, len(blocks) + 1

    def digest(self) -> str:
        h = hashlib.sha256("\n".join(self.vocab.tolist()).encode())
        for a in (self.ids, self.offsets):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()


class _TokenSink:
    def __init__(self):
        self.vocab: dict[str, int] = {}
        self.ids: list[int] = []
        self.offsets = [0]

    def add(self, toks) -> None:
        v = self.vocab
        self.ids.extend(v.setdefault(t, len(v)) for t in toks)
        self.offsets.append(len(self.ids))

    def done(self) -> Tokens:
        return Tokens(vocab=np.array(list(self.vocab)), ids=np.array(self.ids, dtype=np.int32),
                      offsets=np.array(self.offsets, dtype=np.int64))


ARRAYS = ("X", "y", "ntok", "page", "track", "source", "set", "group", "fold", "rules_kept")


def blocks_of(track: str, path: Path):
    """(blocks, page metadata) exactly as the pipeline hands them to the chain."""
    if track == "html":
        blocks, meta, _ = html_blocks(path.read_bytes())
        return blocks, meta
    return segment(path.read_text(encoding="utf-8")), {}


RULES_ONLY = {"cleaners": {"disable": ["drop_learned_boilerplate"]}}


def rules_kept(blocks, meta: dict) -> list[int]:
    """1 for each block the chain without the model keeps."""
    doc = clean_blocks(list(blocks), config=RULES_ONLY, **meta)
    gone = {r.position for r in doc.removed}
    return [0 if b.index in gone else 1 for b in blocks]


def page_features(blocks, meta: Meta, book) -> np.ndarray:
    draft = detect_document_language(Draft(blocks=tuple(blocks), meta=meta, context=Context(phrases=book)))
    return document_features(draft)


def build(cache: Path = DEFAULT_CACHE, sets=SETS, limit: int | None = None, verbose: bool = True) -> Table:
    ensure_tracks(cache)
    book = build_book()
    cols: dict[str, list] = {k: [] for k in ("X", "y", "ntok", "page", "track", "source", "set", "group",
                                                  "rules_kept")}
    sink = _TokenSink()
    t0 = time.perf_counter()
    for s in sets:
        recs = index(s)[:limit] if limit else index(s)
        for n, rec in enumerate(recs):
            pid = rec["id"]
            html = (cache / s / "html" / f"{pid}.html").read_bytes()
            group = site_of(rec, html)
            truth = Truth((cache / s / "truth" / f"{pid}.txt").read_text(encoding="utf-8"))
            for track in TRACKS:
                ext = "html" if track == "html" else "txt"
                blocks, meta = blocks_of(track, cache / s / track / f"{pid}.{ext}")
                if not blocks:
                    continue
                X = page_features(blocks, Meta(language=meta.get("language")), book)
                cols["rules_kept"].extend(rules_kept(blocks, meta))
                cols["X"].append(X)
                cols["y"].extend(truth.label(b.text) for b in blocks)
                cols["ntok"].extend(len(metric.tokenize(b.text)) for b in blocks)
                for b in blocks:
                    sink.add(measure(b.text).folded_tokens)
                for k, v in (("page", pid), ("track", track), ("source", rec["source"]), ("set", s),
                             ("group", group)):
                    cols[k].extend([v] * len(blocks))
            if verbose and n % 100 == 0:
                print(f"  {s} {n}/{len(recs)} {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    groups = np.array(cols["group"])
    return Table(X=np.vstack(cols["X"]), y=np.array(cols["y"], dtype=np.int8),
                 ntok=np.array(cols["ntok"], dtype=np.int32), page=np.array(cols["page"]),
                 track=np.array(cols["track"]), source=np.array(cols["source"]), set=np.array(cols["set"]),
                 group=groups, fold=np.array([fold_of(g) for g in groups.tolist()], dtype=np.int8),
                 rules_kept=np.array(cols["rules_kept"], dtype=np.int8), tokens=sink.done())


def tokens_path(path: Path) -> Path:
    return path.with_name(path.stem + ".tokens.npz")


def save(t: Table, path: Path) -> None:
    """The table (``path``) and its blocks' words beside it (``tokens_path``), tied by the table's digest."""
    np.savez_compressed(path, features=np.array(FEATURES), **{k: getattr(t, k) for k in ARRAYS})
    if t.tokens is not None:
        np.savez_compressed(tokens_path(path), table_sha256=np.array(t.digest()),
                            **{k: getattr(t.tokens, k) for k in ("vocab", "ids", "offsets")})


def load(path: Path, tokens: bool = True) -> Table:
    z = np.load(path, allow_pickle=False)
    if tuple(z["features"].tolist()) != FEATURES:
        raise ValueError(f"{path}: built with another feature list; rebuild it")
    t = Table(**{k: z[k] for k in ARRAYS})
    tp = tokens_path(path)
    if tokens and tp.exists():
        w = np.load(tp, allow_pickle=False)
        if str(w["table_sha256"]) != t.digest():
            raise ValueError(f"{tp}: the words of another table; rebuild it")
        t.tokens = Tokens(vocab=w["vocab"], ids=w["ids"], offsets=w["offsets"])
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--limit", type=int)
    a = ap.parse_args()
    t = build(a.cache, limit=a.limit)
    a.cache.mkdir(parents=True, exist_ok=True)
    save(t, a.cache / "table.npz")
    lab = t.y
    print(f"{len(lab)} blocks: {int((lab == 0).sum())} body, {int((lab == 1).sum())} boilerplate, "
          f"{int((lab == -1).sum())} ambiguous; {len(set(t.group.tolist()))} sites; digest {t.digest()[:16]}; "
          f"{len(t.tokens.ids)} words ({len(t.tokens.vocab)} distinct), digest {t.tokens.digest()[:16]}")


if __name__ == "__main__":
    main()
