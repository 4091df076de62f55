"""How many SQL statements each service issues: the hot path of the lifecycle stays as lean
as docs/adr/0003 made it. The figures were taken before services.py became a package (issue
9) and must not grow; a change that adds a query to a transition fails here and says which."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.rules import steps_cache_clear
from motcua.workcalendar.selectors import calendar_cache_clear

from .conftest import T0, submit
from .factories import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20

# Statements per call, hooks (indicators, documents) included, with warm caches.
# Issue 10: submit and supplement store an applicant's files, so they read that account's
# volume today and the dossier's (one SUM each, services._files._check_volume).
# Issue 11: submission and intake compute the amount due once (catalog.fees.quote: the
# version's fee items, the policies in force) — +2 at submit, +1 at intake (the offer has
# the items' version) — and receipt no longer sums the fee items (−1).
# Issue 14: the national portal's sync writes one outbox INSERT per synced event (creation,
# every status change, a new appointment, an electronic result): +1 on each of those, +2
# at intake (its creation and its receipt or refusal are two events); a forward within
# processing (4 → 4) and a rating send nothing.
# Issue 14, notifications (docs/adr/0020): an event the applicant is told about (receive,
# request_supplement, request_payment, approve, apologize) reads the account's addresses and
# choice (one joined SELECT) and the event's templates (one), writes the log (one INSERT for
# both messages) and one outbox INSERT per channel (e-mail and SMS by default): +5; an
# action that sets or moves the appointment (receive, an intake's too; supplement,
# confirm_payment, apologize) keeps its early-warning row (one INSERT … ON CONFLICT DO
# NOTHING): +1.
# Issue 12: an intake with files queues the OCR of the scans handed in (scan_handed_in,
# dossiers.hooks.handed_in): +7 (scan_handed_in's savepoint, the dossier's lock, its reads
# of the files handed in and of the scans already made, the scan and its event).
EXPECTED = {
    "submit": 17,
    "receive": 18,
    "forward": 8,
    "request_supplement": 15,
    "supplement": 16,
    "request_payment": 11,
    # The counter payment is kept as a Payment too, with its receipt (motcua.payments): the
    # dossier with its agency (the fee lines come from its fee assessment), the series' row
    # lock and update, the receipt, its log. Issue 11: the series is counted on by one
    # upsert (−1).
    "confirm_payment": 14,
    "forward_2": 7,
    "apologize": 14,
    "approve": 15,
    # An unsigned file (the signing check reads the procedure version, one statement): kept,
    # but not an electronic result, so no indicator fact changes.
    "attach_result": 8,
    "return_result": 7,
    "rate": 6,
    "intake": 31,
    "intake_refused": 15,
    "refuse": 7,
    "request_withdrawal": 6,
    "stop": 10,
}


def _count(counts: dict[str, int], name: str, call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    counts[name] = len(ctx.captured_queries)
    return result


def _lives(w, t: dt.datetime) -> dict[str, int]:
    """Every service once, on fresh dossiers; the statements of each call."""
    st = w.a.staff
    counts: dict[str, int] = {}
    d = _count(counts, "submit", lambda: submit(w, t))
    d = _count(
        counts, "receive", lambda: s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=t)
    )
    d = _count(
        counts, "forward", lambda: s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=t)
    )
    d = _count(
        counts,
        "request_supplement",
        lambda: s.dossier_request_supplement(
            dossier_id=d.pk,
            actor=st["s:specialist"],
            reason="Thiếu giấy chứng sinh",
            missing_components=[w.components[1].pk],
            at=t,
        ),
    )
    t += dt.timedelta(hours=1)
    d = _count(
        counts,
        "supplement",
        lambda: s.dossier_supplement(
            dossier_id=d.pk,
            actor=w.citizen,
            files={w.components[1].pk: [("chung-sinh.png", PNG)]},
            at=t,
        ),
    )
    d = _count(
        counts,
        "request_payment",
        lambda: s.dossier_request_payment(
            dossier_id=d.pk, actor=st["s:specialist"], amount_vnd=8000, at=t
        ),
    )
    d = _count(
        counts,
        "confirm_payment",
        lambda: s.dossier_confirm_payment(
            dossier_id=d.pk, actor=st["c:counter"], amount_vnd=8000, receipt_number="1", at=t
        ),
    )
    t += dt.timedelta(hours=1)
    d = _count(
        counts,
        "forward_2",
        lambda: s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=t),
    )
    d = _count(
        counts,
        "apologize",
        lambda: s.dossier_apologize(
            dossier_id=d.pk,
            actor=st["s:leader"],
            reason="Chờ xác minh",
            new_due_at=d.due_at + dt.timedelta(days=2),
            at=t,
        ),
    )
    t += dt.timedelta(hours=1)
    d = _count(
        counts,
        "approve",
        lambda: s.dossier_approve(
            dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=t
        ),
    )
    d = _count(
        counts,
        "attach_result",
        lambda: s.dossier_attach_result(
            dossier_id=d.pk, actor=st["s:leader"], file=("kq.pdf", PDF), at=t
        ),
    )
    d = _count(
        counts,
        "return_result",
        lambda: s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=t),
    )
    assert d.status == Status.RETURNED
    _count(counts, "rate", lambda: s.dossier_rate(dossier_id=d.pk, actor=w.citizen, rating=1))

    intake = {
        "actor": st["c:counter"],
        "procedure": w.procedure,
        "receiving_agency": w.a.center,
        "applicant": {"name": "Trần Thị Bưu", "id_number": "027190000001"},
        "at": t,
    }
    d = _count(
        counts,
        "intake",
        lambda: s.dossier_intake(**intake, files={w.components[0].pk: [("scan.pdf", PDF)]}),
    )
    assert d.status == Status.RECEIVED
    d = _count(
        counts,
        "intake_refused",
        lambda: s.dossier_intake(**intake, refuse_reason="Không thuộc thẩm quyền"),
    )
    assert d.status == Status.REFUSED
    d = submit(w, t)
    _count(
        counts,
        "refuse",
        lambda: s.dossier_refuse(
            dossier_id=d.pk, actor=st["c:counter"], reason="Sai thẩm quyền", at=t
        ),
    )
    d = submit(w, t)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=t)
    d = _count(
        counts,
        "request_withdrawal",
        lambda: s.dossier_request_withdrawal(
            dossier_id=d.pk, actor=w.citizen, reason="Không cần nữa", at=t
        ),
    )
    _count(
        counts,
        "stop",
        lambda: s.dossier_stop(dossier_id=d.pk, actor=st["c:counter"], reason="Công dân rút", at=t),
    )
    return counts


def test_statements_per_transition(world, settings):
    # The national portal's sync on (issue 14): its outbox INSERT is counted (no delivery
    # here: nothing commits in this test, so no after-commit task runs).
    settings.MOTCUA_NATIONAL_SYNC_URL = "http://127.0.0.1:9/"
    # The caches (calendar, process steps, content types) start empty and are warmed by a
    # first round, so the figures do not depend on the tests that ran before.
    calendar_cache_clear()
    steps_cache_clear()
    _lives(world, T0)
    counts = _lives(world, T0 + dt.timedelta(hours=1))
    assert counts == EXPECTED
