import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.core.validation import errors_from
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.linked.enums import ApplicationState
from motcua.linked.models import LinkedApplication, LinkedDossier, LinkedEvent
from motcua.linked.services import (
    chain_parts,
    linked_application_submit,
    linked_member_ended,
    linked_member_returned,
)
from motcua.org.enums import Role

from .factories import DATA, T0, files_for, settle


def _submit(lw, **kw):
    parts = chain_parts(lw.linked, T0.date())
    args = dict(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=DATA,
        files=files_for(parts),
        applicant={"phone": "0987654321"},
        at=T0,
    )
    args.update(kw)
    return linked_application_submit(**args)


def _rows(app):
    return list(LinkedDossier.objects.filter(application=app).order_by("order"))


def test_the_form_asks_each_shared_component_once(lw):
    parts = chain_parts(lw.linked, T0.date())
    assert [(p.key, p.name, p.required, [o for o, _c in p.components]) for p in parts] == [
        ("p1", "Tờ khai đăng ký khai sinh", True, [1, 2]),
        ("p2", "Giấy chứng sinh", False, [1]),
        ("p3", "Tờ khai thay đổi thông tin cư trú (CT01)", True, [2]),
        ("p4", "Tờ khai tham gia bảo hiểm y tế (TK1-TS)", True, [3]),
    ]


def test_submit_creates_only_the_first_dossier_in_its_agency(lw):
    app = _submit(lw)
    first, second, third = _rows(app)
    assert (first.state, second.state, third.state) == ("started", "waiting", "waiting")
    d = first.dossier
    assert (d.procedure.code, d.settling_agency, d.receiving_agency) == (
        "1.001193",
        lw.w.a.settling,
        lw.w.a.center,
    )
    assert d.status == Status.SUBMITTED and d.code and d.owner.user == lw.w.citizen
    assert d.applicant_phone == "0987654321"
    assert d.request_summary.startswith(f"Liên thông LT-{app.pk} (2.000986), bước 1")
    assert first.data == {"child_name": "Nguyễn Thị Bống", "birth_date": "01/03/2026"}
    # Only its own components: the shared declaration, once.
    names = sorted(a.component.name for a in d.attachments.all())
    assert names == ["Tờ khai đăng ký khai sinh"]
    assert Dossier.objects.count() == 1
    assert [e.action for e in app.events.order_by("seq")] == ["submit", "member_started"]


def test_the_chain_goes_in_order_passing_data_and_result(lw, django_capture_on_commit_callbacks):
    app = _submit(lw)
    first = _rows(app)[0].dossier
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, first, T0 + dt.timedelta(hours=1))
    rows = _rows(app)
    assert [r.state for r in rows] == ["done", "started", "waiting"]
    second = rows[1].dossier
    assert (second.procedure.code, second.settling_agency) == ("1.004222", lw.police_a)
    assert second.code != first.code and second.due_at is None  # its own, from receipt
    assert rows[1].data == {"child_name": "Nguyễn Thị Bống", "address": "Thôn Đông"}
    first.refresh_from_db()
    assert rows[1].previous_result == {
        "dossier_code": first.code,
        "procedure": "1.001193",
        "returned_at": first.returned_at.isoformat(),
        "result_note": "Đã cấp",
        "attachments": [],
    }
    # Its components: the shared declaration and the residence form, from the one upload.
    assert sorted(a.component.name for a in second.attachments.all()) == [
        "Tờ khai thay đổi thông tin cư trú (CT01)",
        "Tờ khai đăng ký khai sinh",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, second, T0 + dt.timedelta(days=1))
    rows = _rows(app)
    third = rows[2].dossier
    assert [r.state for r in rows] == ["done", "done", "started"]
    assert (third.procedure.code, third.settling_agency) == ("LT.BHYT6", lw.insurance)
    assert rows[2].previous_result["dossier_code"] == second.code
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, third, T0 + dt.timedelta(days=2))
    app.refresh_from_db()
    assert app.state == ApplicationState.COMPLETED
    assert [(e.action, e.data.get("order")) for e in app.events.order_by("seq")] == [
        ("submit", None),
        ("member_started", 1),
        ("member_done", 1),
        ("member_started", 2),
        ("member_done", 2),
        ("member_started", 3),
        ("member_done", 3),
        ("completed", None),
    ]


def test_the_next_member_waits_for_the_result_not_for_approval(
    lw, django_capture_on_commit_callbacks
):
    app = _submit(lw)
    d = _rows(app)[0].dossier
    counter = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_receive(dossier_id=d.pk, actor=counter, at=T0)
        s.dossier_forward(dossier_id=d.pk, actor=counter, at=T0)
    assert [r.state for r in _rows(app)] == ["started", "waiting", "waiting"]
    assert Dossier.objects.count() == 1


