"""The replica router's decisions (motcua.core.db), without a replica server: which alias
a read or a write gets, in and out of a `reads_from_replica` scope. The streaming-replica
test (test_replica.py, PostgreSQL) runs the same rules against a real standby."""

from __future__ import annotations

import copy

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import RequestFactory

from motcua.core.db import (
    REPLICA,
    ReplicaRouter,
    read_alias,
    reads_from_replica,
    replica_configured,
    replica_reads,
)
from motcua.org.models import Agency

from .test_settings import settings_in

router = ReplicaRouter()


@pytest.fixture
def replica_alias():
    """A "replica" alias, as MOTCUA_REPLICA_URL adds it; never connected to here."""
    assert REPLICA not in connections.settings
    alias = copy.deepcopy(connections["default"].settings_dict)
    alias["TEST"] = {**alias["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA] = alias
    yield
    del connections.settings[REPLICA]


def test_without_a_replica_every_read_goes_to_the_primary():
    assert not replica_configured()
    with replica_reads():
        assert read_alias() == "default"
        assert router.db_for_read(Agency) == "default"


def test_reads_in_a_scope_go_to_the_replica_until_the_scope_writes(replica_alias):
    assert router.db_for_read(Agency) == "default"  # no scope
    with replica_reads():
        assert router.db_for_read(Agency) == REPLICA
        assert router.db_for_read(Session) == "default"  # a login a moment ago
        with replica_reads():  # nested: the same scope
            assert router.db_for_write(Agency) == "default"
        assert router.db_for_read(Agency) == "default"  # read-your-writes
    with replica_reads():  # a new scope starts clean
        assert router.db_for_read(Agency) == REPLICA
    assert router.db_for_read(Agency) == "default"


def test_a_transaction_on_the_primary_keeps_its_reads_there(replica_alias):
    default = connections["default"]
    with replica_reads():
        default.in_atomic_block = True  # as transaction.atomic() sets it, without a query
        try:
            assert router.db_for_read(Agency) == "default"
        finally:
            default.in_atomic_block = False
        assert router.db_for_read(Agency) == REPLICA


def test_the_decorator_scopes_the_view_and_loads_the_user_before(replica_alias):
    seen: list[str] = []

    class User:
        @property
        def is_authenticated(self) -> bool:
            seen.append(read_alias())  # the session and the user: on the primary
            return False

    @reads_from_replica
    def view(request):
        seen.append(read_alias())
        return "ok"

    request = RequestFactory().get("/")
    request.user = User()
    assert view(request) == "ok"
    assert seen == ["default", REPLICA]
    assert view.__name__ == "view"


def test_migrations_and_relations(replica_alias):
    assert router.allow_migrate("default", "org") is True
    assert router.allow_migrate(REPLICA, "org") is False
    a, b = Agency(), Agency()
    a._state.db, b._state.db = REPLICA, "default"
    assert router.allow_relation(a, b) is True
    b._state.db = "other"
    assert router.allow_relation(a, b) is None


def test_settings_add_the_replica_only_when_configured(tmp_path):
    var = {"MOTCUA_VAR_DIR": str(tmp_path)}
    names = ["DATABASES", "DATABASE_ROUTERS"]
    plain = settings_in(var, names)
    assert list(plain["DATABASES"]) == ["default"]
    assert plain["DATABASE_ROUTERS"] == ["motcua.core.db.ReplicaRouter"]
    url = "postgres://motcua:secret@db-standby:5433/motcua"
    got = settings_in({**var, "MOTCUA_REPLICA_URL": url}, names)["DATABASES"]
    assert list(got) == ["default", "replica"]
    replica = got["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"], replica["USER"]) == (
        "db-standby",
        5433,
        "motcua",
        "motcua",
    )
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
