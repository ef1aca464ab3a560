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
the model's. It acts only where the rules found boilerplate (see
``drop_learned_boilerplate``), so it looks at other cleaners' removals and is not
``block_local`` (its second-pass rerun costs a lookup: the scores are memoised).
"""
from __future__ import annotations

import math

import numpy as np

from .document import Draft
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
    scores = model.predict(document_features(draft, model.lexicon)) if draft.blocks else np.zeros(0)
    memo["scores"] = (draft.blocks, model, scores)
    return scores


def thresholds_of(draft: Draft, model: BlockModel) -> tuple[float, float]:
    """(threshold for a line, threshold for a sentence): the configuration's, else the
    model's. A block shaped like a sentence of prose (``is_sentence``) needs the higher
    one: a real closing line ("Entry is free.") is the model's costliest mistake."""
    line, sent = model.threshold, model.sentence_threshold
    cfg = draft.context.learned_threshold
    if cfg is not None:
        cfg_line, cfg_sent = cfg if isinstance(cfg, tuple) else (cfg, None)
        line = cfg_line if cfg_line is not None else line
        sent = cfg_sent if cfg_sent is not None else sent
    return float(line), float(max(line, sent))


def is_sentence(x: np.ndarray) -> bool:
    """Ends a sentence and has at least SENTENCE_WORDS words."""
    return bool(x[INDEX["sentence_end"]]) and x[INDEX["words_log"]] >= SENTENCE_MIN_LOG


SENTENCE_WORDS = 3
SENTENCE_MIN_LOG = math.log1p(SENTENCE_WORDS) - 1e-9


# The model never takes more than this share of the words the rules kept: where it would, the page
# is not of the kind it learned (measured on the grouped folds: its worst losses were data tables
# printed one cell a line, and forms, wrongly cut whole)
MAX_SHARE = 0.3
# what the rules' removals must include before the model acts: boilerplate, not metadata
NOT_BOILERPLATE = frozenset({"detect_document_language", "extract_dateline_and_byline", "extract_title",
                             "drop_learned_boilerplate"})


def drop_learned_boilerplate(draft: Draft) -> Draft:
    """Blocks the block model rates boilerplate at or above the threshold, in a document
    where the rules found boilerplate.

    The model learned from pages, every one with its furniture; on a text the rules
    find clean (an article already extracted, or this cleaner's own output cleaned
    again) it has nothing it learned to judge, and it is left alone: precision first,
    and cleaning the clean text again changes nothing (tests/test_properties.py)."""
    model = model_of(draft)
    if model is None or not draft.blocks:
        return draft
    if draft.context.learned_only_after_rules and not any(r.cleaner not in NOT_BOILERPLATE
                                                          for r in draft.removed):
        return draft
    line_th, sent_th = thresholds_of(draft, model)
    X = document_features(draft, model.lexicon)
    pos = {b.index: i for i, b in enumerate(draft.blocks)}
    live = draft.live()
    rows = [pos[b.index] for b in live]
    memo = draft.context.memo
    hit = memo.get("scores")
    if hit is not None and hit[0] is draft.blocks and hit[1] is model:
        live_scores = hit[2][rows]
    else:  # only the live blocks, each scored once per document (the full table: block_scores)
        got = memo.get("live_scores")
        if got is None or got[0] is not draft.blocks or got[1] is not model:
            got = memo["live_scores"] = (draft.blocks, model, {})
        known = got[2]
        todo = [i for i in rows if i not in known]
        if todo:
            known.update(zip(todo, model.predict(X[todo]).tolist()))
        live_scores = [known[i] for i in rows]
    chosen = [(b, i, float(sc)) for b, i, sc in zip(live, rows, live_scores)
              if sc >= (sent_th if is_sentence(X[i]) else line_th)]
    if not chosen:
        return draft
    if sum(b.m.words for b, _, _ in chosen) > MAX_SHARE * sum(b.m.words for b in live):
        return draft  # the page is not what it learned from (a data table, a listing): precision first
    contrib = model.contributions_many(X[[i for _, i, _ in chosen]])  # the reasons: only once the removals stand
    decisions = [(b, KIND, explain(model, X[i], sc, b, contrib=c), RULE) for (b, i, sc), c in zip(chosen, contrib)]
    return draft.remove_each(decisions, "drop_learned_boilerplate")


