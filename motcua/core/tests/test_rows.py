"""motcua.core.rows: the precompiled statements answer and write as the ORM does.

For every model the services read or write through rows (docs/adr/0003), on the database
the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL):
- load and select give, field by field, what the ORM reads;
- save_new / insert write rows that the ORM reads back equal to the same rows written by
  the ORM's own save;
- update changes the columns exactly as the ORM's update does.
"""

import copy
import datetime as dt

import pytest
from django.db import models
from django.utils import timezone

from motcua.catalog.models import Component, Procedure, ProcedureAgency, ProcedureVersion
from motcua.core import rows
from motcua.dossiers.enums import Status
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierEvent,
    Handover,
    ReceivedComponent,
)
from motcua.dossiers.selectors import LIST_RELATED
from motcua.dossiers.tests.conftest import T0, advance, world  # noqa: F401
from motcua.indicators.models import DossierFact
from motcua.org.models import Agency, Applicant

pytestmark = pytest.mark.django_db

# Every model the hot path reads through rows (load / select) ...
READ = [
    Dossier,
    DossierEvent,
    Handover,
    ReceivedComponent,
    Attachment,
    DossierFact,
    Agency,
    Applicant,
    Procedure,
    ProcedureVersion,
    Component,
]
# ... and every model it writes (save_new / insert, update), with the fields a copy must
# not share with the row it copies (unique), and the fields an update leaves alone.
WRITE = {
    Dossier: {"code"},
    DossierEvent: {"seq"},
    Handover: {"finished_at"},  # one open handover per dossier: the copies are closed
    ReceivedComponent: set(),
    Attachment: set(),
    DossierFact: {"dossier"},  # the primary key: one fact per dossier
}


def _values(obj: models.Model, skip=()) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if not f.primary_key and f.name not in skip
    }


def _auto(model: type[models.Model]) -> set[str]:
    """The auto_now / auto_now_add fields: a save stamps them with its own moment."""
    return {
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }


def _orm(obj: models.Model) -> models.Model:
    return type(obj)._default_manager.get(pk=obj.pk)


@pytest.fixture
def lives(world):  # noqa: F811
    """Dossiers in several states (events, handovers, received components, attachments,
    facts): the copies are made of the first; updates copy the last one's values."""
    done = advance(world, Status.RETURNED)
    processing = advance(world, Status.PROCESSING)
    submitted = advance(world, Status.SUBMITTED)
    processed = advance(world, Status.PROCESSED, at=T0 + dt.timedelta(days=1, hours=2))
    return done, processing, submitted, processed


@pytest.mark.parametrize("model", READ, ids=lambda m: m.__name__)
def test_load_and_select_read_what_the_orm_reads(lives, model, django_assert_num_queries):
    found = list(model._default_manager.order_by("pk"))
    assert found, model  # the world has rows of every model
    for orm in found:
        with django_assert_num_queries(1):
            got = rows.load(model, orm.pk)
        assert type(got) is model and got.pk == orm.pk
        assert _values(got) == _values(orm), (model, orm.pk)
        assert not got._state.adding
    where = f"{rows.column(model, 'pk', 't0')} >= %s"
    tail = f"ORDER BY {rows.column(model, 'pk', 't0')}"
    selected = rows.select(model, where, [found[0].pk], tail=tail)
    assert [o.pk for o in selected] == [o.pk for o in found]
    assert [_values(o) for o in selected] == [_values(o) for o in found]


def test_load_matches_the_orm_with_joins(lives, django_assert_num_queries):
    for d in lives:
        orm = Dossier.objects.select_related(*LIST_RELATED).get(pk=d.pk)
        with django_assert_num_queries(1):
            got = rows.load(Dossier, d.pk, joins=LIST_RELATED)
            # The joined rows are cached on the instance, as select_related does.
            for name in LIST_RELATED:
                joined, expected = getattr(got, name), getattr(orm, name)
                assert (joined is None) == (expected is None), name
                if expected is not None:
                    assert _values(joined) == _values(expected), name
        assert _values(got) == _values(orm)


