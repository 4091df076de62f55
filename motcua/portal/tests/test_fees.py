"""The portal asks what the fees are computed from, shows the quote (catalog.fees.quote) on
the review page before submission, and the submission keeps the same amount."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog.models import FeeItem, FeePolicy
from motcua.dossiers.models import Dossier

from .test_pages import REVIEW, _files, login

pytestmark = pytest.mark.django_db
FORM = "/thu-tuc/1.001193/nop/"


def per_copy(world):
    FeeItem.objects.filter(version=world.version).update(
        computation="per_unit", answer_key="so_ban", unit="bản"
    )


def post_form(client, world, **extra):
    return client.post(FORM, {"receiving_agency": world.a.center.pk, **_files(world), **extra})


def test_the_form_asks_the_fee_question_and_names_a_missing_answer(client, world):
    per_copy(world)
    login(client, world.citizen)
    html = client.get(FORM).content.decode()
    assert 'name="fee_so_ban"' in html and "Số bản" in html
    r = post_form(client, world)
    assert r.status_code == 400
    assert "Cần cho biết số bản để tính khoản" in r.content.decode()
    r = post_form(client, world, fee_so_ban="abc")
    assert r.status_code == 400 and "so_ban phải là số nguyên" in r.content.decode()


def test_the_review_shows_the_lines_and_total_and_the_dossier_keeps_them(client, world):
    per_copy(world)
    FeePolicy.objects.create(
        code="giam-50",
        name="Giảm 50% khi nộp trực tuyến",
        legal_basis_text="Nghị quyết thử",
        valid_from=timezone.localdate() - dt.timedelta(days=1),
        scope="all",
        effect="online",
        percent=50,
    )
    login(client, world.citizen)
    r = post_form(client, world, fee_so_ban="3")
    assert r.status_code == 302 and r["Location"] == REVIEW
    r = client.get(REVIEW)
    html = r.content.decode()
    quote = r.context["fee_quote"]
    assert quote.total_vnd == 12000
    assert "3 bản × 8.000 đồng" in html
    assert "Giảm 50% khi nộp trực tuyến: −50% (−12.000 đồng)" in html
    assert "Tổng số tiền phải nộp" in html and "<strong>12.000 đồng</strong>" in html
    client.post(REVIEW)
    d = Dossier.objects.get()
    assert d.fee_due_vnd == 12000
    assert d.fee_assessment == quote.as_json()


def test_no_fee_says_so(client, world):
    FeeItem.objects.filter(version=world.version).delete()
    login(client, world.citizen)
    post_form(client, world)
    assert "Không thu phí, lệ phí." in client.get(REVIEW).content.decode()
