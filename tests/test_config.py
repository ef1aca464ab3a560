"""Configuration: a TOML file switches cleaners off and adds phrases, globally and
per site; every mistake is an error that names the key."""
from __future__ import annotations

import pytest

from cleaners import CLEANER_NAMES, ConfigError, clean_text, load_config

ARTICLE = """The harbour wall will be rebuilt over the summer after councillors approved a repair budget on Tuesday night.

MORE FROM THE HARBOUR GAZETTE

Work is due to begin in May and should be finished by the end of September, weather permitting.

Harbour Gazette Daily

Jane Doe is a reporter for the Harbour Gazette covering the council.
"""


def kept(doc) -> list[str]:
    return doc.text.split("\n\n")


def write(tmp_path, text: str):
    p = tmp_path / "declutter.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_remove_the_bio_but_not_unknown_promos():
    doc = clean_text(ARTICLE)
    assert "Jane Doe is a reporter for the Harbour Gazette covering the council." not in kept(doc)
    assert "Harbour Gazette Daily" in kept(doc)


def test_toml_file_switches_a_cleaner_off(tmp_path):
    cfg = write(tmp_path, '[cleaners]\ndisable = ["drop_author_bios"]\n')
    doc = clean_text(ARTICLE, config=cfg)
    assert "Jane Doe is a reporter for the Harbour Gazette covering the council." in kept(doc)
    assert "drop_author_bios" not in doc.stats.removed_by_cleaner


def test_config_path_may_be_a_string(tmp_path):
    cfg = write(tmp_path, '[cleaners]\ndisable = ["drop_author_bios"]\n')
    assert clean_text(ARTICLE, config=str(cfg)).text == clean_text(ARTICLE, config=cfg).text


def test_global_phrases_are_added_to_a_family(tmp_path):
    cfg = write(tmp_path, '[phrases.promos]\nexact = ["Harbour Gazette Daily"]\n')
    doc = clean_text(ARTICLE, config=cfg)
    assert "Harbour Gazette Daily" not in kept(doc)
    r = next(r for r in doc.removed if r.text == "Harbour Gazette Daily")
    assert r.cleaner == "drop_promos"


def test_site_settings_apply_only_to_that_site(tmp_path):
    cfg = write(tmp_path, """
[sites."gazette.example"]
disable = ["drop_author_bios"]
[sites."gazette.example".phrases.promos]
exact = ["Harbour Gazette Daily"]
""")
    on_site = clean_text(ARTICLE, config=cfg, site="gazette.example")
    assert "Harbour Gazette Daily" not in kept(on_site)
    assert "Jane Doe is a reporter for the Harbour Gazette covering the council." in kept(on_site)
    elsewhere = clean_text(ARTICLE, config=cfg, site="other.example")
    assert "Harbour Gazette Daily" in kept(elsewhere)
    assert "Jane Doe is a reporter for the Harbour Gazette covering the council." not in kept(elsewhere)


def test_a_mapping_works_like_a_file():
    doc = clean_text(ARTICLE, config={"cleaners": {"disable": ["drop_author_bios", "drop_promos"]}})
    assert "MORE FROM THE HARBOUR GAZETTE" in kept(doc)
    assert "drop_promos" not in doc.stats.removed_by_cleaner


def test_config_object_is_reused_as_is():
    cfg = load_config({"cleaners": {"disable": ["drop_author_bios"]}})
    assert load_config(cfg) is cfg
    assert load_config(None) == load_config({})


def test_every_cleaner_can_be_disabled_by_name():
    load_config({"cleaners": {"disable": list(CLEANER_NAMES)}})


def test_disabling_every_cleaner_keeps_every_block():
    doc = clean_text(ARTICLE, config={"cleaners": {"disable": list(CLEANER_NAMES)}})
    assert doc.removed == []
    assert len(kept(doc)) == 5


# -- errors name the key ------------------------------------------------------------

def test_unknown_top_level_key(tmp_path):
    cfg = write(tmp_path, '[cleanerz]\ndisable = []\n')
    with pytest.raises(ConfigError, match="cleanerz"):
        clean_text(ARTICLE, config=cfg)


def test_unknown_key_inside_a_section():
    with pytest.raises(ConfigError, match="cleaners.enable"):
        load_config({"cleaners": {"enable": ["drop_promos"]}})


def test_unknown_cleaner_name_lists_the_known_ones(tmp_path):
    cfg = write(tmp_path, '[cleaners]\ndisable = ["drop_adverts"]\n')
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    msg = str(exc.value)
    assert "drop_adverts" in msg and "drop_ad_labels" in msg and str(cfg) in msg


def test_unknown_cleaner_name_in_a_site():
    with pytest.raises(ConfigError, match="drop_nothing"):
        load_config({"sites": {"a.example": {"disable": ["drop_nothing"]}}})


def test_unknown_key_in_a_site():
    with pytest.raises(ConfigError, match="disabled"):
        load_config({"sites": {"a.example": {"disabled": ["drop_promos"]}}})


def test_unknown_phrase_family_is_an_error():
    with pytest.raises(ConfigError, match="promo\\b"):
        load_config({"phrases": {"promo": {"exact": ["x"]}}})


def test_unknown_phrase_kind_is_an_error():
    with pytest.raises(ConfigError, match="prefixes"):
        load_config({"phrases": {"promos": {"prefixes": ["x"]}}})


def test_phrases_must_be_lists_of_strings():
    with pytest.raises(ConfigError, match="phrases.promos.exact"):
        load_config({"phrases": {"promos": {"exact": "Harbour Gazette Daily"}}})


def test_bad_pattern_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="pattern"):
        load_config({"phrases": {"promos": {"pattern": ["(unclosed"]}}})


def test_bad_toml_is_a_clear_error(tmp_path):
    cfg = write(tmp_path, '[cleaners\ndisable = ["drop_author_bios"]\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(cfg)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml")


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)
