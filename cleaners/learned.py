"""The block model's cleaner: what the rules left that the model is sure is boilerplate.

``drop_learned_boilerplate`` removes each live block whose boilerplate score
(``block_scores``: the model of ``cleaners.model`` over the feature rows of
``cleaners.features``) is at or above the threshold: the model's own, chosen
precision-first on folds grouped by site (see ``cleaners/model/block_model.report.md``),
or ``[learned] threshold`` of the configuration. Its rule id is ``learned.block``.

The reason names the score and the evidence that pushed it up most, read from
the model's per-feature contributions for that block: "model 0.97 boilerplate:
4 words, no sentence end, after the last prose paragraph, matches the share phrases".

Scores are computed once per document on the segmented blocks (never the live
ones), so other cleaners may read them too (``block_scores(draft)``, indexed by
a block's position; None without a model) to weigh a rule's evidence against
the model's; a block's verdict never depends on what else was removed, which
makes the cleaner ``block_local``.
"""
from __future__ import annotations

import math

import numpy as np

from .document import Draft, block_local
from .features import CLASS_BAD, FEATURES, INDEX, document_features
from .model import BlockModel, ModelError, shipped

RULE = "learned.block"
KIND = "learned"
REASONS = 3          # evidence phrases in a reason


def model_of(draft: Draft) -> BlockModel | None:
    m = draft.context.model or shipped()
    if m is not None and m.features != FEATURES:
        raise ModelError(f"block model {m.version} was trained on another feature list than "
                         f"cleaners.features.FEATURES; retrain it (train/train.py)")
    return m


def block_scores(draft: Draft) -> np.ndarray | None:
    """P(boilerplate) of every segmented block of the draft (row i = ``draft.blocks[i]``),
    computed once per document; None when no model is shipped or configured."""
    model = model_of(draft)
    if model is None:
        return None
    memo = draft.context.memo
    hit = memo.get("scores")
    if hit is not None and hit[0] is draft.blocks and hit[1] is model:
        return hit[2]
    scores = model.predict(document_features(draft)) if draft.blocks else np.zeros(0)
    memo["scores"] = (draft.blocks, model, scores)
    return scores


def threshold_of(draft: Draft, model: BlockModel) -> float:
    t = draft.context.learned_threshold
    return float(t) if t is not None else model.threshold


@block_local
def drop_learned_boilerplate(draft: Draft) -> Draft:
    """Blocks the block model rates boilerplate at or above the threshold."""
    scores = block_scores(draft)
    if scores is None or not len(scores):
        return draft
    model = model_of(draft)
    th = threshold_of(draft, model)
    pos = {b.index: i for i, b in enumerate(draft.blocks)}
    hits = [b for b in draft.live() if scores[pos[b.index]] >= th]
    if not hits:
        return draft
    X = document_features(draft)
    decisions = []
    for b in hits:
        i = pos[b.index]
        decisions.append((b, KIND, explain(model, X[i], float(scores[i]), b)))
    return draft.remove_each(decisions, "drop_learned_boilerplate")


def explain(model: BlockModel, x: np.ndarray, score: float, block=None) -> str:
    """'model 0.97 boilerplate: ...' with the evidence that raised this block's score most."""
    contrib = model.contributions(x)
    phrases: list[str] = []
    for name, c in sorted(contrib.items(), key=lambda kv: (-kv[1], kv[0])):
        if c <= 0 or len(phrases) >= REASONS:
            break
        p = describe(name, x, block)
        if p and p not in phrases:
            phrases.append(p)
    shown = math.floor(score * 100) / 100
    return f"model {shown:.2f} boilerplate: " + (", ".join(phrases) or "its shape and place on the page")


def _v(x, name: str) -> float:
    return float(x[INDEX[name]])


