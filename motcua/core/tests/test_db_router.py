"""The replica router's decisions that need no replica server (motcua.core.db). The reads
and writes in and out of a `reads_from_replica` scope are shown against a real standby in
test_replica.py (PostgreSQL): a scope opens by connecting to the replica."""

from __future__ import annotations

import copy

import pytest
from django.db import connections

from motcua.core.db import REPLICA, ReplicaRouter, read_alias, replica_configured, replica_reads
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
    url = "postgres://motcua:secret@db-standby:5433/motcua?connect_timeout=2"
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
    assert replica["OPTIONS"] == {
        "connect_timeout": 2,
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
