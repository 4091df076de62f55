"""Back-office pages through the Django test client: inbox, dossier page, previews, every
action with good and bad input, the counter intake."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login

from .conftest import act, advance, recent, snapshot

pytestmark = pytest.mark.django_db


def codes(html: str) -> list[str]:
    return re.findall(r'<td class="code"><a href="/can-bo/ho-so/\d+/">([^<]+)</a>', html)


# ---------------------------------------------------------------------------- login / staff


def test_anonymous_is_sent_to_login(client):
    r = client.get("/can-bo/")
    assert r.status_code == 302 and r["Location"] == "/dang-nhap/?next=/can-bo/"


def test_citizen_gets_the_403_page(client, world):
    otp_login(client, world.citizen)
    r = client.get("/can-bo/")
    assert r.status_code == 403
    assert "Không có quyền truy cập" in r.content.decode()


# ---------------------------------------------------------------------------- inbox


def test_inbox_lists_open_dossiers_by_due_date_with_signal_text(client, world, officer):
    overdue = advance(world, Status.PROCESSING)  # received in March: overdue now
    fresh = advance(world, Status.RECEIVED, at=recent())
    paused = advance(world, Status.SUPPLEMENT_REQUESTED, at=recent())
    waiting = advance(world, Status.SUBMITTED, at=recent())
    advance(world, Status.RETURNED)  # closed: not in the inbox
    otp_login(client, officer)
    r = client.get("/can-bo/")
    html = r.content.decode()
    assert r.status_code == 200
    found = codes(html)
    # by appointment; a dossier not received yet has none (first or last by database)
    assert [c for c in found if c != waiting.code] == [overdue.code, fresh.code, paused.code]
    assert sorted(found) == sorted([overdue.code, fresh.code, paused.code, waiting.code])
    assert 'badge badge-overdue">Quá hạn<' in html
    assert 'badge badge-paused">Tạm dừng – chờ người nộp<' in html
    assert 'badge badge-none">Chưa tiếp nhận<' in html
    assert "<strong>4</strong>" in html


def test_inbox_soon_signal_and_due_filters(client, world, officer):
    now = timezone.now()
    soon = advance(world, Status.RECEIVED, at=recent())
    Dossier.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(minutes=30))
    late = advance(world, Status.PROCESSING)
    ok = advance(world, Status.RECEIVED, at=recent())
    Dossier.objects.filter(pk=ok.pk).update(due_at=now + dt.timedelta(days=20))
    otp_login(client, officer)
    html = client.get("/can-bo/").content.decode()
    assert "Đến hạn trong 1 ngày làm việc" in html and "Còn hạn" in html
    assert codes(client.get("/can-bo/?due=overdue").content.decode()) == [late.code]
    assert codes(client.get("/can-bo/?due=soon").content.decode()) == [soon.code]
    assert codes(client.get("/can-bo/?due=ok").content.decode()) == [ok.code]


def test_inbox_search_by_code_applicant_procedure_and_status_step_filters(client, world, officer):
    d1 = advance(world, Status.RECEIVED)
    d2 = advance(world, Status.PROCESSING, applicant={"name": "Trần Thị Bình"})
    otp_login(client, officer)
    get = lambda q: codes(client.get("/can-bo/", q).content.decode())  # noqa: E731
    assert get({"q": d1.code}) == [d1.code]
    assert get({"q": "Bình"}) == [d2.code]
    assert get({"q": "tran thi binh"}) == [d2.code]
    assert get({"q": "khai sinh"}) == [d1.code, d2.code]
    assert get({"q": "1.001193"}) == [d1.code, d2.code]
    assert get({"q": "không có"}) == []
    assert get({"status": Status.RECEIVED}) == [d1.code]
    assert get({"step": 2}) == [d2.code]
    assert get({"role": "specialist"}) == [d2.code]


def test_inbox_bad_filter_is_shown_and_ignored(client, world, officer):
    d = advance(world, Status.RECEIVED)
    otp_login(client, officer)
    r = client.get("/can-bo/", {"step": "abc", "due": "never"})
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('class="field-error"') == 2
    assert codes(html) == [d.code]


def test_inbox_agency_switch_for_officer_of_several_agencies(client, world):
    from motcua.org.models import StaffRole

    user = world.a.staff["c:counter"]
    StaffRole.objects.create(user=user, agency=world.b.center, role="counter")
    da = advance(world, Status.RECEIVED)
    db_ = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.b.center,
        files={world.components[0].pk: [("a.pdf", PDF)]},
    )
    otp_login(client, user)
    html = client.get("/can-bo/").content.decode()
    assert 'name="agency"' in html
    assert sorted(codes(html)) == sorted([da.code, db_.code])
    assert codes(client.get("/can-bo/", {"agency": world.a.center.pk}).content.decode()) == [
        da.code
    ]
    assert codes(client.get("/can-bo/", {"agency": world.b.center.pk}).content.decode()) == [
        db_.code
    ]
    # An agency the officer has no role in is not a choice: the filter is refused, not widened.
    r = client.get("/can-bo/", {"agency": world.a.settling.pk + 1000})
    assert "field-error" in r.content.decode()


def test_inbox_single_agency_has_no_switch(client, world, officer):
    otp_login(client, officer)
    assert 'name="agency"' not in client.get("/can-bo/").content.decode()


def test_inbox_paginates(client, world, officer, settings):
    from motcua.backoffice import views

    views_size = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        made = [advance(world, Status.SUBMITTED, at=recent()) for _ in range(3)]
        otp_login(client, officer)
        p1 = client.get("/can-bo/").content.decode()
        p2 = client.get("/can-bo/", {"page": 2}).content.decode()
    finally:
        views.PAGE_SIZE = views_size
    assert codes(p1) == [made[0].code, made[1].code]
    assert codes(p2) == [made[2].code]
    assert "?page=2" in p1 and "Trang 1 / 2" in p1


def test_inbox_count_is_capped(client, world, officer, monkeypatch):
    from motcua.backoffice.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 2)
    for _ in range(3):
        advance(world, Status.SUBMITTED, at=recent())
    advance(world, Status.RECEIVED, at=recent())
    otp_login(client, officer)
    html = client.get("/can-bo/").content.decode()
    assert "<strong>hơn 2</strong>" in html and "dùng bộ lọc" in html
    assert "<strong>1</strong>" in client.get("/can-bo/", {"status": 2}).content.decode()


def test_capped_paginator_counts_a_plain_list_too(monkeypatch):
    from motcua.backoffice.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    capped = CappedPaginator(list(range(5)), 2)
    assert (capped.count, capped.capped, capped.num_pages) == (3, True, 2)
    small = CappedPaginator(["a", "b"], 2)
    assert (small.count, small.capped) == (2, False)


def _inbox_queries(client, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        r = client.get("/can-bo/", {"q": "khai"})
    assert r.status_code == 200
    return r


def test_inbox_query_count_does_not_grow_with_rows(
    client, world, officer, django_assert_num_queries
):
    advance(world, Status.RECEIVED)
    otp_login(client, officer)
    client.get("/can-bo/")  # warm the working calendar cache
    # session, user, staff roles, the session's second-factor device (motcua.org.otp: a
    # reset takes effect at once), applicant link, agencies, count, page ids, page rows (the
    # header's staff link reads the staff roles already looked up)
    r = _inbox_queries(client, django_assert_num_queries, 9)
    assert len(codes(r.content.decode())) == 1
    for status in (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PROCESSED) * 4:
        advance(world, status)
    r = _inbox_queries(client, django_assert_num_queries, 9)
    assert len(codes(r.content.decode())) == 13


# ---------------------------------------------------------------------------- dossier page


def test_dossier_page_shows_applicant_components_previews_control_sheet_forms(client, world):
    d = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        files={
            world.components[0].pk: [("to-khai.pdf", PDF)],
            world.components[1].pk: [("chung-sinh.png", PNG)],
        },
        at=recent(),
    )
    st = world.a.staff
    s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=recent())
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"])
    otp_login(client, st["s:specialist"])
    r = client.get(f"/can-bo/ho-so/{d.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Nguyễn Văn citizen" in html and "001203000123" in html
    png = Attachment.objects.get(dossier=d, original_name="chung-sinh.png")
    pdf = Attachment.objects.get(dossier=d, original_name="to-khai.pdf")
    assert f'<img class="preview" src="/can-bo/ho-so/{d.pk}/tep/{png.pk}/"' in html
    assert f'<a href="/can-bo/ho-so/{d.pk}/tep/{pdf.pk}/">to-khai.pdf</a>' in html
    assert f'<img class="preview" src="/can-bo/ho-so/{d.pk}/tep/{pdf.pk}/"' not in html
    # control sheet: the closed counter step and the open specialist step
    assert "1. Tiếp nhận" in html and "2. Thẩm định" in html
    assert re.search(r'badge-(early|on_time|late)">(Trước hạn|Đúng hạn|Quá hạn)<', html)
    assert st["c:counter"].username in html  # who handed over
    assert f'href="/giay-to/{d.pk}/receipt.pdf"' in html
    assert f'href="/giay-to/{d.pk}/control_sheet.pdf"' in html
    assert f'href="/giay-to/{d.pk}/refusal.pdf"' not in html
    # the specialist's actions at step 2 only
    assert 'id="act-forward"' in html and 'id="act-request_supplement"' in html
    assert 'id="act-receive"' not in html and 'id="act-return_result"' not in html
    assert f'name="expected_version" value="{d.version}"' in html
    # the fees assessed at submission (catalog.fees), the request for payment's default
    assert "Tổng số tiền phải nộp" in html and "<strong>8.000 đồng</strong>" in html


def test_attachment_view_serves_images_inline_and_checks_access(client, world):
    d = advance(world, Status.RECEIVED)
    att = Attachment.objects.get(dossier=d)
    otp_login(client, world.a.staff["s:specialist"])
    r = client.get(f"/can-bo/ho-so/{d.pk}/tep/{att.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    assert client.get(f"/can-bo/ho-so/{d.pk}/tep/{att.pk + 999}/").status_code == 404
    otp_login(client, world.b.staff["s:specialist"])
    assert client.get(f"/can-bo/ho-so/{d.pk}/tep/{att.pk}/").status_code == 404


def test_missing_dossier_is_404(client, world, officer):
    otp_login(client, officer)
    assert client.get("/can-bo/ho-so/999999/").status_code == 404


# ---------------------------------------------------------------------------- actions


def test_receive_then_print_receipt(client, world, officer):
    d = advance(world, Status.SUBMITTED, at=recent())
    r = act(client, officer, d, "receive")
    assert r.status_code == 302 and r["Location"] == f"/can-bo/ho-so/{d.pk}/"
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.code
    html = client.get(r["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ" in html and f"/giay-to/{d.pk}/receipt.pdf" in html


def test_refuse_without_reason_shows_the_error_and_changes_nothing(client, world, officer):
    d = advance(world, Status.SUBMITTED, at=recent())
    before = snapshot(d)
    r = act(client, officer, d, "refuse", reason="  ")
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="act-refuse" open' in html
    assert re.search(r'class="field-error" id="refuse-reason-error">[^<]*lý do từ chối', html)
    textarea = re.search(r"<textarea[^>]*>", html[html.index('id="act-refuse"') :]).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="refuse-reason-error"' in textarea
    assert snapshot(d) == before
    r = act(client, officer, d, "refuse", reason="Sai thẩm quyền")
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.REFUSED and d.refusal_reason == "Sai thẩm quyền"


def test_request_supplement_without_reason_changes_nothing(client, world):
    d = advance(world, Status.PROCESSING, at=recent())
    specialist = world.a.staff["s:specialist"]
    before = snapshot(d)
    r = act(client, specialist, d, "request_supplement", reason="")
    assert r.status_code == 422
    assert 'id="request_supplement-reason-error"' in r.content.decode()
    assert snapshot(d) == before
    r = act(
        client,
        specialist,
        d,
        "request_supplement",
        reason="Thiếu giấy chứng sinh",
        missing_components=[world.components[1].pk],
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.pauses.get().missing_components == [
        world.components[1].pk
    ]
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert f"/giay-to/{d.pk}/supplement_request.pdf" in html
    assert "Thiếu giấy chứng sinh (thiếu: Giấy chứng sinh)" in html


def test_request_supplement_with_foreign_component_is_refused(client, world):
    d = advance(world, Status.PROCESSING, at=recent())
    before = snapshot(d)
    r = act(
        client,
        world.a.staff["s:specialist"],
        d,
        "request_supplement",
        reason="x",
        missing_components=[999999],
    )
    assert r.status_code == 422 and snapshot(d) == before


def test_paper_supplement_at_the_counter(client, world, officer):
    d = advance(world, Status.SUPPLEMENT_REQUESTED, at=recent())
    before = snapshot(d)
    # the requested component is missing
    r = act(client, officer, d, "supplement", note="Nộp bản giấy")
    assert r.status_code == 422 and "Chưa đính kèm đủ" in r.content.decode()
    assert snapshot(d) == before
    r = act(
        client,
        officer,
        d,
        "supplement",
        note="Nộp bản giấy",
        **{f"component_{world.components[1].pk}": SimpleUploadedFile("cs.png", PNG)},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    # A file is digitized only by the OCR of a scan (dossiers.digitized), not by storing it.
    assert Attachment.objects.get(dossier=d, kind="supplement").digitized is False


def test_forward_approve_attach_and_return(client, world):
    st = world.a.staff
    d = advance(world, Status.PROCESSING, at=recent())
    assert act(client, st["s:specialist"], d, "forward", note="Đủ điều kiện").status_code == 302
    r = act(client, st["s:leader"], d, "forward")
    # the leader's step is the last processing step: approve instead (conflict message)
    assert r.status_code == 302
    assert "hãy phê duyệt" in client.get(r["Location"]).content.decode()
    assert act(client, st["s:leader"], d, "approve", result_note="Cấp giấy").status_code == 302
    r = act(client, st["s:leader"], d, "attach_result", file=SimpleUploadedFile("kq.pdf", PDF))
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSED and d.electronic_result
    r = act(client, st["c:counter"], d, "return_result", method="pigeon")
    assert r.status_code == 422
    assert act(client, st["c:counter"], d, "return_result", method="counter").status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "Trả kết quả" in html and "kq.pdf" in html


def test_attach_result_rejects_a_bad_file(client, world):
    d = advance(world, Status.PROCESSED, at=recent())
    before = snapshot(d)
    r = act(
        client,
        world.a.staff["s:leader"],
        d,
        "attach_result",
        file=SimpleUploadedFile("kq.exe", b"MZ\x90\x00" * 10),
    )
    assert r.status_code == 422 and "không đúng định dạng" in r.content.decode()
    assert snapshot(d) == before


def test_apologize_with_new_date(client, world):
    d = advance(world, Status.PROCESSING, at=recent())
    leader = world.a.staff["s:leader"]
    before = snapshot(d)
    local_due = d.due_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    # a date before the current appointment
    r = act(
        client,
        leader,
        d,
        "apologize",
        reason="Chờ xác minh",
        new_due_date=(local_due - dt.timedelta(days=1)).date().isoformat(),
        new_due_time="17:00",
    )
    assert r.status_code == 422 and "phải sau ngày hẹn hiện tại" in r.content.decode()
    r = act(
        client,
        leader,
        d,
        "apologize",
        reason="Chờ xác minh",
        new_due_date="31/02",
        new_due_time="17:00",
    )
    assert r.status_code == 422
    assert snapshot(d) == before
    new = (local_due + dt.timedelta(days=3)).date()
    r = act(
        client,
        leader,
        d,
        "apologize",
        reason="Chờ xác minh",
        new_due_date=new.isoformat(),
        new_due_time="16:30",
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.apology_count == 1
    assert d.due_at == dt.datetime.combine(new, dt.time(16, 30), tzinfo=local_due.tzinfo)


def test_payment_request_and_confirmation(client, world, officer):
    d = advance(world, Status.PROCESSING, at=recent())
    r = act(client, world.a.staff["s:specialist"], d, "request_payment", amount_vnd="-5")
    assert r.status_code == 422
    assert act(client, world.a.staff["s:specialist"], d, "request_payment").status_code == 302
    r = act(client, officer, d, "confirm_payment", amount_vnd="100", receipt_number="0001")
    assert r.status_code == 422 and "8.000" in r.content.decode()
    r = act(client, officer, d, "confirm_payment", amount_vnd="8000", receipt_number="")
    assert r.status_code == 422  # the receipt number is required
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION
    r = act(
        client,
        officer,
        d,
        "confirm_payment",
        amount_vnd="8000",
        receipt_number="0001",
        channel="counter_pos",
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.fee_paid_vnd == 8000 and d.paid_online == 0
    from motcua.payments.models import Payment

    p = Payment.objects.get(dossier=d)
    assert (p.channel, p.status, p.verified_by, p.provider_txn_no) == (
        "counter_pos",
        "paid",
        "officer",
        "0001",
    )


def test_withdrawal_and_stop(client, world, officer):
    d = advance(world, Status.RECEIVED, at=recent())
    assert (
        act(client, officer, d, "request_withdrawal", reason="Công dân xin rút").status_code == 302
    )
    r = act(client, officer, d, "stop", reason="")
    assert r.status_code == 422
    assert act(client, officer, d, "stop", reason="Công dân rút").status_code == 302
    d.refresh_from_db()
    assert d.status == Status.STOPPED


def test_stale_version_shows_the_conflict_and_changes_nothing(client, world, officer):
    d = advance(world, Status.SUBMITTED, at=recent())
    stale = d.version
    s.dossier_receive(dossier_id=d.pk, actor=officer)  # the colleague was faster
    before = snapshot(d)
    r = act(client, officer, d, "refuse", reason="Sai", expected_version=stale)
    assert r.status_code == 302 and r["Location"] == f"/can-bo/ho-so/{d.pk}/"
    assert snapshot(d) == before
    html = client.get(r["Location"]).content.decode()
    assert "vừa được người khác thay đổi" in html


def test_missing_version_is_treated_as_stale(client, world, officer):
    d = advance(world, Status.SUBMITTED, at=recent())
    before = snapshot(d)
    otp_login(client, officer)
    r = client.post(f"/can-bo/ho-so/{d.pk}/receive/", {})
    assert r.status_code == 302 and snapshot(d) == before


def test_unknown_action_and_get_on_action(client, world, officer):
    d = advance(world, Status.SUBMITTED, at=recent())
    otp_login(client, officer)
    assert client.post(f"/can-bo/ho-so/{d.pk}/rate/", {"expected_version": 1}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{d.pk}/receive/").status_code == 405


def test_csrf_is_enforced(world, officer):
    from django.test import Client

    d = advance(world, Status.SUBMITTED, at=recent())
    c = Client(enforce_csrf_checks=True)
    otp_login(c, officer)
    before = snapshot(d)
    assert c.post(f"/can-bo/ho-so/{d.pk}/receive/", {"expected_version": 1}).status_code == 403
    assert snapshot(d) == before


# ---------------------------------------------------------------------------- intake


def _intake(world, **over):
    data = {
        "procedure": world.procedure.code,
        "receiving_agency": world.a.center.pk,
        "channel": 1,
        "applicant_name": "Lê Văn Quầy",
        "applicant_id_number": "001099000111",
        "applicant_phone": "0988000111",
        "request_summary": "Khai sinh cho con",
        "checked": [c.pk for c in world.components],
        "decision": "receive",
        f"component_{world.components[0].pk}": SimpleUploadedFile("tk.pdf", PDF),
        f"component_{world.components[1].pk}": SimpleUploadedFile("cs.png", PNG),
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_intake_search_then_form(client, world, officer):
    otp_login(client, officer)
    r = client.get("/can-bo/tiep-nhan/", {"q": "khai sinh"})
    html = r.content.decode()
    assert r.status_code == 200 and "?procedure=1.001193" in html
    r = client.get("/can-bo/tiep-nhan/", {"procedure": "1.001193"})
    html = r.content.decode()
    assert r.status_code == 200
    for c in world.components:
        assert f'name="component_{c.pk}"' in html and f'value="{c.pk}"' in html
    r = client.get("/can-bo/tiep-nhan/", {"procedure": "9.999"})
    assert "Không tìm thấy thủ tục" in r.content.decode()


def test_intake_receives_a_walk_in_dossier(client, world, officer):
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world))
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert r["Location"] == f"/can-bo/ho-so/{d.pk}/"
    assert d.status == Status.RECEIVED and d.channel == 1 and d.owner_id is None
    assert d.applicant_name == "Lê Văn Quầy" and d.settling_agency == world.a.settling
    assert sorted(a.original_name for a in d.attachments.all()) == ["cs.png", "tk.pdf"]
    # Not digitized by being stored: the page queued their OCR, one scan per component.
    assert not any(a.digitized for a in d.attachments.all()) and d.digitized is False
    assert sorted(d.scans.values_list("component__order", "status")) == [
        (1, "queued"),
        (2, "queued"),
    ]
    html = client.get(r["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {d.code}" in html and f"/giay-to/{d.pk}/receipt.pdf" in html


def test_intake_records_the_papers_counted_per_component(client, world, officer):
    from motcua.dossiers.models import ReceivedComponent

    otp_login(client, officer)
    c1, c2 = world.components
    r = client.post(
        "/can-bo/tiep-nhan/",
        _intake(
            world,
            **{f"originals_{c1.pk}": "1", f"copies_{c1.pk}": "", f"copies_{c2.pk}": "2"},
        ),
    )
    assert r.status_code == 302
    rows = ReceivedComponent.objects.order_by("component__order")
    assert [(x.component_id, x.source, x.originals, x.copies, x.files) for x in rows] == [
        (c1.pk, "counter", 1, 0, 1),
        (c2.pk, "counter", 0, 2, 1),
    ]


def test_intake_asks_the_cases_and_requires_their_documents(client, world, officer):
    from motcua.catalog.models import Component

    case = "Trường hợp trẻ em bị bỏ rơi"
    proxy = Component.objects.create(
        version=world.version,
        order=3,
        name="Biên bản về việc trẻ bị bỏ rơi",
        original_count=1,
        case=case,
    )
    otp_login(client, officer)
    html = client.get("/can-bo/tiep-nhan/", {"procedure": "1.001193"}).content.decode()
    assert f'name="cases" value="{case}"' in html
    assert f'name="originals_{proxy.pk}"' in html and f'name="copies_{proxy.pk}"' in html
    # Not declared: the proxy's paper is not needed.
    data = _intake(world, checked=[c.pk for c in world.components])
    assert client.post("/can-bo/tiep-nhan/", data).status_code == 302
    # Declared and ticked on the checklist, but not handed in: the service names it.
    data = _intake(world, cases=[case], checked=[c.pk for c in world.components] + [proxy.pk])
    r = client.post("/can-bo/tiep-nhan/", data)
    html = r.content.decode()
    assert r.status_code == 422
    assert "Hồ sơ còn thiếu 1 thành phần bắt buộc: (1) Biên bản về việc trẻ bị bỏ rơi" in html
    assert Dossier.objects.count() == 1
    data = _intake(
        world,
        cases=[case],
        checked=[c.pk for c in world.components] + [proxy.pk],
        **{f"originals_{proxy.pk}": "1"},
    )
    assert client.post("/can-bo/tiep-nhan/", data).status_code == 302
    assert Dossier.objects.count() == 2


def test_intake_postal_dossier(client, world, officer):
    otp_login(client, officer)
    assert client.post("/can-bo/tiep-nhan/", _intake(world, channel=3)).status_code == 302
    assert Dossier.objects.get().channel == 3


def test_intake_of_a_procedure_without_a_limit_says_so_and_writes_nothing(client, world, officer):
    from motcua.catalog.models import ProcedureTimeLimit

    ProcedureTimeLimit.objects.filter(version=world.version, channel=1).delete()
    world.version.time_limits_stamp += 1
    world.version.save(update_fields=["time_limits_stamp"])
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world))
    assert r.status_code == 422
    assert (
        "Thủ tục 1.001193 chưa có thời hạn giải quyết cho cách thức &#x27;trực tiếp&#x27;"
        in r.content.decode()
    )
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    # by post, which has its limit, it is received
    assert client.post("/can-bo/tiep-nhan/", _intake(world, channel=3)).status_code == 302


def test_intake_incomplete_checklist_is_refused_before_anything_is_written(client, world, officer):
    world.components[1].required = True
    world.components[1].save()
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world, checked=[world.components[0].pk]))
    html = r.content.decode()
    assert r.status_code == 422 and "Chưa kiểm tra đủ thành phần hồ sơ" in html
    assert '<a href="#components">Chưa kiểm tra đủ' in html
    assert "Giấy chứng sinh" in html
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_intake_errors_next_to_fields(client, world, officer):
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world, applicant_name=""))
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="i-applicant_name-error">Cần nhập họ tên (hoặc tên tổ chức).' in html
    bad = {f"component_{world.components[1].pk}": SimpleUploadedFile("x.txt", b"hello")}
    r = client.post("/can-bo/tiep-nhan/", _intake(world, **bad))
    html = r.content.decode()
    assert r.status_code == 422 and "Tệp &#x27;x.txt&#x27; không đúng định dạng" in html
    r = client.post("/can-bo/tiep-nhan/", _intake(world, applicant_email="not-an-email"))
    assert r.status_code == 422
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_intake_refusal_needs_a_reason_and_keeps_the_record(client, world, officer):
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world, decision="refuse", checked=[]))
    assert r.status_code == 422 and 'id="i-refuse_reason-error"' in r.content.decode()
    assert not Dossier.objects.exists()
    r = client.post(
        "/can-bo/tiep-nhan/",
        _intake(world, decision="refuse", checked=[], refuse_reason="Không thuộc thẩm quyền"),
    )
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.REFUSED and d.refusal_reason == "Không thuộc thẩm quyền"
    html = client.get(r["Location"]).content.decode()
    assert f"/giay-to/{d.pk}/refusal.pdf" in html and "/receipt.pdf" not in html


def test_intake_only_for_counter_officers(client, world):
    otp_login(client, world.a.staff["s:specialist"])
    assert client.get("/can-bo/tiep-nhan/").status_code == 403
    otp_login(client, world.citizen)
    assert client.get("/can-bo/tiep-nhan/").status_code == 403


def test_intake_into_another_agency_is_not_possible(client, world, officer):
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _intake(world, receiving_agency=world.b.center.pk))
    assert r.status_code == 422 and not Dossier.objects.exists()


def test_dossier_page_query_count_does_not_grow_with_history(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = world.a.staff["s:leader"]
    otp_login(client, leader)
    short = advance(world, Status.RECEIVED, at=recent())
    client.get(f"/can-bo/ho-so/{short.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/can-bo/ho-so/{short.pk}/")
    long = advance(world, Status.PROCESSED, at=recent())  # more events, handovers, files
    s.dossier_attach_result(dossier_id=long.pk, actor=leader, file=("kq.pdf", PDF))
    with CaptureQueriesContext(connection) as many:
        r = client.get(f"/can-bo/ho-so/{long.pk}/")
    assert r.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_in_english(client, world, officer):
    from django.conf import settings

    d = advance(world, Status.PROCESSING)
    otp_login(client, officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/can-bo/").content.decode()
    assert "Inbox" in html and 'badge-overdue">Overdue<' in html
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "Control sheet" in html and "Processing" in html


def test_officer_names_in_vietnamese_order_on_the_dossier_page(client, world):
    counter = world.a.staff["c:counter"]
    counter.last_name, counter.first_name = "Hoàng", "Tiến Hùng"
    counter.save()
    d = advance(world, Status.PROCESSING, at=recent())
    otp_login(client, counter)
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "Hoàng Tiến Hùng" in html and "Tiến Hùng Hoàng" not in html


def test_dossier_page_says_what_was_handed_in(client, world, officer):
    d = s.dossier_intake(
        actor=officer,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        applicant={"name": "Lê Văn Tám"},
        received={world.components[0].pk: {"originals": 1, "copies": 2}},
        at=recent(),
    )
    otp_login(client, officer)
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    first = html.split("Tờ khai đăng ký khai sinh</strong>")[1].split("</li>")[0]
    assert "Nộp tại quầy / bưu chính" in first and "bản chính 1, bản sao 2, tệp 0" in first
    second = html.split("Giấy chứng sinh</strong>")[1].split("</li>")[0]
    assert "Không có trong hồ sơ đã nộp." in second


def test_intake_asks_what_the_fees_count_and_keeps_the_assessment(client, world, officer):
    from motcua.catalog.models import FeeItem

    FeeItem.objects.filter(version=world.version).update(
        computation="per_unit", answer_key="so_ban", unit="bản"
    )
    otp_login(client, officer)
    html = client.get("/can-bo/tiep-nhan/", {"procedure": "1.001193"}).content.decode()
    assert 'name="fee_so_ban"' in html and "Số bản" in html
    r = client.post("/can-bo/tiep-nhan/", _intake(world))
    assert r.status_code == 422 and not Dossier.objects.exists()
    assert "Cần cho biết số bản" in r.content.decode()
    r = client.post("/can-bo/tiep-nhan/", _intake(world, fee_so_ban="2"))
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.fee_due_vnd == 16000 and d.fee_assessment["answers"] == {"so_ban": 2}
