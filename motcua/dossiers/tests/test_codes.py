"""The dossier code: one rule (motcua.dossiers.codes), given at submission, for every way a
dossier is created (online, counter), and read back by the importer."""

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.codes import CodeParts, code_day, code_format, code_parse
from motcua.dossiers.models import DailySequence

from .conftest import submit
from .factories import PDF, vn

pytestmark = pytest.mark.django_db


def test_format_and_parse_are_inverse():
    assert code_format("000.A.01.H24", dt.date(2026, 3, 4), 7) == "000.A.01.H24-260304-0007"
    assert code_format("X", dt.date(2026, 3, 4), 12345) == "X-260304-12345"
    assert code_parse("000.A.01.H24-260304-0007") == CodeParts(
        "000.A.01.H24", dt.date(2026, 3, 4), 7
    )
    assert code_parse("LEGACY-2026-0004") is None
    assert code_parse("A-261340-0001") is None  # no 40th of the 13th month
    assert code_parse("") is None


def test_the_day_is_the_local_day_in_viet_nam():
    late_utc = dt.datetime(2026, 3, 4, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 5th in VN
    assert code_day(late_utc) == dt.date(2026, 3, 5)


def test_online_and_counter_share_the_daily_sequence_from_submission(world):
    w = world
    online = submit(w, at=vn(2026, 3, 4, 23, 50))
    counter = s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        applicant={"name": "Lê Văn C"},
        files={c.pk: [("giay-to.pdf", PDF)] for c in w.components},
        at=vn(2026, 3, 4, 23, 55),
    )
    next_day = submit(w, at=vn(2026, 3, 5, 0, 5))
    assert [online.code, counter.code, next_day.code] == [
        "000.A.01.H24-260304-0001",
        "000.A.01.H24-260304-0002",
        "000.A.01.H24-260305-0001",
    ]
    # Receipt the next day keeps the code given at submission.
    received = s.dossier_receive(
        dossier_id=online.pk, actor=w.a.staff["c:counter"], at=vn(2026, 3, 5, 8, 0)
    )
    assert received.code == "000.A.01.H24-260304-0001"
    assert {(r.day, r.last) for r in DailySequence.objects.all()} == {
        (dt.date(2026, 3, 4), 2),
        (dt.date(2026, 3, 5), 1),
    }


def test_a_refused_submission_takes_no_number(world):
    """A submission refused before anything is written takes no number."""
    w = world
    with pytest.raises(ValidationFailed) as refused:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={},
            at=vn(2026, 3, 4, 9, 0),
        )
    assert refused.value.code == "files_required"
    assert submit(w, at=vn(2026, 3, 4, 9, 5)).code == "000.A.01.H24-260304-0001"
