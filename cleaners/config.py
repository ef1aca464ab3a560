"""Configuration: a TOML file that switches cleaners off and adds phrases,
globally and per site. Validated by pydantic, so a typo is a clear error
naming the key, never a silently ignored setting.

    [cleaners]
    disable = ["drop_author_bios"]

    [phrases.promos]            # added to the shipped lists of that family
    prefix = ["MORE FROM THE EXAMPLE TIMES"]

    [sites."example.com"]
    disable = ["trim_page_chrome"]
    [sites."example.com".phrases.promos]
    exact = ["Example Daily"]

    [profiles]                  # site-profile thresholds (cleaners.profiles.Thresholds)
    min_documents = 50

    [params.captions]           # a cleaner family's thresholds (cleaners.params.CleanerParams)
    max_credit_words = 10
    [sites."example.com".params.dedupe]
    near = 0.9
    [learned]                   # the block model's cleaner (cleaners.learned)
    threshold = 0.95            # boilerplate score from which it removes a line (default: the model's own)
    sentence_threshold = 0.98   # ...and a block shaped like a sentence (never below `threshold`)
    only_after_rules = true     # act only on documents where the rule cleaners found boilerplate
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .params import DEFAULT_PARAMS, CleanerParams
from .profiles import Thresholds

PhraseLists = dict[str, dict[str, list[str]]]


class ConfigError(ValueError):
    pass


class CleanersSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disable: list[str] = Field(default_factory=list)


class LearnedSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Off by default. Model 2 (page-layout features, cleaners/features.py VERSION 2), at its
    # thresholds (0.92 line / 0.94 sentence), raises every text track's F1 on the grouped folds
    # (+.002 to +.004) by removing more boilerplate, and loses .002-.004 of real text doing so
    # (html unchanged); it costs 1.5-1.8x the chain's CPU time (bench/RESULTS.md). Precision
    # first: real text lost is worse than a promo left in, and the chain stays fast.
    # `enabled = true` turns on its removals and the weighing of shape rules against it
    # (cleaners/weigh.py).
    enabled: bool = False
    threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    sentence_threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    only_after_rules: bool = True

    def thresholds(self) -> tuple[float | None, float | None] | None:
        """What ``Context.learned_threshold`` takes: None (the model's own), or (line, sentence)."""
        if self.threshold is None and self.sentence_threshold is None:
            return None
        return (self.threshold, self.sentence_threshold)


class SiteSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disable: list[str] = Field(default_factory=list)
    phrases: PhraseLists = Field(default_factory=dict)
    params: CleanerParams = Field(default_factory=lambda: DEFAULT_PARAMS)  # only what it sets overrides

    @field_validator("phrases")
    @classmethod
    def _known_site_phrases(cls, v: PhraseLists) -> PhraseLists:
        _check_phrases(v)
        return v


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    cleaners: CleanersSection = Field(default_factory=CleanersSection)
    phrases: PhraseLists = Field(default_factory=dict)
    sites: dict[str, SiteSection] = Field(default_factory=dict)
    profiles: Thresholds = Field(default_factory=Thresholds)
    params: CleanerParams = Field(default_factory=lambda: DEFAULT_PARAMS)
    # site -> merged CleanerParams, built once (not a default_factory: pydantic inspects its
    # signature on every Config(), and the default config is built per document)
    _site_params: dict | None = PrivateAttr(default=None)
    learned: LearnedSection = Field(default_factory=LearnedSection)

    @field_validator("cleaners")
    @classmethod
    def _known_cleaners(cls, v: CleanersSection) -> CleanersSection:
        _check_names(v.disable)
        return v

    @field_validator("phrases")
    @classmethod
    def _known_phrases(cls, v: PhraseLists) -> PhraseLists:
        _check_phrases(v)
        return v

    @field_validator("sites")
    @classmethod
    def _known_site_cleaners(cls, v: dict[str, SiteSection]) -> dict[str, SiteSection]:
        for site in v.values():
            _check_names(site.disable)
        return v

    def profile_thresholds(self) -> Thresholds:
        """The site-profile thresholds in force (``cleaners.profiles.Thresholds``)."""
        return self.profiles

    def params_for(self, site: str | None) -> CleanerParams:
        """The cleaners' thresholds in force for one site: the global ones, with what the
        site's ``[sites."<site>".params.<family>]`` tables set on top."""
        s = self.sites.get(site or "")
        if s is None or not s.params.model_fields_set:
            return self.params
        if self._site_params is None:
            self._site_params = {}
        merged = self._site_params.get(site)
        if merged is None:
            merged = self._site_params[site] = self.params.merged(s.params)
        return merged

    def for_site(self, site: str | None) -> tuple[frozenset[str], PhraseLists]:
        """Disabled cleaner names and extra phrases in force for one site."""
        disabled = set(self.cleaners.disable)
        phrases: PhraseLists = {f: {k: list(v) for k, v in sec.items()} for f, sec in self.phrases.items()}
        s = self.sites.get(site or "")
        if s is not None:
            disabled |= set(s.disable)
            for fam, sec in s.phrases.items():
                for kind, items in sec.items():
                    phrases.setdefault(fam, {}).setdefault(kind, []).extend(items)
        return frozenset(disabled), phrases


def _check_names(names: list[str]) -> None:
    from .pipeline import CLEANER_NAMES

    unknown = sorted(set(names) - set(CLEANER_NAMES))
    if unknown:
        raise ValueError(f"unknown cleaner(s) {unknown}; known: {sorted(CLEANER_NAMES)}")


def _check_phrases(phrases: PhraseLists) -> None:
    """Families and list names must exist in the shipped phrase files; patterns must compile."""
    import regex

    from .phrases import MATCH_KINDS, shipped_families

    known = shipped_families()
    for fam, section in phrases.items():
        if fam not in known:
            raise ValueError(f"unknown phrase family {fam!r}; known: {sorted(known)}")
        for kind, items in section.items():
            if kind not in MATCH_KINDS and kind not in known[fam]:
                raise ValueError(f"unknown phrase list {fam}.{kind!r}; known: {sorted(set(MATCH_KINDS) | known[fam])}")
            if kind.endswith("pattern"):
                for p in items:
                    try:
                        regex.compile(p, regex.V1)
                    except regex.error as exc:
                        raise ValueError(f"bad pattern {p!r} in {fam}.{kind}: {exc}") from None


@lru_cache(maxsize=1)
def _default_config() -> Config:
    """One default Config for the process (frozen): the chain asks for it per document."""
    return Config()


def load_config(source: str | Path | Mapping | None) -> Config:
    """A Config from a TOML path, a mapping, or None (defaults)."""
    if source is None:
        return _default_config()
    if isinstance(source, Config):
        return source
    where = "config"
    if isinstance(source, (str, Path)):
        where = str(source)
        try:
            with open(source, "rb") as f:
                data = tomllib.load(f)
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read config: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    else:
        data = dict(source)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [f"{where}: invalid config"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {loc}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None
