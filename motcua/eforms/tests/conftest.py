import copy
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def load_test_definition() -> dict:
    return json.loads((HERE / "definitions" / "thu-nghiem.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _test_codelists(settings):
    """The shipped code lists may not be there yet: the tests' own small lists too."""
    settings.EFORMS_CODELIST_DIRS = [str(HERE / "codelists")]


@pytest.fixture
def doc() -> dict:
    return copy.deepcopy(load_test_definition())
