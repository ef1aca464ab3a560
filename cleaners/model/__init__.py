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

Inference needs numpy only: every tree of the ensemble is walked for every block
of the document at once (one fancy-indexing step per tree level), so scoring a
document costs a few dozen numpy calls whatever its length.
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
CHUNK = 4096   # rows evaluated at once


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
        """All trees in flat arrays of one node table: tree t's nodes at offset[t]...,
        its leaves appended after every internal node as nodes that point to themselves
        (feature 0, threshold +inf), so a walk needs no test for having reached a leaf."""
        inner = sum(len(t["split"]) for t in trees)
        leaves = sum(len(t["leaf"]) for t in trees)
        size = inner + leaves
        feat = np.zeros(size, dtype=np.intp)
        thr = np.full(size, np.inf)
        left = np.arange(size, dtype=np.intp)
        right = np.arange(size, dtype=np.intp)
        value = np.zeros(size)
        ivalue = np.zeros(size)    # each node's own value (internal_value, or the leaf's): contributions
        roots = np.zeros(len(trees), dtype=np.intp)
        at, leaf_at, depth = 0, inner, 1
        for i, t in enumerate(trees):
            n, m = len(t["split"]), len(t["leaf"])

            def where(c, at=at, leaf_at=leaf_at):
                return at + c if c >= 0 else leaf_at + (-c - 1)
            roots[i] = at if n else leaf_at
            for j in range(n):
                feat[at + j] = t["split"][j]
                thr[at + j] = t["threshold"][j]
                left[at + j] = where(t["left"][j])
                right[at + j] = where(t["right"][j])
                ivalue[at + j] = t["value"][j]
            value[leaf_at:leaf_at + m] = t["leaf"]
            ivalue[leaf_at:leaf_at + m] = t["leaf"]
            if n:
                depth = max(depth, _depth(t))
            at, leaf_at = at + n, leaf_at + m
        self.feat, self.thr, self.left, self.right, self.value = feat, thr, left, right, value
        self.ivalue = ivalue
        self.roots = roots
        self.depth = depth
        self.base = base
        self.trees = trees

    # -- scoring ---------------------------------------------------------------------
    def raw(self, X: np.ndarray) -> np.ndarray:
        """The margin (log-odds of boilerplate) of each row of X."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ModelError(f"expected rows of {len(self.features)} features, got shape {X.shape}")
        if self.kind == "linear":
            return ((X - self.mean) / self.scale) @ self.coef + self.intercept
        if X.shape[0] > CHUNK:  # a training table, not a document: bounded memory
            return np.concatenate([self.raw(X[i:i + CHUNK]) for i in range(0, X.shape[0], CHUNK)])
        n = X.shape[0]
        node = np.repeat(self.roots[:, None], n, axis=1)          # (trees, rows)
        cols = np.arange(n)[None, :] * X.shape[1]
        flat = X.ravel()
        for _ in range(self.depth):
            go_left = flat[cols + self.feat[node]] <= self.thr[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.value[node].sum(axis=0) + self.base

    def predict(self, X: np.ndarray) -> np.ndarray:
        """P(boilerplate) of each row."""
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def contributions(self, x: np.ndarray) -> dict[str, float]:
        """How much each feature moved this row's margin (per-tree path contributions for
        trees, Saabas' method; coefficient times standardised value for a linear model)."""
        row = self.contributions_many(np.asarray(x, dtype=np.float64)[None, :])[0]
        return {f: float(v) for f, v in zip(self.features, row) if v}

    def contributions_many(self, X: np.ndarray) -> np.ndarray:
        """(rows, features) contributions, all rows and trees walked at once."""
        X = np.asarray(X, dtype=np.float64)
        if self.kind == "linear":
            return (X - self.mean) / self.scale * self.coef
        n, F = X.shape
        out = np.zeros((n, F))
        node = np.repeat(self.roots[:, None], n, axis=1)
        rows = np.broadcast_to(np.arange(n)[None, :], node.shape)
        cols = np.arange(n)[None, :] * F
        flat = X.ravel()
        for _ in range(self.depth):
            f = self.feat[node]
            nxt = np.where(flat[cols + f] <= self.thr[node], self.left[node], self.right[node])
            np.add.at(out, (rows, f), self.ivalue[nxt] - self.ivalue[node])  # 0 once at a leaf
            node = nxt
        return out


def _depth(t: dict) -> int:
    best, stack = 0, [(0, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        for c in (t["left"][node], t["right"][node]):
            if c >= 0:
                stack.append((c, d + 1))
    return best


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
