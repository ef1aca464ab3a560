"""Train the block model, validate it on folds grouped by site, ship it.

    pip install -e '.[train]'
    python -m train.train [--cache /tmp/declutter-train] [--folds-dir DIR] [--out cleaners/model]

1. The table (``train.dataset``: every block of the html, text-article and
   text-page tracks of the devset and the trainset, labelled by alignment to the
   truth); ambiguous blocks are left out of training and of the block figures.
2. Both model families on the same 5 folds grouped by site (``dataset.fold_of``:
   every page of a site in one fold, devset and trainset alike): LightGBM
   gradient-boosted trees and a logistic regression on standardised features.
   Out-of-fold scores give AUC, and precision / recall / F1 of the boilerplate
   label, per input kind, per devset source and per set. The family with the
   better out-of-fold average precision ships.
3. The threshold, precision first, on what the model really judges (the model
   cleaner runs after the rules): the lowest score from which the blocks the rules
   keep and the model would remove are at least ``TARGET_PRECISION`` boilerplate
   (token-weighted, out-of-fold) on every kind of input.
4. The final model on all labelled blocks, written as ``block_model.json`` with
   its feature list, the training-data hash, the table's hash and the threshold;
   the report beside it. With ``--folds-dir``, the five fold models too (the
   benchmark, bench/learned.py, cleans each page with the model that never saw its site).

Deterministic: fixed seed, one thread, LightGBM's deterministic mode; the same
data and seed give the same bytes.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.features import FEATURES, VERSION as FEATURES_VERSION  # noqa: E402
from cleaners.model import FORMAT, BlockModel, digest, dumps  # noqa: E402
from train import dataset  # noqa: E402

SEED = 13
TARGET_PRECISION = 0.95
LGB_PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "max_bin": 63, "seed": SEED, "deterministic": True, "force_row_wise": True, "num_threads": 1,
    "verbose": -1,
}
NUM_ROUNDS = 300
OUT = ROOT / "cleaners" / "model"


def weights(ntok: np.ndarray) -> np.ndarray:
    """A block counts by the log of its length: a lost paragraph costs more than a lost label."""
    return 1.0 + np.log1p(ntok.astype(np.float64))


# -- the two families -------------------------------------------------------------------

def train_booster(X, y, w, rounds: int = NUM_ROUNDS, **params):
    import lightgbm as lgb

    return lgb.train({**LGB_PARAMS, **params}, lgb.Dataset(X, label=y, weight=w, free_raw_data=False),
                     num_boost_round=rounds)


def fit_gbdt(X, y, w, rounds: int = NUM_ROUNDS, **params) -> dict:
    return export_gbdt(train_booster(X, y, w, rounds, **params))


def export_gbdt(booster) -> dict:
    """LightGBM's trees as flat arrays: internal nodes in pre-order; a child < 0 is leaf ~child."""
    trees = []
    for info in booster.dump_model()["tree_info"]:
        root = info["tree_structure"]
        t = {"split": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": []}
        if "leaf_value" in root and "split_feature" not in root:
            t["leaf"] = [root["leaf_value"]]
            trees.append(t)
            continue
        leaves: dict[int, float] = {}

        def visit(node) -> int:
            if "split_feature" not in node:
                leaves[node["leaf_index"]] = node["leaf_value"]
                return ~node["leaf_index"]
            if node["decision_type"] != "<=" or node.get("missing_type") not in (None, "None"):
                raise ValueError(f"unsupported split {node['decision_type']} / {node.get('missing_type')}")
            i = len(t["split"])
            t["split"].append(node["split_feature"])
            t["threshold"].append(node["threshold"])
            t["value"].append(node["internal_value"])
            t["left"].append(0)
            t["right"].append(0)
            t["left"][i] = visit(node["left_child"])
            t["right"][i] = visit(node["right_child"])
            return i

        visit(root)
        t["leaf"] = [leaves[i] for i in range(len(leaves))]
        trees.append(t)
    return {"kind": "gbdt", "trees": trees, "base": 0.0}


def fit_linear(X, y, w) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=1.0, max_iter=3000, random_state=SEED)
    lr.fit((X - mean) / scale, y, sample_weight=w)
    return {"kind": "linear", "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]),
            "mean": mean.tolist(), "scale": scale.tolist()}


FAMILIES = {"gbdt": fit_gbdt, "linear": fit_linear}


def as_model(body: dict, threshold: float = 0.5, **extra) -> dict:
    data = {"format": FORMAT, "features": list(FEATURES), "features_version": FEATURES_VERSION,
            "threshold": threshold, **body, **extra}
    data["version"] = digest(data)
    return data


