"""Concurrency on PostgreSQL: real connections, real row locks (skipped on SQLite)."""

import re
import threading

import pytest
from django.db import connection, connections

from motcua.core.errors import Conflict, DomainError, IllegalTransition
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import T0, advance, submit
from .factories import make_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_at_once(fns):
    """Start every function at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_many_clients_submitting_at_once_get_distinct_codes():
    """Codes are given at submission: concurrent submissions never share a number."""
    w = make_world()
    results = run_at_once([(lambda: submit(w, at=T0)) for _ in range(24)])
    assert all(isinstance(r, Dossier) for r in results), results
    codes = sorted(r.code for r in results)
    assert codes == [f"000.A.01.H24-260304-{n:04d}" for n in range(1, 25)]
    assert all(re.fullmatch(r"000\.A\.01\.H24-\d{6}-\d{4}", c) for c in codes)


def test_many_clients_receiving_at_once_get_distinct_receipt_numbers():
    w = make_world()
    dossiers = [submit(w, at=T0) for _ in range(24)]
    counters = [w.a.staff["c:counter"]] * len(dossiers)
    results = run_at_once(
        [
            (lambda d=d, u=u: s.dossier_receive(dossier_id=d.pk, actor=u, at=T0))
            for d, u in zip(dossiers, counters, strict=True)
        ]
    )
    assert all(isinstance(r, Dossier) for r in results), results
    # Receipt keeps the code given at submission.
    assert sorted(r.code for r in results) == sorted(d.code for d in dossiers)
    # The receipts' numbers in the agency's book of the year: distinct, without gaps.
    numbers = sorted(
        DossierEvent.objects.filter(action="receive").values_list("data__number", flat=True)
    )
    assert numbers == list(range(1, 25))


def test_two_officers_receiving_one_dossier_exactly_one_wins():
    w = make_world()
    d = submit(w)
    results = run_at_once(
        [
            lambda: s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"]),
            lambda: s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"]),
        ]
    )
    ok = [r for r in results if isinstance(r, Dossier)]
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], IllegalTransition) and errors[0].status == 409
    events = list(
        DossierEvent.objects.filter(dossier=d).order_by("seq").values_list("seq", "action")
    )
    assert events == [(1, "submit"), (2, "receive")]
    assert Dossier.objects.get(pk=d.pk).version == 2


def test_two_officers_forwarding_with_the_version_they_saw_one_gets_a_conflict():
    w = make_world()
    d = advance(w, Status.PROCESSING)
    seen = d.version
    from django.contrib.auth import get_user_model

    from motcua.org.models import StaffRole

    second = get_user_model().objects.create_user("A-s-specialist-2", password="x")
    StaffRole.objects.create(user=second, agency=w.a.settling, role="specialist")
    results = run_at_once(
        [
            lambda: s.dossier_forward(
                dossier_id=d.pk, actor=w.a.staff["s:specialist"], expected_version=seen
            ),
            lambda: s.dossier_forward(dossier_id=d.pk, actor=second, expected_version=seen),
        ]
    )
    ok = [r for r in results if isinstance(r, Dossier)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(ok) == 1 and len(conflicts) == 1, results
    assert conflicts[0].code == "stale_version" and conflicts[0].status == 409
    d.refresh_from_db()
    seqs = list(
        DossierEvent.objects.filter(dossier=d).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, d.version + 1))
    assert DossierEvent.objects.filter(dossier=d, action="forward").count() == 2  # 2->4, then 4->4
    assert d.current_step.order == 3


def test_concurrent_retries_with_one_idempotency_key_make_one_dossier():
    w = make_world()
    from .factories import PDF

    def attempt():
        return s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={w.components[0].pk: [("to-khai.pdf", PDF)]},
            idempotency_key="retry-1",
            at=T0,
        )

    results = run_at_once([attempt for _ in range(8)])
    assert all(isinstance(r, Dossier) for r in results), results
    assert {r.pk for r in results} == {Dossier.objects.get().pk}
    assert sum(1 for r in results if not getattr(r, "_replayed", False)) == 1
