import pytest


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Every test writes uploaded files to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
