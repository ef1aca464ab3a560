"""The one feature pass: a row of numbers per block, computed once per document.

The block model (``cleaners.model``) reads these rows, and any cleaner may too
(``document_features(draft)``). They are computed on the segmented blocks in
their original order, never on the live ones: a block's row does not change when
another cleaner removes a neighbour, so the learned cleaner's verdict is the
block's own (``document.block_local``) and the chain's later passes reuse it.

What a row holds (``FEATURES`` names every column, in order; it is the contract
with the shipped model file, which records the list it was trained on):

- shape: words, characters, sentence end, punctuation / capital / digit shares,
  URLs, e-mail addresses, @handles, pipes, a leading bullet, title case;
- stopword share in the document's language (the jusText stoplists of the
  phrase files; -1 when the language has none), and the page trimmer's
  good / near / bad class of the block (``pagetrim``'s jusText-like test);
- position: from the start, from the end, relative, share of the words before
  it, prose blocks before and after it;
- the same few key measures of the two blocks before and after;
- repetition inside the document, the size of its line group and its place there;
- which phrase families match the block (the ``PhraseBook`` on the draft's context);
- HTML hints and evidence (``Block.hints``, ``Block.evidence``): source element,
  link share, class/id words, landmarks around it (figure, list, table, aside,
  nav, footer, header, form). Text input has none of these: the columns are 0;
- the page's layout (``_layout``: the main run of prose, windows, card grids);
- lexical evidence (``LEX``): the block's words scored by the model's lexicon (a
  linear model over case-folded words, ``cleaners.model.Lexicon``) as log-odds of
  boilerplate, the same for the blocks before and after it and the mean over five
  blocks either side. Without a lexicon (``compute(..., lexicon=None)``) these
  columns are 0: the training table is built so, and ``train/train.py`` fills them
  out of fold (a block's lexical columns come from a lexicon that never saw its site).

Pure, no I/O. Cost: see bench/learned.py (``features`` line).
"""
from __future__ import annotations

import math
import re

import numpy as np

from .document import Block, Draft
from .language import stopwords
from .page_trim import PageTrimParams, _classifier
from .measures import measure
from .textutil import key, memo_text, words

# the page trimmer's prose class under its default thresholds: the model was trained on these
_DEFAULT_CLASSIFY = _classifier(PageTrimParams())

VERSION = "3"

# the families whose matches the first model used (split counts on grouped folds); the
# rest (captions, tags, bio...) either never fired on a block the rules left or added nothing
PHRASE_FAMILIES = ("comments", "comment_form", "promos", "newsletter", "share", "ads", "copyright", "byline",
                   "interface")
HINTS = ("heading", "list", "quote", "table", "code", "caption", "credit", "related", "newsletter", "share",
         "comment")
TAG_KINDS = ("p", "heading", "li", "cell", "div", "inline", "figcaption", "blockquote", "pre")
LANDMARKS = ("figure", "list", "table", "aside", "nav", "footer", "header", "form", "article", "link")
# class/id words that name page furniture, and words that name the article itself;
# a token counts when it contains one (“socialshare”, “related-posts”)
CLASS_BAD = ("nav", "menu", "footer", "header", "sidebar", "side", "related", "share", "social", "comment",
             "promo", "advert", "ads", "sponsor", "newsletter", "subscribe", "signup", "caption", "credit",
             "byline", "author", "bio", "meta", "tag", "breadcrumb", "widget", "card", "teaser", "button", "btn",
             "cta", "banner", "popup", "modal", "cookie", "consent", "toolbar", "login", "recommend", "more",
             "trending", "popular", "newsletter", "disclaimer", "date", "time", "label", "category", "topic")
CLASS_GOOD = ("article", "content", "body", "post", "entry", "text", "story", "main", "prose", "paragraph")

SHAPE = ("words_log", "chars_log", "sentence_end", "punct_share", "upper_share", "digit_share", "urls",
         "email", "handles", "pipes", "bullet", "title_case", "stop_share", "prose_class", "cjk",
         "sentences", "ends_colon", "starts_digit", "mean_word_len", "quote_marks")
