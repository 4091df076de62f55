"""An answer is published only with the submitter's consent, and never with their
personal data; the public sees only what was published."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import rules, selectors
from .. import services as fs
from ..enums import Status
from ..models import Feedback
from .conftest import handled_to, send

CONTENT = (
    "Tôi là Trần Thị Bình, số định danh 001203000999, điện thoại 0912 345 678, "
    "thư binh.tran@example.vn: hồ sơ của tôi bị trả chậm."
)


def test_without_consent_publication_is_refused_and_nothing_changes(world):
    f = handled_to(world, send(world, consent=False), Status.ANSWERED)
    with pytest.raises(Exception) as exc:
        fs.feedback_publish(feedback_id=f.pk, actor=world.a.staff["s:leader"])
    assert (exc.value.code, exc.value.status) == ("no_consent", 409)
    f.refresh_from_db()
    assert (f.status, f.published_at, f.public_content) == (Status.ANSWERED, None, "")
    assert list(selectors.published()) == []


def test_the_database_refuses_a_publication_without_consent(world):
    f = handled_to(world, send(world, consent=False), Status.ANSWERED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=f.pk).update(published_at=timezone.now())


def test_personal_data_is_hidden_on_publication(world):
    f = handled_to(world, send(world, content=CONTENT), Status.ANSWERED)
    f = fs.feedback_publish(
        feedback_id=f.pk,
        actor=world.a.staff["s:leader"],
        public_answer="Đã liên hệ bà Bình qua số 0912345678 và xin lỗi.",
    )
    assert f.public_content == (
        "Tôi là ***, số định danh ***, điện thoại ***, thư ***: hồ sơ của tôi bị trả chậm."
    )
    assert f.public_answer == "Đã liên hệ bà *** qua số *** và xin lỗi."
    assert f.content == CONTENT  # the original stays for the officers and the submitter


def test_the_officer_can_reword_what_is_shown(world):
    f = handled_to(world, send(world, content=CONTENT), Status.ANSWERED)
    f = fs.feedback_publish(
        feedback_id=f.pk, actor=world.a.staff["s:leader"], public_content="Hồ sơ bị trả chậm."
    )
    assert (f.public_content, f.public_answer) == ("Hồ sơ bị trả chậm.", "Đã chấn chỉnh cán bộ.")


def test_the_public_list_holds_only_published_answers_and_searches_without_accents(world):
    shown = handled_to(world, send(world), Status.PUBLISHED)
    for status in (Status.RECEIVED, Status.ASSIGNED, Status.ANSWERED, Status.REJECTED):
        handled_to(world, send(world), status)
    assert list(selectors.published()) == [shown]
    assert list(selectors.published(q="CHAN CHINH can bo")) == [shown]
    assert list(selectors.published(q="khong co")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi +84 912 345 678 nhé", "gọi *** nhé"),
        ("mã số thuế 0100109106", "mã số thuế ***"),
        ("ngày 06/03/2026, 15 ngày", "ngày 06/03/2026, 15 ngày"),
        ("a@b.vn", "***"),
    ],
)
def test_redact(text, expected):
    assert rules.redact(text) == expected
