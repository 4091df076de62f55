"""Indicators count each member dossier where it belongs: in its own settling agency."""

import datetime as dt

from motcua.indicators.selectors import indicators_compute
from motcua.linked.services import chain_parts, linked_application_submit

from .factories import DATA, T0, files_for, settle

MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


def test_each_member_counts_in_its_own_agency(lw, django_capture_on_commit_callbacks):
    app = linked_application_submit(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=DATA,
        files=files_for(chain_parts(lw.linked, T0.date())),
        at=T0,
    )
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            settle(lw, app.members.get(order=i + 1).dossier, T0 + dt.timedelta(days=i))
    as_of = T0 + dt.timedelta(days=5)

    def ended(agency):
        return indicators_compute(**MARCH, agency=agency, as_of=as_of).figure("2.1").denominator

    # Each settling agency: its own member only; the receiving center: all three.
    assert [ended(a) for a in (lw.w.a.settling, lw.police_a, lw.insurance)] == [1, 1, 1]
    assert ended(lw.w.a.center) == 3
    assert [ended(a) for a in (lw.w.b.settling, lw.police_b)] == [0, 0]
    by_procedure = [
        indicators_compute(**MARCH, procedure=code, as_of=as_of).figure("2.1").denominator
        for code in ("1.001193", "1.004222", "LT.BHYT6", "2.000986")
    ]
    assert by_procedure == [1, 1, 1, 0]
