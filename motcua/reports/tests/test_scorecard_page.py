"""Issue 14 on the leaders' dashboard: every Decision 766 indicator with its group's maximum,
the reason instead of a zero where an indicator cannot be computed, and the drill-down page
from each figure to its dossiers or procedures (same rows as the figure; access checked)."""

import datetime as dt

import pytest
from django.test import Client

from motcua.api.auth import token_create
from motcua.dossiers.tests.conftest import T0, advance
from motcua.indicators import providers
from motcua.indicators.selectors import indicators_compute
from motcua.indicators.tests.helpers import AFTER, MARCH
from motcua.org.tests.otp import otp_login

from .test_pages import province_monitor

pytestmark = pytest.mark.django_db

Q = "from=2026-03-01&to=2026-03-31"


def _client(user=None):
    c = Client()
    if user is not None:
        otp_login(c, user)
    return c


@pytest.fixture
def march(world):
    world.dossiers = [
        advance(world, 4, at=T0),  # received, processing (side A)
        advance(world, 10, at=T0 + dt.timedelta(days=1)),  # returned with a result
    ]
    return world


def test_dashboard_shows_every_indicator_and_the_reasons(march):
    with providers.override("1.4", None), providers.override("5.2", None):
        r = _client(province_monitor(march)).get(f"/bao-cao/?{Q}")
    assert r.status_code == 200
    html = r.content.decode()
    ids = [row["figure"].id for row in r.context["rows"]]
    assert ids[:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"] and len(ids) == 24
    assert "chưa có dữ liệu" in html
    assert "không tính được trong hệ thống này: hệ thống không cung cấp dịch vụ chứng thực" in html
    assert "— / 6" in html  # 1.4's maximum, no points
    assert "(tối đa 100)" in html and "(tối đa 18)" in html
    # Each computable figure links to its rows.
    assert f'href="/bao-cao/chi-so/4.5b/?part=denominator&amp;{Q.replace("&", "&amp;")}"' in html
    assert 'href="/bao-cao/chi-so/1.4/' not in html


def test_the_drill_page_lists_the_rows_of_the_figure(march):
    monitor = province_monitor(march)
    card = indicators_compute(**MARCH)
    c = _client(monitor)
    for ind, part in [("4.5b", "denominator"), ("4.2", "denominator"), ("1.3", "denominator")]:
        r = c.get(f"/bao-cao/chi-so/{ind}/?part={part}&{Q}")
        assert r.status_code == 200, ind
        f = card.figure(ind)
        assert r.context["total"] == f.denominator == len(r.context["rows"]), ind
    r = c.get(f"/bao-cao/chi-so/4.5b/?part=denominator&{Q}")
    assert {d.pk for d in r.context["rows"]} == {d.pk for d in march.dossiers}
    assert r.context["kind"] == "dossier"
    assert c.get(f"/bao-cao/chi-so/1.3/?part=numerator&{Q}").context["kind"] == "procedure"


def test_the_drill_page_of_a_not_computable_indicator_says_why(march):
    with providers.override("1.4", None):
        r = _client(march.admin).get(f"/bao-cao/chi-so/1.4/?{Q}")
    assert r.status_code == 400
    assert "Chỉ số 1.4: chưa có dữ liệu." in r.content.decode()
    assert _client(march.admin).get(f"/bao-cao/chi-so/9.9/?{Q}").status_code == 404


def test_the_drill_page_access_matrix(march):
    url = f"/bao-cao/chi-so/4.5b/?part=denominator&{Q}"
    assert _client().get(url).status_code == 302  # to the login page
    assert _client(march.citizen).get(url).status_code == 403
    assert _client(march.a.staff["s:specialist"]).get(url).status_code == 403
    # A leader of side B sees B's scope (no dossiers) and may not ask for A's agency.
    leader_b = march.b.staff["s:leader"]
    r = _client(leader_b).get(url)
    assert (r.status_code, r.context["agency"], r.context["total"]) == (200, march.b.settling, 0)
    assert _client(leader_b).get(url + f"&agency={march.a.settling.code}").status_code == 403
    # A leader of side A sees A's two dossiers.
    r = _client(march.a.staff["s:leader"]).get(url)
    assert (r.status_code, r.context["total"]) == (200, 2)


def _api(path, user=None, **params):
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {token_create(user=user)[1]}"
    return Client().get("/api/indicators" + path, params, headers=headers)


def test_the_api_shows_provided_indicators_and_their_rows(march):
    body = _api("", **{"from": "2026-03-01", "to": "2026-03-31"}).json()
    by_id = {i["id"]: i for i in body["indicators"]}
    assert (by_id["4.5b"]["numerator"], by_id["4.5b"]["denominator"]) == (0, 2)
    assert by_id["4.2b"]["computable"] is False and by_id["4.2b"]["numerator"] is None
    assert body["total"]["max_points"] == 100
    monitor = province_monitor(march)
    r = _api("/4.5b/dossiers", monitor, part="denominator", period="2026-03")
    assert (r.status_code, r.json()["count"]) == (200, 2)
    r = _api("/1.3/dossiers", monitor, part="denominator", period="2026-03")
    assert r.status_code == 200
    assert [i["code"] for i in r.json()["items"]] == [march.procedure.code]
    r = _api("/4.2b/dossiers", monitor, period="2026-03")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "not_computable")
    assert _api("/4.5b/dossiers", march.citizen, period="2026-03").status_code == 403
    # The figure and the list agree (AFTER: as the dashboard judges).
    card = indicators_compute(**MARCH, as_of=AFTER)
    assert card.figure("4.5b").denominator == 2
