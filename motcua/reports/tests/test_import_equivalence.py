"""An imported dossier counts in the indicators and in Biểu 06 exactly as the same life
lived through the services."""

import datetime as dt

from django.forms.models import model_to_dict

from motcua.dossiers import services as s
from motcua.dossiers.tests.factories import PDF, vn
from motcua.indicators.models import DossierFact
from motcua.indicators.selectors import indicators_compute
from motcua.reports.bieu06 import bieu06

from .helpers import load


def native(world):
    st = world.a.staff
    d = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        files={world.components[0].pk: [("to-khai.pdf", PDF)]},
        at=vn(2026, 3, 4, 9, 0),
    )
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 4, 9, 10))
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 4, 9, 20))
    d = s.dossier_request_supplement(
        dossier_id=d.pk,
        actor=st["s:specialist"],
        reason="Thiếu giấy chứng sinh",
        missing_components=[world.components[1].pk],
        at=vn(2026, 3, 5, 9, 0),
    )
    d = s.dossier_supplement(
        dossier_id=d.pk,
        actor=world.citizen,
        files={world.components[1].pk: [("chung-sinh.pdf", PDF)]},
        at=vn(2026, 3, 6, 9, 0),
    )
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=vn(2026, 3, 6, 10, 0))
    d = s.dossier_approve(
        dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=vn(2026, 3, 6, 11, 0)
    )
    d = s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 9, 8, 0))
    return s.dossier_rate(dossier_id=d.pk, actor=world.citizen, rating=1, at=vn(2026, 3, 9, 9))


def imported(world, original_due: dt.datetime):
    iso = lambda *a: vn(*a).isoformat()  # noqa: E731
    load(
        [
            {
                "code": "000.B.01.H24-260304-0001",
                "receiving_agency_code": world.b.center.code,
                "settling_agency_code": world.b.settling.code,
                "channel": 2,
                "submitted_at": iso(2026, 3, 4, 9, 0),
                "received_at": iso(2026, 3, 4, 9, 10),
                "due_at": original_due.isoformat(),
                "supplement_requested_at": iso(2026, 3, 5, 9, 0),
                "supplement_completed_at": iso(2026, 3, 6, 9, 0),
                "finished_at": iso(2026, 3, 6, 11, 0),
                "returned_at": iso(2026, 3, 9, 8, 0),
                "status": 10,
                "fee_vnd": 8000,
                "digitized": 1,
                "rating": 1,
            }
        ],
    )


FACT_IGNORE = {"dossier", "receiving_agency", "settling_agency"}


def test_imported_counts_like_native(world):
    n = native(world)
    # The CSV holds the appointment of the receipt, without the pauses (import-format.md).
    receipt = n.events.get(action="receive").data["due_at"]
    imported(world, dt.datetime.fromisoformat(receipt))
    # load() skips the refresh; the command path calls it: do the same here.
    from motcua.reports.importer import refresh_indicators

    i = type(n).objects.get(code="000.B.01.H24-260304-0001")
    refresh_indicators([i.pk])
    for field in ("status", "received_at", "due_at", "original_due_at", "finished_at",
                  "returned_at", "paused_seconds", "supplement_count", "fee_due_vnd",
                  "digitized", "electronic_result", "rating", "channel"):  # fmt: skip
        assert getattr(i, field) == getattr(n, field), field
    fact_n = model_to_dict(DossierFact.objects.get(dossier_id=n.pk), exclude=FACT_IGNORE)
    fact_i = model_to_dict(DossierFact.objects.get(dossier_id=i.pk), exclude=FACT_IGNORE)
    assert fact_i == fact_n
    assert fact_n["received"] and fact_n["ended"] and fact_n["on_time"]
    period = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
    card_a = indicators_compute(**period, agency=world.a.settling).as_dict()
    card_b = indicators_compute(**period, agency=world.b.settling).as_dict()
    assert card_a["indicators"] == card_b["indicators"]
    assert card_a["groups"] == card_b["groups"]
    assert (
        bieu06(**period, agency=world.a.settling).total.values
        == bieu06(**period, agency=world.b.settling).total.values
    )


def test_import_refreshes_facts(world):
    from motcua.reports.importer import import_dossiers

    from .test_importer import EXAMPLE

    result = import_dossiers(EXAMPLE)
    facts = DossierFact.objects.filter(dossier_id__in=result.dossier_ids)
    assert facts.count() == 7
    assert facts.filter(received=True).count() == 5


def test_large_import_rebuilds_with_the_same_facts(world, monkeypatch):
    from motcua.indicators.services import facts_refresh
    from motcua.reports import importer

    from .test_importer import EXAMPLE

    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 1)
    result = importer.import_dossiers(EXAMPLE)
    assert result.imported == 7
    assert DossierFact.objects.count() == 7
    # The per-dossier refresh finds nothing to change after the rebuild.
    assert facts_refresh(result.dossier_ids) == 0
    monkeypatch.setattr(importer, "REBUILD_MIN_ROWS", 10_000)
    assert importer.refresh_indicators(result.dossier_ids) == "refresh"
    # A live receipt the same day continues after the imported codes.
    assert native(world).code == "000.A.01.H24-260304-0004"
