"""Cleaner thresholds as typed, named parameters (cleaners/params.py): the config sets them,
globally and per site, a changed threshold changes a decision, and an unknown name or a bad
value is a ConfigError naming it."""
from __future__ import annotations

import pytest

from cleaners import ConfigError, clean_text, load_config
from cleaners.captions import CaptionParams
from cleaners.params import DEFAULT_PARAMS, CleanerParams

PROSE = ("A report on the harbour, with enough words in it to be a real paragraph of prose about the town and "
         "its fishing boats.\n\nThe second paragraph of the report goes on for a good while longer, telling "
         "readers more about the harbour and the people who work there.\n\n")
CREDIT = "Photo: J. R. de la Cruz for The Example Herald and Associated Press Images"  # 13 words


def _rules(doc) -> list[str]:
    return [r.rule for r in doc.removed]


def test_defaults_are_one_shared_instance():
    assert load_config(None).params is DEFAULT_PARAMS
    assert load_config(None).params_for("example.com") is DEFAULT_PARAMS
    assert DEFAULT_PARAMS.captions == CaptionParams()


def test_a_changed_threshold_changes_a_decision():
    text = PROSE + CREDIT + "\n\n" + PROSE
    assert "captions.credit.label" in _rules(clean_text(text))
    doc = clean_text(text, config={"params": {"captions": {"max_credit_words": 10}}})
    assert "captions.credit.label" not in _rules(doc)
    assert CREDIT in doc.text


def test_dedupe_threshold_from_the_config():
    para = "The council voted on Tuesday to close the old harbour road to lorries from the spring onwards."
    near = para.replace("lorries", "trucks")  # one plain word changed: the same paragraph
    text = PROSE + para + "\n\n" + near + "\n"
    assert "dedupe.near.repeat" in _rules(clean_text(text))
    assert "dedupe.near.repeat" not in _rules(clean_text(text, config={"params": {"dedupe": {"near": 0.99}}}))


def test_site_params_override_only_what_they_set():
    cfg = load_config({"params": {"captions": {"max_label_words": 3}},
                       "sites": {"example.com": {"params": {"captions": {"max_credit_words": 10}}}}})
    site = cfg.params_for("example.com")
    assert site.captions.max_credit_words == 10 and site.captions.max_label_words == 3
    assert site.dedupe == DEFAULT_PARAMS.dedupe
    assert cfg.params_for("other.org").captions.max_credit_words == 14
    assert cfg.params_for("example.com") is site  # merged once per site
    text = PROSE + CREDIT + "\n\n" + PROSE
    assert "captions.credit.label" in _rules(clean_text(text, config=cfg, site="other.org"))
    assert "captions.credit.label" not in _rules(clean_text(text, config=cfg, site="example.com"))


@pytest.mark.parametrize("data, named", [
    ({"params": {"captions": {"max_credit_wrds": 10}}}, "params.captions.max_credit_wrds"),
    ({"params": {"captionz": {"max_credit_words": 10}}}, "params.captionz"),
    ({"params": {"dedupe": {"near": 1.5}}}, "params.dedupe.near"),
    ({"params": {"furniture": {"ad_max_words": "ten"}}}, "params.furniture.ad_max_words"),
    ({"sites": {"example.com": {"params": {"promos": {"caps_ratoi": 0.8}}}}},
     "sites.example.com.params.promos.caps_ratoi"),
])
def test_unknown_or_bad_parameter_is_a_config_error_naming_it(data, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_config(data)


def test_every_family_is_a_frozen_model_with_documented_defaults():
    for name, field in CleanerParams.model_fields.items():
        model = field.annotation
        assert model.model_config.get("frozen") and model.model_config.get("extra") == "forbid", name
        assert model.__doc__ and "[params." in model.__doc__, f"{name}: say which config table sets it"
        with pytest.raises(Exception):
            setattr(getattr(DEFAULT_PARAMS, name), next(iter(model.model_fields)), 0)