def explain(model: BlockModel, x: np.ndarray, score: float, block=None, contrib=None) -> str:
    """'model 0.97 boilerplate: ...' with the evidence that raised this block's score most
    (``contrib``: this row of ``model.contributions_many``, if already computed)."""
    contrib = model.contributions(x) if contrib is None else \
        {f: float(v) for f, v in zip(model.features, contrib) if v}
    phrases: list[str] = []
    for name, c in sorted(contrib.items(), key=lambda kv: (-kv[1], kv[0])):
        if c <= 0 or len(phrases) >= REASONS:
            break
        p = describe_words(model, name, x, block) if name.startswith("lex") else describe(name, x, block)
        if p and p not in phrases:
            phrases.append(p)
    shown = math.floor(score * 100) / 100
    return f"model {shown:.2f} boilerplate: " + (", ".join(phrases) or "its shape and place on the page")


def describe_words(model: BlockModel, name: str, x: np.ndarray, block=None) -> str | None:
    """The lexical columns in words: which of the block's words the lexicon holds against it."""
    if _v(x, name) <= 0:
        return None
    if name != "lex":
        return {"lex_prev": "the block before it is worded like boilerplate",
                "lex_next": "the block after it is worded like boilerplate",
                "lex_win": "the blocks around it are worded like boilerplate"}.get(name)
    top = model.lexicon.strongest(block.m.folded_tokens) if model.lexicon is not None and block is not None else []
    return "worded like boilerplate" + (f" ({', '.join(repr(t) for t in top)})" if top else "")


# features read as yes/no, and what a yes says
FLAGS = {"urls": "holds a URL", "email": "holds an e-mail address", "handles": "holds an @handle",
         "pipes": "items split by |", "bullet": "a bulleted line", "ends_colon": "ends with a colon",
         "group_single": "a line on its own"}


def _v(x, name: str) -> float:
    return float(x[INDEX[name]])


def describe(name: str, x: np.ndarray, block=None) -> str | None:
    """A phrase a person can check on the page for one feature's value."""
    words = round(math.expm1(_v(x, "words_log")))
    if name in ("words_log", "chars_log", "mean_word_len", "doc_words_log", "blocks_log"):
        if name in ("doc_words_log", "blocks_log"):
            return None
        w = f"{words} word{'s' if words != 1 else ''}"
        if words <= 4 and not _v(x, "sentence_end"):
            if _v(x, "title_case") >= 0.5 and _v(x, "digit_share") < 0.2:
                return f"{w}, no sentence end, looks like a button or label"
            return f"{w}, no sentence end"
        return w
    if name == "sentence_end":
        return None if _v(x, name) else "no sentence end"
    if name == "stop_share":
        s = _v(x, name)
        return None if s < 0 else f"few function words ({s:.0%})" if s < 0.25 else None
    if name == "prose_class":
        return {0.0: "not shaped like prose", 1.0: "a short prose-like line", 2.0: None}.get(_v(x, name))
    if name == "after_last_prose" and _v(x, name):
        return "after the last prose paragraph"
    if name == "before_first_prose" and _v(x, name):
        return "before the first prose paragraph"
    if name in ("prose_after_log", "prose_before_log"):
        n = round(math.expm1(_v(x, name)))
        side = "after" if name == "prose_after_log" else "before"
        if n == 0:
            return f"no prose paragraph {side} it"
        return f"only {n} prose paragraph{'s' if n != 1 else ''} {side} it" if n <= 3 else None
    if name in ("from_end_log", "from_start_log"):
        n = round(math.expm1(_v(x, name)))
        side = "end" if name == "from_end_log" else "start"
        return f"{n} block{'s' if n != 1 else ''} from the {side}" if n <= 5 else None
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
    if name in FLAGS and _v(x, name):
        return FLAGS[name]
    if name == "digit_share" and _v(x, name) > 0.2:
        return "mostly digits"
    if name in ("main_after", "main_before", "main_dist_log", "main_words_between_log") \
            and not _v(x, "main_in"):
        n = round(math.expm1(_v(x, "main_dist_log")))
        side = "after" if _v(x, "main_after") else "before"
        return f"{n} block{'s' if n != 1 else ''} {side} the article's main run of prose"
    if name == "period_match" and _v(x, name) >= 0.75:
        return "in a repeating pattern of short blocks (a card grid)"
    if name == "short_run_log" and _v(x, name) >= math.log1p(4):
        return f"in a run of {round(math.expm1(_v(x, name)))} short lines"
    if name in ("win_prose_share", "win_sent_share") and _v(x, name) == 0:
        return "no prose within five blocks"
    if name.startswith("n-") or name.startswith("n+"):
        side = "before" if name.startswith("n-") else "after"
        if "words_log" in name and _v(x, name) >= 0:
            n = round(math.expm1(_v(x, name)))
            return f"a {n}-word line {side} it" if n <= 6 else None
        if "sentence_end" in name and _v(x, name) == 0:
            return f"no sentence {side} it"
        if "prose_class" in name and _v(x, name) == 0:
            return f"navigation-like block {side} it"
        return None
    return None