# -- validation -------------------------------------------------------------------------

def out_of_fold(t: dataset.Table, family: str, k: int = dataset.N_FOLDS, folds_dir: Path | None = None):
    """Scores of every block by the model trained on the other folds' sites."""
    fit = FAMILIES[family]
    lab = t.y >= 0
    w = weights(t.ntok)
    scores = np.zeros(len(t.y))
    for f in range(k):
        tr = lab & (t.fold != f)
        data = as_model(fit(t.X[tr], t.y[tr], w[tr]), fold=f)
        m = BlockModel(data)
        te = t.fold == f
        scores[te] = m.predict(t.X[te])
        if folds_dir is not None:
            folds_dir.mkdir(parents=True, exist_ok=True)
            (folds_dir / f"fold{f}.json").write_text(dumps(data), encoding="utf-8")
    return scores


def prf(y, pred, w) -> dict:
    """Precision / recall / F1 of the boilerplate label (token-weighted, as the metric weighs text)."""
    tp = float(w[(pred == 1) & (y == 1)].sum())
    fp = float(w[(pred == 1) & (y == 0)].sum())
    fn = float(w[(pred == 0) & (y == 1)].sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def average_precision(y, s, w) -> float:
    order = np.argsort(-s, kind="stable")
    y, w = y[order], w[order]
    tp = np.cumsum(w * (y == 1))
    fp = np.cumsum(w * (y == 0))
    prec = tp / np.maximum(tp + fp, 1e-12)
    return float((prec * w * (y == 1)).sum() / max(1e-12, (w * (y == 1)).sum()))


def auc(y, s) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s))


def choose_threshold(t: dataset.Table, s: np.ndarray, verbose: bool = False) -> float:
    """Precision first, on what the model really judges: the blocks the rules keep.
    The lowest threshold from which the tokens of the blocks it would remove there are
    at least TARGET_PRECISION boilerplate, for every kind of input."""
    res = (t.y >= 0) & (t.rules_kept == 1)
    w = t.ntok.astype(np.float64) + 1
    for th in np.round(np.arange(0.50, 0.995, 0.01), 2):
        pred = (s >= th).astype(int)
        precs = {k: prf(t.y[m], pred[m], w[m])["precision"]
                 for k in dataset.TRACKS for m in [res & (t.track == k)]}
        if verbose:
            print(f"  threshold {th:.2f}: residual removal precision "
                  + ", ".join(f"{k} {v:.3f}" for k, v in precs.items())
                  + f"; proxy {proxy(t, s, th)}", file=sys.stderr)
        if min(precs.values()) >= TARGET_PRECISION:
            return float(th)
    return 0.99


def proxy(t: dataset.Table, s: np.ndarray, th: float) -> dict:
    """The track figures' shape on labelled blocks: per page, body tokens kept over kept
    (P) and over all body (R), averaged over pages, for rules + model at this threshold."""
    out = {}
    lab = t.y >= 0
    kept = (t.rules_kept == 1) & (s < th)
    for k in dataset.TRACKS:
        m = lab & (t.track == k)
        pages = t.page[m]
        body = (t.y[m] == 0) * t.ntok[m]
        bp = (t.y[m] == 1) * t.ntok[m]
        kk = kept[m]
        _, inv = np.unique(pages, return_inverse=True)
        tp = np.bincount(inv, body * kk)
        fp = np.bincount(inv, bp * kk)
        allb = np.bincount(inv, body)
        p = np.mean(np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 1.0))
        r = np.mean(np.where(allb > 0, tp / np.maximum(allb, 1), 1.0))
        out[k] = f"P {p:.3f} R {r:.3f}"
    return out


