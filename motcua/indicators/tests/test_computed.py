"""Issue 14, the rest of the scorecard: the indicators computed by motcua.indicators.computed
(1.1–1.3, 3.2, 4.5a/b, 4.2b), the providers other apps register (1.4, 5.1–5.3), the group
totals against the Decision's maxima, and drill-down lists equal to the figures. Each case
is built by hand; numerators, denominators and points are exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.enums import AgencyRole, Level, OnlineLevel, TimeUnit
from motcua.catalog.models import Component, Procedure, ProcedureAgency, ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import add_limits
from motcua.indicators import computed, providers
from motcua.indicators.providers import Count
from motcua.indicators.selectors import indicators_compute, provided_drill
from motcua.org.models import Applicant, ApplicantIdentity

from .helpers import AFTER, MARCH, T0, Status, advance, both, nd, submit, vn

pytestmark = pytest.mark.django_db

D = dt.date


def _procedure(w, code, *, level=Level.PROVINCE, active=True, agency=True, **version):
    p = Procedure.objects.create(
        code=code, name=f"Thủ tục {code}", field=w.procedure.field, level=level, active=active
    )
    if agency:
        ProcedureAgency.objects.create(procedure=p, agency=w.a.settling, role=AgencyRole.SETTLING)
    versions = version.pop("versions", None) or [version]
    made = []
    for n, v in enumerate(versions, start=1):
        v.setdefault("effective_from", D(2020, 1, 1))
        v.setdefault("name", p.name)
        made.append(ProcedureVersion.objects.create(procedure=p, number=n, **v))
    return p


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def _codes(qs):
    return sorted(qs.values_list("code", flat=True))


# ---------------------------------------------------------------------------- working days


def test_working_days_skip_weekends():
    # 16/03/2026 is a Monday: five working days before is Monday 09/03; after, 23/03.
    assert computed.working_days_before(D(2026, 3, 16), 5) == D(2026, 3, 9)
    assert computed.working_days_after(D(2026, 3, 16), 5) == D(2026, 3, 23)
    assert computed.working_days_after(D(2026, 3, 20), 1) == D(2026, 3, 23)  # Fri → Mon
    assert computed.published_on_time(D(2026, 3, 9), D(2026, 3, 16))
    assert not computed.published_on_time(D(2026, 3, 10), D(2026, 3, 16))
    assert computed.public_on_time(D(2026, 3, 9), D(2026, 3, 16))
    assert not computed.public_on_time(D(2026, 3, 9), D(2026, 3, 17))
    assert not computed.public_on_time(D(2026, 3, 9), None)


def test_lead_days_are_a_setting(settings):
    settings.MOTCUA_766_PUBLISH_LEAD_DAYS = 1
    assert computed.published_on_time(D(2026, 3, 13), D(2026, 3, 16))  # Fri before Mon
    settings.MOTCUA_766_PUBLIC_WITHIN_DAYS = 0
    assert not computed.public_on_time(D(2026, 3, 9), D(2026, 3, 10))


# ---------------------------------------------------------------------------- group 1


def _publications(w):
    """P1 on time for both; P2 late for both; P3 without the legal text's date and never
    made public; P4 decided in February; P5 two decisions in March, the second late for 1.1,
    both made public in time."""
    _procedure(
        w,
        "9.000001",
        publication_decision_date=D(2026, 3, 9),
        legal_basis_effective_date=D(2026, 3, 16),
        published_on=D(2026, 3, 16),
    )
    _procedure(
        w,
        "9.000002",
        publication_decision_date=D(2026, 3, 10),
        legal_basis_effective_date=D(2026, 3, 16),
        published_on=D(2026, 3, 18),  # 5 WD after 10/03 is 17/03
    )
    _procedure(w, "9.000003", publication_decision_date=D(2026, 3, 10))
    _procedure(
        w,
        "9.000004",
        publication_decision_date=D(2026, 2, 20),
        legal_basis_effective_date=D(2026, 3, 2),
        published_on=D(2026, 3, 20),
    )
    _procedure(
        w,
        "9.000005",
        agency=False,
        versions=[
            {
                "effective_from": D(2026, 4, 1),
                "effective_to": D(2026, 4, 30),
                "publication_decision_date": D(2026, 3, 2),
                "legal_basis_effective_date": D(2026, 4, 1),
                "published_on": D(2026, 3, 3),
            },
            {
                "effective_from": D(2026, 5, 1),
                "publication_decision_date": D(2026, 3, 20),
                "legal_basis_effective_date": D(2026, 3, 23),
                "published_on": D(2026, 3, 20),
            },
        ],
    )


def test_1_1_and_1_2_publication_on_time(world):
    _publications(world)
    card = both(**MARCH)
    f11, f12 = card.figure("1.1"), card.figure("1.2")
    assert (f11.numerator, f11.denominator, f11.rate, f11.points) == (
        1,
        3,
        Decimal("33.33"),
        Decimal("2.00"),
    )
    assert f11.note == (
        "1 TTHC có quyết định công bố trong kỳ nhưng thiếu ngày hiệu lực của văn bản quy "
        "định: không tính"
    )
    assert (f12.numerator, f12.denominator, f12.rate, f12.points) == (
        2,
        4,
        Decimal("50.00"),
        Decimal("2.00"),
    )
    # Drill-down: exactly the procedures counted.
    assert _codes(provided_drill("1.1", "numerator", **MARCH)) == ["9.000001"]
    assert _codes(provided_drill("1.1", "denominator", **MARCH)) == [
        "9.000001",
        "9.000002",
        "9.000005",
    ]
    assert _codes(provided_drill("1.2", "numerator", **MARCH)) == ["9.000001", "9.000005"]
    assert len(provided_drill("1.2", "denominator", **MARCH)) == f12.denominator
    # February: only P4 (decided 20/02, legal text 02/03: 5 WD before is 23/02 → on time;
    # made public 20/03 → late).
    feb = indicators_compute(date_from=D(2026, 2, 1), date_to=D(2026, 2, 28), as_of=AFTER)
    assert nd(feb, "1.1") == (1, 1) and nd(feb, "1.2") == (0, 1)
    # Scope: the agency offers P1–P4 (and the world's procedure), not P5.
    scoped = indicators_compute(**MARCH, agency=world.a.settling.code, as_of=AFTER)
    assert nd(scoped, "1.1") == (1, 2) and nd(scoped, "1.2") == (1, 3)


COMPLETE = {
    "name": "Thủ tục đầy đủ",
    "steps_text": "Bước 1: nộp hồ sơ",
    "channels": [1, 2],
    "subjects": ["Công dân Việt Nam"],
    "settling_agency_text": "UBND cấp xã",
}


def _complete_version(code, _components=True, **overrides):
    fld = Procedure.objects.first().field
    p = Procedure.objects.create(code=code, name=code, field=fld, level=Level.COMMUNE)
    v = ProcedureVersion.objects.create(
        procedure=p, number=1, effective_from=D(2020, 1, 1), **{**COMPLETE, **overrides}
    )
    if _components:
        Component.objects.create(version=v, order=1, name="Tờ khai", original_count=1)
    add_limits(v, Decimal(3), TimeUnit.WORKING_DAYS)
    return p


@pytest.mark.parametrize(
    "missing",
    [
        {"name": " "},
        {"steps_text": ""},
        {"channels": []},
        {"subjects": []},
        {"settling_agency_text": ""},
    ],
)
def test_1_3_a_missing_part_makes_a_procedure_incomplete(world, missing):
    _complete_version("8.000001")
    _complete_version("8.000002", **missing)
    card = both(**MARCH)
    # The world's procedure has no steps: incomplete. Of three, one complete.
    assert nd(card, "1.3") == (1, 3)
    assert card.figure("1.3").points == Decimal("0.67")
    assert _codes(provided_drill("1.3", "numerator", **MARCH)) == ["8.000001"]


def test_1_3_components_and_time_limit_are_parts(world):
    p = _complete_version("8.000001")
    v = p.versions.get()
    v.components.all().delete()
    assert nd(both(**MARCH), "1.3") == (0, 2)
    Component.objects.create(version=v, order=1, name="Tờ khai", original_count=1)
    assert nd(both(**MARCH), "1.3") == (1, 2)
    v.time_limits.all().delete()
    assert nd(both(**MARCH), "1.3") == (0, 2)
    # Inactive and ministry-level procedures are not counted.
    _complete_version("8.000003")
    Procedure.objects.filter(code="8.000003").update(active=False)
    assert nd(both(**MARCH), "1.3") == (0, 2)


# ---------------------------------------------------------------------------- 3.2


def test_3_2_online_services_with_dossiers(world):
    w = world
    _procedure(w, "7.000001", online_level=OnlineLevel.PARTIAL)  # online, no dossier
    _procedure(w, "7.000002", online_level=OnlineLevel.NONE)  # not an online service
    advance(w, Status.RECEIVED, at=T0)  # online (the citizen's submission), March
    advance(w, Status.RECEIVED, at=vn(2026, 4, 2, 9, 0))  # April
    card = both(**MARCH)
    f = card.figure("3.2")
    assert (f.numerator, f.denominator, f.rate, f.max_points, f.points) == (
        1,
        2,
        Decimal("50.00"),
        0,
        None,
    )
    assert _codes(provided_drill("3.2", "numerator", **MARCH)) == [w.procedure.code]
    assert _codes(provided_drill("3.2", "denominator", **MARCH)) == [
        w.procedure.code,
        "7.000001",
    ]
    feb = both(date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))
    assert nd(feb, "3.2") == (0, 2)


def test_3_2_a_dossier_submitted_but_not_received_does_not_count(world):
    submit(world, T0)
    assert nd(both(**MARCH), "3.2") == (0, 1)


# ---------------------------------------------------------------------------- 4.5


def test_4_5_vneid_authenticated_dossiers(world):
    w = world
    w.version.subjects = ["Công dân Việt Nam"]
    w.version.save(update_fields=["subjects"])
    _procedure(w, "6.000001", subjects=["Người nước ngoài"])  # for individuals, no dossier
    _procedure(w, "6.000002", subjects=["Doanh nghiệp"])  # not for individuals
    before = advance(w, Status.RECEIVED, at=T0)  # submitted before the VNeID login
    ApplicantIdentity.objects.create(
        applicant=Applicant.objects.get(user=w.citizen),
        issuer="https://sso.dancuquocgia.gov.vn",
        subject="abc",
        number="001090000001",
        verified_at=T0 + dt.timedelta(days=1),
        last_login_at=T0 + dt.timedelta(days=1),
    )
    after = advance(w, Status.RECEIVED, at=T0 + dt.timedelta(days=2))
    submit(w, T0 + dt.timedelta(days=3))  # VNeID but never received: not counted
    card = both(**MARCH)
    a, b = card.figure("4.5a"), card.figure("4.5b")
    assert (a.numerator, a.denominator, a.rate, a.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("1.00"),
    )
    assert (b.numerator, b.denominator, b.rate, b.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("1.00"),
    )
    assert _ids(provided_drill("4.5b", "numerator", **MARCH)) == {after.pk}
    assert _ids(provided_drill("4.5b", "denominator", **MARCH)) == {before.pk, after.pk}
    assert _codes(provided_drill("4.5a", "numerator", **MARCH)) == [w.procedure.code]
    assert _codes(provided_drill("4.5a", "denominator", **MARCH)) == [
        w.procedure.code,
        "6.000001",
    ]


def test_person_subjects_ignore_accents_and_case(settings):
    assert computed.for_individuals(["công dân Việt Nam"])
    assert computed.for_individuals(["CONG DAN VIET NAM"])
    assert not computed.for_individuals(["Tổ chức", "Doanh nghiệp"])
    settings.MOTCUA_766_PERSON_SUBJECTS = ["Tổ chức"]
    assert computed.for_individuals(["Tổ chức"])


# ---------------------------------------------------------------------------- not computable


def test_unregistered_and_unavailable_indicators_show_the_reason_not_a_zero(world):
    advance(world, Status.RECEIVED, at=T0)
    with (
        providers.override("1.4", None),
        providers.override("5.2", None),
        providers.override("5.3", None),
        providers.override("5.1", None),
    ):
        card = both(**MARCH)
    f14 = card.figure("1.4")
    assert (f14.computable, f14.numerator, f14.denominator, f14.rate, f14.points) == (
        False,
        None,
        None,
        None,
        None,
    )
    assert (f14.reason_vi, f14.max_points) == ("chưa có dữ liệu", 6)
    f = card.figure("4.2b")
    assert not f.computable and f.max_points == 2
    assert f.reason_vi == "không tính được trong hệ thống này: " + computed.CERTIFIED_COPIES_NOTE
    d = card.as_dict()
    row = next(i for i in d["indicators"] if i["id"] == "1.4")
    assert (row["computable"], row["numerator"], row["reason_vi"]) == (
        False,
        None,
        "chưa có dữ liệu",
    )
    assert card.sync_coefficient is None and card.sync_reason_vi == "chưa có dữ liệu"


def _groups(card):
    return {g["id"]: g for g in card.groups}


def test_group_totals_against_the_decisions_maxima(world):
    w = world
    advance(w, Status.RECEIVED, at=T0)
    with (
        providers.override("1.4", None),
        providers.override("5.1", None),
        providers.override("5.2", None),
        providers.override("5.3", None),
    ):
        card = both(**MARCH)
        g = _groups(card)
        assert {k: v["max_points"] for k, v in g.items()} == {
            "transparency": 18,
            "progress": 20,
            "online": 22,
            "digitization": 22,
            "satisfaction": 18,
        }
        assert card.total["max_points"] == 100
        # Left out of the computed maximum: 1.4 (6), 4.2b (2), 5.2 and 5.3 (6 + 6).
        assert g["transparency"]["computed_max_points"] == 12
        assert g["transparency"]["not_computable"] == ["1.4"]
        assert g["digitization"]["computed_max_points"] == 20
        assert g["digitization"]["not_computable"] == ["4.2b"]
        assert g["satisfaction"]["computed_max_points"] == 6
        assert g["satisfaction"]["not_computable"] == ["5.1", "5.2", "5.3"]
        assert g["progress"]["computed_max_points"] == 20
        assert g["online"]["computed_max_points"] == 22
        assert card.total["computed_max_points"] == 80
        # Each group's points are the sum of its members' points; the total theirs.
        for key, group in g.items():
            got = [f.points for f in card.all_figures if f.group == key and f.points is not None]
            assert group["points"] == (str(sum(got, Decimal("0.00"))) if got else None)
        total = sum((Decimal(x["points"]) for x in g.values() if x["points"]), Decimal("0.00"))
        assert card.total["points"] == str(total)

    # A feedback provider registered: its points and maximum come in.
    def on_time(start, end, scope):
        return Count(3, 4, note="phản ánh")

    with providers.override("5.2", on_time), providers.override("5.3", None):
        card = both(**MARCH)
    f = card.figure("5.2")
    assert (f.numerator, f.denominator, f.rate, f.points, f.note) == (
        3,
        4,
        Decimal("75.00"),
        Decimal("4.50"),
        "phản ánh",
    )
    assert _groups(card)["satisfaction"]["computed_max_points"] == 12


def test_the_sync_provider_gives_3_3_its_coefficient(world):
    advance(world, Status.RECEIVED, at=T0)
    with providers.override("1.4", lambda s, e, sc: Count(1, 4)):
        card = both(**MARCH)
    assert card.figure("1.4").points == Decimal("1.50")
    assert card.sync_coefficient == Decimal("25.00")
    with providers.override("1.4", lambda s, e, sc: None, "không có kết nối"):
        card = both(**MARCH)
    assert card.sync_coefficient is None
    assert card.sync_reason_vi == "không tính được trong hệ thống này: không có kết nối"


def test_a_provider_gets_the_scope_of_the_scorecard(world):
    seen = []

    def spy(start, end, scope):
        seen.append((start, end, scope.agency_ids, scope.procedure_id))
        return Count(0, 0)

    with providers.override("5.2", spy):
        indicators_compute(**MARCH, agency=world.a.center.code, procedure="1.001193")
    assert seen == [(D(2026, 3, 1), D(2026, 3, 31), (world.a.center.pk,), world.procedure.pk)]


def test_drill_of_a_not_computable_indicator_is_refused_with_the_reason(world):
    from motcua.core.errors import ValidationFailed

    with providers.override("1.4", None), pytest.raises(ValidationFailed) as e:
        provided_drill("1.4", "numerator", **MARCH)
    assert (e.value.code, e.value.message) == ("not_computable", "Chỉ số 1.4: chưa có dữ liệu.")
    with (
        providers.override("5.2", lambda s, e, sc: Count(1, 1)),
        pytest.raises(ValidationFailed) as e2,
    ):
        provided_drill("5.2", "numerator", **MARCH)
    assert e2.value.code == "no_drill"


def test_dossier_drill_of_a_provided_indicator_goes_through_indicator_dossiers(world):
    from motcua.indicators.selectors import indicator_dossiers

    d = advance(world, Status.RECEIVED, at=T0)
    got = indicator_dossiers("4.5b", "denominator", **MARCH)
    assert got.model is Dossier and _ids(got) == {d.pk}
    assert nd(both(**MARCH), "4.5b") == (0, 1)
