"""The provider registry (motcua.indicators.providers): the contract other apps register
their indicators with (ADR 0022)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from motcua.indicators import providers
from motcua.indicators.providers import Count, Scope

D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def test_an_unregistered_code_says_no_data_yet_not_zero():
    with providers.override("5.3", None):
        out = providers.evaluate("5.3", D1, D2, Scope())
    assert out.count is None
    assert not out.computable
    assert not out.registered
    assert out.reason_vi == "chưa có dữ liệu"
    assert out.reason_en == "no data yet"


def test_a_provider_gets_the_period_and_scope_and_its_count_is_returned():
    seen = []

    def fn(start, end, scope):
        seen.append((start, end, scope))
        return Count(3, 4, note="ghi chú")

    scope = Scope(agency_ids=(7,), procedure_id=9)
    with providers.override("5.1", fn):
        out = providers.evaluate("5.1", D1, D2, scope)
    assert seen == [(D1, D2, scope)]
    assert out.count == Count(3, 4, note="ghi chú")
    assert out.computable and out.registered and out.reason_vi == ""


def test_none_means_not_computable_with_the_registered_note():
    with providers.override("1.4", lambda s, e, sc: None, "không có kết nối Cổng quốc gia"):
        out = providers.evaluate("1.4", D1, D2, Scope())
    assert out.count is None and out.registered
    assert out.reason_vi == "không tính được trong hệ thống này: không có kết nối Cổng quốc gia"
    assert out.reason_en == "cannot be computed in this system: không có kết nối Cổng quốc gia"


def test_override_restores_the_previous_registration():
    def first(s, e, sc):
        return Count(1, 1)

    with providers.override("5.2", first):
        with providers.override("5.2", None):
            assert providers.registration("5.2") is None
        assert providers.registration("5.2").fn is first
    assert providers.registration("5.2") is None or providers.registration("5.2").fn is not first


def test_register_decorator_and_conflicts():
    code = "6.9"
    try:

        @providers.register(code, note_unavailable="lý do")
        def mine(start, end, scope):
            return Count(0, 0)

        reg = providers.registration(code)
        assert reg.fn is mine and reg.note_unavailable == "lý do"
        assert code in providers.registered_codes()
        providers.register(code)(mine)  # the same function again: allowed (ready() twice)

        def other(start, end, scope):
            return Count(0, 0)

        with pytest.raises(ImproperlyConfigured, match="6.9"):
            providers.register(code)(other)
    finally:
        providers.unregister(code)
    assert providers.registration(code) is None


@pytest.mark.parametrize("bad", ["", "5", "x.1", "5.1.2", "7.1", 51])
def test_invalid_codes_are_refused(bad):
    with pytest.raises(ImproperlyConfigured):
        providers.register(bad)


@pytest.mark.parametrize("n,d", [(-1, 1), (2, 1), (0, -1)])
def test_count_checks_its_figures(n, d):
    with pytest.raises(ValueError, match="numerator"):
        Count(n, d)


def test_a_provider_returning_something_else_is_a_type_error():
    with providers.override("5.1", lambda s, e, sc: (1, 2)), pytest.raises(TypeError, match="5.1"):
        providers.evaluate("5.1", D1, D2, Scope())


def test_scope_filters():
    s = Scope(agency_ids=(1, 2), procedure_id=3, field_id=4)
    agencies = Q(receiving_agency_id__in=(1, 2)) | Q(settling_agency_id__in=(1, 2))
    assert s.q("procedure__") == agencies & Q(procedure_id=3) & Q(procedure__field_id=4)
    via = Q(dossier__receiving_agency_id__in=(1, 2)) | Q(dossier__settling_agency_id__in=(1, 2))
    assert s.dossier_q("dossier__") == (
        via & Q(dossier__procedure_id=3) & Q(dossier__procedure__field_id=4)
    )
    assert Scope().q() == Q() and Scope().dossier_q() == Q()


def test_a_provider_that_raises_shows_an_error_and_the_error_is_logged(caplog):
    def broken(s, e, sc):
        raise ZeroDivisionError("chia cho 0")

    with providers.override("5.2", broken), caplog.at_level("ERROR", "motcua.indicators"):
        out = providers.evaluate("5.2", D1, D2, Scope(agency_ids=(3,)))
    assert out.count is None and out.registered and out.failed and not out.computable
    assert out.reason_vi == "lỗi khi tính (đã ghi nhật ký lỗi)"
    assert out.reason_en == "error while computing (the error was logged)"
    [rec] = [r for r in caplog.records if r.name == "motcua.indicators.providers"]
    assert rec.levelname == "ERROR" and "provider 5.2" in rec.getMessage()
    assert "2026-03-01..2026-03-31" in rec.getMessage()
    assert rec.exc_info[0] is ZeroDivisionError