def test_load_by_a_unique_field_and_absent_rows(lives):
    d = lives[0]
    assert rows.load(Dossier, d.code, by="code").pk == d.pk
    assert rows.load(Dossier, "no-such-code", by="code") is None
    assert rows.load(Dossier, 10**30) is None  # out of range, as the ORM answers
    assert rows.load(Dossier, "a\x00b", by="code") is None
    agency = Agency.objects.first()
    assert rows.load(Agency, agency.code, by="code").pk == agency.pk


def test_nullable_join_gives_none(lives):
    submitted = lives[2]
    got = rows.load(Dossier, submitted.pk, joins=("current_step",))
    assert got.current_step is None


def _copies(model: type[models.Model], lives) -> tuple[models.Model, models.Model, dict]:
    """Two unsaved copies of one existing row (made different where the row is unique)."""
    done = lives[0]
    if model is Dossier:
        orig = Dossier.objects.get(pk=done.pk)
    elif model is DossierFact:
        orig = DossierFact.objects.get(dossier_id=done.pk)
    else:
        orig = model._default_manager.filter(dossier_id=done.pk).order_by("pk").last()
    a, b = copy.copy(orig), copy.copy(orig)
    for c in (a, b):
        c._state = copy.copy(orig._state)
        c._state.adding = True
        c._state.fields_cache = {}
        if model is not DossierFact:
            c.pk = None
    if model is Dossier:
        a.code, b.code = f"{orig.code}-R", f"{orig.code}-O"
    elif model is DossierEvent:
        top = DossierEvent.objects.filter(dossier=done).aggregate(m=models.Max("seq"))["m"]
        a.seq, b.seq = top + 1, top + 2
    elif model is Handover:
        end = orig.started_at + dt.timedelta(hours=1)
        a.finished_at, b.finished_at = end, end
    elif model is DossierFact:
        # The two other dossiers lose their facts, then get copies of the first one's.
        DossierFact.objects.filter(dossier__in=lives[1:3]).delete()
        a.dossier_id, b.dossier_id = lives[1].pk, lives[2].pk
    return a, b, _values(orig, WRITE[model])


@pytest.mark.parametrize("model", list(WRITE), ids=lambda m: m.__name__)
def test_save_new_writes_what_the_orm_writes(lives, model, django_assert_num_queries):
    a, b, expected = _copies(model, lives)
    started = timezone.now()
    with django_assert_num_queries(1):
        rows.save_new(a)
    assert a.pk is not None and not a._state.adding
    models.Model.save(b, force_insert=True)  # the ORM's own save, no model overrides
    assert a.pk != b.pk
    read_a, read_b = _orm(a), _orm(b)
    skip = WRITE[model] | _auto(model)
    kept = {k: v for k, v in expected.items() if k not in skip}
    assert _values(read_a, skip) == _values(read_b, skip) == kept
    for name in _auto(model):  # stamped by the save, as the ORM stamps them
        assert getattr(read_a, name) >= started and getattr(read_b, name) >= started
    # What rows reads back of its own row is what the ORM reads.
    assert _values(rows.load(model, a.pk)) == _values(read_a)


@pytest.mark.parametrize("model", list(WRITE), ids=lambda m: m.__name__)
def test_insert_of_field_values_writes_what_the_orm_writes(lives, model):
    a, b, expected = _copies(model, lives)
    values = {
        f.name: getattr(a, f.attname)
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.auto_created)
    }
    pk = rows.insert(model, values)
    models.Model.save(b, force_insert=True)
    inserted = model._default_manager.get(pk=pk)
    # insert writes the values it is given, auto_now fields included (no defaults).
    assert {f: getattr(inserted, f) for f in _auto(model)} == {f: values[f] for f in _auto(model)}
    skip = WRITE[model] | _auto(model)
    assert _values(inserted, skip) == _values(_orm(b), skip)
    assert _values(_orm(b), skip) == {k: v for k, v in expected.items() if k not in skip}


def _other(model: type[models.Model], lives) -> dict:
    """The values an update writes: another dossier's row of `model`, its dates and times a
    day later (so that every one of them changes and the row's checks still hold)."""
    last = lives[3]
    if model is Dossier:
        other = Dossier.objects.get(pk=last.pk)
    else:
        other = model._default_manager.filter(dossier_id=last.pk).order_by("pk").first()
    values = _values(other, WRITE[model] | {"dossier"})
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and values.get(f.attname) is not None:
            values[f.attname] += dt.timedelta(days=1)
    return values