NEIGHBOUR = ("words_log", "sentence_end", "stop_share", "prose_class", "link_share")
NEIGHBOURS = (-2, -1, 1, 2)
POSITION = ("pos_rel", "from_start_log", "from_end_log", "words_before_share", "prose_before_log",
            "prose_after_log", "before_first_prose", "after_last_prose", "blocks_log", "doc_words_log")
CONTEXT = ("repeats", "repeats_prefix", "group_size_log", "group_pos", "group_single")
LAYOUT = ("main_in", "main_before", "main_after", "main_dist_log", "main_words_between_log", "main_share",
          "win_prose_share", "win_words_log", "win_sent_share", "short_run_log", "prose_run_words_log",
          "period_match", "words_after_share")
LEX = ("lex", "lex_prev", "lex_next", "lex_win")
HTML = ("html_doc", "ev_matched", "ev_link_share", "ev_depth", "ev_class_bad", "ev_class_good")

FEATURES: tuple[str, ...] = (
    SHAPE + POSITION + CONTEXT
    + tuple(f"n{d:+d}_{f}" for d in NEIGHBOURS for f in NEIGHBOUR)
    + tuple(f"phrase_{f}" for f in PHRASE_FAMILIES)
    + tuple(f"hint_{h}" for h in HINTS)
    + HTML
    + tuple(f"tag_{t}" for t in TAG_KINDS)
    + tuple(f"in_{l}" for l in LANDMARKS)
    + LAYOUT
    + LEX
)
INDEX = {f: i for i, f in enumerate(FEATURES)}

_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk|io)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_HANDLE = re.compile(r"(?<![\w.])@\w{2,}")
_BULLET = re.compile(r"^\s*(?:[-*•·▪►▸»›>+–—]|\d{1,2}[.)])\s")
_SENT = re.compile(r"[.!?。！？](?:\s|$)")
_QUOTES = re.compile(r"[\"“”„«»「」]")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE = frozenset({"span", "a", "strong", "em", "b", "small", "time", "label", "button"})
_PROSE = {"good": 2.0, "near": 1.0, "bad": 0.0}
MAX_PHRASE_WORDS = 10    # phrase families describe short blocks: longer ones are not looked up


def _tag_kind(tag: str) -> str:
    if tag in _HEADINGS:
        return "heading"
    if tag in ("td", "th", "caption"):
        return "cell"
    if tag in ("div", "section", "header", "footer", "aside", "nav", "figure", "summary", "address"):
        return "div"
    if tag in _INLINE:
        return "inline"
    if tag in ("dd", "dt"):
        return "li"
    return tag if tag in TAG_KINDS else "div"


