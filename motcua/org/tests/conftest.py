import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Account tests hash many passwords; the hash strength is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