@pytest.mark.parametrize("model", list(WRITE), ids=lambda m: m.__name__)
def test_update_changes_what_the_orm_changes(lives, model, django_assert_num_queries):
    a, b, _ = _copies(model, lives)
    models.Model.save(a, force_insert=True)
    models.Model.save(b, force_insert=True)
    # Only the fields the update may set: neither the copy's unique ones nor the dossier
    # it belongs to (a dossier has one open handover, one fact).
    skip = WRITE[model] | {"dossier"}
    values = _other(model, lives)
    changed = {k for k, v in values.items() if getattr(a, k) != v}
    assert changed, model  # the update changes something (else it proves nothing)
    pk = type(a)._meta.pk.attname
    with django_assert_num_queries(1):
        assert rows.update(model, {pk: a.pk}, values) == 1
    assert model._default_manager.filter(pk=b.pk).update(**values) == 1
    assert _values(_orm(a), skip) == _values(_orm(b), skip)
    assert {k: v for k, v in _values(_orm(a), skip).items() if k in values} == values


def test_update_with_is_null_condition(lives):
    d = lives[1]
    assert rows.update(Dossier, {"id": d.pk, "code": None}, {"result_note": "x"}) == 0
    assert rows.update(Dossier, {"id": d.pk}, {"result_note": "ghi chú"}) == 1
    assert Dossier.objects.get(pk=d.pk).result_note == "ghi chú"
    # The open handover (finished_at IS NULL) of the dossier in processing, as the
    # services close a step.
    open_handover = Handover.objects.get(dossier=d, finished_at__isnull=True)
    where = {"dossier_id": d.pk, "finished_at": None}
    assert rows.update(Handover, where, {"note": "xong"}) == 1
    assert Handover.objects.get(pk=open_handover.pk).note == "xong"
    assert rows.update(Dossier, {"id": d.pk}, {}) == 0


def test_names_come_from_the_models(lives):
    """A `where` that reads another table takes its names from rows.table / rows.column:
    the settling agencies of the procedure, as the services route dossiers."""
    procedure = lives[0].procedure
    pa = ProcedureAgency
    where = (
        f"{rows.column(Agency, 'pk', 't0')} IN (SELECT {rows.column(pa, 'agency')} "
        f"FROM {rows.table(pa)} WHERE {rows.column(pa, 'procedure')} = %s "
        f"AND {rows.column(pa, 'role')} = %s)"
    )
    got = rows.select(Agency, where, [procedure.pk, "settling"])
    expected = Agency.objects.filter(
        pk__in=pa.objects.filter(procedure=procedure, role="settling").values("agency")
    )
    assert {a.pk for a in got} == {a.pk for a in expected} != set()
    assert rows.table(pa) == rows.table(pa)  # cached per backend
    assert rows.column(Component, "order", "t0").endswith(rows.column(Component, "order"))
    with pytest.raises(TypeError):
        rows.column(Dossier, "events")  # a reverse relation has no column


def test_version_on_answers_as_the_orm(lives):
    """Procedure.version_on (precompiled, names from the model) picks the version the ORM's
    query picks, before, on and after the versions' dates."""
    procedure = lives[0].procedure
    versions = list(ProcedureVersion.objects.filter(procedure=procedure))
    days = {v.effective_from + dt.timedelta(days=k) for v in versions for k in (-1, 0, 1)}
    days |= {
        v.effective_to + dt.timedelta(days=k) for v in versions if v.effective_to for k in (0, 1)
    }
    days.add(dt.date.today())
    answered = set()
    for day in sorted(days):
        expected = (
            ProcedureVersion.objects.filter(procedure=procedure, effective_from__lte=day)
            .exclude(effective_to__lt=day)
            .order_by("-effective_from", "-number")
            .first()
        )
        got = procedure.version_on(day)
        assert (got and got.pk) == (expected and expected.pk), day
        answered.add(got is None)
    assert answered == {True, False}  # days with and without a version in force