def report(t: dataset.Table, s: np.ndarray, threshold: float) -> dict:
    lab = t.y >= 0
    w = t.ntok.astype(np.float64) + 1
    pred = (s >= threshold).astype(int)
    out = {}
    cuts = [("all", lab)]
    cuts += [(f"track={k}", lab & (t.track == k)) for k in dataset.TRACKS]
    cuts += [(f"source={k}", lab & (t.source == k)) for k in sorted(set(t.source.tolist()))]
    cuts += [(f"set={k}", lab & (t.set == k)) for k in dataset.SETS]
    cuts += [(f"set={st} track={k}", lab & (t.set == st) & (t.track == k)) for st in dataset.SETS
             for k in dataset.TRACKS]
    cuts += [(f"source={src} track={k}", lab & (t.source == src) & (t.track == k))
             for src in sorted(set(t.source.tolist())) for k in dataset.TRACKS]
    cuts += [(f"kept by the rules, set={st} track={k}", lab & (t.rules_kept == 1) & (t.set == st) & (t.track == k))
             for st in dataset.SETS for k in dataset.TRACKS]
    for name, m in cuts:
        if not m.any():
            continue
        r = prf(t.y[m], pred[m], w[m])
        r["blocks"] = int(m.sum())
        r["boilerplate_share"] = round(float((t.y[m] == 1).mean()), 4)
        if len(set(t.y[m].tolist())) > 1:
            r["auc"] = round(auc(t.y[m], s[m]), 4)
        out[name] = r
    return out


def markdown(rep: dict) -> str:
    lines = [f"# Block model: grouped cross-validation", "",
             f"model `{rep['version']}` ({rep['kind']}), threshold {rep['threshold']}, "
             f"{rep['folds']} folds grouped by site ({rep['sites']} sites), training data sha256 "
             f"`{rep['data_sha256'][:16]}`, table `{rep['table_sha256'][:16]}`.", "",
             "Labels: boilerplate = positive; precision / recall / F1 weighted by tokens (+1), "
             "out-of-fold scores, ambiguous blocks left out.", "",
             "## Model families (out-of-fold)", "",
             "| family | AUC | average precision | P@thr | R@thr | F1@thr | threshold |", "|---|---|---|---|---|---|---|"]
    for fam, r in rep["families"].items():
        lines.append(f"| {fam} | {r['auc']:.4f} | {r['ap']:.4f} | {r['at_threshold']['precision']:.4f} | "
                     f"{r['at_threshold']['recall']:.4f} | {r['at_threshold']['f1']:.4f} | {r['threshold']} |")
    lines += ["", f"## Shipped family ({rep['kind']}) at threshold {rep['threshold']}", "",
              "| cut | blocks | boilerplate share | AUC | P | R | F1 |", "|---|---|---|---|---|---|---|"]
    for name, r in rep["cuts"].items():
        lines.append(f"| {name} | {r['blocks']} | {r['boilerplate_share']:.3f} | {r.get('auc', float('nan')):.4f} | "
                     f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=dataset.DEFAULT_CACHE)
    ap.add_argument("--table", type=Path, help="a table saved by train.dataset (default: CACHE/table.npz)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--folds-dir", type=Path, help="also write the fold models here (for bench/learned.py)")
    ap.add_argument("--families", nargs="+", default=list(FAMILIES))
    a = ap.parse_args()
    table_path = a.table or a.cache / "table.npz"
    t = dataset.load(table_path)
    data_sha = dataset.data_hash()
    lab = t.y >= 0
    w_tok = t.ntok.astype(np.float64) + 1
    fams, scores = {}, {}
    for fam in a.families:
        s = out_of_fold(t, fam, folds_dir=(a.folds_dir / fam) if a.folds_dir else None)
        th = choose_threshold(t, s, verbose=True)
        scores[fam] = s
        fams[fam] = {"auc": round(auc(t.y[lab], s[lab]), 4), "ap": round(average_precision(t.y[lab], s[lab], w_tok[lab]), 4),
                     "threshold": th, "at_threshold": prf(t.y[lab], (s[lab] >= th).astype(int), w_tok[lab])}
        print(fam, fams[fam], file=sys.stderr)
    best = max(fams, key=lambda f: fams[f]["ap"])
    th = fams[best]["threshold"]
    final = as_model(FAMILIES[best](t.X[lab], t.y[lab], weights(t.ntok)[lab]), threshold=th,
                     data_sha256=data_sha, table_sha256=t.digest(), seed=SEED,
                     trained_on={"sets": list(dataset.SETS), "tracks": list(dataset.TRACKS),
                                 "blocks": int(lab.sum()), "sites": len(set(t.group.tolist()))})
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "block_model.json").write_text(dumps(final), encoding="utf-8")
    rep = {"version": final["version"], "kind": best, "threshold": th, "folds": dataset.N_FOLDS,
           "sites": len(set(t.group.tolist())), "data_sha256": data_sha, "table_sha256": t.digest(),
           "families": fams, "cuts": report(t, scores[best], th)}
    (a.out / "block_model.report.json").write_text(json.dumps(rep, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (a.out / "block_model.report.md").write_text(markdown(rep), encoding="utf-8")
    print(markdown(rep))


if __name__ == "__main__":
    main()
