"""Who may download a dossier's forms and an agency's tracking log (role × page)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.documents.models import DossierDocument
from motcua.dossiers.enums import Status
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency, StaffRole
from motcua.org.tests.otp import otp_login

from .conftest import advance
from .helpers import flat, pdf_text


@pytest.fixture
def received(world):
    return advance(world, Status.RECEIVED)  # no hooks: the page renders on demand


def url(d, kind="receipt"):
    return reverse("documents:dossier_document", args=[d.pk, kind])


def as_user(client, user):
    otp_login(client, user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("citizen", 200),  # the owner
        ("a:c:counter", 200),  # staff of the receiving center
        ("a:s:specialist", 200),  # staff of the settling agency
        ("admin", 200),
        ("citizen2", 404),  # another citizen
        ("b:c:counter", 404),  # another agency's staff
        ("b:s:leader", 404),
    ],
)
def test_receipt_access(client, world, received, who, status):
    users = {"citizen": world.citizen, "citizen2": world.citizen2, "admin": world.admin}
    if who.startswith(("a:", "b:")):
        side, role = who[0], who[2:]
        user = getattr(world, side).staff[role]
    else:
        user = users[who]
    response = as_user(client, user).get(url(received))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="giay-tiep-nhan-{received.code}.pdf"'
        )
        assert received.code in flat(pdf_text(response.content))


def test_anonymous_is_sent_to_login(client, received):
    response = client.get(url(received))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")
    assert not DossierDocument.objects.exists()


def test_the_page_stores_the_form_and_serves_the_stored_bytes(client, world, received):
    first = as_user(client, world.citizen).get(url(received)).content
    doc = DossierDocument.objects.get(dossier=received, kind="receipt")
    assert doc.size == len(first)
    assert as_user(client, world.a.staff["c:counter"]).get(url(received)).content == first
    assert DossierDocument.objects.count() == 1


def test_missing_dossier_kind_or_event_is_404(client, world, received):
    c = as_user(client, world.admin)
    assert c.get(reverse("documents:dossier_document", args=[999999, "receipt"])).status_code == 404
    assert c.get(url(received, "bogus")).status_code == 404
    # No refusal and no apology happened to this dossier.
    assert c.get(url(received, "refusal")).status_code == 404
    assert c.get(url(received, "apology")).status_code == 404
    assert c.get(url(received) + "?su-kien=1").status_code == 404  # seq 1 is the submission
    assert c.get(url(received) + "?su-kien=x").status_code == 404


def test_control_sheet_page(client, world, received):
    response = as_user(client, world.a.staff["s:leader"]).get(url(received, "control_sheet"))
    assert response.status_code == 200
    assert "PHIẾU KIỂM SOÁT" in flat(pdf_text(response.content))


def log_url(agency, start="2026-03-01", end="2026-03-31"):
    return f"{reverse('documents:tracking_log')}?agency={agency.code}&from={start}&to={end}"


def test_tracking_log_lists_the_agency_dossiers_of_the_period(client, world, received):
    other = advance(world, Status.RECEIVED, at=received.received_at + dt.timedelta(days=40))
    response = as_user(client, world.a.staff["c:counter"]).get(log_url(world.a.center))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'inline; filename="so-theo-doi-{world.a.center.code}-20260301-20260331.pdf"'
    )
    text = flat(pdf_text(response.content))
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Mẫu số 07" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    assert received.code in text
    assert "Nguyễn Văn citizen" in text
    assert other.code not in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("a:c:counter", 200), ("a:c:leader", 200), ("admin", 200), ("b:c:counter", 404)],
)
def test_tracking_log_access(client, world, who, status):
    user = world.admin if who == "admin" else getattr(world, who[0]).staff[who[2:]]
    assert as_user(client, user).get(log_url(world.a.center)).status_code == status


def test_tracking_log_for_a_citizen_or_anonymous(client, world):
    assert client.get(log_url(world.a.center)).status_code == 302
    assert as_user(client, world.citizen).get(log_url(world.a.center)).status_code == 404


def test_tracking_log_for_a_provincial_monitor(client, world):
    province = world.a.center.unit.parent
    center = Agency.objects.create(
        code="000.00.00.H24",
        name="Trung tâm PVHCC tỉnh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=province,
    )
    monitor = get_user_model().objects.create_user(username="monitor", password="x")
    StaffRole.objects.create(user=monitor, agency=center, role=Role.MONITOR)
    assert as_user(client, monitor).get(log_url(world.a.center)).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-31&to=2026-03-01",
        "from=2026-03-01",
        "from=x&to=2026-03-01",
        "from=2025-01-01&to=2026-03-01",
    ],
)
def test_tracking_log_bad_period(client, world, query):
    c = as_user(client, world.a.staff["c:counter"])
    path = f"{reverse('documents:tracking_log')}?agency={world.a.center.code}&{query}"
    response = c.get(path)
    assert response.status_code == 400
    assert "from/to" in response.content.decode()


def test_tracking_log_unknown_agency(client, world):
    c = as_user(client, world.admin)
    assert (
        c.get(
            f"{reverse('documents:tracking_log')}?agency=nope&from=2026-03-01&to=2026-03-02"
        ).status_code
        == 404
    )


def test_tracking_log_before_july_2025_uses_the_2018_numbering(client, world):
    c = as_user(client, world.a.staff["c:counter"])
    response = c.get(log_url(world.a.center, "2025-06-01", "2025-06-30"))
    text = flat(pdf_text(response.content))
    assert "Mẫu số 06 - Thông tư số 01/2018/TT-VPCP" in text
    assert "Không có hồ sơ nào trong thời gian này." in text