def test_a_replayed_hook_creates_nothing_twice(lw, django_capture_on_commit_callbacks):
    app = _submit(lw)
    first = _rows(app)[0].dossier
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, first, T0 + dt.timedelta(hours=1))
    dossiers, events = Dossier.objects.count(), LinkedEvent.objects.count()
    again = linked_member_returned(actor=None, dossier_id=first.pk, at=T0 + dt.timedelta(days=1))
    assert again.pk == app.pk
    assert (Dossier.objects.count(), LinkedEvent.objects.count()) == (dossiers, events) == (2, 4)


def test_the_database_refuses_a_second_row_for_a_member(lw):
    from django.db import IntegrityError, transaction

    app = _submit(lw)
    row = _rows(app)[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkedDossier.objects.create(application=app, member=row.member, order=row.order)


def test_a_refused_member_stops_the_chain_with_its_reason(lw, django_capture_on_commit_callbacks):
    app = _submit(lw)
    d = _rows(app)[0].dossier
    counter = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_refuse(dossier_id=d.pk, actor=counter, reason="Giấy chứng sinh không hợp lệ")
    app.refresh_from_db()
    assert app.state == ApplicationState.STOPPED
    assert app.stopped_reason == "Đăng ký khai sinh: Giấy chứng sinh không hợp lệ"
    assert [(r.state, r.reason) for r in _rows(app)] == [
        ("stopped", "Giấy chứng sinh không hợp lệ"),
        ("not_started", ""),
        ("not_started", ""),
    ]
    assert Dossier.objects.count() == 1
    # Replayed: nothing changes.
    linked_member_ended(actor=None, dossier_id=d.pk, reason="khác")
    app.refresh_from_db()
    assert app.stopped_reason == "Đăng ký khai sinh: Giấy chứng sinh không hợp lệ"
    assert app.events.filter(action="stopped").count() == 1


def test_a_stopped_second_member_stops_the_chain(lw, django_capture_on_commit_callbacks):
    app = _submit(lw)
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, _rows(app)[0].dossier, T0 + dt.timedelta(hours=1))
    second = _rows(app)[1].dossier
    counter = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    t = T0 + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_receive(dossier_id=second.pk, actor=counter, at=t)
        s.dossier_request_withdrawal(
            dossier_id=second.pk, actor=lw.w.citizen, reason="Chuyển nơi ở", at=t
        )
        s.dossier_stop(dossier_id=second.pk, actor=counter, reason="Công dân rút", at=t)
    app.refresh_from_db()
    assert app.state == ApplicationState.STOPPED
    assert [r.state for r in _rows(app)] == ["done", "stopped", "not_started"]
    assert _rows(app)[1].reason == "Công dân rút"


def test_a_member_that_cannot_start_stops_the_chain_with_the_reason(
    lw, django_capture_on_commit_callbacks
):
    app = _submit(lw)
    # Social insurance no longer settles the card: the third member cannot be routed.
    lw.card.agencies.filter(agency=lw.insurance).delete()
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, _rows(app)[0].dossier, T0 + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, _rows(app)[1].dossier, T0 + dt.timedelta(days=1))
    app.refresh_from_db()
    rows = _rows(app)
    assert [r.state for r in rows] == ["done", "done", "stopped"]
    assert rows[2].reason.startswith("Chưa có cơ quan loại 'Bảo hiểm xã hội'")
    assert app.state == ApplicationState.STOPPED


def test_missing_parts_are_all_named_and_nothing_is_kept(lw):
    with pytest.raises(ValidationFailed) as e:
        _submit(lw, files={"p2": [("a.pdf", PDF)], "p9": [("b.pdf", PDF)]})
    assert (e.value.code, e.value.field) == ("unknown_part", "files.p9")
    with pytest.raises(ValidationFailed) as e:
        _submit(lw, files={"p2": [("a.pdf", PDF)]})
    assert e.value.code == "components_missing"
    assert e.value.data == {"missing_parts": ["p1", "p3", "p4"]}
    assert (LinkedApplication.objects.count(), Dossier.objects.count()) == (0, 0)
    assert Attachment.objects.count() == 0


def test_a_first_member_refused_by_the_submission_keeps_nothing(lw):
    lw.w.procedure.versions.update(channels=[1])  # khai sinh no longer offered online
    with pytest.raises(ValidationFailed) as e:
        _submit(lw)
    assert e.value.code == "channel_not_offered"
    assert (LinkedApplication.objects.count(), LinkedDossier.objects.count()) == (0, 0)


