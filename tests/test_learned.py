"""The feature pass, the shipped block model and its cleaner (cleaners/features.py,
cleaners/model/, cleaners/learned.py), and the training script's determinism (train/)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cleaners import clean_text, pipeline_version
from cleaners.document import Context, Draft
from cleaners.features import FEATURES, INDEX, PHRASE_FAMILIES, compute, document_features, phrases_digest
from cleaners.learned import block_scores, drop_learned_boilerplate
from cleaners.model import FORMAT, MODEL_PATH, BlockModel, Lexicon, digest, dumps, shipped
from cleaners.phrases import build_book
from cleaners.segment import segment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
P1 = ("The council voted on Tuesday to extend the harbour budget after residents of Mill Road complained "
      "for a third winter about flooding in their streets.")
P2 = "The mayor said the plan would be published in the spring, after the engineers report on the wall."


# -- the shipped model's contract ---------------------------------------------------------

def test_shipped_model_was_trained_on_the_codes_feature_list():
    model = shipped()
    assert model is not None, "cleaners/model/block_model.json is missing"
    assert model.features == FEATURES


def test_shipped_model_was_trained_with_this_trees_phrase_lists():
    # the phrase_* columns read these families' lists: a model trained on other lists is one
    # train/train.py no longer reproduces (model 3 drifted so once, unnoticed: 2026-12-07)
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data.get("phrases_sha256") == phrases_digest(), \
        "a phrase family the features read changed since the model was trained: retrain it (train/train.py)"


def test_the_phrase_digest_follows_the_families_the_features_read(monkeypatch):
    from cleaners import phrases

    base = phrases_digest()
    files = phrases._load_files()
    name, data = files[0]
    read = next(f for f in PHRASE_FAMILIES if f in data)
    unread = next(f for f in data if f not in PHRASE_FAMILIES)
    for fam, same in ((unread, True), (read, False)):
        edited = ((name, dict(data, **{fam: {"exact": ["an edited list"]}})),) + files[1:]
        monkeypatch.setattr(phrases, "_load_files", lambda edited=edited: edited)
        assert (phrases_digest() == base) is same, fam


def test_shipped_model_file_records_format_version_data_hash_and_threshold():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    assert re.fullmatch(r"[0-9a-f]{64}", data["data_sha256"])
    assert re.fullmatch(r"[0-9a-f]{64}", data["table_sha256"])
    assert data["version"] == digest(data), "the model file was edited by hand (its version is its hash)"
    assert MODEL_PATH.read_text(encoding="utf-8") == dumps(data), "not in the stable formatting of model.dumps"
    assert 0.5 <= data["threshold"] < 1.0
    assert MODEL_PATH.stat().st_size <= 2 * 1024 * 1024
    report = json.loads(MODEL_PATH.with_name("block_model.report.json").read_text(encoding="utf-8"))
    assert report["version"] == data["version"] and report["data_sha256"] == data["data_sha256"]


def test_the_shipped_model_carries_a_bounded_lexicon():
    from train.lexicon import MAX_WORDS

    model = shipped()
    assert model.lexicon is not None
    assert 1000 < len(model.lexicon.weights) <= MAX_WORDS
    assert sum(p.stat().st_size for p in MODEL_PATH.parent.iterdir() if p.is_file()) <= 2 * 1024 * 1024
    # the words it learned are evidence a person can check: calls to action against, reporting for
    lex = model.lexicon
    assert lex.margin(("start", "your", "free", "trial", "today")) > lex.margin(("the", "council", "said"))


def test_pipeline_version_names_the_model():
    v = pipeline_version()
    assert v.endswith(f"+model.{shipped().version}")
    assert clean_text(f"{P1}\n{P2}\n").pipeline_version == v


def test_a_model_with_another_feature_list_is_refused():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1] + ["something_else"]
    with pytest.raises(ValueError, match="another feature list"):
        clean_text(f"{P1}\n{P2}\n", model=BlockModel(data), config={"learned": {"enabled": True}})


# -- the feature pass -----------------------------------------------------------------------

def test_feature_rows_follow_the_blocks_and_are_computed_once():
    blocks = segment(f"Home\nNews\n{P1}\n{P2}\nShare on Facebook\n")
    draft = Draft(blocks=tuple(blocks), context=Context(phrases=build_book()))
    X = document_features(draft)
    assert X.shape == (len(blocks), len(FEATURES))
    assert document_features(draft) is X  # memoised per document
    assert X[2, INDEX["sentence_end"]] == 1 and X[0, INDEX["sentence_end"]] == 0
    assert X[4, INDEX["phrase_share"]] == 1 and X[2, INDEX["phrase_share"]] == 0
    assert X[4, INDEX["after_last_prose"]] == 1 and X[0, INDEX["before_first_prose"]] == 1
    assert X[3, INDEX["n-1_sentence_end"]] == 1 and X[0, INDEX["n-1_words_log"]] == -1  # no block before
    # pure: the same blocks give the same table
    assert np.array_equal(compute(blocks, None, build_book()), compute(blocks, None, build_book()))


def test_layout_features_find_the_main_run_the_card_grid_and_the_menu():
    cards = "".join(f"Headline number {i} about the harbour\nA short excerpt of story {i} that ends here.\n"
                    f"March {i + 1}, 2024\n" for i in range(4))
    body = "\n".join([P1, P2, P1.replace("Tuesday", "Monday"), P2.replace("spring", "autumn")])
    text = "Home\nNews\nSport\nWeather\nContact\n" + body + "\nRelated stories\n" + cards
    blocks = segment(text)
    X = compute(blocks, "english", build_book())
    col = {f: X[:, INDEX[f]] for f in ("main_in", "main_before", "main_after", "main_dist_log", "period_match",
                                       "short_run_log", "words_after_share", "main_share")}
    assert col["main_in"][5:9].all() and not col["main_in"][:5].any() and not col["main_in"][9:].any()
    assert col["main_before"][:5].all() and col["main_after"][9:].all()
    assert col["main_dist_log"][4] == pytest.approx(np.log1p(1)) and col["main_dist_log"][0] == pytest.approx(np.log1p(5))
    assert col["short_run_log"][0] == pytest.approx(np.log1p(5)) and col["short_run_log"][5] == 0  # the menu
    # the cards repeat headline / excerpt / date with period 3; the prose paragraphs do not
    assert col["period_match"][16] == 1.0 and col["period_match"][6] == 0.0
    assert col["words_after_share"][-1] == 0 and col["words_after_share"][0] > 0.9
    assert 0.5 < col["main_share"][0] < 1


def test_lexical_columns_score_the_blocks_words_and_their_neighbours():
    lex = Lexicon({"weights": {"free": 2.0, "trial": 1.0, "council": -1.0}, "intercept": -0.5})
    assert lex.margin(()) == -0.5 and lex.margin(("nothing", "known")) == -0.5
    assert lex.margin(("free", "free", "trial", "today")) == pytest.approx(-0.5 + 3.0 / np.sqrt(2))
    assert lex.strongest(("council", "trial", "free")) == ["free", "trial"]
    blocks = segment(f"{P1}\nStart your FREE trial\n{P2}\n")
    X = compute(blocks, "english", build_book(), lexicon=lex)
    col = {f: X[:, INDEX[f]] for f in ("lex", "lex_prev", "lex_next", "lex_win")}
    assert col["lex"][1] == pytest.approx(-0.5 + 3.0 / np.sqrt(2))  # case-folded words
    assert col["lex"][0] == pytest.approx(-1.5) and col["lex"][2] == -0.5
    assert col["lex_prev"][2] == col["lex"][1] and col["lex_prev"][0] == 0 and col["lex_next"][0] == col["lex"][1]
    assert col["lex_win"][1] == pytest.approx((-1.5 - 0.5) / 2)
    # without a lexicon the columns are 0 (the training table is built so), the rest the same
    plain = compute(blocks, "english", build_book())
    assert not plain[:, INDEX["lex"]:].any() and np.array_equal(plain[:, :INDEX["lex"]], X[:, :INDEX["lex"]])


def test_html_evidence_reaches_the_features():
    from cleaners.html import html_blocks

    page = (b"<html><body><nav><ul><li><a href='/a'>World news</a></li></ul></nav><article><h1>Harbour</h1>"
            + f"<p>{P1}</p><p>{P2}</p>".encode() +
            b"<aside class='related-box'><p><a href='/x'>Ferry fares rise again this winter</a></p></aside>"
            b"</article></body></html>")
    blocks, _, _ = html_blocks(page)
    ev = {b.text: b.evidence for b in blocks}
    assert ev[P1] is not None and ev[P1].tag == "p" and ev[P1].link_share == 0.0
    X = compute(blocks, "English", build_book())
    assert (X[:, INDEX["html_doc"]] == 1).all()
    row = [i for i, b in enumerate(blocks) if b.text == P1][0]
    assert X[row, INDEX["tag_p"]] == 1


# -- the cleaner ------------------------------------------------------------------------------

def _share_model(intercept: float = -10.0) -> BlockModel:
    """A linear model that calls a block boilerplate exactly when it matches the share phrases
    (with ``intercept=10``: every block)."""
    coef = [0.0] * len(FEATURES)
    coef[INDEX["phrase_share"]] = 20.0
    data = {"format": FORMAT, "features": list(FEATURES), "kind": "linear", "threshold": 0.9, "coef": coef,
            "intercept": intercept, "mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES)}
    data["version"] = digest(data)
    return BlockModel(data)


COPYRIGHT = "© 2024 Harbour Gazette. All rights reserved."


def test_the_learned_cleaner_removes_what_its_model_rates_boilerplate_and_says_why():
    text = f"{P1}\nShare on Facebook\n{P2}\n{COPYRIGHT}\n"
    doc = clean_text(text, model=_share_model(), config={"cleaners": {"disable": ["drop_share_buttons"]}, "learned": {"enabled": True}})
    learned = [r for r in doc.removed if r.cleaner == "drop_learned_boilerplate"]
    assert [r.text for r in learned] == ["Share on Facebook"]
    assert learned[0].kind == "learned"
    assert re.fullmatch(r"model 0\.99 boilerplate: matches the share phrases", learned[0].reason), learned[0].reason
    assert doc.pipeline_version.endswith("+model." + _share_model().version)


def test_the_model_acts_only_where_the_rules_found_boilerplate():
    text = f"{P1}\nShare on Facebook\n{P2}\n"
    off = {"cleaners": {"disable": ["drop_share_buttons"]}, "learned": {"enabled": True}}
    assert "Share on Facebook" in clean_text(text, model=_share_model(), config=off).text
    doc = clean_text(text, model=_share_model(), config={**off, "learned": {"enabled": True, "only_after_rules": False}})
    assert "Share on Facebook" not in doc.text


def test_the_threshold_is_configurable_and_the_cleaner_can_be_switched_off():
    text = f"{P1}\nShare on Facebook\n{P2}\n{COPYRIGHT}\n"
    off = {"drop_share_buttons"}
    for config in ({"cleaners": {"disable": sorted(off | {"drop_learned_boilerplate"})}, "learned": {"enabled": True}},
                   {"cleaners": {"disable": sorted(off)}, "learned": {"enabled": True, "threshold": 1.0}},
                   {"cleaners": {"disable": sorted(off)}, "learned": {"enabled": False}},
                   {"cleaners": {"disable": sorted(off)}, "learned": {"threshold": 0.5}}):  # off by default
        doc = clean_text(text, model=_share_model(), config=config)
        assert "Share on Facebook" in doc.text
    for config in ({"cleaners": {"disable": sorted(off)}, "learned": {"enabled": True, "threshold": 0.5}},):
        doc = clean_text(text, model=_share_model(), config=config)
        assert "Share on Facebook" not in doc.text
    # a block shaped like a sentence takes the sentence threshold (never below the line one)
    everything = _share_model(intercept=10.0)
    cfg = {"cleaners": {"disable": sorted(off)}, "learned": {"enabled": True, "threshold": 0.5, "sentence_threshold": 1.0}}
    doc = clean_text(text, model=everything, config=cfg)
    assert P1 in doc.text and P2 in doc.text and "Share on Facebook" not in doc.text
    # ...and a model that would take more than learned.MAX_SHARE of the words the rules kept takes nothing
    cfg["learned"]["sentence_threshold"] = 0.6
    doc = clean_text(text, model=everything, config=cfg)
    assert P1 in doc.text and "Share on Facebook" in doc.text


def test_scores_are_shared_through_the_draft():
    blocks = segment(f"{P1}\nShare on Facebook\n{P2}\n")
    draft = Draft(blocks=tuple(blocks), context=Context(phrases=build_book(), model=_share_model(),
                                                        learned_only_after_rules=False))
    s = block_scores(draft)
    assert s.shape == (3,) and s[1] > 0.99 > s[0]
    assert block_scores(draft) is s
    assert drop_learned_boilerplate(draft).removed[0].position == 1


def test_the_shipped_model_explains_its_removals():
    lines = ["Home", "World", "Business", "Sign in", "Subscribe", P1, P2, P1.replace("council", "board"),
             "Most popular", "Privacy Policy", "Terms of Use", "Contact us", "© 2024 Harbour Gazette"]
    doc = clean_text("\n".join(lines) + "\n", config={"cleaners": {"disable": [
        n for n in ("trim_page_chrome", "drop_copyright_lines", "drop_newsletter_prompts", "drop_interface_labels")]},
        "learned": {"enabled": True, "threshold": 0.8}})  # a menu this short scores 0.82-0.91
    learned = [r for r in doc.removed if r.cleaner == "drop_learned_boilerplate"]
    assert learned, doc.removed
    for r in learned:
        assert re.fullmatch(r"model (0\.\d\d|1\.00) boilerplate: .+", r.reason), r.reason
    assert P1 in doc.text and P2 in doc.text


# -- training ---------------------------------------------------------------------------------

def _fixture_table(with_words: bool = False):
    """Features and labels of the golden text cases (their expected text is the truth);
    ``with_words``: also a ``train.dataset.Tokens`` of the kept blocks and their case names."""
    from train.dataset import Truth, _TokenSink, page_features

    book = build_book()
    Xs, ys, ns, sink, names = [], [], [], _TokenSink(), []
    for case in sorted(FIXTURES.iterdir()):
        inp = case / "input.txt"
        if not inp.exists():
            continue
        truth = Truth(json.loads((case / "expected.json").read_text(encoding="utf-8"))["text"])
        blocks = segment(inp.read_text(encoding="utf-8", errors="replace"))
        if not blocks:
            continue
        Xs.append(page_features(blocks, __import__("cleaners.document").document.Meta(), book))
        for b in blocks:
            y = truth.label(b.text)
            ys.append(y)
            ns.append(len(b.text.split()))
            if y >= 0:
                sink.add(b.m.folded_tokens)
                names.append(case.name)
    X, y, n = np.vstack(Xs), np.array(ys), np.array(ns)
    keep = y >= 0
    if with_words:
        return X[keep], y[keep], n[keep], sink.done(), np.array(names)
    return X[keep], y[keep], n[keep]


def test_training_is_deterministic():
    pytest.importorskip("lightgbm")
    from train.train import as_model, fit_gbdt, weights

    X, y, n = _fixture_table()
    assert 50 < len(y) and 0 < y.sum() < len(y)
    a = dumps(as_model(fit_gbdt(X, y, weights(n), rounds=25, min_data_in_leaf=5)))
    b = dumps(as_model(fit_gbdt(X, y, weights(n), rounds=25, min_data_in_leaf=5)))
    assert a == b
    assert len(json.loads(a)["trees"]) == 25


def test_the_lexicon_trains_deterministically_and_scores_as_it_will_at_inference():
    pytest.importorskip("sklearn")
    from train import lexicon
    from train.train import weights

    X, y, n, tokens, cases = _fixture_table(with_words=True)
    words = lexicon.Words(tokens, cases)
    rows = np.ones(len(y), dtype=bool)
    a = lexicon.fit(words, rows, y, weights(n), min_sites=2)
    b = lexicon.fit(lexicon.Words(tokens, cases), rows, y, weights(n), min_sites=2)
    assert dumps(a) == dumps(b) and 50 < a["words"] == len(a["weights"])
    # a word printed by one case only is not in the vocabulary
    once = {str(t) for t, c in zip(tokens.vocab, words.site_counts(rows)) if c == 1}
    assert once and not once & set(a["weights"])
    # the training side's sparse margins are the shipped evaluator's
    lex = Lexicon(a)
    ours = [lex.margin(tokens.vocab[tokens.ids[tokens.offsets[i]:tokens.offsets[i + 1]]].tolist())
            for i in range(len(y))]
    assert np.allclose(lexicon.margins(words, a), ours, rtol=0, atol=1e-9)
    # it separates the cases' body from their boilerplate on the data it saw
    m = np.array(ours)
    assert m[y == 1].mean() > m[y == 0].mean()


def test_inference_agrees_with_lightgbm():
    pytest.importorskip("lightgbm")
    from train.train import as_model, export_gbdt, train_booster, weights

    X, y, n = _fixture_table()
    booster = train_booster(X, y, weights(n), rounds=25, min_data_in_leaf=5)
    ours = BlockModel(as_model(export_gbdt(booster))).predict(X)
    assert np.allclose(ours, booster.predict(X), rtol=0, atol=1e-9)


def _walk(t: dict, x) -> tuple[float, dict[int, float]]:
    """One tree by the book: from the root, left when x[feature] <= threshold (a NaN goes
    right); the leaf's value and each step's change of value by feature (Saabas)."""
    if not t["split"]:
        return t["leaf"][0], {}
    node, steps = 0, {}
    while node >= 0:
        f = t["split"][node]
        child = t["left"][node] if x[f] <= t["threshold"][node] else t["right"][node]
        cv = t["leaf"][~child] if child < 0 else t["value"][child]
        steps[f] = steps.get(f, 0.0) + cv - t["value"][node]
        node = child
    return t["leaf"][~node], steps


def test_the_bit_mask_evaluator_finds_the_leaf_a_walk_finds():
    # three trees: lopsided to the right, lopsided to the left (17 leaves: 32-bit masks), one leaf
    right = {"split": [0, 1, 0], "threshold": [0.5, 2.0, 3.0], "left": [-1, -2, -3], "right": [1, 2, -4],
             "value": [0.1, 0.2, 0.3], "leaf": [1.0, 2.0, 3.0, 4.0]}
    n = 16
    left = {"split": [i % 3 for i in range(n)], "threshold": [float(n - i) for i in range(n)],
            "left": [i + 1 for i in range(n - 1)] + [-1], "right": [-(i + 2) for i in range(n)],
            "value": [0.01 * i for i in range(n)], "leaf": [float(10 + i) for i in range(n + 1)]}
    single = {"split": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": [0.25]}
    trees = [right, left, single]
    model = BlockModel({"format": FORMAT, "features": ["a", "b", "c"], "threshold": 0.5, "kind": "gbdt",
                        "version": "test", "base": -0.5, "trees": trees})
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 18, size=(300, 3)).round(0)      # on the thresholds too
    X[::11, 0] = np.nan
    X[::13, 1] = np.nan
    want = np.array([sum(_walk(t, x)[0] for t in trees) - 0.5 for x in X])
    assert np.array_equal(model.raw(X), want)
    got = model.contributions_many(X)
    for x, row in zip(X[:40], got[:40]):
        steps: dict[int, float] = {}
        for t in trees:
            for f, v in _walk(t, x)[1].items():
                steps[f] = steps.get(f, 0.0) + v
        assert np.allclose(row, [steps.get(f, 0.0) for f in range(3)], rtol=0, atol=1e-12)
