"""The shipped block model: a small versioned data file and its evaluator.

``block_model.json`` (written by ``train/train.py``, never by hand) holds the
feature list it was trained on (must equal ``cleaners.features.FEATURES``), the
sha256 of its training data and of the feature table, the decision threshold
chosen on the grouped cross-validation folds, and the model itself: gradient-
boosted trees (LightGBM, exported as flat arrays) or a linear model. Beside it:
``block_model.report.json`` / ``.md``, the cross-validation report.

A model may carry a lexicon (``"lexicon"``: ``Lexicon``), the linear model over a
block's words whose score fills the feature pass' ``LEX`` columns; it travels in the
model file, so a cross-validation fold's model carries the lexicon of its own fold.

Inference needs numpy only: every distinct split test of the ensemble is run once for
every block of the document and the leaves are found by bit masks (``_init_trees``), so
scoring a document costs a handful of numpy calls whatever its length.
"""
from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "declutter-block-model/1"
MODEL_PATH = Path(__file__).with_name("block_model.json")
CHUNK = 1024   # rows evaluated at once (a table's splits x rows tests in memory)


class ModelError(ValueError):
    pass


class Lexicon:
    """A block's words as evidence: log-odds of boilerplate from a linear model over the
    set of its case-folded words (``Measures.folded_tokens``) that are in the vocabulary,
    each worth 1/sqrt(their number) (l2-normalised presence), trained by
    ``train/lexicon.py``. One dict lookup per word."""

    def __init__(self, data: dict):
        self.weights: dict[str, float] = {k: float(v) for k, v in data["weights"].items()}
        self.intercept = float(data["intercept"])

    def margin(self, tokens) -> float:
        get = self.weights.get
        ws = [w for w in map(get, set(tokens)) if w is not None]
        return self.intercept + (math.fsum(ws) / math.sqrt(len(ws)) if ws else 0.0)

    def strongest(self, tokens, n: int = 3) -> list[str]:
        """The block's words that raise its score most (for a removal's reason)."""
        get = self.weights.get
        ws = sorted(((get(t, 0.0), t) for t in set(tokens)), key=lambda p: (-p[0], p[1]))
        return [t for w, t in ws[:n] if w > 0]