def test_only_an_applicant_submits(lw):
    officer = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    with pytest.raises(ValidationFailed) as e:
        _submit(lw, actor=officer)
    assert (e.value.code, e.value.status) == ("not_an_applicant", 403)


def test_every_data_key_is_asked_and_dates_are_dd_mm_yyyy(lw):
    with pytest.raises(ValidationFailed) as e:
        _submit(lw, data={"child_name": "  ", "birth_date": "2026-03-01"})
    errors = [(x.code, x.field) for x in errors_from(e.value)]
    assert errors == [
        ("data_required", "data.child_name"),
        ("invalid_date", "data.birth_date"),
        ("data_required", "data.address"),
    ]
    assert LinkedApplication.objects.count() == 0


def test_the_queued_listener_run_twice_creates_the_next_dossier_once(lw):
    from motcua.dossiers.tasks import run_after_commit_listener

    app = _submit(lw)
    first = _rows(app)[0].dossier
    settle(lw, first, T0 + dt.timedelta(hours=1))  # no commit here: the hook has not run
    assert [r.state for r in _rows(app)] == ["started", "waiting", "waiting"]
    event = first.events.get(action="return_result")
    for _ in range(2):  # a worker's retry, or the message delivered twice
        run_after_commit_listener("motcua.linked.services.on_member_event", event.pk)
    assert [r.state for r in _rows(app)] == ["done", "started", "waiting"]
    assert Dossier.objects.filter(procedure__code="1.004222").count() == 1


def test_a_version_published_meanwhile_does_not_shift_the_files(
    lw, django_capture_on_commit_callbacks
):
    from .factories import add_version

    app = _submit(lw)
    # The next day the residence procedure gets a new version with a new first component.
    day = T0.date() + dt.timedelta(days=1)
    lw.residence.versions.update(effective_to=T0.date())
    add_version(
        lw.residence,
        [
            "Giấy tờ mới (không bắt buộc)",
            "Tờ khai thay đổi thông tin cư trú (CT01)",
            "Tờ khai đăng ký khai sinh",
        ],
        number=2,
        effective_from=day,
        optional=("Giấy tờ mới (không bắt buộc)",),
    )
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, _rows(app)[0].dossier, T0 + dt.timedelta(days=1))
    second = _rows(app)[1].dossier
    assert second.procedure_version.number == 2
    assert sorted((a.component.order, a.original_name) for a in second.attachments.all()) == [
        (2, "p3.pdf"),
        (3, "p1.pdf"),
    ]


def test_the_previous_electronic_result_fills_the_next_members_component(
    lw, django_capture_on_commit_callbacks
):
    from motcua.catalog.models import Component
    from motcua.dossiers.models import AttachmentKind, AttachmentSource
    from motcua.signing.tests.factories import signed_pdf

    version = lw.residence.versions.get()
    Component.objects.create(version=version, order=9, name="Bản sao Giấy khai sinh")
    lw.linked.members.filter(order=2).update(result_component="bản sao giấy khai sinh")
    # The form does not ask for it: the birth registration's result will stand for it.
    assert "Bản sao Giấy khai sinh" not in [p.name for p in chain_parts(lw.linked, T0.date())]
    app = _submit(lw)
    first = _rows(app)[0].dossier
    counter = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    specialist = lw.staff[(lw.w.a.settling.code, Role.SPECIALIST)]
    leader = lw.staff[(lw.w.a.settling.code, Role.LEADER)]
    t = T0 + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_receive(dossier_id=first.pk, actor=counter, at=t)
        s.dossier_forward(dossier_id=first.pk, actor=counter, at=t)
        s.dossier_attach_result(
            dossier_id=first.pk, actor=specialist, file=("giay-khai-sinh.pdf", signed_pdf()), at=t
        )
        s.dossier_forward(dossier_id=first.pk, actor=specialist, at=t)
        s.dossier_approve(dossier_id=first.pk, actor=leader, result_note="Đã cấp", at=t)
        s.dossier_return_result(dossier_id=first.pk, actor=counter, at=t)
    result = first.attachments.get(kind=AttachmentKind.RESULT)
    row = _rows(app)[1]
    assert row.previous_result["attachments"] == [result.pk]
    second = row.dossier
    taken = second.attachments.get(component__name="Bản sao Giấy khai sinh")
    assert (taken.source, taken.source_attachment_id, taken.sha256) == (
        AttachmentSource.STORE_RESULT,
        result.pk,
        result.sha256,
    )
    assert taken.source_label == f"Kết quả hồ sơ {first.code} (liên thông)"
    # An issued result taken instead of paper: reuse of digitized data (indicator 4.3).
    assert second.reused is True
