import copy
import datetime as dt
import json

import pytest

from motcua.catalog.importer import FIXTURE_PATH, catalog_import

D0 = dt.date(2025, 7, 1)
D1 = dt.date(2026, 1, 1)


@pytest.fixture(scope="session")
def _real_records():
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def records(_real_records):
    """A fresh deep copy of the 55 real records, free to mutate."""
    return copy.deepcopy(_real_records)


@pytest.fixture
def catalog(db, records):
    """The real catalog imported, effective from 1 July 2025."""
    return catalog_import(records=records, effective_from=D0)


def by_code(records, code):
    return next(r for r in records if r["code"] == code)