_DIGITS = str.maketrans("", "", "0123456789")
_PUNCT_BYTES = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".encode("ascii")
_UPPER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER_BYTES = b"abcdefghijklmnopqrstuvwxyz"
_TLD_HINT = re.compile(r"\.(?:com|org|net|co\.uk|io)\b", re.I)
_PUNCTS = str.maketrans("", "", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…–—‘’“”«»•·¡¿。，、；：！？「」『』（）《》")


@memo_text(65536)
def _shape(text: str, stoplist: str | None) -> tuple[float, ...]:
    """SHAPE columns of one block's text (memoised: boilerplate lines recur)."""
    m = measure(text)  # the record the cleaners read (the stripped text measures the same)
    t = text.strip()
    n_words = m.words
    n_chars = len(t)
    toks = m.tokens
    n_toks = len(toks)
    sw = stopwords(stoplist) if stoplist else None
    if sw is not None and toks:
        stop = sum(map(sw.__contains__, m.folded_tokens)) / n_toks
    else:
        stop = -1.0
    caps = sum(map(str.isupper, [w[0] for w in toks]))
    if t.isascii():  # bytes.translate deletes in C: the same counts, several times faster
        raw = t.encode("ascii")
        punct = n_chars - len(raw.translate(None, _PUNCT_BYTES))
        digits = n_chars - len(raw.translate(None, b"0123456789"))
        up = n_chars - len(raw.translate(None, _UPPER_BYTES))
        low = n_chars - len(raw.translate(None, _LOWER_BYTES))
        upper = up / (up + low) if up + low else 0.0
    else:
        punct = n_chars - len(t.translate(_PUNCTS))
        digits = n_chars - len(t.translate(_DIGITS))
        upper = m.upper
    spaces = t.count(" ")
    at = "@" in t
    return (
        math.log1p(n_words), math.log1p(n_chars), float(m.ends),
        punct / max(1, n_chars), upper, digits / max(1, n_chars),
        float(len(_URL.findall(t))) if "//" in t or "www." in t or _TLD_HINT.search(t) else 0.0,
        float(bool(_EMAIL.search(t))) if at else 0.0,
        float(len(_HANDLE.findall(t))) if at else 0.0,
        float(t.count("|")), float(bool(_BULLET.match(text))), caps / n_toks if toks else 0.0,
        stop, _PROSE[_DEFAULT_CLASSIFY(t, sw or frozenset())], float(m.cjk),
        float(len(_SENT.findall(t))), float(t.endswith(":")), float(t[:1].isdigit()),
        ((n_chars - spaces - punct) / n_toks) if toks else 0.0,
        float(len(_QUOTES.findall(t))) if not t.isascii() or '"' in t else 0.0,
    )


_BOOKS: dict[str, object] = {}


class _PhraseIndex:
    """The phrase families' matchers folded together, with the same answers as asking each
    ``Matcher.any`` (a family matches when any of its kinds does): one set lookup for
    the exact phrases, one startswith and one scan over every family's prefix heads and
    contained words before any family's own pattern runs."""

    def __init__(self, book):
        self.fams = [book[f] for f in PHRASE_FAMILIES]
        self.exact: dict[str, set[int]] = {}
        self.exact_re = []
        heads, words_ = set(), set()
        self.prefix, self.contains, self.pattern = [], [], []
        for i, m in enumerate(self.fams):
            if m.exact_set is not None:
                for k in m.exact_set:
                    self.exact.setdefault(k, set()).add(i)
            elif m.exact_re is not None:
                self.exact_re.append(i)
            if m.prefix_re is not None:
                self.prefix.append(i)
                if m.prefix_heads is None:
                    heads = None
                elif heads is not None:
                    heads.update(m.prefix_heads)
            if m.contains_re is not None:
                self.contains.append(i)
                if m.contains_words is None:
                    words_ = None
                elif words_ is not None:
                    words_.update(m.contains_words)
            if m.pattern_re is not None:
                self.pattern.append(i)
        self.heads = tuple(sorted(heads)) if heads is not None else None
        self.any_word = re.compile("|".join(re.escape(w) for w in sorted(words_, key=len, reverse=True))) \
            if words_ else None
        self.words_gate = words_ is not None

    def match(self, k: str) -> tuple[float, ...]:
        hit = set(self.exact.get(k, ()))
        fams = self.fams
        for i in self.exact_re:
            if i not in hit and fams[i].exact(k):
                hit.add(i)
        if self.prefix and (self.heads is None or k.startswith(self.heads)):
            for i in self.prefix:
                if i not in hit and fams[i].prefix(k):
                    hit.add(i)
        if self.contains and (not self.words_gate or (self.any_word is not None and self.any_word.search(k))):
            for i in self.contains:
                if i not in hit and fams[i].contains(k):
                    hit.add(i)
        for i in self.pattern:
            if i not in hit and fams[i].pattern(k):
                hit.add(i)
        return tuple(1.0 if i in hit else 0.0 for i in range(len(fams)))


@memo_text(65536)
def _phrases(text: str, fingerprint: str) -> tuple[float, ...]:
    return _BOOKS[fingerprint].match(key(text))


_NO_PHRASES = (0.0,) * len(PHRASE_FAMILIES)


def phrases_digest() -> str:
    """sha256 of the shipped phrase lists the ``phrase_*`` columns read (``PHRASE_FAMILIES``):
    the training table depends on them, so the model file records it (``train/train.py``)
    and a test holds the shipped model to this tree's lists: edit one of those families
    and the model must be retrained, or ``train/train.py`` would no longer give its bytes."""
    import hashlib
    import json

    from .phrases import shipped_lists

    return hashlib.sha256(json.dumps(shipped_lists(PHRASE_FAMILIES), sort_keys=True).encode()).hexdigest()


def stoplist_of(draft: Draft) -> str | None:
    lang = draft.meta.language
    for l in getattr(draft.context.phrases, "languages", ()):
        if l.code == lang and l.stoplist:
            return l.stoplist
    return None


def compute(blocks: tuple[Block, ...] | list[Block], stoplist: str | None, book=None,
            lexicon=None) -> np.ndarray:
    """The feature table of a document's blocks: shape (len(blocks), len(FEATURES));
    ``lexicon`` (``cleaners.model.Lexicon``, the model's) fills the ``LEX`` columns."""
    n = len(blocks)
    X = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return X
    shapes = [_shape(b.text, stoplist) for b in blocks]
    S = np.array(shapes, dtype=np.float64)
    X[:, :len(SHAPE)] = S
    col = len(SHAPE)
    wc = np.expm1(S[:, 0])
    total = float(wc.sum()) or 1.0
    prose = S[:, SHAPE.index("prose_class")] == 2.0
    idx = np.arange(n, dtype=np.float64)
    prose_before = np.concatenate(([0], np.cumsum(prose)[:-1]))
    prose_after = prose.sum() - np.cumsum(prose)
    X[:, col + 0] = idx / max(1, n - 1)
    X[:, col + 1] = np.log1p(idx)
    X[:, col + 2] = np.log1p(n - 1 - idx)
    X[:, col + 3] = (np.cumsum(wc) - wc) / total
    X[:, col + 4] = np.log1p(prose_before)
    X[:, col + 5] = np.log1p(prose_after)
    X[:, col + 6] = prose_before == 0
    X[:, col + 7] = prose_after == 0
    X[:, col + 8] = math.log1p(n)
    X[:, col + 9] = math.log1p(total)
    col += len(POSITION)

    keys = [b.m.key for b in blocks]
    counts: dict[str, int] = {}
    heads: dict[str, int] = {}
    head_of = [" ".join(k.split(" ", 3)[:3]) for k in keys]
    for k, h in zip(keys, head_of):
        counts[k] = counts.get(k, 0) + 1
        heads[h] = heads.get(h, 0) + 1
    gid = np.fromiter((b.group for b in blocks), dtype=np.int64, count=n)
    _, inverse, sizes = np.unique(gid, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")               # each group's blocks, in page order
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    size = sizes[inverse]
    X[:, col + 2] = np.array([math.log1p(k) for k in sizes.tolist()])[inverse]  # math's, as in training
    X[:, col + 3] = rank / np.maximum(1, size - 1)
    X[:, col + 4] = size == 1
    X[:, col] = [counts[k] - 1 for k in keys]
    X[:, col + 1] = [heads[h] - 1 for h in head_of]
    col += len(CONTEXT)

    link = np.array([b.evidence.link_share if b.evidence is not None else 0.0 for b in blocks])
    own = np.column_stack([S[:, 0], S[:, 2], S[:, SHAPE.index("stop_share")], S[:, SHAPE.index("prose_class")],
                           link])
    for d in NEIGHBOURS:
        block = np.full((n, len(NEIGHBOUR)), -1.0)
        if d < 0 and n + d > 0:
            block[-d:] = own[:n + d]
        elif d > 0 and n - d > 0:
            block[:n - d] = own[d:]
        X[:, col:col + len(NEIGHBOUR)] = block
        col += len(NEIGHBOUR)

    if book is not None and getattr(book, "fingerprint", None):
        if book.fingerprint not in _BOOKS:
            _BOOKS[book.fingerprint] = _PhraseIndex(book)
        X[:, col:col + len(PHRASE_FAMILIES)] = [
            _phrases(b.text, book.fingerprint) if wc[i] <= MAX_PHRASE_WORDS else _NO_PHRASES
            for i, b in enumerate(blocks)]
    col += len(PHRASE_FAMILIES)

    for i, b in enumerate(blocks):
        if b.hints:
            for j, h in enumerate(HINTS):
                if h in b.hints:
                    X[i, col + j] = 1.0
    col += len(HINTS)

    html_doc = any(b.evidence is not None or b.hints for b in blocks)
    X[:, col] = html_doc
    tag_col = col + len(HTML)
    land_col = tag_col + len(TAG_KINDS)
    for i, b in enumerate(blocks):
        e = b.evidence
        if e is None:
            continue
        X[i, col + 1] = 1.0
        X[i, col + 2] = e.link_share
        X[i, col + 3] = e.depth
        X[i, col + 4] = sum(1 for w in e.words if any(c in w for c in CLASS_BAD))
        X[i, col + 5] = sum(1 for w in e.words if any(c in w for c in CLASS_GOOD))
        X[i, tag_col + TAG_KINDS.index(_tag_kind(e.tag))] = 1.0
        for j, l in enumerate(LANDMARKS):
            if l in e.inside:
                X[i, land_col + j] = 1.0
    col = land_col + len(LANDMARKS)
    X[:, col:col + len(LAYOUT)] = _layout(S, wc)
    col += len(LAYOUT)
    if lexicon is not None:
        X[:, col:col + len(LEX)] = lex_columns(np.array([_lex_margin(b.text, lexicon) for b in blocks]))
    assert col + len(LEX) == len(FEATURES)
    return X


@memo_text(65536)
def _lex_margin(text: str, lexicon) -> float:
    """The lexicon's log-odds of boilerplate for one block's words (memoised by text and
    lexicon: boilerplate lines recur)."""
    return lexicon.margin(measure(text).folded_tokens)


def lex_columns(margins: np.ndarray) -> np.ndarray:
    """``LEX`` columns of a document from its blocks' lexical margins, in order: the
    block's own, the one before and after it (0 where there is none), and the mean over
    ``WINDOW`` blocks either side, itself left out (-1 alone on the page, as ``_windowed``)."""
    n = len(margins)
    out = np.zeros((n, len(LEX)))
    if n == 0:
        return out
    out[:, 0] = margins
    out[1:, 1] = margins[:-1]
    out[:-1, 2] = margins[1:]
    out[:, 3] = _windowed(margins, WINDOW)
    return out


WINDOW = 5           # blocks either side for the windowed measures
SHORT_WORDS = 8      # a block of fewer words and no sentence end is "short" (menus, labels, card lines)
BAD_PENALTY = 10     # words a non-prose block costs the main run (jusText-like: a menu breaks the run)
PERIODS = (2, 3, 4)  # card grids: headline / excerpt / date repeating


def _runs(flag: np.ndarray) -> np.ndarray:
    """For each True position, the number of the run of consecutive Trues it is in (-1 elsewhere)."""
    first = flag & np.concatenate(([True], ~flag[:-1]))
    rid = np.cumsum(first) - 1
    return np.where(flag, rid, -1)


def _windowed(a: np.ndarray, w: int) -> np.ndarray:
    """Mean of ``a`` over the blocks within w either side, the block itself left out."""
    n = len(a)
    c = np.concatenate(([0.0], np.cumsum(a)))
    i = np.arange(n)
    lo, hi = np.maximum(0, i - w), np.minimum(n, i + w + 1)
    cnt = hi - lo - 1
    return np.where(cnt > 0, (c[hi] - c[lo] - a) / np.maximum(cnt, 1), -1.0)


def _layout(S: np.ndarray, wc: np.ndarray) -> np.ndarray:
    """LAYOUT columns: where the block sits in the page's layout.

    The main run is the densest run of prose (jusText-like): the span of blocks with
    the largest sum of good-prose words minus a cost for every other block
    (``BAD_PENALTY`` + its words; near-prose blocks are free), found in one pass."""
    n = len(wc)
    out = np.zeros((n, len(LAYOUT)))
    pc = S[:, SHAPE.index("prose_class")]
    sent = S[:, SHAPE.index("sentence_end")]
    good = pc == 2.0
    gain = np.where(good, wc, np.where(pc == 1.0, 0.0, -(BAD_PENALTY + wc)))
    best, start, s0, e0, cur = -1.0, 0, 0, -1, 0.0
    for i in range(n):            # Kadane: the span of the largest total gain
        if cur <= 0:
            cur, start = gain[i], i
        else:
            cur += gain[i]
        if cur > best:
            best, s0, e0 = cur, start, i
    idx = np.arange(n)
    cw = np.concatenate(([0.0], np.cumsum(wc)))
    total = float(cw[-1]) or 1.0
    if best > 0:
        inside = (idx >= s0) & (idx <= e0)
        out[:, 0] = inside
        out[:, 1] = idx < s0
        out[:, 2] = idx > e0
        dist = np.where(idx < s0, s0 - idx, np.where(idx > e0, idx - e0, 0))
        out[:, 3] = np.log1p(dist)
        between = np.where(idx < s0, cw[s0] - cw[idx + 1], np.where(idx > e0, cw[idx] - cw[e0 + 1], 0.0))
        out[:, 4] = np.log1p(between)
        out[:, 5] = (cw[e0 + 1] - cw[s0]) / total
    else:
        out[:, 3] = math.log1p(n)
        out[:, 4] = math.log1p(total)
    out[:, 6] = _windowed(good.astype(float), WINDOW)
    out[:, 7] = _windowed(S[:, 0], WINDOW)
    out[:, 8] = _windowed(sent, WINDOW)
    short = (wc < SHORT_WORDS) & (sent == 0)
    for flag, j, weight in ((short, 9, None), (pc >= 1.0, 10, wc)):
        rid = _runs(flag)
        if (rid >= 0).any():
            sizes = np.bincount(rid[rid >= 0], weights=None if weight is None else weight[rid >= 0])
            out[rid >= 0, j] = np.log1p(sizes[rid[rid >= 0]])
    sig = np.minimum(np.floor(np.log2(1 + wc)), 6) * 2 + sent
    for p in PERIODS:             # the share of i +- p, i +- 2p with the block's own shape
        hits = np.zeros(n)
        cnt = np.zeros(n)
        for k in (-2 * p, -p, p, 2 * p):
            j = idx + k
            ok = (j >= 0) & (j < n)
            cnt += ok
            hits[ok] += sig[j[ok]] == sig[ok]
        # a period counts only when the block's immediate neighbour differs (else a plain list)
        nb = np.zeros(n, dtype=bool)
        nb[1:] |= sig[1:] != sig[:-1]
        nb[:-1] |= sig[:-1] != sig[1:]
        out[:, 11] = np.maximum(out[:, 11], np.where((cnt > 0) & nb, hits / np.maximum(cnt, 1), 0.0))
    out[:, 12] = (total - cw[1:]) / total
    return out


def document_features(draft: Draft, lexicon=None) -> np.ndarray:
    """The feature table of the draft's segmented blocks (all of them, in order; row
    i is ``draft.blocks[i]``), with the ``LEX`` columns of ``lexicon`` (the model's),
    computed once per document and lexicon and kept in the context's memo."""
    memo = draft.context.memo
    hit = memo.get("features")
    if hit is not None and hit[0] is draft.blocks and hit[1] is lexicon:
        return hit[2]
    X = compute(draft.blocks, stoplist_of(draft), draft.context.phrases, lexicon)
    memo["features"] = (draft.blocks, lexicon, X)
    return X
