import pytest

from .factories import make_linked_world


@pytest.fixture
def lw(db):
    return make_linked_world()
