"""The in-transaction hook keeps facts and counters live after every service call, with a
pinned number of queries; bulk writers catch up with facts_refresh."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.indicators.models import Count, DossierFact
from motcua.indicators.selectors import indicators_compute, indicators_full_recompute
from motcua.indicators.services import facts_refresh, indicators_rebuild

from .helpers import MARCH, T0, both, nd, submit

pytestmark = pytest.mark.django_db


def _counts():
    return sorted(tuple(v for k, v in row.items() if k != "id") for row in Count.objects.values())


def _indicator_queries(fn):
    with CaptureQueriesContext(connection) as q:
        result = fn()
    return result, [x["sql"] for x in q.captured_queries if "indicators_" in x["sql"]]


def test_every_service_call_is_reflected_at_once(world):
    st = world.a.staff
    at = T0
    d = submit(world, at)
    assert nd(both(**MARCH), "4.2") == (0, 0)  # not received: counted nowhere
    steps = [
        (lambda: s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=at), 3),
        (lambda: s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=at), 1),
        (lambda: s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=at), 1),
        (lambda: s.dossier_approve(dossier_id=d.pk, actor=st["s:leader"], at=at), 3),
        (lambda: s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=at), 1),
        (lambda: s.dossier_rate(dossier_id=d.pk, actor=world.citizen, rating=-1, at=at), 3),
    ]
    seen = []
    for i, (call, queries) in enumerate(steps):
        at += dt.timedelta(minutes=30)
        _, sql = _indicator_queries(call)
        # read the fact; when it changed: one upsert of the counters and one fact update
        assert len(sql) == queries, (i, sql)
        card = both(**MARCH)
        seen.append((nd(card, "4.2")[1], nd(card, "2.1"), nd(card, "5.4")))
        live = _counts()
        indicators_rebuild()
        assert _counts() == live, i
    assert seen == [
        (1, (0, 1), (0, 1)),  # received, open; judged at the end of March: overdue
        (1, (0, 1), (0, 1)),
        (1, (0, 1), (0, 1)),
        (1, (1, 1), (1, 1)),  # result ready the same day: ended on time
        (1, (1, 1), (1, 1)),
        (1, (1, 1), (0, 1)),  # disliked
    ]


def test_facts_refresh_catches_up_with_bulk_writes(world):
    d = submit(world)
    d = s.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    Dossier.objects.filter(pk=d.pk).update(reused=True)  # a bulk writer, no event
    assert nd(indicators_full_recompute(**MARCH), "4.3") == (1, 1)  # the scan sees the row,
    assert nd(indicators_compute(**MARCH), "4.3") == (0, 1)  # the counters not yet
    assert facts_refresh([d.pk, d.pk]) == 1
    assert nd(both(**MARCH), "4.3") == (1, 1)
    assert facts_refresh([d.pk]) == 0


def test_facts_refresh_of_dossiers_without_facts_equals_a_rebuild(world):
    from .helpers import Status, advance

    ids = [advance(world, status).pk for status in (Status.RETURNED, Status.PROCESSING)]
    ids.append(advance(world, Status.SUPPLEMENT_REQUESTED).pk)
    expected = _counts()
    Count.objects.all().delete()
    DossierFact.objects.all().delete()  # as after a bulk import without events
    assert facts_refresh(ids + [10**9]) == 3  # unknown ids are ignored
    assert _counts() == expected
    assert nd(both(**MARCH), "2.1") == (2, 3)
