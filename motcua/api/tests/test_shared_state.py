"""State shared by the server processes through Redis (MOTCUA_CACHE_URL): a token revoked
in one process is refused at once by another, and failed status lookups counted by one
process are counted by all. The tests marked `redis` need Redis (MOTCUA_TEST_REDIS_URL,
default db 11) and are skipped otherwise, saying why; each uses keys of its own and deletes
them. The others show what happens when the shared cache cannot be reached."""

import subprocess
import uuid

import pytest
import redis
from django.test import RequestFactory
from django.utils import timezone

from motcua.api.auth import TokenAuth, TokenCache, token_auth, token_create, token_revoke
from motcua.api.models import ApiToken
from motcua.core.errors import DomainError
from motcua.core.tests.elsewhere import PYTHON, REDIS_URL, ROOT, needs_redis, process_env
from motcua.dossiers.access import staff_roles
from motcua.dossiers.selectors import dossier_lookup
from motcua.org.models import Agency, StaffRole

pytestmark = pytest.mark.django_db

MINE = "/api/dossiers/mine"


@pytest.fixture
def shared_cache(settings):
    """The settings MOTCUA_CACHE_URL gives, on a key prefix of this test's own."""
    prefix = f"motcua-test-{uuid.uuid4().hex[:12]}"
    settings.MOTCUA_CACHE_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    r = redis.Redis.from_url(REDIS_URL)
    keys = r.keys(f"{prefix}:*")
    if keys:
        r.delete(*keys)
    r.close()


def _request(token):
    return RequestFactory().get(MINE, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.redis
@needs_redis
def test_a_token_revoked_in_one_process_is_refused_at_once_by_another(
    world, shared_cache, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # Given two server processes: this one (its own token cache) and another, whose token
    # cache is its own too; what they share is the Redis cache.
    other = TokenAuth(cache=TokenCache())
    token, plaintext = token_create(user=world.citizen)
    ApiToken.objects.update(last_used_at=timezone.now())
    assert other(_request(plaintext)) == world.citizen
    with django_assert_num_queries(0):  # the other process keeps what it learnt
        assert other(_request(plaintext)) == world.citizen
    # When this process revokes the token and commits
    with django_capture_on_commit_callbacks(execute=True):
        token_revoke(token=token)
    # Then the other process refuses it on its next request, within its cache period
    assert other(_request(plaintext)) is None


@pytest.mark.redis
@needs_redis
def test_a_role_or_agency_change_in_one_process_reaches_another(
    world, shared_cache, django_capture_on_commit_callbacks
):
    officer = world.a.staff["c:counter"]
    other = TokenAuth(cache=TokenCache())
    _t, key = token_create(user=officer)
    assert staff_roles(other(_request(key)))
    # A staff role ended in this process: the other forgets the officer's roles.
    with django_capture_on_commit_callbacks(execute=True):
        for role in StaffRole.objects.filter(user=officer):
            role.active = False
            role.save()
    assert staff_roles(other(_request(key))) == {}
    # An agency changed: every token is checked again.
    cached = other.cache.entries[next(iter(other.cache.entries))]
    with django_capture_on_commit_callbacks(execute=True):
        Agency.objects.get(pk=world.a.center.pk).save()
    other(_request(key))
    assert other.cache.entries[next(iter(other.cache.entries))] is not cached


def test_without_a_shared_cache_nothing_is_read_from_it(world, django_assert_num_queries):
    # The process's own cache (the default): no versions, no queries once cached.
    _t, plaintext = token_create(user=world.citizen)
    ApiToken.objects.update(last_used_at=timezone.now())
    token_auth(_request(plaintext))
    with django_assert_num_queries(0):
        assert token_auth(_request(plaintext)) == world.citizen
    entry = next(iter(token_auth.cache.entries.values()))
    assert entry.versions == ()


def test_an_unreadable_shared_cache_trusts_nothing_kept(world, settings, django_assert_num_queries):
    # Redis gone (a port nothing listens on): every request asks the database, none fails.
    settings.MOTCUA_CACHE_URL = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    _t, plaintext = token_create(user=world.citizen)
    ApiToken.objects.update(last_used_at=timezone.now())
    assert token_auth(_request(plaintext)) == world.citizen
    with django_assert_num_queries(3):
        assert token_auth(_request(plaintext)) == world.citizen
    assert token_auth.cache.entries == {}


OTHER_PROCESS_LOOKUP = """
import sys, django
django.setup()
from motcua.core.errors import DomainError
from motcua.dossiers.selectors import _lookup_check
try:
    _lookup_check(sys.argv[1])
except DomainError as exc:
    print(exc.code)
else:
    print("allowed")
"""


def test_an_unreachable_shared_cache_does_not_stop_lookups(world, settings, caplog):
    from motcua.dossiers.enums import Status
    from motcua.dossiers.tests.conftest import advance

    d = advance(world, Status.RECEIVED)
    settings.MOTCUA_CACHE_URL = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 1
    for _ in range(3):
        with pytest.raises(DomainError) as err:
            dossier_lookup(code=d.code, secret="WRONG234", client="198.51.100.7")
        assert err.value.code == "not_found"
    assert dossier_lookup(code=d.code, secret=d.secret, client="198.51.100.7").pk == d.pk
    assert "lookup limiter: cache unreadable" in caplog.text
    assert "lookup limiter: cache unwritable" in caplog.text


@pytest.mark.redis
@needs_redis
def test_failed_lookups_counted_in_one_process_refuse_in_another(world, settings, tmp_path):
    from motcua.dossiers.selectors import _lookup_key

    # Given the settings MOTCUA_CACHE_URL gives (the product's keys carry no prefix: the
    # test owns its client address, hence its key), and a limit of two failures
    settings.MOTCUA_CACHE_URL = REDIS_URL
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 2
    client = f"test-{uuid.uuid4().hex}"
    env = process_env(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_CACHE_URL=REDIS_URL,
        MOTCUA_LOOKUP_MAX_FAILURES="2",
        MOTCUA_VAR_DIR=str(tmp_path / "other-var"),
    )

    def other_process_checks() -> str:
        out = subprocess.run(
            [PYTHON, "-c", OTHER_PROCESS_LOOKUP, client],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip()

    try:
        # When this process sees one failed lookup, the other still allows the client
        with pytest.raises(DomainError) as err:
            dossier_lookup(code="000.A.01.H24-260304-0001", secret="WRONG", client=client)
        assert err.value.code == "not_found"
        assert other_process_checks() == "allowed"
        # ... and after the second, the other process refuses it (429) too
        with pytest.raises(DomainError) as err:
            dossier_lookup(code="000.A.01.H24-260304-0001", secret="WRONG", client=client)
        assert err.value.code == "not_found"
        assert other_process_checks() == "too_many_lookups"
    finally:
        r = redis.Redis.from_url(REDIS_URL)
        r.delete(f":1:{_lookup_key(client)}")
        r.close()
