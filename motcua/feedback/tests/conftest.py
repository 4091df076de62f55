import pytest

from motcua.dossiers.tests.factories import make_world, vn

from .. import services as fs

T0 = vn(2026, 3, 4, 9, 0)  # a Wednesday


@pytest.fixture
def world(db):
    return make_world()


def send(w, at=T0, *, consent=True, actor=None, subject="agency", **kw):
    """Feedback to side A's settling agency (the default), as an anonymous visitor."""
    args = {
        "subject": subject,
        "content": "Cán bộ hẹn trả kết quả nhưng không trả đúng ngày.",
        "submitter_name": "Trần Thị Bình",
        "submitter_phone": "0912345678",
        "agency_code": w.a.settling.code,
        "consent_publish": consent,
    }
    args.update(kw)
    return fs.feedback_submit(actor=actor, at=at, **args)


def handled_to(w, f, status, at=None):
    """Walk `f` through the services to `status` (the leader of the settling agency it was
    sent to does every step, and assigns it to that agency's specialist)."""
    from ..enums import Status

    at = at or f.received_at
    side = w.a if f.intake_agency_id == w.a.settling.pk else w.b
    leader = side.staff["s:leader"]
    if status == Status.RECEIVED:
        return f
    if status == Status.REJECTED:
        return fs.feedback_reject(feedback_id=f.pk, actor=leader, reason="Là khiếu nại", at=at)
    f = fs.feedback_accept(feedback_id=f.pk, actor=leader, at=at)
    if status == Status.ACCEPTED:
        return f
    f = fs.feedback_classify(
        feedback_id=f.pk, actor=leader, kind="phan_anh", topic="conduct", at=at
    )
    if status == Status.CLASSIFIED:
        return f
    f = fs.feedback_assign(
        feedback_id=f.pk,
        actor=leader,
        agency_id=side.settling.pk,
        officer_id=side.staff["s:specialist"].pk,
        at=at,
    )
    if status == Status.ASSIGNED:
        return f
    if status == Status.AWAITING_INFO:
        return fs.feedback_request_info(
            feedback_id=f.pk, actor=leader, request="Cho biết ngày hẹn", at=at
        )
    f = fs.feedback_answer(feedback_id=f.pk, actor=leader, answer="Đã chấn chỉnh cán bộ.", at=at)
    if status == Status.ANSWERED:
        return f
    return fs.feedback_publish(feedback_id=f.pk, actor=leader, at=at)
