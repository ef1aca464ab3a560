"""Every golden case through the public API, whole document compared."""
from __future__ import annotations

import json

import pytest

from cleaners.document import to_json
from golden_support import case_options, cases, explain_diff, run_case


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_golden(case, request):
    opts = case_options(case)
    if opts.get("xfail"):
        request.node.add_marker(pytest.mark.xfail(reason=opts["xfail"], strict=True))
    doc = run_case(case)
    expected_file = case / "expected.json"
    actual = to_json(doc)
    if request.config.getoption("--update-goldens"):
        if not opts.get("xfail"):
            expected_file.write_text(actual, encoding="utf-8")
        return
    assert expected_file.exists(), f"{case.name}: no expected.json (run pytest --update-goldens and review)"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    if json.loads(actual) != expected:
        pytest.fail(f"{case.name} differs from its golden:\n{explain_diff(expected, doc)}", pytrace=False)


def test_enough_golden_cases():
    assert len(cases()) >= 40
