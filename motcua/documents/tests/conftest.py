import pytest

from motcua.dossiers.tests.conftest import T0, advance, submit  # noqa: F401
from motcua.dossiers.tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()
