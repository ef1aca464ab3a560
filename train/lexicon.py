"""The lexicon: a linear model over a block's words, body vs boilerplate, stacked into the trees.

The trees (``train.train``) see shape, place and layout; what leaks past them is
boilerplate shaped like prose (testimonials, calls to action, author and company
blurbs, disclaimers, reader comments), told apart by its words ("our", "free",
"demo", "thanks", "subscribe"). The lexicon scores those words; the feature pass
turns its score into the ``LEX`` columns (``cleaners.features.lex_columns``).

- Input: every block's case-folded words (``train.dataset.Tokens``), as a set;
  each word in the vocabulary worth 1/sqrt(the block's words in the vocabulary)
  (l2-normalised presence, ``cleaners.model.Lexicon.margin`` at inference).
- Vocabulary: words found on at least ``MIN_SITES`` sites of the training rows (a
  word one site prints on every page, its name, its product, is not evidence that
  carries to another site), at most ``MAX_WORDS``, the most widespread first.
- Model: logistic regression (scikit-learn, L2, C = ``C``), the blocks weighed by the
  log of their length as the trees weigh them; weights rounded to ``DECIMALS``
  (the table's scores are computed with the rounded weights the file ships).
- Stacking: a block's ``LEX`` columns in the training table come from the lexicon
  trained without its fold (``out_of_fold``); a fold model's trees train on columns
  from lexicons that saw neither its held-out fold nor the row's own (``nested``),
  and it ships the lexicon of its training folds. The shipped lexicon is trained on all
  labelled blocks.

Deterministic: the vocabulary's order is fixed (sites desc, then the word), the
solver (lbfgs) has no randomness.
"""
from __future__ import annotations

import numpy as np

from cleaners.features import INDEX, LEX, lex_columns

MIN_SITES = 5
MAX_WORDS = 20000
C = 0.3
DECIMALS = 4
SEED = 13


class Words:
    """The table's blocks as a sparse 0/1 matrix over its whole vocabulary (a word once per block)."""

    def __init__(self, tokens, group: np.ndarray):
        from scipy import sparse

        n = len(tokens.offsets) - 1
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(tokens.offsets))
        m = sparse.csr_matrix((np.ones(len(tokens.ids), dtype=np.float64), (rows, tokens.ids.astype(np.int64))),
                              shape=(n, len(tokens.vocab)))
        m.sum_duplicates()
        m.data[:] = 1.0
        self.M = m
        self.vocab = tokens.vocab
        _, self.gid = np.unique(group, return_inverse=True)

    def site_counts(self, rows: np.ndarray) -> np.ndarray:
        """For each word, the number of sites among ``rows`` (a boolean mask) printing it."""
        sub = self.M[np.flatnonzero(rows)].tocoo()
        g = self.gid[np.flatnonzero(rows)][sub.row]
        pairs = np.unique(g.astype(np.int64) * self.M.shape[1] + sub.col)
        return np.bincount(pairs % self.M.shape[1], minlength=self.M.shape[1])


def fit(words: Words, rows: np.ndarray, y: np.ndarray, w: np.ndarray, c: float = C,
        min_sites: int = MIN_SITES, max_words: int = MAX_WORDS) -> dict:
    """The lexicon (the model file's ``"lexicon"`` entry) learned on the labelled ``rows``."""
    from sklearn.linear_model import LogisticRegression

    sites = words.site_counts(rows)
    cand = np.flatnonzero(sites >= min_sites)
    order = sorted(cand.tolist(), key=lambda i: (-int(sites[i]), str(words.vocab[i])))[:max_words]
    cols = np.array(sorted(order, key=lambda i: str(words.vocab[i])), dtype=np.int64)
    X = _normalised(words.M[np.flatnonzero(rows)][:, cols])
    lr = LogisticRegression(C=c, max_iter=1000, random_state=SEED)
    lr.fit(X, y, sample_weight=w)
    coef = np.round(lr.coef_[0], DECIMALS)
    return {"weights": {str(words.vocab[i]): float(v) for i, v in zip(cols.tolist(), coef.tolist())},
            "intercept": round(float(lr.intercept_[0]), DECIMALS), "min_sites": min_sites, "C": c,
            "words": len(cols)}


def _normalised(X):
    from scipy import sparse

    nnz = np.diff(X.indptr)
    return sparse.diags(1.0 / np.sqrt(np.maximum(nnz, 1))) @ X


def margins(words: Words, lexicon: dict, rows: np.ndarray | None = None) -> np.ndarray:
    """The lexicon's margin of each block (of ``rows``, a mask; default all), as
    ``cleaners.model.Lexicon.margin`` computes it, up to the order of the sum."""
    index = {t: i for i, t in enumerate(words.vocab.tolist())}
    wv = np.zeros(words.M.shape[1])
    known = np.zeros(words.M.shape[1])
    for t, v in lexicon["weights"].items():
        i = index.get(t)
        if i is not None:
            wv[i] = v
            known[i] = 1.0
    M = words.M if rows is None else words.M[np.flatnonzero(rows)]
    k = M @ known
    return lexicon["intercept"] + np.where(k > 0, (M @ wv) / np.sqrt(np.maximum(k, 1)), 0.0)


def fill(t, m: np.ndarray) -> np.ndarray:
    """A copy of the table's X with its ``LEX`` columns computed from the blocks' margins
    ``m``, document by document (a document's rows are consecutive: one page, one track)."""
    X = t.X.copy()
    doc = np.concatenate(([True], (t.page[1:] != t.page[:-1]) | (t.track[1:] != t.track[:-1])
                          | (t.set[1:] != t.set[:-1])))
    starts = np.flatnonzero(doc).tolist() + [len(m)]
    lo = INDEX[LEX[0]]
    for a, b in zip(starts[:-1], starts[1:]):
        X[a:b, lo:lo + len(LEX)] = lex_columns(m[a:b])
    return X


def stacked(t, words: Words, w: np.ndarray, k: int, nested: bool = True, log=None):
    """(out-of-fold margins, {fold: the lexicon of its training folds}, {fold: the margins
    for that fold model's training rows}): nested, each row's from a lexicon trained on
    neither the fold model's held-out fold nor the row's own (else the out-of-fold ones)."""
    lab = t.y >= 0
    lex_of, m = {}, np.zeros(len(t.y))
    for f in range(k):
        tr = lab & (t.fold != f)
        lex_of[f] = fit(words, tr, t.y[tr], w[tr])
        m[t.fold == f] = margins(words, lex_of[f], t.fold == f)
        if log:
            log(f"  lexicon without fold {f}: {lex_of[f]['words']} words")
    per_fold = {}
    for f in range(k):
        if not nested:
            per_fold[f] = m
            continue
        mf = m.copy()
        for g in range(k):
            if g == f:
                continue
            tr = lab & (t.fold != f) & (t.fold != g)
            mf[t.fold == g] = margins(words, fit(words, tr, t.y[tr], w[tr]), t.fold == g)
        per_fold[f] = mf
        if log:
            log(f"  nested lexicons for fold model {f}")
    return m, lex_of, per_fold
