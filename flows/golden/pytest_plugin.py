"""pytest plugin: ``pytest --declutter-goldens DIR`` runs one test per golden case of DIR.

Registered by the package's ``pytest11`` entry point, so a test suite of a project that
installed declutter gets it without a conftest. A failing case's message is the golden
diff of ``python -m flows.golden check``; ``--declutter-update`` accepts (rewrites the
goldens of the cases that differ, as ``python -m flows.golden accept`` does);
``--declutter-config FILE`` checks with another config than the one kept with the goldens.
Known failures (``xfail`` in a case's case.toml) run as strict xfails.

Without ``--declutter-goldens`` the plugin adds nothing and imports nothing beyond this
module (the cleaners are imported only when a golden test is collected).
"""
from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("declutter", "declutter golden tests")
    group.addoption("--declutter-goldens", action="append", default=[], metavar="DIR",
                    help="run every golden case in DIR (a folder made by `declutter golden record`); repeatable")
    group.addoption("--declutter-update", action="store_true", default=False,
                    help="rewrite the goldens of the cases that differ (review with git diff)")
    group.addoption("--declutter-config", metavar="FILE", default=None,
                    help="check with this config instead of the one kept with the goldens")


def run_golden(goldens, case, *, update: bool = False, config_file: str | None = None,
               update_option: str = "--declutter-update") -> None:
    """Check one case (the body of every golden test, here and in this project's own suite):
    fail with the golden diff, or with ``update`` rewrite a golden that differs or is missing."""
    from . import actions

    outcome = actions.check_case(goldens, case, config_file)
    if update and outcome.status in (actions.DIFFERS, actions.MISSING) and config_file is None:
        actions.write_golden(goldens, case)
        return
    if outcome.error is not None:
        raise outcome.error  # a case that cannot be cleaned fails with its traceback
    if outcome.status in (actions.PASS, actions.XPASS):
        return  # an xpass is failed by pytest's strict xfail marker
    if outcome.status == actions.XFAIL:
        pytest.fail(f"known failure ({case.xfail}):\n{outcome.report}", pytrace=False)
    about = f" ({case.about})" if case.about else ""
    hint = (f"\nreview, then accept: pytest {update_option}, or "
            f"`declutter golden accept --goldens {goldens.root} {case.name}`")
    pytest.fail(f"golden {case.name}{about} {outcome.status}:\n{outcome.report}{hint}", pytrace=False)


class GoldenItem(pytest.Item):
    def __init__(self, *, goldens, case, **kw):
        super().__init__(**kw)
        self.goldens, self.case = goldens, case
        if case.xfail:
            self.add_marker(pytest.mark.xfail(reason=case.xfail, strict=True))

    def runtest(self):
        opt = self.config.getoption
        run_golden(self.goldens, self.case, update=opt("declutter_update"), config_file=opt("declutter_config"))

    def reportinfo(self):
        return self.case.input, None, f"golden {self.case.name}"


class GoldenFolder(pytest.Collector):
    def __init__(self, *, folder: Path, **kw):
        super().__init__(**kw)
        self.folder = folder

    def collect(self):
        from .store import Goldens

        goldens = Goldens(self.folder)
        for case in goldens.cases():
            yield GoldenItem.from_parent(self, name=case.name, goldens=goldens, case=case)


@pytest.hookimpl(tryfirst=True)  # before -k, -m and --deselect filter the items
def pytest_collection_modifyitems(session, config, items):
    folders = config.getoption("declutter_goldens")
    if not folders:
        return
    from .store import GoldenError

    if config.getoption("declutter_update") and config.getoption("declutter_config"):
        raise pytest.UsageError("--declutter-update accepts with the config kept with the goldens; to move them "
                                "to another config run `declutter golden accept --goldens DIR --config FILE`")
    for folder in folders:
        path = Path(folder)
        node = GoldenFolder.from_parent(session, name=folder, nodeid=path.as_posix(), folder=path)
        try:
            items.extend(node.collect())
        except GoldenError as exc:
            raise pytest.UsageError(f"--declutter-goldens {folder}: {exc}") from None
