import datetime as dt

from motcua.dossiers.tests.conftest import advance
from motcua.indicators.selectors import indicators_compute
from motcua.reports import selectors
from motcua.reports.importer import import_dossiers

from .test_importer import EXAMPLE


def test_monthly_cards_equal_indicators_compute(world):
    import_dossiers(EXAMPLE)
    advance(world, 10)
    advance(world, 4)
    advance(world, 5)  # waiting for a supplement
    agencies = selectors.agencies_with_dossiers()
    assert {a.code for a in agencies} == {"000.A.01.H24", "000.A.02.H24"}
    months = [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    cards = selectors.monthly_cards([*agencies, None], months)
    compared = 0
    for agency in [*agencies, None]:
        for m in months:
            expected = indicators_compute(
                date_from=m, date_to=selectors.month_end(m), agency=agency
            ).figures
            key = (None if agency is None else agency.pk, m)
            assert [f.as_dict() for f in cards[key]] == [f.as_dict() for f in expected], key
            compared += 1
    assert compared == 9
    march = {f.id: f for f in cards[(agencies[1].pk, months[1])]}
    assert march["4.2"].denominator == 8  # 5 imported + 3 native received in March


def test_vn_numbers():
    from motcua.reports.charts import vn_decimal

    assert vn_decimal(1234567) == "1.234.567"
    assert vn_decimal(__import__("decimal").Decimal("98.5")) == "98,50"
    assert vn_decimal(__import__("decimal").Decimal("1234.5")) == "1.234,50"
    assert vn_decimal(None) == "N/A"