def describe(name: str, x: np.ndarray, block=None) -> str | None:
    """A phrase a person can check on the page for one feature's value."""
    words = round(math.expm1(_v(x, "words_log")))
    if name in ("words_log", "chars_log", "mean_word_len", "doc_words_log", "blocks_log"):
        if name in ("doc_words_log", "blocks_log"):
            return None
        if words <= 4 and not _v(x, "sentence_end"):
            return f"{words} word{'s' if words != 1 else ''}, looks like a button or label"
        return f"{words} words"
    if name == "sentence_end":
        return "ends a sentence" if _v(x, name) else "no sentence end"
    if name == "stop_share":
        s = _v(x, name)
        return None if s < 0 else f"few function words ({s:.0%})" if s < 0.25 else None
    if name == "prose_class":
        return {0.0: "not shaped like prose", 1.0: "a short prose-like line", 2.0: None}.get(_v(x, name))
    if name == "after_last_prose" and _v(x, name):
        return "after the last prose paragraph"
    if name == "before_first_prose" and _v(x, name):
        return "before the first prose paragraph"
    if name in ("prose_after_log", "from_end_log"):
        n = round(math.expm1(_v(x, name)))
        return f"{n} prose paragraph{'s' if n != 1 else ''} after it" if name == "prose_after_log" else \
            f"{n} block{'s' if n != 1 else ''} from the end"
    if name in ("prose_before_log", "from_start_log"):
        n = round(math.expm1(_v(x, name)))
        return f"{n} prose paragraph{'s' if n != 1 else ''} before it" if name == "prose_before_log" else \
            f"{n} block{'s' if n != 1 else ''} from the start"
    if name in ("pos_rel", "words_before_share"):
        r = _v(x, name)
        return "near the top of the page" if r < 0.2 else "near the end of the page" if r > 0.8 else None
    if name == "repeats" and _v(x, name):
        return f"printed {int(_v(x, name)) + 1} times on the page"
    if name == "repeats_prefix" and _v(x, name):
        return f"{int(_v(x, name))} other blocks start the same way"
    if name.startswith("phrase_") and _v(x, name):
        return f"matches the {name[7:].replace('_', ' ')} phrases"
    if name.startswith("hint_") and _v(x, name):
        return f"marked up as {name[5:]}"
    if name.startswith("in_") and _v(x, name):
        return f"inside a {name[3:]} element" if name[3:] != "link" else "inside a link"
    if name == "ev_link_share" and _v(x, name) >= 0.5:
        return f"{_v(x, name):.0%} of it is link text"
    if name == "ev_class_bad" and _v(x, name):
        e = getattr(block, "evidence", None)
        shown = sorted(w for w in (e.words if e else ()) if any(c in w for c in CLASS_BAD))[:2]
        return "class/id of page furniture" + (f" ({', '.join(shown)})" if shown else "")
    if name == "upper_share" and _v(x, name) > 0.6:
        return "mostly capitals"
    if name == "title_case" and _v(x, name) > 0.7:
        return "Title Case words"
    if name == "urls" and _v(x, name):
        return "holds a URL"
    if name == "email" and _v(x, name):
        return "holds an e-mail address"
    if name == "handles" and _v(x, name):
        return "holds an @handle"
    if name == "pipes" and _v(x, name):
        return "items split by |"
    if name == "bullet" and _v(x, name):
        return "a bulleted line"
    if name == "digit_share" and _v(x, name) > 0.2:
        return "mostly digits"
    if name == "ends_colon" and _v(x, name):
        return "ends with a colon"
    if name == "group_single" and _v(x, name):
        return "a line on its own"
    if name.startswith("n-") or name.startswith("n+"):
        side = "before" if name.startswith("n-") else "after"
        if "words_log" in name and _v(x, name) >= 0:
            n = round(math.expm1(_v(x, name)))
            return f"a {n}-word block {side} it" if n <= 6 else None
        if "sentence_end" in name and _v(x, name) == 0:
            return f"no sentence {side} it"
        if "prose_class" in name and _v(x, name) == 0:
            return f"navigation-like block {side} it"
        return None
    return None

