"""motcua.core.rows: the precompiled statements answer as the ORM does."""

import pytest

from motcua.core import rows
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_load_matches_the_orm_with_joins(world, django_assert_num_queries):  # noqa: F811
    d = advance(world, Status.PROCESSING)
    orm = Dossier.objects.select_related("current_step", "procedure").get(pk=d.pk)
    with django_assert_num_queries(1):
        got = rows.load(Dossier, d.pk, joins=("current_step", "procedure"))
        # The joined rows are cached on the instance, as select_related does.
        assert got.current_step == orm.current_step
        assert got.procedure.name == orm.procedure.name
    for f in Dossier._meta.concrete_fields:
        assert getattr(got, f.attname) == getattr(orm, f.attname), f.name


def test_load_by_a_unique_field_and_absent_rows(world):  # noqa: F811
    d = advance(world, Status.RECEIVED)
    assert rows.load(Dossier, d.code, by="code").pk == d.pk
    assert rows.load(Dossier, "no-such-code", by="code") is None
    assert rows.load(Dossier, 10**30) is None  # out of range, as the ORM answers
    assert rows.load(Dossier, "a\x00b", by="code") is None


def test_nullable_join_gives_none(world):  # noqa: F811
    d = advance(world, Status.SUBMITTED)
    got = rows.load(Dossier, d.pk, joins=("current_step",))
    assert got.current_step is None


def test_update_with_is_null_condition_and_insert(world):  # noqa: F811
    d = advance(world, Status.RECEIVED)
    assert rows.update(Dossier, {"id": d.pk, "code": None}, {"result_note": "x"}) == 0
    assert rows.update(Dossier, {"id": d.pk}, {"result_note": "ghi chú"}) == 1
    assert Dossier.objects.get(pk=d.pk).result_note == "ghi chú"
    assert rows.update(Dossier, {"id": d.pk}, {}) == 0
