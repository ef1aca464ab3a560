"""Writing OUT/_review: the index, the pages of documents, the assets; and one document's page.

A run of any size gives pages of at most ``per_page`` documents (100) and about
``page_bytes`` of document JSON (4 MiB; a larger document gets a page of its own), so no
page grows with the run; the index carries one small row per document (path, title,
URL, site, language, counts, removals per rule) for its filters and search, and the
documents' text stays on their pages.

The new tree is written beside the old one (``OUT/.review-*``) and swapped in by two
renames, so a reader never sees a half-written review; the same documents give the same
bytes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from flows.output import atomic_write

from . import render
from .documents import REVIEW_DIR, NotADocument, Shown, blocks, iter_documents, load

PER_PAGE = 100
PAGE_BYTES = 4 * 1024 * 1024
ROWS_PER_VIEW = 100
UNREADABLE_LISTED = 100
LABEL_CHARS = 80


@dataclass
class Review:
    """What ``build`` wrote."""

    index: str  # absolute path of index.html
    documents: int = 0
    pages: int = 0
    blocks_kept: int = 0
    blocks_removed: int = 0
    unreadable: int = 0
    removed_by_cleaner: dict[str, int] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return file_uri(self.index)


def file_uri(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def plan_pages(sizes: list[int], per_page: int = PER_PAGE, page_bytes: int = PAGE_BYTES) -> list[int]:
    """The first document of each page: a page ends at ``per_page`` documents or once it holds
    ``page_bytes`` (a document larger than that gets a page to itself)."""
    starts: list[int] = []
    count = held = 0
    for i, size in enumerate(sizes):
        if not starts or count >= per_page or (count and held + size > page_bytes):
            starts.append(i)
            count = held = 0
        count += 1
        held += size
    return starts


class _Table:
    """Names numbered in first-seen order, with counts (the index's string tables)."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.counts: list[int] = []
        self.extra: list = []

    def add(self, name: str, n: int = 1, extra=None) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.counts)
            self.counts.append(0)
            self.extra.append(extra)
        self.counts[i] += n
        return i

    def names(self) -> list[str]:
        return list(self.ids)


def _facets(cleaners: Counter, rules: dict[str, tuple[str, int]], sites: Counter, langs: Counter) -> dict:
    order = lambda kv: (-kv[1], kv[0])  # noqa: E731 - most first, then by name
    return {
        "cleaners": [(n, c, render.colour(n)) for n, c in sorted(cleaners.items(), key=order)],
        "rules": [(r, cl, c) for r, (cl, c) in sorted(rules.items(), key=lambda kv: (-kv[1][1], kv[0]))],
        "sites": sorted(sites.items(), key=order),
        "langs": sorted(langs.items(), key=order),
    }


def _facets_of(views: list[dict]) -> dict:
    """The filters' choices for a page of documents (``render.view``s), with their counts."""
    cleaners, rules, sites, langs = Counter(), {}, Counter(), Counter()
    for v in views:
        sites[v["site"]] += 1
        langs[v["lang"]] += 1
        for b in v["blocks"]:
            if b.removed:
                cleaners[b.cleaner] += 1
                cl, c = rules.get(b.rule, (b.cleaner, 0))
                rules[b.rule] = (cl, c + 1)
    return _facets(cleaners, rules, sites, langs)


def _page_name(i: int) -> str:
    return f"pages/{i + 1:06d}.html"


def _read(rel: str, path: str) -> tuple[dict, list[Shown], str]:
    try:
        doc = load(path)
    except NotADocument as exc:
        return {"title": None}, [], str(exc)
    return doc, blocks(doc), ""


