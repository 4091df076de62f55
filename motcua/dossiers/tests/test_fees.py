"""The amount due is assessed once, at submission or intake (catalog.fees.quote), kept on
the dossier, and read by receipt, the request for payment and the API; a later policy change
does not alter it; an exemption applies only when proven."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.enums import FeeComputation
from motcua.catalog.models import FeeItem, FeePolicy
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.org.models import Applicant, VerifiedAttribute
from motcua.org.services import applicant_attribute_verify

from .conftest import T0, submit
from .factories import PDF


def policy(**kw):
    data = {
        "code": "giam-50",
        "name": "Giảm 50% khi nộp trực tuyến",
        "legal_basis_text": "Nghị quyết thử",
        "valid_from": dt.date(2026, 1, 1),
        "scope": "all",
        "effect": "online",
        "percent": 50,
        **kw,
    }
    return FeePolicy.objects.create(**data)


def exemption(**kw):
    return policy(
        code="mien-ho-ngheo",
        name="Miễn cho hộ nghèo",
        effect="subject",
        percent=100,
        proof_kind="attribute",
        proof_key="ho_ngheo",
        **kw,
    )


def receive(w, d, at=T0 + dt.timedelta(minutes=5)):
    return s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=at)


def test_submission_keeps_the_quote(world):
    d = submit(world)
    assert d.fee_due_vnd == 8000
    kept = Dossier.objects.get(pk=d.pk).fee_assessment
    assert kept["total_vnd"] == 8000 and kept["channel"] == 2
    assert kept["on_date"] == "2026-03-04"
    assert [(x["name"], x["base_vnd"], x["final_vnd"]) for x in kept["lines"]] == [
        ("Lệ phí", 8000, 8000)
    ]


def test_the_online_reduction_in_force_is_applied_and_named(world):
    p = policy()
    d = submit(world)
    assert d.fee_due_vnd == 4000
    (line,) = d.fee_assessment["lines"]
    assert line["applied"][0]["policy_id"] == p.pk
    assert line["applied"][0]["reduction_vnd"] == 4000


def test_a_policy_not_yet_in_force_on_the_day_of_submission_is_not(world):
    policy(valid_from=dt.date(2026, 3, 5))  # the day after T0
    assert submit(world).fee_due_vnd == 8000


def test_a_later_policy_change_does_not_alter_a_submitted_dossier(world):
    p = policy()
    d = submit(world)
    p.percent = 100
    p.save()
    FeeItem.objects.filter(version=world.version).update(amount_vnd=99000)
    d = receive(world, d)
    assert d.fee_due_vnd == 4000
    d = s.dossier_forward(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    d = s.dossier_request_payment(dossier_id=d.pk, actor=world.a.staff["s:specialist"], at=T0)
    assert d.fee_due_vnd == 4000
    assert Dossier.objects.get(pk=d.pk).fee_assessment["total_vnd"] == 4000


def test_an_unproven_exemption_is_not_applied(world):
    exemption()
    assert submit(world).fee_due_vnd == 8000


def test_the_applicant_cannot_prove_it_an_officer_can(world):
    exemption()
    account = Applicant.objects.get(user=world.citizen)
    with pytest.raises(ValidationFailed) as exc:
        applicant_attribute_verify(
            actor=world.citizen, applicant=account, name="ho_ngheo", source="officer",
            evidence="Tự khai",
        )  # fmt: skip
    assert exc.value.code == "not_an_officer"
    with pytest.raises(ValidationFailed):
        applicant_attribute_verify(
            actor=world.a.staff["c:counter"], applicant=account, name="ho_ngheo", source="officer"
        )
    assert not VerifiedAttribute.objects.exists()
    applicant_attribute_verify(
        actor=world.a.staff["c:counter"],
        applicant=account,
        name="ho_ngheo",
        source="officer",
        evidence="Giấy chứng nhận hộ nghèo số 12/GCN-UBND",
    )
    d = submit(world)
    assert d.fee_due_vnd == 0
    assert d.fee_assessment["lines"][0]["applied"][0]["name"] == "Miễn cho hộ nghèo"


def test_an_exemption_proven_by_the_component_handed_in(world):
    policy(
        code="mien-kt",
        name="Miễn cho người khuyết tật",
        effect="subject",
        percent=100,
        proof_kind="component",
        proof_key="giấy chứng sinh",  # the world's second component
    )
    assert submit(world).fee_due_vnd == 8000  # only the first component is handed in
    d = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        files={c.pk: [("f.pdf", PDF)] for c in world.components},
        at=T0,
    )
    assert d.fee_due_vnd == 0


def per_copy(world):
    FeeItem.objects.filter(version=world.version).update(
        computation=FeeComputation.PER_UNIT, answer_key="so_ban", unit="bản"
    )


def test_answers_drive_the_amount_and_a_missing_one_is_named(world):
    per_copy(world)
    with pytest.raises(ValidationFailed) as exc:
        submit(world)
    assert "fee_answers.so_ban" in {e.field for e in _errors(exc.value)}
    assert not Dossier.objects.exists()
    d = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        files={world.components[0].pk: [("f.pdf", PDF)]},
        fee_answers={"so_ban": "3"},
        at=T0,
    )
    assert d.fee_due_vnd == 24000 and d.fee_assessment["answers"] == {"so_ban": 3}


def _errors(exc):
    nested = (exc.data or {}).get("errors")
    if not nested:
        return [exc]
    return [
        ValidationFailed(e["code"], e["message"], e["message_en"], field=e["field"]) for e in nested
    ]


def test_counter_intake_is_assessed_for_its_channel(world):
    policy()  # online only
    d = s.dossier_intake(
        actor=world.a.staff["c:counter"],
        procedure=world.procedure,
        receiving_agency=world.a.center,
        applicant={"name": "Trần Thị B", "id_number": "001203000999"},
        received={world.components[0].pk: {"originals": 1}},
        at=T0,
    )
    assert d.fee_due_vnd == 8000 and d.fee_assessment["channel"] == 1


def test_request_for_payment_defaults_to_the_kept_assessment(world):
    policy()
    d = receive(world, submit(world))
    d = s.dossier_forward(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    d = s.dossier_request_payment(dossier_id=d.pk, actor=world.a.staff["s:specialist"], at=T0)
    assert d.fee_due_vnd == 4000
    assert d.events.order_by("-seq").first().data["amount_vnd"] == 4000


def test_an_unknown_item_makes_the_officer_give_the_amount(world):
    FeeItem.objects.create(version=world.version, order=2, name="Lệ phí HĐND", amount_vnd=None)
    d = receive(world, submit(world))
    assert d.fee_assessment["has_unknown"] is True and d.fee_due_vnd == 8000
    d = s.dossier_forward(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=T0)
    officer = world.a.staff["s:specialist"]
    with pytest.raises(ValidationFailed) as exc:
        s.dossier_request_payment(dossier_id=d.pk, actor=officer, at=T0)
    assert exc.value.code == "amount_required"
    d = s.dossier_request_payment(dossier_id=d.pk, actor=officer, amount_vnd=58000, at=T0)
    assert d.fee_due_vnd == 58000


def test_a_dossier_without_an_assessment_is_assessed_once_at_receipt(world):
    d = submit(world)
    Dossier.objects.filter(pk=d.pk).update(fee_assessment=None, fee_due_vnd=0)
    d = receive(world, d)
    assert d.fee_due_vnd == 8000 and d.fee_assessment["total_vnd"] == 8000
