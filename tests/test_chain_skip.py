"""run_chain skips a cleaner on a draft it already left unchanged (a pure function gives the
same answer), and reruns it on any draft that differs."""
from __future__ import annotations

from cleaners import pipeline
from cleaners.document import Block, Draft


def _chain(monkeypatch, *cleaners):
    monkeypatch.setattr(pipeline, "DEFAULT_CHAIN", cleaners)


def _draft(*texts):
    return Draft(blocks=tuple(Block(i, t) for i, t in enumerate(texts)))


def test_an_idle_cleaner_is_not_rerun_on_the_same_draft(monkeypatch):
    calls = []

    def remover(d):  # removes "x" in the first pass: the chain runs a second pass
        return d.remove([b for b in d.live() if b.text == "x"], "remover", "k", "r", "dedupe.exact")

    def watcher(d):  # after the remover, never changes anything: the second pass finds the same draft
        calls.append(len(d.live()))
        return d

    _chain(monkeypatch, remover, watcher)
    out = pipeline.run_chain(_draft("a", "x"), frozenset({"drop_learned_boilerplate"}))
    assert [b.text for b in out.live()] == ["a"]
    assert calls == [1]


def test_a_cleaner_is_rerun_when_the_draft_changed_after_it(monkeypatch):
    calls = []

    def watcher(d):
        calls.append(len(d.live()))
        return d

    def remover(d):  # after the watcher: the watcher's second run sees a different draft
        return d.remove([b for b in d.live() if b.text == "x"], "remover", "k", "r", "dedupe.exact")

    _chain(monkeypatch, watcher, remover)
    pipeline.run_chain(_draft("a", "x"), frozenset({"drop_learned_boilerplate"}))
    assert calls == [2, 1]


def test_a_cleaner_that_changed_the_draft_is_rerun(monkeypatch):
    calls = []

    def shrinker(d):  # removes the first live block while more than one is left
        calls.append(len(d.live()))
        live = d.live()
        d = d.remove(live[:1], "shrinker", "k", "r", "dedupe.exact") if len(live) > 1 else d
        return d

    _chain(monkeypatch, shrinker)
    pipeline.run_chain(_draft("a", "b", "c"), frozenset({"drop_learned_boilerplate"}))
    assert calls == [3, 2, 1]
