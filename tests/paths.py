"""Where the tests find the checkout and the shared material beside it.

The specs, the real reports and the hand-labelled seeds live in ``shared/``, a sibling
of the checkout (``../shared``), not inside it: they are found relative to the checkout
here, in this one place, so that the tests run wherever the checkout lives.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
"""The tests' folder: ``unit/`` and ``integration/`` hold the test modules; the helper
modules, ``fixtures/``, ``labels/`` and ``data/`` are here, shared by both."""
REPO = TESTS.parent
"""The checkout (the folder holding ``pyproject.toml``)."""
SAMPLE_REPORTS = REPO / "sampleweb" / "assets" / "reports"
"""The report texts the sample web is made of."""
SHARED = REPO.parent / "shared"
"""Specs (``spec/``), the field guide and the reports (``reports/``) shared by the team."""
SHARED_REPORTS = SHARED / "reports"
SEEDS = SHARED_REPORTS / "seeds"
"""The seed reports' texts (``NNN_name.txt``)."""
SEED_LABELS = SEEDS / "labels"
"""Their hand labels (``NNN_name.json``)."""
REAL_REPORTS = SHARED_REPORTS / "real"
"""Real reports as published (PDF, DOCX, …)."""
