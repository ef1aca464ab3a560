"""Every golden case of fixtures/ through the package's golden machinery (flows.golden), the
same check a user's `pytest --declutter-goldens DIR` runs; `--update-goldens` accepts."""
from __future__ import annotations

import pytest

from flows.golden.pytest_plugin import run_golden
from golden_support import GOLDENS

CASES = GOLDENS.cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden(case, request):
    if case.xfail:
        request.node.add_marker(pytest.mark.xfail(reason=case.xfail, strict=True))
    run_golden(GOLDENS, case, update=request.config.getoption("--update-goldens"), update_option="--update-goldens")


def test_enough_golden_cases():
    assert len(CASES) >= 40



def test_every_case_says_what_it_tests():
    missing = [c.name for c in CASES if not (c.about or "").strip()]
    assert missing == [], f"no `about` in case.toml: {missing}"


def test_goldens_hold_what_a_case_is_about_and_nothing_else():
    """Hand-written goldens (the xfail ones) too: the fields golden_of writes, every removal whole."""
    from flows.golden.expect import METADATA, REMOVAL_FIELDS

    for case in CASES:
        golden = case.read_expected()
        assert list(golden) == [*METADATA, "text", "removed"], case.name
        assert all(list(r) == list(REMOVAL_FIELDS) for r in golden["removed"]), case.name
