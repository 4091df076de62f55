import pytest

from motcua.dossiers.tests.conftest import world  # noqa: F401  (the sessions' users)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Account tests hash many passwords; the hash strength is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