class BlockModel:
    """Scores feature rows: P(boilerplate) per block, and why (per-feature contributions)."""

    def __init__(self, data: dict):
        if data.get("format") != FORMAT:
            raise ModelError(f"not a block model of format {FORMAT}: {data.get('format')!r}")
        self.data = data
        self.features: tuple[str, ...] = tuple(data["features"])
        self.threshold: float = float(data["threshold"])
        # blocks shaped like a sentence (learned.is_sentence) need this one (>= threshold)
        self.sentence_threshold: float = max(self.threshold, float(data.get("sentence_threshold", self.threshold)))
        self.kind: str = data["kind"]
        self.version: str = data["version"]
        self.lexicon: Lexicon | None = Lexicon(data["lexicon"]) if data.get("lexicon") else None
        if self.kind == "gbdt":
            self._init_trees(data["trees"], float(data.get("base", 0.0)))
        elif self.kind == "linear":
            self.coef = np.array(data["coef"], dtype=np.float64)
            self.mean = np.array(data["mean"], dtype=np.float64)
            self.scale = np.array(data["scale"], dtype=np.float64)
            self.intercept = float(data["intercept"])
        else:
            raise ModelError(f"unknown model kind {self.kind!r}")

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> "BlockModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def _init_trees(self, trees: list[dict], base: float) -> None:
        """The ensemble as bit masks (QuickScorer, Lucchese et al. 2015): each tree's leaves are
        numbered left to right, one bit each; a split whose test fails (value > threshold, or
        not a number) rules out the leaves of its left subtree, and the leaf a row reaches is the
        leftmost one no failed test ruled out. So every split of every tree is tested at once
        and a document costs a handful of numpy calls, with no walk level by level. Trees with
        fewer splits than the largest are padded with splits that rule nothing out.

        For the reasons, each leaf also keeps its path: the (feature, change of the node's
        value) of every step from the root (Saabas' contributions depend on the leaf alone)."""
        n_trees = len(trees)
        inner = max((len(t["split"]) for t in trees), default=0)
        leaves = max((len(t["leaf"]) for t in trees), default=1)
        if leaves > 64:
            raise ModelError(f"trees of up to 64 leaves are supported, not {leaves}")
        word = np.uint16 if leaves <= 16 else np.uint32 if leaves <= 32 else np.uint64
        full = np.iinfo(word).max
        feat = np.zeros((inner, n_trees), dtype=np.intp)       # split-major: one row per split slot
        thr = np.full((inner, n_trees), np.inf)
        mask = np.full((inner, n_trees), full, dtype=word)
        value = np.zeros((n_trees, leaves))                     # by left-to-right rank
        paths: list[list[list[tuple[int, float]]]] = []
        for i, t in enumerate(trees):
            order, tree_paths, spans = [], [], {}
            self._number_leaves(t, order, tree_paths, spans)
            for r, leaf in enumerate(order):
                value[i, r] = t["leaf"][leaf]
            for j in range(len(t["split"])):
                feat[j, i] = t["split"][j]
                thr[j, i] = t["threshold"][j]
                lo, hi = spans[t["left"][j]]                    # ranks of its left subtree's leaves
                mask[j, i] = word(full & ~(((1 << (hi - lo)) - 1) << lo))
            paths.append(tree_paths)
        depth = max((len(p) for tp in paths for p in tp), default=0)
        path_feat = np.zeros((depth, n_trees, leaves), dtype=np.intp)
        path_gain = np.zeros((depth, n_trees, leaves))
        for i, tree_paths in enumerate(paths):
            for r, p in enumerate(tree_paths):
                for d, (f, g) in enumerate(p):
                    path_feat[d, i, r], path_gain[d, i, r] = f, g
        # the trees share most of their tests (LightGBM's thresholds are bin edges): each
        # distinct (feature, threshold) is tested once, and every split reads its test's result
        tests, test_of_split = np.unique(np.stack([feat.ravel().astype(np.float64), thr.ravel()], axis=1),
                                         axis=0, return_inverse=True)
        self.test_of_split = test_of_split.ravel()
        self.test_feat = tests[:, 0].astype(np.intp)
        self.test_thr = tests[:, 1][:, None]
        self.split_mask = mask.ravel()[:, None]
        self.inner, self.n_trees = inner, n_trees
        self.all_leaves = word(full)
        self.leaf_value = value
        self.path_feat, self.path_gain = path_feat, path_gain
        self.tree_col = np.arange(n_trees)[:, None]
        self.base = base
        self.trees = trees

    @staticmethod
    def _number_leaves(t: dict, order: list, paths: list, spans: dict) -> None:
        """Leaves left to right into ``order``, each one's root path into ``paths``, and every
        node's span of leaf ranks into ``spans`` (a child < 0 is leaf ``-child - 1``)."""
        if not t["split"]:
            order.append(0)
            paths.append([])
            return
        stack = [(0, [], False)]
        while stack:
            node, path, done = stack.pop()
            if node < 0:
                spans[node] = (len(order), len(order) + 1)
                order.append(-node - 1)
                paths.append(path)
                continue
            if done:
                spans[node] = (spans[t["left"][node]][0], spans[t["right"][node]][1])
                continue
            f, v = t["split"][node], t["value"][node]
            stack.append((node, path, True))
            for child in (t["right"][node], t["left"][node]):   # left popped first
                cv = t["leaf"][-child - 1] if child < 0 else t["value"][child]
                stack.append((child, path + [(f, cv - v)], False))

    # -- scoring ---------------------------------------------------------------------
    def _check(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ModelError(f"expected rows of {len(self.features)} features, got shape {X.shape}")
        return X

    def _leaves(self, X: np.ndarray) -> np.ndarray:
        """(trees, rows): the left-to-right rank of the leaf each row reaches in each tree."""
        n = X.shape[0]
        passed = np.ascontiguousarray(X.T)[self.test_feat] <= self.test_thr       # (tests, rows)
        all_in = passed.astype(self.all_leaves.dtype) * self.all_leaves          # a passed test rules out nothing
        masks = all_in[self.test_of_split] | self.split_mask                     # (splits, rows)
        reach = np.bitwise_and.reduce(masks.reshape(self.inner, self.n_trees, n), axis=0) if self.inner \
            else np.full((self.n_trees, n), self.all_leaves)
        lowest = reach & (~reach + self.all_leaves.dtype.type(1))                   # lowest set bit
        return np.log2(lowest).astype(np.intp)

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The margin (log-odds of boilerplate) of each row of X."""
        X = self._check(X)
        if self.kind == "linear":
            return ((X - self.mean) / self.scale) @ self.coef + self.intercept
        if X.shape[0] > CHUNK:  # a training table, not a document: bounded memory
            return np.concatenate([self.raw(X[i:i + CHUNK]) for i in range(0, X.shape[0], CHUNK)])
        return self.leaf_value[self.tree_col, self._leaves(X)].sum(axis=0) + self.base

    def predict(self, X: np.ndarray) -> np.ndarray:
        """P(boilerplate) of each row."""
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def contributions(self, x: np.ndarray) -> dict[str, float]:
        """How much each feature moved this row's margin (per-tree path contributions for
        trees, Saabas' method; coefficient times standardised value for a linear model)."""
        row = self.contributions_many(np.asarray(x, dtype=np.float64)[None, :])[0]
        return {f: float(v) for f, v in zip(self.features, row) if v}

    def contributions_many(self, X: np.ndarray) -> np.ndarray:
        """(rows, features) contributions: the steps of each row's leaf paths, added up in
        the order of the steps (level by level, tree by tree)."""
        X = self._check(X)
        if self.kind == "linear":
            return (X - self.mean) / self.scale * self.coef
        n, F = X.shape
        leaf = self._leaves(X)                                          # (trees, rows)
        feat = self.path_feat[:, self.tree_col, leaf]                   # (depth, trees, rows)
        gain = self.path_gain[:, self.tree_col, leaf]
        cell = np.arange(n)[None, None, :] * F + feat
        out = np.bincount(cell.ravel(), weights=gain.ravel(), minlength=n * F)
        return out.astype(np.float64, copy=False).reshape(n, F)   # (bincount of no steps is int)


def dumps(data: dict) -> str:
    """The model file's stable text: sorted keys, one line per top-level entry's item lists."""
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=True) + "\n"


def digest(data: dict) -> str:
    """The model's version: a hash of everything but the version itself."""
    body = {k: v for k, v in data.items() if k != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def shipped() -> BlockModel | None:
    """The model shipped in this folder, or None when none is (the learned cleaner is then a no-op)."""
    if not MODEL_PATH.exists():
        return None
    return BlockModel.load(MODEL_PATH)


def sigmoid_inverse(p: float) -> float:
    return math.log(p / (1 - p))
