"""The shipped block model: a small versioned data file and its evaluator.

``block_model.json`` (written by ``train/train.py``, never by hand) holds the
feature list it was trained on (must equal ``cleaners.features.FEATURES``), the
sha256 of its training data and of the feature table, the decision threshold
chosen on the grouped cross-validation folds, and the model itself: gradient-
boosted trees (LightGBM, exported as flat arrays) or a linear model. Beside it:
``block_model.report.json`` / ``.md``, the cross-validation report.

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
        T = len(trees)
        M = max(1, max(len(t["split"]) for t in trees))
        L = max(len(t["leaf"]) for t in trees)
        self.split = np.zeros((T, M), dtype=np.int64)
        self.thr = np.zeros((T, M), dtype=np.float64)
        self.left = np.full((T, M), -1, dtype=np.int64)
        self.right = np.full((T, M), -1, dtype=np.int64)
        self.leaf = np.zeros((T, L), dtype=np.float64)
        self.root_leaf = np.zeros(T, dtype=bool)   # a tree of one leaf
        depth = 1
        for i, t in enumerate(trees):
            n = len(t["split"])
            self.leaf[i, :len(t["leaf"])] = t["leaf"]
            if n == 0:
                self.root_leaf[i] = True
                continue
            self.split[i, :n] = t["split"]
            self.thr[i, :n] = t["threshold"]
            self.left[i, :n] = t["left"]
            self.right[i, :n] = t["right"]
            depth = max(depth, _depth(t))
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
        T = self.split.shape[0]
        tree_ix = np.arange(T)[:, None]
        node = (np.where(self.root_leaf[:, None], -1, 0) * np.ones((1, n), dtype=np.int64)).ravel()
        # only the (tree, row) pairs still at an inner node take the next step: most paths
        # end long before the deepest tree's, and the leaves reached are the same
        active = np.flatnonzero(node >= 0)
        for _ in range(self.depth):
            if not active.size:
                break
            t, r = np.divmod(active, n)
            nd = node[active]
            go_left = X[r, self.split[t, nd]] <= self.thr[t, nd]
            nxt = np.where(go_left, self.left[t, nd], self.right[t, nd])
            node[active] = nxt
            active = active[nxt >= 0]
        leaf_ix = -node.reshape(T, n) - 1           # leaves are stored as ~index
        return self.leaf[tree_ix, leaf_ix].sum(axis=0) + self.base

    def predict(self, X: np.ndarray) -> np.ndarray:
        """P(boilerplate) of each row."""
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def contributions(self, x: np.ndarray) -> dict[str, float]:
        """How much each feature moved this row's margin (per-tree path contributions for
        trees, Saabas' method; coefficient times standardised value for a linear model)."""
        x = np.asarray(x, dtype=np.float64)
        out: dict[str, float] = {}
        if self.kind == "linear":
            vals = (x - self.mean) / self.scale * self.coef
            return {f: float(v) for f, v in zip(self.features, vals) if v}
        xs = x.tolist()  # the same float64 values as Python floats: same comparisons, faster reads
        names = self.features
        for t in self.trees:
            split = t["split"]
            if not split:
                continue
            thr, left, right, values, leaf = t["threshold"], t["left"], t["right"], t["value"], t["leaf"]
            node, value = 0, values[0]
            while node >= 0:
                f = split[node]
                nxt = left[node] if xs[f] <= thr[node] else right[node]
                v = values[nxt] if nxt >= 0 else leaf[-nxt - 1]
                name = names[f]
                out[name] = out.get(name, 0.0) + (v - value)
                node, value = nxt, v
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
