"""One verdict everywhere: a dossier for every status × timing case, and every screen and
report — the inbox filter (selector, page and API), the dossier page and API signal, the
leaders' overdue list (selector and page), Biểu 06 and indicator 2.1 (counters, full scan,
drill-down) — gives each the verdict of motcua.dossiers.deadlines (docs/rules.md "Verdict").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api.auth import token_create
from motcua.dossiers import deadlines, selectors
from motcua.dossiers.enums import OPEN
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import make_world, vn
from motcua.dossiers.tests.lives import play, processed
from motcua.indicators.selectors import (
    indicator_dossiers,
    indicators_compute,
    indicators_full_recompute,
)
from motcua.org.tests.otp import otp_login
from motcua.reports import selectors as report_selectors
from motcua.reports.bieu06 import bieu06

# Judged at the end of March: Wednesday 01/04/2026 00:00, the end of Biểu 06's period.
NOW = vn(2026, 4, 1, 0, 0)
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
# The world's procedure takes 3 working days: received 04/03 09:10 ⇒ due 09/03 09:10.
R = vn(2026, 3, 4, 9, 10)


def received(at=R, *more):
    return [("submit", at - dt.timedelta(minutes=10)), ("receive", at), *more]


def working(at=R, *more):
    return received(at, ("forward", at + dt.timedelta(minutes=5)), *more)


def day(d, h=9, m=0):
    return vn(2026, 3, d, h, m)


# name -> (payment pauses the clock?, script, verdict when judged against the first
# appointment (default), verdict when judged against the new one)
OV, SO, IT, PA = deadlines.OVERDUE, deadlines.SOON, deadlines.IN_TIME, deadlines.PAUSED
E, T, L = deadlines.EARLY, deadlines.ON_TIME, deadlines.LATE
CASES = {
    # 1 submitted, 3 refused, 8 withdrawn before receipt: no verdict.
    "1 submitted": (None, [("submit", day(30))], None, None),
    "3 refused": (None, [("submit", day(4)), ("refuse", day(4, 10))], None, None),
    "8 before receipt": (
        None,
        [("submit", day(4)), ("withdraw", day(5)), ("stop", day(5, 10))],
        None,
        None,
    ),
    # 2 received.
    "2 in time": (None, received(day(31)), IT, IT),
    "2 due soon": (None, received(vn(2026, 3, 27, 10, 0)), SO, SO),
    "2 past due": (None, received(), OV, OV),
    # 4 processing.
    "4 past due": (None, working(), OV, OV),
    "4 supplemented, in time": (
        None,
        working(R, ("ask", day(5)), ("supplement", day(31))),
        IT,
        IT,
    ),
    "4 re-appointed, past the first date": (
        None,
        working(R, ("apologize", day(5), vn(2026, 4, 10, 9, 0))),
        OV,
        IT,
    ),
    "4 re-appointed, before the first date": (
        None,
        working(day(30), ("apologize", day(30, 10), vn(2026, 4, 10, 9, 0))),
        IT,
        IT,
    ),
    "4 paid, pause ended": (
        True,
        working(R, ("pay_request", day(5)), ("pay", day(31))),
        IT,
        IT,
    ),
    # 5 waiting for the supplement.
    "5 paused before due": (None, working(R, ("ask", day(5))), PA, PA),
    "5 paused after due": (None, working(R, ("ask", day(20))), OV, OV),
    # 6 financial obligation: pauses (land) or not.
    "6 pausing, before due": (True, working(R, ("pay_request", day(5))), PA, PA),
    "6 pausing, after due": (True, working(R, ("pay_request", day(20))), OV, OV),
    "6 not pausing, past due": (False, working(R, ("pay_request", day(5))), OV, OV),
    "6 not pausing, in time": (False, working(day(31), ("pay_request", day(31, 10))), IT, IT),
    # 7 withdrawal requested.
    "7 from processing, past due": (None, working(R, ("withdraw", day(20))), OV, OV),
    "7 while paused before due": (
        None,
        working(R, ("ask", day(5)), ("withdraw", day(6))),
        PA,
        PA,
    ),
    # 8 stopped.
    "8 stopped early": (None, working(R, ("withdraw", day(4, 14)), ("stop", day(4, 15))), E, E),
    "8 stopped late": (None, working(R, ("withdraw", day(20)), ("stop", day(20, 10))), L, L),
    "8 stopped while paused": (
        None,
        working(R, ("ask", day(5)), ("withdraw", day(6)), ("stop", day(25))),
        E,
        E,
    ),
    # 9 result ready.
    "9 early": (None, processed(R, day(5)), E, E),
    "9 on time": (None, processed(R, day(9, 8)), T, T),
    "9 late": (None, processed(R, day(12)), L, L),
    "9 two supplement requests": (
        None,
        working(
            R,
            ("ask", day(4, 14)),
            ("supplement", day(4, 15)),
            ("ask", day(4, 16)),
            ("supplement", day(5)),
            ("forward", day(5, 10)),
            ("approve", day(5, 11)),
        ),
        L,
        L,
    ),
    # 10 returned.
    "10 early": (None, [*processed(R, day(5)), ("return", day(5, 14))], E, E),
    "10 re-appointed, done after the first date": (
        None,
        working(
            R,
            ("apologize", day(5), day(20)),
            ("forward", day(12, 8)),
            ("approve", day(12)),
            ("return", day(12, 14)),
        ),
        L,
        E,
    ),
}


@pytest.fixture
def world(db, settings):
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2  # to build the two-request case
    return make_world()


def build(world) -> dict[str, Dossier]:
    out = {}
    for name, (pays_pause, script, *_v) in CASES.items():
        world.version.payment_pauses_clock = pays_pause
        world.version.save(update_fields=["payment_pauses_clock"])
        out[name] = play(world, script)
    return out


def api_get(client, user, path, **params):
    token = token_create(user=user)[1]
    r = client.get(path, params, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.content
    return r.json()


@pytest.mark.parametrize("against", ["original", "new"])
def test_every_screen_and_report_gives_the_same_verdict(world, settings, monkeypatch, against):
    settings.MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = against
    column = 2 if against == "original" else 3
    dossiers = build(world)
    expected = {name: CASES[name][column] for name in CASES}
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    by_id = {d.pk: name for name, d in dossiers.items()}

    def names(ids) -> set[str]:
        return {by_id[i] for i in ids if i in by_id}

    def having(*verdicts) -> set[str]:
        return {n for n, v in expected.items() if v in verdicts}

    # The function itself, case by case (so the cases are what their names say).
    assert {n: deadlines.verdict(d, NOW) for n, d in dossiers.items()} == expected
    # Every open verdict and every settled one is represented.
    assert set(expected.values()) == {None, *deadlines.OPEN_VERDICTS, E, T, L}

    # The dossier page signal and the API (detail and inbox).
    admin = world.admin
    assert {n: selectors.due_signal(d, NOW) for n, d in dossiers.items()} == expected
    client = Client()
    for name, d in dossiers.items():
        body = api_get(client, admin, f"/api/dossiers/{d.pk}")
        assert body["due_signal"] == expected[name], name
    otp_login(client, admin)
    for name, d in dossiers.items():
        html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
        shown = re.findall(r'class="badge badge-(\w+)" id="signal"', html)
        # The page shows the signal on dossiers not closed yet (statuses 2, 4–7, 9).
        assert shown == ([expected[name]] if d.status in OPEN else []), name

    # The inbox filter: selector, page and API.
    for value, verdict in selectors.DUE_FILTERS.items():
        ids = selectors.inbox(user=admin, due=value, now=NOW).values_list("pk", flat=True)
        assert names(ids) == having(verdict), value
        page = client.get("/can-bo/", {"due": value}).content.decode()
        shown = re.findall(r'<td class="code"><a href="/can-bo/ho-so/(\d+)/">', page)
        assert names(int(i) for i in shown) == having(verdict), value
        body = api_get(client, admin, "/api/dossiers/inbox", due=value, limit=100)
        assert names(item["id"] for item in body["items"]) == having(verdict), value
    # The query and the function agree row by row, for every open verdict.
    for verdict in deadlines.OPEN_VERDICTS:
        ids = Dossier.objects.filter(deadlines.verdict_q(verdict, NOW)).values_list("pk")
        assert names(i for (i,) in ids) == having(verdict), verdict

    # The leaders' overdue list: selector and dashboard page.
    rows, total = report_selectors.overdue(admin, None, now=NOW)
    assert names(r["dossier"].pk for r in rows) == having(OV)
    assert total == len(having(OV))
    page = client.get("/bao-cao/", MARCH_QUERY).content.decode()
    listed = re.findall(r'<th scope="row"><a href="/can-bo/ho-so/(\d+)/">', page)
    assert names(int(i) for i in listed) == having(OV)

    # Biểu 06 over March (its end is NOW): every received dossier, each in its column.
    counts = Counter(v for v in expected.values() if v is not None)
    total_row = bieu06(**MARCH).total.values
    assert {
        "early": total_row["early"],
        "on_time": total_row["on_time"],
        "late": total_row["late"],
        "pending_in_time": total_row["pending_in_time"],
        "pending_overdue": total_row["pending_overdue"],
    } == {
        "early": counts[E],
        "on_time": counts[T],
        "late": counts[L],
        "pending_in_time": counts[IT] + counts[SO] + counts[PA],
        "pending_overdue": counts[OV],
    }

    # Indicator 2.1 (and 5.4's base): counters, full scan and the drill-down agree.
    good = having(IT, SO, PA, E, T)
    judged = having(IT, SO, PA, E, T, OV, L)
    for compute in (indicators_compute, indicators_full_recompute):
        figure = compute(**MARCH, as_of=NOW).figure("2.1")
        assert (figure.numerator, figure.denominator) == (len(good), len(judged))
    numerator = indicator_dossiers("2.1", "numerator", **MARCH, as_of=NOW)
    denominator = indicator_dossiers("2.1", "denominator", **MARCH, as_of=NOW)
    assert names(numerator.values_list("pk", flat=True)) == good
    assert names(denominator.values_list("pk", flat=True)) == judged


MARCH_QUERY = {"from": "2026-03-01", "to": "2026-03-31"}