def build(out_root: str, *, per_page: int = PER_PAGE, page_bytes: int = PAGE_BYTES) -> Review:
    """Write ``OUT/_review/`` for every document under OUT; returns what was written.
    The caller holds OUT's lock (``flows.lock``), so no other build or run writes OUT meanwhile."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    root = os.path.abspath(out_root)
    listing = []
    for rel, path in iter_documents(root):
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        listing.append((rel, path, size))
    starts = plan_pages([s for _, _, s in listing], per_page, page_bytes)
    _sweep(root)
    tmp = tempfile.mkdtemp(prefix=".review-", dir=root)
    try:
        review = _write_tree(tmp, root, listing, starts)
        _swap(tmp, os.path.join(root, REVIEW_DIR))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return review


def _sweep(root: str) -> None:
    """Remove the trees a killed build left (``OUT/.review-*``). Safe because whoever builds holds
    OUT's lock: the flow's run, or ``python -m flows.review``."""
    with os.scandir(root) as entries:
        for e in entries:
            if e.name.startswith(".review-") and e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)


def _write_tree(tmp: str, root: str, listing: list, starts: list[int]) -> Review:
    os.makedirs(os.path.join(tmp, "pages"))
    os.makedirs(os.path.join(tmp, "assets"))
    for name in render.ASSETS:
        _write(os.path.join(tmp, "assets", name), render.asset(name))
    total_docs, total_pages = len(listing), len(starts)
    cleaners, rules, sites, langs = _Table(), _Table(), _Table(), _Table()
    rule_cleaner: dict[str, int] = {}
    rows: list[list] = []
    unreadable: list[tuple[str, str]] = []
    n_unreadable = kept_total = removed_total = 0
    bounds = starts + [total_docs]
    for p in range(total_pages):
        docs = []
        for n in range(bounds[p], bounds[p + 1]):
            rel, path, _ = listing[n]
            doc, shown, error = _read(rel, path)
            v = render.view(n, rel, doc, shown)
            v["error"] = error
            docs.append(v)
            if error:
                n_unreadable += 1
                if len(unreadable) < UNREADABLE_LISTED:
                    unreadable.append((rel, error))
            kept_total += v["kept"]
            removed_total += v["removed"]
            per_rule: Counter = Counter()
            for b in shown:
                if b.removed:
                    ci = cleaners.add(b.cleaner)
                    ri = rules.add(b.rule)
                    rule_cleaner.setdefault(b.rule, ci)
                    per_rule[ri] += 1
            flat = [x for ri, c in sorted(per_rule.items()) for x in (ri, c)]
            label = v["title"] or v["url"]  # the title, else the URL: searched with the path and site
            rows.append([rel, label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "\u2026",
                         sites.add(v["site"]), langs.add(v["lang"]), v["kept"], v["removed"], flat])
        nav = {"index": "../index.html", "number": p + 1, "pages": total_pages,
               "prev": "../" + _page_name(p - 1) if p else None,
               "next": "../" + _page_name(p + 1) if p + 1 < total_pages else None,
               "first": bounds[p] + 1, "last": bounds[p + 1], "documents": total_docs}
        _write(os.path.join(tmp, _page_name(p)),
               render.render("page.html", assets="../assets", nav=nav, docs=docs, facets=_facets_of(docs)))
    by_cleaner = dict(zip(cleaners.names(), cleaners.counts))
    rule_counts = {r: (cleaners.names()[rule_cleaner[r]], c) for r, c in zip(rules.names(), rules.counts)}
    facets = _facets(Counter(by_cleaner), rule_counts, Counter(dict(zip(sites.names(), sites.counts))),
                     Counter(dict(zip(langs.names(), langs.counts))))
    data = {
        "rows_per_view": ROWS_PER_VIEW,
        "cleaners": [[n, c] for n, c in zip(cleaners.names(), cleaners.counts)],
        "rules": [[r, rule_cleaner[r]] for r in rules.names()],
        "sites": [[s, c] for s, c in zip(sites.names(), sites.counts)],
        "langs": [[s, c] for s, c in zip(langs.names(), langs.counts)],
        "pages": [[s, _page_name(i)] for i, s in enumerate(starts)],
        "docs": rows,
    }
    pages = [{"href": _page_name(i), "first": bounds[i] + 1, "last": bounds[i + 1]} for i in range(total_pages)]
    _write(os.path.join(tmp, "index.html"),
           render.render("index.html", assets="assets", out=root, documents=total_docs, pages=pages,
                         blocks_kept=kept_total, blocks_removed=removed_total, facets=facets, data=data,
                         unreadable=unreadable, unreadable_count=n_unreadable))
    return Review(index=os.path.join(root, REVIEW_DIR, "index.html"), documents=total_docs, pages=total_pages,
                  blocks_kept=kept_total, blocks_removed=removed_total, unreadable=n_unreadable,
                  removed_by_cleaner=by_cleaner)


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _swap(new: str, target: str) -> None:
    """Put the finished tree ``new`` in place of ``target``: the old one is renamed away first,
    then removed, so ``target`` is at every moment absent, the old review or the new one."""
    old = None
    if os.path.lexists(target):
        old = tempfile.mkdtemp(prefix=".review-old-", dir=os.path.dirname(target))
        os.rmdir(old)
        os.rename(target, old)
    os.chmod(new, 0o755 & ~_umask())
    os.rename(new, target)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


def document_page(doc: dict, name: str, out_root: str) -> str:
    """Write one document's page to ``OUT/_review/explain/<name>-<hash>.html`` (with the assets
    beside it in ``OUT/_review/assets/``) and return its path. For ``--explain PATH --review``."""
    root = os.path.abspath(out_root)
    shown = blocks(doc)
    v = render.view(0, name, doc, shown)
    v["error"] = ""
    facets = _facets_of([v])
    base = os.path.join(root, REVIEW_DIR)
    for a in render.ASSETS:
        atomic_write(os.path.join(base, "assets", a), render.asset(a))
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in os.path.basename(name))[:60].lstrip(".") or "document"
    digest = hashlib.sha256(os.path.abspath(name).encode("utf-8", "surrogateescape")).hexdigest()[:8]
    target = os.path.join(base, "explain", f"{stem}-{digest}.html")
    atomic_write(target, render.render("single.html", assets="../assets", doc=v, facets=facets))
    return target
